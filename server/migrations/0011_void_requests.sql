-- Voiding a case is asked by the street center and decided by the district center: a third kind of pending request.
ALTER TABLE cases DROP CONSTRAINT cases_pending_check;
ALTER TABLE cases ADD CONSTRAINT cases_pending_check CHECK (pending IN ('suspension', 'extension', 'void'));
