-- Public reporting and Open311: the short list of problems residents choose from (Open311's services), each mapped
-- to an official minor category; categories a district keeps off public pages; the partner application a report
-- came through; the public reporter's rating of the result; blurred public copies of photos.

CREATE TABLE public_service (
    code          text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
    category_code text NOT NULL REFERENCES category (code),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    name_en       text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 80),
    -- Shown under the name, and Open311's `description`.
    description   text NOT NULL DEFAULT '',
    -- Other words residents use for it (searched with the name).
    keywords      text NOT NULL DEFAULT '',
    sort          integer NOT NULL,
    enabled       boolean NOT NULL DEFAULT true
);

-- Sensitive categories (disputes, public-security hidden dangers) never appear on public pages or in Open311.
ALTER TABLE category ADD COLUMN sensitive boolean NOT NULL DEFAULT false;

ALTER TABLE cases
    ADD COLUMN client_id      bigint REFERENCES api_client (id),
    ADD COLUMN service_code   text REFERENCES public_service (code),
    ADD COLUMN rating         text CHECK (rating IN ('satisfied', 'basically_satisfied', 'unsatisfied')),
    ADD COLUMN rating_comment text,
    ADD COLUMN rated_at       timestamptz,
    ADD CONSTRAINT cases_rated_when_closed CHECK (rating IS NULL OR state = 'closed');
-- Public reports, newest first, for Open311 and the public map.
CREATE INDEX cases_public ON cases (reported_at DESC) WHERE channel = 'public';

-- Staff blur faces and number plates before a photo is shown publicly; the public sees this copy when it exists.
ALTER TABLE case_photo ADD COLUMN public_image bytea, ADD COLUMN public_thumb bytea;

ALTER TABLE notification DROP CONSTRAINT notification_kind_check;
ALTER TABLE notification ADD CONSTRAINT notification_kind_check
    CHECK (kind IN ('yellow', 'red', 'dispatched', 'returned', 'handled', 'request', 'stage_overdue', 'unsatisfied'));

-- FixMyStreet's `servicerequestupdates` asks for the steps taken in a window.
CREATE INDEX case_trail_at ON case_trail (at);
