//! Recombination: merge a grid far from the target with a neighbouring grid and cut the pair again along the best
//! edge of a random spanning tree. Single-block moves cannot balance grids made of a few large blocks (a compound
//! of 260 households next to one of 150); a tree cut moves whole groups of blocks at once, and repeated on
//! neighbouring pairs it passes an excess on until a grid with room takes it.

use std::time::Instant;

use super::graph::{pick, rng, NO_COMPOUND};
use super::objective::{Objective, COMPOUND_SPLIT};
use super::state::State;

/// Spanning trees tried per pair.
const TREES: usize = 12;

/// Recombine a grid further than `reach` households from the target with a neighbour, up to `attempts` times (or
/// until no grid is that far); every kept recombination lowers the objective. Returns the objective change.
pub(super) fn recombine(
    st: &mut State<'_>,
    obj: &Objective,
    reach: f64,
    attempts: usize,
    rs: &mut u64,
    deadline: Instant,
) -> f64 {
    let mut total = 0.0;
    let mut slot = vec![usize::MAX; st.owner.len()];
    for attempt in 0..attempts {
        if attempt % 64 == 0 && Instant::now() > deadline {
            break;
        }
        let out: Vec<usize> = (st.fixed_regions..st.hh.len())
            .filter(|&r| (st.hh[r] - obj.target).abs() > reach && !st.members[r].is_empty())
            .collect();
        if out.is_empty() {
            break;
        }
        let r = out[pick(rs, out.len())];
        let neighbours = neighbour_regions(st, r);
        if neighbours.is_empty() {
            continue;
        }
        let s = neighbours[pick(rs, neighbours.len())];
        if let Some(change) = recombine_pair(st, obj, r, s, &mut slot, rs) {
            total += change;
        }
    }
    total
}

/// Free grids touching grid `r`.
fn neighbour_regions(st: &State<'_>, r: usize) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for &v in &st.members[r] {
        for &(u, _) in &st.g.nb[v] {
            let o = st.owner[u];
            if o != r && o >= st.fixed_regions && !out.contains(&o) {
                out.push(o);
            }
        }
    }
    out
}

/// The blocks of two grids as a small graph of their own.
struct Pair {
    blocks: Vec<usize>,
    /// Neighbours inside the pair (local indices) and shared lengths.
    nb: Vec<Vec<(usize, f64)>>,
    edges: Vec<(usize, usize)>,
}

/// Cut the union of grids `r` and `s` along the best edge of several random spanning trees; keep the cut when it
/// lowers the objective. Returns the change when kept.
/// `slot` maps a block to its index in the pair (`usize::MAX` outside it) and is left all `usize::MAX`.
fn recombine_pair(
    st: &mut State<'_>,
    obj: &Objective,
    r: usize,
    s: usize,
    slot: &mut [usize],
    rs: &mut u64,
) -> Option<f64> {
    let g = st.g;
    let blocks: Vec<usize> = st.members[r].iter().chain(&st.members[s]).copied().collect();
    for (i, &v) in blocks.iter().enumerate() {
        slot[v] = i;
    }
    let mut nb = vec![Vec::new(); blocks.len()];
    let mut edges = Vec::new();
    for (i, &v) in blocks.iter().enumerate() {
        for &(u, len) in &g.nb[v] {
            let j = slot[u];
            if j != usize::MAX {
                nb[i].push((j, len));
                if i < j {
                    edges.push((i, j));
                }
            }
        }
    }
    for &v in &blocks {
        slot[v] = usize::MAX;
    }
    let pair = Pair { blocks, nb, edges };
    let before = obj.region(st.hh[r], st.area[r], st.perim[r])
        + obj.region(st.hh[s], st.area[s], st.perim[s])
        + obj.cut_weight * cut_between(&pair, g, |i| st.owner[pair.blocks[i]] == r)
        + COMPOUND_SPLIT * compound_sides(&pair, g, |i| st.owner[pair.blocks[i]] == r);
    let mut best: Option<(f64, Vec<bool>)> = None;
    for _ in 0..TREES {
        for side in tree_cuts(&pair, g, obj, rs) {
            let cost = split_cost(&pair, g, obj, &side);
            if best.as_ref().is_none_or(|b| cost < b.0) {
                best = Some((cost, side));
            }
        }
    }
    let (cost, side) = best?;
    if cost >= before - 1e-9 {
        return None;
    }
    // side true → grid r, false → grid s; move blocks across in an order that keeps the bookkeeping exact
    for (i, &v) in pair.blocks.iter().enumerate() {
        let want = if side[i] { r } else { s };
        let have = st.owner[v];
        if have != want {
            st.move_block(v, have, want);
        }
    }
    st.commit();
    Some(cost - before)
}

