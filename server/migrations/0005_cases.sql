-- Cases: the catalogue (categories, departments, dispatch rules, the official calendar), the cases themselves with
-- their trail and photos, and in-app notifications. `cases` is plural because CASE is an SQL keyword.

CREATE TABLE holiday (
    day  date PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name text NOT NULL
);

CREATE TABLE department (
    id            bigserial PRIMARY KEY,
    district_code text NOT NULL REFERENCES district (code),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    UNIQUE (district_code, name)
);

CREATE TABLE category (
    code               text PRIMARY KEY CHECK (code ~ '^[A-Z][0-9]{2,8}$'),
    catalogue          text NOT NULL CHECK (catalogue IN ('component', 'event', 'grid', 'local')),
    major_code         text NOT NULL,
    major_name         text NOT NULL,
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    sort               integer NOT NULL,
    enabled            boolean NOT NULL DEFAULT true,
    limit_amount       integer NOT NULL CHECK (limit_amount BETWEEN 1 AND 10000),
    limit_unit         text NOT NULL CHECK (limit_unit IN ('hours', 'working_hours', 'working_days', 'calendar_days')),
    -- The limit is the shipped default, not a district's decision (shown labelled as such).
    limit_is_default   boolean NOT NULL DEFAULT true,
    urgent             boolean NOT NULL DEFAULT false,
    default_department text,
    self_resolvable    boolean NOT NULL DEFAULT false,
    filing_condition   text NOT NULL DEFAULT '',
    closing_condition  text NOT NULL DEFAULT ''
);
CREATE INDEX category_major ON category (major_code, sort);

-- Category × area → department; the most specific rule wins (special grid, then community, then street, then the
-- whole district; a rule for the category beats a rule for any category).
CREATE TABLE dispatch_rule (
    id              bigserial PRIMARY KEY,
    district_code   text NOT NULL REFERENCES district (code),
    category_code   text REFERENCES category (code),
    area_code       text CHECK (area_code ~ '^[0-9]{9}([0-9]{3})?$'),
    special_grid_id bigint REFERENCES special_grid (id),
    department_id   bigint NOT NULL REFERENCES department (id),
    CHECK (area_code IS NULL OR special_grid_id IS NULL)
);

CREATE TABLE case_serial (
    district_code text NOT NULL,
    day           date NOT NULL,
    last          integer NOT NULL,
    PRIMARY KEY (district_code, day)
);

CREATE TABLE cases (
    id                  bigserial PRIMARY KEY,
    number              text NOT NULL UNIQUE,
    district_code       text NOT NULL REFERENCES district (code),
    -- Where it was when reported; a later redraw does not move it.
    street_code         text,
    community_code      text,
    grid_code           text,
    dedicated_grid_code text,
    special_grid_ids    bigint[] NOT NULL DEFAULT '{}',
    category_code       text NOT NULL REFERENCES category (code),
    channel             text NOT NULL CHECK (channel IN ('patrol', 'public', 'hotline', 'camera', 'leader', 'department', 'imported')),
    state               text NOT NULL,
    escalated           boolean NOT NULL DEFAULT false,
    pending             text CHECK (pending IN ('suspension', 'extension')),
    pending_limit       jsonb,
    rework              integer NOT NULL DEFAULT 0,
    supervised          boolean NOT NULL DEFAULT false,
    self_resolvable     boolean NOT NULL DEFAULT false,
    urgent              boolean NOT NULL DEFAULT false,
    description         text NOT NULL,
    address             text,
    geom                geometry(Point, 4326) NOT NULL,
    reporter            text NOT NULL,
    reporter_contact    bytea,
    department_id       bigint REFERENCES department (id),
    co_department_ids   bigint[] NOT NULL DEFAULT '{}',
    handled_by          text,
    merged_into         bigint REFERENCES cases (id),
    clock               jsonb NOT NULL,
    due_at              timestamptz,
    warn_at             timestamptz,
    warned              boolean NOT NULL DEFAULT false,
    overdue_noted       boolean NOT NULL DEFAULT false,
    reported_at         timestamptz NOT NULL,
    closed_at           timestamptz,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    request_actor       text,
    request_id          text,
    generated           boolean NOT NULL DEFAULT false,
    UNIQUE (request_actor, request_id)
);
CREATE INDEX cases_desk ON cases (street_code, reported_at DESC);
CREATE INDEX cases_state ON cases (district_code, state, reported_at DESC);
CREATE INDEX cases_department ON cases (department_id, state) WHERE department_id IS NOT NULL;
CREATE INDEX cases_reported ON cases (reported_at);
CREATE INDEX cases_geom ON cases USING gist (geom);
CREATE INDEX cases_open_due ON cases (due_at) WHERE due_at IS NOT NULL;

CREATE TABLE case_photo (
    id          bigserial PRIMARY KEY,
    case_id     bigint NOT NULL REFERENCES cases (id),
    stage       text NOT NULL CHECK (stage IN ('report', 'after')),
    sha256      bytea NOT NULL,
    mime        text NOT NULL,
    -- Re-encoded without metadata (no EXIF location); what anyone is shown.
    image       bytea NOT NULL,
    thumb       bytea NOT NULL,
    width       integer NOT NULL,
    height      integer NOT NULL,
    uploaded_by text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (case_id, sha256)
);

CREATE TABLE case_trail (
    id           bigserial PRIMARY KEY,
    case_id      bigint NOT NULL REFERENCES cases (id),
    at           timestamptz NOT NULL DEFAULT now(),
    actor        text NOT NULL,
    role         text,
    department   text,
    action       text NOT NULL,
    from_state   text,
    to_state     text NOT NULL,
    opinion      text,
    photo_ids    bigint[] NOT NULL DEFAULT '{}',
    used_seconds bigint,
    overdue      boolean NOT NULL DEFAULT false
);
CREATE INDEX case_trail_case ON case_trail (case_id, id);

-- In-app notifications, addressed to a department or to the street center of an area code.
CREATE TABLE notification (
    id            bigserial PRIMARY KEY,
    case_id       bigint NOT NULL REFERENCES cases (id),
    department_id bigint REFERENCES department (id),
    area_code     text,
    kind          text NOT NULL CHECK (kind IN ('yellow', 'red', 'dispatched', 'returned', 'handled', 'request')),
    at            timestamptz NOT NULL DEFAULT now(),
    read_at       timestamptz
);
CREATE INDEX notification_department ON notification (department_id, at DESC);
CREATE INDEX notification_area ON notification (area_code, at DESC);
