-- Accounts, sessions, the hash-chained audit log, and residents' personal data encrypted at rest.

CREATE TABLE account (
    id            bigserial PRIMARY KEY,
    username      text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9_.-]{3,32}$'),
    display_name  text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 50),
    role          text NOT NULL CHECK (role IN ('district_admin', 'planner', 'street_operator', 'department_handler',
                                                'grid_worker', 'grid_head')),
    -- The account's scope as the API writes it: {"district": "…"}, {"street": "…"}, {"community": "…"},
    -- {"grids": ["…"]} or {"department": "…"}. Parsed (and its fit with the role checked) by the server.
    scope         jsonb NOT NULL,
    -- Every account belongs to one district, whose admin manages it.
    district_code text NOT NULL CHECK (district_code ~ '^[0-9]{6}$'),
    -- Work phone, shown to the public for grid workers and grid heads.
    work_phone    text,
    password_hash text NOT NULL,
    disabled      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- A login session. Only a hash of the token is stored, so a database leak does not hand out sessions.
CREATE TABLE session (
    token_hash bytea PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX session_account ON session (account_id);

-- Append-only, hash-chained log of every write: entry n's hash covers entry n-1's hash and all of entry n's fields,
-- so changing, inserting or deleting any entry breaks the chain from there on.
CREATE TABLE audit_log (
    seq       bigint PRIMARY KEY,
    at        timestamptz NOT NULL,
    actor     text NOT NULL,
    action    text NOT NULL,
    target    text,
    status    integer NOT NULL,
    before    jsonb,
    after     jsonb,
    prev_hash bytea NOT NULL,
    hash      bytea NOT NULL
);

-- The hash of one entry. Each field is length-prefixed so no two different entries hash the same input.
CREATE FUNCTION audit_entry_hash(prev bytea, seq bigint, at timestamptz, actor text, action text, target text,
                                 status integer, before jsonb, after jsonb) RETURNS bytea
LANGUAGE sql STABLE AS $$
    SELECT sha256(prev || convert_to(
        (SELECT string_agg(length(f)::text || ':' || f, '|' ORDER BY i)
         FROM unnest(ARRAY[seq::text, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), actor, action,
                           coalesce(target, ''), status::text, coalesce(before::text, 'null'),
                           coalesce(after::text, 'null')]) WITH ORDINALITY AS x(f, i)),
        'UTF8'))
$$;

-- Append one entry; appends are serialized so the chain never forks. Returns the new entry's number.
CREATE FUNCTION audit_append(p_actor text, p_action text, p_target text, p_status integer, p_before jsonb,
                             p_after jsonb) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    last_seq  bigint;
    last_hash bytea;
    now_at    timestamptz := date_trunc('microseconds', clock_timestamp());
BEGIN
    PERFORM pg_advisory_xact_lock(727410);
    SELECT seq, hash INTO last_seq, last_hash FROM audit_log ORDER BY seq DESC LIMIT 1;
    last_seq := coalesce(last_seq, 0) + 1;
    last_hash := coalesce(last_hash, decode(repeat('00', 32), 'hex'));
    INSERT INTO audit_log (seq, at, actor, action, target, status, before, after, prev_hash, hash)
    VALUES (last_seq, now_at, p_actor, p_action, p_target, p_status, p_before, p_after, last_hash,
            audit_entry_hash(last_hash, last_seq, now_at, p_actor, p_action, p_target, p_status, p_before, p_after));
    RETURN last_seq;
END $$;

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

-- Residents' personal data: AES-256-GCM ciphertext (nonce ‖ ciphertext ‖ tag) under the key from configuration,
-- beside the masked forms lists show. Plain-text columns from the foundation go; refuse to drop data silently.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM resident) THEN
        RAISE EXCEPTION 'resident holds plain-text rows: export and re-register them before this migration';
    END IF;
END $$;
ALTER TABLE resident DROP COLUMN name, DROP COLUMN id_card, DROP COLUMN phone;
ALTER TABLE resident
    ADD COLUMN name_enc       bytea NOT NULL,
    ADD COLUMN id_card_enc    bytea NOT NULL,
    ADD COLUMN phone_enc      bytea,
    ADD COLUMN name_masked    text NOT NULL,
    ADD COLUMN id_card_masked text NOT NULL,
    ADD COLUMN phone_masked   text,
    -- Keyed hash (HMAC-SHA256) of the ID-card number, so one person is registered once without storing it in clear.
    ADD COLUMN id_card_digest bytea NOT NULL UNIQUE;

-- Scope filters for lists. A scope is a set of code prefixes (division and grid codes nest): a row is inside the
-- scope when its code starts with one of them, and touches it when either starts with the other (a street's row
-- touches a community scope inside it, so the community's staff see their street's name).
CREATE FUNCTION in_scope(code text, prefixes text[]) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT code IS NOT NULL AND EXISTS (SELECT 1 FROM unnest(prefixes) p WHERE starts_with(code, p))
$$;
CREATE FUNCTION touches_scope(code text, prefixes text[]) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT code IS NOT NULL AND EXISTS (SELECT 1 FROM unnest(prefixes) p WHERE starts_with(code, p) OR starts_with(p, code))
$$;
