//! The in-memory locate cache: streets, communities, published grids (all versions) and special grids, each in a
//! [`PolygonIndex`]. It is read whole from the database on start. A write that changes areas within a box (a
//! publish: its community's box) reads again only the areas whose box meets that box, keeps every other area as it
//! was, and rebuilds only the buckets of [`Layer`] those areas can lie in; a write without a box reads everything again. Either way the new
//! snapshot is swapped in atomically, so a reader always sees one consistent snapshot.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use geo::{BoundingRect, MultiPolygon};
use sqlx::PgPool;
use wangge_domain::locate::PolygonIndex;
use wangge_domain::located::{Area, AreaKind, Located};

/// One area in the cache: what a client sees, and when it is valid.
#[derive(Debug, Clone)]
pub struct AreaRef {
    /// The public part.
    pub area: Area,
    /// Start of validity (grids and special grids).
    pub valid_from: Option<DateTime<Utc>>,
    /// End of validity, exclusive.
    pub valid_to: Option<DateTime<Utc>>,
}

impl AreaRef {
    /// When it is valid, Unix microseconds, end exclusive (open ends as the extremes).
    fn span(&self) -> Span {
        let micros = |t: Option<DateTime<Utc>>, open: i64| t.map_or(open, |t| t.timestamp_micros());
        Span { from: micros(self.valid_from, i64::MIN), to: micros(self.valid_to, i64::MAX) }
    }
}

/// An area's validity as two numbers, kept beside the index: the test a located point makes of every candidate
/// reads eight bytes of a dense array, not a field of an [`AreaRef`] somewhere in memory.
#[derive(Debug, Clone, Copy)]
struct Span {
    from: i64,
    to: i64,
}

impl Span {
    fn holds(self, at: i64) -> bool {
        self.from <= at && at < self.to
    }
}

/// Side of a bucket, degrees (~2 km): an area narrower and shorter than this (by a margin) is kept in every bucket
/// its bounding box overlaps; larger areas (streets, most communities) share one part of their own.
const BUCKET: f64 = 0.02;

/// Areas with their index, and their shapes (to rebuild the index when some of them are read again).
#[derive(Debug)]
#[repr(C)]
struct Part {
    index: PolygonIndex,
    valid: Vec<Span>,
    areas: Vec<AreaRef>,
    shapes: Vec<MultiPolygon<f64>>,
}

impl Part {
    /// A part of `rows`; a bucket's index needs only the cells its few areas fill.
    fn new(rows: Vec<(AreaRef, MultiPolygon<f64>)>, bucket: bool) -> Self {
        let (areas, shapes): (Vec<_>, Vec<_>) = rows.into_iter().unzip();
        let index = if bucket {
            PolygonIndex::with_min_cells(shapes.clone(), 1_024)
        } else {
            PolygonIndex::new(shapes.clone())
        };
        let valid = areas.iter().map(AreaRef::span).collect();
        Self { index, areas, valid, shapes }
    }
}

/// The buckets by their cell, hashed by `FxHash`: a point's look-up hashes two integers, for which SipHash's
/// defence against crafted keys buys nothing (the keys are our own cells) and costs a third of the look-up.
type Buckets = HashMap<(i32, i32), Arc<Part>, rustc_hash::FxBuildHasher>;

/// Areas with their shapes, by where they are kept: a bucket, or `None` for the part of large areas.
type Sorted = HashMap<Option<(i32, i32)>, Vec<(AreaRef, MultiPolygon<f64>)>>;

/// The bucket holding a coordinate pair.
fn cell(x: f64, y: f64) -> (i32, i32) {
    (floor(x / BUCKET), floor(y / BUCKET))
}

/// `v.floor()` as an integer, without the call to the C library's `floor` that `f64::floor` compiles to on a
/// baseline x86-64 target (a tenth of a located point's time).
fn floor(v: f64) -> i32 {
    let t = v as i32;
    t - i32::from(f64::from(t) > v)
}

/// The buckets an area is kept in (every bucket its box overlaps), or `None` for the part of large areas.
fn buckets_of(shape: &MultiPolygon<f64>) -> Option<Vec<(i32, i32)>> {
    let r = shape.bounding_rect()?;
    if r.width() >= BUCKET * 0.99 || r.height() >= BUCKET * 0.99 {
        return None;
    }
    let ((x0, y0), (x1, y1)) = (cell(r.min().x, r.min().y), cell(r.max().x, r.max().y));
    Some((x0..=x1).flat_map(|x| (y0..=y1).map(move |y| (x, y))).collect())
}

