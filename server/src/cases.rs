//! Cases, the application service (after the plan service): a report is checked, located to the areas it lies in
//! as of now, numbered, given its deadline clock and written with its first trail entry and its audit entry; every
//! later step loads the case under its row lock, asks the domain's workflow table whether this person may take this
//! action now, moves the clock, and writes the new state, the trail entry, the notifications and the audit entry in
//! one transaction. Two people acting at once take turns: the second sees the first one's result and gets 409.

use std::collections::HashSet;

use actix_web::http::StatusCode;
use actix_web::web;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use wangge_api::cases::{
    CaseAct, CaseDetail, CaseList, CaseSummary, Contact, NewCase, NotificationKind, Photo, Reported, StageClock,
};
use wangge_api::error::ErrorCode;
use wangge_domain::access::{Role, Scope};
use wangge_domain::case::clock::{Clock, YELLOW_AT};
use wangge_domain::case::workflow::{self, Actor, CaseAction, Pending};
use wangge_domain::personal::{PersonName, PhoneNumber};

use crate::auth::principal::Staff;
use crate::case_intake::{Reporting, Submission};
use crate::error::{ApiError, ApiResult};
use crate::incidents::desk;
use crate::media::{self, MAX_PHOTOS};
use crate::routes::input;
use crate::state::AppState;
use crate::store::cases::{self as store, Change, Filter, PhotoRow, Seer, Stored, TrailRow};
use crate::store::catalogue;
use crate::write::{Touches, Writer};

/// A public reporter's contact as sealed.
#[derive(Serialize, Deserialize)]
struct SealedContact {
    name: Option<String>,
    phone: Option<String>,
}

/// Report a case. A retry with the same `request_id` by the same person writes nothing and answers the first case
/// (`false` in the first field: not new). Photos sent with it (a form) are stored in the same transaction. The
/// report is checked and located here; [`case_intake`] writes it, with the reports that arrive with it.
pub async fn report(
    state: &AppState,
    writer: Writer,
    staff: &Staff,
    new: NewCase,
    photos: Vec<web::Bytes>,
) -> ApiResult<(bool, Reported)> {
    let draft = Draft {
        report: Reporting {
            writer,
            reporter: staff.username.clone(),
            request_actor: staff.username.clone(),
            role: staff.assignment.role().as_str(),
            request_id: new.request_id,
            category: new.category,
            channel: new.channel,
            urgent: new.urgent,
            description: new.description,
            address: new.address,
            service: None,
            client: None,
        },
        lon: new.lon,
        lat: new.lat,
        contact: new.contact,
        at: None,
    };
    submit(state, draft, photos).await
}

/// A report as any channel makes it, before it is checked and located.
pub(crate) struct Draft {
    /// Who reports what (its texts not yet checked).
    pub report: Reporting,
    /// Where.
    pub lon: f64,
    /// Where.
    pub lat: f64,
    /// A member of the public's contact details.
    pub contact: Option<Contact>,
    /// When it was reported, if before now (a partner's import of its history); `None`: now.
    pub at: Option<chrono::DateTime<Utc>>,
}

/// Check a report, locate it to the areas it lies in now, re-encode its photos, and hand it to the intake.
pub(crate) async fn submit(state: &AppState, d: Draft, photos: Vec<web::Bytes>) -> ApiResult<(bool, Reported)> {
    let mut report = d.report;
    report.description = input::paragraph("description", &report.description, 2000)?;
    report.address = report.address.as_deref().map(|a| input::label("address", a, 200)).transpose()?;
    report.request_id = report.request_id.as_deref().map(|r| input::label("request_id", r, 100)).transpose()?;
    let contact = d.contact.as_ref().map(seal_contact).transpose()?.map(|c| state.security.key.seal(&c));
    let p = input::lon_lat(d.lon, d.lat)?;
    // To the microsecond, as stored: the answer is built from what is written, not read back.
    let now = chrono::SubsecRound::trunc_subsecs(d.at.unwrap_or_else(Utc::now), 6);
    let located = state.cache.snapshot().locate(p.lon(), p.lat(), now);
    let community = located
        .community
        .as_ref()
        .ok_or_else(|| ApiError::unprocessable(ErrorCode::Outside, "the point is not inside any community"))?;
    let mut prepared = Vec::with_capacity(photos.len());
    for bytes in photos {
        prepared.push(prepare_photo(bytes).await?);
    }
    let code = |a: &Option<wangge_domain::located::Area>| a.as_ref().map(|a| a.code.clone());
    state
        .intake
        .submit(Submission {
            report,
            lon: p.lon(),
            lat: p.lat(),
            district: community.code[..6].to_owned(),
            areas: [
                code(&located.street),
                Some(community.code.clone()),
                code(&located.natural_grid),
                code(&located.dedicated_grid),
            ],
            special_grids: located.special_grids.iter().map(|s| s.id).collect(),
            contact,
            photos: prepared,
            at: now,
        })
        .await
}

