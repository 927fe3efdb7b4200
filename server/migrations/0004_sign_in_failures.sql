-- Refused sign-ins, summarised per account name and client address (one row each, counted), instead of one audit
-- entry per attempt: a flood of wrong passwords no longer floods the append-only log.
CREATE TABLE sign_in_failure (
    username   text NOT NULL,
    address    text NOT NULL,
    failures   bigint NOT NULL CHECK (failures > 0),
    first_at   timestamptz NOT NULL DEFAULT now(),
    last_at    timestamptz NOT NULL DEFAULT now(),
    -- When the name was last locked from this address.
    locked_at  timestamptz,
    PRIMARY KEY (username, address)
);
CREATE INDEX sign_in_failure_last ON sign_in_failure (last_at DESC);
