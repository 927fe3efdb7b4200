//! Public reporting, the application service: a resident (or a partner application, through Open311) reports a
//! problem from the short public list; the report becomes a case of the problem's official category on the public
//! channel and enters the street center's queue like any other (accept, or reject with a reason the resident sees).
//!
//! The resident gets a tracking link whose key is unguessable without the server's key (`{id}-r-{mac}`; followers
//! get `{id}-f-{mac}`): nothing about it is stored, so it cannot leak from the database, and a retry gets the same
//! link back. The tracking page shows the status in plain words and the public part of the trail — no staff names
//! but the grid workers the community publishes, no reporter, no contact. When the case closes the reporter rates
//! it; an unsatisfied rating notifies the district center, which may reopen the case (see the workflow).

use actix_web::http::StatusCode;
use actix_web::web;
use chrono::{Duration, Utc};
use wangge_api::cases::{NotificationKind, Photo};
use wangge_api::error::ErrorCode;
use wangge_api::public::{
    NewPublicReport, NewRating, PublicReport, PublicReports, PublicService, PublicStep, Tracked, Tracking,
    MAX_PUBLIC_PHOTOS,
};
use wangge_domain::case::{CaseState, Channel, PublicStatus, Rating};

use crate::auth::session;
use crate::case_intake::Reporting;
use crate::case_intake::{DUPLICATE_DAYS, DUPLICATE_RADIUS_M};
use crate::cases::{self, Draft};
use crate::error::{ApiError, ApiResult};
use crate::incidents::{nearby, public as columns_public};
use crate::media::{self, Region};
use crate::routes::input;
use crate::state::AppState;
use crate::store::cases as case_store;
use crate::store::public::{self as store, PublicFacts};
use crate::write::{Touches, Writer};

/// Public positions are rounded to this many degrees (about 50 m): near enough to recognise the street corner, not
/// the doorway.
const APPROXIMATE: f64 = 0.0005;

/// Who sends a public report.
#[derive(Debug, Clone)]
pub enum Sender {
    /// A resident's device (its id), from a client address.
    Device {
        /// The device's id.
        device: String,
        /// The client address.
        address: String,
    },
    /// A partner application (its id).
    Partner(i64),
}

/// A public report, checked or not, from the web form or Open311.
#[derive(Debug, Clone)]
pub struct Filing {
    /// Who sends it.
    pub sender: Sender,
    /// Idempotency key.
    pub request_id: Option<String>,
    /// The problem.
    pub service: String,
    /// Where.
    pub lon: f64,
    /// Where.
    pub lat: f64,
    /// Address.
    pub address: Option<String>,
    /// What is wrong.
    pub description: String,
    /// Name and phone.
    pub contact: Option<wangge_api::cases::Contact>,
    /// When it was reported, for a partner's import of its history (`None`: now).
    pub requested_at: Option<chrono::DateTime<Utc>>,
}

impl Filing {
    /// A report from the web form, sent from `address`.
    pub fn from_form(new: NewPublicReport, address: String) -> Self {
        Self {
            sender: Sender::Device { device: new.device, address },
            request_id: new.request_id,
            service: new.service,
            lon: new.lon,
            lat: new.lat,
            address: new.address,
            description: new.description,
            contact: new.contact,
            requested_at: None,
        }
    }
}

/// The public services on offer.
pub async fn services(state: &AppState) -> ApiResult<Vec<PublicService>> {
    Ok(store::services(&state.pool).await?)
}

/// The public service `code`, or 422.
pub async fn service(state: &AppState, code: &str) -> ApiResult<PublicService> {
    store::service(&state.pool, code)
        .await?
        .ok_or_else(|| ApiError::unprocessable(ErrorCode::UnknownService, format!("no public service {code:?}")))
}

