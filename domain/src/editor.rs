//! The planner's working copy of a plan: which grid each block is in, edited stroke by stroke with undo and redo,
//! and the live figures (households, residents, deviation, contiguity, unassigned blocks) kept up to date
//! incrementally — a stroke costs the blocks it moves and the grids it touches, not the size of the community. The
//! same code runs in the browser (the editor) and on the server (tests, benchmarks).
//!
//! ```
//! use wangge_domain::editor::{Draft, EditBlock};
//! use wangge_domain::plan::GridKind;
//! let blocks = vec![EditBlock { id: 1, households: 100, residents: 250 }, EditBlock { id: 2, households: 120, residents: 300 }];
//! let mut draft = Draft::new(blocks, vec![(1, 2)]);
//! let a = draft.add_grid("a", GridKind::Natural);
//! draft.paint(&[1, 2], a, 1).unwrap();
//! assert_eq!(draft.grid(a).households, 220);
//! draft.undo();
//! assert_eq!(draft.grid(a).households, 0);
//! assert_eq!(draft.unassigned().len(), 2);
//! ```

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use crate::plan::{Band, BlockGraph, BlockId, BlockNode, GridKind, ProposedGrid};

/// A block as the editor needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EditBlock {
    /// Id.
    pub id: BlockId,
    /// Households.
    pub households: u32,
    /// Residents.
    pub residents: u32,
}

/// Index of a grid in the draft (stable for the draft's life: grids are never removed, only emptied).
pub type GridIx = usize;

/// One grid of the working copy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EditGrid {
    /// Key (the code of the grid it came from, or a new label).
    pub key: String,
    /// Natural or dedicated.
    pub kind: GridKind,
    /// Locked grids keep their blocks: strokes skip them.
    pub locked: bool,
    /// Sum of its blocks' households.
    pub households: u32,
    /// Sum of its blocks' residents.
    pub residents: u32,
    /// Its blocks.
    pub blocks: BTreeSet<BlockId>,
}

/// Why an edit was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// The target grid is locked.
    #[error("grid {0} is locked")]
    Locked(String),
    /// No such grid.
    #[error("no grid {0}")]
    NoGrid(GridIx),
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    /// Blocks moved: (block, from, to).
    Moves(Vec<(BlockId, Option<GridIx>, Option<GridIx>)>),
    /// A grid was locked or unlocked.
    Lock(GridIx, bool),
    /// A grid's kind changed.
    Kind(GridIx, GridKind, GridKind),
}

#[derive(Debug, Clone, PartialEq)]
struct Edit {
    stroke: u64,
    steps: Vec<Step>,
}

/// What an edit (or its undo) changed: blocks with their new grid, and the grids whose figures changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes {
    /// Blocks whose grid changed, with the new grid (`None`: unassigned).
    pub blocks: Vec<(BlockId, Option<GridIx>)>,
    /// Grids whose figures or flags changed.
    pub grids: BTreeSet<GridIx>,
}

impl Changes {
    fn merge(&mut self, other: Changes) {
        self.blocks.extend(other.blocks);
        self.grids.extend(other.grids);
    }
}

/// A grid's figures for the live panel.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Figures {
    /// Households.
    pub households: u32,
    /// Residents.
    pub residents: u32,
    /// Blocks.
    pub blocks: usize,
    /// Relative deviation from the target.
    pub deviation: f64,
    /// Connected pieces (1 when contiguous; 0 when empty).
    pub pieces: usize,
}

/// The working copy.
#[derive(Debug, Clone)]
pub struct Draft {
    graph: BlockGraph,
    residents: HashMap<BlockId, u32>,
    owner: HashMap<BlockId, GridIx>,
    grids: Vec<EditGrid>,
    pieces: Vec<Option<Vec<Vec<BlockId>>>>,
    undo: Vec<Edit>,
    redo: Vec<Edit>,
    band: Band,
}

