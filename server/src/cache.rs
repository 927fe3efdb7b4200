//! The in-memory locate cache: streets, communities, published grids (all versions) and special grids, each in a
//! [`PolygonIndex`]. It is read whole from the database on start. A write that changes areas within a box (a
//! publish: its community's box) reads again only the areas whose box meets that box, keeps every other area as it
//! was, and rebuilds the indexes in memory; a write without a box reads everything again. Either way the new
//! snapshot is swapped in atomically, so a reader always sees one consistent snapshot.

use std::sync::{Arc, RwLock};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use geo::{BoundingRect, Geometry, MultiPolygon};
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
    fn valid_at(&self, at: DateTime<Utc>) -> bool {
        self.valid_from.is_none_or(|f| f <= at) && self.valid_to.is_none_or(|t| at < t)
    }
}

/// A set of areas with their index (and their shapes, to rebuild it when some areas are read again).
#[derive(Debug)]
pub struct Layer {
    index: PolygonIndex,
    areas: Vec<AreaRef>,
    shapes: Vec<MultiPolygon<f64>>,
}

/// Whether `shape`'s bounding box meets `bbox` (west, south, east, north; edges included).
fn meets(shape: &MultiPolygon<f64>, bbox: [f64; 4]) -> bool {
    shape
        .bounding_rect()
        .is_some_and(|r| r.min().x <= bbox[2] && r.max().x >= bbox[0] && r.min().y <= bbox[3] && r.max().y >= bbox[1])
}

impl Layer {
    fn new(rows: Vec<(AreaRef, MultiPolygon<f64>)>) -> Self {
        let (areas, shapes): (Vec<_>, Vec<_>) = rows.into_iter().unzip();
        Self { index: PolygonIndex::new(shapes.clone()), areas, shapes }
    }

    /// This layer with the areas meeting `bbox` replaced by `fresh` (read again from the database, a superset of
    /// those meeting the box: only those meeting it are taken, so the two sides agree on which areas are whose).
    fn patched(&self, fresh: Layer, bbox: [f64; 4]) -> Layer {
        let kept = self.areas.iter().zip(&self.shapes).filter(|(_, s)| !meets(s, bbox));
        let read = fresh.areas.into_iter().zip(fresh.shapes).filter(|(_, s)| meets(s, bbox));
        Layer::new(kept.map(|(a, s)| (a.clone(), s.clone())).chain(read).collect())
    }

    /// The area containing the point and valid at `at` (for a partition, the only one).
    pub fn first(&self, lon: f64, lat: f64, at: DateTime<Utc>) -> Option<&AreaRef> {
        self.index.first(lon, lat, |i| self.areas[i as usize].valid_at(at)).map(|i| &self.areas[i as usize])
    }

    /// Every area containing the point and valid at `at`.
    pub fn all(&self, lon: f64, lat: f64, at: DateTime<Utc>) -> Vec<&AreaRef> {
        let mut out = Vec::new();
        self.index.containing(lon, lat, |i| self.areas[i as usize].valid_at(at), &mut out);
        out.into_iter().map(|i| &self.areas[i as usize]).collect()
    }

    /// Number of areas.
    pub fn len(&self) -> usize {
        self.areas.len()
    }

    /// Whether the layer is empty.
    pub fn is_empty(&self) -> bool {
        self.areas.is_empty()
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
                let g: geojson::Geometry = geojson.parse().context("PostGIS GeoJSON")?;
                let g: Geometry<f64> = g.try_into().context("PostGIS GeoJSON to geo")?;
                let mp = match g {
                    Geometry::MultiPolygon(mp) => mp,
                    Geometry::Polygon(p) => MultiPolygon(vec![p]),
                    _ => continue,
                };
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
            grids: layer(pool, &format!("SELECT g.id, coalesce(g.code, ''), coalesce(g.name, g.code, g.key), g.kind, g.households, p.version, p.valid_from, p.valid_to, ST_AsGeoJSON(g.geom) FROM grid g JOIN plan p ON p.id = g.plan_id WHERE p.status = 'published' AND g.geom IS NOT NULL{}", near.replace("geom", "g.geom"))).await?,
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
