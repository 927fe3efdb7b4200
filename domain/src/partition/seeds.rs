//! Where the grids of odd starts begin growing: one seed block per balanced cell.

use super::graph::{d2, Graph};

/// One seed per cell: the block nearest the cell's household-weighted centre.
pub(super) fn cell_centres(g: &Graph, cells: &[Vec<usize>]) -> Vec<usize> {
    cells
        .iter()
        .filter(|cell| !cell.is_empty())
        .map(|cell| {
            let weight = |v: usize| g.hh[v].max(1e-9);
            let total: f64 = cell.iter().map(|&v| weight(v)).sum();
            let (x, y) =
                cell.iter().fold((0.0, 0.0), |(x, y), &v| (x + g.xy[v].0 * weight(v), y + g.xy[v].1 * weight(v)));
            let c = (x / total, y / total);
            cell.iter()
                .copied()
                .min_by(|&a, &b| d2(g.xy[a], c).total_cmp(&d2(g.xy[b], c)).then(a.cmp(&b)))
                .expect("non-empty")
        })
        .collect()
}
