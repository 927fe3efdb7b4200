//! Automatic division of a community's blocks into contiguous, compact grids of about the target household count.
//!
//! 1. **First plan**, `k = round(households / target)` grids, from a recursive bisection ([`bisect`]) into
//!    connected cells, each cut balanced to its share of the grids before the next, so no excess piles up in one
//!    corner. Even starts take the cells as they are; odd starts seed a grid at the centre of each cell
//!    ([`seeds`]) and grow all grids at once, the lightest taking its free neighbour nearest to its centre
//!    ([`grow`]), which gives neater outlines. Every grid is contiguous by construction.
//! 3. **Search** ([`search`]): greedy single-block moves, then simulated annealing over moves and swaps of
//!    neighbouring blocks across borders, then greedy moves again. The [`objective`] puts every grid inside the
//!    household band first, inside half the band next, then makes grids compact (Polsby–Popper) and the total
//!    boundary between grids short. No move ever breaks a grid in two.
//! 4. **Multi-start**: several starts run on all cores; the best plan wins. Deterministic for a seed.
//!
//! Fixed blocks (locked or dedicated grids) keep their grid and never move. [`rebalance_neighbours`] re-divides
//! only the grids around one grid.
//!
//! ```
//! use wangge_domain::partition::{partition, BlockGraphInput, Node, Edge, Options};
//! // a 10 × 10 lattice of blocks with 30 households each → 10 grids of 300
//! let mut nodes = Vec::new();
//! let mut edges = Vec::new();
//! for i in 0..100 {
//!     let (x, y) = ((i % 10) as f64, (i / 10) as f64);
//!     nodes.push(Node { id: i, households: 30, area: 1.0, perimeter: 4.0, x, y, compound: None });
//!     if i % 10 < 9 { edges.push(Edge { a: i, b: i + 1, length: 1.0 }); }
//!     if i < 90 { edges.push(Edge { a: i, b: i + 10, length: 1.0 }); }
//! }
//! let graph = BlockGraphInput { nodes, edges, fixed: Default::default() };
//! let plan = partition(&graph, &Options::default()).unwrap();
//! assert_eq!(plan.regions.len(), 10);
//! assert!(plan.regions.iter().all(|r| r.households == 300));
//! ```

mod bisect;
mod graph;
mod grow;
mod objective;
mod rebalance;
mod recombine;
mod redivide;
mod search;
mod seeds;
mod state;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use bisect::{bisection_plan, Work};
use graph::Graph;
pub use graph::COMPOUND_CUT;
use grow::{grow, NONE};
use objective::{polsby_popper, Objective, FINAL_HALF_STEP, SEARCH_HALF_STEP};
pub use rebalance::{households_moved, rebalance_community, rebalance_neighbours, Rebalanced};
use recombine::recombine;
use redivide::redivide;
use search::{anneal, local_search, Schedule};
use state::State;

/// A block of the graph.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Block id.
    pub id: i64,
    /// Households.
    pub households: u32,
    /// Area (m², or any unit used consistently).
    pub area: f64,
    /// Perimeter (same length unit as edges).
    pub perimeter: f64,
    /// x of a representative point (projected metres preferred).
    pub x: f64,
    /// y of a representative point.
    pub y: f64,
    /// The compound (the block it was divided from) of a building cell: a boundary between two cells of one
    /// compound costs [`COMPOUND_CUT`] times a street's, so compounds are cut only where balance needs it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compound: Option<i64>,
}

/// Two blocks sharing a boundary of `length`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    /// One block id.
    pub a: i64,
    /// The other.
    pub b: i64,
    /// Shared boundary length.
    pub length: f64,
}

/// The documented JSON graph format (`wangge partition`): nodes, edges, and blocks held fixed in a named region.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BlockGraphInput {
    /// Blocks.
    pub nodes: Vec<Node>,
    /// Adjacencies.
    pub edges: Vec<Edge>,
    /// Block id → label of a locked or dedicated grid it must stay in.
    #[serde(default)]
    pub fixed: BTreeMap<i64, String>,
}

/// Tuning.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Options {
    /// Target households per grid (300).
    pub target: u32,
    /// Tolerance (0.10 = ±10 %).
    pub tolerance: f64,
    /// Number of free grids; default `round(free households / target)`.
    pub k: Option<usize>,
    /// Seed of the first start.
    pub seed: u64,
    /// Starts (spread over the machine's cores).
    pub starts: usize,
    /// Annealing attempts per start, per block; the result is deterministic for a seed as long as the time budget
    /// is not what stops the search.
    pub steps_per_block: usize,
    /// Time budget; the best plan so far is returned when it runs out.
    pub budget: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            target: 300,
            tolerance: 0.10,
            k: None,
            seed: 1,
            starts: 2,
            steps_per_block: 2400,
            budget: Duration::from_millis(2600),
        }
    }
}

