//! The SQL behind public reporting and Open311: the public services, the facts of a case the public may see, the
//! grid's published workers, the rating, the photos' public copies and the public steps of reports in a window.
//! Nothing here reads the reporter or their contact.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use wangge_api::public::PublicService;
use wangge_domain::case::{CaseState, Rating};

use super::{typed, Result};

const SERVICE_JSON: &str = "json_build_object('code', s.code, 'name', s.name, 'name_en', s.name_en,
    'description', s.description, 'keywords', s.keywords, 'category', s.category_code, 'group', k.major_name)";
const SERVICE_FROM: &str = "FROM public_service s JOIN category k ON k.code = s.category_code
    WHERE s.enabled AND k.enabled AND NOT k.sensitive";

/// The public services on offer, in order (switched-off ones and those of sensitive categories left out).
pub async fn services(pool: &PgPool) -> Result<Vec<PublicService>> {
    Ok(typed(
        sqlx::query_scalar(&format!("SELECT {SERVICE_JSON} {SERVICE_FROM} ORDER BY s.sort, s.code"))
            .fetch_all(pool)
            .await?,
    ))
}

/// One public service on offer.
pub async fn service(pool: &PgPool, code: &str) -> Result<Option<PublicService>> {
    let row: Option<Json<PublicService>> =
        sqlx::query_scalar(&format!("SELECT {SERVICE_JSON} {SERVICE_FROM} AND s.code = $1"))
            .bind(code)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|j| j.0))
}

/// The codes of the categories kept off public pages.
pub async fn sensitive_categories(pool: &PgPool) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT code FROM category WHERE sensitive").fetch_all(pool).await?)
}

/// What the public may know of a case.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PublicFacts {
    /// Id.
    pub id: i64,
    /// Readable number.
    pub number: String,
    /// Minor category.
    pub category_code: String,
    /// Its name.
    pub category_name: String,
    /// Its category is sensitive.
    pub sensitive: bool,
    /// Came in from the public (the web form or a partner application).
    pub public_channel: bool,
    /// State.
    #[sqlx(try_from = "String")]
    pub state: CaseState,
    /// Where.
    pub lon: f64,
    /// Where.
    pub lat: f64,
    /// Reported.
    pub reported_at: DateTime<Utc>,
    /// Last written.
    pub updated_at: DateTime<Utc>,
    /// What was reported.
    pub description: String,
    /// Address as given.
    pub address: Option<String>,
    /// Due.
    pub due_at: Option<DateTime<Utc>>,
    /// Natural grid at report time.
    pub grid_code: Option<String>,
    /// The lead department's name.
    pub department: Option<String>,
    /// The number of the case it was merged into.
    pub merged_into: Option<String>,
    /// The reporter's rating.
    pub rating: Option<String>,
    /// The public service it was reported as, and its name.
    pub service_code: Option<String>,
    /// The service's name.
    pub service_name: Option<String>,
    /// The first photo of the report.
    pub first_photo: Option<i64>,
}

impl PublicFacts {
    /// The rating, typed.
    pub fn rating(&self) -> Option<Rating> {
        self.rating.as_deref().and_then(|r| r.parse().ok())
    }

    /// Whether anyone may see it on public pages: reported by the public, not sensitive.
    pub fn is_public(&self) -> bool {
        self.public_channel && !self.sensitive
    }
}

/// The public facts of cases `ids`, in the order of `ids` (missing ones left out).
pub async fn facts<'e>(db: impl sqlx::PgExecutor<'e>, ids: &[i64]) -> Result<Vec<PublicFacts>> {
    let mut rows: Vec<PublicFacts> = sqlx::query_as(
        "SELECT c.id, c.number, c.category_code, k.name AS category_name, k.sensitive,
                c.channel = 'public' AS public_channel, c.state, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat,
                c.reported_at, c.updated_at, c.description, c.address, c.due_at, c.grid_code, d.name AS department,
                m.number AS merged_into, c.rating, c.service_code, s.name AS service_name,
                (SELECT min(p.id) FROM case_photo p WHERE p.case_id = c.id AND p.district_code = c.district_code AND p.stage = 'report') AS first_photo
         FROM cases c JOIN category k ON k.code = c.category_code
         LEFT JOIN department d ON d.id = c.department_id
         LEFT JOIN cases m ON m.id = c.merged_into AND m.district_code = c.district_code
         LEFT JOIN public_service s ON s.code = c.service_code
         WHERE c.id = ANY($1)",
    )
    .bind(ids)
    .fetch_all(db)
    .await?;
    let order: std::collections::HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    rows.sort_by_key(|r| order.get(&r.id).copied().unwrap_or(usize::MAX));
    Ok(rows)
}

