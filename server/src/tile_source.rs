//! Tile sources, after Martin's `Source`: each names the layers it holds and encodes those a request wants for one
//! tile. Today's sources are layers loaded from the database into memory ([`MemorySource`]); the density (heat)
//! layers of the case workflow will be sources parameterised by their filters.

use std::sync::{Arc, RwLock};

use anyhow::{Context, Result};
use geo::Geometry;
use serde_json::Value as Json;
use sqlx::PgPool;
use wangge_tiles::{SourceFeature, SourceLayer, TileId, TileSet, Value};

/// A source of vector-tile layers.
pub trait TileSource: Send + Sync + std::fmt::Debug {
    /// Its id (`base`, `elements`, `governance`, …).
    fn id(&self) -> &'static str;
    /// The names of its layers, in drawing order.
    fn layer_names(&self) -> Vec<String>;
    /// The MVT bytes of those of its layers that `wanted` accepts, for `tile`.
    fn encode(&self, tile: TileId, wanted: &dyn Fn(&str) -> bool) -> Vec<u8>;
}

/// Layers selected from the database and held in memory, swapped as a whole when reloaded.
#[derive(Debug)]
pub struct MemorySource {
    id: &'static str,
    /// (layer name, SQL selecting id, geometry, minimum zoom, properties as JSON) per layer.
    queries: Vec<(&'static str, &'static str)>,
    /// Properties left out of every feature.
    hidden: &'static [&'static str],
    set: RwLock<Arc<TileSet>>,
    /// Held from reading to swapping in, so no patch is built on a set another patch replaced.
    turn: tokio::sync::Mutex<()>,
}

impl MemorySource {
    /// Load the layers `queries` select, leaving out the properties named in `hidden`.
    pub async fn load(
        pool: &PgPool,
        id: &'static str,
        queries: Vec<(&'static str, &'static str)>,
        hidden: &'static [&'static str],
    ) -> Result<Self> {
        let set = RwLock::new(Arc::new(load(pool, &queries, hidden, None).await?));
        Ok(Self { id, queries, hidden, set, turn: tokio::sync::Mutex::new(()) })
    }

    /// Select the features meeting `within` (west, south, east, north) again and patch them in, keeping every other
    /// feature as it was; or, without a box, select everything again. Either way the new set is swapped in whole,
    /// so a tile is always cut from one consistent set; reloads take turns.
    pub async fn reload(&self, pool: &PgPool, within: Option<[f64; 4]>) -> Result<()> {
        let _turn = self.turn.lock().await;
        let fresh = load(pool, &self.queries, self.hidden, within).await?;
        let next = match within {
            // The box widened past the GeoJSON's rounding (1e-7°), so a point written exactly on its edge is in it
            // as read back; still well inside the margin of the selection.
            Some(b) => {
                self.set.read().expect("tile lock").patched(&fresh, [b[0] - PAD, b[1] - PAD, b[2] + PAD, b[3] + PAD])
            }
            None => fresh,
        };
        *self.set.write().expect("tile lock") = Arc::new(next);
        Ok(())
    }
}

impl TileSource for MemorySource {
    fn id(&self) -> &'static str {
        self.id
    }

    fn layer_names(&self) -> Vec<String> {
        self.queries.iter().map(|(name, _)| (*name).to_owned()).collect()
    }

    fn encode(&self, tile: TileId, wanted: &dyn Fn(&str) -> bool) -> Vec<u8> {
        let set = self.set.read().expect("tile lock").clone();
        let names: Vec<&str> = set.layers().iter().map(|l| l.name()).filter(|n| wanted(n)).collect();
        set.encode_layers(tile, &names)
    }
}

fn json_to_value(v: &Json) -> Option<Value> {
    match v {
        Json::String(s) => Some(Value::String(s.clone())),
        Json::Bool(b) => Some(Value::Bool(*b)),
        Json::Number(n) => n.as_i64().map(Value::Int).or_else(|| n.as_f64().map(Value::Double)),
        _ => None,
    }
}

/// How far (degrees) a patch's box is widened: past the 7 decimals the features are read with, within the selection's
/// margin of 1e-6.
const PAD: f64 = 5e-7;

/// Load the layers `queries` select (each row: id, geometry, zoom, properties, and the stored geometry it is selected
/// by; only the features whose stored geometry's box meets `within`, with a margin: the database compares boxes in
/// single precision), leaving out the properties named in `hidden`. The features taken into a patch are those whose
/// drawn geometry meets the box, a subset of these (a label lies within its area).
async fn load(pool: &PgPool, queries: &[(&str, &str)], hidden: &[&str], within: Option<[f64; 4]>) -> Result<TileSet> {
    let near = within.map_or(String::new(), |b| {
        let m = 1e-6;
        format!(" WHERE extent && ST_MakeEnvelope({}, {}, {}, {}, 4326)", b[0] - m, b[1] - m, b[2] + m, b[3] + m)
    });
    let mut layers = Vec::with_capacity(queries.len());
    for (name, sql) in queries {
        let sql =
            format!("SELECT id, ST_AsGeoJSON(geom, 7), z, props FROM ({sql}) s (id, geom, z, props, extent){near}");
        let rows: Vec<(i64, String, i32, Json)> =
            sqlx::query_as(&sql).fetch_all(pool).await.with_context(|| format!("loading tile layer {name}"))?;
        let mut features = Vec::with_capacity(rows.len());
        for (id, geojson, min_zoom, props) in rows {
            let g: geojson::Geometry = geojson.parse().context("PostGIS GeoJSON")?;
            let g: Geometry<f64> = g.try_into().context("GeoJSON to geo")?;
            let mut f = SourceFeature::new(id.max(0) as u64, g, min_zoom.clamp(0, 22) as u8);
            if let Json::Object(map) = props {
                for (k, v) in map.iter().filter(|(k, _)| !hidden.contains(&k.as_str())) {
                    if let Some(v) = json_to_value(v) {
                        f = f.with(k, v);
                    }
                }
            }
            features.push(f);
        }
        layers.push(SourceLayer::new(name, features));
    }
    Ok(TileSet::new(layers))
}