/// File a public report with its photos (at most [`MAX_PUBLIC_PHOTOS`]). A retry (same sender, same request id)
/// writes nothing and answers the first report (`false`: not new).
pub async fn file(
    state: &AppState,
    writer: Writer,
    f: Filing,
    photos: Vec<web::Bytes>,
) -> ApiResult<(bool, Tracking, wangge_api::cases::CaseSummary)> {
    if photos.len() > MAX_PUBLIC_PHOTOS {
        return Err(ApiError::unprocessable(
            ErrorCode::TooManyPhotos,
            format!("a public report carries at most {MAX_PUBLIC_PHOTOS} photos"),
        ));
    }
    let (request_actor, client) = match &f.sender {
        Sender::Device { device, address } => {
            let device = input::label("device", device, 64)?;
            if device.len() < 8 {
                return Err(ApiError::bad_request(ErrorCode::BadText, "device: at least 8 characters, random"));
            }
            let limit = |wait| ApiError::too_many(ErrorCode::RateLimited, wait);
            state.security.device_reports.check(&device).map_err(limit)?;
            state.security.address_reports.admit(address).map_err(limit)?;
            state.security.device_reports.record(&device);
            (format!("public:{device}"), None)
        }
        Sender::Partner(id) => (format!("client:{id}"), Some(*id)),
    };
    let service = service(state, &f.service).await?;
    let draft = Draft {
        report: Reporting {
            writer,
            reporter: "public".to_owned(),
            request_actor,
            role: "public",
            request_id: f.request_id,
            category: service.category.clone(),
            channel: Channel::Public,
            urgent: None,
            description: f.description,
            address: f.address,
            service: Some(service.code),
            client,
        },
        lon: f.lon,
        lat: f.lat,
        contact: f.contact,
        at: f.requested_at,
    };
    let (new, reported) = cases::submit(state, draft, photos).await?;
    let tracking = Tracking { number: reported.case.number.clone(), token: token(state, reported.case.id, true) };
    Ok((new, tracking, reported.case))
}

/// The key of case `id`'s tracking page: the reporter's, or a follower's.
pub fn token(state: &AppState, id: i64, reporter: bool) -> String {
    let kind = if reporter { 'r' } else { 'f' };
    let mac = state.security.key.digest(&format!("track {id} {kind}"));
    format!("{id}-{kind}-{}", hex::encode(&mac[..12]))
}

/// The case a tracking key opens, and whether it is the reporter's; `None` for a key the server did not make.
pub fn open_token(state: &AppState, token: &str) -> Option<(i64, bool)> {
    let mut parts = token.splitn(3, '-');
    let id: i64 = parts.next()?.parse().ok()?;
    let reporter = match parts.next()? {
        "r" => true,
        "f" => false,
        _ => return None,
    };
    parts.next()?;
    session::same_token(token, &self::token(state, id, reporter)).then_some((id, reporter))
}

fn approximate(v: f64) -> f64 {
    ((v / APPROXIMATE).round() * APPROXIMATE * 1e6).round() / 1e6
}

fn public_report(f: &PublicFacts) -> PublicReport {
    PublicReport {
        number: f.number.clone(),
        category_name: f.category_name.clone(),
        status: f.state.public_status(),
        lon: approximate(f.lon),
        lat: approximate(f.lat),
        reported_at: f.reported_at,
    }
}

/// Open reports of service `code`'s category near a point in the last days ("is it one of these?"), nearest first.
pub async fn nearby(state: &AppState, code: &str, lon: f64, lat: f64) -> ApiResult<Vec<PublicReport>> {
    let service = service(state, code).await?;
    let p = input::lon_lat(lon, lat)?;
    let since = (Utc::now() - Duration::days(DUPLICATE_DAYS)).timestamp_micros();
    let ids = nearby::open_near(
        &state.incidents.read(),
        &service.category,
        (p.lon(), p.lat()),
        DUPLICATE_RADIUS_M,
        since,
        None,
        5,
    );
    let facts = store::facts(&state.pool, &ids).await?;
    Ok(facts.iter().filter(|f| !f.sensitive).map(public_report).collect())
}

