-- The desk's text search (number, description, address) through a trigram index instead of a scan of every case.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX cases_text ON cases USING gin ((number || ' ' || description || ' ' || coalesce(address, '')) gin_trgm_ops);
