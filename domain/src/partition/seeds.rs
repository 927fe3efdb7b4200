//! Where the grids start growing: one seed block per grid.

use super::graph::{d2, pick, Graph};

/// One seed per cell of a recursive coordinate bisection of `free` into `k` cells of about equal households: each
/// cut runs across the longer side at the household-weighted position that gives each side its share of the cells.
/// The seed is the block nearest its cell's household-weighted centre.
pub(super) fn bisection_seeds(g: &Graph, free: &[usize], k: usize) -> Vec<usize> {
    bisection_cells(g, free, k)
        .iter()
        .map(|cell| {
            let total: f64 = cell.iter().map(|&v| g.hh[v].max(1e-9)).sum();
            let c = cell
                .iter()
                .fold((0.0, 0.0), |(x, y), &v| (x + g.xy[v].0 * g.hh[v].max(1e-9), y + g.xy[v].1 * g.hh[v].max(1e-9)));
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
        let (min_x, max_x, min_y, max_y) =
            cell.iter().fold((f64::MAX, f64::MIN, f64::MAX, f64::MIN), |(a, b, c, d), &v| {
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
