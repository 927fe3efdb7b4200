//! Cases as the in-memory incident store reads them: every case at start, the cases changed since a moment (to
//! catch up with writes by other processes), and the cases a write just changed.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::Result;

/// The columns of one case the incident store keeps.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct IncidentRow {
    /// Id.
    pub id: i64,
    /// Reported at.
    pub reported_at: DateTime<Utc>,
    /// Longitude (WGS84).
    pub lon: f64,
    /// Latitude (WGS84).
    pub lat: f64,
    /// Minor category.
    pub category_code: String,
    /// Its major class.
    pub major_code: String,
    /// District at report time.
    pub district_code: String,
    /// Street at report time.
    pub street_code: Option<String>,
    /// Community at report time.
    pub community_code: Option<String>,
    /// Natural grid at report time.
    pub grid_code: Option<String>,
    /// Dedicated grid at report time.
    pub dedicated_grid_code: Option<String>,
    /// Workflow state.
    pub state: String,
    /// Channel.
    pub channel: String,
    /// Supervised (督办).
    pub supervised: bool,
    /// Urgent.
    pub urgent: bool,
    /// Went through the district center.
    pub escalated: bool,
    /// Its category lets a grid worker resolve it.
    pub self_resolvable: bool,
    /// Closed and rated unsatisfied by its public reporter.
    pub unsatisfied: bool,
    /// A request waiting for a decision.
    pub pending: Option<String>,
    /// Lead department.
    pub department_id: Option<i64>,
    /// Co-departments.
    pub co_department_ids: Vec<i64>,
    /// Special grids at report time.
    pub special_grid_ids: Vec<i64>,
    /// When the light turns yellow.
    pub warn_at: Option<DateTime<Utc>>,
    /// When it turns red.
    pub due_at: Option<DateTime<Utc>>,
    /// Last written.
    pub updated_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT c.id, c.reported_at, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat, c.category_code,
        k.major_code, c.district_code, c.street_code, c.community_code, c.grid_code, c.dedicated_grid_code, c.state,
        c.channel, c.supervised, c.urgent, c.escalated, c.self_resolvable,
        (c.state = 'closed' AND c.rating IS NOT DISTINCT FROM 'unsatisfied') AS unsatisfied, c.pending, c.department_id, c.co_department_ids, c.special_grid_ids, c.warn_at, c.due_at, c.updated_at
    FROM cases c JOIN category k ON k.code = c.category_code";

/// Every case, oldest report first.
pub async fn all(pool: &PgPool) -> Result<Vec<IncidentRow>> {
    Ok(sqlx::query_as(&format!("{SELECT} ORDER BY c.reported_at, c.id")).fetch_all(pool).await?)
}

/// The cases written at or after `since`.
pub async fn changed_since(pool: &PgPool, since: DateTime<Utc>) -> Result<Vec<IncidentRow>> {
    Ok(sqlx::query_as(&format!("{SELECT} WHERE c.updated_at >= $1 ORDER BY c.reported_at, c.id"))
        .bind(since)
        .fetch_all(pool)
        .await?)
}

/// Cases `ids`.
pub async fn by_ids(pool: &PgPool, ids: &[i64]) -> Result<Vec<IncidentRow>> {
    let mut conn = pool.acquire().await?;
    let months = super::cases::reported_times(&mut conn, ids).await?;
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE c.id = ANY($1) AND c.reported_at = ANY($2) ORDER BY c.reported_at, c.id"
    ))
    .bind(ids)
    .bind(months)
    .fetch_all(&mut *conn)
    .await?)
}

/// The last archiving or restoring of months (0 when none).
pub async fn last_archive(pool: &PgPool) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM case_archive").fetch_one(pool).await?)
}

/// How many cases the database holds, and the last archiving or restoring of months (0 when none): either changing
/// means cases came or went.
pub async fn count(pool: &PgPool) -> Result<(i64, i64)> {
    Ok(sqlx::query_as("SELECT (SELECT count(*) FROM cases), (SELECT coalesce(max(id), 0) FROM case_archive)")
        .fetch_one(pool)
        .await?)
}
