-- Foundation schema: administrative hierarchy, base map features, blocks, versioned grid plans, special grids and
-- the elements located to grids. Coordinates are WGS84 (EPSG:4326) everywhere.
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE district (
    code      text PRIMARY KEY CHECK (code ~ '^[0-9]{6}$'),
    name      text NOT NULL,
    generated boolean NOT NULL DEFAULT false,
    geom      geometry(MultiPolygon, 4326)
);

CREATE TABLE street (
    code          text PRIMARY KEY CHECK (code ~ '^[0-9]{9}$'),
    district_code text NOT NULL REFERENCES district (code),
    name          text NOT NULL,
    geom          geometry(MultiPolygon, 4326),
    CHECK (left(code, 6) = district_code)
);

CREATE TABLE community (
    code        text PRIMARY KEY CHECK (code ~ '^[0-9]{12}$'),
    street_code text NOT NULL REFERENCES street (code),
    name        text NOT NULL,
    geom        geometry(MultiPolygon, 4326),
    CHECK (left(code, 9) = street_code)
);
CREATE INDEX community_geom ON community USING gist (geom);
CREATE INDEX street_geom ON street USING gist (geom);

CREATE TABLE road (
    id        bigserial PRIMARY KEY,
    source    text NOT NULL,
    source_id bigint NOT NULL,
    class     text NOT NULL,
    name      text,
    geom      geometry(LineString, 4326) NOT NULL,
    UNIQUE (source, source_id)
);
CREATE INDEX road_geom ON road USING gist (geom);

CREATE TABLE landuse (
    id        bigserial PRIMARY KEY,
    source    text NOT NULL,
    source_id bigint NOT NULL,
    kind      text NOT NULL,
    name      text,
    geom      geometry(MultiPolygon, 4326) NOT NULL,
    UNIQUE (source, source_id)
);
CREATE INDEX landuse_geom ON landuse USING gist (geom);

-- A road-bounded block, or a building cell split from one (parent_id set, parent retired).
CREATE TABLE block (
    id             bigserial PRIMARY KEY,
    community_code text NOT NULL REFERENCES community (code) ON DELETE CASCADE,
    parent_id      bigint REFERENCES block (id),
    retired        boolean NOT NULL DEFAULT false,
    geom           geometry(MultiPolygon, 4326) NOT NULL,
    area_m2        double precision NOT NULL DEFAULT 0,
    households     integer NOT NULL DEFAULT 0 CHECK (households >= 0),
    residents      integer NOT NULL DEFAULT 0 CHECK (residents >= 0)
);
CREATE INDEX block_geom ON block USING gist (geom);
CREATE INDEX block_community ON block (community_code) WHERE NOT retired;

CREATE TABLE block_adjacency (
    a        bigint NOT NULL REFERENCES block (id) ON DELETE CASCADE,
    b        bigint NOT NULL REFERENCES block (id) ON DELETE CASCADE,
    shared_m double precision NOT NULL,
    PRIMARY KEY (a, b),
    CHECK (a < b)
);

CREATE TABLE building (
    id                bigserial PRIMARY KEY,
    source            text NOT NULL,
    source_id         bigint NOT NULL,
    kind              text NOT NULL,
    building_use      text NOT NULL CHECK (building_use IN ('residential', 'other')),
    name              text,
    address           text,
    floors            integer CHECK (floors > 0),
    footprint         geometry(MultiPolygon, 4326) NOT NULL,
    area_m2           double precision NOT NULL,
    households        integer NOT NULL CHECK (households >= 0),
    households_source text NOT NULL CHECK (households_source IN ('estimated', 'imported')),
    residents         integer NOT NULL CHECK (residents >= 0),
    community_code    text REFERENCES community (code) ON DELETE SET NULL,
    block_id          bigint REFERENCES block (id) ON DELETE SET NULL,
    UNIQUE (source, source_id)
);
CREATE INDEX building_footprint ON building USING gist (footprint);
CREATE INDEX building_block ON building (block_id);

