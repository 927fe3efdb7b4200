//! Source layers (features already in Web Mercator, indexed) and cutting tiles from them.

use std::sync::Arc;

use geo::Geometry;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

use crate::clip::{clip_line, clip_ring};
use crate::encode::{GeomType, GeometryWriter, LayerWriter, Value};
use crate::mercator::{project, TileId, EXTENT};
use crate::simplify::simplify;

/// Buffer around a tile, in tile units, so strokes and labels at the edge join up.
const BUFFER: f64 = 64.0;
/// Simplification tolerance in tile units (1/16 of a 256-px screen pixel is 1 unit).
const TOLERANCE: f64 = 2.0;
/// Polygons smaller than this many square tile units (≈ 1 × 1 screen pixels) are dropped.
const MIN_AREA: f64 = 256.0;

/// Geometry in unit Mercator.
#[derive(Debug, Clone)]
enum Shape {
    Points(Vec<[f64; 2]>),
    Lines(Vec<Vec<[f64; 2]>>),
    /// Polygons, each a list of rings (exterior first), rings open (first point not repeated).
    Polygons(Vec<Vec<Vec<[f64; 2]>>>),
}

fn ring(ls: &geo::LineString<f64>) -> Vec<[f64; 2]> {
    let mut pts: Vec<[f64; 2]> = ls.0.iter().map(|c| project(c.x, c.y)).collect();
    if pts.len() > 1 && pts.first() == pts.last() {
        pts.pop();
    }
    pts
}

impl Shape {
    fn from_geometry(g: &Geometry<f64>) -> Shape {
        let poly =
            |p: &geo::Polygon<f64>| std::iter::once(p.exterior()).chain(p.interiors()).map(ring).collect::<Vec<_>>();
        match g {
            Geometry::Point(p) => Shape::Points(vec![project(p.x(), p.y())]),
            Geometry::MultiPoint(mp) => Shape::Points(mp.0.iter().map(|p| project(p.x(), p.y())).collect()),
            Geometry::LineString(l) => Shape::Lines(vec![l.0.iter().map(|c| project(c.x, c.y)).collect()]),
            Geometry::MultiLineString(ml) => {
                Shape::Lines(ml.0.iter().map(|l| l.0.iter().map(|c| project(c.x, c.y)).collect()).collect())
            }
            Geometry::Polygon(p) => Shape::Polygons(vec![poly(p)]),
            Geometry::MultiPolygon(mp) => Shape::Polygons(mp.0.iter().map(poly).collect()),
            Geometry::Rect(r) => Shape::Polygons(vec![poly(&r.to_polygon())]),
            Geometry::Triangle(t) => Shape::Polygons(vec![poly(&t.to_polygon())]),
            Geometry::Line(l) => Shape::Lines(vec![vec![project(l.start.x, l.start.y), project(l.end.x, l.end.y)]]),
            Geometry::GeometryCollection(_) => Shape::Points(vec![]),
        }
    }

    fn envelope(&self) -> Option<[f64; 4]> {
        let mut e = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        let mut add = |p: &[f64; 2]| {
            e = [e[0].min(p[0]), e[1].min(p[1]), e[2].max(p[0]), e[3].max(p[1])];
        };
        match self {
            Shape::Points(ps) => ps.iter().for_each(&mut add),
            Shape::Lines(ls) => ls.iter().flatten().for_each(&mut add),
            Shape::Polygons(ps) => ps.iter().filter_map(|rings| rings.first()).flatten().for_each(&mut add),
        }
        (e[0] <= e[2]).then_some(e)
    }
}

/// One feature of a source layer.
#[derive(Debug, Clone)]
pub struct SourceFeature {
    id: u64,
    shape: Shape,
    /// The shape's Mercator envelope (west, south, east, north), `None` when it is empty.
    envelope: Option<[f64; 4]>,
    min_zoom: u8,
    props: Vec<(String, Value)>,
}

impl SourceFeature {
    /// A feature from WGS84 geometry, shown from `min_zoom` on.
    pub fn new(id: u64, geometry: Geometry<f64>, min_zoom: u8) -> Self {
        let shape = Shape::from_geometry(&geometry);
        Self { id, envelope: shape.envelope(), shape, min_zoom, props: Vec::new() }
    }

    /// Add a property.
    pub fn with(mut self, key: &str, value: Value) -> Self {
        self.props.push((key.to_owned(), value));
        self
    }
}

type Entry = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// A named layer of features with an R-tree over their Mercator envelopes. The features are shared, so a layer
/// patched from another holds the features it keeps without copying them.
#[derive(Debug)]
pub struct SourceLayer {
    name: String,
    features: Vec<Arc<SourceFeature>>,
    tree: RTree<Entry>,
}

impl SourceLayer {
    /// Index the features.
    pub fn new(name: &str, features: Vec<SourceFeature>) -> Self {
        Self::indexed(name, features.into_iter().map(Arc::new).collect())
    }

