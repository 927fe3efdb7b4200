-- A planner's fourth override for Suggest: share a building larger than a grid between grids by its units (单元).
ALTER TABLE block DROP CONSTRAINT block_split_policy_check;
ALTER TABLE block ADD CONSTRAINT block_split_policy_check CHECK (split_policy IN ('auto', 'never', 'always', 'units'));
