-- Every reference to a case has an index on its referencing side, so removing a case (a detached month, a
-- benchmark's rows) checks its references by index rather than by reading every case once per removed row.
CREATE INDEX cases_merged_into ON cases (merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX notification_case ON notification (case_id);