-- A version of a community's plan. Published versions of one community never overlap in time.
CREATE TABLE plan (
    id             bigserial PRIMARY KEY,
    community_code text NOT NULL REFERENCES community (code),
    version        integer NOT NULL CHECK (version > 0),
    status         text NOT NULL CHECK (status IN ('draft', 'published')),
    based_on       bigint REFERENCES plan (id),
    note           text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    published_at   timestamptz,
    valid_from     timestamptz,
    valid_to       timestamptz,
    UNIQUE (community_code, version),
    CHECK (status = 'draft' OR valid_from IS NOT NULL),
    CHECK (valid_to IS NULL OR valid_to > valid_from),
    EXCLUDE USING gist (community_code WITH =, tstzrange(valid_from, valid_to) WITH &&) WHERE (status = 'published')
);

CREATE TABLE grid (
    id             bigserial PRIMARY KEY,
    plan_id        bigint NOT NULL REFERENCES plan (id) ON DELETE CASCADE,
    key            text NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('natural', 'dedicated')),
    code           text CHECK (code ~ '^[0-9]{15}$'),
    name           text,
    households     integer NOT NULL DEFAULT 0,
    residents      integer NOT NULL DEFAULT 0,
    unit_block_ids bigint[],
    geom           geometry(MultiPolygon, 4326),
    UNIQUE (plan_id, key)
);
CREATE INDEX grid_geom ON grid USING gist (geom);

-- The assignment itself: one row per block per plan, so a block can never be in two grids of one plan.
CREATE TABLE grid_block (
    plan_id  bigint NOT NULL REFERENCES plan (id) ON DELETE CASCADE,
    block_id bigint NOT NULL REFERENCES block (id),
    grid_id  bigint NOT NULL REFERENCES grid (id) ON DELETE CASCADE,
    PRIMARY KEY (plan_id, block_id)
);
CREATE INDEX grid_block_grid ON grid_block (grid_id);

-- A thematic overlay; may overlap anything and cross communities.
CREATE TABLE special_grid (
    id            bigserial PRIMARY KEY,
    district_code text NOT NULL REFERENCES district (code),
    name          text NOT NULL,
    theme         text NOT NULL,
    block_ids     bigint[],
    geom          geometry(MultiPolygon, 4326) NOT NULL,
    valid_from    timestamptz NOT NULL DEFAULT now(),
    valid_to      timestamptz,
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE INDEX special_grid_geom ON special_grid USING gist (geom);

-- Places, facilities (部件) and organizations located to grids.
CREATE TABLE element (
    id             bigserial PRIMARY KEY,
    kind           text NOT NULL CHECK (kind IN ('place', 'facility', 'organization')),
    name           text NOT NULL,
    category       text,
    facility_id    text UNIQUE CHECK (facility_id ~ '^[0-9]{16}$'),
    address        text,
    source         text,
    source_id      bigint,
    geom           geometry(Point, 4326) NOT NULL,
    community_code text REFERENCES community (code) ON DELETE SET NULL,
    grid_id        bigint REFERENCES grid (id) ON DELETE SET NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'facility') = (facility_id IS NOT NULL)),
    UNIQUE (source, source_id)
);
CREATE INDEX element_geom ON element USING gist (geom);

-- Registered residents: personal data, never returned by public endpoints.
CREATE TABLE resident (
    id             bigserial PRIMARY KEY,
    name           text NOT NULL,
    id_card        text NOT NULL,
    phone          text,
    building_id    bigint REFERENCES building (id) ON DELETE SET NULL,
    geom           geometry(Point, 4326) NOT NULL,
    community_code text REFERENCES community (code) ON DELETE SET NULL,
    grid_id        bigint REFERENCES grid (id) ON DELETE SET NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX resident_geom ON resident USING gist (geom);
