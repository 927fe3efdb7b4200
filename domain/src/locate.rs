//! Point-in-polygon lookup over many polygons: which of them contain a point.
//!
//! Three layers, each cheaper than the next one down:
//! 1. a uniform cell grid over all polygons; a cell lying wholly inside a polygon answers at once,
//! 2. an R-tree (`rstar`) of polygon envelopes, used to build the cells and for box queries,
//! 3. an exact crossing-number test that only looks at the polygon edges in the point's horizontal strip.
//!
//! Points exactly on a boundary belong to at most one side (half-open rule), as with `ST_Contains` on a partition.
//!
//! ```
//! use geo::{polygon, MultiPolygon};
//! use wangge_domain::locate::PolygonIndex;
//! let west = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)];
//! let east = polygon![(x: 1.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 1.0), (x: 1.0, y: 1.0)];
//! let index = PolygonIndex::new(vec![MultiPolygon(vec![west]), MultiPolygon(vec![east])]);
//! assert_eq!(index.first(1.5, 0.5, |_| true), Some(1));
//! assert_eq!(index.first(3.0, 0.5, |_| true), None);
//! ```

use geo::{BoundingRect, MultiPolygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, RTreeObject, AABB};

type Envelope = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// Where one polygon's strips lie in [`Edges`].
#[derive(Debug, Clone, Copy)]
struct Strips {
    min_y: f64,
    height: f64,
    /// The polygon's first strip in `Edges::strip_start`.
    first: u32,
    /// How many strips it has.
    count: u32,
}

/// Every polygon's edges bucketed by horizontal strip, in four flat arrays shared by all polygons of an index: a
/// point's test reads a few neighbouring cache lines instead of three allocations of its own per polygon
/// (scattered over the heap when many small indexes are built at once, which cost the bucketed locate cache half
/// again per point).
#[derive(Debug, Clone, Default)]
#[repr(C)]
struct Edges {
    polygons: Vec<Strips>,
    /// `strip_start[s]..strip_start[s + 1]` indexes `strip_edges` for strip `s` (each polygon's strips, and one
    /// closing entry, in turn).
    strip_start: Vec<u32>,
    strip_edges: Vec<u32>,
    /// Edges as (x1, y1, x2, y2).
    edges: Vec<[f64; 4]>,
}

impl Edges {
    fn push(&mut self, mp: &MultiPolygon<f64>) {
        let base = self.edges.len();
        for poly in &mp.0 {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                for w in ring.0.windows(2) {
                    if w[0].y != w[1].y {
                        self.edges.push([w[0].x, w[0].y, w[1].x, w[1].y]);
                    }
                }
            }
        }
        let own = &self.edges[base..];
        let (min_y, max_y) =
            own.iter().fold((f64::MAX, f64::MIN), |(lo, hi), e| (lo.min(e[1]).min(e[3]), hi.max(e[1]).max(e[3])));
        let strips = (own.len() / 4).clamp(1, 4096);
        let height = if max_y > min_y { (max_y - min_y) / strips as f64 } else { 1.0 };
        let strip_of = |y: f64| (((y - min_y) / height) as usize).min(strips - 1);
        let mut buckets: Vec<Vec<u32>> = vec![Vec::new(); strips];
        for (i, e) in own.iter().enumerate() {
            let (lo, hi) = (strip_of(e[1].min(e[3])), strip_of(e[1].max(e[3])));
            for bucket in &mut buckets[lo..=hi] {
                bucket.push((base + i) as u32);
            }
        }
        let first = self.strip_start.len() as u32;
        for b in buckets {
            self.strip_start.push(self.strip_edges.len() as u32);
            self.strip_edges.extend(b);
        }
        self.polygons.push(Strips { min_y, height, first, count: strips as u32 });
    }

    /// Close the last polygon's strips.
    fn finish(&mut self) {
        self.strip_start.push(self.strip_edges.len() as u32);
    }

    /// The edges of polygon `p` in strips `lo..=hi`.
    fn in_strips(&self, m: Strips, lo: usize, hi: usize) -> impl Iterator<Item = &[f64; 4]> {
        let (from, to) = (self.strip_start[m.first as usize + lo], self.strip_start[m.first as usize + hi + 1]);
        self.strip_edges[from as usize..to as usize].iter().map(|&i| &self.edges[i as usize])
    }

    #[inline]
    fn contains(&self, p: u32, x: f64, y: f64) -> bool {
        let m = self.polygons[p as usize];
        let strips = m.count as usize;
        let s = (y - m.min_y) / m.height;
        if s < 0.0 || s >= strips as f64 + 1e-9 {
            return false;
        }
        let s = (s as usize).min(strips - 1);
        let mut inside = false;
        for &[x1, y1, x2, y2] in self.in_strips(m, s, s) {
            if (y1 > y) != (y2 > y) {
                let xc = x1 + (y - y1) * (x2 - x1) / (y2 - y1);
                if x < xc {
                    inside = !inside;
                }
            }
        }
        inside
    }

    /// Whether any edge of polygon `p` has a bounding box touching the rectangle.
    fn edges_touch(&self, p: u32, r: &[f64; 4]) -> bool {
        let m = self.polygons[p as usize];
        let strips = m.count as usize;
        let lo = (((r[1] - m.min_y) / m.height).floor().max(0.0) as usize).min(strips - 1);
        let hi = (((r[3] - m.min_y) / m.height).floor().max(0.0) as usize).min(strips - 1);
        self.in_strips(m, lo, hi).any(|&[x1, y1, x2, y2]| {
            x1.max(x2) >= r[0] && x1.min(x2) <= r[2] && y1.max(y2) >= r[1] && y1.min(y2) <= r[3]
        })
    }
}

