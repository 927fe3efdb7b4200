//! Automatic division of a community's blocks into contiguous, compact grids of about the target household count.
//!
//! 1. **Seeds**: `k = round(households / target)` seeds spread over the community (farthest-point sampling from
//!    a seed-dependent start).
//! 2. **Growth**: all regions grow at once; the smallest region (by households) takes its free neighbour nearest to
//!    its seed, so regions stay compact and none runs away. Every region is contiguous by construction.
//! 3. **Local search**: boundary blocks move to a neighbouring region when that lowers the objective — first the
//!    household deviation outside the band, then the deviation itself, then the length of the cut (boundaries
//!    between grids, cheaper along roads) — and never when the move would break the donor region in two.
//! 4. **Multi-start**: several seeds run on all cores; the best plan wins. Deterministic for a seed.
//!
//! Fixed blocks (locked or dedicated grids) keep their region and never move.
//!
//! ```
//! use wangge_domain::partition::{partition, BlockGraphInput, Node, Edge, Options};
//! // a 10 × 10 lattice of blocks with 30 households each → 10 grids of 300
//! let mut nodes = Vec::new();
//! let mut edges = Vec::new();
//! for i in 0..100 {
//!     nodes.push(Node { id: i, households: 30, area: 1.0, perimeter: 4.0, x: (i % 10) as f64, y: (i / 10) as f64 });
//!     if i % 10 < 9 { edges.push(Edge { a: i, b: i + 1, length: 1.0 }); }
//!     if i < 90 { edges.push(Edge { a: i, b: i + 10, length: 1.0 }); }
//! }
//! let graph = BlockGraphInput { nodes, edges, fixed: Default::default() };
//! let plan = partition(&graph, &Options::default()).unwrap();
//! assert_eq!(plan.regions.len(), 10);
//! assert!(plan.regions.iter().all(|r| r.households == 300));
//! ```

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

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
    /// Improvement rounds (kick + re-optimise) per start, per grid; the result is deterministic for a seed as long
    /// as the time budget is not what stops the search.
    pub rounds: usize,
    /// Time budget; the best plan so far is returned when it runs out.
    pub budget: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self { target: 300, tolerance: 0.10, k: None, seed: 1, starts: 4, rounds: 60, budget: Duration::from_millis(2600) }
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
    /// Blocks too large for one grid.
    pub oversized: Vec<Oversized>,
    /// Total length of boundaries between grids.
    pub cut_length: f64,
    /// The seed of the start that won.
    pub seed: u64,
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

struct Graph {
    hh: Vec<f64>,
    area: Vec<f64>,
    perim: Vec<f64>,
    xy: Vec<(f64, f64)>,
    nb: Vec<Vec<(usize, f64)>>,
}

/// One start's working assignment, with a log of moves so a failed attempt can be undone.
struct State<'g> {
    g: &'g Graph,
    owner: Vec<usize>,
    fixed: Vec<bool>,
    hh: Vec<f64>,
    area: Vec<f64>,
    perim: Vec<f64>,
    members: Vec<Vec<usize>>,
    log: Vec<(usize, usize, usize)>,
}

/// Weight of shape (perimeter² / 4π·area, 1 for a disc) against household balance.
const SHAPE_WEIGHT: f64 = 10.0;

fn shape(area: f64, perim: f64) -> f64 {
    if area > 0.0 {
        perim * perim / (4.0 * std::f64::consts::PI * area)
    } else {
        0.0
    }
}

fn rng(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
}

