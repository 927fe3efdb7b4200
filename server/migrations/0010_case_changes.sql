-- The in-memory incident store catches up with writes by other processes (imports, the demo loader) by the time a
-- case was last written.
CREATE INDEX cases_updated ON cases (updated_at);
