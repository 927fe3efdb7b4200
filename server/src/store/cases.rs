//! Cases in SQL: intake (numbers, idempotent request ids), the workflow's state and clock, the trail, photos,
//! the desk's filtered list, nearby duplicates, notifications and the deadline sweep.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use wangge_api::cases::{CaseSummary, Notification, NotificationKind, Photo, TrailEntry};
use wangge_domain::case::clock::Clock;
use wangge_domain::case::workflow::{Actor, Flow, Pending};
use wangge_domain::case::{CaseState, Channel, Light, TimeLimit};

use super::{typed, Result};

/// The list columns of a case `c` (with its category `k` and lead department `d` joined), as [`SummaryRow`] reads
/// them (plain columns: building JSON for every row cost PostgreSQL more than twice the time).
const SUMMARY_COLUMNS: &str = "c.id, c.number, c.category_code, k.name AS category_name, k.major_name, c.state,
    c.channel, c.urgent, c.supervised, c.pending, c.reported_at, c.warn_at, c.due_at, c.closed_at, c.street_code,
    c.community_code, c.grid_code, d.name AS department, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat, c.address,
    c.description, c.generated";

/// A case as [`SUMMARY_COLUMNS`] reads it.
#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    number: String,
    category_code: String,
    category_name: String,
    major_name: String,
    #[sqlx(try_from = "String")]
    state: CaseState,
    #[sqlx(try_from = "String")]
    channel: Channel,
    urgent: bool,
    supervised: bool,
    pending: Option<String>,
    reported_at: DateTime<Utc>,
    warn_at: Option<DateTime<Utc>>,
    due_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    street_code: Option<String>,
    community_code: Option<String>,
    grid_code: Option<String>,
    department: Option<String>,
    lon: f64,
    lat: f64,
    address: Option<String>,
    description: String,
    generated: bool,
}

impl SummaryRow {
    /// The summary, its light as of `now`.
    fn summary(self, now: DateTime<Utc>) -> CaseSummary {
        CaseSummary {
            id: self.id,
            number: self.number,
            category: self.category_code,
            category_name: self.category_name,
            major_name: self.major_name,
            state: self.state,
            light: Light::at(self.due_at, self.warn_at, now),
            channel: self.channel,
            urgent: self.urgent,
            supervised: self.supervised,
            pending: self.pending.and_then(|p| p.parse().ok()),
            reported_at: self.reported_at,
            due_at: self.due_at,
            closed_at: self.closed_at,
            street_code: self.street_code,
            community_code: self.community_code,
            grid_code: self.grid_code,
            department: self.department,
            lon: self.lon,
            lat: self.lat,
            address: self.address,
            description: self.description,
            generated: self.generated,
        }
    }
}

const SUMMARY_FROM: &str =
    "FROM cases c JOIN category k ON k.code = c.category_code LEFT JOIN department d ON d.id = c.department_id";

/// A case to insert.
pub struct NewCaseRow<'a> {
    /// Readable number.
    pub number: &'a str,
    /// District.
    pub district: &'a str,
    /// Street, community, natural grid, dedicated grid at report time.
    pub areas: [Option<&'a str>; 4],
    /// Special grids at report time.
    pub special_grids: &'a [i64],
    /// Minor category.
    pub category: &'a str,
    /// Channel.
    pub channel: Channel,
    /// Workflow state.
    pub flow: Flow,
    /// Urgent.
    pub urgent: bool,
    /// Description.
    pub description: &'a str,
    /// Address.
    pub address: Option<&'a str>,
    /// Where.
    pub lon: f64,
    /// Where.
    pub lat: f64,
    /// Who reported (username, or `public`).
    pub reporter: &'a str,
    /// Sealed contact details of a public reporter.
    pub reporter_contact: Option<Vec<u8>>,
    /// The running clock, with when it turns yellow and red.
    pub clock: &'a Clock,
    /// Warning and deadline instants.
    pub warn_due: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    /// When the first stage (accepting) runs out.
    pub stage_due: Option<DateTime<Utc>>,
    /// Reported at.
    pub reported_at: DateTime<Utc>,
    /// Closed at (imported history).
    pub closed_at: Option<DateTime<Utc>>,
    /// Idempotency: (actor, request id).
    pub request: Option<(&'a str, &'a str)>,
    /// Generated demo data.
    pub generated: bool,
    /// The public service a resident (or a partner application) reported it as.
    pub service: Option<&'a str>,
    /// The partner application it came through.
    pub client: Option<i64>,
}

