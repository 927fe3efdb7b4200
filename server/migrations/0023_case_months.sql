-- Cases and their trail are partitioned by month (China time, Asia/Shanghai), so a city's years of cases stay fast
-- and an old month can be detached and archived (`wangge archive`).
--
-- A unique index on a partitioned table must hold the partition key, and a case is found by id alone, so what has
-- to be unique across every month lives in `case_key`, the register of every case ever created: its id, number,
-- month and idempotency key. It keeps archived cases' numbers and request ids, so neither is ever issued twice, and
-- the photos, notifications and trail of a case refer to it.

CREATE TABLE case_key (
    id            bigint PRIMARY KEY,
    number        text NOT NULL UNIQUE,
    reported_at   timestamptz NOT NULL,
    request_actor text,
    request_id    text,
    UNIQUE (request_actor, request_id)
);

-- Every insert into `cases`, however it is written (intake, imports, the demo, benchmarks), registers its cases.
CREATE FUNCTION register_cases() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO case_key (id, number, reported_at, request_actor, request_id)
    SELECT id, number, reported_at, request_actor, request_id FROM new_cases;
    RETURN NULL;
END $$;

-- Attaches the table `part` to `parent` as its partition for the China-time month that starts on `month`.
CREATE FUNCTION attach_month_partition(parent text, part text, month date) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', parent, part,
                   month::timestamp AT TIME ZONE 'Asia/Shanghai',
                   (month + interval '1 month') AT TIME ZONE 'Asia/Shanghai');
END $$;

-- Gives `parent` (partitioned by month, with a partition `<parent>_default` for the rest) its partition for the
-- China-time month that starts on `month`, moving that month's rows out of the default partition. Returns whether
-- it made one. Writers to the default partition wait while it runs.
CREATE FUNCTION ensure_month_partition(parent text, month date) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    first timestamp := date_trunc('month', month::timestamp);
    part text := format('%s_y%sm%s', parent, to_char(first, 'YYYY'), to_char(first, 'MM'));
    lo timestamptz := first AT TIME ZONE 'Asia/Shanghai';
    hi timestamptz := (first + interval '1 month') AT TIME ZONE 'Asia/Shanghai';
    col text;
BEGIN
    IF to_regclass(part) IS NOT NULL THEN
        RETURN false;
    END IF;
    SELECT a.attname INTO STRICT col
    FROM pg_partitioned_table p JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
    WHERE p.partrelid = parent::regclass;
    EXECUTE format('LOCK TABLE %I IN ACCESS EXCLUSIVE MODE', parent || '_default');
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part, parent);
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (%I >= %L AND %I < %L)',
                   part, part || '_month', col, lo, col, hi);
    EXECUTE format('WITH moved AS (DELETE FROM %I WHERE %I >= %L AND %I < %L RETURNING *) INSERT INTO %I SELECT * FROM moved',
                   parent || '_default', col, lo, col, hi, part);
    PERFORM attach_month_partition(parent, part, first::date);
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', part, part || '_month');
    RETURN true;
END $$;

-- Gives `parent` its partitions for this month and the next two, and for every month whose rows sit in the default
-- partition (imported history). Returns how many it made.
CREATE FUNCTION tidy_month_partitions(parent text) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    col text;
    held date[];
    month date;
    made integer := 0;
    this_month date := date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date;
BEGIN
    SELECT a.attname INTO STRICT col
    FROM pg_partitioned_table p JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
    WHERE p.partrelid = parent::regclass;
    EXECUTE format('SELECT array_agg(DISTINCT date_trunc(''month'', %I AT TIME ZONE ''Asia/Shanghai'')::date) FROM %I',
                   col, parent || '_default') INTO held;
    FOR month IN
        SELECT (this_month + make_interval(months => k))::date FROM generate_series(0, 2) k
        UNION SELECT unnest(coalesce(held, '{}'))
        ORDER BY 1
    LOOP
        IF ensure_month_partition(parent, month) THEN
            made := made + 1;
        END IF;
    END LOOP;
    RETURN made;
END $$;

-- The cases, moved into a table partitioned by month of report.
ALTER TABLE case_photo DROP CONSTRAINT case_photo_case_id_fkey;
ALTER TABLE notification DROP CONSTRAINT notification_case_id_fkey;
ALTER TABLE case_trail DROP CONSTRAINT case_trail_case_id_fkey;
ALTER TABLE cases DROP CONSTRAINT cases_merged_into_fkey;
ALTER TABLE cases RENAME TO cases_unpartitioned;
ALTER SEQUENCE cases_id_seq OWNED BY NONE;
CREATE TABLE cases (LIKE cases_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)
    PARTITION BY RANGE (reported_at);