impl Draft {
    /// A draft with every block unassigned and no grids.
    pub fn new(blocks: Vec<EditBlock>, adjacent: Vec<(BlockId, BlockId)>) -> Self {
        let residents = blocks.iter().map(|b| (b.id, b.residents)).collect();
        let nodes = blocks.iter().map(|b| BlockNode { id: b.id, households: b.households }).collect();
        Self {
            graph: BlockGraph::new(nodes, adjacent),
            residents,
            owner: HashMap::new(),
            grids: Vec::new(),
            pieces: Vec::new(),
            undo: Vec::new(),
            redo: Vec::new(),
            band: Band::default(),
        }
    }

    /// Add an empty grid; returns its index. (Not an undoable edit: an empty grid changes nothing.)
    pub fn add_grid(&mut self, key: &str, kind: GridKind) -> GridIx {
        self.grids.push(EditGrid {
            key: key.to_owned(),
            kind,
            locked: false,
            households: 0,
            residents: 0,
            blocks: BTreeSet::new(),
        });
        self.pieces.push(Some(Vec::new()));
        self.grids.len() - 1
    }

    /// A key no grid has yet: `new-1`, `new-2`, …
    pub fn fresh_key(&self) -> String {
        (1..).map(|i| format!("new-{i}")).find(|k| !self.grids.iter().any(|g| &g.key == k)).expect("unbounded")
    }

    /// Load an existing plan's assignment (not undoable: the starting point).
    pub fn load(&mut self, grid: GridIx, blocks: &[BlockId]) {
        for &b in blocks {
            if self.graph.contains(b) {
                self.apply_move(b, Some(grid));
            }
        }
        self.undo.clear();
        self.redo.clear();
    }

    /// The grids.
    pub fn grids(&self) -> &[EditGrid] {
        &self.grids
    }

    /// One grid.
    pub fn grid(&self, ix: GridIx) -> &EditGrid {
        &self.grids[ix]
    }

    /// The grid a block is in.
    pub fn owner(&self, block: BlockId) -> Option<GridIx> {
        self.owner.get(&block).copied()
    }

    /// The block graph.
    pub fn graph(&self) -> &BlockGraph {
        &self.graph
    }

    /// Blocks in no grid.
    pub fn unassigned(&self) -> Vec<BlockId> {
        self.graph.blocks().iter().map(|b| b.id).filter(|id| !self.owner.contains_key(id)).collect()
    }

    /// A grid's live figures (contiguity is recomputed only for grids changed since it was last asked).
    pub fn figures(&mut self, ix: GridIx) -> Figures {
        let g = &self.grids[ix];
        if self.pieces[ix].is_none() {
            let ids: Vec<BlockId> = g.blocks.iter().copied().collect();
            self.pieces[ix] = Some(self.graph.pieces(&ids));
        }
        let pieces = self.pieces[ix].as_ref().map_or(0, Vec::len);
        Figures {
            households: g.households,
            residents: g.residents,
            blocks: g.blocks.len(),
            deviation: self.band.deviation(g.households),
            pieces,
        }
    }

    /// A grid's connected pieces, largest first.
    pub fn pieces(&mut self, ix: GridIx) -> Vec<Vec<BlockId>> {
        self.figures(ix);
        self.pieces[ix].clone().unwrap_or_default()
    }

    fn apply_move(&mut self, block: BlockId, to: Option<GridIx>) -> Option<GridIx> {
        let households = self.graph.households(block);
        let residents = self.residents.get(&block).copied().unwrap_or(0);
        let from = match to {
            Some(t) => self.owner.insert(block, t),
            None => self.owner.remove(&block),
        };
        if let Some(f) = from {
            let g = &mut self.grids[f];
            g.blocks.remove(&block);
            g.households -= households;
            g.residents -= residents;
            self.pieces[f] = None;
        }
        if let Some(t) = to {
            let g = &mut self.grids[t];
            g.blocks.insert(block);
            g.households += households;
            g.residents += residents;
            self.pieces[t] = None;
        }
        from
    }

    fn record(&mut self, stroke: u64, step: Step) {
        self.redo.clear();
        match self.undo.last_mut() {
            Some(last) if last.stroke == stroke && stroke != 0 => last.steps.push(step),
            _ => self.undo.push(Edit { stroke, steps: vec![step] }),
        }
    }

