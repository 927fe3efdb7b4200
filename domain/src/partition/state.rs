//! One start's working plan: who holds each block, each grid's totals, and single-block moves that keep them.

use super::graph::{Graph, NO_COMPOUND};
use super::objective::{Objective, COMPOUND_SPLIT};

/// A complete assignment of blocks to grids with each grid's households, area and perimeter kept up to date, and
/// a log of moves so that an attempt can be undone. Grids `0..fixed_regions` are fixed and never change.
pub(super) struct State<'g> {
    pub g: &'g Graph,
    /// Grid of each block.
    pub owner: Vec<usize>,
    /// Blocks that never move.
    pub fixed: Vec<bool>,
    /// Number of fixed grids (they come first).
    pub fixed_regions: usize,
    pub hh: Vec<f64>,
    pub area: Vec<f64>,
    pub perim: Vec<f64>,
    /// Blocks of each grid.
    pub members: Vec<Vec<usize>>,
    /// Per compound, the grids holding its cells and how many each holds.
    pieces: Vec<Vec<(usize, u32)>>,
    /// Moves since the last [`State::commit`]: (block, from, to).
    log: Vec<(usize, usize, usize)>,
    /// Visit marks for the connectivity search.
    seen: Vec<u32>,
    stamp: u32,
}

impl<'g> State<'g> {
    /// The state of a complete assignment of `regions` grids.
    pub fn new(g: &'g Graph, owner: Vec<usize>, fixed: Vec<bool>, fixed_regions: usize, regions: usize) -> Self {
        let mut st = State {
            g,
            fixed,
            fixed_regions,
            hh: vec![0.0; regions],
            area: vec![0.0; regions],
            perim: vec![0.0; regions],
            members: vec![Vec::new(); regions],
            pieces: vec![Vec::new(); g.compounds()],
            log: Vec::new(),
            seen: vec![0; owner.len()],
            stamp: 0,
            owner,
        };
        for v in 0..g.len() {
            let r = st.owner[v];
            st.members[r].push(v);
            st.add_piece(v, r);
            st.hh[r] += g.hh[v];
            st.area[r] += g.area[v];
            st.perim[r] += g.perim[v];
            for &(u, len) in &g.nb[v] {
                if st.owner[u] == r {
                    st.perim[r] -= len;
                }
            }
        }
        st
    }

    /// Shared boundary of `v` with grids `a` and `b`: lengths, then their prices as cuts.
    fn shared(&self, v: usize, a: usize, b: usize) -> [f64; 4] {
        let mut s = [0.0; 4];
        for &(u, len) in &self.g.nb[v] {
            if self.owner[u] == a {
                s[0] += len;
                s[2] += self.g.price(v, u, len);
            } else if self.owner[u] == b {
                s[1] += len;
                s[3] += self.g.price(v, u, len);
            }
        }
        s
    }

    /// Count cell `v` (if it is one) in grid `r`.
    fn add_piece(&mut self, v: usize, r: usize) {
        let Some(pieces) = self.pieces.get_mut(self.g.compound[v] as usize) else { return };
        match pieces.iter_mut().find(|p| p.0 == r) {
            Some(p) => p.1 += 1,
            None => pieces.push((r, 1)),
        }
    }

    /// Stop counting cell `v` (if it is one) in grid `r`.
    fn remove_piece(&mut self, v: usize, r: usize) {
        let Some(pieces) = self.pieces.get_mut(self.g.compound[v] as usize) else { return };
        if let Some(i) = pieces.iter().position(|p| p.0 == r) {
            pieces[i].1 -= 1;
            if pieces[i].1 == 0 {
                pieces.swap_remove(i);
            }
        }
    }

    /// Change in the number of grids `v`'s compound is divided between if `v` moves from `a` to `b`.
    fn pieces_delta(&self, v: usize, a: usize, b: usize) -> f64 {
        let c = self.g.compound[v];
        if c == NO_COMPOUND {
            return 0.0;
        }
        let held = |r: usize| self.pieces[c as usize].iter().find(|p| p.0 == r).map_or(0, |p| p.1);
        f64::from(u8::from(held(b) == 0)) - f64::from(u8::from(held(a) == 1))
    }

