//! Vector tiles of the stored data, served from memory.
//!
//! Tile sources ([`crate::tile_source`]): the *base* (land use, roads, buildings), loaded at start and after imports;
//! the *elements*, patched around each element registered; and the *governance* layers (boundaries, blocks, grids in
//! force, special grids, labels) — for staff, and without statistics for the public — patched within the box of each
//! write that changes them (only the features meeting it are read again), or read whole after a write without one. Encoded tiles are cached with their gzip form; a write evicts only the cached tiles that overlap
//! the area it changed. ETags are hashes of the tile bytes, so a tile that did not change keeps its ETag.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, RwLock};

use anyhow::Result;
use sqlx::PgPool;
use wangge_tiles::TileId;

use crate::tile_source::{MemorySource, TileSource};

/// An encoded tile.
#[derive(Debug)]
pub struct EncodedTile {
    /// Raw MVT bytes.
    pub raw: Vec<u8>,
    /// The same, gzipped.
    pub gzip: Vec<u8>,
    /// Strong ETag (quoted hash of the bytes).
    pub etag: String,
}

/// The tile layers, in drawing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    /// Land use and sites (parks, schools, residential areas).
    Landuse,
    /// Roads by class.
    Roads,
    /// Building footprints.
    Buildings,
    /// Places, facilities and organizations.
    Elements,
    /// District, street and community boundaries.
    Boundaries,
    /// Road-bounded blocks, with households (staff only).
    Blocks,
    /// The grids of the plans in force.
    Grids,
    /// Special grids (staff only).
    SpecialGrids,
    /// Community and grid labels.
    Labels,
}

impl Layer {
    /// Every layer.
    pub const ALL: [Layer; 9] = [
        Layer::Landuse,
        Layer::Roads,
        Layer::Buildings,
        Layer::Elements,
        Layer::Boundaries,
        Layer::Blocks,
        Layer::Grids,
        Layer::SpecialGrids,
        Layer::Labels,
    ];

    /// Its name in URLs, the style and the tiles.
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Landuse => "landuse",
            Layer::Roads => "roads",
            Layer::Buildings => "buildings",
            Layer::Elements => "elements",
            Layer::Boundaries => "boundaries",
            Layer::Blocks => "blocks",
            Layer::Grids => "grids",
            Layer::SpecialGrids => "special_grids",
            Layer::Labels => "labels",
        }
    }

    /// The layer of this name.
    pub fn parse(name: &str) -> Option<Layer> {
        Layer::ALL.into_iter().find(|l| l.as_str() == name)
    }

    /// Whether anyone may fetch it (`/tiles/public/…`): the base map, boundaries, grids and labels. Blocks (with
    /// their household counts) and special grids are for staff.
    pub fn is_public(self) -> bool {
        !matches!(self, Layer::Blocks | Layer::SpecialGrids)
    }
}

/// Each layer's query selects, per feature: its id, the geometry drawn, the zoom it is drawn from, its properties, and
/// the stored geometry a patch selects it by (a label is selected by its area, whose index the database can use).
const BASE_SQL: [(Layer, &str); 4] = [
    (Layer::Landuse, "SELECT id, geom, 12, json_build_object('kind', kind, 'name', name), geom FROM landuse"),
    (Layer::Roads, "SELECT id, geom,
                CASE WHEN class IN ('motorway', 'trunk', 'primary', 'secondary') THEN 10
                     WHEN class IN ('tertiary', 'motorway_link', 'trunk_link', 'primary_link', 'secondary_link') THEN 12
                     WHEN class IN ('residential', 'living_street', 'unclassified', 'tertiary_link') THEN 13
                     ELSE 15 END,
                json_build_object('class', class, 'name', name), geom FROM road",
    ),
    (Layer::Buildings, "SELECT id, footprint, 14,
                json_build_object('kind', kind, 'households', households, 'floors', floors, 'name', name), footprint FROM building",
    ),
    (Layer::Elements, "SELECT id, geom, 15, json_build_object('kind', kind, 'name', name, 'category', category), geom FROM element"),
];