/// Sort `rows` into the parts they are kept in (a small area into every bucket its box overlaps).
fn sort_into(sorted: &mut Sorted, rows: impl IntoIterator<Item = (AreaRef, MultiPolygon<f64>)>) {
    for (area, shape) in rows {
        match buckets_of(&shape) {
            Some(keys) => {
                for k in keys {
                    sorted.entry(Some(k)).or_default().push((area.clone(), shape.clone()));
                }
            }
            None => sorted.entry(None).or_default().push((area, shape)),
        }
    }
}

/// A set of areas: small ones in buckets (each in every bucket its box overlaps), each bucket with its own index,
/// large ones in one more part. A point is looked up in its bucket and the large part; a write within a box rebuilds
/// only the buckets within a bucket's width of the box, and the large part, and shares the others with the
/// snapshot before.
#[derive(Debug)]
pub struct Layer {
    buckets: Buckets,
    large: Arc<Part>,
    len: usize,
}

/// Whether `shape`'s bounding box meets `bbox` (west, south, east, north; edges included).
fn meets(shape: &MultiPolygon<f64>, bbox: [f64; 4]) -> bool {
    shape
        .bounding_rect()
        .is_some_and(|r| r.min().x <= bbox[2] && r.max().x >= bbox[0] && r.min().y <= bbox[3] && r.max().y >= bbox[1])
}

/// Whether the area `shape` kept in bucket `k` is counted there (in the bucket of its south-west corner).
fn counted_in(shape: &MultiPolygon<f64>, k: (i32, i32)) -> bool {
    shape.bounding_rect().is_some_and(|r| cell(r.min().x, r.min().y) == k)
}

impl Layer {
    fn new(rows: Vec<(AreaRef, MultiPolygon<f64>)>) -> Self {
        let len = rows.len();
        let mut sorted = Sorted::new();
        sort_into(&mut sorted, rows);
        Self::from_sorted(sorted, Buckets::default(), len)
    }

    fn from_sorted(mut sorted: Sorted, mut buckets: Buckets, len: usize) -> Self {
        let large = Arc::new(Part::new(sorted.remove(&None).unwrap_or_default(), false));
        buckets.extend(
            sorted
                .into_iter()
                .filter(|(_, rows)| !rows.is_empty())
                .filter_map(|(k, rows)| Some((k?, Arc::new(Part::new(rows, true))))),
        );
        Self { buckets, large, len }
    }

    /// Every area once, with its shape.
    fn each(&self) -> impl Iterator<Item = (&AreaRef, &MultiPolygon<f64>)> {
        let small = self
            .buckets
            .iter()
            .flat_map(|(k, p)| p.areas.iter().zip(&p.shapes).filter(move |(_, s)| counted_in(s, *k)));
        self.large.areas.iter().zip(&self.large.shapes).chain(small)
    }

    /// This layer with the areas meeting `bbox` replaced by `fresh` (read again from the database, a superset of
    /// those meeting the box: only those meeting it are taken, so the two sides agree on which areas are whose).
    /// An area meeting the box, smaller than a bucket, lies within a bucket's width of it: only those buckets, and
    /// the large part, are rebuilt.
    fn patched(&self, fresh: Layer, bbox: [f64; 4]) -> Layer {
        let ((x0, y0), (x1, y1)) = (cell(bbox[0] - BUCKET, bbox[1] - BUCKET), cell(bbox[2] + BUCKET, bbox[3] + BUCKET));
        let affected = |k: &(i32, i32)| (x0..=x1).contains(&k.0) && (y0..=y1).contains(&k.1);
        let mut sorted = Sorted::new();
        let mut len = self.len;
        let old = self.buckets.iter().filter(|(k, _)| affected(k)).map(|(k, p)| (Some(*k), p));
        for (k, part) in old.chain([(None, &self.large)]) {
            let rows = sorted.entry(k).or_default();
            for (a, s) in part.areas.iter().zip(&part.shapes) {
                if !meets(s, bbox) {
                    rows.push((a.clone(), s.clone()));
                } else if k.is_none_or(|k| counted_in(s, k)) {
                    len -= 1;
                }
            }
        }
        let read: Vec<(AreaRef, MultiPolygon<f64>)> =
            fresh.each().filter(|(_, s)| meets(s, bbox)).map(|(a, s)| (a.clone(), s.clone())).collect();
        len += read.len();
        sort_into(&mut sorted, read);
        let kept = self.buckets.iter().filter(|(k, _)| !affected(k)).map(|(k, p)| (*k, p.clone())).collect();
        Layer::from_sorted(sorted, kept, len)
    }

