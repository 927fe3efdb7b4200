//! The first plan of even starts: a recursive bisection of the free blocks into connected cells of exactly their
//! share of the households, as near as whole blocks allow.
//!
//! Each cut runs across the longer side of a part at the household-weighted position that gives each side its
//! share of the grids, and is then repaired: stray pieces join the side they touch, so both sides are connected,
//! and blocks along the cut change sides while that brings the split closer to the share. Because every cut is
//! balanced before the next, an excess never piles up in one corner of the community for the search to carry
//! across many grids later (grids growing from seeds leave such excesses, and the band stops them flowing).

use super::graph::Graph;

/// The plan of `cells` as they are: cell `i` is region `nf + i`. Writes `owner` for their blocks and returns the
/// number of regions (fixed ones included).
pub(super) fn bisection_plan(cells: &[Vec<usize>], owner: &mut [usize], nf: usize) -> usize {
    for (i, cell) in cells.iter().enumerate() {
        for &v in cell {
            owner[v] = nf + i;
        }
    }
    nf + cells.len()
}

/// Households by which a cut in another direction must come closer to its share to be preferred to the cut across
/// the longer side (which gives the more compact sides).
const CLOSE_ENOUGH: f64 = 10.0;

/// Which side of the part being cut a block is on; [`OUT`] outside the part.
const OUT: u8 = 0;
const A: u8 = 1;
const B: u8 = 2;

/// Scratch space shared by all cuts.
pub(super) struct Work {
    side: Vec<u8>,
    queue: Vec<usize>,
}

impl Work {
    /// Scratch space for a graph of `n` blocks.
    pub fn new(n: usize) -> Self {
        Work { side: vec![OUT; n], queue: Vec::new() }
    }

    /// Divide `blocks` into about `k` connected cells of equal households: each connected piece of them gets its
    /// share of `k`, at least one.
    pub fn cells(&mut self, g: &Graph, blocks: &[usize], k: usize) -> Vec<Vec<usize>> {
        let total: f64 = blocks.iter().map(|&v| g.hh[v]).sum();
        let per_grid = if total > 0.0 { total / k as f64 } else { 1.0 };
        for &v in blocks {
            self.side[v] = A;
        }
        let pieces = self.components(g, blocks, A);
        for &v in blocks {
            self.side[v] = OUT;
        }
        let mut stack: Vec<(Vec<usize>, usize)> = pieces
            .into_iter()
            .map(|piece| {
                let hh: f64 = piece.iter().map(|&v| g.hh[v]).sum();
                let share = ((hh / per_grid).round() as usize).clamp(1, piece.len());
                (piece, share)
            })
            .collect();
        let mut cells = Vec::with_capacity(k);
        while let Some((part, parts)) = stack.pop() {
            if parts <= 1 || part.len() <= 1 {
                cells.push(part);
                continue;
            }
            let left = parts / 2;
            let (a, b) = self.split(g, part, left as f64 / parts as f64);
            stack.push((b, parts - left));
            stack.push((a, left));
        }
        cells
    }

    /// Cut the connected `part` into two connected sides, the first holding `share` of its households. Both sides
    /// are non-empty when the part has two blocks or more. The cut runs across the part's longer side unless one
    /// across its shorter side or a diagonal comes closer to the share by more than [`CLOSE_ENOUGH`] households.
    fn split(&mut self, g: &Graph, mut part: Vec<usize>, share: f64) -> (Vec<usize>, Vec<usize>) {
        let (min_x, max_x, min_y, max_y) = part.iter().fold((f64::MAX, f64::MIN, f64::MAX, f64::MIN), |b, &v| {
            (b.0.min(g.xy[v].0), b.1.max(g.xy[v].0), b.2.min(g.xy[v].1), b.3.max(g.xy[v].1))
        });
        let long = if max_x - min_x >= max_y - min_y { 0.0 } else { std::f64::consts::FRAC_PI_2 };
        let want = part.iter().map(|&v| g.hh[v]).sum::<f64>() * share;
        let mut best: Option<(f64, Vec<usize>)> = None;
        for turn in [0.0, 0.5, 0.25, 0.75] {
            let (sin, cos) = (long + turn * std::f64::consts::PI).sin_cos();
            let off = self.cut_across(g, &mut part, want, |v| g.xy[v].0 * cos + g.xy[v].1 * sin);
            if best.as_ref().is_none_or(|b| off < b.0 - CLOSE_ENOUGH) {
                best = Some((off, part.iter().copied().filter(|&v| self.side[v] == A).collect()));
            }
            for &v in &part {
                self.side[v] = OUT;
            }
            if off <= CLOSE_ENOUGH {
                break;
            }
        }
        let a = best.map(|b| b.1).unwrap_or_default();
        for &v in &a {
            self.side[v] = A;
        }
        let b = part.iter().copied().filter(|&v| self.side[v] != A).collect();
        for &v in &a {
            self.side[v] = OUT;
        }
        (a, b)
    }