fn seal_contact(c: &Contact) -> ApiResult<String> {
    let bad = |e: wangge_domain::personal::PersonalDataError, code| ApiError::unprocessable(code, e.to_string());
    let name = c.name.as_deref().map(PersonName::new).transpose().map_err(|e| bad(e, ErrorCode::BadName))?;
    let phone =
        c.phone.as_deref().map(str::parse::<PhoneNumber>).transpose().map_err(|e| bad(e, ErrorCode::BadPhone))?;
    let sealed =
        SealedContact { name: name.map(|n| n.as_str().to_owned()), phone: phone.map(|p| p.as_str().to_owned()) };
    Ok(serde_json::to_string(&sealed).map_err(anyhow::Error::from)?)
}

fn masked_contact(state: &AppState, sealed: &[u8]) -> Option<Contact> {
    let plain = state.security.key.open(sealed).ok()?;
    let c: SealedContact = serde_json::from_str(&plain).ok()?;
    Some(Contact {
        name: c.name.and_then(|n| PersonName::new(&n).ok()).map(|n| n.masked()),
        phone: c.phone.and_then(|p| p.parse::<PhoneNumber>().ok()).map(|p| p.masked()),
    })
}

/// Who the signed-in person is to this case.
async fn actor_for(state: &AppState, staff: &Staff, stored: &Stored) -> ApiResult<(Actor, Option<i64>)> {
    let department = my_department(state, staff).await?;
    let actor = Actor {
        case_department: department.is_some() && department == stored.department_id,
        handled_it: stored.handled_by.as_deref() == Some(staff.username.as_str()),
        ..inbox_actor(staff)
    };
    Ok((actor, department))
}

/// A department handler's department id.
async fn my_department(state: &AppState, staff: &Staff) -> ApiResult<Option<i64>> {
    match staff.assignment.scope() {
        Scope::Department(name) => {
            Ok(catalogue::department_id(&state.pool, staff.district.as_str(), name.as_str()).await?)
        }
        _ => Ok(None),
    }
}

/// Whose cases a person sees.
pub async fn seer(state: &AppState, staff: &Staff) -> ApiResult<Seer> {
    Ok(match staff.assignment.role() {
        Role::DepartmentHandler => Seer::Department(my_department(state, staff).await?),
        _ => Seer::Areas(staff.prefixes()),
    })
}

/// The desk's list for `staff`: counts and the page's ids from the incident store (a text search first through the
/// database's trigram index), the page's rows from the database.
pub async fn list(state: &AppState, staff: &Staff, filter: &Filter) -> ApiResult<CaseList> {
    let seer = seer(state, staff).await?;
    let only = match &filter.text {
        Some(text) => Some(store::text_matches(&state.pool, text).await?.into_iter().collect::<HashSet<i64>>()),
        None => None,
    };
    let found = desk::answer(&state.incidents.read(), &seer, filter, only.as_ref(), Utc::now().timestamp_micros());
    Ok(CaseList {
        total: found.total,
        by_state: found.by_state,
        by_light: found.by_light,
        cases: store::summaries(&mut *state.pool.acquire().await?, &found.ids).await?,
    })
}

/// The signed-in person as the workflow sees them, for their inbox.
pub fn inbox_actor(staff: &Staff) -> Actor {
    Actor {
        role: staff.assignment.role(),
        district_wide: matches!(staff.assignment.scope(), Scope::District(_)),
        case_department: false,
        handled_it: false,
    }
}

