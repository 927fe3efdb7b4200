//! Where the grids start growing: one seed block per grid.

use super::graph::{d2, pick, Graph};

/// Seeds by farthest-point sampling from a random first block.
pub(super) fn farthest_point_seeds(g: &Graph, free: &[usize], k: usize, rs: &mut u64) -> Vec<usize> {
    let mut seeds = vec![free[pick(rs, free.len())]];
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