    /// The parts that can hold an area containing the point: its bucket and the large part (when it holds any).
    fn parts_at(&self, lon: f64, lat: f64) -> impl Iterator<Item = &Part> {
        let large = Some(self.large.as_ref()).filter(|p| !p.areas.is_empty());
        self.buckets.get(&cell(lon, lat)).map(|p| p.as_ref()).into_iter().chain(large)
    }

    /// The area containing the point and valid at `at` (for a partition, the only one).
    pub fn first(&self, lon: f64, lat: f64, at: DateTime<Utc>) -> Option<&AreaRef> {
        let at = at.timestamp_micros();
        self.parts_at(lon, lat)
            .find_map(|p| p.index.first(lon, lat, |i| p.valid[i as usize].holds(at)).map(|i| &p.areas[i as usize]))
    }

    /// Every area containing the point and valid at `at`, by id.
    pub fn all(&self, lon: f64, lat: f64, at: DateTime<Utc>) -> Vec<&AreaRef> {
        let at = at.timestamp_micros();
        let mut found = Vec::new();
        for p in self.parts_at(lon, lat) {
            let mut out = Vec::new();
            p.index.containing(lon, lat, |i| p.valid[i as usize].holds(at), &mut out);
            found.extend(out.into_iter().map(|i| &p.areas[i as usize]));
        }
        found.sort_by(|a, b| (a.area.id, &a.area.code).cmp(&(b.area.id, &b.area.code)));
        found
    }

    /// Number of areas.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the layer is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Parts (buckets and the large part), for the benchmark's report.
    pub fn parts(&self) -> usize {
        self.buckets.len() + 1
    }
}

/// One consistent view of all areas.
#[derive(Debug)]
pub struct Snapshot {
    /// Streets.
    pub streets: Layer,
    /// Communities.
    pub communities: Layer,
    /// Natural and dedicated grids of every published plan version.
    pub grids: Layer,
    /// Special grids.
    pub special_grids: Layer,
}

impl Snapshot {
    /// Locate a point as of `at`.
    pub fn locate(&self, lon: f64, lat: f64, at: DateTime<Utc>) -> Located {
        let area = |a: Option<&AreaRef>| a.map(|a| a.area.clone());
        let grid = area(self.grids.first(lon, lat, at));
        let (natural_grid, dedicated_grid) = match grid {
            Some(g) if g.kind == AreaKind::Dedicated => (None, Some(g)),
            g => (g, None),
        };
        Located {
            street: area(self.streets.first(lon, lat, at)),
            community: area(self.communities.first(lon, lat, at)),
            natural_grid,
            dedicated_grid,
            special_grids: self.special_grids.all(lon, lat, at).into_iter().map(|a| a.area.clone()).collect(),
        }
    }

    /// Read everything from the database, or only the areas whose box meets `within` (with a margin: the database
    /// compares boxes in single precision).
    pub async fn load(pool: &PgPool, within: Option<[f64; 4]>) -> Result<Self> {
        type Row = (
            i64,
            String,
            String,
            String,
            Option<i32>,
            Option<i32>,
            Option<DateTime<Utc>>,
            Option<DateTime<Utc>>,
            String,
        );
        let near = within.map(|b| {
            let m = 1e-6;
            format!(" AND geom && ST_MakeEnvelope({}, {}, {}, {}, 4326)", b[0] - m, b[1] - m, b[2] + m, b[3] + m)
        });
        let near = near.as_deref().unwrap_or("");
        async fn layer(pool: &PgPool, sql: &str) -> Result<Layer> {
            let rows: Vec<Row> = sqlx::query_as(sql).fetch_all(pool).await.with_context(|| sql.to_owned())?;
            let mut out = Vec::with_capacity(rows.len());
            for (id, code, name, kind, households, plan_version, valid_from, valid_to, geojson) in rows {
                let Some(mp) = crate::store::areal(&geojson)? else { continue };
                out.push((
                    AreaRef {
                        area: Area { id, code, name, kind: AreaKind::from(kind), households, plan_version },
                        valid_from,
                        valid_to,
                    },
                    mp,
                ));
            }
            Ok(Layer::new(out))
        }
        Ok(Self {
            streets: layer(pool, &format!("SELECT 0::int8, code, name, 'street', NULL::int4, NULL::int4, NULL::timestamptz, NULL::timestamptz, ST_AsGeoJSON(geom) FROM street WHERE geom IS NOT NULL{near}")).await?,
            communities: layer(pool, &format!("SELECT 0::int8, code, name, 'community', NULL::int4, NULL::int4, NULL::timestamptz, NULL::timestamptz, ST_AsGeoJSON(geom) FROM community WHERE geom IS NOT NULL{near}")).await?,
            grids: layer(pool, &format!("SELECT g.id, coalesce(g.code, ''), coalesce(g.name, g.code, g.key), g.kind, g.households, p.version, p.valid_from, p.valid_to, ST_AsGeoJSON(g.geom) FROM grid g JOIN plan p ON p.id = g.plan_id AND p.district_code = g.district_code WHERE p.status = 'published' AND g.geom IS NOT NULL{}", near.replace("geom", "g.geom"))).await?,
            special_grids: layer(pool, &format!("SELECT id, '', name, theme, NULL::int4, NULL::int4, valid_from, valid_to, ST_AsGeoJSON(geom) FROM special_grid WHERE true{near}")).await?,
        })
    }

