//! A community's grid plan: natural and dedicated grids as assignments of blocks, and its validation.
//!
//! Natural and dedicated grids together must cover the community's blocks with no gap and no overlap; every grid
//! must be one contiguous piece; a dedicated grid must keep its whole unit (the blocks of the school, hospital,
//! park… it was made for). Household counts outside the ~300 band are warnings, not errors.
//!
//! ```
//! use wangge_domain::plan::{BlockGraph, BlockNode, GridKind, ProposedGrid, validate_plan, Band};
//! let graph = BlockGraph::new(
//!     vec![BlockNode { id: 1, households: 150 }, BlockNode { id: 2, households: 160 }, BlockNode { id: 3, households: 290 }],
//!     vec![(1, 2), (2, 3)],
//! );
//! let grids = vec![
//!     ProposedGrid::natural("a", vec![1, 2]),
//!     ProposedGrid::natural("b", vec![3]),
//! ];
//! let report = validate_plan(&graph, &grids, Band::default());
//! assert!(report.is_publishable());
//! assert_eq!(report.grids[0].households, 310);
//!
//! let gap = validate_plan(&graph, &[ProposedGrid::natural("a", vec![1, 3])], Band::default());
//! assert!(!gap.is_publishable()); // block 2 is in no grid, and grid a is in two pieces
//! assert_eq!(gap.problems.len(), 2);
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

/// Database id of a block (or of a building cell split from a block).
pub type BlockId = i64;

/// A planner's override per block for Suggest: whether the block may be divided into building cells (or, for one
/// building larger than a grid, into its units).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SplitPolicy {
    /// Divided when it holds more than half a grid (and more than one building).
    #[default]
    Auto,
    /// Never divided: a compound to keep whole ("never split this compound").
    Never,
    /// Always divided by building, whatever it holds.
    Always,
    /// One building larger than a grid (a tower): shared between grids by its units (单元), each holding at most
    /// half a grid, when it holds more than that.
    Units,
}

impl SplitPolicy {
    /// Stable lower-case name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            SplitPolicy::Auto => "auto",
            SplitPolicy::Never => "never",
            SplitPolicy::Always => "always",
            SplitPolicy::Units => "units",
        }
    }

    /// Parse the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [SplitPolicy::Auto, SplitPolicy::Never, SplitPolicy::Always, SplitPolicy::Units]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// The kinds of grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GridKind {
    /// 自然网格: the base partition, ~300 households.
    Natural,
    /// 专属网格: one large unit managed as its own grid.
    Dedicated,
    /// 专项网格: a thematic overlay; never part of a plan's partition.
    Special,
}

impl GridKind {
    /// Stable lower-case name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            GridKind::Natural => "natural",
            GridKind::Dedicated => "dedicated",
            GridKind::Special => "special",
        }
    }

    /// Parse the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "natural" => Some(GridKind::Natural),
            "dedicated" => Some(GridKind::Dedicated),
            "special" => Some(GridKind::Special),
            _ => None,
        }
    }
}

/// Where a plan version is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// Being edited; changes freely; never in force.
    Draft,
    /// Published: in force from its `valid_from` until the next version's; never changes again.
    Published,
}

impl PlanStatus {
    /// Stable lower-case name, as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Draft => "draft",
            PlanStatus::Published => "published",
        }
    }
}

impl TryFrom<String> for PlanStatus {
    type Error = String;
    /// Parse the stored name.
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "draft" => Ok(PlanStatus::Draft),
            "published" => Ok(PlanStatus::Published),
            _ => Err(format!("unknown plan status {s:?}")),
        }
    }
}

impl std::fmt::Display for PlanStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A block as plan validation sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockNode {
    /// Block id.
    pub id: BlockId,
    /// Households living in the block.
    pub households: u32,
}

/// The blocks of one community and which of them share a boundary.
#[derive(Debug, Clone, Default)]
pub struct BlockGraph {
    blocks: Vec<BlockNode>,
    index: HashMap<BlockId, usize>,
    neighbours: Vec<Vec<usize>>,
}

impl BlockGraph {
    /// Build from blocks and adjacent pairs (by id; pairs naming unknown blocks are ignored).
    pub fn new(blocks: Vec<BlockNode>, adjacent: Vec<(BlockId, BlockId)>) -> Self {
        let index: HashMap<BlockId, usize> = blocks.iter().enumerate().map(|(i, b)| (b.id, i)).collect();
        let mut neighbours = vec![Vec::new(); blocks.len()];
        for (a, b) in adjacent {
            if let (Some(&i), Some(&j)) = (index.get(&a), index.get(&b)) {
                if i != j {
                    neighbours[i].push(j);
                    neighbours[j].push(i);
                }
            }
        }
        Self { blocks, index, neighbours }
    }

    /// All blocks.
    pub fn blocks(&self) -> &[BlockNode] {
        &self.blocks
    }

    /// Whether a block id is part of the graph.
    pub fn contains(&self, id: BlockId) -> bool {
        self.index.contains_key(&id)
    }

