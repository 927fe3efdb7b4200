-- A planner's override per block for Suggest: divide it into building cells when it is big (auto), never (a
-- compound to keep whole), or always.
ALTER TABLE block ADD COLUMN split_policy text NOT NULL DEFAULT 'auto' CHECK (split_policy IN ('auto', 'never', 'always'));