    /// Move `blocks` into grid `to` (`None`: unassign them). Blocks already there, blocks of locked grids and
    /// unknown blocks are skipped. Edits with the same non-zero `stroke` merge into one undo step (a brush drag).
    pub fn paint(
        &mut self,
        blocks: &[BlockId],
        to: impl Into<Option<GridIx>>,
        stroke: u64,
    ) -> Result<Changes, EditError> {
        let to = to.into();
        if let Some(t) = to {
            let g = self.grids.get(t).ok_or(EditError::NoGrid(t))?;
            if g.locked {
                return Err(EditError::Locked(g.key.clone()));
            }
        }
        let mut moves = Vec::new();
        let mut changes = Changes::default();
        for &b in blocks {
            let from = self.owner(b);
            if !self.graph.contains(b) || from == to || from.is_some_and(|f| self.grids[f].locked) {
                continue;
            }
            self.apply_move(b, to);
            moves.push((b, from, to));
            changes.blocks.push((b, to));
            changes.grids.extend(from);
            changes.grids.extend(to);
        }
        if !moves.is_empty() {
            self.record(stroke, Step::Moves(moves));
        }
        Ok(changes)
    }

    /// Move every block of grid `from` into grid `into`.
    pub fn merge(&mut self, from: GridIx, into: GridIx) -> Result<Changes, EditError> {
        let g = self.grids.get(from).ok_or(EditError::NoGrid(from))?;
        if g.locked {
            return Err(EditError::Locked(g.key.clone()));
        }
        let blocks: Vec<BlockId> = g.blocks.iter().copied().collect();
        self.paint(&blocks, into, 0)
    }

    /// Lock or unlock a grid.
    pub fn set_locked(&mut self, ix: GridIx, locked: bool) -> Result<Changes, EditError> {
        let g = self.grids.get_mut(ix).ok_or(EditError::NoGrid(ix))?;
        if g.locked != locked {
            g.locked = locked;
            self.record(0, Step::Lock(ix, !locked));
        }
        Ok(Changes { blocks: Vec::new(), grids: [ix].into() })
    }

    /// Make a grid natural or dedicated.
    pub fn set_kind(&mut self, ix: GridIx, kind: GridKind) -> Result<Changes, EditError> {
        let g = self.grids.get_mut(ix).ok_or(EditError::NoGrid(ix))?;
        if g.kind != kind {
            let old = g.kind;
            g.kind = kind;
            self.record(0, Step::Kind(ix, old, kind));
        }
        Ok(Changes { blocks: Vec::new(), grids: [ix].into() })
    }

    fn reverse(&mut self, step: &Step, forward: bool) -> Changes {
        let mut changes = Changes::default();
        match step {
            Step::Moves(moves) => {
                let ordered: Vec<_> = if forward { moves.clone() } else { moves.iter().rev().cloned().collect() };
                for (b, from, to) in ordered {
                    let target = if forward { to } else { from };
                    self.apply_move(b, target);
                    changes.blocks.push((b, target));
                    changes.grids.extend(from);
                    changes.grids.extend(to);
                }
            }
            Step::Lock(ix, was) => {
                self.grids[*ix].locked = if forward { !*was } else { *was };
                changes.grids.insert(*ix);
            }
            Step::Kind(ix, old, new) => {
                self.grids[*ix].kind = if forward { *new } else { *old };
                changes.grids.insert(*ix);
            }
        }
        changes
    }

    /// Undo the last edit; `None` when there is nothing to undo.
    pub fn undo(&mut self) -> Option<Changes> {
        let edit = self.undo.pop()?;
        let mut changes = Changes::default();
        for step in edit.steps.iter().rev() {
            changes.merge(self.reverse(step, false));
        }
        self.redo.push(edit);
        Some(changes)
    }

    /// Redo the last undone edit.
    pub fn redo(&mut self) -> Option<Changes> {
        let edit = self.redo.pop()?;
        let mut changes = Changes::default();
        for step in &edit.steps {
            changes.merge(self.reverse(step, true));
        }
        self.undo.push(edit);
        Some(changes)
    }