/// The error for case `id`, not in the live database: 410 when its month was archived, else 404.
pub(crate) async fn missing(conn: &mut sqlx::PgConnection, id: i64) -> ApiError {
    match store::archived(conn, id).await {
        Ok(Some(reported_at)) => ApiError::new(
            StatusCode::GONE,
            ErrorCode::CaseArchived,
            format!(
                "case {id} was archived with the cases of {} (wangge unarchive brings it back)",
                crate::db::months::china_month(reported_at).format("%Y-%m")
            ),
        ),
        Ok(None) => ApiError::not_found("case", id),
        Err(e) => e.into(),
    }
}

/// The case page for `staff`.
pub async fn detail(state: &AppState, staff: &Staff, id: i64) -> ApiResult<CaseDetail> {
    let not_found = || ApiError::not_found("case", id);
    let mut conn = state.pool.acquire().await?;
    let Some(stored) = store::load(&mut conn, id).await? else { return Err(missing(&mut conn, id).await) };
    drop(conn);
    let summary = store::summary(&state.pool, id).await?.ok_or_else(not_found)?;
    let facts = store::detail_facts(&state.pool, id).await?.ok_or_else(not_found)?;
    let (actor, _) = actor_for(state, staff, &stored).await?;
    let calendar = state.calendar();
    let now = state.cache.snapshot().locate(summary.lon, summary.lat, Utc::now());
    Ok(CaseDetail {
        dedicated_grid_code: facts.dedicated_grid_code,
        grid_code_now: now.natural_grid.map(|g| g.code),
        reporter: facts.reporter,
        contact: facts.reporter_contact.as_deref().and_then(|s| masked_contact(state, s)),
        co_departments: facts.co_departments,
        rework: facts.rework,
        escalated: facts.escalated,
        merged_into: facts.merged_into,
        clock_used: (facts.clock.0.fraction(Utc::now(), &calendar) * 1000.0).round() / 1000.0,
        stage: catalogue::stage_limits(&state.pool, &stored.district_code).await?.get(stored.state).map(
            |(limit, _)| {
                let clock = Clock::start(stored.last_step_at, limit, &calendar);
                let now = Utc::now();
                StageClock {
                    since: stored.last_step_at,
                    limit,
                    used: (clock.fraction(now, &calendar) * 1000.0).round() / 1000.0,
                    light: clock.light(now, &calendar),
                }
            },
        ),
        limit: facts.limit.0,
        limit_is_default: facts.limit_is_default,
        filing_condition: facts.filing_condition,
        closing_condition: facts.closing_condition,
        photos: store::photos(&state.pool, id).await?,
        trail: store::trail(&state.pool, id).await?,
        actions: workflow::available(&stored.flow(), &actor),
        summary,
    })
}

/// Actions that need a reason.
fn needs_opinion(action: CaseAction) -> bool {
    use CaseAction::*;
    matches!(action, Reject | Return | RequestVoid | VerifyFail | ReviewFail | RequestSuspension | RequestExtension)
}