    /// Move block `v` from grid `from` to grid `to`, logging the move.
    pub fn move_block(&mut self, v: usize, from: usize, to: usize) {
        let [with_from, with_to, ..] = self.shared(v, from, to);
        self.area[from] -= self.g.area[v];
        self.area[to] += self.g.area[v];
        self.perim[from] += 2.0 * with_from - self.g.perim[v];
        self.perim[to] += self.g.perim[v] - 2.0 * with_to;
        self.owner[v] = to;
        self.remove_piece(v, from);
        self.add_piece(v, to);
        self.hh[from] -= self.g.hh[v];
        self.hh[to] += self.g.hh[v];
        if let Some(pos) = self.members[from].iter().position(|&x| x == v) {
            self.members[from].swap_remove(pos);
        }
        self.members[to].push(v);
        self.log.push((v, from, to));
    }

    /// A new, empty free grid; returns its index.
    pub fn add_region(&mut self) -> usize {
        self.hh.push(0.0);
        self.area.push(0.0);
        self.perim.push(0.0);
        self.members.push(Vec::new());
        self.hh.len() - 1
    }

    /// Keep the moves made so far.
    pub fn commit(&mut self) {
        self.log.clear();
    }

    /// Undo every move since the last commit.
    pub fn undo(&mut self) {
        while let Some((v, from, to)) = self.log.pop() {
            self.move_block(v, to, from);
            self.log.pop();
        }
    }

    /// Objective change of moving `v` from `a` to `b`.
    pub fn delta(&self, obj: &Objective, v: usize, a: usize, b: usize) -> f64 {
        let [own, to, own_price, to_price] = self.shared(v, a, b);
        let (h, av, pv) = (self.g.hh[v], self.g.area[v], self.g.perim[v]);
        obj.region(self.hh[a] - h, self.area[a] - av, self.perim[a] + 2.0 * own - pv)
            + obj.region(self.hh[b] + h, self.area[b] + av, self.perim[b] + pv - 2.0 * to)
            - obj.region(self.hh[a], self.area[a], self.perim[a])
            - obj.region(self.hh[b], self.area[b], self.perim[b])
            + obj.cut_weight * (own_price - to_price)
            + COMPOUND_SPLIT * self.pieces_delta(v, a, b)
    }

    /// Whether grid `r` stays in one piece without block `v`.
    pub fn stays_connected(&mut self, r: usize, v: usize) -> bool {
        let g = self.g;
        let inside: Vec<usize> = g.nb[v].iter().map(|&(u, _)| u).filter(|&u| self.owner[u] == r).collect();
        if inside.len() <= 1 {
            return true;
        }
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.seen.fill(0);
            self.stamp = 1;
        }
        let stamp = self.stamp;
        // search from one neighbour inside r without v; stop once every other neighbour is reached
        let mut stack = vec![inside[0]];
        self.seen[inside[0]] = stamp;
        self.seen[v] = stamp;
        let mut missing = inside.len() - 1;
        while let Some(u) = stack.pop() {
            for &(w, _) in &g.nb[u] {
                if self.owner[w] == r && self.seen[w] != stamp {
                    self.seen[w] = stamp;
                    if inside[1..].contains(&w) {
                        missing -= 1;
                        if missing == 0 {
                            return true;
                        }
                    }
                    stack.push(w);
                }
            }
        }
        false
    }

    /// The whole objective of the current plan (free grids only; a grid left without blocks is no grid).
    pub fn score(&self, obj: &Objective) -> f64 {
        let mut cut = 0.0;
        for v in 0..self.owner.len() {
            for &(u, len) in &self.g.nb[v] {
                if u > v && self.owner[u] != self.owner[v] {
                    cut += self.g.price(v, u, len);
                }
            }
        }
        (self.fixed_regions..self.hh.len())
            .filter(|&r| !self.members[r].is_empty())
            .map(|r| obj.region(self.hh[r], self.area[r], self.perim[r]))
            .sum::<f64>()
            + obj.cut_weight * cut
            + COMPOUND_SPLIT * self.pieces.iter().map(|p| p.len().saturating_sub(1) as f64).sum::<f64>()
    }
}
