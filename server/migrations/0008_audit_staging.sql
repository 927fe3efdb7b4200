-- Audit entries are written in the transaction of the write they describe, into a staging table, without taking
-- the chain's lock; a chainer then moves the committed entries into the hash chain in batches, in one short
-- transaction each. Concurrent writes thus commit in parallel (their WAL flushes batched by group commit) instead
-- of one after another behind the chain's lock, and an entry still never exists without its write, nor a write
-- without its entry.
CREATE TABLE audit_pending (
    id     bigserial PRIMARY KEY,
    at     timestamptz NOT NULL DEFAULT date_trunc('microseconds', clock_timestamp()),
    actor  text NOT NULL,
    action text NOT NULL,
    target text,
    status integer NOT NULL,
    before jsonb,
    after  jsonb
);

-- Chain every committed staged entry, in staging order; returns the last sequence number chained (NULL: none).
CREATE FUNCTION audit_chain_pending() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    last_seq  bigint;
    last_hash bytea;
    chained   bigint;
    r         record;
BEGIN
    PERFORM pg_advisory_xact_lock(727410);
    SELECT seq, hash INTO last_seq, last_hash FROM audit_log ORDER BY seq DESC LIMIT 1;
    last_seq := coalesce(last_seq, 0);
    last_hash := coalesce(last_hash, decode(repeat('00', 32), 'hex'));
    FOR r IN SELECT * FROM audit_pending ORDER BY id LOOP
        last_seq := last_seq + 1;
        INSERT INTO audit_log (seq, at, actor, action, target, status, before, after, prev_hash, hash)
        VALUES (last_seq, r.at, r.actor, r.action, r.target, r.status, r.before, r.after, last_hash,
                audit_entry_hash(last_hash, last_seq, r.at, r.actor, r.action, r.target, r.status, r.before, r.after))
        RETURNING hash INTO last_hash;
        DELETE FROM audit_pending WHERE id = r.id;
        chained := last_seq;
    END LOOP;
    RETURN chained;
END $$;
