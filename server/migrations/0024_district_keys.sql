-- The district code in the key of every table a district owns, so that the tables can be sharded by district
-- (Citus, distribution column `district_code`; docs/SCALE.md) without rewriting the application: every primary and
-- unique key holds `district_code`, and every reference between these tables carries it, so a row and what it
-- refers to always sit in the same shard. Keys put the id first, so a look-up by id alone still uses them.
--
-- Owned by a district, keyed by it: community, block, block_adjacency, plan, grid, grid_block, grid_lineage,
-- case_key, cases, case_trail, case_photo, notification. Buildings, places and residents are base-map features
-- imported before any boundary; they carry the district of the community they were placed in ('000000' until then)
-- and refer to the tables above through it; their own keys are not yet changed (see docs/SCALE.md).

-- 1. The column, filled from the row's community or parent.
ALTER TABLE community ADD COLUMN district_code text;
UPDATE community SET district_code = left(code, 6);
ALTER TABLE block ADD COLUMN district_code text;
UPDATE block SET district_code = left(community_code, 6);
ALTER TABLE block_adjacency ADD COLUMN district_code text;
UPDATE block_adjacency j SET district_code = b.district_code FROM block b WHERE b.id = j.a;
ALTER TABLE plan ADD COLUMN district_code text;
UPDATE plan SET district_code = left(community_code, 6);
ALTER TABLE grid ADD COLUMN district_code text;
UPDATE grid g SET district_code = p.district_code FROM plan p WHERE p.id = g.plan_id;
ALTER TABLE grid_block ADD COLUMN district_code text;
UPDATE grid_block g SET district_code = p.district_code FROM plan p WHERE p.id = g.plan_id;
ALTER TABLE grid_lineage ADD COLUMN district_code text;
UPDATE grid_lineage l SET district_code = g.district_code FROM grid g WHERE g.id = l.grid_id;
-- an archived case's district is the start of its number (imported histories may number otherwise, but are live)
ALTER TABLE case_key ADD COLUMN district_code text;
UPDATE case_key k SET district_code = coalesce((SELECT c.district_code FROM cases c WHERE c.id = k.id LIMIT 1),
                                               left(k.number, 6));
ALTER TABLE case_trail ADD COLUMN district_code text;
UPDATE case_trail t SET district_code = k.district_code FROM case_key k WHERE k.id = t.case_id;
ALTER TABLE case_photo ADD COLUMN district_code text;
UPDATE case_photo p SET district_code = k.district_code FROM case_key k WHERE k.id = p.case_id;
ALTER TABLE notification ADD COLUMN district_code text;
UPDATE notification n SET district_code = k.district_code FROM case_key k WHERE k.id = n.case_id;
ALTER TABLE building ADD COLUMN district_code text NOT NULL DEFAULT '000000';
UPDATE building SET district_code = left(community_code, 6) WHERE community_code IS NOT NULL;
ALTER TABLE element ADD COLUMN district_code text NOT NULL DEFAULT '000000';
UPDATE element SET district_code = left(community_code, 6) WHERE community_code IS NOT NULL;
ALTER TABLE resident ADD COLUMN district_code text NOT NULL DEFAULT '000000';
UPDATE resident SET district_code = left(community_code, 6) WHERE community_code IS NOT NULL;

ALTER TABLE community ALTER COLUMN district_code SET NOT NULL,
    ADD CHECK (left(code, 6) = district_code),
    ADD FOREIGN KEY (district_code) REFERENCES district (code);
ALTER TABLE block ALTER COLUMN district_code SET NOT NULL;
ALTER TABLE block_adjacency ALTER COLUMN district_code SET NOT NULL;
ALTER TABLE plan ALTER COLUMN district_code SET NOT NULL;
ALTER TABLE grid ALTER COLUMN district_code SET NOT NULL;
ALTER TABLE grid_block ALTER COLUMN district_code SET NOT NULL;
ALTER TABLE grid_lineage ALTER COLUMN district_code SET NOT NULL;
ALTER TABLE case_key ALTER COLUMN district_code SET NOT NULL;
ALTER TABLE case_trail ALTER COLUMN district_code SET NOT NULL;
ALTER TABLE case_photo ALTER COLUMN district_code SET NOT NULL;
ALTER TABLE notification ALTER COLUMN district_code SET NOT NULL;
-- a located feature's district is its community's
ALTER TABLE building ADD CHECK (district_code ~ '^[0-9]{6}$' AND left(coalesce(community_code, district_code), 6) = district_code);
ALTER TABLE element ADD CHECK (district_code ~ '^[0-9]{6}$' AND left(coalesce(community_code, district_code), 6) = district_code);
ALTER TABLE resident ADD CHECK (district_code ~ '^[0-9]{6}$' AND left(coalesce(community_code, district_code), 6) = district_code);