/// Take an action on case `id`.
pub async fn act(state: &AppState, writer: Writer, staff: &Staff, id: i64, act: CaseAct) -> ApiResult<CaseSummary> {
    let opinion = act.opinion.as_deref().map(|o| input::paragraph("opinion", o, 1000)).transpose()?;
    if needs_opinion(act.action) && opinion.is_none() {
        return Err(ApiError::unprocessable(ErrorCode::NeedsOpinion, format!("{} needs an opinion", act.action)));
    }
    let mut w = writer.begin(state).await?;
    let Some(stored) = store::load(w.conn(), id).await? else { return Err(missing(w.conn(), id).await) };
    let (actor, my_department) = actor_for(state, staff, &stored).await?;
    let flow = workflow::apply(&stored.flow(), &actor, act.action)?;
    let foreign = store::foreign_photos(w.conn(), id, &act.photos).await?;
    if !foreign.is_empty() {
        return Err(ApiError::unprocessable(ErrorCode::UnknownPhoto, format!("not photos of this case: {foreign:?}")));
    }
    let now = Utc::now();
    let calendar = state.calendar();
    let mut clock = stored.clock.0.clone();
    let used_before = clock.used(stored.last_step_at, &calendar);
    let mut pending_limit = stored.pending_limit.as_ref().map(|j| j.0);
    let mut departments = None;
    let mut merged_into = None;
    match act.action {
        CaseAction::Dispatch => departments = Some(dispatch_to(&mut w, &stored, &act).await?),
        CaseAction::Return => departments = Some((None, Vec::new())),
        CaseAction::RequestExtension => {
            pending_limit = Some(act.limit.ok_or_else(|| {
                ApiError::unprocessable(ErrorCode::NeedsLimit, "say how much more time: limit {amount, unit}")
            })?);
        }
        CaseAction::ApproveRequest if stored.flow().pending == Some(Pending::Suspension) => clock.pause(now),
        CaseAction::ApproveRequest => {
            if let Some(more) = pending_limit {
                clock.extend(more, &calendar);
            }
        }
        CaseAction::Resume => clock.resume(now),
        CaseAction::Merge => merged_into = Some(merge_target(&mut w, &stored, act.into).await?),
        _ => {}
    }
    if flow.pending.is_none() {
        pending_limit = None;
    }
    let finished = flow.state.is_terminal();
    let warn_due = if finished || clock.is_paused() {
        (None, None)
    } else {
        (clock.reaches(YELLOW_AT, now, &calendar), clock.reaches(1.0, now, &calendar))
    };
    // A new state begins a new stage, on the district's limit for it.
    let stage_due = if flow.state == stored.state {
        None
    } else {
        let limits = catalogue::stage_limits(&mut *w.conn(), &stored.district_code).await?;
        Some(limits.due(flow.state, now, &calendar))
    };
    let change = Change {
        flow,
        clock: &clock,
        warn_due,
        departments,
        pending_limit,
        handled_by: (act.action == CaseAction::Handle).then_some(staff.username.as_str()),
        merged_into,
        closed_at: finished.then_some(now),
        stage_due,
    };
    store::update(w.conn(), id, &change).await?;
    let department_name = match (my_department, staff.assignment.scope()) {
        (Some(_), Scope::Department(d)) => Some(d.as_str().to_owned()),
        _ => None,
    };
    let trail = TrailRow {
        case_id: id,
        at: now,
        actor: &staff.username,
        role: Some(staff.assignment.role().as_str()),
        department: department_name.as_deref(),
        action: act.action.as_str(),
        from_state: Some(stored.state),
        to_state: flow.state,
        opinion: opinion.as_deref(),
        photo_ids: &act.photos,
        used_seconds: Some(clock.used(now, &calendar) - used_before),
        overdue: stored.clock.0.fraction(now, &calendar) >= 1.0,
    };
    store::add_trail(w.conn(), &[trail]).await?;
    notify(&mut w, &stored, act.action, change.departments.as_ref().and_then(|d| d.0)).await?;
    let summary = store::summary(w.conn(), id).await?.ok_or_else(|| ApiError::not_found("case", id))?;
    w.finish(StatusCode::OK, &summary, Touches::Cases(&[id])).await?;
    Ok(summary)
}

/// The lead department (named, else by the dispatch rules, else the category's default) and co-departments.
async fn dispatch_to(
    w: &mut crate::write::Write<'_>,
    stored: &Stored,
    act: &CaseAct,
) -> ApiResult<(Option<i64>, Vec<i64>)> {
    let district = stored.district_code.as_str();
    let unknown = |name: &str| {
        ApiError::unprocessable(ErrorCode::UnknownDepartment, format!("no department {name:?} in district {district}"))
    };
    let lead = match &act.department {
        Some(name) => catalogue::department_id(w.conn(), district, name).await?.ok_or_else(|| unknown(name))?,
        None => {
            let areas: Vec<&str> =
                [stored.community_code.as_deref(), stored.street_code.as_deref()].into_iter().flatten().collect();
            catalogue::dispatch_target(w.conn(), district, &stored.category_code, &areas, &stored.special_grid_ids)
                .await?
                .map(|(id, _)| id)
                .ok_or_else(|| {
                    ApiError::unprocessable(
                        ErrorCode::UnknownDepartment,
                        "no dispatch rule or default department for this case: name the department",
                    )
                })?
        }
    };
    let mut co = Vec::new();
    for name in &act.co_departments {
        let id = catalogue::department_id(w.conn(), district, name).await?.ok_or_else(|| unknown(name))?;
        if id != lead && !co.contains(&id) {
            co.push(id);
        }
    }
    Ok((Some(lead), co))
}

