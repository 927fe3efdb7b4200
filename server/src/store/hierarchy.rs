//! Districts, streets and communities.

use super::{typed, Result};
use serde_json::Value;
use sqlx::PgPool;
use wangge_api::areas::{Community, District, Street};
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

    /// The level above (a district has none).
    pub fn parent(self) -> Option<Level> {
        match self {
            Level::District => None,
            Level::Street => Some(Level::District),
            Level::Community => Some(Level::Street),
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
    let (cols, vals, key) = match level {
        Level::District => (", generated", ", $4", "code"),
        Level::Street => (", district_code", ", left($1, 6)", "code"),
        // a community's key holds its district (docs/SCALE.md)
        Level::Community => (", street_code, district_code", ", left($1, 9), left($1, 6)", "code, district_code"),
    };
    let sql = format!(
        "INSERT INTO {table} (code, name, geom{cols}) \
         VALUES ($1, $2, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($3), 4326)){vals}) \
         ON CONFLICT ({key}) DO UPDATE SET name = excluded.name, geom = coalesce(excluded.geom, {table}.geom)"
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
    let sql = format!("SELECT {} FROM community WHERE code = $1 AND district_code = left($1, 6)", super::BBOX_COLUMNS);
    Ok(sqlx::query_as(&sql).bind(code).fetch_optional(db).await?.and_then(super::bbox))
}

/// Whether area `code` of `level` exists.
pub async fn exists(pool: &PgPool, level: Level, code: &str) -> Result<bool> {
    let sql = format!("SELECT EXISTS (SELECT 1 FROM {} WHERE code = $1)", level.table());
    Ok(sqlx::query_scalar(&sql).bind(code).fetch_one(pool).await?)
}

/// Every district: code, name, whether generated, bounding box.
pub async fn districts(pool: &PgPool) -> Result<Vec<District>> {
    Ok(typed(
        sqlx::query_scalar(
            "SELECT json_build_object('code', code, 'name', name, 'generated', generated,
                'bbox', CASE WHEN geom IS NULL THEN NULL ELSE
                  json_build_array(ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)) END)
         FROM district ORDER BY code",
        )
        .fetch_all(pool)
        .await?,
    ))
}

/// The streets of `district` that a scope of code `prefixes` touches.
pub async fn streets(pool: &PgPool, district: &str, prefixes: &[String]) -> Result<Vec<Street>> {
    Ok(typed(
        sqlx::query_scalar(
            "SELECT json_build_object('code', code, 'name', name, 'has_boundary', geom IS NOT NULL)
         FROM street WHERE district_code = $1 AND touches_scope(code, $2) ORDER BY code",
        )
        .bind(district)
        .bind(prefixes)
        .fetch_all(pool)
        .await?,
    ))
}

/// The communities of `street` that a scope of code `prefixes` touches, with their blocks and households.
pub async fn communities(pool: &PgPool, street: &str, prefixes: &[String]) -> Result<Vec<Community>> {
    Ok(typed(sqlx::query_scalar(
        "SELECT json_build_object('code', c.code, 'name', c.name, 'has_boundary', c.geom IS NOT NULL,
                'blocks', (SELECT count(*) FROM block b WHERE b.community_code = c.code AND NOT b.retired),
                'households', (SELECT coalesce(sum(households), 0) FROM block b WHERE b.community_code = c.code AND NOT b.retired))
         FROM community c WHERE street_code = $1 AND touches_scope(code, $2) ORDER BY code",
    )
    .bind(street)
    .bind(prefixes)
    .fetch_all(pool)
    .await?))
}

/// Community `code` as a Feature with its street, counts and the plan in force.
pub async fn community(pool: &PgPool, code: &str) -> Result<Option<Value>> {
    Ok(sqlx::query_scalar(
        "SELECT json_build_object('type', 'Feature', 'id', c.code,
                'geometry', ST_AsGeoJSON(c.geom, 7)::json,
                'properties', json_build_object('code', c.code, 'name', c.name, 'street_code', c.street_code,
                    'street_name', s.name, 'district_code', s.district_code,
                    'blocks', (SELECT count(*) FROM block b WHERE b.community_code = c.code AND NOT b.retired),
                    'buildings', (SELECT count(*) FROM building b WHERE b.community_code = c.code),
                    'households', (SELECT coalesce(sum(households), 0) FROM block b WHERE b.community_code = c.code AND NOT b.retired),
                    'plan_in_force', (SELECT p.id FROM plan p WHERE p.community_code = c.code AND p.status = 'published'
                        AND p.valid_from <= now() AND (p.valid_to IS NULL OR p.valid_to > now()))))
         FROM community c JOIN street s ON s.code = c.street_code WHERE c.code = $1",
    )
    .bind(code)
    .fetch_optional(pool)
    .await?)
}

/// Things that carry a code: an area of a level, or a grid (of any plan version).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coded {
    /// A district, street or community.
    Area(Level),
    /// A grid.
    Grid,
}

/// The codes among `codes` that name no `what`.
pub async fn unknown_codes(pool: &PgPool, what: Coded, codes: &[&str]) -> Result<Vec<String>> {
    let table = match what {
        Coded::Area(level) => level.table(),
        Coded::Grid => "grid",
    };
    let found: Vec<String> = sqlx::query_scalar(&format!("SELECT DISTINCT code FROM {table} WHERE code = ANY($1)"))
        .bind(codes)
        .fetch_all(pool)
        .await?;
    Ok(codes.iter().filter(|c| !found.iter().any(|f| f == *c)).map(|c| (*c).to_owned()).collect())
}

/// Record community `code`'s census population.
pub async fn set_population(conn: &mut sqlx::PgConnection, code: &str, population: i32) -> Result<()> {
    sqlx::query("UPDATE community SET population = $2 WHERE code = $1 AND district_code = left($1, 6)")
        .bind(code)
        .bind(population)
        .execute(conn)
        .await?;
    Ok(())
}
