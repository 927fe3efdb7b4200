//! "Rebalance neighbours": re-divide the grids around one grid and keep every other grid as it is.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::{partition, BlockGraphInput, Options, PartitionError, PartitionResult};

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
