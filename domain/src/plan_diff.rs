//! What changed between two versions of a community's plan: the blocks that changed grid and the households they
//! took with them. Grids are matched by key (a draft keeps the keys of the version it was based on).
//!
//! ```
//! use wangge_domain::plan_diff::diff;
//! let before = [(1, "a".to_string()), (2, "a".to_string()), (3, "b".to_string())];
//! let after = [(1, "a".to_string()), (2, "b".to_string()), (3, "b".to_string())];
//! let d = diff(&before, &after, |_| 40);
//! assert_eq!(d.moved.len(), 1);
//! assert_eq!(d.households_moved, 40);
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::plan::BlockId;

/// One block that changed grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlockMove {
    /// The block.
    pub block: BlockId,
    /// Its grid before (`None`: it was unassigned or did not exist).
    pub from: Option<String>,
    /// Its grid after.
    pub to: Option<String>,
    /// Its households.
    pub households: u32,
}

/// Households that moved from one grid to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flow {
    /// From grid.
    pub from: Option<String>,
    /// To grid.
    pub to: Option<String>,
    /// Blocks moved.
    pub blocks: usize,
    /// Households moved.
    pub households: u32,
}

/// The difference between two plans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanDiff {
    /// Every block that changed grid, by block id.
    pub moved: Vec<BlockMove>,
    /// The same, summed per (from, to) pair, largest first.
    pub flows: Vec<Flow>,
    /// Total households in moved blocks.
    pub households_moved: u32,
    /// Grid keys only in the newer plan.
    pub grids_added: Vec<String>,
    /// Grid keys only in the older plan.
    pub grids_removed: Vec<String>,
}

/// Compare two block → grid assignments.
pub fn diff(
    before: &[(BlockId, String)],
    after: &[(BlockId, String)],
    households: impl Fn(BlockId) -> u32,
) -> PlanDiff {
    let old: BTreeMap<BlockId, &str> = before.iter().map(|(b, g)| (*b, g.as_str())).collect();
    let new: BTreeMap<BlockId, &str> = after.iter().map(|(b, g)| (*b, g.as_str())).collect();
    let blocks: BTreeSet<BlockId> = old.keys().chain(new.keys()).copied().collect();
    let moved: Vec<BlockMove> = blocks
        .into_iter()
        .filter(|b| old.get(b) != new.get(b))
        .map(|b| BlockMove {
            block: b,
            from: old.get(&b).map(|s| s.to_string()),
            to: new.get(&b).map(|s| s.to_string()),
            households: households(b),
        })
        .collect();
    let mut flows: BTreeMap<(Option<String>, Option<String>), (usize, u32)> = BTreeMap::new();
    for m in &moved {
        let f = flows.entry((m.from.clone(), m.to.clone())).or_default();
        f.0 += 1;
        f.1 += m.households;
    }
    let mut flows: Vec<Flow> =
        flows.into_iter().map(|((from, to), (blocks, households))| Flow { from, to, blocks, households }).collect();
    flows.sort_by(|a, b| b.households.cmp(&a.households).then(a.blocks.cmp(&b.blocks).reverse()));
    let keys = |m: &BTreeMap<BlockId, &str>| m.values().map(|s| s.to_string()).collect::<BTreeSet<String>>();
    let (old_keys, new_keys) = (keys(&old), keys(&new));
    PlanDiff {
        households_moved: moved.iter().map(|m| m.households).sum(),
        moved,
        flows,
        grids_added: new_keys.difference(&old_keys).cloned().collect(),
        grids_removed: old_keys.difference(&new_keys).cloned().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_plans_have_no_difference_and_flows_sum_up() {
        let a: Vec<(BlockId, String)> = (1..=6).map(|b| (b, if b <= 3 { "x" } else { "y" }.to_string())).collect();
        assert!(diff(&a, &a, |_| 1).moved.is_empty());
        let mut b = a.clone();
        b[2].1 = "y".into();
        b[1].1 = "y".into();
        b[5].1 = "z".into();
        let d = diff(&a, &b, |id| id as u32 * 10);
        assert_eq!(d.moved.len(), 3);
        assert_eq!(d.households_moved, 20 + 30 + 60);
        assert_eq!(d.flows[0], Flow { from: Some("y".into()), to: Some("z".into()), blocks: 1, households: 60 });
        assert_eq!(d.flows[1], Flow { from: Some("x".into()), to: Some("y".into()), blocks: 2, households: 50 });
        assert_eq!(d.grids_added, vec!["z".to_string()]);
        assert!(d.grids_removed.is_empty());
    }
}
