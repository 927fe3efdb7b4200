-- Stand-in for sharding by district (Citus, docs/SCALE.md) on one machine: every table a district owns becomes
-- `PARTITION BY LIST (district_code)`, with a partition per district made when the district is inserted. PostgreSQL
-- then enforces Citus's rules: every primary and unique key must hold the district code, and a reference to such
-- a table must carry it. The test harness applies this to its template after the migrations when
-- WANGGE_TEST_SCHEMA=by-district, and the whole suite runs on it (bin/test).
--
-- Cases and their trail are partitioned by month (migration 0023); here each month is divided by district in turn.

CREATE TABLE district_partitioned (parent text PRIMARY KEY, per_district_sql text);
INSERT INTO district_partitioned VALUES
    ('community', NULL), ('block', NULL), ('block_adjacency', NULL), ('grid', NULL), ('grid_block', NULL),
    ('grid_lineage', NULL), ('case_key', NULL), ('case_photo', NULL), ('notification', NULL), ('case_serial', NULL),
    -- rows not yet placed in a community ('000000') stay in the default partition
    ('building', NULL), ('element', NULL), ('resident', NULL),
    -- the base map, placed (and cut) into the districts with a boundary ('000000' outside every one)
    ('road', NULL), ('landuse', NULL),
    -- a chain per district; the shared chain ('000000') in the default partition
    ('audit_log', NULL), ('audit_pending', NULL),
    -- PostgreSQL 15 has no exclusion constraints on a partitioned table: each district's partition gets its own
    -- (plan versions of one community never overlap in time; a community lies in one district)
    ('plan', 'ALTER TABLE %I ADD EXCLUDE USING gist (community_code WITH =, tstzrange(valid_from, valid_to) WITH &&)
                   WHERE (status = ''published'')');

-- Gives every table above (and every month of cases and trail) its partition for district `code`.
CREATE FUNCTION ensure_district_partitions(code text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t record;
    part text;
    waiting boolean;
BEGIN
    FOR t IN
        SELECT d.parent, d.per_district_sql FROM district_partitioned d
        UNION ALL
        -- the month partitions of cases and case_trail, themselves divided by district
        SELECT c.relname, NULL FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        JOIN pg_partitioned_table p ON p.partrelid = c.oid
        WHERE i.inhparent IN ('cases'::regclass, 'case_trail'::regclass)
    LOOP
        part := t.parent || '_d' || code;
        CONTINUE WHEN to_regclass(part) IS NOT NULL;
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE district_code = %L)', t.parent || '_default', code)
            INTO waiting;
        IF waiting THEN
            -- rows of the district written before it was (a staff member's sign-in in the audit log) move from the
            -- default partition into the new one, past the audit log's append-only trigger
            EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part, t.parent);
            EXECUTE format('ALTER TABLE %I DISABLE TRIGGER USER', t.parent || '_default');
            EXECUTE format('WITH moved AS (DELETE FROM %I WHERE district_code = %L RETURNING *) INSERT INTO %I SELECT * FROM moved',
                           t.parent || '_default', code, part);
            EXECUTE format('ALTER TABLE %I ENABLE TRIGGER USER', t.parent || '_default');
            EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES IN (%L)', t.parent, part, code);
        ELSE
            EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES IN (%L)', part, t.parent, code);
        END IF;
        IF t.per_district_sql IS NOT NULL THEN
            EXECUTE format(t.per_district_sql, part);
        END IF;
    END LOOP;
END $$;

CREATE FUNCTION district_partitions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ensure_district_partitions(NEW.code);
    RETURN NULL;
END $$;

DO $$
DECLARE
    fk record;
    t record;
    seq record;
    fks text[][] := '{}';
BEGIN
    -- the references to and from these tables go while the tables are rebuilt
    FOR fk IN
        SELECT c.conrelid::regclass::text AS rel, c.conname, pg_get_constraintdef(c.oid) AS def
        FROM pg_constraint c
        WHERE c.contype = 'f' AND c.conparentid = 0
          AND (c.conrelid::regclass::text IN (SELECT parent FROM district_partitioned)
               OR c.confrelid::regclass::text IN (SELECT parent FROM district_partitioned))
    LOOP
        fks := fks || ARRAY[[fk.rel, fk.conname, fk.def]];
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', fk.rel, fk.conname);
    END LOOP;
    EXECUTE (SELECT format('ALTER TABLE plan DROP CONSTRAINT %I', conname) FROM pg_constraint
             WHERE conrelid = 'plan'::regclass AND contype = 'x');
    FOR t IN SELECT parent FROM district_partitioned LOOP
        EXECUTE format('ALTER TABLE %I RENAME TO %I', t.parent, t.parent || '_plain');
        -- every key and index comes along; a unique one without the district code would fail here
        EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING ALL) PARTITION BY LIST (district_code)',
                       t.parent, t.parent || '_plain');
        EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', t.parent || '_default', t.parent);
        FOR seq IN
            SELECT s.relname AS seq, a.attname AS col FROM pg_depend d
            JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
            JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
            WHERE d.refobjid = (t.parent || '_plain')::regclass AND d.deptype = 'a'
        LOOP
            EXECUTE format('ALTER SEQUENCE %I OWNED BY %I.%I', seq.seq, t.parent, seq.col);
        END LOOP;
        EXECUTE format('INSERT INTO %I SELECT * FROM %I', t.parent, t.parent || '_plain');
        EXECUTE format('DROP TABLE %I', t.parent || '_plain');
    END LOOP;
    FOR i IN 1 .. coalesce(array_length(fks, 1), 0) LOOP
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I %s', fks[i][1], fks[i][2], fks[i][3]);
    END LOOP;