impl State<'_> {
    /// Household imbalance of a region with `h` households: steep outside the band, then outside half the band,
    /// then a gentle pull to the target.
    fn penalty(&self, h: f64, target: f64, tol: f64) -> f64 {
        let d = ((h - target) / target).abs();
        let outside = (d - tol).max(0.0);
        let outside_half = (d - tol * 0.5).max(0.0);
        1e5 * outside * outside + 1e4 * outside_half * outside_half + d * d
    }

    /// Shared boundary of `v` with grids `a` and `b`.
    fn shared(&self, v: usize, a: usize, b: usize) -> (f64, f64) {
        let (mut with_a, mut with_b) = (0.0, 0.0);
        for &(u, len) in &self.g.nb[v] {
            if self.owner[u] == a {
                with_a += len;
            } else if self.owner[u] == b {
                with_b += len;
            }
        }
        (with_a, with_b)
    }

    fn move_block(&mut self, v: usize, from: usize, to: usize) {
        let (with_from, with_to) = self.shared(v, from, to);
        self.area[from] -= self.g.area[v];
        self.area[to] += self.g.area[v];
        self.perim[from] += 2.0 * with_from - self.g.perim[v];
        self.perim[to] += self.g.perim[v] - 2.0 * with_to;
        self.owner[v] = to;
        self.hh[from] -= self.g.hh[v];
        self.hh[to] += self.g.hh[v];
        if let Some(pos) = self.members[from].iter().position(|&x| x == v) {
            self.members[from].swap_remove(pos);
        }
        self.members[to].push(v);
        self.log.push((v, from, to));
    }

    /// Undo every logged move.
    fn undo(&mut self) {
        while let Some((v, from, to)) = self.log.pop() {
            self.move_block(v, to, from);
            self.log.pop();
        }
    }

    /// Objective change of moving `v` from `a` to `b`.
    fn delta(&self, v: usize, a: usize, b: usize, target: f64, tol: f64, cut_weight: f64) -> f64 {
        let (own, to) = self.shared(v, a, b);
        let h = self.g.hh[v];
        let (av, pv) = (self.g.area[v], self.g.perim[v]);
        let shape_change = shape(self.area[a] - av, self.perim[a] + 2.0 * own - pv) + shape(self.area[b] + av, self.perim[b] + pv - 2.0 * to)
            - shape(self.area[a], self.perim[a])
            - shape(self.area[b], self.perim[b]);
        self.penalty(self.hh[a] - h, target, tol) + self.penalty(self.hh[b] + h, target, tol)
            - self.penalty(self.hh[a], target, tol)
            - self.penalty(self.hh[b], target, tol)
            + cut_weight * (own - to)
            + SHAPE_WEIGHT * shape_change
    }

    /// Whether region `r` stays connected without block `v`.
    fn stays_connected(&self, r: usize, v: usize) -> bool {
        let nbrs: Vec<usize> = self.g.nb[v].iter().map(|&(u, _)| u).filter(|&u| self.owner[u] == r).collect();
        if nbrs.len() <= 1 {
            return true;
        }
        // BFS from one neighbour inside r \ {v}, bounded: stop once every other neighbour is reached
        let mut seen: HashMap<usize, ()> = HashMap::new();
        let mut queue = VecDeque::from([nbrs[0]]);
        seen.insert(nbrs[0], ());
        let mut missing = nbrs.len() - 1;
        while let Some(u) = queue.pop_front() {
            for &(w, _) in &self.g.nb[u] {
                if w != v && self.owner[w] == r && seen.insert(w, ()).is_none() {
                    if nbrs[1..].contains(&w) {
                        missing -= 1;
                        if missing == 0 {
                            return true;
                        }
                    }
                    queue.push_back(w);
                }
            }
        }
        false
    }
}