    fn indexed(name: &str, features: Vec<Arc<SourceFeature>>) -> Self {
        let entries = features
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let e = f.envelope?;
                Some(GeomWithData::new(Rectangle::from_corners([e[0], e[1]], [e[2], e[3]]), i as u32))
            })
            .collect();
        Self { name: name.to_owned(), features, tree: RTree::bulk_load(entries) }
    }

    /// The layer's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.features.len()
    }

    /// Whether the layer has no feature.
    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    /// This layer with the features meeting `within` (west, south, east, north in degrees; by their envelopes)
    /// replaced by those of `fresh` meeting it: `fresh` may hold more (read again with a margin), and only the
    /// features meeting the box are taken from it, so both sides agree on which features are whose.
    pub fn patched(&self, fresh: &SourceLayer, within: [f64; 4]) -> SourceLayer {
        let (a, b) = (project(within[0], within[1]), project(within[2], within[3]));
        let [x0, y0, x1, y1] = [a[0].min(b[0]), a[1].min(b[1]), a[0].max(b[0]), a[1].max(b[1])];
        // The features meeting the box, found through the index (its rectangles are the envelopes, and meet a box
        // as `meets` does, edges included): only they are looked at; the rest are kept as they are, shared.
        let mut replaced = vec![false; self.features.len()];
        for e in self.tree.locate_in_envelope_intersecting(&AABB::from_corners([x0, y0], [x1, y1])) {
            replaced[e.data as usize] = true;
        }
        let meets =
            |f: &SourceFeature| f.envelope.is_some_and(|e| e[0] <= x1 && e[2] >= x0 && e[1] <= y1 && e[3] >= y0);
        let kept = self.features.iter().zip(&replaced).filter(|(_, r)| !**r).map(|(f, _)| f);
        let read = fresh.features.iter().filter(|f| meets(f));
        SourceLayer::indexed(&self.name, kept.chain(read).cloned().collect())
    }

    fn cut(&self, tile: TileId, out: &mut Vec<u8>) {
        let scale = f64::from(1u32 << tile.z) * f64::from(EXTENT);
        let (ox, oy) = (f64::from(tile.x) * f64::from(EXTENT), f64::from(tile.y) * f64::from(EXTENT));
        let b = BUFFER / scale;
        let [x0, y0, x1, y1] = tile.bounds();
        let query = AABB::from_corners([x0 - b, y0 - b], [x1 + b, y1 + b]);
        let clip = [-BUFFER, -BUFFER, f64::from(EXTENT) + BUFFER, f64::from(EXTENT) + BUFFER];
        let local = |p: &[f64; 2]| [p[0] * scale - ox, p[1] * scale - oy];
        let mut hits: Vec<u32> = self.tree.locate_in_envelope_intersecting(&query).map(|e| e.data).collect();
        hits.sort_unstable();
        let mut layer = LayerWriter::new(&self.name);
        for i in hits {
            let f = &self.features[i as usize];
            if tile.z < f.min_zoom {
                continue;
            }
            let mut g = GeometryWriter::default();
            let kind = match &f.shape {
                Shape::Points(ps) => {
                    for p in ps {
                        let q = local(p);
                        if q[0] >= 0.0 && q[1] >= 0.0 && q[0] < f64::from(EXTENT) && q[1] < f64::from(EXTENT) {
                            g.point((q[0].round() as i32, q[1].round() as i32));
                        }
                    }
                    GeomType::Point
                }
                Shape::Lines(ls) => {
                    for l in ls {
                        let pts: Vec<[f64; 2]> = l.iter().map(local).collect();
                        for piece in clip_line(&pts, &clip) {
                            let q = quantize(&simplify(&piece, TOLERANCE));
                            g.line(&q);
                        }
                    }
                    GeomType::LineString
                }
                Shape::Polygons(ps) => {
                    for rings in ps {
                        for (k, r) in rings.iter().enumerate() {
                            let pts: Vec<[f64; 2]> = r.iter().map(local).collect();
                            let clipped = clip_ring(&pts, &clip);
                            let mut q = quantize(&simplify_ring(&clipped));
                            let a = area2(&q);
                            if a.abs() < MIN_AREA * 2.0 {
                                if k == 0 {
                                    break; // exterior too small: skip the polygon and its holes
                                }
                                continue;
                            }
                            // exterior rings positive (clockwise on screen), holes negative
                            if (k == 0) != (a > 0.0) {
                                q.reverse();
                            }
                            g.ring(&q);
                        }
                    }
                    GeomType::Polygon
                }
            };
            if !g.is_empty() {
                layer.add(f.id, kind, &g, &f.props);
            }
        }
        layer.finish(out);
    }
}

fn simplify_ring(ring: &[[f64; 2]]) -> Vec<[f64; 2]> {
    if ring.len() < 4 {
        return ring.to_vec();
    }
    let mut closed = ring.to_vec();
    closed.push(ring[0]);
    let mut s = simplify(&closed, TOLERANCE);
    s.pop();
    s
}

