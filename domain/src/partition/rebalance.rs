//! Redrawing part of a plan and keeping the rest: "rebalance neighbours" re-divides the grids around one grid;
//! "rebalance the community" brings the grids outside the band back while every grid inside it stays as it is.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::graph::Graph;
use super::grow::NONE;
use super::objective::{Objective, SEARCH_HALF_STEP};
use super::recombine::recombine;
use super::search::local_search;
use super::state::State;
use super::{
    partition, summarise, BlockGraphInput, Options, PartitionError, PartitionResult, FINAL_RECOMBINATIONS_PER_GRID,
    RECOMBINATIONS_PER_GRID,
};

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
    let known: HashSet<i64> = input.nodes.iter().map(|n| n.id).collect();
    if let Some(id) = assignment.keys().find(|id| !known.contains(id)) {
        return Err(PartitionError::UnknownBlock(*id));
    }
    // grid adjacency from the blocks' adjacency
    let mut touching: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for e in &input.edges {
        if let (Some(a), Some(b)) = (assignment.get(&e.a), assignment.get(&e.b)) {
            if a != b {
                touching.entry(a).or_default().insert(b);
                touching.entry(b).or_default().insert(a);
            }
        }
    }
    let mut chosen: BTreeSet<&str> = BTreeSet::from([focus]);
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

/// The result of [`rebalance_community`]: the plan, and what it changed of the plan it started from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rebalanced {
    /// Every grid, under its own label (grids made for blocks no grid held are labelled `new-1`, `new-2`, …).
    pub result: PartitionResult,
    /// Grids left exactly as they were.
    pub kept: Vec<String>,
    /// Grids that gained or lost blocks.
    pub changed: Vec<String>,
    /// Households of the blocks that moved to another grid.
    pub moved_households: u32,
    /// Blocks that moved to another grid.
    pub moved_blocks: usize,
    /// Rings of in-band neighbours that had to join the re-divided grids (0: only grids outside the band changed).
    pub widened: usize,
}

/// Rings of in-band neighbours [`rebalance_community`] may draw in before it leaves a grid outside the band.
const MAX_RINGS: usize = 2;