/// One grid of the result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Region {
    /// Label: `fixed:<label>` for fixed regions, `g<n>` for new ones.
    pub label: String,
    /// Block ids, sorted.
    pub blocks: Vec<i64>,
    /// Households.
    pub households: u32,
    /// Polsby–Popper compactness 4πA/P².
    pub polsby_popper: f64,
}

/// A block that alone exceeds the band: it should be split into building cells.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Oversized {
    /// Block id.
    pub block: i64,
    /// Its households.
    pub households: u32,
}

/// The result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartitionResult {
    /// Grids (fixed ones first).
    pub regions: Vec<Region>,
    /// What the planner should know about the plan (in the JSON beside the grids).
    #[serde(flatten)]
    pub findings: Findings,
    /// Total length of boundaries between grids.
    pub cut_length: f64,
    /// The seed of the start that won.
    pub seed: u64,
}

/// What the planner should know about a plan the partitioner drew: blocks it could not balance, compounds it cut,
/// pieces of the graph, empty grids. A proposal carries the same.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Findings {
    /// Blocks too large for one grid.
    #[serde(default)]
    pub oversized: Vec<Oversized>,
    /// Blocks too lumpy to balance: for every new grid left outside the band, its largest block when that block
    /// holds more households than the band is wide (splitting it into building cells gives the grids room).
    #[serde(default)]
    pub lumpy: Vec<Oversized>,
    /// How the plan divides the compounds given as building cells.
    #[serde(default)]
    pub compounds: CompoundCuts,
    /// The pieces of a graph that falls apart (islands, parcels cut off by unmodelled streets), each with the fix
    /// to make; empty when the graph is in one piece.
    #[serde(default)]
    pub pieces: Vec<Piece>,
    /// Grids holding no household (a piece of empty blocks): named, never returned silently.
    #[serde(default)]
    pub empty_grids: Vec<String>,
}

/// One connected piece of a graph that falls apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Piece {
    /// Its lowest block id (to name it).
    pub first_block: i64,
    /// Blocks.
    pub blocks: usize,
    /// Households.
    pub households: u32,
    /// What to do with it.
    pub advice: PieceAdvice,
}

/// What a piece of the graph needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "fix")]
pub enum PieceAdvice {
    /// It holds enough households for grids of its own (as the plan draws them).
    OwnGrids,
    /// Too few households for a grid: join it to the nearest grid across the gap (in the graph's length unit).
    JoinNearest {
        /// That grid.
        grid: String,
        /// The distance between the nearest representative points.
        gap: f64,
    },
    /// No households: leave it out of every grid.
    LeaveUnassigned,
}

/// How a plan divides the compounds given as building cells: only where balance needs it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CompoundCuts {
    /// Compounds given as building cells.
    pub given: usize,
    /// Those the plan divides between grids, by compound id.
    pub cut: Vec<CompoundCut>,
    /// Total length of grid boundaries inside compounds.
    pub cut_length: f64,
}

/// One compound divided between grids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompoundCut {
    /// The compound (the block its cells were divided from).
    pub compound: i64,
    /// Grids it is divided between.
    pub grids: usize,
    /// Length of grid boundaries inside it.
    pub cut_length: f64,
}

/// Why partitioning is impossible.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PartitionError {
    /// Edge names an unknown block.
    #[error("edge names unknown block {0}")]
    UnknownBlock(i64),
    /// No free blocks.
    #[error("no free blocks to divide")]
    Empty,
    /// Duplicate block id.
    #[error("block {0} appears twice")]
    Duplicate(i64),
}

