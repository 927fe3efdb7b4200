-- Partner applications (Open311 clients, a city's other systems) that call the API with a key a district admin
-- issued. Only a keyed digest of the key is stored; a revoked key stops working at once.
CREATE TABLE api_client (
    id            bigserial PRIMARY KEY,
    district_code text NOT NULL REFERENCES district (code),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    key_digest    bytea NOT NULL UNIQUE,
    created_by    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz
);