const GOVERNANCE_SQL: [(Layer, &str); 5] = [
    (Layer::Boundaries, "SELECT 0::int8, geom, 0, json_build_object('level', 'district', 'code', code, 'name', name), geom FROM district WHERE geom IS NOT NULL
         UNION ALL SELECT 0, geom, 9, json_build_object('level', 'street', 'code', code, 'name', name), geom FROM street WHERE geom IS NOT NULL
         UNION ALL SELECT 0, geom, 11, json_build_object('level', 'community', 'code', code, 'name', name), geom FROM community WHERE geom IS NOT NULL",
    ),
    (Layer::Blocks, "SELECT id, geom, 14, json_build_object('households', households, 'residents', residents), geom
         FROM block WHERE NOT retired",
    ),
    (Layer::Grids, "SELECT g.id, g.geom, 11, json_build_object('code', g.code, 'kind', g.kind, 'name', coalesce(g.name, g.code),
                'households', g.households, 'residents', g.residents, 'deviation', (g.households - 300) / 300.0,
                'community_code', p.community_code), g.geom
         FROM grid g JOIN plan p ON p.id = g.plan_id AND p.district_code = g.district_code
         WHERE p.status = 'published' AND p.valid_from <= now() AND (p.valid_to IS NULL OR p.valid_to > now()) AND g.geom IS NOT NULL",
    ),
    (Layer::SpecialGrids, "SELECT id, geom, 11, json_build_object('name', name, 'theme', theme), geom FROM special_grid
         WHERE valid_from <= now() AND (valid_to IS NULL OR valid_to > now())",
    ),
    (Layer::Labels, "SELECT 0::int8, ST_PointOnSurface(geom), 12, json_build_object('kind', 'community', 'name', name), geom FROM community WHERE geom IS NOT NULL
         UNION ALL
         SELECT g.id, ST_PointOnSurface(g.geom), 14,
                json_build_object('kind', g.kind, 'name', right(g.code, 3), 'code', g.code, 'households', g.households), g.geom
         FROM grid g JOIN plan p ON p.id = g.plan_id AND p.district_code = g.district_code
         WHERE p.status = 'published' AND p.valid_from <= now() AND (p.valid_to IS NULL OR p.valid_to > now()) AND g.geom IS NOT NULL",
    ),
];

/// Properties of governance features that only staff see: the public sees no statistics.
const STAFF_ONLY_PROPERTIES: [&str; 3] = ["households", "residents", "deviation"];

/// The governance layers as the public gets them: boundaries, grids and labels, without statistics.
fn public_governance_queries() -> Vec<(Layer, &'static str)> {
    GOVERNANCE_SQL.iter().copied().filter(|(layer, _)| layer.is_public()).collect()
}

fn etag(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h = (h ^ u64::from(*b)).wrapping_mul(0x100000001b3);
    }
    format!("\"{h:016x}-{}\"", bytes.len())
}

/// Which layers a request wants.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Selection {
    /// Everything (`/tiles/all/…`).
    All,
    /// Some layers, in drawing order.
    Layers(Vec<Layer>),
}

impl Selection {
    /// Parse `all`, `public` or a comma-separated list of known layer names.
    pub fn parse(s: &str) -> Option<Self> {
        if s == "all" {
            return Some(Selection::All);
        }
        if s == "public" {
            return Some(Selection::Layers(Layer::ALL.into_iter().filter(|l| l.is_public()).collect()));
        }
        let mut layers: Vec<Layer> = s.split(',').map(Layer::parse).collect::<Option<_>>()?;
        layers.sort();
        layers.dedup();
        Some(Selection::Layers(layers))
    }

    /// Whether every layer selected is public.
    pub fn is_public(&self) -> bool {
        match self {
            Selection::All => false,
            Selection::Layers(l) => l.iter().all(|layer| layer.is_public()),
        }
    }

    fn wants(&self, name: &str) -> bool {
        match self {
            Selection::All => true,
            Selection::Layers(l) => l.iter().any(|layer| layer.as_str() == name),
        }
    }
}

type CacheKey = (Selection, TileId);

/// The tile sources and the encoded-tile cache.
#[derive(Debug, Clone)]
pub struct TileService {
    base: Arc<MemorySource>,
    elements: Arc<MemorySource>,
    governance: Arc<MemorySource>,
    public_governance: Arc<MemorySource>,
    cache: Arc<RwLock<HashMap<CacheKey, Arc<EncodedTile>>>>,
}