ALTER SEQUENCE cases_id_seq OWNED BY cases.id;
CREATE TABLE cases_default PARTITION OF cases DEFAULT;
CREATE TRIGGER cases_register AFTER INSERT ON cases REFERENCING NEW TABLE AS new_cases
    FOR EACH STATEMENT EXECUTE FUNCTION register_cases();
INSERT INTO cases SELECT * FROM cases_unpartitioned;
DROP TABLE cases_unpartitioned;
SELECT tidy_month_partitions('cases');
ALTER TABLE cases
    ADD PRIMARY KEY (id, reported_at),
    -- Checked at commit: the statement's trigger registers its cases after the row checks would run.
    ADD FOREIGN KEY (id) REFERENCES case_key (id) DEFERRABLE INITIALLY DEFERRED,
    ADD FOREIGN KEY (district_code) REFERENCES district (code),
    ADD FOREIGN KEY (category_code) REFERENCES category (code),
    ADD FOREIGN KEY (department_id) REFERENCES department (id),
    ADD FOREIGN KEY (merged_into) REFERENCES case_key (id),
    ADD FOREIGN KEY (client_id) REFERENCES api_client (id),
    ADD FOREIGN KEY (service_code) REFERENCES public_service (code);
CREATE INDEX cases_desk ON cases (street_code, reported_at DESC);
CREATE INDEX cases_department ON cases (department_id, state) WHERE department_id IS NOT NULL;
CREATE INDEX cases_reported ON cases (reported_at);
CREATE INDEX cases_geom ON cases USING gist (geom);
CREATE INDEX cases_open_due ON cases (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX cases_open ON cases (district_code, state, due_at, warn_at)
    WHERE state NOT IN ('closed', 'rejected', 'voided', 'merged');
CREATE INDEX cases_district_newest ON cases (district_code, reported_at DESC, id DESC);
CREATE INDEX cases_community_newest ON cases (community_code, reported_at DESC);
CREATE INDEX cases_text ON cases USING gin ((number || ' ' || description || ' ' || coalesce(address, '')) gin_trgm_ops);
CREATE INDEX cases_stage_due ON cases (stage_due_at) WHERE stage_due_at IS NOT NULL AND NOT stage_noted;
CREATE INDEX cases_public ON cases (reported_at DESC) WHERE channel = 'public';
CREATE INDEX cases_grid_time ON cases (grid_code, reported_at);
CREATE INDEX cases_merged_into ON cases (merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX cases_updated ON cases (updated_at);
ALTER TABLE case_photo ADD FOREIGN KEY (case_id) REFERENCES case_key (id);
ALTER TABLE notification ADD FOREIGN KEY (case_id) REFERENCES case_key (id);

-- The trail, partitioned by month of the step.
ALTER TABLE case_trail RENAME TO case_trail_unpartitioned;
ALTER SEQUENCE case_trail_id_seq OWNED BY NONE;
CREATE TABLE case_trail (LIKE case_trail_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)
    PARTITION BY RANGE (at);
ALTER SEQUENCE case_trail_id_seq OWNED BY case_trail.id;
CREATE TABLE case_trail_default PARTITION OF case_trail DEFAULT;
INSERT INTO case_trail SELECT * FROM case_trail_unpartitioned;
DROP TABLE case_trail_unpartitioned;
SELECT tidy_month_partitions('case_trail');
ALTER TABLE case_trail
    ADD PRIMARY KEY (id, at),
    ADD FOREIGN KEY (case_id) REFERENCES case_key (id);
CREATE INDEX case_trail_case ON case_trail (case_id, id);
CREATE INDEX case_trail_at ON case_trail (at);

-- Months archived (`wangge archive`: detached, written to a file, dropped) and restored (`wangge unarchive`), one row
-- per table and month and action; the incident store reads everything again when a row is added.
CREATE TABLE case_archive (
    id     bigserial PRIMARY KEY,
    at     timestamptz NOT NULL DEFAULT now(),
    action text NOT NULL CHECK (action IN ('archived', 'restored')),
    parent text NOT NULL CHECK (parent IN ('cases', 'case_trail')),
    month  date NOT NULL CHECK (extract(day FROM month) = 1),
    rows   bigint NOT NULL,
    file   text NOT NULL,
    sha256 text NOT NULL
);