/// Divide the free blocks of `input` into contiguous grids.
pub fn partition(input: &BlockGraphInput, opts: &Options) -> Result<PartitionResult, PartitionError> {
    let n = input.nodes.len();
    let mut index = HashMap::with_capacity(n);
    for (i, node) in input.nodes.iter().enumerate() {
        if index.insert(node.id, i).is_some() {
            return Err(PartitionError::Duplicate(node.id));
        }
    }
    let mut nb = vec![Vec::new(); n];
    for e in &input.edges {
        let a = *index.get(&e.a).ok_or(PartitionError::UnknownBlock(e.a))?;
        let b = *index.get(&e.b).ok_or(PartitionError::UnknownBlock(e.b))?;
        if a != b {
            nb[a].push((b, e.length));
            nb[b].push((a, e.length));
        }
    }
    let g = Graph {
        hh: input.nodes.iter().map(|n| f64::from(n.households)).collect(),
        area: input.nodes.iter().map(|n| n.area).collect(),
        perim: input.nodes.iter().map(|n| n.perimeter).collect(),
        xy: input.nodes.iter().map(|n| (n.x, n.y)).collect(),
        nb,
    };
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

    let deadline = Instant::now() + opts.budget;
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get()).min(opts.starts.max(1));
    let seeds: Vec<u64> = (0..opts.starts.max(1) as u64).map(|s| opts.seed.wrapping_add(s.wrapping_mul(7919))).collect();
    let results: Vec<(f64, u64, Vec<usize>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let seeds: Vec<u64> = seeds.iter().copied().skip(t).step_by(threads).collect();
                let (g, free, fixed_labels, index) = (&g, &free, &fixed_labels, &index);
                scope.spawn(move || {
                    let mut best: Option<(f64, u64, Vec<usize>)> = None;
                    for (i, seed) in seeds.into_iter().enumerate() {
                        if i > 0 && Instant::now() > deadline {
                            break;
                        }
                        let (score, owner) = one_start(g, input, index, free, fixed_labels, k, target, opts.tolerance, seed, opts.rounds, deadline);
                        if best.as_ref().is_none_or(|b| score < b.0 || (score == b.0 && seed < b.1)) {
                            best = Some((score, seed, owner));
                        }
                    }
                    best
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().expect("partition thread")).collect()
    });
    let (_, seed, owner) = results
        .into_iter()
        .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
        .expect("at least one start");

    let regions_n = owner.iter().copied().max().map_or(0, |m| m + 1).max(fixed_labels.len());
    let mut blocks: Vec<Vec<i64>> = vec![Vec::new(); regions_n];
    let (mut area, mut perim, mut hh) = (vec![0.0; regions_n], vec![0.0; regions_n], vec![0.0; regions_n]);
    let mut cut = 0.0;
    for v in 0..n {
        let r = owner[v];
        blocks[r].push(input.nodes[v].id);
        area[r] += g.area[v];
        perim[r] += g.perim[v];
        hh[r] += g.hh[v];
        for &(u, len) in &g.nb[v] {
            if owner[u] == r {
                perim[r] -= len; // each shared edge counted from both sides: subtract once per side
            } else if u > v {
                cut += len;
            }
        }
    }
    let regions = blocks
        .into_iter()
        .enumerate()
        .filter(|(_, b)| !b.is_empty())
        .map(|(r, mut b)| {
            b.sort_unstable();
            Region {
                label: if r < fixed_labels.len() { format!("fixed:{}", fixed_labels[r]) } else { format!("g{}", r - fixed_labels.len() + 1) },
                blocks: b,
                households: hh[r] as u32,
                polsby_popper: if perim[r] > 0.0 { 4.0 * std::f64::consts::PI * area[r] / (perim[r] * perim[r]) } else { 0.0 },
            }
        })
        .collect();
    let high = target * (1.0 + opts.tolerance);
    let oversized = free
        .iter()
        .filter(|&&i| g.hh[i] > high)
        .map(|&i| Oversized { block: input.nodes[i].id, households: input.nodes[i].households })
        .collect();
    Ok(PartitionResult { regions, oversized, cut_length: cut, seed })
}

/// Re-divide only the grids within `hops` grid-adjacency steps of `focus` (a label of `assignment`), keeping every
/// other grid — and every block of `input.fixed` — exactly as it is, so a local edit does not reshuffle the community.
/// The re-divided area gets as many grids as it had; the others come back under their own labels.
pub fn rebalance_neighbours(
    input: &BlockGraphInput,
    assignment: &BTreeMap<i64, String>,
    focus: &str,
    hops: usize,
    opts: &Options,
) -> Result<PartitionResult, PartitionError> {
    let known: std::collections::HashSet<i64> = input.nodes.iter().map(|n| n.id).collect();
    if let Some(id) = assignment.keys().find(|id| !known.contains(id)) {
        return Err(PartitionError::UnknownBlock(*id));
    }
    // grid adjacency from the blocks' adjacency
    let mut touching: BTreeMap<&str, std::collections::BTreeSet<&str>> = BTreeMap::new();
    for e in &input.edges {
        if let (Some(a), Some(b)) = (assignment.get(&e.a), assignment.get(&e.b)) {
            if a != b {
                touching.entry(a).or_default().insert(b);
                touching.entry(b).or_default().insert(a);
            }
        }
    }
    let mut chosen: std::collections::BTreeSet<&str> = std::collections::BTreeSet::from([focus]);
    let mut ring: Vec<&str> = vec![focus];
    for _ in 0..hops {
        let next: Vec<&str> = ring
            .iter()
            .flat_map(|g| touching.get(g).into_iter().flatten().copied())
            .filter(|g| !chosen.contains(g) && !input.fixed.values().any(|f| f == g))
            .collect();
        chosen.extend(next.iter().copied());
        ring = next;
    }
    let mut local = input.clone();
    for (block, label) in assignment {
        if !chosen.contains(label.as_str()) && !local.fixed.contains_key(block) {
            local.fixed.insert(*block, label.clone());
        }
    }
    let k = chosen.len();
    let mut result = partition(&local, &Options { k: Some(k), ..opts.clone() })?;
    // kept grids get their own labels back; the re-divided ones take over the labels of the grids they replace
    let mut reused = chosen.iter();
    for r in &mut result.regions {
        r.label = match r.label.strip_prefix("fixed:") {
            Some(label) => label.to_owned(),
            None => reused.next().map_or_else(|| r.label.clone(), |l| l.to_string()),
        };
    }
    Ok(result)
}

