//! The in-memory locate cache: streets, communities, published grids (all versions) and special grids, each in a
//! [`PolygonIndex`]. It is rebuilt from the database on start and after every write that changes an area, and
//! swapped in atomically, so a reader always sees one consistent snapshot.

use std::sync::{Arc, RwLock};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use geo::{Geometry, MultiPolygon};
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

/// A set of areas with their index.
#[derive(Debug)]
pub struct Layer {
    index: PolygonIndex,
    areas: Vec<AreaRef>,
}

impl Layer {
    fn new(rows: Vec<(AreaRef, MultiPolygon<f64>)>) -> Self {
        let (areas, polys): (Vec<_>, Vec<_>) = rows.into_iter().unzip();
        Self { index: PolygonIndex::new(polys), areas }
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

    /// Read everything from the database.
    pub async fn load(pool: &PgPool) -> Result<Self> {
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
            streets: layer(pool, "SELECT 0::int8, code, name, 'street', NULL::int4, NULL::int4, NULL::timestamptz, NULL::timestamptz, ST_AsGeoJSON(geom) FROM street WHERE geom IS NOT NULL").await?,
            communities: layer(pool, "SELECT 0::int8, code, name, 'community', NULL::int4, NULL::int4, NULL::timestamptz, NULL::timestamptz, ST_AsGeoJSON(geom) FROM community WHERE geom IS NOT NULL").await?,
            grids: layer(pool, "SELECT g.id, coalesce(g.code, ''), coalesce(g.name, g.code, g.key), g.kind, g.households, p.version, p.valid_from, p.valid_to, ST_AsGeoJSON(g.geom) FROM grid g JOIN plan p ON p.id = g.plan_id WHERE p.status = 'published' AND g.geom IS NOT NULL").await?,
            special_grids: layer(pool, "SELECT id, '', name, theme, NULL::int4, NULL::int4, valid_from, valid_to, ST_AsGeoJSON(geom) FROM special_grid").await?,
        })
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
        Ok(Self { current: Arc::new(RwLock::new(Arc::new(Snapshot::load(pool).await?))) })
    }

    /// The current snapshot.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current.read().expect("cache lock poisoned").clone()
    }

    /// Reload from the database and swap the new snapshot in.
    pub async fn refresh(&self, pool: &PgPool) -> Result<()> {
        let fresh = Arc::new(Snapshot::load(pool).await?);
        *self.current.write().expect("cache lock poisoned") = fresh;
        Ok(())
    }
}
