-- The cells a block was divided into are found by their parent (dividing a compound of 2,000 buildings looked for
-- its cells among every block, several times).
CREATE INDEX block_parent ON block (parent_id) WHERE parent_id IS NOT NULL;