#[allow(clippy::too_many_arguments)]
fn one_start(
    g: &Graph,
    input: &BlockGraphInput,
    index: &HashMap<i64, usize>,
    free: &[usize],
    fixed_labels: &[String],
    k: usize,
    target: f64,
    tol: f64,
    seed: u64,
    rounds: usize,
    deadline: Instant,
) -> (f64, Vec<usize>) {
    let n = g.hh.len();
    let nf = fixed_labels.len();
    const NONE: usize = usize::MAX;
    let mut owner = vec![NONE; n];
    let mut fixed = vec![false; n];
    for (id, label) in &input.fixed {
        let v = index[id];
        owner[v] = fixed_labels.iter().position(|l| l == label).expect("label listed");
        fixed[v] = true;
    }
    // Seeds: even starts use the centres of a household-weighted recursive bisection (compact, evenly spaced
    // cells), odd starts farthest-point sampling from a random block (more varied).
    let mut rs = seed;
    let seeds = if seed % 2 == 0 { bisection_seeds(g, free, k) } else { farthest_point_seeds(g, free, k, &mut rs) };
    let mut hh = vec![0.0; nf];
    for v in 0..n {
        if fixed[v] {
            hh[owner[v]] += g.hh[v];
        }
    }
    // simultaneous growth: the lightest region takes the free neighbour nearest to its centre
    let mut centre: Vec<(f64, f64, f64)> = vec![(0.0, 0.0, 0.0); nf];
    let mut frontier: Vec<Vec<usize>> = vec![Vec::new(); nf];
    let mut heap = std::collections::BinaryHeap::new();
    let add_region = |v: usize, owner: &mut Vec<usize>, hh: &mut Vec<f64>, centre: &mut Vec<(f64, f64, f64)>, frontier: &mut Vec<Vec<usize>>| {
        let r = hh.len();
        owner[v] = r;
        hh.push(g.hh[v]);
        centre.push((g.xy[v].0, g.xy[v].1, 1.0));
        frontier.push(g.nb[v].iter().map(|&(u, _)| u).collect());
        r
    };
    for &s in &seeds {
        let r = add_region(s, &mut owner, &mut hh, &mut centre, &mut frontier);
        heap.push(std::cmp::Reverse((Ord64(hh[r]), r)));
    }

    let mut next_free = 0;
    loop {
        while let Some(std::cmp::Reverse((_, r))) = heap.pop() {
            frontier[r].retain(|&u| owner[u] == NONE);
            let (cx, cy, cn) = centre[r];
            let c = (cx / cn, cy / cn);
            let Some((pos, &u)) = frontier[r].iter().enumerate().min_by(|a, b| d2(g.xy[*a.1], c).total_cmp(&d2(g.xy[*b.1], c)))
            else {
                continue; // boxed in: this region is done
            };
            frontier[r].swap_remove(pos);
            owner[u] = r;
            hh[r] += g.hh[u];
            centre[r] = (cx + g.xy[u].0, cy + g.xy[u].1, cn + 1.0);
            frontier[r].extend(g.nb[u].iter().map(|&(w, _)| w).filter(|&w| owner[w] == NONE));
            heap.push(std::cmp::Reverse((Ord64(hh[r]), r)));
        }
        // a part of the graph no seed reached (an island): it gets regions of its own
        while next_free < free.len() && owner[free[next_free]] != NONE {
            next_free += 1;
        }
        let Some(&v) = free.get(next_free) else { break };
        let r = add_region(v, &mut owner, &mut hh, &mut centre, &mut frontier);
        heap.push(std::cmp::Reverse((Ord64(hh[r]), r)));
    }
    let regions = hh.len();
    let mut st = State {
        g,
        owner,
        fixed,
        hh,
        area: vec![0.0; regions],
        perim: vec![0.0; regions],
        members: vec![Vec::new(); regions],
        log: Vec::new(),
    };
    for v in 0..n {
        let r = st.owner[v];
        st.members[r].push(v);
        st.area[r] += g.area[v];
        st.perim[r] += g.perim[v];
        for &(u, len) in &g.nb[v] {
            if st.owner[u] == r {
                st.perim[r] -= len;
            }
        }
    }
    let cut_weight = 1.5 * k as f64 / g.perim.iter().sum::<f64>().max(1e-9);
    let all: Vec<usize> = (0..n).collect();
    local_search(&mut st, nf, target, tol, cut_weight, &all, deadline);
    st.log.clear();
    let total_rounds = rounds.saturating_mul(k).max(1);
    let mut current = 0.0;
    let mut best = (0.0, st.owner.clone(), st.hh.clone(), st.members.clone(), st.area.clone(), st.perim.clone());
    // iterated local search: push a block of an out-of-band grid across its border, re-optimise around it, and
    // undo the attempt unless the objective did not get worse
    for round in 0..total_rounds {
        if Instant::now() > deadline {
            break;
        }
        let out: Vec<usize> = (nf..regions).filter(|&r| (st.hh[r] - target).abs() > target * tol * 0.5).collect();
        if out.is_empty() {
            break;
        }
        let r = out[(rng(&mut rs) * out.len() as f64) as usize % out.len()];
        let heavy = st.hh[r] > target;
        // the nearest grid (in grid-adjacency steps) with the opposite imbalance, and the path to it
        let Some(path) = region_path(&st, nf, r, |x| if heavy { st.hh[x] < target } else { st.hh[x] > target }) else {
            continue;
        };
        // pass one block along each hop, from the heavy end towards the light end
        let hops: Vec<(usize, usize)> = if heavy {
            path.windows(2).map(|w| (w[0], w[1])).collect()
        } else {
            path.windows(2).rev().map(|w| (w[1], w[0])).collect()
        };
        let mut change = 0.0;
        let mut touched = Vec::new();
        let mut ok = true;
        for (from, to) in hops {
            let candidates: Vec<usize> = st.members[from]
                .iter()
                .copied()
                .filter(|&v| !st.fixed[v] && g.nb[v].iter().any(|&(u, _)| st.owner[u] == to))
                .collect();
            let mut ranked: Vec<(f64, usize)> = candidates
                .iter()
                .copied()
                .filter(|&v| st.members[from].len() > 1 && st.stays_connected(from, v))
                .map(|v| (st.delta(v, from, to, target, tol, cut_weight), v))
                .collect();
            ranked.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            // mostly the best block, sometimes the second or third, so repeated attempts explore
            let pick = ranked.get(((rng(&mut rs) * rng(&mut rs)) * ranked.len().min(3) as f64) as usize).map(|&(_, v)| v);
            let Some(block) = pick else {
                ok = false;
                break;
            };
            change += st.delta(block, from, to, target, tol, cut_weight);
            st.move_block(block, from, to);
            touched.push(block);
            touched.extend(g.nb[block].iter().map(|&(w, _)| w));
        }
        if !ok {
            st.undo();
            st.log.clear();
            continue;
        }
        change += local_search(&mut st, nf, target, tol, cut_weight, &touched, deadline);
        // annealing: a worse result is kept with a probability that shrinks as the rounds run out
        let temperature = 0.02 * (1.0 - round as f64 / total_rounds as f64);
        if change > 1e-12 && (temperature <= 0.0 || rng(&mut rs) >= (-change / temperature).exp()) {
            st.undo();
        } else {
            current += change;
            if current < best.0 - 1e-12 {
                best = (current, st.owner.clone(), st.hh.clone(), st.members.clone(), st.area.clone(), st.perim.clone());
            }
        }
        st.log.clear();
    }
    let (_, owner, hh, members, area, perim) = best;
    (st.owner, st.hh, st.members, st.area, st.perim) = (owner, hh, members, area, perim);
    (score(&st, nf, target, tol, cut_weight), st.owner)
}