    /// Households of a block (0 if unknown).
    pub fn households(&self, id: BlockId) -> u32 {
        self.index.get(&id).map_or(0, |&i| self.blocks[i].households)
    }

    /// Split a set of blocks into its connected pieces (each piece sorted, pieces largest first).
    pub fn pieces(&self, ids: &[BlockId]) -> Vec<Vec<BlockId>> {
        let members: HashSet<usize> = ids.iter().filter_map(|id| self.index.get(id).copied()).collect();
        let mut seen = HashSet::with_capacity(members.len());
        let mut pieces = Vec::new();
        let mut ordered: Vec<usize> = members.iter().copied().collect();
        ordered.sort_unstable();
        for start in ordered {
            if !seen.insert(start) {
                continue;
            }
            let mut piece = vec![start];
            let mut stack = vec![start];
            while let Some(i) = stack.pop() {
                for &j in &self.neighbours[i] {
                    if members.contains(&j) && seen.insert(j) {
                        piece.push(j);
                        stack.push(j);
                    }
                }
            }
            let mut ids: Vec<BlockId> = piece.into_iter().map(|i| self.blocks[i].id).collect();
            ids.sort_unstable();
            pieces.push(ids);
        }
        pieces.sort_by_key(|p| std::cmp::Reverse(p.len()));
        pieces
    }
}

/// One grid of a proposed plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProposedGrid {
    /// The client's label for the grid (its code, or a temporary key for a new grid).
    pub key: String,
    /// Natural or dedicated.
    pub kind: GridKind,
    /// The blocks assigned to it.
    pub blocks: Vec<BlockId>,
    /// For a dedicated grid: the blocks of the unit it manages, which must all stay in it (defaults to `blocks`).
    #[serde(default)]
    pub unit: Option<Vec<BlockId>>,
}

impl ProposedGrid {
    /// A natural grid.
    pub fn natural(key: &str, blocks: Vec<BlockId>) -> Self {
        Self { key: key.to_owned(), kind: GridKind::Natural, blocks, unit: None }
    }

    /// A dedicated grid whose unit is exactly its blocks.
    pub fn dedicated(key: &str, blocks: Vec<BlockId>) -> Self {
        Self { key: key.to_owned(), kind: GridKind::Dedicated, blocks, unit: None }
    }
}

/// The household band a grid should fall in: `target × (1 ± tolerance)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Band {
    /// Target households per natural grid (300).
    pub target: u32,
    /// Relative tolerance (0.10 for ±10 %).
    pub tolerance: f64,
}

impl Default for Band {
    fn default() -> Self {
        Self { target: 300, tolerance: 0.10 }
    }
}

impl Band {
    /// Relative deviation of `households` from the target (−0.2 = 20 % under).
    pub fn deviation(&self, households: u32) -> f64 {
        (f64::from(households) - f64::from(self.target)) / f64::from(self.target.max(1))
    }

    /// Whether `households` lies inside the band.
    pub fn contains(&self, households: u32) -> bool {
        self.deviation(households).abs() <= self.tolerance + 1e-12
    }
}

/// Something that stops a plan from being published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    /// Blocks of the community that are in no natural or dedicated grid (a gap).
    Unassigned {
        /// The blocks left out.
        blocks: Vec<BlockId>,
    },
    /// A block assigned to more than one grid (an overlap).
    AssignedTwice {
        /// The block.
        block: BlockId,
        /// The grids that claim it.
        grids: Vec<String>,
    },
    /// A grid names blocks that are not blocks of this community.
    UnknownBlocks {
        /// The grid.
        grid: String,
        /// The unknown ids.
        blocks: Vec<BlockId>,
    },
    /// A grid with no block.
    EmptyGrid {
        /// The grid.
        grid: String,
    },
    /// A grid made of more than one piece.
    Discontiguous {
        /// The grid.
        grid: String,
        /// Its pieces, largest first.
        pieces: Vec<Vec<BlockId>>,
    },
    /// A dedicated grid that lost part of its unit to other grids.
    DedicatedNotIntact {
        /// The dedicated grid.
        grid: String,
        /// Unit blocks that are not in it.
        missing: Vec<BlockId>,
    },
    /// Two grids share a key.
    DuplicateKey {
        /// The key.
        grid: String,
    },
}

/// Per-grid figures of a validated plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridStats {
    /// The grid's key.
    pub key: String,
    /// Natural or dedicated.
    pub kind: GridKind,
    /// Number of blocks.
    pub blocks: usize,
    /// Households in the grid.
    pub households: u32,
    /// Relative deviation from the target.
    pub deviation: f64,
    /// Whether it is inside the band (natural grids only; dedicated grids are exempt and report `true`).
    pub within_band: bool,
}

/// The outcome of validating a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanReport {
    /// Errors; the plan may be saved as a draft but not published while any remain.
    pub problems: Vec<Problem>,
    /// Figures per grid, in the order given.
    pub grids: Vec<GridStats>,
    /// Natural grids outside the household band (warnings).
    pub outside_band: Vec<String>,
}