const FULL: u32 = 1 << 31;

/// An immutable index over polygons, identified by their position in the input (`u32`).
///
/// Laid out in declaration order, what a point's look-up reads first: where many small indexes are asked in turn
/// (the locate cache's buckets), the fields a look-up needs share two cache lines instead of five.
#[derive(Debug, Clone)]
#[repr(C)]
pub struct PolygonIndex {
    origin: [f64; 2],
    cell_size: [f64; 2],
    cols: usize,
    rows: usize,
    /// `cell_start[c]..cell_start[c + 1]` indexes `cell_items`; an item is a polygon id, with `FULL` set when the
    /// cell lies wholly inside that polygon.
    cell_start: Vec<u32>,
    cell_items: Vec<u32>,
    polygons: Edges,
    tree: RTree<Envelope>,
}

impl PolygonIndex {
    /// Build the index (about 64 cells per polygon, between 65 536 and 4 M cells).
    pub fn new(polygons: Vec<MultiPolygon<f64>>) -> Self {
        Self::with_min_cells(polygons, 65_536)
    }

    /// Build the index with about 64 cells per polygon, at least `min_cells` (a few polygons of one small piece of a
    /// city need far fewer than a whole layer) and at most 4 M.
    pub fn with_min_cells(polygons: Vec<MultiPolygon<f64>>, min_cells: usize) -> Self {
        let envelopes: Vec<Envelope> = polygons
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let r = p.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i as u32,
                ))
            })
            .collect();
        let mut prepared = Edges::default();
        for p in &polygons {
            prepared.push(p);
        }
        prepared.finish();
        let tree = RTree::bulk_load(envelopes);
        let bounds = tree.root().envelope();
        let (lo, hi) = (bounds.lower(), bounds.upper());
        let (w, h) = ((hi[0] - lo[0]).max(1e-9), (hi[1] - lo[1]).max(1e-9));
        let wanted = (polygons.len() * 64).clamp(min_cells.min(4 << 20), 4 << 20) as f64;
        let side = (w * h / wanted).sqrt();
        let cols = ((w / side).ceil() as usize).max(1);
        let rows = ((h / side).ceil() as usize).max(1);
        let cell_size = [w / cols as f64, h / rows as f64];
        let mut cells: Vec<Vec<u32>> = vec![Vec::new(); if polygons.is_empty() { 0 } else { cols * rows }];
        if !polygons.is_empty() {
            for env in tree.iter() {
                let id = env.data;
                let e = env.geom().envelope();
                let c0 = (((e.lower()[0] - lo[0]) / cell_size[0]) as usize).min(cols - 1);
                let c1 = (((e.upper()[0] - lo[0]) / cell_size[0]) as usize).min(cols - 1);
                let r0 = (((e.lower()[1] - lo[1]) / cell_size[1]) as usize).min(rows - 1);
                let r1 = (((e.upper()[1] - lo[1]) / cell_size[1]) as usize).min(rows - 1);
                for row in r0..=r1 {
                    for col in c0..=c1 {
                        let rect = [
                            lo[0] + col as f64 * cell_size[0],
                            lo[1] + row as f64 * cell_size[1],
                            lo[0] + (col + 1) as f64 * cell_size[0],
                            lo[1] + (row + 1) as f64 * cell_size[1],
                        ];
                        let item = if prepared.edges_touch(id, &rect) {
                            id
                        } else if prepared.contains(id, (rect[0] + rect[2]) / 2.0, (rect[1] + rect[3]) / 2.0) {
                            id | FULL
                        } else {
                            continue;
                        };
                        cells[row * cols + col].push(item);
                    }
                }
            }
        }
        let mut cell_start = Vec::with_capacity(cells.len() + 1);
        let mut cell_items = Vec::new();
        for c in cells {
            cell_start.push(cell_items.len() as u32);
            cell_items.extend(c);
        }
        cell_start.push(cell_items.len() as u32);
        Self { polygons: prepared, tree, origin: lo, cell_size, cols, rows, cell_start, cell_items }
    }

    /// Number of polygons indexed.
    pub fn len(&self) -> usize {
        self.polygons.polygons.len()
    }

    /// Whether the index holds no polygon.
    pub fn is_empty(&self) -> bool {
        self.polygons.polygons.is_empty()
    }

    #[inline]
    fn cell_items(&self, x: f64, y: f64) -> &[u32] {
        if self.is_empty() {
            return &[];
        }
        let cx = (x - self.origin[0]) / self.cell_size[0];
        let cy = (y - self.origin[1]) / self.cell_size[1];
        if !(cx >= 0.0 && cy >= 0.0 && cx <= self.cols as f64 && cy <= self.rows as f64) {
            return &[];
        }
        let c = (cy as usize).min(self.rows - 1) * self.cols + (cx as usize).min(self.cols - 1);
        &self.cell_items[self.cell_start[c] as usize..self.cell_start[c + 1] as usize]
    }

    /// Every polygon containing (x, y) that `keep` accepts, pushed to `out` (cleared first).
    pub fn containing(&self, x: f64, y: f64, keep: impl Fn(u32) -> bool, out: &mut Vec<u32>) {
        out.clear();
        for &item in self.cell_items(x, y) {
            let id = item & !FULL;
            if keep(id) && (item & FULL != 0 || self.polygons.contains(id, x, y)) {
                out.push(id);
            }
        }
    }

    /// The first polygon containing (x, y) that `keep` accepts; for a partition, the only one.
    pub fn first(&self, x: f64, y: f64, keep: impl Fn(u32) -> bool) -> Option<u32> {
        self.cell_items(x, y).iter().find_map(|&item| {
            let id = item & !FULL;
            (keep(id) && (item & FULL != 0 || self.polygons.contains(id, x, y))).then_some(id)
        })
    }

    /// Ids of polygons whose envelope intersects the box (min x, min y, max x, max y).
    pub fn in_box(&self, min_x: f64, min_y: f64, max_x: f64, max_y: f64) -> Vec<u32> {
        let aabb = AABB::from_corners([min_x, min_y], [max_x, max_y]);
        self.tree.locate_in_envelope_intersecting(&aabb).map(|e| e.data).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Contains, Point, Polygon};

    fn star(cx: f64, cy: f64, r: f64, n: usize) -> Polygon<f64> {
        let pts: Vec<(f64, f64)> = (0..2 * n)
            .map(|i| {
                let a = std::f64::consts::PI * i as f64 / n as f64;
                let rr = if i % 2 == 0 { r } else { r * 0.4 };
                (cx + rr * a.cos(), cy + rr * a.sin())
            })
            .collect();
        Polygon::new(pts.into(), vec![])
    }

    #[test]
    fn agrees_with_geo_contains_on_stars_with_holes() {
        let mut outer = star(0.0, 0.0, 10.0, 40);
        outer.interiors_push(star(0.0, 0.0, 2.0, 7).exterior().clone());
        let polys = vec![MultiPolygon(vec![outer.clone()]), MultiPolygon(vec![star(12.0, 3.0, 5.0, 9)])];
        let index = PolygonIndex::new(polys.clone());
        let mut out = Vec::new();
        let mut seed = 7u64;
        for _ in 0..20_000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let x = ((seed >> 11) as f64 / (1u64 << 53) as f64) * 34.0 - 12.0;
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let y = ((seed >> 11) as f64 / (1u64 << 53) as f64) * 24.0 - 12.0;
            index.containing(x, y, |_| true, &mut out);
            out.sort_unstable();
            let expected: Vec<u32> = (0..2).filter(|&i| polys[i as usize].contains(&Point::new(x, y))).collect();
            assert_eq!(out, expected, "at ({x}, {y})");
        }
    }

    #[test]
    fn filter_and_box() {
        let sq = |x: f64| {
            MultiPolygon(vec![Polygon::new(vec![(x, 0.0), (x + 1.0, 0.0), (x + 1.0, 1.0), (x, 1.0)].into(), vec![])])
        };
        let index = PolygonIndex::new(vec![sq(0.0), sq(0.0), sq(5.0)]);
        assert_eq!(index.first(0.5, 0.5, |id| id != 0), Some(1));
        let mut b = index.in_box(4.0, 0.0, 6.0, 1.0);
        b.sort();
        assert_eq!(b, vec![2]);
        assert!(PolygonIndex::new(vec![]).first(0.0, 0.0, |_| true).is_none());
    }
}
