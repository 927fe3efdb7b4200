//! Grid identity across plan versions. A new version's grids are matched to the grids of the version they replace
//! by the households (and blocks) they share: a grid that holds most of what an old grid was keeps its code; a grid
//! made of nothing old, or of what another grid kept the code of, takes the next sequence number never issued in
//! its community; an old code that no grid keeps is retired. Each new grid records where it came from and how much.
//!
//! ```
//! use wangge_domain::lineage::{trace, Before, After, Origin};
//! // Old grid 1 (blocks 1–4, 100 households each) is split: blocks 1–3 stay together, block 4 goes alone.
//! let old = [Before { seq: 1, dedicated: false, blocks: vec![(1, 100), (2, 100), (3, 100), (4, 100)] }];
//! let new = [
//!     After { dedicated: false, blocks: vec![(1, 100), (2, 100), (3, 100)], at: (0.0, 0.0) },
//!     After { dedicated: false, blocks: vec![(4, 100)], at: (1.0, 0.0) },
//! ];
//! let t = trace(&old, &new, 2);
//! assert_eq!((t.grids[0].seq, t.grids[1].seq), (1, 2));
//! assert_eq!((t.grids[0].origin, t.grids[1].origin), (Origin::Split, Origin::Split));
//! assert!(t.retired.is_empty());
//! ```

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::numbering::reading_order;

/// A grid of the version replaced: its sequence number in the community, kind and blocks with their households.
#[derive(Debug, Clone, PartialEq)]
pub struct Before {
    /// Sequence number (the code's last three digits).
    pub seq: u16,
    /// A dedicated grid (only a dedicated grid keeps a dedicated grid's code, and a natural one a natural one's).
    pub dedicated: bool,
    /// (block id, households).
    pub blocks: Vec<(i64, u32)>,
}

/// A grid of the new version.
#[derive(Debug, Clone, PartialEq)]
pub struct After {
    /// See [`Before::dedicated`].
    pub dedicated: bool,
    /// (block id, households).
    pub blocks: Vec<(i64, u32)>,
    /// An interior point (longitude, latitude): new numbers are issued in reading order.
    pub at: (f64, f64),
}

/// How a grid came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The same blocks as one old grid.
    Unchanged,
    /// Mostly one old grid, with blocks added or taken away.
    Reshaped,
    /// A part of an old grid that went to two or more new grids (each holding at least a quarter of it), or a part
    /// taken from an old grid under a new number.
    Split,
    /// Most of two or more old grids.
    Merged,
    /// Nothing of the version replaced.
    New,
}

impl Origin {
    /// Every origin.
    pub const ALL: [Origin; 5] = [Origin::Unchanged, Origin::Reshaped, Origin::Split, Origin::Merged, Origin::New];

    /// Its name as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Unchanged => "unchanged",
            Origin::Reshaped => "reshaped",
            Origin::Split => "split",
            Origin::Merged => "merged",
            Origin::New => "new",
        }
    }

    /// The origin named `s`.
    pub fn parse(s: &str) -> Option<Origin> {
        Origin::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// An old grid a new one holds a part of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parent {
    /// The old grid's sequence number.
    pub seq: u16,
    /// Households it passed on.
    pub households: u32,
    /// Blocks it passed on.
    pub blocks: u32,
    /// The share of the old grid that passed on (of its households; of its blocks when it had none).
    pub share: f64,
}

/// A new grid's number and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Traced {
    /// Its sequence number: an old grid's, kept, or a new one.
    pub seq: u16,
    /// Whether the number is an old grid's.
    pub kept: bool,
    /// How it came about.
    pub origin: Origin,
    /// The old grids it holds a part of, the largest part first.
    pub parents: Vec<Parent>,
}

/// The new version traced to the old.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// Per new grid, in the order given.
    pub grids: Vec<Traced>,
    /// Old sequence numbers no grid keeps (never to be issued again).
    pub retired: Vec<u16>,
}

/// A share above which a grid "holds most" of an old grid.
const MOST: f64 = 0.5;
/// The share of an old grid each of two new grids must hold for the old grid to count as split.
const SPLIT_PART: f64 = 0.25;