/// Breadth-first search over grid adjacency from `start` to the nearest free grid satisfying `goal`.
/// One seed per cell of a recursive coordinate bisection of `free` into `k` cells of about equal households: each
/// cut runs across the longer side at the household-weighted position that gives each side its share of the cells.
/// The seed is the block nearest its cell's household-weighted centre.
fn bisection_seeds(g: &Graph, free: &[usize], k: usize) -> Vec<usize> {
    let cells = bisection_cells(g, free, k);
    cells
        .iter()
        .map(|cell| {
            let total: f64 = cell.iter().map(|&v| g.hh[v].max(1e-9)).sum();
            let c = cell.iter().fold((0.0, 0.0), |(x, y), &v| (x + g.xy[v].0 * g.hh[v].max(1e-9), y + g.xy[v].1 * g.hh[v].max(1e-9)));
            let c = (c.0 / total, c.1 / total);
            cell.iter().copied().min_by(|&a, &b| d2(g.xy[a], c).total_cmp(&d2(g.xy[b], c))).expect("non-empty")
        })
        .collect()
}

/// The cells of a recursive coordinate bisection of `free` into `k` parts of about equal households.
fn bisection_cells(g: &Graph, free: &[usize], k: usize) -> Vec<Vec<usize>> {
    let mut cells = Vec::with_capacity(k);
    let mut stack: Vec<(Vec<usize>, usize)> = vec![(free.to_vec(), k)];
    while let Some((mut cell, parts)) = stack.pop() {
        if cell.is_empty() {
            continue;
        }
        if parts <= 1 || cell.len() == 1 {
            cells.push(cell);
            continue;
        }
        let (min_x, max_x, min_y, max_y) = cell.iter().fold((f64::MAX, f64::MIN, f64::MAX, f64::MIN), |(a, b, c, d), &v| {
            (a.min(g.xy[v].0), b.max(g.xy[v].0), c.min(g.xy[v].1), d.max(g.xy[v].1))
        });
        let by_x = max_x - min_x >= max_y - min_y;
        cell.sort_by(|&a, &b| {
            let (ka, kb) = if by_x { (g.xy[a].0, g.xy[b].0) } else { (g.xy[a].1, g.xy[b].1) };
            ka.total_cmp(&kb)
        });
        let left_parts = parts / 2;
        let total: f64 = cell.iter().map(|&v| g.hh[v]).sum();
        let want = total * left_parts as f64 / parts as f64;
        let mut acc = 0.0;
        let mut cut = cell.len() - 1;
        for (i, &v) in cell.iter().enumerate() {
            acc += g.hh[v];
            if acc >= want {
                cut = i + 1;
                break;
            }
        }
        let cut = cut.clamp(1, cell.len() - 1);
        let right = cell.split_off(cut);
        stack.push((right, parts - left_parts));
        stack.push((cell, left_parts));
    }
    cells
}

