-- One audit chain per district. An entry belongs to the district whose data it changes (the acting account's
-- district, or the case's for the public's writes); each district's entries are numbered from 1 and linked among
-- themselves, so a district's chain is appended to, verified and (under Citus) stored inside that district's shard,
-- without a lock shared with every other district. Entries about no one district (archiving every district's old
-- months, a refused sign-in under an unknown name) go to the shared chain, '000000'.
--
-- The entries logged before this migration were one chain, numbered and linked in that order: they stay exactly as
-- they are, as the shared chain, and verify as before. Rehashing them into their districts would destroy the very
-- evidence the log keeps.

ALTER TABLE audit_log ADD COLUMN district_code text NOT NULL DEFAULT '000000' CHECK (district_code ~ '^[0-9]{6}$');
ALTER TABLE audit_log ALTER COLUMN district_code DROP DEFAULT;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey;
ALTER TABLE audit_log ADD PRIMARY KEY (district_code, seq);

ALTER TABLE audit_pending ADD COLUMN district_code text NOT NULL DEFAULT '000000' CHECK (district_code ~ '^[0-9]{6}$');
ALTER TABLE audit_pending ALTER COLUMN district_code DROP DEFAULT;
ALTER TABLE audit_pending DROP CONSTRAINT audit_pending_pkey;
ALTER TABLE audit_pending ADD PRIMARY KEY (id, district_code);

-- What the first entry of a district's chain links to: a hash naming the district, so that an entry (or a whole
-- chain) relabelled to another district no longer links. The shared chain keeps the zeros it always began with.
CREATE FUNCTION audit_genesis(district text) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN district = '000000' THEN decode(repeat('00', 32), 'hex')
                ELSE sha256(convert_to('wangge audit chain ' || district, 'UTF8')) END
$$;

-- The single-chain functions go: they number entries across districts.
DROP FUNCTION audit_append(text, text, text, integer, jsonb, jsonb);
DROP FUNCTION audit_chain_pending(bigint);

-- Chain every committed staged entry into its district's chain, in staging order, and answer for each chain that
-- grew: its head after (sequence number, hash in hex), how many entries were chained now, and the hash now stored
-- at the entry its anchor names (`anchored`: {"district": seq}), to check the log still holds it. The hashes are
-- the same `audit_entry_hash` as ever, as a running aggregate per chain.
CREATE FUNCTION audit_chain_pending(anchored jsonb)
RETURNS TABLE (district_code text, head_seq bigint, head_hash text, chained bigint, anchored_hash text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    PERFORM pg_advisory_xact_lock(727410);
    RETURN QUERY
    -- Through the index from the oldest entry: the staging table's heap is mostly entries already moved, which a
    -- scan of it would read on every run until vacuum comes.
    WITH moved AS (DELETE FROM audit_pending p WHERE p.id >= (SELECT min(id) FROM audit_pending) RETURNING p.*),
         heads AS (
             SELECT d.district_code, h.seq, coalesce(h.hash, audit_genesis(d.district_code)) AS hash
             FROM (SELECT DISTINCT m.district_code FROM moved m) d
             LEFT JOIN LATERAL (SELECT l.seq, l.hash FROM audit_log l WHERE l.district_code = d.district_code
                                ORDER BY l.seq DESC LIMIT 1) h ON true),
         numbered AS (
             SELECT m.*, coalesce(h.seq, 0) + row_number() OVER (PARTITION BY m.district_code ORDER BY m.id) AS seq,
                    h.hash AS head
             FROM moved m JOIN heads h USING (district_code)),
         hashed AS (
             SELECT n.*, audit_chain(n.head, n.seq, n.at, n.actor, n.action, n.target, n.status, n.before, n.after)
                             OVER (PARTITION BY n.district_code ORDER BY n.id) AS hash
             FROM numbered n),
         inserted AS (
             INSERT INTO audit_log (district_code, seq, at, actor, action, target, status, before, after, prev_hash,
                                    hash)
             SELECT h.district_code, h.seq, h.at, h.actor, h.action, h.target, h.status, h.before, h.after,
                    coalesce(lag(h.hash) OVER (PARTITION BY h.district_code ORDER BY h.id), h.head), h.hash
             FROM hashed h ORDER BY h.id
             RETURNING audit_log.district_code, audit_log.seq, audit_log.hash)
    SELECT i.district_code, max(i.seq), encode((array_agg(i.hash ORDER BY i.seq DESC))[1], 'hex'), count(*),
           (SELECT encode(l.hash, 'hex') FROM audit_log l
            WHERE l.district_code = i.district_code AND l.seq = (anchored ->> i.district_code)::bigint)
    FROM inserted i GROUP BY i.district_code;
END $$;
