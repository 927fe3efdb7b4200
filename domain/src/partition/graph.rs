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
    /// Compound of each building cell (a dense index), [`NO_COMPOUND`] for whole blocks.
    pub compound: Vec<u32>,
}

/// How many times a street's boundary of the same length a boundary between two cells of one compound costs.
pub const COMPOUND_CUT: f64 = 5.0;

/// See [`Graph::compound`].
pub(super) const NO_COMPOUND: u32 = u32::MAX;

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
            compound: {
                let mut dense: HashMap<i64, u32> = HashMap::new();
                input
                    .nodes
                    .iter()
                    .map(|n| match n.compound {
                        Some(c) => {
                            let next = dense.len() as u32;
                            *dense.entry(c).or_insert(next)
                        }
                        None => NO_COMPOUND,
                    })
                    .collect()
            },
        };
        Ok((graph, index))
    }

    /// The price of a boundary of `len` between blocks `v` and `u` becoming a boundary between grids.
    pub fn price(&self, v: usize, u: usize, len: f64) -> f64 {
        if self.inside_compound(v, u) {
            len * COMPOUND_CUT
        } else {
            len
        }
    }

    /// Number of compounds (dense indices `0..n`).
    pub fn compounds(&self) -> usize {
        self.compound.iter().filter(|&&c| c != NO_COMPOUND).map(|&c| c as usize + 1).max().unwrap_or(0)
    }

    /// Whether the boundary between `v` and `u` runs inside a compound.
    pub fn inside_compound(&self, v: usize, u: usize) -> bool {
        self.compound[v] != NO_COMPOUND && self.compound[v] == self.compound[u]
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