/// Cached tiles kept before the cache is emptied.
const CACHE_LIMIT: usize = 50_000;

impl TileService {
    /// Load both tile sets.
    pub async fn load(pool: &PgPool) -> Result<Self> {
        let source = |id, queries: &[(Layer, &'static str)], hidden| {
            MemorySource::load(pool, id, queries.iter().map(|(layer, sql)| (layer.as_str(), *sql)).collect(), hidden)
        };
        Ok(Self {
            base: Arc::new(source("base", &BASE_SQL[..3], &[]).await?),
            elements: Arc::new(source("elements", &BASE_SQL[3..], &[]).await?),
            governance: Arc::new(source("governance", &GOVERNANCE_SQL, &[]).await?),
            public_governance: Arc::new(
                source("public_governance", &public_governance_queries(), &STAFF_ONLY_PROPERTIES).await?,
            ),
            cache: Arc::new(RwLock::new(HashMap::new())),
        })
    }

    /// Read again the governance features meeting `touched` (west, south, east, north; everything when the change
    /// has no known extent) and evict the cached tiles overlapping it.
    pub async fn reload_governance(&self, pool: &PgPool, touched: Option<[f64; 4]>) -> Result<()> {
        self.governance.reload(pool, touched).await?;
        self.public_governance.reload(pool, touched).await?;
        self.evict(touched);
        Ok(())
    }

    /// Reload the base layers (after an import) and empty the cache.
    pub async fn reload_base(&self, pool: &PgPool) -> Result<()> {
        self.base.reload(pool, None).await?;
        self.elements.reload(pool, None).await?;
        self.cache.write().expect("tile cache lock").clear();
        Ok(())
    }

    /// Read again the elements meeting `touched` (west, south, east, north) and evict the cached tiles overlapping
    /// it.
    pub async fn reload_elements(&self, pool: &PgPool, touched: [f64; 4]) -> Result<()> {
        self.elements.reload(pool, Some(touched)).await?;
        self.evict(Some(touched));
        Ok(())
    }

    /// Forget the cached tiles overlapping `touched`, or all of them.
    fn evict(&self, touched: Option<[f64; 4]>) {
        let mut cache = self.cache.write().expect("tile cache lock");
        match touched {
            Some([w, s, e, n]) => cache.retain(|(_, t), _| {
                let [tw, ts, te, tn] = t.lon_lat_bounds();
                te < w || tw > e || tn < s || ts > n
            }),
            None => cache.clear(),
        }
    }

    /// The sources a selection draws from, in drawing order (the public's governance layers carry no statistics).
    fn sources(&self, selection: &Selection) -> [&dyn TileSource; 3] {
        let governance = if selection.is_public() { &self.public_governance } else { &self.governance };
        [&*self.base, &*self.elements, &**governance]
    }

    /// The layers a selection holds, with the id of the source each comes from (for TileJSON).
    pub fn vector_layers(&self, selection: &Selection) -> Vec<(&'static str, String)> {
        self.sources(selection)
            .into_iter()
            .flat_map(|source| source.layer_names().into_iter().map(move |name| (source.id(), name)))
            .filter(|(_, name)| selection.wants(name))
            .collect()
    }

    /// The tile, from the cache or freshly encoded. A selection of public layers only gets the governance
    /// features without their statistics, whoever asks.
    pub fn tile(&self, selection: &Selection, tile: TileId) -> Arc<EncodedTile> {
        let key = (selection.clone(), tile);
        if let Some(t) = self.cache.read().expect("tile cache lock").get(&key) {
            return t.clone();
        }
        let mut raw = Vec::new();
        for source in self.sources(selection) {
            raw.extend(source.encode(tile, &|name| selection.wants(name)));
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::with_capacity(raw.len() / 2), flate2::Compression::fast());
        gz.write_all(&raw).expect("writing to memory");
        let gzip = gz.finish().expect("writing to memory");
        let encoded = Arc::new(EncodedTile { etag: etag(&raw), raw, gzip });
        let mut cache = self.cache.write().expect("tile cache lock");
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(key, encoded.clone());
        encoded
    }
}