/// The open case of the same district a duplicate is merged into.
async fn merge_target(w: &mut crate::write::Write<'_>, stored: &Stored, into: Option<i64>) -> ApiResult<i64> {
    let bad = |why: &str| ApiError::unprocessable(ErrorCode::UnknownReference, why.to_owned());
    let into = into.ok_or_else(|| bad("merge needs `into`: the case this one duplicates"))?;
    if into == stored.id {
        return Err(bad("a case cannot be merged into itself"));
    }
    let target = store::load(w.conn(), into).await?.ok_or_else(|| bad("no such case to merge into"))?;
    if target.district_code != stored.district_code || target.state.is_terminal() {
        return Err(bad("merge into an open case of the same district"));
    }
    Ok(into)
}

/// Tell the people whose turn it is.
async fn notify(
    w: &mut crate::write::Write<'_>,
    stored: &Stored,
    action: CaseAction,
    dispatched_to: Option<i64>,
) -> ApiResult<()> {
    let street = stored.street_code.as_deref();
    let (kind, department, area) = match action {
        CaseAction::Dispatch => (NotificationKind::Dispatched, dispatched_to, None),
        CaseAction::Return => (NotificationKind::Returned, None, street),
        CaseAction::Handle => (NotificationKind::Handled, None, stored.community_code.as_deref()),
        CaseAction::RequestExtension | CaseAction::RequestSuspension | CaseAction::RequestVoid => {
            (NotificationKind::Request, None, street)
        }
        _ => return Ok(()),
    };
    store::notify(w.conn(), stored.id, kind, department, area).await?;
    Ok(())
}

/// Check and re-encode an uploaded photo off the request thread.
async fn prepare_photo(bytes: web::Bytes) -> ApiResult<media::Prepared> {
    web::block(move || media::prepare(&bytes))
        .await
        .map_err(|e| ApiError::from(anyhow::anyhow!("photo worker: {e}")))?
        .map_err(|e| ApiError::unprocessable(ErrorCode::BadPhoto, e.to_string()))
}

/// The row of a prepared photo of case `case_id` at `stage`, uploaded `by`.
pub(crate) fn photo_row<'a>(case_id: i64, stage: &'a str, p: &'a media::Prepared, by: &'a str) -> PhotoRow<'a> {
    PhotoRow {
        case_id,
        stage,
        sha256: &p.sha256,
        mime: "image/jpeg",
        image: &p.image,
        thumb: &p.thumb,
        size: p.size,
        uploaded_by: by,
    }
}

/// Add a photo to case `id` at `stage` (`report` or `after`), from the uploaded bytes.
pub async fn add_photo(
    state: &AppState,
    writer: Writer,
    staff: &Staff,
    id: i64,
    stage: &str,
    bytes: web::Bytes,
) -> ApiResult<Photo> {
    let prepared = prepare_photo(bytes).await?;
    let mut w = writer.begin(state).await?;
    let Some(stored) = store::load(w.conn(), id).await? else { return Err(missing(w.conn(), id).await) };
    if stored.state.is_terminal() {
        return Err(ApiError::conflict(ErrorCode::NotNow, format!("the case is {}: no more photos", stored.state))
            .with_details(serde_json::json!({ "state": stored.state })));
    }
    if store::photo_count(w.conn(), id).await? >= MAX_PHOTOS {
        return Err(ApiError::unprocessable(
            ErrorCode::TooManyPhotos,
            format!("a case holds at most {MAX_PHOTOS} photos"),
        ));
    }
    let photo = store::add_photo(w.conn(), &photo_row(id, stage, &prepared, &staff.username)).await?;
    w.finish(StatusCode::CREATED, &photo, Touches::Nothing).await?;
    Ok(photo)
}
