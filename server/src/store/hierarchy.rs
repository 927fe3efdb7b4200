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
pub async fn upsert_area<'e>(
    db: impl sqlx::PgExecutor<'e>,
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
    sqlx::query(&sql).bind(code).bind(name).bind(geom).bind(generated).execute(db).await?;
    Ok(())
}

/// Area that may lie outside the parent or over a sibling before it counts (m²): digitising noise, not a mistake.
pub const PLACEMENT_SLACK_M2: f64 = 10.0;

/// Why an area's boundary does not fit the hierarchy.
#[derive(Debug, Clone, PartialEq)]
pub enum Misplaced {
    /// Part of it lies outside its parent (a community outside its street, a street outside its district).
    OutsideParent {
        /// The parent's code.
        parent: String,
        /// The area outside, in m².
        area_m2: f64,
    },
    /// It overlaps other areas of its level in the same district.
    Overlaps {
        /// Each overlapped area's code and the overlap in m².
        with: Vec<(String, f64)>,
    },
}

impl std::fmt::Display for Misplaced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Misplaced::OutsideParent { parent, area_m2 } => {
                write!(f, "{area_m2} m² lie outside {parent}, which must contain it")
            }
            Misplaced::Overlaps { with } => {
                let names: Vec<String> = with.iter().map(|(code, area)| format!("{code} ({area} m²)")).collect();
                write!(f, "it overlaps {}", names.join(", "))
            }
        }
    }
}

/// Whether `boundary` for area `code` of `level` lies inside its parent (when the parent has a boundary) and clear
/// of the other areas of its level in the district. Districts are not checked.
pub async fn misplaced(pool: &PgPool, level: Level, code: &str, boundary: &Boundary) -> Result<Option<Misplaced>> {
    let Some(parent_column) = level.parent_column() else {
        return Ok(None);
    };
    let parent_table = if parent_column == "district_code" { "district" } else { "street" };
    let geom = geojson_text(boundary.multi_polygon());
    let parent = &code[..level.parent_digits()];
    let outside: Option<f64> = sqlx::query_scalar(&format!(
        "SELECT ST_Area(ST_Difference(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326), p.geom)::geography)
         FROM {parent_table} p WHERE p.code = $2 AND p.geom IS NOT NULL"
    ))
    .bind(&geom)
    .bind(parent)
    .fetch_optional(pool)
    .await?;
    if let Some(area_m2) = outside.filter(|a| *a > PLACEMENT_SLACK_M2) {
        return Ok(Some(Misplaced::OutsideParent { parent: parent.to_owned(), area_m2: area_m2.round() }));
    }
    let table = level.table();
    let overlaps: Vec<(String, f64)> = sqlx::query_as(&format!(
        "WITH n AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4326) AS g)
         SELECT s.code, round(ST_Area(ST_Intersection(s.geom, n.g)::geography)::numeric)::float8 FROM {table} s, n
         WHERE s.code <> $2 AND left(s.code, 6) = left($2, 6) AND s.geom && n.g AND ST_Intersects(s.geom, n.g)"
    ))
    .bind(&geom)
    .bind(code)
    .fetch_all(pool)
    .await?;
    let with: Vec<(String, f64)> = overlaps.into_iter().filter(|(_, a)| *a > PLACEMENT_SLACK_M2).collect();
    Ok((!with.is_empty()).then_some(Misplaced::Overlaps { with }))
}

/// The bounding box (west, south, east, north) of community `code`, if it has a boundary.
pub async fn community_bbox<'e>(db: impl sqlx::PgExecutor<'e>, code: &str) -> Result<Option<[f64; 4]>> {
    let sql = format!("SELECT {} FROM community WHERE code = $1", super::BBOX_COLUMNS);
    Ok(sqlx::query_as(&sql).bind(code).fetch_optional(db).await?.and_then(super::bbox))
}
