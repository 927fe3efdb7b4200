-- The case desk over millions of cases: counts per state and light look only at open cases (a partial index), and
-- the newest-first page of a scope is an index scan.
CREATE INDEX cases_open ON cases (district_code, state, due_at, warn_at)
    WHERE state NOT IN ('closed', 'rejected', 'voided', 'merged');
CREATE INDEX cases_district_newest ON cases (district_code, reported_at DESC, id DESC);
CREATE INDEX cases_community_newest ON cases (community_code, reported_at DESC);
DROP INDEX cases_state;