/// Divide the free blocks of `input` into contiguous grids.
pub fn partition(input: &BlockGraphInput, opts: &Options) -> Result<PartitionResult, PartitionError> {
    let (g, index) = Graph::new(input)?;
    let n = g.len();
    let free: Vec<usize> = (0..n).filter(|i| !input.fixed.contains_key(&input.nodes[*i].id)).collect();
    if free.is_empty() {
        return Err(PartitionError::Empty);
    }
    let target = f64::from(opts.target);
    let free_hh: f64 = free.iter().map(|&i| g.hh[i]).sum();
    let k = opts.k.unwrap_or_else(|| (free_hh / target).round().max(1.0) as usize).clamp(1, free.len());
    let mut fixed_labels: Vec<String> = input.fixed.values().cloned().collect();
    fixed_labels.sort();
    fixed_labels.dedup();
    let mut fixed_owner = vec![NONE; n];
    for (id, label) in &input.fixed {
        fixed_owner[index[id]] = fixed_labels.iter().position(|l| l == label).expect("label listed");
    }
    // the balanced cells every start begins from (deterministic: drawn once)
    let cells = Work::new(g.len()).cells(&g, &free, k);
    let start = Start {
        g: &g,
        cells: &cells,
        fixed_owner: &fixed_owner,
        fixed_regions: fixed_labels.len(),
        free: &free,
        k,
        fixed_count: opts.k.is_some(),
        objective: Objective {
            target,
            tolerance: opts.tolerance,
            // one block side of cut per grid weighs about as much as a small change of shape
            cut_weight: 1.5 * k as f64 / g.perim.iter().sum::<f64>().max(1e-9),
            half_step: SEARCH_HALF_STEP,
        },
        steps: opts.steps_per_block.saturating_mul(free.len()),
        deadline: Instant::now() + opts.budget,
    };

    let threads = std::thread::available_parallelism().map_or(1, |t| t.get()).min(opts.starts.max(1));
    let seeds: Vec<u64> =
        (0..opts.starts.max(1) as u64).map(|s| opts.seed.wrapping_add(s.wrapping_mul(7919))).collect();
    let results: Vec<(f64, u64, Vec<usize>)> = if threads == 1 {
        // no thread of our own (and none to be had in a browser)
        start.run_all(&seeds).into_iter().collect()
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let mine: Vec<u64> = seeds.iter().copied().skip(t).step_by(threads).collect();
                    let start = &start;
                    scope.spawn(move || start.run_all(&mine))
                })
                .collect();
            handles.into_iter().filter_map(|h| h.join().expect("partition thread")).collect()
        })
    };
    let (_, seed, owner) =
        results.into_iter().min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1))).expect("at least one start");
    Ok(summarise(input, &g, &owner, &fixed_labels, &free, opts, seed))
}

/// The result of the winning assignment `owner`.
fn summarise(
    input: &BlockGraphInput,
    g: &Graph,
    owner: &[usize],
    fixed_labels: &[String],
    free: &[usize],
    opts: &Options,
    seed: u64,
) -> PartitionResult {
    let regions_n = owner.iter().copied().max().map_or(0, |m| m + 1).max(fixed_labels.len());
    let mut blocks: Vec<Vec<i64>> = vec![Vec::new(); regions_n];
    let (mut area, mut perim, mut hh) = (vec![0.0; regions_n], vec![0.0; regions_n], vec![0.0; regions_n]);
    let mut cut = 0.0;
    // compound → (grids holding its cells, length of grid boundaries inside it)
    let mut compounds: BTreeMap<i64, (Vec<usize>, f64)> = BTreeMap::new();
    for v in 0..g.len() {
        let r = owner[v];
        blocks[r].push(input.nodes[v].id);
        area[r] += g.area[v];
        perim[r] += g.perim[v];
        hh[r] += g.hh[v];
        if let Some(c) = input.nodes[v].compound {
            let entry = compounds.entry(c).or_default();
            if !entry.0.contains(&r) {
                entry.0.push(r);
            }
        }
        for &(u, len) in &g.nb[v] {
            if owner[u] == r {
                perim[r] -= len; // each shared edge counted from both sides: subtract once per side
            } else if u > v {
                cut += len;
                if g.inside_compound(v, u) {
                    if let Some(c) = input.nodes[v].compound {
                        compounds.entry(c).or_default().1 += len;
                    }
                }
            }
        }
    }
    let compounds = CompoundCuts {
        given: compounds.len(),
        cut_length: compounds.values().map(|c| c.1).sum(),
        cut: compounds
            .into_iter()
            .filter(|(_, (grids, _))| grids.len() > 1)
            .map(|(compound, (grids, cut_length))| CompoundCut { compound, grids: grids.len(), cut_length })
            .collect(),
    };
    // new grids numbered in order, skipping grids a redivision left without blocks
    let mut numbered = 0;
    let label_of: Vec<String> = (0..regions_n)
        .map(|r| {
            if r < fixed_labels.len() {
                format!("fixed:{}", fixed_labels[r])
            } else {
                numbered += usize::from(!blocks[r].is_empty());
                format!("g{numbered}")
            }
        })
        .collect();
    let regions: Vec<Region> = blocks
        .into_iter()
        .enumerate()
        .filter(|(_, b)| !b.is_empty())
        .map(|(r, mut b)| {
            b.sort_unstable();
            Region {
                label: label_of[r].clone(),
                blocks: b,
                households: hh[r] as u32,
                polsby_popper: polsby_popper(area[r], perim[r]),
            }
        })
        .collect();
    let high = f64::from(opts.target) * (1.0 + opts.tolerance);
    let oversized = free
        .iter()
        .filter(|&&i| g.hh[i] > high)
        .map(|&i| Oversized { block: input.nodes[i].id, households: input.nodes[i].households })
        .collect();
    let width = f64::from(opts.target) * opts.tolerance * 2.0;
    let mut lumpy: Vec<Oversized> = (fixed_labels.len()..regions_n)
        .filter(|&r| (hh[r] - f64::from(opts.target)).abs() > f64::from(opts.target) * opts.tolerance)
        .filter_map(|r| {
            free.iter().copied().filter(|&v| owner[v] == r).max_by(|&a, &b| g.hh[a].total_cmp(&g.hh[b]).then(b.cmp(&a)))
        })
        .filter(|&v| g.hh[v] > width && g.hh[v] <= high)
        .map(|v| Oversized { block: input.nodes[v].id, households: input.nodes[v].households })
        .collect();
    lumpy.sort_by_key(|o| o.block);
    let empty_grids = regions.iter().filter(|r| r.households == 0).map(|r| r.label.clone()).collect();
    let pieces = pieces(input, g, owner, &label_of, opts);
    PartitionResult {
        regions,
        findings: Findings { oversized, lumpy, compounds, pieces, empty_grids },
        cut_length: cut,
        seed,
    }
}

