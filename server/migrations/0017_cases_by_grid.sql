-- A grid's history reads the cases reported in it and in the grids it came from, each while its version was in force.
CREATE INDEX cases_grid_time ON cases (grid_code, reported_at);