/// Match `new` to `old`; numbers not kept are issued from `next_seq` on (the community's highest number ever issued,
/// plus one), in reading order.
pub fn trace(old: &[Before], new: &[After], next_seq: u16) -> Trace {
    let owner: HashMap<i64, usize> =
        old.iter().enumerate().flat_map(|(i, g)| g.blocks.iter().map(move |(b, _)| (*b, i))).collect();
    // Per new grid, per old grid: (households, blocks) shared.
    let shared: Vec<HashMap<usize, (u32, u32)>> = new
        .iter()
        .map(|g| {
            let mut from: HashMap<usize, (u32, u32)> = HashMap::new();
            for (b, h) in &g.blocks {
                if let Some(&i) = owner.get(b) {
                    let e = from.entry(i).or_default();
                    e.0 += h;
                    e.1 += 1;
                }
            }
            from
        })
        .collect();
    let totals: Vec<(u32, u32)> =
        old.iter().map(|g| (g.blocks.iter().map(|(_, h)| h).sum(), g.blocks.len() as u32)).collect();
    let share = |i: usize, (h, b): (u32, u32)| {
        let (th, tb) = totals[i];
        if th > 0 {
            f64::from(h) / f64::from(th)
        } else if tb > 0 {
            f64::from(b) / f64::from(tb)
        } else {
            0.0
        }
    };
    let parents: Vec<Vec<Parent>> = shared
        .iter()
        .map(|from| {
            let mut p: Vec<Parent> = from
                .iter()
                .map(|(&i, &(h, b))| Parent { seq: old[i].seq, households: h, blocks: b, share: share(i, (h, b)) })
                .collect();
            p.sort_by(|a, b| (b.households, b.blocks, a.seq).cmp(&(a.households, a.blocks, b.seq)));
            p
        })
        .collect();

    // Who keeps which number: pairs where the new grid holds most of the old one, the biggest shared part first.
    let mut pairs: Vec<(usize, usize, (u32, u32))> = shared
        .iter()
        .enumerate()
        .flat_map(|(n, from)| from.iter().map(move |(&i, &part)| (n, i, part)))
        .filter(|&(n, i, part)| share(i, part) > MOST && new[n].dedicated == old[i].dedicated)
        .collect();
    pairs.sort_by(|a, b| (b.2, old[a.1].seq).cmp(&(a.2, old[b.1].seq)));
    let mut kept: Vec<Option<u16>> = vec![None; new.len()];
    let mut taken = vec![false; old.len()];
    for (n, i, _) in pairs {
        if kept[n].is_none() && !taken[i] {
            kept[n] = Some(old[i].seq);
            taken[i] = true;
        }
    }

    // New numbers in reading order of the grids that need one.
    let needing: Vec<usize> = (0..new.len()).filter(|&n| kept[n].is_none()).collect();
    let order = reading_order(&needing.iter().map(|&n| new[n].at).collect::<Vec<_>>());
    let mut seqs: Vec<u16> = kept.iter().map(|k| k.unwrap_or_default()).collect();
    for (k, &n) in needing.iter().enumerate() {
        seqs[n] = next_seq.saturating_add(order[k] - 1);
    }

    // An old grid is split when two new grids each hold a quarter of it or more.
    let mut big_parts = vec![0u32; old.len()];
    for from in &shared {
        for (&i, &part) in from {
            if share(i, part) >= SPLIT_PART {
                big_parts[i] += 1;
            }
        }
    }
    let index_of: HashMap<u16, usize> = old.iter().enumerate().map(|(i, g)| (g.seq, i)).collect();
    let grids = (0..new.len())
        .map(|n| {
            let p = &parents[n];
            let most_of = p.iter().filter(|x| x.share > MOST).count();
            let origin = match p.first() {
                None => Origin::New,
                Some(main) => {
                    let i = index_of[&main.seq];
                    if kept[n].is_some()
                        && p.len() == 1
                        && main.blocks == totals[i].1
                        && main.blocks as usize == new[n].blocks.len()
                    {
                        Origin::Unchanged
                    } else if most_of >= 2 {
                        Origin::Merged
                    } else if big_parts[i] >= 2 || kept[n].is_none() {
                        Origin::Split
                    } else {
                        Origin::Reshaped
                    }
                }
            };
            Traced { seq: seqs[n], kept: kept[n].is_some(), origin, parents: p.clone() }
        })
        .collect();
    let mut retired: Vec<u16> = old.iter().enumerate().filter(|(i, _)| !taken[*i]).map(|(_, g)| g.seq).collect();
    retired.sort_unstable();
    Trace { grids, retired }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn before(seq: u16, blocks: &[(i64, u32)]) -> Before {
        Before { seq, dedicated: false, blocks: blocks.to_vec() }
    }

    fn after(blocks: &[(i64, u32)], x: f64) -> After {
        After { dedicated: false, blocks: blocks.to_vec(), at: (x, 0.0) }
    }

    #[test]
    fn untouched_grids_keep_their_numbers_and_a_merge_retires_the_smaller() {
        let old = [before(1, &[(1, 300)]), before(2, &[(2, 200)]), before(3, &[(3, 100)]), before(4, &[(4, 300)])];
        // 2 and 3 merged; 1 and 4 untouched.
        let new = [after(&[(1, 300)], 0.0), after(&[(2, 200), (3, 100)], 1.0), after(&[(4, 300)], 2.0)];
        let t = trace(&old, &new, 5);
        let seqs: Vec<u16> = t.grids.iter().map(|g| g.seq).collect();
        assert_eq!(seqs, vec![1, 2, 4]);
        assert_eq!(t.grids[1].origin, Origin::Merged);
        assert_eq!(t.grids[0].origin, Origin::Unchanged);
        assert_eq!(t.retired, vec![3]);
        assert_eq!(t.grids[1].parents.iter().map(|p| (p.seq, p.households)).collect::<Vec<_>>(), [(2, 200), (3, 100)]);
    }

    #[test]
    fn a_grid_from_nothing_old_takes_the_next_number_never_an_old_one() {
        let old = [before(1, &[(1, 300)]), before(3, &[(3, 300)])];
        let new = [after(&[(1, 300)], 0.0), after(&[(3, 300)], 1.0), after(&[(9, 50)], 2.0), after(&[(8, 50)], -1.0)];
        let t = trace(&old, &new, 7);
        assert_eq!(
            t.grids.iter().map(|g| (g.seq, g.origin)).collect::<Vec<_>>(),
            [(1, Origin::Unchanged), (3, Origin::Unchanged), (8, Origin::New), (7, Origin::New)]
        );
        assert!(t.retired.is_empty());
    }

    #[test]
    fn a_small_move_reshapes_both_grids_and_no_one_loses_a_number() {
        let old = [before(1, &[(1, 290), (2, 10)]), before(2, &[(3, 300)])];
        let new = [after(&[(1, 290)], 0.0), after(&[(2, 10), (3, 300)], 1.0)];
        let t = trace(&old, &new, 3);
        assert_eq!(
            t.grids.iter().map(|g| (g.seq, g.origin)).collect::<Vec<_>>(),
            [(1, Origin::Reshaped), (2, Origin::Reshaped)]
        );
        let moved = &t.grids[1].parents[1];
        assert_eq!((moved.seq, moved.households), (1, 10));
        assert!((moved.share - 10.0 / 300.0).abs() < 1e-12);
    }

    #[test]
    fn an_even_split_keeps_the_number_on_one_half_and_grids_without_households_go_by_blocks() {
        let old = [before(4, &[(1, 0), (2, 0), (3, 0), (4, 0)])];
        let new = [after(&[(1, 0), (2, 0)], 1.0), after(&[(3, 0), (4, 0), (5, 0)], 0.0)];
        let t = trace(&old, &new, 5);
        // Neither half holds most of it: the number is retired, both halves are new numbers, split from 4.
        assert_eq!(t.retired, vec![4]);
        assert_eq!(
            t.grids.iter().map(|g| (g.seq, g.origin)).collect::<Vec<_>>(),
            [(6, Origin::Split), (5, Origin::Split)]
        );
        assert!(t.grids.iter().all(|g| (g.parents[0].share - 0.5).abs() < 1e-12));
    }

    #[test]
    fn a_dedicated_grid_never_takes_a_natural_grids_number() {
        let old = [before(1, &[(1, 300)])];
        let new = [After { dedicated: true, blocks: vec![(1, 300)], at: (0.0, 0.0) }];
        let t = trace(&old, &new, 2);
        assert_eq!((t.grids[0].seq, t.grids[0].kept, t.retired.clone()), (2, false, vec![1]));
    }
}