-- 2. Every reference between these tables is dropped, the keys are replaced, and the references come back with the
-- district in them.
ALTER TABLE block DROP CONSTRAINT block_community_code_fkey, DROP CONSTRAINT block_parent_id_fkey;
ALTER TABLE block_adjacency DROP CONSTRAINT block_adjacency_a_fkey, DROP CONSTRAINT block_adjacency_b_fkey;
ALTER TABLE building DROP CONSTRAINT building_block_id_fkey, DROP CONSTRAINT building_community_code_fkey;
ALTER TABLE plan DROP CONSTRAINT plan_based_on_fkey, DROP CONSTRAINT plan_community_code_fkey;
ALTER TABLE grid DROP CONSTRAINT grid_plan_id_fkey;
ALTER TABLE grid_block DROP CONSTRAINT grid_block_grid_id_fkey, DROP CONSTRAINT grid_block_plan_id_fkey,
    DROP CONSTRAINT grid_block_block_id_fkey;
ALTER TABLE element DROP CONSTRAINT element_community_code_fkey, DROP CONSTRAINT element_grid_id_fkey;
ALTER TABLE resident DROP CONSTRAINT resident_community_code_fkey, DROP CONSTRAINT resident_grid_id_fkey;
ALTER TABLE grid_lineage DROP CONSTRAINT grid_lineage_grid_id_fkey, DROP CONSTRAINT grid_lineage_parent_id_fkey;
ALTER TABLE case_photo DROP CONSTRAINT case_photo_case_id_fkey;
ALTER TABLE notification DROP CONSTRAINT notification_case_id_fkey;
ALTER TABLE cases DROP CONSTRAINT cases_id_fkey, DROP CONSTRAINT cases_merged_into_fkey;
ALTER TABLE case_trail DROP CONSTRAINT case_trail_case_id_fkey;

ALTER TABLE community DROP CONSTRAINT community_pkey, ADD PRIMARY KEY (code, district_code);
ALTER TABLE block DROP CONSTRAINT block_pkey, ADD PRIMARY KEY (id, district_code);
ALTER TABLE block_adjacency DROP CONSTRAINT block_adjacency_pkey, ADD PRIMARY KEY (a, b, district_code);
ALTER TABLE plan DROP CONSTRAINT plan_pkey, ADD PRIMARY KEY (id, district_code),
    DROP CONSTRAINT plan_community_code_version_key, ADD UNIQUE (community_code, version, district_code),
    DROP CONSTRAINT plan_community_code_tstzrange_excl,
    ADD EXCLUDE USING gist (district_code WITH =, community_code WITH =, tstzrange(valid_from, valid_to) WITH &&)
        WHERE (status = 'published');
ALTER TABLE grid DROP CONSTRAINT grid_pkey, ADD PRIMARY KEY (id, district_code),
    DROP CONSTRAINT grid_plan_id_key_key, ADD UNIQUE (plan_id, key, district_code);
ALTER TABLE grid_block DROP CONSTRAINT grid_block_pkey, ADD PRIMARY KEY (plan_id, block_id, district_code);
ALTER TABLE grid_lineage DROP CONSTRAINT grid_lineage_pkey, ADD PRIMARY KEY (grid_id, parent_id, district_code);
ALTER TABLE case_key DROP CONSTRAINT case_key_pkey, ADD PRIMARY KEY (id, district_code),
    DROP CONSTRAINT case_key_number_key, ADD UNIQUE (number, district_code),
    DROP CONSTRAINT case_key_request_actor_request_id_key, ADD UNIQUE (request_actor, request_id, district_code);