    /// This snapshot with the areas meeting `bbox` replaced by `fresh` ([`Snapshot::load`] within that box).
    pub fn patched(&self, fresh: Snapshot, bbox: [f64; 4]) -> Snapshot {
        Snapshot {
            streets: self.streets.patched(fresh.streets, bbox),
            communities: self.communities.patched(fresh.communities, bbox),
            grids: self.grids.patched(fresh.grids, bbox),
            special_grids: self.special_grids.patched(fresh.special_grids, bbox),
        }
    }
}

/// The shared, swappable cache.
#[derive(Debug, Clone)]
pub struct LocateCache {
    current: Arc<RwLock<Arc<Snapshot>>>,
}

impl LocateCache {
    /// Load the first snapshot.
    pub async fn load(pool: &PgPool) -> Result<Self> {
        Ok(Self { current: Arc::new(RwLock::new(Arc::new(Snapshot::load(pool, None).await?))) })
    }

    /// The current snapshot.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current.read().expect("cache lock poisoned").clone()
    }

    /// Read again the areas meeting `touched` (everything when `None`) and swap the new snapshot in. Callers take
    /// turns (the application state's refresh lock), so no patch is built on a snapshot another one replaced.
    pub async fn refresh(&self, pool: &PgPool, touched: Option<[f64; 4]>) -> Result<()> {
        let fresh = Snapshot::load(pool, touched).await?;
        let next = match touched {
            Some(bbox) => self.snapshot().patched(fresh, bbox),
            None => fresh,
        };
        *self.current.write().expect("cache lock poisoned") = Arc::new(next);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::locate::synthetic_grids;

    fn rows(shapes: &[MultiPolygon<f64>], version: i32) -> Vec<(AreaRef, MultiPolygon<f64>)> {
        shapes
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let area = Area {
                    id: i as i64,
                    code: format!("{version}-{i}"),
                    name: String::new(),
                    kind: AreaKind::from("natural".to_owned()),
                    households: None,
                    plan_version: Some(version),
                };
                (AreaRef { area, valid_from: None, valid_to: None }, s.clone())
            })
            .collect()
    }

    /// A layer patched within a box holds what a layer built whole from the new areas holds, at every point, also on
    /// and around the buckets' edges.
    #[test]
    fn a_patched_layer_answers_as_one_built_whole() {
        let (min, max) = ([118.70, 31.90], [118.83, 32.01]);
        let before = synthetic_grids(min, max, 60);
        // the areas meeting the box redrawn (another tiling there), the rest as they were
        let bbox = [118.745, 31.93, 118.781, 31.962];
        let redrawn = synthetic_grids(min, max, 45);
        let mut after: Vec<(AreaRef, MultiPolygon<f64>)> =
            rows(&before, 1).into_iter().filter(|(_, s)| !meets(s, bbox)).collect();
        after.extend(rows(&redrawn, 2).into_iter().filter(|(_, s)| meets(s, bbox)));
        let whole = Layer::new(after.clone());
        let fresh = Layer::new(rows(&redrawn, 2));
        let patched = Layer::new(rows(&before, 1)).patched(fresh, bbox);
        assert_eq!(patched.len(), whole.len());
        let at = Utc::now();
        let mut found = 0;
        for i in 0..400 {
            for j in 0..400 {
                let (lon, lat) =
                    (min[0] + (max[0] - min[0]) * i as f64 / 399.0, min[1] + (max[1] - min[1]) * j as f64 / 399.0);
                // Every area there (the redrawn ones may overlap the old ones beyond the box: `first` could pick
                // either).
                let codes =
                    |l: &Layer| l.all(lon, lat, at).into_iter().map(|a| a.area.code.clone()).collect::<Vec<_>>();
                assert_eq!(codes(&patched), codes(&whole), "({lon}, {lat})");
                found += usize::from(!codes(&whole).is_empty());
            }
        }
        assert!(found > 150_000, "the lattice lies in the tiling: {found}");
    }
}