/// Follow report `number` (an open one of a category shown publicly): a follower's tracking key.
pub async fn follow(state: &AppState, number: &str) -> ApiResult<Tracking> {
    let missing = || ApiError::not_found("report", number);
    let id = store::id_by_number(&state.pool, number).await?.ok_or_else(missing)?;
    let facts = store::facts(&state.pool, &[id]).await?.pop().ok_or_else(missing)?;
    if facts.sensitive {
        return Err(missing());
    }
    Ok(Tracking { number: facts.number, token: token(state, id, false) })
}

/// The steps of the trail the public sees.
const SHOWN: [&str; 11] = [
    "report",
    "accept",
    "reject",
    "escalate",
    "dispatch",
    "handle",
    "verify_pass",
    "verify_fail",
    "merge",
    "reopen",
    "rate",
];

/// Whether a step with `action` into state `to` is shown to the public, and the public status after it.
pub fn public_step_of(action: &str, to: CaseState) -> Option<PublicStatus> {
    (SHOWN.contains(&action) || (action == "approve_request" && to == CaseState::Voided)).then(|| to.public_status())
}

/// The public part of a trail: the steps shown, with the department where it acted and a refusal's reason (opinions
/// between offices are not for the public).
pub fn public_steps(trail: &[wangge_api::cases::TrailEntry], department: Option<&str>) -> Vec<PublicStep> {
    trail
        .iter()
        .filter_map(|e| {
            let status = public_step_of(&e.action, e.to_state)?;
            Some(PublicStep {
                at: e.at,
                action: if e.action == "approve_request" { "void".to_owned() } else { e.action.clone() },
                status,
                department: matches!(e.action.as_str(), "dispatch" | "handle")
                    .then(|| e.department.clone().or_else(|| department.map(str::to_owned)))
                    .flatten(),
                reason: (e.action == "reject").then(|| e.opinion.clone()).flatten(),
                photo_ids: if e.action == "handle" { e.photo_ids.clone() } else { Vec::new() },
            })
        })
        .collect()
}

/// The tracking page behind key `token`.
pub async fn track(state: &AppState, token: &str) -> ApiResult<Tracked> {
    let (id, reporter) = open_token(state, token).ok_or_else(|| ApiError::not_found("tracking link", token))?;
    let f = store::facts(&state.pool, &[id]).await?.pop().ok_or_else(|| ApiError::not_found("report", id))?;
    let trail = case_store::trail(&state.pool, id).await?;
    let steps = public_steps(&trail, f.department.as_deref());
    let grid_workers = match &f.grid_code {
        Some(g) => store::grid_workers(&state.pool, g).await?,
        None => Vec::new(),
    };
    let photo_ids =
        case_store::photos(&state.pool, id).await?.into_iter().filter(|p| p.stage == "report").map(|p| p.id).collect();
    let rating = f.rating();
    Ok(Tracked {
        number: f.number,
        category_name: f.category_name,
        status: f.state.public_status(),
        description: f.description,
        address: f.address,
        lon: f.lon,
        lat: f.lat,
        reported_at: f.reported_at,
        due_at: if f.state.is_terminal() { None } else { f.due_at },
        grid_code: f.grid_code,
        grid_workers,
        department: f.department,
        steps,
        photo_ids,
        merged_into: f.merged_into,
        reporter,
        may_rate: reporter && f.state == CaseState::Closed && rating.is_none(),
        rating,
    })
}