/// Seeds by farthest-point sampling from a random first block.
fn farthest_point_seeds(g: &Graph, free: &[usize], k: usize, rs: &mut u64) -> Vec<usize> {
    let mut seeds = vec![free[(rng(rs) * free.len() as f64) as usize % free.len()]];
    let mut dist: Vec<f64> = free.iter().map(|&v| d2(g.xy[v], g.xy[seeds[0]])).collect();
    while seeds.len() < k {
        let (i, _) = dist.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).expect("free blocks");
        let s = free[i];
        seeds.push(s);
        for (j, &v) in free.iter().enumerate() {
            dist[j] = dist[j].min(d2(g.xy[v], g.xy[s]));
        }
    }
    seeds
}

fn region_path(st: &State<'_>, nf: usize, start: usize, goal: impl Fn(usize) -> bool) -> Option<Vec<usize>> {
    let mut prev: HashMap<usize, usize> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    prev.insert(start, start);
    while let Some(r) = queue.pop_front() {
        if r != start && goal(r) {
            let mut path = vec![r];
            let mut cur = r;
            while cur != start {
                cur = prev[&cur];
                path.push(cur);
            }
            path.reverse();
            return Some(path);
        }
        for &v in &st.members[r] {
            for &(u, _) in &st.g.nb[v] {
                let o = st.owner[u];
                if o >= nf && !prev.contains_key(&o) {
                    prev.insert(o, r);
                    queue.push_back(o);
                }
            }
        }
    }
    None
}