/// The connected pieces of the graph, when there is more than one, each with its fix: its own grids, the nearest
/// grid across the gap (too few households for a grid), or none (no households).
fn pieces(input: &BlockGraphInput, g: &Graph, owner: &[usize], label_of: &[String], opts: &Options) -> Vec<Piece> {
    let n = g.len();
    let mut piece = vec![usize::MAX; n];
    let mut count = 0;
    for start in 0..n {
        if piece[start] != usize::MAX {
            continue;
        }
        piece[start] = count;
        let mut stack = vec![start];
        while let Some(v) = stack.pop() {
            for &(u, _) in &g.nb[v] {
                if piece[u] == usize::MAX {
                    piece[u] = count;
                    stack.push(u);
                }
            }
        }
        count += 1;
    }
    if count < 2 {
        return Vec::new();
    }
    let low = f64::from(opts.target) * (1.0 - opts.tolerance);
    (0..count)
        .map(|p| {
            let members: Vec<usize> = (0..n).filter(|&v| piece[v] == p).collect();
            let households: f64 = members.iter().map(|&v| g.hh[v]).sum();
            let advice = if households == 0.0 {
                PieceAdvice::LeaveUnassigned
            } else if households >= low {
                PieceAdvice::OwnGrids
            } else {
                // the nearest block of another piece that holds households, and its grid
                let piece = &piece;
                members
                    .iter()
                    .flat_map(|&v| {
                        (0..n).filter(move |&u| piece[u] != p).map(move |u| (graph::d2(g.xy[v], g.xy[u]), u))
                    })
                    .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
                    .map_or(PieceAdvice::OwnGrids, |(d, u)| PieceAdvice::JoinNearest {
                        grid: label_of[owner[u]].clone(),
                        gap: d.sqrt(),
                    })
            };
            let first_block = members.iter().map(|&v| input.nodes[v].id).min().unwrap_or_default();
            Piece { first_block, blocks: members.len(), households: households as u32, advice }
        })
        .collect()
}

/// What every start shares.
struct Start<'a> {
    g: &'a Graph,
    /// Fixed grid of each fixed block, [`NONE`] for free blocks.
    fixed_owner: &'a [usize],
    fixed_regions: usize,
    free: &'a [usize],
    /// The balanced bisection of the free blocks into `k` connected cells.
    cells: &'a [Vec<usize>],
    k: usize,
    /// Whether the caller fixed `k` (then redivision keeps every cluster's count).
    fixed_count: bool,
    objective: Objective,
    /// Annealing attempts per start.
    steps: usize,
    deadline: Instant,
}