END $$;

-- The audit log stays append-only (its triggers went with the plain table; on the partitioned one they reach every
-- partition).
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

-- Months made from now on are divided by district too.
CREATE OR REPLACE FUNCTION ensure_month_partition(parent text, month date) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    first timestamp := date_trunc('month', month::timestamp);
    part text := format('%s_y%sm%s', parent, to_char(first, 'YYYY'), to_char(first, 'MM'));
    lo timestamptz := first AT TIME ZONE 'Asia/Shanghai';
    hi timestamptz := (first + interval '1 month') AT TIME ZONE 'Asia/Shanghai';
    col text;
    code text;
BEGIN
    IF to_regclass(part) IS NOT NULL THEN
        RETURN false;
    END IF;
    SELECT a.attname INTO STRICT col
    FROM pg_partitioned_table p JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
    WHERE p.partrelid = parent::regclass;
    EXECUTE format('LOCK TABLE %I IN ACCESS EXCLUSIVE MODE', parent || '_default');
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY LIST (district_code)',
                   part, parent);
    EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', part || '_default', part);
    FOR code IN SELECT d.code FROM district d LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES IN (%L)', part || '_d' || code, part, code);
    END LOOP;
    EXECUTE format('WITH moved AS (DELETE FROM %I WHERE %I >= %L AND %I < %L RETURNING *) INSERT INTO %I SELECT * FROM moved',
                   parent || '_default', col, lo, col, hi, part);
    PERFORM attach_month_partition(parent, part, first::date);
    RETURN true;
END $$;

-- The months the migrations made are rebuilt divided by district (the template holds no cases yet).
DO $$
DECLARE
    m record;
BEGIN
    FOR m IN
        SELECT i.inhparent::regclass::text AS parent, c.relname AS part,
               to_date(substring(c.relname FROM '_y([0-9]{4}m[0-9]{2})$'), 'YYYY"m"MM') AS month
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent IN ('cases'::regclass, 'case_trail'::regclass) AND c.relname ~ '_y[0-9]{4}m[0-9]{2}$'
    LOOP
        EXECUTE format('ALTER TABLE %I DETACH PARTITION %I', m.parent, m.part);
        EXECUTE format('INSERT INTO %I SELECT * FROM %I', m.parent || '_default', m.part);
        EXECUTE format('DROP TABLE %I', m.part);
        PERFORM ensure_month_partition(m.parent, m.month);
    END LOOP;
END $$;

CREATE TRIGGER district_partitions AFTER INSERT ON district FOR EACH ROW EXECUTE FUNCTION district_partitions();
SELECT ensure_district_partitions(code) FROM district;
