-- A district's own limits for the stages a case waits in (accepting, filing, dispatching, the district center,
-- reviewing, verifying); without a row the shipped default applies. Each case keeps when its current stage runs out,
-- and whether the sweep has noted it.
CREATE TABLE stage_limit (
    district_code text NOT NULL REFERENCES district (code),
    state         text NOT NULL CHECK (state IN ('reported', 'accepted', 'filed', 'escalated', 'self_resolved', 'handled')),
    amount        integer NOT NULL CHECK (amount > 0),
    unit          text NOT NULL CHECK (unit IN ('hours', 'working_hours', 'working_days', 'calendar_days')),
    PRIMARY KEY (district_code, state)
);
ALTER TABLE cases ADD COLUMN stage_due_at timestamptz, ADD COLUMN stage_noted boolean NOT NULL DEFAULT false;
CREATE INDEX cases_stage_due ON cases (stage_due_at) WHERE stage_due_at IS NOT NULL AND NOT stage_noted;
ALTER TABLE notification DROP CONSTRAINT notification_kind_check;
ALTER TABLE notification ADD CONSTRAINT notification_kind_check
    CHECK (kind IN ('yellow', 'red', 'dispatched', 'returned', 'handled', 'request', 'stage_overdue'));
