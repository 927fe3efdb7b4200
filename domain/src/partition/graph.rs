//! The partitioner's working graph: blocks by dense index, with their neighbours and shared boundary lengths.

use std::collections::HashMap;

use super::{BlockGraphInput, PartitionError};

/// Blocks by dense index `0..n` (the order of the input's nodes).
pub(super) struct Graph {
    /// Households per block.
    pub hh: Vec<f64>,
    /// Area per block.
    pub area: Vec<f64>,
    /// Perimeter per block.
    pub perim: Vec<f64>,
    /// Representative point per block.
    pub xy: Vec<(f64, f64)>,
    /// Neighbours and shared boundary lengths per block.
    pub nb: Vec<Vec<(usize, f64)>>,
}

impl Graph {
    /// Index the input's blocks and edges; refuses duplicate ids and edges naming unknown blocks.
    pub fn new(input: &BlockGraphInput) -> Result<(Self, HashMap<i64, usize>), PartitionError> {
        let n = input.nodes.len();
        let mut index = HashMap::with_capacity(n);
        for (i, node) in input.nodes.iter().enumerate() {
            if index.insert(node.id, i).is_some() {
                return Err(PartitionError::Duplicate(node.id));
            }
        }
        let mut nb = vec![Vec::new(); n];
        for e in &input.edges {
            let a = *index.get(&e.a).ok_or(PartitionError::UnknownBlock(e.a))?;
            let b = *index.get(&e.b).ok_or(PartitionError::UnknownBlock(e.b))?;
            if a != b {
                nb[a].push((b, e.length));
                nb[b].push((a, e.length));
            }
        }
        let graph = Graph {
            hh: input.nodes.iter().map(|n| f64::from(n.households)).collect(),
            area: input.nodes.iter().map(|n| n.area).collect(),
            perim: input.nodes.iter().map(|n| n.perimeter).collect(),
            xy: input.nodes.iter().map(|n| (n.x, n.y)).collect(),
            nb,
        };
        Ok((graph, index))
    }

    /// Number of blocks.
    pub fn len(&self) -> usize {
        self.hh.len()
    }
}

/// The next number in `[0, 1)` of a SplitMix64 sequence kept in `state` (deterministic, no dependency).
pub(super) fn rng(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
}

/// A random index below `len` (which must be positive).
pub(super) fn pick(state: &mut u64, len: usize) -> usize {
    (rng(state) * len as f64) as usize % len
}

/// Squared distance.
pub(super) fn d2(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)
}
