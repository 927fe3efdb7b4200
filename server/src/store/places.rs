//! Where stored things lie, in SQL: the entities addressed by id, and for each the codes of the areas it lies in.

use super::Result;
use sqlx::PgPool;

/// Entities addressed by id (in paths, in the audit log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    /// A plan version.
    Plan,
    /// A block.
    Block,
    /// A building.
    Building,
    /// A grid.
    Grid,
    /// A place, facility or organization.
    Element,
    /// A registered resident.
    Resident,
    /// A staff account.
    Account,
    /// A case.
    Case,
}

impl Entity {
    /// Its name in messages and the audit log.
    pub fn name(self) -> &'static str {
        match self {
            Entity::Plan => "plan",
            Entity::Block => "block",
            Entity::Building => "building",
            Entity::Grid => "grid",
            Entity::Element => "element",
            Entity::Resident => "resident",
            Entity::Account => "account",
            Entity::Case => "case",
        }
    }
}

/// Where an entity lies, as stored.
#[derive(Debug, Clone, PartialEq)]
pub enum Lies {
    /// In areas: the code of its grid, if it has one, and of its community (an account: its district), and with
    /// departments (a case).
    In {
        /// Its grid's code.
        grid: Option<String>,
        /// Its community's (or district's) code.
        area: Option<String>,
        /// The departments it is with.
        departments: Vec<String>,
    },
    /// At a point (lon, lat) still to be located (a building: the point on its footprint's surface).
    At(f64, f64),
}

/// Where entity `id` lies; `None` when it does not exist.
pub async fn lies(pool: &PgPool, entity: Entity, id: i64) -> Result<Option<Lies>> {
    let sql = match entity {
        Entity::Plan => "SELECT NULL::text, community_code, '{}'::text[] FROM plan WHERE id = $1",
        Entity::Block => "SELECT NULL::text, community_code, '{}'::text[] FROM block WHERE id = $1",
        Entity::Grid => {
            "SELECT g.code, p.community_code, '{}'::text[] FROM grid g JOIN plan p ON p.id = g.plan_id AND p.district_code = g.district_code WHERE g.id = $1"
        }
        Entity::Element => {
            "SELECT g.code, e.community_code, '{}'::text[] FROM element e LEFT JOIN grid g ON g.id = e.grid_id AND g.district_code = e.district_code
             WHERE e.id = $1"
        }
        Entity::Resident => {
            "SELECT g.code, r.community_code, '{}'::text[] FROM resident r LEFT JOIN grid g ON g.id = r.grid_id AND g.district_code = r.district_code
             WHERE r.id = $1"
        }
        Entity::Account => "SELECT NULL::text, district_code, '{}'::text[] FROM account WHERE id = $1",
        Entity::Case => {
            "SELECT c.grid_code, coalesce(c.community_code, c.street_code, c.district_code),
                    array(SELECT d.name FROM department d WHERE d.id = c.department_id OR d.id = ANY(c.co_department_ids))
             FROM cases c WHERE c.id = $1"
        }
        Entity::Building => {
            let point: Option<(f64, f64)> = sqlx::query_as(
                "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(footprint) AS p FROM building WHERE id = $1) b",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?;
            return Ok(point.map(|(lon, lat)| Lies::At(lon, lat)));
        }
    };
    let codes: Option<(Option<String>, Option<String>, Vec<String>)> =
        sqlx::query_as(sql).bind(id).fetch_optional(pool).await?;
    Ok(codes.map(|(grid, area, departments)| Lies::In { grid, area, departments }))
}