    /// Whether there is something to undo / redo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Whether there is something to redo.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// The plan as the API takes it: the non-empty grids with their blocks (dedicated grids keep all their blocks as
    /// the unit).
    pub fn proposed(&self) -> Vec<ProposedGrid> {
        self.grids
            .iter()
            .filter(|g| !g.blocks.is_empty())
            .map(|g| {
                let blocks: Vec<BlockId> = g.blocks.iter().copied().collect();
                match g.kind {
                    GridKind::Dedicated => ProposedGrid::dedicated(&g.key, blocks),
                    _ => ProposedGrid::natural(&g.key, blocks),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row of `n` blocks of 30 households, each adjacent to the next.
    fn row(n: i64) -> Draft {
        let blocks = (1..=n).map(|id| EditBlock { id, households: 30, residents: 75 }).collect();
        Draft::new(blocks, (1..n).map(|i| (i, i + 1)).collect())
    }

    #[test]
    fn strokes_merge_into_one_undo_step_and_redo_restores() {
        let mut d = row(10);
        let a = d.add_grid("a", GridKind::Natural);
        let b = d.add_grid("b", GridKind::Natural);
        d.load(a, &[1, 2, 3, 4, 5]);
        d.load(b, &[6, 7, 8, 9, 10]);
        assert!(!d.can_undo(), "loading is the starting point");
        d.paint(&[6], a, 7).unwrap();
        d.paint(&[7], a, 7).unwrap();
        assert_eq!((d.grid(a).households, d.grid(b).households), (210, 90));
        let undone = d.undo().unwrap();
        assert_eq!((d.grid(a).households, d.grid(b).households), (150, 150));
        assert_eq!(undone.blocks.len(), 2);
        assert!(!d.can_undo());
        d.redo().unwrap();
        assert_eq!(d.owner(7), Some(a));
    }

    #[test]
    fn locked_grids_keep_their_blocks() {
        let mut d = row(4);
        let a = d.add_grid("a", GridKind::Natural);
        let b = d.add_grid("b", GridKind::Natural);
        d.load(a, &[1, 2]);
        d.load(b, &[3, 4]);
        d.set_locked(b, true).unwrap();
        let c = d.paint(&[2, 3, 4], a, 0).unwrap();
        assert!(c.blocks.is_empty(), "2 is already in a; 3 and 4 are locked");
        assert_eq!(d.paint(&[1], b, 0), Err(EditError::Locked("b".into())));
        d.undo(); // unlock
        d.paint(&[3], a, 0).unwrap();
        assert_eq!(d.owner(3), Some(a));
    }

    #[test]
    fn figures_track_contiguity_and_gaps() {
        let mut d = row(6);
        let a = d.add_grid("a", GridKind::Natural);
        d.load(a, &[1, 2, 3, 4, 5, 6]);
        d.paint(&[3], None, 0).unwrap();
        let f = d.figures(a);
        assert_eq!((f.households, f.blocks, f.pieces), (150, 5, 2));
        assert_eq!(d.unassigned(), vec![3]);
        let b = d.add_grid(&d.fresh_key(), GridKind::Natural);
        d.merge(a, b).unwrap();
        assert_eq!(d.figures(a).pieces, 0);
        assert_eq!(d.proposed().len(), 1, "empty grids are left out of the plan");
        assert_eq!(d.grid(b).key, "new-1");
    }

    #[test]
    fn undoing_everything_restores_the_start_exactly() {
        let mut d = row(30);
        let grids: Vec<GridIx> = (0..3).map(|i| d.add_grid(&format!("g{i}"), GridKind::Natural)).collect();
        for (i, &g) in grids.iter().enumerate() {
            d.load(g, &((i as i64 * 10 + 1)..=(i as i64 * 10 + 10)).collect::<Vec<_>>());
        }
        let start: Vec<_> = d.grids().to_vec();
        let mut seed = 12345u64;
        for stroke in 1..200u64 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let block = (seed >> 33) as i64 % 30 + 1;
            let to = grids[(seed >> 20) as usize % 3];
            let _ = d.paint(&[block], to, stroke / 3);
        }
        while d.undo().is_some() {}
        assert_eq!(d.grids(), &start[..]);
    }
}
