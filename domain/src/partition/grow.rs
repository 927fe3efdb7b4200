//! The first plan: every grid grows from its seed at once, the lightest first.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::graph::{d2, Graph};

/// Marks a block no grid holds yet.
pub(super) const NONE: usize = usize::MAX;

/// Grow regions `nf, nf + 1, …` from `seeds` over the blocks `owner` marks [`NONE`]: the region with the fewest
/// households takes its free neighbour nearest to its centre, so regions stay compact and none runs away. A part of
/// the graph no seed reaches (an island) gets regions of its own. Every region is contiguous by construction.
/// Returns the number of regions (fixed ones included).
pub(super) fn grow(g: &Graph, owner: &mut [usize], nf: usize, free: &[usize], seeds: &[usize]) -> usize {
    let mut growth = Growth {
        hh: vec![0.0; nf],
        centre: vec![(0.0, 0.0, 0.0); nf],
        frontier: vec![Vec::new(); nf],
        heap: BinaryHeap::new(),
    };
    for &s in seeds {
        growth.start(g, owner, s);
    }
    let mut next_free = 0;
    loop {
        while let Some(Reverse((_, r))) = growth.heap.pop() {
            growth.extend(g, owner, r);
        }
        while next_free < free.len() && owner[free[next_free]] != NONE {
            next_free += 1;
        }
        let Some(&v) = free.get(next_free) else { break };
        growth.start(g, owner, v);
    }
    growth.hh.len()
}

/// Regions while they grow.
struct Growth {
    hh: Vec<f64>,
    /// Sum of x, sum of y, count.
    centre: Vec<(f64, f64, f64)>,
    frontier: Vec<Vec<usize>>,
    heap: BinaryHeap<Reverse<(Households, usize)>>,
}

impl Growth {
    /// A new region holding block `v`.
    fn start(&mut self, g: &Graph, owner: &mut [usize], v: usize) {
        let r = self.hh.len();
        owner[v] = r;
        self.hh.push(g.hh[v]);
        self.centre.push((g.xy[v].0, g.xy[v].1, 1.0));
        self.frontier.push(g.nb[v].iter().map(|&(u, _)| u).collect());
        self.heap.push(Reverse((Households(g.hh[v]), r)));
    }

    /// Region `r` takes its free neighbour nearest to its centre, if it has one.
    fn extend(&mut self, g: &Graph, owner: &mut [usize], r: usize) {
        self.frontier[r].retain(|&u| owner[u] == NONE);
        let (cx, cy, cn) = self.centre[r];
        let c = (cx / cn, cy / cn);
        let nearest =
            self.frontier[r].iter().enumerate().min_by(|a, b| d2(g.xy[*a.1], c).total_cmp(&d2(g.xy[*b.1], c)));
        let Some((pos, &u)) = nearest else {
            return; // boxed in: this region is done
        };
        self.frontier[r].swap_remove(pos);
        owner[u] = r;
        self.hh[r] += g.hh[u];
        self.centre[r] = (cx + g.xy[u].0, cy + g.xy[u].1, cn + 1.0);
        self.frontier[r].extend(g.nb[u].iter().map(|&(w, _)| w).filter(|&w| owner[w] == NONE));
        self.heap.push(Reverse((Households(self.hh[r]), r)));
    }
}

/// Households of a growing region, totally ordered for the heap.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Households(f64);

impl Eq for Households {}

impl PartialOrd for Households {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Households {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}
