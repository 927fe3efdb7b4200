-- A community's official population when a census gives it (imported areas without buildings, such as census
-- tracts): density rates per 1,000 residents use it before the residents registered in its buildings.
ALTER TABLE community ADD COLUMN population integer CHECK (population >= 0);