/// A total order on f64 for the growth heap.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Ord64(f64);

impl Eq for Ord64 {}

impl PartialOrd for Ord64 {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ord64 {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

fn score(st: &State<'_>, nf: usize, target: f64, tol: f64, cut_weight: f64) -> f64 {
    let mut cut = 0.0;
    for v in 0..st.owner.len() {
        for &(u, len) in &st.g.nb[v] {
            if u > v && st.owner[u] != st.owner[v] {
                cut += len;
            }
        }
    }
    (nf..st.hh.len()).map(|r| st.penalty(st.hh[r], target, tol) + SHAPE_WEIGHT * shape(st.area[r], st.perim[r])).sum::<f64>()
        + cut_weight * cut
}

/// Move single boundary blocks while that lowers the objective and keeps the donor grid in one piece; starts from
/// `start` and re-examines the neighbours of every block that moves.
fn local_search(st: &mut State<'_>, nf: usize, target: f64, tol: f64, cut_weight: f64, start: &[usize], deadline: Instant) -> f64 {
    let g = st.g;
    let mut total = 0.0;
    let mut queued = vec![false; st.owner.len()];
    let mut queue: VecDeque<usize> = VecDeque::new();
    for &v in start {
        if !queued[v] {
            queued[v] = true;
            queue.push_back(v);
        }
    }
    let mut steps = 0usize;
    while let Some(v) = queue.pop_front() {
        queued[v] = false;
        steps += 1;
        if steps % 4096 == 0 && Instant::now() > deadline {
            break;
        }
        if st.fixed[v] || st.members[st.owner[v]].len() <= 1 {
            continue;
        }
        let a = st.owner[v];
        let mut to_len: Vec<(usize, f64)> = Vec::new();
        for &(u, len) in &g.nb[v] {
            let r = st.owner[u];
            if r != a && r >= nf {
                match to_len.iter_mut().find(|(x, _)| *x == r) {
                    Some(e) => e.1 += len,
                    None => to_len.push((r, len)),
                }
            }
        }
        if to_len.is_empty() {
            continue;
        }
        let mut best: Option<(f64, usize)> = None;
        for &(b, _) in &to_len {
            let delta = st.delta(v, a, b, target, tol, cut_weight);
            if delta < -1e-12 && best.is_none_or(|(d, _)| delta < d) {
                best = Some((delta, b));
            }
        }
        if let Some((d, b)) = best {
            if !st.stays_connected(a, v) {
                continue;
            }
            st.move_block(v, a, b);
            total += d;
            for &(u, _) in &g.nb[v] {
                if !queued[u] {
                    queued[u] = true;
                    queue.push_back(u);
                }
            }
        }
    }
    total
}

fn d2(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `w × h` lattice of blocks with households drawn from `lo..=hi`.
    pub(crate) fn lattice(w: i64, h: i64, lo: u32, hi: u32, seed: u64) -> BlockGraphInput {
        let mut s = seed;
        let mut nodes = Vec::new();
        let mut edges = Vec::new();
        for i in 0..w * h {
            let hh = lo + (rng(&mut s) * f64::from(hi - lo + 1)) as u32;
            nodes.push(Node { id: i, households: hh, area: 1.0, perimeter: 4.0, x: (i % w) as f64, y: (i / w) as f64 });
            if i % w < w - 1 {
                edges.push(Edge { a: i, b: i + 1, length: 1.0 });
            }
            if i < w * (h - 1) {
                edges.push(Edge { a: i, b: i + w, length: 1.0 });
            }
        }
        BlockGraphInput { nodes, edges, fixed: BTreeMap::new() }
    }

    fn contiguous(input: &BlockGraphInput, blocks: &[i64]) -> bool {
        let graph = crate::plan::BlockGraph::new(
            input.nodes.iter().map(|n| crate::plan::BlockNode { id: n.id, households: n.households }).collect(),
            input.edges.iter().map(|e| (e.a, e.b)).collect(),
        );
        graph.pieces(blocks).len() == 1
    }

    #[test]
    fn complete_contiguous_and_balanced_on_a_lumpy_lattice() {
        let input = lattice(40, 40, 10, 50, 3);
        let opts = Options { budget: Duration::from_secs(5), ..Options::default() };
        let r = partition(&input, &opts).unwrap();
        let mut all: Vec<i64> = r.regions.iter().flat_map(|g| g.blocks.clone()).collect();
        all.sort_unstable();
        assert_eq!(all, (0..1600).collect::<Vec<_>>(), "every block exactly once");
        assert!(r.regions.iter().all(|g| contiguous(&input, &g.blocks)), "every grid contiguous");
        let within = r.regions.iter().filter(|g| (f64::from(g.households) - 300.0).abs() <= 30.0).count();
        assert!(within * 100 >= r.regions.len() * 90, "{within} of {} within ±10 %", r.regions.len());
    }

    #[test]
    fn fixed_blocks_stay_and_seed_determines_the_result() {
        let mut input = lattice(12, 12, 20, 40, 5);
        for id in [0, 1, 12, 13] {
            input.fixed.insert(id, "school".into());
        }
        let opts = Options { starts: 2, ..Options::default() };
        let a = partition(&input, &opts).unwrap();
        let b = partition(&input, &opts).unwrap();
        assert_eq!(a, b, "deterministic for a seed");
        let school = a.regions.iter().find(|g| g.label == "fixed:school").unwrap();
        assert_eq!(school.blocks, vec![0, 1, 12, 13]);
        assert!(a.regions.iter().filter(|g| g.label != "fixed:school").all(|g| g.blocks.iter().all(|b| ![0, 1, 12, 13].contains(b))));
    }

    #[test]
    fn oversized_blocks_are_reported() {
        let mut input = lattice(5, 5, 30, 30, 1);
        input.nodes[7].households = 500;
        let r = partition(&input, &Options::default()).unwrap();
        assert_eq!(r.oversized, vec![Oversized { block: 7, households: 500 }]);
    }

    #[test]
    fn rebalancing_touches_only_the_neighbourhood() {
        let input = lattice(20, 20, 10, 50, 9);
        let first = partition(&input, &Options::default()).unwrap();
        let assignment: BTreeMap<i64, String> =
            first.regions.iter().flat_map(|r| r.blocks.iter().map(move |b| (*b, r.label.clone()))).collect();
        let focus = first.regions[0].label.clone();
        let again = rebalance_neighbours(&input, &assignment, &focus, 1, &Options::default()).unwrap();
        // grids more than one step from the focus keep exactly their blocks and labels
        let near: std::collections::BTreeSet<String> = input
            .edges
            .iter()
            .filter_map(|e| {
                let (a, b) = (&assignment[&e.a], &assignment[&e.b]);
                (a == &focus && b != &focus).then(|| b.clone()).or_else(|| (b == &focus && a != &focus).then(|| a.clone()))
            })
            .chain(std::iter::once(focus.clone()))
            .collect();
        for r in first.regions.iter().filter(|r| !near.contains(&r.label)) {
            let kept = again.regions.iter().find(|g| g.label == r.label).expect("far grid kept");
            assert_eq!(kept.blocks, r.blocks);
        }
        assert_eq!(again.regions.len(), first.regions.len());
        let mut labels: Vec<&str> = again.regions.iter().map(|g| g.label.as_str()).collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), again.regions.len(), "labels stay unique");
        let mut all: Vec<i64> = again.regions.iter().flat_map(|g| g.blocks.clone()).collect();
        all.sort_unstable();
        assert_eq!(all, (0..400).collect::<Vec<_>>());
        assert!(again.regions.iter().all(|g| contiguous(&input, &g.blocks)));
    }

    #[test]
    fn bad_graphs_are_refused() {
        let mut input = lattice(2, 2, 30, 30, 1);
        input.edges.push(Edge { a: 0, b: 99, length: 1.0 });
        assert_eq!(partition(&input, &Options::default()), Err(PartitionError::UnknownBlock(99)));
    }
}