/// "Rebalance the community" after households changed: every grid still inside the band stays exactly as it is; the
/// grids outside it are brought back by moving as few blocks as the search can (greedy moves and recombinations of
/// neighbouring grids, each kept only when it improves the plan, starting from the plan as it is — no redraw from
/// scratch). Blocks no grid holds yet (new buildings) join their lightest neighbouring grid first. When grids
/// outside the band have no room around them, their in-band neighbours join, one ring at a time (at most
/// [`MAX_RINGS`]), and the result says so.
pub fn rebalance_community(
    input: &BlockGraphInput,
    assignment: &BTreeMap<i64, String>,
    opts: &Options,
) -> Result<Rebalanced, PartitionError> {
    let (g, index) = Graph::new(input)?;
    let n = g.len();
    if let Some(id) = assignment.keys().find(|id| !index.contains_key(id)) {
        return Err(PartitionError::UnknownBlock(*id));
    }
    // labels: dedicated (fixed) ones, then the natural grids of the assignment
    let mut labels: Vec<String> = input.fixed.values().cloned().collect::<BTreeSet<_>>().into_iter().collect();
    let dedicated = labels.len();
    for l in assignment.values().collect::<BTreeSet<_>>() {
        if !labels.contains(l) {
            labels.push(l.clone());
        }
    }
    let at = |l: &String| labels.iter().position(|x| x == l);
    let mut owner: Vec<usize> = input
        .nodes
        .iter()
        .map(|node| input.fixed.get(&node.id).or_else(|| assignment.get(&node.id)).and_then(at).unwrap_or(NONE))
        .collect();
    let before = owner.clone();
    attach_new_blocks(&g, &mut owner, &mut labels, dedicated);
    let target = f64::from(opts.target);
    let band = target * opts.tolerance;
    let mut hh = vec![0.0; labels.len()];
    for v in 0..n {
        hh[owner[v]] += g.hh[v];
    }
    let mut free: BTreeSet<usize> = (dedicated..labels.len()).filter(|&r| (hh[r] - target).abs() > band).collect();
    let deadline = Instant::now() + opts.budget;
    let mut rs = opts.seed;
    let mut widened = 0;
    while !free.is_empty() {
        let free_hh: f64 = (0..n).filter(|&v| free.contains(&owner[v])).map(|v| g.hh[v]).sum();
        let k = (free_hh / target).round().max(1.0) as usize;
        if k != free.len() {
            // the re-divided grids need more (or fewer): divide their blocks afresh into k grids, each taking the
            // label of the old grid it shares most households with; the moves below then polish them
            let known = labels.len();
            redraw(input, &g, &mut owner, &mut labels, &free, k, opts)?;
            free.extend(known..labels.len());
        }
        // regions: the fixed ones first (their order kept), then the free ones
        let order: Vec<usize> = (0..labels.len()).filter(|r| !free.contains(r)).chain(free.iter().copied()).collect();
        let fixed_regions = labels.len() - free.len();
        let mut slot = vec![0; labels.len()];
        for (i, &r) in order.iter().enumerate() {
            slot[r] = i;
        }
        let local: Vec<usize> = owner.iter().map(|&r| slot[r]).collect();
        let fixed_mask: Vec<bool> = local.iter().map(|&r| r < fixed_regions).collect();
        let obj = Objective {
            target,
            tolerance: opts.tolerance,
            cut_weight: 1.5 * free.len() as f64 / g.perim.iter().sum::<f64>().max(1e-9),
            half_step: SEARCH_HALF_STEP,
        };
        let mut st = State::new(&g, local, fixed_mask, fixed_regions, labels.len());
        let movable: Vec<usize> = (0..n).filter(|&v| st.owner[v] >= fixed_regions).collect();
        local_search(&mut st, &obj, &movable, deadline);
        recombine(&mut st, &obj, band, RECOMBINATIONS_PER_GRID * free.len(), &mut rs, deadline);
        local_search(&mut st, &obj, &movable, deadline);
        recombine(&mut st, &obj, band * 0.5, FINAL_RECOMBINATIONS_PER_GRID * free.len(), &mut rs, deadline);
        local_search(&mut st, &obj, &movable, deadline);
        for v in 0..n {
            owner[v] = order[st.owner[v]];
        }
        // (a grid a redraw left empty is gone, not outside the band)
        let outside: Vec<usize> = (fixed_regions..labels.len())
            .filter(|&i| !st.members[i].is_empty() && (st.hh[i] - target).abs() > band)
            .map(|i| order[i])
            .collect();
        if outside.is_empty() || widened == MAX_RINGS || Instant::now() > deadline {
            break;
        }
        // the in-band grids touching one still outside the band join; if the re-divided grids enclose it, the
        // in-band grids around them all
        let mut ring = ring_around(&g, &owner, &outside, &free, dedicated);
        if ring.is_empty() {
            ring = ring_around(&g, &owner, &free.iter().copied().collect::<Vec<_>>(), &free, dedicated);
        }
        if ring.is_empty() {
            break;
        }
        free.extend(ring);
        widened += 1;
    }
    let all: Vec<usize> = (0..n).filter(|&v| owner[v] >= dedicated).collect();
    let mut result = summarise(input, &g, &owner, &labels, &all, opts, opts.seed);
    for r in &mut result.regions {
        if let Some(label) = r.label.strip_prefix("fixed:") {
            r.label = label.to_owned();
        }
    }
    let mut changed = BTreeSet::new();
    let (mut moved_households, mut moved_blocks) = (0u32, 0usize);
    for v in 0..n {
        if before[v] != owner[v] {
            changed.insert(owner[v]);
            if before[v] != NONE {
                changed.insert(before[v]);
                moved_households += input.nodes[v].households;
                moved_blocks += 1;
            }
        }
    }
    let kept = (dedicated..labels.len()).filter(|r| !changed.contains(r)).map(|r| labels[r].clone()).collect();
    Ok(Rebalanced {
        result,
        kept,
        changed: changed.into_iter().map(|r| labels[r].clone()).collect(),
        moved_households,
        moved_blocks,
        widened,
    })
}

/// The in-band natural grids touching a grid of `outside`: the next ring to join the re-divided grids.
fn ring_around(
    g: &Graph,
    owner: &[usize],
    outside: &[usize],
    free: &BTreeSet<usize>,
    dedicated: usize,
) -> BTreeSet<usize> {
    (0..owner.len())
        .filter(|&v| outside.contains(&owner[v]))
        .flat_map(|v| g.nb[v].iter().map(|&(u, _)| owner[u]))
        .filter(|&r| r >= dedicated && !free.contains(&r))
        .collect()
}