/// Take `n` serials of `district` on `day` (China date); returns the first. The day's row stays locked until the
/// transaction ends: take them in a transaction of their own where writers run at once.
pub async fn take_serials(conn: &mut PgConnection, district: &str, day: NaiveDate, n: i32) -> Result<i32> {
    let last: i32 = sqlx::query_scalar(
        "INSERT INTO case_serial (district_code, day, last) VALUES ($1, $2, $3)
         ON CONFLICT (district_code, day) DO UPDATE SET last = case_serial.last + $3 RETURNING last",
    )
    .bind(district)
    .bind(day)
    .bind(n)
    .fetch_one(conn)
    .await?;
    Ok(last - n + 1)
}

/// Insert cases, in one statement; returns their ids in the order of `rows`.
pub async fn insert(conn: &mut PgConnection, rows: &[NewCaseRow<'_>]) -> Result<Vec<i64>> {
    let col = |f: &dyn Fn(&NewCaseRow<'_>) -> Option<String>| rows.iter().map(f).collect::<Vec<Option<String>>>();
    let ids: Vec<(i64, String)> = sqlx::query_as(
        "INSERT INTO cases (number, district_code, street_code, community_code, grid_code, dedicated_grid_code,
             special_grid_ids, category_code, channel, state, self_resolvable, urgent, description, address, geom,
             reporter, reporter_contact, clock, warn_at, due_at, reported_at, closed_at, request_actor, request_id,
             generated, stage_due_at, service_code, client_id)
         SELECT number, district, street, community, grid, dedicated, special::bigint[], category, channel, state,
             self_resolvable, urgent, description, address, ST_SetSRID(ST_MakePoint(lon, lat), 4326), reporter,
             contact, clock, warn_at, due_at, reported_at, closed_at, request_actor, request_id, generated, stage_due,
             service, client
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
             $9::text[], $10::text[], $11::bool[], $12::bool[], $13::text[], $14::text[], $15::float8[],
             $16::float8[], $17::text[], $18::bytea[], $19::jsonb[], $20::timestamptz[], $21::timestamptz[],
             $22::timestamptz[], $23::timestamptz[], $24::text[], $25::text[], $26::bool[], $27::timestamptz[],
             $28::text[], $29::int8[])
             WITH ORDINALITY AS r (number, district, street, community, grid, dedicated, special, category,
                 channel, state, self_resolvable, urgent, description, address, lon, lat, reporter, contact, clock,
                 warn_at, due_at, reported_at, closed_at, request_actor, request_id, generated, stage_due, service,
                 client, n)
         ORDER BY n
         RETURNING id, number",
    )
    .bind(col(&|c| Some(c.number.to_owned())))
    .bind(col(&|c| Some(c.district.to_owned())))
    .bind(col(&|c| c.areas[0].map(str::to_owned)))
    .bind(col(&|c| c.areas[1].map(str::to_owned)))
    .bind(col(&|c| c.areas[2].map(str::to_owned)))
    .bind(col(&|c| c.areas[3].map(str::to_owned)))
    .bind(col(&|c| Some(format!("{{{}}}", c.special_grids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")))))
    .bind(col(&|c| Some(c.category.to_owned())))
    .bind(col(&|c| Some(c.channel.as_str().to_owned())))
    .bind(col(&|c| Some(c.flow.state.as_str().to_owned())))
    .bind(rows.iter().map(|c| c.flow.self_resolvable).collect::<Vec<_>>())
    .bind(rows.iter().map(|c| c.urgent).collect::<Vec<_>>())
    .bind(col(&|c| Some(c.description.to_owned())))
    .bind(col(&|c| c.address.map(str::to_owned)))
    .bind(rows.iter().map(|c| c.lon).collect::<Vec<_>>())
    .bind(rows.iter().map(|c| c.lat).collect::<Vec<_>>())
    .bind(col(&|c| Some(c.reporter.to_owned())))
    .bind(rows.iter().map(|c| c.reporter_contact.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|c| Json(c.clock)).collect::<Vec<_>>())
    .bind(rows.iter().map(|c| c.warn_due.0).collect::<Vec<_>>())
    .bind(rows.iter().map(|c| c.warn_due.1).collect::<Vec<_>>())
    .bind(rows.iter().map(|c| c.reported_at).collect::<Vec<_>>())
    .bind(rows.iter().map(|c| c.closed_at).collect::<Vec<_>>())
    .bind(col(&|c| c.request.map(|r| r.0.to_owned())))
    .bind(col(&|c| c.request.map(|r| r.1.to_owned())))
    .bind(rows.iter().map(|c| c.generated).collect::<Vec<_>>())
    .bind(rows.iter().map(|c| c.stage_due).collect::<Vec<_>>())
    .bind(col(&|c| c.service.map(str::to_owned)))
    .bind(rows.iter().map(|c| c.client).collect::<Vec<_>>())
    .fetch_all(conn)
    .await?;
    let by_number: std::collections::HashMap<String, i64> = ids.into_iter().map(|(id, n)| (n, id)).collect();
    Ok(rows.iter().filter_map(|r| by_number.get(r.number).copied()).collect())
}

/// The cases retried reports created, by actor and request id: (actor, request id, case id).
pub async fn by_requests(conn: &mut PgConnection, requests: &[(&str, &str)]) -> Result<Vec<(String, String, i64)>> {
    // One look-up in the unique index per pair (the `LIMIT` keeps the planner from turning the pairs into a hash
    // join over every case, which it does when one person sends them all).
    Ok(sqlx::query_as(
        "SELECT r.actor, r.id, found.id FROM unnest($1::text[], $2::text[]) AS r (actor, id)
         CROSS JOIN LATERAL (SELECT k.id FROM case_key k WHERE k.request_actor = r.actor AND k.request_id = r.id
                             LIMIT 1) found",
    )
    .bind(requests.iter().map(|r| r.0).collect::<Vec<_>>())
    .bind(requests.iter().map(|r| r.1).collect::<Vec<_>>())
    .fetch_all(conn)
    .await?)
}

/// When case `id` was reported, if it was created but its month is no longer in the live database (archived).
pub async fn archived(conn: &mut PgConnection, id: i64) -> Result<Option<DateTime<Utc>>> {
    Ok(sqlx::query_scalar(
        "SELECT k.reported_at FROM case_key k
         WHERE k.id = $1 AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = k.id AND c.reported_at = k.reported_at)",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// A case as the list shows it.
pub async fn summary<'e>(db: impl sqlx::PgExecutor<'e>, id: i64) -> Result<Option<CaseSummary>> {
    let row: Option<SummaryRow> = sqlx::query_as(&format!("SELECT {SUMMARY_COLUMNS} {SUMMARY_FROM} WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|r| r.summary(Utc::now())))
}

/// Cases `ids` as the list shows them, in the order of `ids` (missing ones left out).
pub async fn summaries(conn: &mut PgConnection, ids: &[i64]) -> Result<Vec<CaseSummary>> {
    let months = reported_times(conn, ids).await?;
    // `= ANY` walks the primary key; a join with the unnested ids is planned as a scan of every case.
    let rows: Vec<SummaryRow> = sqlx::query_as(&format!(
        "SELECT {SUMMARY_COLUMNS} {SUMMARY_FROM} WHERE c.id = ANY($1) AND c.reported_at = ANY($2)"
    ))
    .bind(ids)
    .bind(months)
    .fetch_all(conn)
    .await?;
    let now = Utc::now();
    let mut by_id: std::collections::HashMap<i64, CaseSummary> =
        rows.into_iter().map(|r| (r.id, r.summary(now))).collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// When cases `ids` were reported, from their register. A query on `cases` that also names these instants reads
/// only their months' partitions: the planner prunes the others, instead of probing (and locking) every month.
pub async fn reported_times(conn: &mut PgConnection, ids: &[i64]) -> Result<Vec<DateTime<Utc>>> {
    Ok(sqlx::query_scalar("SELECT DISTINCT reported_at FROM case_key WHERE id = ANY($1)")
        .bind(ids)
        .fetch_all(conn)
        .await?)
}

/// What the workflow needs of a stored case.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Stored {
    /// Id.
    pub id: i64,
    /// District.
    pub district_code: String,
    /// Street.
    pub street_code: Option<String>,
    /// Community.
    pub community_code: Option<String>,
    /// Special grids.
    pub special_grid_ids: Vec<i64>,
    /// Category.
    pub category_code: String,
    /// State.
    #[sqlx(try_from = "String")]
    pub state: CaseState,
    /// Escalated.
    pub escalated: bool,
    /// Pending request.
    pub pending: Option<String>,
    /// The time asked for by a pending extension.
    pub pending_limit: Option<Json<TimeLimit>>,
    /// Reworks.
    pub rework: i32,
    /// Supervised.
    pub supervised: bool,
    /// Self-resolvable.
    pub self_resolvable: bool,
    /// Closed and rated unsatisfied by its public reporter.
    pub unsatisfied: bool,
    /// Lead department.
    pub department_id: Option<i64>,
    /// Who handled it.
    pub handled_by: Option<String>,
    /// The clock.
    pub clock: Json<Clock>,
    /// The previous step's time.
    pub last_step_at: DateTime<Utc>,
}

impl Stored {
    /// Its workflow state.
    pub fn flow(&self) -> Flow {
        Flow {
            state: self.state,
            escalated: self.escalated,
            pending: self.pending.as_deref().and_then(|p| p.parse::<Pending>().ok()),
            rework: self.rework as u32,
            supervised: self.supervised,
            self_resolvable: self.self_resolvable,
            unsatisfied: self.unsatisfied,
        }
    }
}

/// Case `id` for the workflow (the caller holds its row lock through the audit snapshot).
pub async fn load(conn: &mut PgConnection, id: i64) -> Result<Option<Stored>> {
    Ok(sqlx::query_as(
        "SELECT id, district_code, street_code, community_code, special_grid_ids, category_code, state, escalated,
                pending, pending_limit, rework, supervised, self_resolvable,
                (state = 'closed' AND rating IS NOT DISTINCT FROM 'unsatisfied') AS unsatisfied, department_id,
                handled_by, clock,
                coalesce((SELECT max(at) FROM case_trail t WHERE t.case_id = cases.id AND t.district_code = cases.district_code), reported_at) AS last_step_at
         FROM cases WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// What a transition changes.
pub struct Change<'a> {
    /// The new workflow state.
    pub flow: Flow,
    /// The clock.
    pub clock: &'a Clock,
    /// Warning and deadline (`None` while stopped or finished).
    pub warn_due: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    /// Lead and co-departments (`None`: unchanged).
    pub departments: Option<(Option<i64>, Vec<i64>)>,
    /// The extension asked for, while pending.
    pub pending_limit: Option<TimeLimit>,
    /// Who handled it (`None`: unchanged).
    pub handled_by: Option<&'a str>,
    /// The case it was merged into.
    pub merged_into: Option<i64>,
    /// Finished now.
    pub closed_at: Option<DateTime<Utc>>,
    /// When the stage just entered runs out (`None`: the stage did not change).
    pub stage_due: Option<Option<DateTime<Utc>>>,
}

/// Store a transition's result.
pub async fn update(conn: &mut PgConnection, id: i64, c: &Change<'_>) -> Result<()> {
    let (lead, co) = c.departments.clone().unzip();
    sqlx::query(
        "UPDATE cases SET state = $2, escalated = $3, pending = $4, rework = $5, supervised = $6, clock = $7,
             warn_at = $8, due_at = $9,
             warned = warned AND $8 IS NOT NULL AND warn_at IS NOT DISTINCT FROM $8,
             overdue_noted = overdue_noted AND $9 IS NOT NULL AND due_at IS NOT DISTINCT FROM $9,
             department_id = CASE WHEN $10 THEN $11 ELSE department_id END,
             co_department_ids = coalesce($12, co_department_ids),
             pending_limit = $13, handled_by = coalesce($14, handled_by), merged_into = coalesce($15, merged_into),
             closed_at = CASE WHEN $19 THEN coalesce($16, closed_at) END, updated_at = now(),
             rating = CASE WHEN $2 = 'closed' THEN rating END,
             rating_comment = CASE WHEN $2 = 'closed' THEN rating_comment END,
             rated_at = CASE WHEN $2 = 'closed' THEN rated_at END,
             stage_due_at = CASE WHEN $17 THEN $18 ELSE stage_due_at END,
             stage_noted = CASE WHEN $17 THEN false ELSE stage_noted END
         WHERE id = $1",
    )
    .bind(id)
    .bind(c.flow.state.as_str())
    .bind(c.flow.escalated)
    .bind(c.flow.pending.map(Pending::as_str))
    .bind(c.flow.rework as i32)
    .bind(c.flow.supervised)
    .bind(Json(c.clock))
    .bind(c.warn_due.0)
    .bind(c.warn_due.1)
    .bind(lead.is_some())
    .bind(lead.flatten())
    .bind(co)
    .bind(c.pending_limit.map(Json))
    .bind(c.handled_by)
    .bind(c.merged_into)
    .bind(c.closed_at)
    .bind(c.stage_due.is_some())
    .bind(c.stage_due.flatten())
    .bind(c.flow.state.is_terminal())
    .execute(conn)
    .await?;
    Ok(())
}

/// A trail entry to write.
pub struct TrailRow<'a> {
    /// The case.
    pub case_id: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: &'a str,
    /// Their role.
    pub role: Option<&'a str>,
    /// Their department.
    pub department: Option<&'a str>,
    /// What (`report` or an action's name).
    pub action: &'a str,
    /// From.
    pub from_state: Option<CaseState>,
    /// To.
    pub to_state: CaseState,
    /// Opinion.
    pub opinion: Option<&'a str>,
    /// Photos.
    pub photo_ids: &'a [i64],
    /// Clock seconds used since the previous step.
    pub used_seconds: Option<i64>,
    /// Overdue at the time.
    pub overdue: bool,
}

/// Append trail entries, in one statement.
pub async fn add_trail(conn: &mut PgConnection, entries: &[TrailRow<'_>]) -> Result<()> {
    let texts = |f: &dyn Fn(&TrailRow<'_>) -> Option<String>| entries.iter().map(f).collect::<Vec<Option<String>>>();
    sqlx::query(
        "INSERT INTO case_trail (case_id, district_code, at, actor, role, department, action, from_state, to_state,
             opinion, photo_ids, used_seconds, overdue)
         SELECT case_id, (SELECT k.district_code FROM case_key k WHERE k.id = case_id), at, actor, role, department,
             action, from_state, to_state, opinion, photos::bigint[], used_seconds, overdue
         FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
             $8::text[], $9::text[], $10::text[], $11::bigint[], $12::bool[])
             WITH ORDINALITY AS t (case_id, at, actor, role, department, action, from_state, to_state, opinion,
                 photos, used_seconds, overdue, n)
         ORDER BY n",
    )
    .bind(entries.iter().map(|t| t.case_id).collect::<Vec<_>>())
    .bind(entries.iter().map(|t| t.at).collect::<Vec<_>>())
    .bind(texts(&|t| Some(t.actor.to_owned())))
    .bind(texts(&|t| t.role.map(str::to_owned)))
    .bind(texts(&|t| t.department.map(str::to_owned)))
    .bind(texts(&|t| Some(t.action.to_owned())))
    .bind(texts(&|t| t.from_state.map(|s| s.as_str().to_owned())))
    .bind(texts(&|t| Some(t.to_state.as_str().to_owned())))
    .bind(texts(&|t| t.opinion.map(str::to_owned)))
    .bind(
        entries
            .iter()
            .map(|t| format!("{{{}}}", t.photo_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")))
            .collect::<Vec<_>>(),
    )
    .bind(entries.iter().map(|t| t.used_seconds).collect::<Vec<_>>())
    .bind(entries.iter().map(|t| t.overdue).collect::<Vec<_>>())
    .execute(conn)
    .await?;
    Ok(())
}

/// The trail of case `id`, oldest first.
pub async fn trail(pool: &PgPool, id: i64) -> Result<Vec<TrailEntry>> {
    Ok(typed(
        sqlx::query_scalar(
            "SELECT json_build_object('at', at, 'actor', actor, 'role', role, 'department', department,
                 'action', action, 'from_state', from_state, 'to_state', to_state, 'opinion', opinion,
                 'photo_ids', photo_ids, 'used_seconds', used_seconds, 'overdue', overdue)
             FROM case_trail WHERE case_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(pool)
        .await?,
    ))
}

/// The rest of the case page's facts.
#[derive(Debug, sqlx::FromRow)]
pub struct DetailFacts {
    /// Dedicated grid.
    pub dedicated_grid_code: Option<String>,
    /// Reporter.
    pub reporter: String,
    /// Sealed contact.
    pub reporter_contact: Option<Vec<u8>>,
    /// Co-department names.
    pub co_departments: Vec<String>,
    /// Reworks.
    pub rework: i32,
    /// Escalated.
    pub escalated: bool,
    /// Merged into.
    pub merged_into: Option<i64>,
    /// Handled by.
    pub handled_by: Option<String>,
    /// Clock.
    pub clock: Json<Clock>,
    /// The category's limit.
    pub limit: Json<TimeLimit>,
    /// Default limit.
    pub limit_is_default: bool,
    /// Filing condition.
    pub filing_condition: String,
    /// Closing condition.
    pub closing_condition: String,
}

/// The case page's facts beyond the summary.
pub async fn detail_facts(pool: &PgPool, id: i64) -> Result<Option<DetailFacts>> {
    Ok(sqlx::query_as(
        "SELECT c.dedicated_grid_code, c.reporter, c.reporter_contact,
                array(SELECT d.name FROM department d WHERE d.id = ANY(c.co_department_ids)) AS co_departments,
                c.rework, c.escalated, c.merged_into, c.handled_by, c.clock,
                jsonb_build_object('amount', k.limit_amount, 'unit', k.limit_unit) AS limit, k.limit_is_default,
                k.filing_condition, k.closing_condition
         FROM cases c JOIN category k ON k.code = c.category_code WHERE c.id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?)
}

/// The desk's filters.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// States (empty: any).
    pub states: Vec<CaseState>,
    /// Light.
    pub light: Option<Light>,
    /// Category code or major class code prefix.
    pub category: Option<String>,
    /// Area code (street, community or grid).
    pub area: Option<String>,
    /// Channel.
    pub channel: Option<Channel>,
    /// Reported from.
    pub from: Option<DateTime<Utc>>,
    /// Reported before.
    pub to: Option<DateTime<Utc>>,
    /// Supervised only.
    pub supervised: bool,
    /// Text in the number, description or address.
    pub text: Option<String>,
    /// Only the cases waiting for this person (their inbox).
    pub turn: Option<Actor>,
    /// Page size.
    pub limit: i64,
    /// Page offset.
    pub offset: i64,
}

/// Who is looking: the area prefixes of their scope, or their department (id).
#[derive(Debug, Clone)]
pub enum Seer {
    /// Cases whose report-time area starts with one of these.
    Areas(Vec<String>),
    /// Cases with this department, as lead or co-department.
    Department(Option<i64>),
}

/// A text search finds at most this many cases (the desk shows "10,000+" beyond).
pub const TEXT_CAP: i64 = 10_001;

/// The cases whose number, description or address contains `text` (through the trigram index), newest first, at
/// most [`TEXT_CAP`].
pub async fn text_matches(pool: &PgPool, text: &str) -> Result<Vec<i64>> {
    let pattern = format!("%{}%", text.replace(['%', '_'], ""));
    Ok(sqlx::query_scalar(
        "SELECT id FROM cases WHERE (number || ' ' || description || ' ' || coalesce(address, '')) LIKE $1
         ORDER BY reported_at DESC, id DESC LIMIT $2",
    )
    .bind(pattern)
    .bind(TEXT_CAP)
    .fetch_all(pool)
    .await?)
}

/// A photo to store.
pub struct PhotoRow<'a> {
    /// The case.
    pub case_id: i64,
    /// `report` or `after`.
    pub stage: &'a str,
    /// SHA-256 of the upload (a re-sent photo is stored once).
    pub sha256: &'a [u8],
    /// Media type of `image`.
    pub mime: &'a str,
    /// The image, re-encoded without metadata.
    pub image: &'a [u8],
    /// Its thumbnail.
    pub thumb: &'a [u8],
    /// Size.
    pub size: (u32, u32),
    /// Who.
    pub uploaded_by: &'a str,
}

/// Store a photo (or find the same one already stored); returns it and the case's photo count.
pub async fn add_photo(conn: &mut PgConnection, p: &PhotoRow<'_>) -> Result<Photo> {
    let Json(photo) = sqlx::query_scalar(
        "WITH ins AS (
            INSERT INTO case_photo (case_id, district_code, stage, sha256, mime, image, thumb, width, height,
                                    uploaded_by)
            SELECT $1, k.district_code, $2, $3, $4, $5, $6, $7, $8, $9 FROM case_key k WHERE k.id = $1
            ON CONFLICT (case_id, sha256, district_code) DO NOTHING
            RETURNING id, stage, width, height)
         SELECT json_build_object('id', id, 'stage', stage, 'width', width, 'height', height) FROM (
            SELECT * FROM ins UNION ALL
            SELECT id, stage, width, height FROM case_photo WHERE case_id = $1 AND sha256 = $3) x LIMIT 1",
    )
    .bind(p.case_id)
    .bind(p.stage)
    .bind(p.sha256)
    .bind(p.mime)
    .bind(p.image)
    .bind(p.thumb)
    .bind(p.size.0 as i32)
    .bind(p.size.1 as i32)
    .bind(p.uploaded_by)
    .fetch_one(conn)
    .await?;
    Ok(photo)
}

/// How many photos case `id` has.
pub async fn photo_count(conn: &mut PgConnection, id: i64) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM case_photo WHERE case_id = $1").bind(id).fetch_one(conn).await?)
}

/// The photos of case `id`.
pub async fn photos(pool: &PgPool, id: i64) -> Result<Vec<Photo>> {
    Ok(typed(
        sqlx::query_scalar(
            "SELECT json_build_object('id', id, 'stage', stage, 'width', width, 'height', height)
             FROM case_photo WHERE case_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(pool)
        .await?,
    ))
}

/// Which of `ids` are not photos of case `case_id`.
pub async fn foreign_photos(conn: &mut PgConnection, case_id: i64, ids: &[i64]) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT x FROM unnest($2::bigint[]) x WHERE NOT EXISTS (SELECT 1 FROM case_photo p WHERE p.id = x AND p.case_id = $1)",
    )
    .bind(case_id)
    .bind(ids)
    .fetch_all(conn)
    .await?)
}

/// A photo's bytes and media type (the thumbnail when `thumb`).
pub async fn photo_bytes(pool: &PgPool, case_id: i64, id: i64, thumb: bool) -> Result<Option<(String, Vec<u8>)>> {
    let sql = if thumb {
        "SELECT 'image/jpeg', thumb FROM case_photo WHERE id = $1 AND case_id = $2"
    } else {
        "SELECT mime, image FROM case_photo WHERE id = $1 AND case_id = $2"
    };
    Ok(sqlx::query_as(sql).bind(id).bind(case_id).fetch_optional(pool).await?)
}

/// Address a notification about case `case_id` to a department, or else to the street center of `area`.
pub async fn notify(
    conn: &mut PgConnection,
    case_id: i64,
    kind: NotificationKind,
    department: Option<i64>,
    area: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO notification (case_id, district_code, department_id, area_code, kind)
         SELECT $1, k.district_code, $2, $3, $4 FROM case_key k WHERE k.id = $1",
    )
    .bind(case_id)
    .bind(department)
    .bind(if department.is_some() { None } else { area })
    .bind(kind.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

/// The newest notifications a seer receives.
pub async fn notifications(pool: &PgPool, seer: &Seer, limit: i64) -> Result<Vec<Notification>> {
    let (prefixes, department) = match seer {
        Seer::Areas(p) => (Some(p.clone()), None),
        Seer::Department(d) => (None, Some(d.unwrap_or(-1))),
    };
    Ok(typed(
        sqlx::query_scalar(
            "SELECT json_build_object('id', n.id, 'case_id', n.case_id, 'number', c.number, 'kind', n.kind, 'at', n.at)
             FROM notification n JOIN cases c ON c.id = n.case_id AND c.district_code = n.district_code
             WHERE ($1::text[] IS NOT NULL AND n.area_code LIKE ANY (SELECT p || '%' FROM unnest($1::text[]) p))
                OR ($2::bigint IS NOT NULL AND n.department_id = $2)
             ORDER BY n.at DESC, n.id DESC LIMIT $3",
        )
        .bind(prefixes)
        .bind(department)
        .bind(limit)
        .fetch_all(pool)
        .await?,
    ))
}

/// The deadline sweep: note every running case that crossed 80 % or 100 % of its limit since the last sweep, and
/// notify its department (or its street center); note every case whose current stage ran out, and notify whoever
/// that stage waits for (the district center for an escalated case, the community for a verification or review,
/// else the street center). Returns how many were noted.
pub async fn sweep_lights(pool: &PgPool) -> Result<u64> {
    let noted: Vec<Value> = sqlx::query_scalar(
        "WITH yellow AS (
            UPDATE cases SET warned = true WHERE warn_at <= now() AND due_at > now() AND NOT warned
            RETURNING id, district_code, department_id, street_code),
         red AS (
            UPDATE cases SET warned = true, overdue_noted = true WHERE due_at <= now() AND NOT overdue_noted
            RETURNING id, district_code, department_id, street_code),
         stage AS (
            UPDATE cases SET stage_noted = true
            WHERE stage_due_at <= now() AND NOT stage_noted
              AND state IN ('reported', 'accepted', 'filed', 'escalated', 'self_resolved', 'handled')
            RETURNING id, district_code, CASE state WHEN 'escalated' THEN district_code
                                     WHEN 'handled' THEN community_code WHEN 'self_resolved' THEN community_code
                                     ELSE street_code END AS area),
         ins AS (
            INSERT INTO notification (case_id, district_code, department_id, area_code, kind)
            SELECT id, district_code, department_id, CASE WHEN department_id IS NULL THEN street_code END, 'yellow'
            FROM yellow
            UNION ALL
            SELECT id, district_code, department_id, CASE WHEN department_id IS NULL THEN street_code END, 'red'
            FROM red
            UNION ALL
            SELECT id, district_code, NULL, area, 'stage_overdue' FROM stage
            RETURNING id)
         SELECT to_json(id) FROM ins",
    )
    .fetch_all(pool)
    .await?;
    Ok(noted.len() as u64)
}
