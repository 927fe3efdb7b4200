//! Redivision: divide a grid far from the target and the grids around it afresh, into as many grids as their
//! households call for.
//!
//! Moves and recombinations keep the number of grids in every part of the community. When a compound of 2,100
//! households was given six grids and one of 2,000 across the district eight, every grid of the first is 50 over and
//! every grid of the second 50 under, and no exchange between neighbours mends that: the grids in between are in the
//! band and stop the excess. A redivision of the cluster round such a grid gives it one grid more (or one fewer) and
//! balances it by bisection; the count elsewhere follows when the cluster that is short of households is redivided
//! in turn. With a grid count the caller fixed, a cluster keeps its count.

use std::time::Instant;

use super::bisect::Work;
use super::graph::pick;
use super::objective::Objective;
use super::search::polish;
use super::state::State;

/// Grids in a cluster: the grid far from the target and its neighbours, ring by ring, up to this many.
const CLUSTER: usize = 8;

/// Redivide the cluster round a grid further than `reach` households from the target, up to `attempts` times (or
/// until no grid is that far); a redivision is kept only when it lowers the objective. `fixed_count`: keep the
/// number of grids of every cluster. Returns the objective change.
pub(super) fn redivide(
    st: &mut State<'_>,
    obj: &Objective,
    reach: f64,
    attempts: usize,
    fixed_count: bool,
    rs: &mut u64,
    deadline: Instant,
) -> f64 {
    let mut work = Work::new(st.owner.len());
    let mut score = st.score(obj);
    let start = score;
    for _ in 0..attempts {
        if Instant::now() > deadline {
            break;
        }
        let out: Vec<usize> = (st.fixed_regions..st.hh.len())
            .filter(|&r| !st.members[r].is_empty() && (st.hh[r] - obj.target).abs() > reach)
            .collect();
        if out.is_empty() {
            break;
        }
        let cluster = cluster(st, out[pick(rs, out.len())]);
        let blocks: Vec<usize> = cluster.iter().flat_map(|&r| st.members[r].iter().copied()).collect();
        let households: f64 = blocks.iter().map(|&v| st.g.hh[v]).sum();
        let count = if fixed_count {
            cluster.len()
        } else {
            ((households / obj.target).round() as usize).clamp(1, blocks.len())
        };
        let cells = work.cells(st.g, &blocks, count);
        // the cluster's grids first, then grids left empty elsewhere, then new ones
        let mut labels = cluster.clone();
        let spare: Vec<usize> = (st.fixed_regions..st.hh.len()).filter(|&r| st.members[r].is_empty()).collect();
        let mut spare = spare.into_iter();
        while labels.len() < cells.len() {
            let r = spare.next().unwrap_or_else(|| st.add_region());
            labels.push(r);
        }
        st.commit();
        for (cell, &label) in cells.iter().zip(&labels) {
            for &v in cell {
                let from = st.owner[v];
                if from != label {
                    st.move_block(v, from, label);
                }
            }
        }
        polish(st, obj, &blocks, deadline);
        let after = st.score(obj);
        if after < score - 1e-9 {
            st.commit();
            score = after;
        } else {
            st.undo();
        }
    }
    score - start
}

/// Grid `r` and the free grids round it, ring by ring, up to [`CLUSTER`] grids.
fn cluster(st: &State<'_>, r: usize) -> Vec<usize> {
    let mut grids = vec![r];
    let mut i = 0;
    while i < grids.len() && grids.len() < CLUSTER {
        let here = grids[i];
        i += 1;
        for &v in &st.members[here] {
            for &(u, _) in &st.g.nb[v] {
                let o = st.owner[u];
                if o >= st.fixed_regions && !grids.contains(&o) && grids.len() < CLUSTER {
                    grids.push(o);
                }
            }
        }
    }
    grids
}