/// Divide the blocks of the `free` grids afresh into `k` grids (every other block held where it is); each new grid
/// takes the label of the free grid it shares most households with (largest overlaps first), the rest new labels.
fn redraw(
    input: &BlockGraphInput,
    g: &Graph,
    owner: &mut [usize],
    labels: &mut Vec<String>,
    free: &BTreeSet<usize>,
    k: usize,
    opts: &Options,
) -> Result<(), PartitionError> {
    let mut local = input.clone();
    local.fixed = input
        .nodes
        .iter()
        .zip(owner.iter())
        .filter(|(_, r)| !free.contains(r))
        .map(|(node, &r)| (node.id, format!("{r:08}")))
        .collect();
    let result = partition(&local, &Options { k: Some(k), ..opts.clone() })?;
    let position: std::collections::HashMap<i64, usize> =
        input.nodes.iter().enumerate().map(|(i, node)| (node.id, i)).collect();
    let fresh: Vec<&super::Region> = result.regions.iter().filter(|r| !r.label.starts_with("fixed:")).collect();
    let mut overlaps: Vec<(f64, usize, usize)> = Vec::new();
    for (i, region) in fresh.iter().enumerate() {
        let mut by_old: BTreeMap<usize, f64> = BTreeMap::new();
        for b in &region.blocks {
            let v = position[b];
            *by_old.entry(owner[v]).or_default() += g.hh[v];
        }
        overlaps.extend(by_old.into_iter().map(|(old, h)| (h, i, old)));
    }
    overlaps.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut label_of: Vec<Option<usize>> = vec![None; fresh.len()];
    let mut taken = BTreeSet::new();
    for (_, i, old) in overlaps {
        if label_of[i].is_none() && !taken.contains(&old) {
            taken.insert(old);
            label_of[i] = Some(old);
        }
    }
    for (i, region) in fresh.iter().enumerate() {
        let r = match label_of[i] {
            Some(r) => r,
            None => {
                let next = (1..).map(|n| format!("new-{n}")).find(|l| !labels.contains(l)).expect("a free label");
                labels.push(next);
                labels.len() - 1
            }
        };
        for b in &region.blocks {
            owner[position[b]] = r;
        }
    }
    Ok(())
}

/// Give every block no grid holds to its lightest neighbouring natural grid (spreading from the held ones); blocks
/// with no held neighbour at all become grids of their own (`new-1`, …), one per connected piece.
fn attach_new_blocks(g: &Graph, owner: &mut [usize], labels: &mut Vec<String>, dedicated: usize) {
    let mut hh = vec![0.0; labels.len()];
    for (v, &r) in owner.iter().enumerate() {
        if r != NONE {
            hh[r] += g.hh[v];
        }
    }
    loop {
        let mut progress = false;
        for v in 0..owner.len() {
            if owner[v] != NONE {
                continue;
            }
            let lightest = g.nb[v]
                .iter()
                .map(|&(u, _)| owner[u])
                .filter(|&r| r != NONE && r >= dedicated)
                .min_by(|&a, &b| hh[a].total_cmp(&hh[b]).then(a.cmp(&b)));
            if let Some(r) = lightest {
                owner[v] = r;
                hh[r] += g.hh[v];
                progress = true;
            }
        }
        if !progress {
            break;
        }
    }
    for v in 0..owner.len() {
        if owner[v] != NONE {
            continue;
        }
        labels.push(format!("new-{}", labels.len() + 1 - dedicated));
        let r = labels.len() - 1;
        let mut stack = vec![v];
        owner[v] = r;
        while let Some(x) = stack.pop() {
            for &(u, _) in &g.nb[x] {
                if owner[u] == NONE {
                    owner[u] = r;
                    stack.push(u);
                }
            }
        }
    }
}

/// Households of the blocks whose grid differs between plan `old` (block → label) and the grids `new`, after matching
/// each new grid to the old grid it shares most households with (each old grid matched once, largest overlaps
/// first): how much a plan redrawn from scratch, whatever its labels, moves.
pub fn households_moved(input: &BlockGraphInput, old: &BTreeMap<i64, String>, new: &[super::Region]) -> u32 {
    let hh: BTreeMap<i64, u32> = input.nodes.iter().map(|n| (n.id, n.households)).collect();
    let mut overlaps: Vec<(u32, usize, &String)> = Vec::new();
    for (i, r) in new.iter().enumerate() {
        let mut by_old: BTreeMap<&String, u32> = BTreeMap::new();
        for b in &r.blocks {
            if let Some(l) = old.get(b) {
                *by_old.entry(l).or_default() += hh.get(b).copied().unwrap_or(0);
            }
        }
        overlaps.extend(by_old.into_iter().map(|(l, h)| (h, i, l)));
    }
    overlaps.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(b.2)));
    let (mut matched, mut taken): (BTreeMap<usize, &String>, BTreeSet<&String>) = Default::default();
    for (_, i, l) in overlaps {
        if !matched.contains_key(&i) && taken.insert(l) {
            matched.insert(i, l);
        }
    }
    new.iter()
        .enumerate()
        .flat_map(|(i, r)| r.blocks.iter().map(move |b| (i, b)))
        .filter(|(i, b)| old.contains_key(b) && old.get(b) != matched.get(i).copied())
        .map(|(_, b)| hh.get(b).copied().unwrap_or(0))
        .sum()
}
