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
    /// (layer name, SQL selecting id, GeoJSON, minimum zoom, properties as JSON) per layer.
    queries: Vec<(&'static str, &'static str)>,
    /// Properties left out of every feature.
    hidden: &'static [&'static str],
    set: RwLock<Arc<TileSet>>,
}

impl MemorySource {
    /// Load the layers `queries` select, leaving out the properties named in `hidden`.
    pub async fn load(
        pool: &PgPool,
        id: &'static str,
        queries: Vec<(&'static str, &'static str)>,
        hidden: &'static [&'static str],
    ) -> Result<Self> {
        let set = RwLock::new(Arc::new(load(pool, &queries, hidden).await?));
        Ok(Self { id, queries, hidden, set })
    }

    /// Select the layers again and swap them in.
    pub async fn reload(&self, pool: &PgPool) -> Result<()> {
        let fresh = Arc::new(load(pool, &self.queries, self.hidden).await?);
        *self.set.write().expect("tile lock") = fresh;
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

/// Load the layers `queries` select, leaving out the properties named in `hidden`.
async fn load(pool: &PgPool, queries: &[(&str, &str)], hidden: &[&str]) -> Result<TileSet> {
    let mut layers = Vec::with_capacity(queries.len());
    for (name, sql) in queries {
        let rows: Vec<(i64, String, i32, Json)> =
            sqlx::query_as(sql).fetch_all(pool).await.with_context(|| format!("loading tile layer {name}"))?;
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
