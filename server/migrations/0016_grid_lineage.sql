-- Grid identity across plan versions: a grid that holds most of a grid of the version it replaces keeps its code;
-- how each grid came about, and what it holds of each old grid, is kept per version.
ALTER TABLE grid ADD COLUMN origin text CHECK (origin IN ('unchanged', 'reshaped', 'split', 'merged', 'new'));

CREATE TABLE grid_lineage (
    grid_id    bigint NOT NULL REFERENCES grid (id) ON DELETE CASCADE,
    parent_id  bigint NOT NULL REFERENCES grid (id) ON DELETE CASCADE,
    households integer NOT NULL,
    blocks     integer NOT NULL,
    share      double precision NOT NULL CHECK (share >= 0 AND share <= 1),
    PRIMARY KEY (grid_id, parent_id)
);
CREATE INDEX grid_lineage_parent ON grid_lineage (parent_id);