impl PlanReport {
    /// No errors.
    pub fn is_publishable(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Validate a proposed partition of a community's blocks.
pub fn validate_plan(graph: &BlockGraph, grids: &[ProposedGrid], band: Band) -> PlanReport {
    let mut problems = Vec::new();
    let mut owners: BTreeMap<BlockId, Vec<&str>> = BTreeMap::new();
    let mut keys = HashSet::new();
    for g in grids {
        if !keys.insert(g.key.as_str()) {
            problems.push(Problem::DuplicateKey { grid: g.key.clone() });
        }
        let unknown: Vec<BlockId> = g.blocks.iter().copied().filter(|b| !graph.contains(*b)).collect();
        if !unknown.is_empty() {
            problems.push(Problem::UnknownBlocks { grid: g.key.clone(), blocks: unknown });
        }
        let mut distinct: Vec<BlockId> = g.blocks.clone();
        distinct.sort_unstable();
        distinct.dedup();
        for b in distinct {
            if graph.contains(b) {
                owners.entry(b).or_default().push(&g.key);
            }
        }
    }
    let unassigned: Vec<BlockId> = graph.blocks().iter().map(|b| b.id).filter(|id| !owners.contains_key(id)).collect();
    if !unassigned.is_empty() {
        problems.push(Problem::Unassigned { blocks: unassigned });
    }
    for (block, claimants) in &owners {
        if claimants.len() > 1 {
            problems.push(Problem::AssignedTwice {
                block: *block,
                grids: claimants.iter().map(|s| s.to_string()).collect(),
            });
        }
    }
    let mut stats = Vec::with_capacity(grids.len());
    let mut outside_band = Vec::new();
    for g in grids {
        let known: Vec<BlockId> = g.blocks.iter().copied().filter(|b| graph.contains(*b)).collect();
        if known.is_empty() {
            problems.push(Problem::EmptyGrid { grid: g.key.clone() });
        } else {
            let pieces = graph.pieces(&known);
            if pieces.len() > 1 {
                problems.push(Problem::Discontiguous { grid: g.key.clone(), pieces });
            }
        }
        if g.kind == GridKind::Dedicated {
            let own: HashSet<BlockId> = g.blocks.iter().copied().collect();
            let missing: Vec<BlockId> =
                g.unit.as_deref().unwrap_or(&[]).iter().copied().filter(|b| !own.contains(b)).collect();
            if !missing.is_empty() {
                problems.push(Problem::DedicatedNotIntact { grid: g.key.clone(), missing });
            }
        }
        let households: u32 = known.iter().map(|b| graph.households(*b)).sum();
        let within_band = g.kind != GridKind::Natural || band.contains(households);
        if !within_band {
            outside_band.push(g.key.clone());
        }
        stats.push(GridStats {
            key: g.key.clone(),
            kind: g.kind,
            blocks: known.len(),
            households,
            deviation: band.deviation(households),
            within_band,
        });
    }
    PlanReport { problems, grids: stats, outside_band }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: i64) -> BlockGraph {
        BlockGraph::new(
            (1..=n).map(|id| BlockNode { id, households: 100 }).collect(),
            (1..n).map(|i| (i, i + 1)).collect(),
        )
    }

    #[test]
    fn overlap_is_reported_with_both_grids() {
        let r = validate_plan(
            &line(3),
            &[ProposedGrid::natural("a", vec![1, 2]), ProposedGrid::natural("b", vec![2, 3])],
            Band::default(),
        );
        assert_eq!(r.problems, vec![Problem::AssignedTwice { block: 2, grids: vec!["a".into(), "b".into()] }]);
    }

    #[test]
    fn dedicated_unit_must_stay_whole() {
        let mut school = ProposedGrid::dedicated("school", vec![1]);
        school.unit = Some(vec![1, 2]);
        let r = validate_plan(&line(3), &[school, ProposedGrid::natural("n", vec![2, 3])], Band::default());
        assert_eq!(r.problems, vec![Problem::DedicatedNotIntact { grid: "school".into(), missing: vec![2] }]);
        assert!(r.grids[0].within_band, "dedicated grids are exempt from the band");
    }

    #[test]
    fn unknown_and_empty() {
        let r = validate_plan(
            &line(2),
            &[ProposedGrid::natural("a", vec![1, 2, 99]), ProposedGrid::natural("e", vec![])],
            Band::default(),
        );
        assert!(r.problems.contains(&Problem::UnknownBlocks { grid: "a".into(), blocks: vec![99] }));
        assert!(r.problems.contains(&Problem::EmptyGrid { grid: "e".into() }));
    }

    #[test]
    fn band_warnings() {
        let r = validate_plan(&line(4), &[ProposedGrid::natural("a", vec![1, 2, 3, 4])], Band::default());
        assert!(r.is_publishable());
        assert_eq!(r.outside_band, vec!["a".to_string()]);
        assert!((r.grids[0].deviation - 1.0 / 3.0).abs() < 1e-9);
    }
}
