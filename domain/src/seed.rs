//! A first, simple division of a community into contiguous grids of about the target household count.
//!
//! Region growing in reading order: start a grid at the north-western free block, add the free neighbour nearest
//! to the grid's centre until the grid reaches the band, then merge leftovers too small to stand alone into their
//! smallest neighbour. Every grid is contiguous by construction. This is the demo district's initial plan and a
//! starting point for planners; the optimising partitioner improves on it.
//!
//! ```
//! use wangge_domain::seed::{seed_partition, SeedBlock};
//! use wangge_domain::plan::Band;
//! // a 1 × 6 strip of blocks with 100 households each → two grids of 300
//! let blocks: Vec<SeedBlock> = (0..6).map(|i| SeedBlock { id: i, households: 100, x: i as f64, y: 0.0 }).collect();
//! let adjacency: Vec<(i64, i64)> = (0..5).map(|i| (i, i + 1)).collect();
//! let grids = seed_partition(&blocks, &adjacency, Band::default());
//! assert_eq!(grids, vec![vec![0, 1, 2], vec![3, 4, 5]]);
//! ```

use std::collections::HashMap;

use crate::plan::{Band, BlockId};

/// A block with what growing needs: households and a representative point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeedBlock {
    /// Block id.
    pub id: BlockId,
    /// Households.
    pub households: u32,
    /// Longitude (or any planar x) of a point inside the block.
    pub x: f64,
    /// Latitude (or any planar y).
    pub y: f64,
}

/// Divide the blocks into contiguous groups of about `band.target` households; each group sorted by id.
pub fn seed_partition(blocks: &[SeedBlock], adjacency: &[(BlockId, BlockId)], band: Band) -> Vec<Vec<BlockId>> {
    let n = blocks.len();
    let index: HashMap<BlockId, usize> = blocks.iter().enumerate().map(|(i, b)| (b.id, i)).collect();
    let mut nb = vec![Vec::new(); n];
    for (a, b) in adjacency {
        if let (Some(&i), Some(&j)) = (index.get(a), index.get(b)) {
            if i != j {
                nb[i].push(j);
                nb[j].push(i);
            }
        }
    }
    let target = f64::from(band.target);
    let low = target * (1.0 - band.tolerance);
    let high = target * (1.0 + band.tolerance);
    let order = crate::numbering::reading_order(&blocks.iter().map(|b| (b.x, b.y)).collect::<Vec<_>>());
    let mut by_order: Vec<usize> = (0..n).collect();
    by_order.sort_by_key(|&i| order[i]);

    let mut owner = vec![usize::MAX; n];
    let mut regions: Vec<Vec<usize>> = Vec::new();
    let mut totals: Vec<f64> = Vec::new();
    for &start in &by_order {
        if owner[start] != usize::MAX {
            continue;
        }
        let r = regions.len();
        let mut members = vec![start];
        owner[start] = r;
        let mut total = f64::from(blocks[start].households);
        let (mut sx, mut sy) = (blocks[start].x, blocks[start].y);
        while total < low {
            let (cx, cy) = (sx / members.len() as f64, sy / members.len() as f64);
            let best = members
                .iter()
                .flat_map(|&m| nb[m].iter().copied())
                .filter(|&j| owner[j] == usize::MAX)
                .min_by(|&a, &b| {
                    let da = (blocks[a].x - cx).powi(2) + (blocks[a].y - cy).powi(2);
                    let db = (blocks[b].x - cx).powi(2) + (blocks[b].y - cy).powi(2);
                    da.total_cmp(&db).then(a.cmp(&b))
                });
            let Some(j) = best else { break };
            let added = f64::from(blocks[j].households);
            if total + added > high && total >= low * 0.5 && (total + added - target).abs() > (total - target).abs() {
                break;
            }
            owner[j] = r;
            members.push(j);
            total += added;
            sx += blocks[j].x;
            sy += blocks[j].y;
        }
        regions.push(members);
        totals.push(total);
    }

    // Merge regions too small to stand alone into their smallest neighbouring region.
    let mut alive = vec![true; regions.len()];
    let mut small: Vec<usize> = (0..regions.len()).filter(|&r| totals[r] < target * 0.5).collect();
    small.sort_by(|&a, &b| totals[a].total_cmp(&totals[b]));
    for r in small {
        if !alive[r] || totals[r] >= target * 0.5 {
            continue;
        }
        let neighbour = regions[r]
            .iter()
            .flat_map(|&m| nb[m].iter().map(|&j| owner[j]))
            .filter(|&o| o != r && alive[o])
            .min_by(|&a, &b| totals[a].total_cmp(&totals[b]).then(a.cmp(&b)));
        if let Some(into) = neighbour {
            let moved = std::mem::take(&mut regions[r]);
            for &m in &moved {
                owner[m] = into;
            }
            regions[into].extend(moved);
            totals[into] += totals[r];
            alive[r] = false;
        }
    }
    let mut out: Vec<Vec<BlockId>> = regions
        .into_iter()
        .zip(alive)
        .filter(|(m, a)| *a && !m.is_empty())
        .map(|(m, _)| {
            let mut ids: Vec<BlockId> = m.into_iter().map(|i| blocks[i].id).collect();
            ids.sort_unstable();
            ids
        })
        .collect();
    out.sort();
    out
}