    /// Cut `part` across direction `along` (a block's position along it) and repair the cut: marks the sides and
    /// returns how far side A is from `want` households.
    fn cut_across(&mut self, g: &Graph, part: &mut [usize], want: f64, along: impl Fn(usize) -> f64) -> f64 {
        part.sort_by(|&a, &b| along(a).total_cmp(&along(b)).then(a.cmp(&b)));
        // the prefix closest to the share, leaving at least one block on each side
        let (mut acc, mut cut, mut best) = (0.0, 1, f64::MAX);
        for (i, &v) in part.iter().enumerate().take(part.len() - 1) {
            acc += g.hh[v];
            if (acc - want).abs() < best {
                (best, cut) = ((acc - want).abs(), i + 1);
            }
        }
        for (i, &v) in part.iter().enumerate() {
            self.side[v] = if i < cut { A } else { B };
        }
        let line = (along(part[cut - 1]) + along(part[cut])) / 2.0;
        // both sides connected: stray pieces of A go to B, then stray pieces of B to A (they all touch A then)
        for (from, to) in [(A, B), (B, A)] {
            let members: Vec<usize> = part.iter().copied().filter(|&v| self.side[v] == from).collect();
            let mut pieces = self.components(g, &members, from);
            let keep = (0..pieces.len())
                .max_by(|&i, &j| {
                    let hh = |p: &Vec<usize>| p.iter().map(|&v| g.hh[v]).sum::<f64>();
                    hh(&pieces[i]).total_cmp(&hh(&pieces[j])).then(pieces[i].len().cmp(&pieces[j].len()))
                })
                .unwrap_or(0);
            for (i, piece) in pieces.iter_mut().enumerate() {
                if i != keep {
                    for &v in piece.iter() {
                        self.side[v] = to;
                    }
                }
            }
        }
        self.balance(g, part, want, |v| (along(v) - line).abs())
    }

    /// Move blocks along the cut, nearest the cut line first, from the heavier side (heavier than `want` for A) to
    /// the other while each move brings A closer to `want` and leaves the side it leaves connected. Returns how far
    /// A is from `want` then.
    fn balance(&mut self, g: &Graph, part: &[usize], want: f64, from_line: impl Fn(usize) -> f64) -> f64 {
        let mut diff: f64 = part.iter().filter(|&&v| self.side[v] == A).map(|&v| g.hh[v]).sum::<f64>() - want;
        loop {
            let (heavy, light) = if diff > 0.0 { (A, B) } else { (B, A) };
            let mut candidates: Vec<usize> = part
                .iter()
                .copied()
                .filter(|&v| {
                    self.side[v] == heavy
                        && g.hh[v] > 0.0
                        && g.hh[v] < 2.0 * diff.abs()
                        && g.nb[v].iter().any(|&(u, _)| self.side[u] == light)
                })
                .collect();
            candidates.sort_by(|&a, &b| from_line(a).total_cmp(&from_line(b)).then(a.cmp(&b)));
            let Some(v) = candidates.into_iter().find(|&v| self.stays_connected(g, part, heavy, v)) else {
                return diff.abs();
            };
            self.side[v] = light;
            diff += if heavy == A { -g.hh[v] } else { g.hh[v] };
        }
    }

    /// Whether side `s` of `part` stays connected (and non-empty) without block `v`.
    fn stays_connected(&mut self, g: &Graph, part: &[usize], s: u8, v: usize) -> bool {
        self.side[v] = OUT;
        let members: Vec<usize> = part.iter().copied().filter(|&u| self.side[u] == s).collect();
        let connected = !members.is_empty() && self.components(g, &members, s).len() == 1;
        self.side[v] = s;
        connected
    }

    /// The connected pieces of `members`, all of which are on side `s`.
    fn components(&mut self, g: &Graph, members: &[usize], s: u8) -> Vec<Vec<usize>> {
        const SEEN: u8 = u8::MAX;
        let mut pieces = Vec::new();
        for &start in members {
            if self.side[start] != s {
                continue;
            }
            self.side[start] = SEEN;
            self.queue.clear();
            self.queue.push(start);
            let mut i = 0;
            while i < self.queue.len() {
                let v = self.queue[i];
                i += 1;
                for &(u, _) in &g.nb[v] {
                    if self.side[u] == s {
                        self.side[u] = SEEN;
                        self.queue.push(u);
                    }
                }
            }
            pieces.push(self.queue.clone());
        }
        for &v in members {
            self.side[v] = s;
        }
        pieces
    }
}

#[cfg(test)]
mod tests {
    use super::super::{BlockGraphInput, Edge, Node};
    use super::*;

    #[test]
    fn cells_are_connected_and_hold_their_share() {
        // a 30 × 30 lattice with a hole in the middle (a lake) and households 10..=60
        let (w, mut s) = (30i64, 7u64);
        let hole = |i: i64| (12..18).contains(&(i % w)) && (12..18).contains(&(i / w));
        let mut nodes = Vec::new();
        let mut edges = Vec::new();
        for i in (0..w * w).filter(|&i| !hole(i)) {
            let households = 10 + (super::super::graph::rng(&mut s) * 51.0) as u32;
            let (x, y) = ((i % w) as f64, (i / w) as f64);
            nodes.push(Node { id: i, households, area: 1.0, perimeter: 4.0, x, y, compound: None });
            if i % w < w - 1 && !hole(i + 1) {
                edges.push(Edge { a: i, b: i + 1, length: 1.0 });
            }
            if i < w * (w - 1) && !hole(i + w) {
                edges.push(Edge { a: i, b: i + w, length: 1.0 });
            }
        }
        let input = BlockGraphInput { nodes, edges, fixed: Default::default() };
        let (g, _) = Graph::new(&input).unwrap();
        let all: Vec<usize> = (0..g.len()).collect();
        let total: f64 = g.hh.iter().sum();
        let k = 40;
        let mut work = Work::new(g.len());
        let cells = work.cells(&g, &all, k);
        assert_eq!(cells.len(), k);
        assert_eq!(cells.iter().map(Vec::len).sum::<usize>(), g.len(), "every block in one cell");
        for cell in &cells {
            for &v in cell {
                work.side[v] = A;
            }
            assert_eq!(work.components(&g, cell, A).len(), 1, "connected");
            for &v in cell {
                work.side[v] = OUT;
            }
            let hh: f64 = cell.iter().map(|&v| g.hh[v]).sum();
            assert!((hh - total / k as f64).abs() <= 45.0, "{hh} against {}", total / k as f64);
        }
    }
}
