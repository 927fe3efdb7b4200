-- Buildings, places and residents keyed by district too (docs/SCALE.md). They are imported before any boundary
-- and hold '000000' until placed in a community, so what must be unique across districts is found again before
-- inserting: a re-import skips an OSM id stored in any district. A resident's identity card is unique within a
-- district (the national population system holds the person; a district registers who lives in it).
ALTER TABLE resident DROP CONSTRAINT resident_building_id_fkey;
ALTER TABLE building DROP CONSTRAINT building_pkey, ADD PRIMARY KEY (id, district_code),
    DROP CONSTRAINT building_source_source_id_key, ADD UNIQUE (source, source_id, district_code);
ALTER TABLE element DROP CONSTRAINT element_pkey, ADD PRIMARY KEY (id, district_code),
    DROP CONSTRAINT element_source_source_id_key, ADD UNIQUE (source, source_id, district_code),
    DROP CONSTRAINT element_facility_id_key, ADD UNIQUE (facility_id, district_code);
ALTER TABLE resident DROP CONSTRAINT resident_pkey, ADD PRIMARY KEY (id, district_code),
    DROP CONSTRAINT resident_id_card_digest_key,
    ADD CONSTRAINT resident_id_card_digest_key UNIQUE (id_card_digest, district_code),
    ADD FOREIGN KEY (building_id, district_code) REFERENCES building (id, district_code)
        ON DELETE SET NULL (building_id);
