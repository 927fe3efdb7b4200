-- The chain moves the staged entries in one statement instead of one INSERT and one DELETE per entry: the hashes
-- are a running aggregate over the entries in staging order (each the hash of the one before and its own fields,
-- the same `audit_entry_hash` as ever, so the chain verifies as before), and the function answers with the new head,
-- saving the caller the look-ups it made after each run.

-- One step of the chain: the hash so far (NULL before the first entry: then `head`, the chain's last hash) and the
-- next entry's fields give the next hash. The same bytes as `audit_entry_hash` (each field length-prefixed, joined
-- by '|'), written as one expression so PL/pgSQL evaluates it without running a query per entry.
CREATE FUNCTION audit_chain_step(so_far bytea, head bytea, seq bigint, at timestamptz, actor text, action text,
                                 target text, status integer, before jsonb, after jsonb) RETURNS bytea
LANGUAGE plpgsql STABLE AS $$
DECLARE
    t text := to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US');
    b text := coalesce(before::text, 'null');
    a text := coalesce(after::text, 'null');
BEGIN
    RETURN sha256(coalesce(so_far, head) || convert_to(
        length(seq::text) || ':' || seq::text || '|' || length(t) || ':' || t || '|' ||
        length(actor) || ':' || actor || '|' || length(action) || ':' || action || '|' ||
        length(coalesce(target, '')) || ':' || coalesce(target, '') || '|' ||
        length(status::text) || ':' || status::text || '|' || length(b) || ':' || b || '|' ||
        length(a) || ':' || a, 'UTF8'));
END $$;

CREATE AGGREGATE audit_chain(bytea, bigint, timestamptz, text, text, text, integer, jsonb, jsonb) (
    SFUNC = audit_chain_step,
    STYPE = bytea
);

-- Chain every committed staged entry, in staging order; answers the head after it (the last sequence number and
-- its hash in hex, NULL for an empty log), how many entries were chained now, and the hash now stored at `anchored`
-- (the entry the anchor file names, to check the log still holds it).
DROP FUNCTION audit_chain_pending();
CREATE FUNCTION audit_chain_pending(anchored bigint, OUT head_seq bigint, OUT head_hash text, OUT chained bigint,
                                    OUT anchored_hash text)
LANGUAGE plpgsql AS $$
DECLARE
    last_seq  bigint;
    last_hash bytea;
BEGIN
    PERFORM pg_advisory_xact_lock(727410);
    SELECT seq, hash INTO last_seq, last_hash FROM audit_log ORDER BY seq DESC LIMIT 1;
    -- Through the index from the oldest entry: the staging table's heap is mostly entries already moved, which a
    -- scan of it would read on every run until vacuum comes.
    WITH moved AS (DELETE FROM audit_pending WHERE id >= (SELECT min(id) FROM audit_pending) RETURNING *),
         numbered AS (SELECT m.*, coalesce(last_seq, 0) + row_number() OVER (ORDER BY m.id) AS seq FROM moved m),
         hashed AS (
             SELECT n.*, audit_chain(coalesce(last_hash, decode(repeat('00', 32), 'hex')), n.seq, n.at, n.actor,
                                     n.action, n.target, n.status, n.before, n.after) OVER (ORDER BY n.id) AS hash
             FROM numbered n)
    INSERT INTO audit_log (seq, at, actor, action, target, status, before, after, prev_hash, hash)
    SELECT h.seq, h.at, h.actor, h.action, h.target, h.status, h.before, h.after,
           coalesce(lag(h.hash) OVER (ORDER BY h.id), last_hash, decode(repeat('00', 32), 'hex')), h.hash
    FROM hashed h ORDER BY h.id;
    GET DIAGNOSTICS chained = ROW_COUNT;
    SELECT seq, encode(hash, 'hex') INTO head_seq, head_hash FROM audit_log ORDER BY seq DESC LIMIT 1;
    SELECT encode(hash, 'hex') INTO anchored_hash FROM audit_log WHERE seq = anchored;
END $$;
