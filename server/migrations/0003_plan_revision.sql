-- Each save of a draft bumps its revision; a save naming an older revision is refused (someone else saved since).
ALTER TABLE plan ADD COLUMN revision integer NOT NULL DEFAULT 1 CHECK (revision > 0);