/// Total price of the edges of `pair` whose ends lie on different sides.
fn cut_between(pair: &Pair, g: &super::graph::Graph, side: impl Fn(usize) -> bool) -> f64 {
    pair.edges
        .iter()
        .filter(|&&(a, b)| side(a) != side(b))
        .map(|&(a, b)| {
            let len = pair.nb[a].iter().find(|x| x.0 == b).map_or(0.0, |x| x.1);
            g.price(pair.blocks[a], pair.blocks[b], len)
        })
        .sum()
}

/// How many of the pair's two sides each compound among its blocks lies on, summed, beyond one each: the pair's
/// share of [`COMPOUND_SPLIT`].
fn compound_sides(pair: &Pair, g: &super::graph::Graph, side: impl Fn(usize) -> bool) -> f64 {
    let mut seen: Vec<(u32, [bool; 2])> = Vec::new();
    for (i, &v) in pair.blocks.iter().enumerate() {
        let c = g.compound[v];
        if c == NO_COMPOUND {
            continue;
        }
        let s = usize::from(side(i));
        match seen.iter_mut().find(|x| x.0 == c) {
            Some(x) => x.1[s] = true,
            None => {
                let mut sides = [false; 2];
                sides[s] = true;
                seen.push((c, sides));
            }
        }
    }
    seen.iter().filter(|x| x.1[0] && x.1[1]).count() as f64
}

/// Objective of the pair split into `side` (true) and the rest.
fn split_cost(pair: &Pair, g: &super::graph::Graph, obj: &Objective, side: &[bool]) -> f64 {
    let mut totals = [(0.0, 0.0, 0.0); 2]; // households, area, perimeter per side
    for (i, &v) in pair.blocks.iter().enumerate() {
        let t = &mut totals[usize::from(side[i])];
        t.0 += g.hh[v];
        t.1 += g.area[v];
        t.2 += g.perim[v];
        for &(j, len) in &pair.nb[i] {
            if side[j] == side[i] {
                t.2 -= len;
            }
        }
    }
    totals.iter().map(|&(h, a, p)| obj.region(h, a, p)).sum::<f64>()
        + obj.cut_weight * cut_between(pair, g, |i| side[i])
        + COMPOUND_SPLIT * compound_sides(pair, g, |i| side[i])
}

/// The best few balanced cuts of one random spanning tree of the pair: each removes one tree edge, leaving two
/// connected sides. Returns the side of each block for the cuts whose household split is closest to even.
fn tree_cuts(pair: &Pair, g: &super::graph::Graph, obj: &Objective, rs: &mut u64) -> Vec<Vec<bool>> {
    let n = pair.blocks.len();
    if n < 2 {
        return Vec::new();
    }
    // Kruskal on random weights; edges inside a compound drawn first half the time, so that the tree's cuts fall
    // along streets more often than through compounds
    let mut order: Vec<(f64, usize, usize)> = pair
        .edges
        .iter()
        .map(|&(a, b)| {
            let w = rng(rs);
            (if g.inside_compound(pair.blocks[a], pair.blocks[b]) { w * 0.5 } else { w }, a, b)
        })
        .collect();
    order.sort_by(|x, y| x.0.total_cmp(&y.0));
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let mut tree = vec![Vec::new(); n];
    for (_, a, b) in order {
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra != rb {
            parent[ra] = rb;
            tree[a].push(b);
            tree[b].push(a);
        }
    }
    // depth-first order from block 0; subtree households bottom-up
    let mut up = vec![usize::MAX; n];
    let mut order = Vec::with_capacity(n);
    let mut stack = vec![0];
    up[0] = 0;
    while let Some(v) = stack.pop() {
        order.push(v);
        for &w in &tree[v] {
            if up[w] == usize::MAX {
                up[w] = v;
                stack.push(w);
            }
        }
    }
    if order.len() < n {
        return Vec::new(); // the pair is not connected (cannot happen for two touching connected grids)
    }
    let mut below: Vec<f64> = pair.blocks.iter().map(|&v| g.hh[v]).collect();
    for &v in order.iter().skip(1).rev() {
        below[up[v]] += below[v];
    }
    let total = below[0];
    // rank the cuts by the balance of the two sides
    let mut cuts: Vec<(f64, usize)> =
        order.iter().skip(1).map(|&c| (obj.balance(below[c]) + obj.balance(total - below[c]), c)).collect();
    cuts.sort_by(|x, y| x.0.total_cmp(&y.0));
    cuts.truncate(3);
    cuts.into_iter()
        .map(|(_, c)| {
            // the subtree under c
            let mut side = vec![false; n];
            let mut stack = vec![c];
            side[c] = true;
            while let Some(v) = stack.pop() {
                for &w in &tree[v] {
                    if w != up[v] && !side[w] {
                        side[w] = true;
                        stack.push(w);
                    }
                }
            }
            side
        })
        .collect()
}
