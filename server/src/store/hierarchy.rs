//! Districts, streets and communities.

use anyhow::Result;
use sqlx::PgPool;
use wangge_domain::boundary::Boundary;

use super::geojson_text;

/// Level of the administrative hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// 区.
    District,
    /// 街道.
    Street,
    /// 社区.
    Community,
}

impl Level {
    /// Table name.
    pub fn table(self) -> &'static str {
        match self {
            Level::District => "district",
            Level::Street => "street",
            Level::Community => "community",
        }
    }

    /// Column naming the parent, if any.
    pub fn parent_column(self) -> Option<&'static str> {
        match self {
            Level::District => None,
            Level::Street => Some("district_code"),
            Level::Community => Some("street_code"),
        }
    }

    /// Digits of the parent code (a code's parent is its prefix).
    pub fn parent_digits(self) -> usize {
        match self {
            Level::District => 0,
            Level::Street => 6,
            Level::Community => 9,
        }
    }
}

/// Insert or update one area; an existing row keeps its geometry when `boundary` is `None`.
pub async fn upsert_area(
    pool: &PgPool,
    level: Level,
    code: &str,
    name: &str,
    boundary: Option<&Boundary>,
    generated: bool,
) -> Result<()> {
    let geom = boundary.map(|b| geojson_text(b.multi_polygon()));
    let table = level.table();
    let (cols, vals) = match level.parent_column() {
        Some(p) => (format!(", {p}"), format!(", left($1, {})", level.parent_digits())),
        None => (", generated".to_owned(), ", $4".to_owned()),
    };
    let sql = format!(
        "INSERT INTO {table} (code, name, geom{cols}) \
         VALUES ($1, $2, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($3), 4326)){vals}) \
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, geom = coalesce(excluded.geom, {table}.geom)"
    );
    sqlx::query(&sql).bind(code).bind(name).bind(geom).bind(generated).execute(pool).await?;
    Ok(())
}