fn quantize(pts: &[[f64; 2]]) -> Vec<(i32, i32)> {
    let mut out: Vec<(i32, i32)> = Vec::with_capacity(pts.len());
    for p in pts {
        let q = (p[0].round() as i32, p[1].round() as i32);
        if out.last() != Some(&q) {
            out.push(q);
        }
    }
    out
}

fn area2(r: &[(i32, i32)]) -> f64 {
    if r.len() < 3 {
        return 0.0;
    }
    let mut s = 0i64;
    for i in 0..r.len() {
        let (a, b) = (r[i], r[(i + 1) % r.len()]);
        s += i64::from(a.0) * i64::from(b.1) - i64::from(b.0) * i64::from(a.1);
    }
    s as f64
}

/// All layers of a tile source.
#[derive(Debug, Default)]
pub struct TileSet {
    layers: Vec<SourceLayer>,
}

impl TileSet {
    /// A set of layers, encoded in this order (later layers draw on top in most styles).
    pub fn new(layers: Vec<SourceLayer>) -> Self {
        Self { layers }
    }

    /// The layers.
    pub fn layers(&self) -> &[SourceLayer] {
        &self.layers
    }

    /// These layers with the features meeting `within` replaced by `fresh`'s (the same layers, read again within
    /// that box; see [`SourceLayer::patched`]).
    pub fn patched(&self, fresh: &TileSet, within: [f64; 4]) -> TileSet {
        TileSet::new(self.layers.iter().zip(&fresh.layers).map(|(old, new)| old.patched(new, within)).collect())
    }

    /// Encode one tile with every layer that has something in it (empty when nothing does).
    pub fn encode(&self, tile: TileId) -> Vec<u8> {
        let mut out = Vec::new();
        for l in &self.layers {
            l.cut(tile, &mut out);
        }
        out
    }

    /// Encode one tile with only the named layers.
    pub fn encode_layers(&self, tile: TileId, names: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        for l in self.layers.iter().filter(|l| names.contains(&l.name.as_str())) {
            l.cut(tile, &mut out);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    /// A square of 0.001° with its south-west corner at (x, y).
    fn square(id: u64, (x, y): (f64, f64)) -> SourceFeature {
        let p = polygon![(x: x, y: y), (x: x + 0.001, y: y), (x: x + 0.001, y: y + 0.001), (x: x, y: y + 0.001)];
        SourceFeature::new(id, Geometry::Polygon(p), 10).with("id", Value::Int(id as i64))
    }

    /// A layer patched within a box encodes every tile as a layer built whole from what it should then hold: the
    /// squares outside the box as they were, those inside as read again.
    #[test]
    fn a_patched_layer_encodes_as_one_built_whole() {
        let within = [118.81, 31.91, 118.82, 31.92];
        let meets =
            |(x, y): (f64, f64)| x <= within[2] && x + 0.001 >= within[0] && y <= within[3] && y + 0.001 >= within[1];
        let before: Vec<(f64, f64)> =
            (0..400).map(|i| (118.80 + (i % 20) as f64 * 0.002, 31.90 + (i / 20) as f64 * 0.002)).collect();
        // Redrawn in and around the box (read again with a margin: some lie outside it and are not taken).
        let fresh: Vec<(f64, f64)> =
            (0..64).map(|i| (118.8085 + (i % 8) as f64 * 0.0015, 31.9085 + (i / 8) as f64 * 0.0015)).collect();
        let expected: Vec<SourceFeature> = (before.iter().enumerate().filter(|(_, p)| !meets(**p)))
            .map(|(i, p)| square(i as u64, *p))
            .chain(fresh.iter().enumerate().filter(|(_, p)| meets(**p)).map(|(i, p)| square(1000 + i as u64, *p)))
            .collect();
        assert!(fresh.iter().any(|p| !meets(*p)) && before.iter().filter(|p| meets(**p)).count() > 20);
        let whole = TileSet::new(vec![SourceLayer::new("grids", expected)]);
        let layer = |ps: &[(f64, f64)], base: u64| {
            TileSet::new(vec![SourceLayer::new(
                "grids",
                ps.iter().enumerate().map(|(i, p)| square(base + i as u64, *p)).collect(),
            )])
        };
        let patched = layer(&before, 0).patched(&layer(&fresh, 1000), within);
        assert_eq!(patched.layers()[0].len(), whole.layers()[0].len());
        for z in [12, 14, 16] {
            let (a, b) = (TileId::containing(118.80, 31.94, z), TileId::containing(118.84, 31.90, z));
            for x in a.x..=b.x {
                for y in a.y..=b.y {
                    let t = TileId { z, x, y };
                    assert_eq!(patched.encode(t), whole.encode(t), "{t:?}");
                }
            }
        }
    }
}