/// Annealing temperatures, in units of the objective (a grid stepping outside half the band costs 25).
const HOT: f64 = 20.0;
const COLD: f64 = 0.01;
/// Recombination attempts per grid before annealing (for grids outside the band) …
const RECOMBINATIONS_PER_GRID: usize = 5;
/// … and after it (for grids outside half the band), in up to this many rounds.
const FINAL_RECOMBINATIONS_PER_GRID: usize = 2;
const FINAL_ROUNDS: usize = 8;
/// Share of a start's remaining time annealing may take.
const ANNEAL_SHARE: f64 = 0.6;

impl Start<'_> {
    /// Run a start per seed, one after another, each with an equal share of the time left; the best plan wins.
    fn run_all(&self, seeds: &[u64]) -> Option<(f64, u64, Vec<usize>)> {
        let mut best: Option<(f64, u64, Vec<usize>)> = None;
        for (i, &seed) in seeds.iter().enumerate() {
            let now = Instant::now();
            if i > 0 && now > self.deadline {
                break;
            }
            let share = self.deadline.saturating_duration_since(now) / (seeds.len() - i) as u32;
            let (score, owner) = self.run(seed, now + share);
            if best.as_ref().is_none_or(|b| score < b.0 || (score == b.0 && seed < b.1)) {
                best = Some((score, seed, owner));
            }
        }
        best
    }

    /// One start from `seed`, annealing until `anneal_by` at the latest: seeds, growth, greedy moves, annealing, greedy moves. Returns the score and the plan.
    fn run(&self, seed: u64, anneal_by: Instant) -> (f64, Vec<usize>) {
        let g = self.g;
        let mut rs = seed;
        // even starts: the balanced cells themselves; odd starts: grids grown from the cells' centres
        let mut owner = self.fixed_owner.to_vec();
        let regions = if seed.is_multiple_of(2) {
            bisection_plan(self.cells, &mut owner, self.fixed_regions)
        } else {
            grow(g, &mut owner, self.fixed_regions, self.free, &seeds::cell_centres(g, self.cells))
        };
        let fixed = self.fixed_owner.iter().map(|&o| o != NONE).collect();
        let mut st = State::new(g, owner, fixed, self.fixed_regions, regions);
        let all: Vec<usize> = (0..g.len()).collect();
        let obj = &self.objective;
        local_search(&mut st, obj, &all, self.deadline);
        let band = obj.target * obj.tolerance;
        recombine(&mut st, obj, band, RECOMBINATIONS_PER_GRID * self.k, &mut rs, self.deadline);
        redivide(&mut st, obj, band, self.k, self.fixed_count, &mut rs, self.deadline);
        local_search(&mut st, obj, &all, self.deadline);
        // annealing takes at most its share of the time left, so that the final rounds always get the rest
        let now = Instant::now();
        let anneal_by = anneal_by.min(now + anneal_by.saturating_duration_since(now).mul_f64(ANNEAL_SHARE));
        anneal(&mut st, obj, Schedule { steps: self.steps, hot: HOT, cold: COLD, deadline: anneal_by }, &mut rs);
        local_search(&mut st, obj, &all, self.deadline);
        // then the grids outside half the band, round after round while that still helps; where more than a tenth
        // of the grids are outside it, balance now outweighs a neater outline
        let half = obj.target * obj.tolerance * 0.5;
        let outside = (self.fixed_regions..st.hh.len())
            .filter(|&r| !st.members[r].is_empty() && (st.hh[r] - obj.target).abs() > half)
            .count();
        let grids = (self.fixed_regions..st.hh.len()).filter(|&r| !st.members[r].is_empty()).count();
        let final_obj = Objective { half_step: FINAL_HALF_STEP, ..*obj };
        let obj = if outside * 10 > grids { &final_obj } else { obj };
        for _ in 0..FINAL_ROUNDS {
            let change =
                recombine(&mut st, obj, band * 0.5, FINAL_RECOMBINATIONS_PER_GRID * self.k, &mut rs, self.deadline)
                    + redivide(&mut st, obj, band * 0.5, self.k, self.fixed_count, &mut rs, self.deadline)
                    + local_search(&mut st, obj, &all, self.deadline);
            if change > -1e-6 || Instant::now() > self.deadline {
                break;
            }
        }
        // starts are compared by one measure, whichever weight their final rounds used
        (st.score(&final_obj), st.owner)
    }
}