ALTER TABLE cases DROP CONSTRAINT cases_pkey, ADD PRIMARY KEY (id, reported_at, district_code);
ALTER TABLE case_trail DROP CONSTRAINT case_trail_pkey, ADD PRIMARY KEY (id, at, district_code);
ALTER TABLE case_photo DROP CONSTRAINT case_photo_pkey, ADD PRIMARY KEY (id, district_code),
    DROP CONSTRAINT case_photo_case_id_sha256_key, ADD UNIQUE (case_id, sha256, district_code);
ALTER TABLE notification DROP CONSTRAINT notification_pkey, ADD PRIMARY KEY (id, district_code);

ALTER TABLE block
    ADD FOREIGN KEY (community_code, district_code) REFERENCES community (code, district_code) ON DELETE CASCADE,
    ADD FOREIGN KEY (parent_id, district_code) REFERENCES block (id, district_code);
ALTER TABLE block_adjacency
    ADD FOREIGN KEY (a, district_code) REFERENCES block (id, district_code) ON DELETE CASCADE,
    ADD FOREIGN KEY (b, district_code) REFERENCES block (id, district_code) ON DELETE CASCADE;
ALTER TABLE building
    ADD FOREIGN KEY (block_id, district_code) REFERENCES block (id, district_code) ON DELETE SET NULL (block_id),
    ADD FOREIGN KEY (community_code, district_code) REFERENCES community (code, district_code)
        ON DELETE SET NULL (community_code);
ALTER TABLE plan
    ADD FOREIGN KEY (based_on, district_code) REFERENCES plan (id, district_code),
    ADD FOREIGN KEY (community_code, district_code) REFERENCES community (code, district_code);
ALTER TABLE grid ADD FOREIGN KEY (plan_id, district_code) REFERENCES plan (id, district_code) ON DELETE CASCADE;
ALTER TABLE grid_block
    ADD FOREIGN KEY (grid_id, district_code) REFERENCES grid (id, district_code) ON DELETE CASCADE,
    ADD FOREIGN KEY (plan_id, district_code) REFERENCES plan (id, district_code) ON DELETE CASCADE,
    ADD FOREIGN KEY (block_id, district_code) REFERENCES block (id, district_code);
ALTER TABLE element
    ADD FOREIGN KEY (community_code, district_code) REFERENCES community (code, district_code)
        ON DELETE SET NULL (community_code),
    ADD FOREIGN KEY (grid_id, district_code) REFERENCES grid (id, district_code) ON DELETE SET NULL (grid_id);
ALTER TABLE resident
    ADD FOREIGN KEY (community_code, district_code) REFERENCES community (code, district_code)
        ON DELETE SET NULL (community_code),
    ADD FOREIGN KEY (grid_id, district_code) REFERENCES grid (id, district_code) ON DELETE SET NULL (grid_id);
ALTER TABLE grid_lineage
    ADD FOREIGN KEY (grid_id, district_code) REFERENCES grid (id, district_code) ON DELETE CASCADE,
    ADD FOREIGN KEY (parent_id, district_code) REFERENCES grid (id, district_code) ON DELETE CASCADE;
ALTER TABLE case_photo ADD FOREIGN KEY (case_id, district_code) REFERENCES case_key (id, district_code);
ALTER TABLE notification ADD FOREIGN KEY (case_id, district_code) REFERENCES case_key (id, district_code);
ALTER TABLE case_trail ADD FOREIGN KEY (case_id, district_code) REFERENCES case_key (id, district_code);
ALTER TABLE cases
    -- checked at commit: the statement's trigger registers its cases after the row checks would run
    ADD FOREIGN KEY (id, district_code) REFERENCES case_key (id, district_code) DEFERRABLE INITIALLY DEFERRED,
    ADD FOREIGN KEY (merged_into, district_code) REFERENCES case_key (id, district_code);
-- a retried report is looked up by its request id alone
CREATE INDEX case_key_request ON case_key (request_actor, request_id) WHERE request_id IS NOT NULL;

CREATE OR REPLACE FUNCTION register_cases() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO case_key (id, district_code, number, reported_at, request_actor, request_id)
    SELECT id, district_code, number, reported_at, request_actor, request_id FROM new_cases;
    RETURN NULL;
END $$;