/// The case numbered `number`.
pub async fn id_by_number(pool: &PgPool, number: &str) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT id FROM cases WHERE number = $1").bind(number).fetch_optional(pool).await?)
}

/// The names of the grid workers of grid `grid` (as the community publishes them on its notice board).
pub async fn grid_workers(pool: &PgPool, grid: &str) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT display_name FROM account
         WHERE role IN ('grid_worker', 'grid_head') AND NOT disabled AND scope -> 'grids' ? $1
         ORDER BY role DESC, display_name",
    )
    .bind(grid)
    .fetch_all(pool)
    .await?)
}

/// Record the reporter's rating of closed case `id`, if it is closed and not rated yet; whether it was.
pub async fn rate(conn: &mut PgConnection, id: i64, rating: Rating, comment: Option<&str>) -> Result<bool> {
    Ok(sqlx::query(
        "UPDATE cases SET rating = $2, rating_comment = $3, rated_at = now(), updated_at = now()
         WHERE id = $1 AND state = 'closed' AND rating IS NULL",
    )
    .bind(id)
    .bind(rating.as_str())
    .bind(comment)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// A photo as the public may get it: its public copy (blurred) or, without one, the stored re-encoded image.
#[derive(Debug, sqlx::FromRow)]
pub struct PublicPhoto {
    /// The case.
    pub case_id: i64,
    /// JPEG.
    pub image: Vec<u8>,
    /// JPEG thumbnail.
    pub thumb: Vec<u8>,
}

/// Photo `id`'s public copy.
pub async fn photo(pool: &PgPool, id: i64) -> Result<Option<PublicPhoto>> {
    Ok(sqlx::query_as(
        "SELECT case_id, coalesce(public_image, image) AS image, coalesce(public_thumb, thumb) AS thumb
         FROM case_photo WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?)
}

/// The stored image of photo `photo` of case `case_id` (to blur).
pub async fn stored_image(conn: &mut PgConnection, case_id: i64, photo: i64) -> Result<Option<Vec<u8>>> {
    Ok(sqlx::query_scalar("SELECT image FROM case_photo WHERE id = $1 AND case_id = $2")
        .bind(photo)
        .bind(case_id)
        .fetch_optional(conn)
        .await?)
}

/// Store the public copy of photo `photo`.
pub async fn set_public_copy(conn: &mut PgConnection, photo: i64, image: &[u8], thumb: &[u8]) -> Result<()> {
    sqlx::query("UPDATE case_photo SET public_image = $2, public_thumb = $3 WHERE id = $1")
        .bind(photo)
        .bind(image)
        .bind(thumb)
        .execute(conn)
        .await?;
    Ok(())
}

/// A step of a public report, for FixMyStreet's `servicerequestupdates`.
#[derive(Debug, sqlx::FromRow)]
pub struct PublicStepRow {
    /// The trail entry's id.
    pub id: i64,
    /// The case's number.
    pub number: String,
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub action: String,
    /// The state after it.
    #[sqlx(try_from = "String")]
    pub to_state: CaseState,
    /// The reason of a refusal.
    pub opinion: Option<String>,
    /// Photos of the step.
    pub photo_ids: Vec<i64>,
}

/// The steps of public reports (not of sensitive categories) taken in `[from, to)`, oldest first, at most `limit`.
pub async fn steps_between(
    pool: &PgPool,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<PublicStepRow>> {
    Ok(sqlx::query_as(
        "SELECT t.id, c.number, t.at, t.action, t.to_state, t.opinion, t.photo_ids
         FROM case_trail t JOIN cases c ON c.id = t.case_id AND c.district_code = t.district_code JOIN category k ON k.code = c.category_code
         WHERE t.at >= $1 AND t.at < $2 AND c.channel = 'public' AND NOT k.sensitive
         ORDER BY t.at, t.id LIMIT $3",
    )
    .bind(from)
    .bind(to)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// The reasons given to the public for not accepting cases `ids`: (case id, reason).
pub async fn refusal_reasons(pool: &PgPool, ids: &[i64]) -> Result<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT case_id, opinion FROM case_trail WHERE case_id = ANY($1) AND action = 'reject' AND opinion IS NOT NULL",
    )
    .bind(ids)
    .fetch_all(pool)
    .await?)
}

/// Whether district `code` exists (an Open311 `jurisdiction_id`).
pub async fn district_exists(pool: &PgPool, code: &str) -> Result<bool> {
    Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM district WHERE code = $1)").bind(code).fetch_one(pool).await?)
}