/// The reporter rates the closed case behind `token`; an unsatisfied rating goes to the district center.
pub async fn rate(state: &AppState, writer: Writer, token: &str, r: NewRating) -> ApiResult<Tracked> {
    let comment = r.comment.as_deref().map(|c| input::paragraph("comment", c, 500)).transpose()?;
    let (id, reporter) = open_token(state, token).ok_or_else(|| ApiError::not_found("tracking link", token))?;
    if !reporter {
        return Err(ApiError::forbidden(ErrorCode::Forbidden, "only the reporter's link rates the result"));
    }
    let mut w = writer.begin(state).await?;
    let stored = case_store::load(w.conn(), id).await?.ok_or_else(|| ApiError::not_found("report", id))?;
    w.in_district(&stored.district_code);
    if !store::rate(w.conn(), id, r.rating, comment.as_deref()).await? {
        return Err(ApiError::conflict(
            ErrorCode::NotNow,
            format!("the report is {} and rated already or not closed yet", stored.state.public_status()),
        ));
    }
    let trail = case_store::TrailRow {
        case_id: id,
        at: Utc::now(),
        actor: "public",
        role: Some("public"),
        department: None,
        action: "rate",
        from_state: Some(stored.state),
        to_state: stored.state,
        opinion: Some(r.rating.as_str()),
        photo_ids: &[],
        used_seconds: None,
        overdue: false,
    };
    case_store::add_trail(w.conn(), &[trail]).await?;
    if r.rating == Rating::Unsatisfied {
        case_store::notify(w.conn(), id, NotificationKind::Unsatisfied, None, Some(&stored.district_code)).await?;
    }
    let entry = serde_json::json!({ "case": id, "rating": r.rating, "comment": comment });
    w.finish(StatusCode::OK, &entry, Touches::Cases(&[id])).await?;
    track(state, token).await
}

/// The public map's reports in a view: accepted public reports of the last `days` days inside `bbox`, newest first,
/// at most `limit`.
pub async fn map(state: &AppState, bbox: [f64; 4], days: i64, limit: usize) -> ApiResult<PublicReports> {
    let sensitive = state.read(|pool| async move { store::sensitive_categories(&pool).await }).await?;
    let query = columns_public::PublicQuery {
        from: Some((Utc::now() - Duration::days(days)).timestamp_micros()),
        bbox: Some(bbox),
        accepted_only: true,
        limit,
        ..Default::default()
    };
    let (ids, total) = columns_public::page(&state.incidents.read(), &query, &sensitive);
    // From the replica when there is one: a report a moment old may be missing from the view, never wrong in it.
    let ids = &ids;
    let facts = state.read(|pool| async move { store::facts(&pool, ids).await }).await?;
    Ok(PublicReports { reports: facts.iter().map(public_report).collect(), total })
}

/// Photo `id`'s public copy (`thumb`: its thumbnail): only of a public report a street center accepted, not of a
/// sensitive category.
pub async fn photo(state: &AppState, id: i64, thumb: bool) -> ApiResult<Vec<u8>> {
    let missing = || ApiError::not_found("photo", id);
    let photo = store::photo(&state.pool, id).await?.ok_or_else(missing)?;
    let facts = store::facts(&state.pool, &[photo.case_id]).await?.pop().ok_or_else(missing)?;
    if !facts.is_public() || !facts.state.is_accepted() {
        return Err(missing());
    }
    Ok(if thumb { photo.thumb } else { photo.image })
}

/// Pixelate `regions` of photo `photo` of case `case_id` in its public copy (faces, number plates); the stored
/// photo stays as it was for staff.
pub async fn blur(
    state: &AppState,
    writer: Writer,
    case_id: i64,
    photo: i64,
    regions: Vec<Region>,
) -> ApiResult<Photo> {
    if regions.is_empty() || regions.len() > 20 || regions.iter().any(|r| !r.is_valid()) {
        return Err(ApiError::unprocessable(
            ErrorCode::BadRange,
            "regions: 1 to 20 rectangles {x, y, w, h} in fractions of the photo, inside it",
        ));
    }
    let mut w = writer.begin(state).await?;
    let image =
        store::stored_image(w.conn(), case_id, photo).await?.ok_or_else(|| ApiError::not_found("photo", photo))?;
    let (public, thumb) = web::block(move || media::pixelate(&image, &regions))
        .await
        .map_err(|e| ApiError::from(anyhow::anyhow!("photo worker: {e}")))?
        .map_err(|e| ApiError::unprocessable(ErrorCode::BadPhoto, e.to_string()))?;
    store::set_public_copy(w.conn(), photo, &public, &thumb).await?;
    let answer = case_store::photos(&state.pool, case_id)
        .await?
        .into_iter()
        .find(|p| p.id == photo)
        .ok_or_else(|| ApiError::not_found("photo", photo))?;
    w.finish(StatusCode::OK, &answer, Touches::Nothing).await?;
    Ok(answer)
}
