//! Open311 GeoReport v2 at `/open311/v2`: discovery, services (location-aware with `lat`/`long`), service
//! definitions, posting a request (a partner application's `api_key`), tokens, the request list with the spec's
//! filters and its default 90-day window, one request; `.json` or `.xml` on every method; errors as the spec says
//! (`[{code, description}]`, 400/403/404). `jurisdiction_id` is the district code.
//!
//! Extensions as other servers offer them: `page`/`page_size`, `extensions=true` (the public trail as `notes`),
//! `bbox=w,s,e,n` and `lat`/`long`/`radius` (metres) filters, a `request_id` for retries, a past
//! `requested_datetime` for a partner importing its history, and FixMyStreet's `servicerequestupdates`. A GET never carries personal data: no reporter, no contact, no staff names; a
//! description and a photo only once a street center has accepted the report.

pub mod errors;
pub mod form;
mod xml;

use actix_web::http::Method;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use wangge_api::error::ErrorCode;
use wangge_api::open311::{
    Attribute, AttributeValue, Created, Discovery, Endpoint, Note, RequestUpdate, Service, ServiceDefinition,
    ServiceRequest, TokenAnswer,
};
use wangge_api::paths;
use wangge_api::public::PublicService;

use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::incidents::public::{page, PublicQuery};
use crate::public_reports::{self as public, Filing, Sender};
use crate::routes::{body, input, route};
use crate::state::AppState;
use crate::store::cases as case_store;
use crate::store::public::{self as store, PublicFacts};
use crate::write::Writer;
use form::Open311Form;

/// The default window of the request list (the spec's 90 days).
const DEFAULT_DAYS: i64 = 90;
/// Requests per page unless asked otherwise, and at most.
const PAGE_SIZE: (usize, usize) = (100, 1000);

/// Mount the Open311 routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    route(cfg, Method::GET, paths::OPEN311_DISCOVERY, discovery);
    route(cfg, Method::GET, paths::OPEN311_SERVICES, services);
    route(cfg, Method::GET, paths::OPEN311_SERVICE, service_definition);
    route(cfg, Method::GET, paths::OPEN311_REQUESTS, requests);
    route(cfg, Method::POST, paths::OPEN311_REQUESTS, post_request);
    route(cfg, Method::GET, paths::OPEN311_REQUEST, request);
    route(cfg, Method::GET, paths::OPEN311_TOKEN, token);
    route(cfg, Method::GET, paths::OPEN311_UPDATES, updates);
}

/// The two formats of every method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.json`.
    Json,
    /// `.xml`.
    Xml,
}

impl Format {
    fn parse(raw: &str) -> ApiResult<Self> {
        match raw {
            "json" => Ok(Format::Json),
            "xml" => Ok(Format::Xml),
            other => Err(ApiError::bad_request(ErrorCode::BadFormat, format!("format {other:?}: use .json or .xml"))),
        }
    }

    /// The format a path asks for (JSON unless it ends in `.xml`).
    pub fn of_path(path: &str) -> Self {
        if path.ends_with(".xml") {
            Format::Xml
        } else {
            Format::Json
        }
    }

    /// An answer holding `v`, with `root` naming the XML document.
    pub fn answer(
        self,
        status: actix_web::http::StatusCode,
        root: &str,
        v: &impl Serialize,
    ) -> ApiResult<HttpResponse> {
        let value = serde_json::to_value(v).map_err(anyhow::Error::from)?;
        let mut res = HttpResponse::build(status);
        Ok(match self {
            Format::Json => res.json(value),
            Format::Xml => res.content_type("text/xml; charset=utf-8").body(xml::document(root, &value)),
        })
    }
}

fn ok(format: Format, root: &str, v: &impl Serialize) -> ApiResult<HttpResponse> {
    format.answer(actix_web::http::StatusCode::OK, root, v)
}

/// The attributes every service asks for (the same short questions for every problem).
fn attributes() -> Vec<Attribute> {
    vec![
        Attribute {
            variable: true,
            code: "place_detail".into(),
            datatype: "string".into(),
            required: false,
            datatype_description: "up to 200 characters".into(),
            order: 1,
            description: "Where exactly (a door, a lamp-post number) / 具体位置（门牌、灯杆编号）".into(),
            values: Vec::new(),
        },
        Attribute {
            variable: true,
            code: "hazard".into(),
            datatype: "singlevaluelist".into(),
            required: false,
            datatype_description: "one of the keys".into(),
            order: 2,
            description: "Is it dangerous now? / 是否有安全隐患".into(),
            values: vec![
                AttributeValue { key: "yes".into(), name: "Yes / 是".into() },
                AttributeValue { key: "no".into(), name: "No / 否".into() },
            ],
        },
    ]
}

fn service(s: &PublicService) -> Service {
    Service {
        service_code: s.code.clone(),
        service_name: s.name.clone(),
        description: if s.description.is_empty() { s.name_en.clone() } else { s.description.clone() },
        metadata: true,
        kind: "realtime".into(),
        keywords: s.keywords.split_whitespace().collect::<Vec<_>>().join(","),
        group: s.group.clone(),
    }
}

fn base_url(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

async fn check_jurisdiction(state: &AppState, jurisdiction: Option<&str>) -> ApiResult<()> {
    match jurisdiction {
        Some(j) if !store::district_exists(&state.pool, j).await? => Err(ApiError::not_found("jurisdiction", j)),
        _ => Ok(()),
    }
}

async fn discovery(req: HttpRequest, format: web::Path<String>) -> ApiResult<HttpResponse> {
    let format = Format::parse(&format)?;
    let changeset = Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).unwrap();
    let doc = Discovery {
        changeset,
        contact: "The district's grid management center (网格化服务管理中心)".into(),
        key_service: "A district admin issues an api_key in Wangge's admin panel (API clients)".into(),
        endpoints: vec![Endpoint {
            specification: "http://wiki.open311.org/GeoReport_v2".into(),
            url: format!("{}{}", base_url(&req), wangge_api::open311::BASE),
            changeset,
            kind: "production".into(),
            formats: vec!["application/json".into(), "text/xml".into()],
        }],
    };
    ok(format, "discovery", &doc)
}

#[derive(Deserialize)]
struct ServicesQuery {
    #[serde(default)]
    jurisdiction_id: Option<String>,
    #[serde(default)]
    lat: Option<f64>,
    #[serde(default)]
    long: Option<f64>,
}

async fn services(
    state: web::Data<AppState>,
    format: web::Path<String>,
    q: web::Query<ServicesQuery>,
) -> ApiResult<HttpResponse> {
    let format = Format::parse(&format)?;
    check_jurisdiction(&state, q.jurisdiction_id.as_deref()).await?;
    // Location-aware, as FixMyStreet: no services where no community is served.
    let served = match (q.long, q.lat) {
        (Some(lon), Some(lat)) => {
            let p = input::lon_lat(lon, lat)?;
            state.cache.snapshot().locate(p.lon(), p.lat(), Utc::now()).community.is_some()
        }
        (None, None) => true,
        _ => return Err(ApiError::bad_request(ErrorCode::BadQuery, "send both lat and long, or neither")),
    };
    let list: Vec<Service> =
        if served { public::services(&state).await?.iter().map(service).collect() } else { Vec::new() };
    ok(format, "services", &list)
}

async fn service_definition(state: web::Data<AppState>, path: web::Path<(String, String)>) -> ApiResult<HttpResponse> {
    let (code, format) = path.into_inner();
    let format = Format::parse(&format)?;
    store::service(&state.pool, &code).await?.ok_or_else(|| ApiError::not_found("service", &code))?;
    ok(format, "service_definition", &ServiceDefinition { service_code: code, attributes: attributes() })
}

/// The description a request is filed with: its text, its answered attributes, and a media link it named.
fn description(form: &Open311Form, service: &PublicService) -> ApiResult<String> {
    let mut text = form.get("description").unwrap_or(service.name.as_str()).to_owned();
    let known = attributes();
    for (code, value) in form.attributes() {
        let Some(a) = known.iter().find(|a| a.code == code) else {
            return Err(ApiError::bad_request(ErrorCode::BadBody, format!("attribute[{code}] is not an attribute")));
        };
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        if !a.values.is_empty() && !a.values.iter().any(|v| v.key == value) {
            return Err(ApiError::bad_request(
                ErrorCode::BadBody,
                format!("attribute[{code}]: {value:?} is not a key"),
            ));
        }
        text.push_str(&format!("\n[{}] {}", a.code, input::label(code, value, 200)?));
    }
    // Offline intranets cannot fetch outside links (nor should a server fetch what a client names): the link is
    // kept for the staff to open.
    if let Some(url) = form.get("media_url") {
        text.push_str(&format!("\n[media_url] {}", input::label("media_url", url, 500)?));
    }
    Ok(text)
}

/// The extension `requested_datetime` a partner sends when it imports its history: a moment in the past.
fn requested_at(form: &Open311Form) -> ApiResult<Option<DateTime<Utc>>> {
    let at = date("requested_datetime", form.get("requested_datetime"))?;
    let earliest = Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap();
    match at {
        Some(t) if t > Utc::now() + Duration::minutes(5) || t < earliest => Err(ApiError::bad_request(
            ErrorCode::BadTime,
            "requested_datetime: a moment in the past (a partner importing its history), since 2000",
        )),
        other => Ok(other),
    }
}

async fn post_request(
    state: web::Data<AppState>,
    writer: Writer,
    principal: Principal,
    req: HttpRequest,
    format: web::Path<String>,
    body: body::Raw,
) -> ApiResult<HttpResponse> {
    let format = Format::parse(&format)?;
    let Principal::Client(client) = principal else {
        return Err(ApiError::forbidden(ErrorCode::BadApiKey, "posting a request needs an api_key"));
    };
    let form = Open311Form::parse(&crate::routes::form::content_type(&req), body.0).await?;
    let required = |name: &str| {
        form.get(name).ok_or_else(|| ApiError::bad_request(ErrorCode::BadBody, format!("{name} is required")))
    };
    if let Some(j) = form.get("jurisdiction_id") {
        if j != client.district {
            return Err(ApiError::not_found("jurisdiction", j));
        }
    }
    let service = public::service(&state, required("service_code")?)
        .await
        .map_err(|e| ApiError::bad_request(ErrorCode::UnknownService, e.message))?;
    let number = |name: &str| -> ApiResult<f64> {
        required(name)?
            .parse()
            .map_err(|_| ApiError::bad_request(ErrorCode::BadCoordinates, format!("{name} must be a number")))
    };
    let (lon, lat) = match (form.get("long"), form.get("lat")) {
        (Some(_), Some(_)) => (number("long")?, number("lat")?),
        _ => {
            let address = form.get("address_string").ok_or_else(|| {
                ApiError::bad_request(ErrorCode::BadBody, "a location is required: lat and long, or address_string")
            })?;
            let hits = crate::store::search::search(&state.pool, address).await?;
            hits.first().map(|h| (h.lon, h.lat)).ok_or_else(|| {
                ApiError::bad_request(ErrorCode::BadBody, format!("address_string {address:?} is not a known place"))
            })?
        }
    };
    let located = state.cache.snapshot().locate(lon, lat, Utc::now());
    if located.community.as_ref().is_some_and(|c| !c.code.starts_with(&client.district)) {
        return Err(ApiError::bad_request(ErrorCode::Outside, "the location is outside your jurisdiction"));
    }
    let name = [form.get("first_name"), form.get("last_name")].into_iter().flatten().collect::<Vec<_>>().join(" ");
    let contact = (!name.is_empty() || form.get("phone").is_some()).then(|| wangge_api::cases::Contact {
        name: (!name.is_empty()).then_some(name),
        phone: form.get("phone").map(str::to_owned),
    });
    let filing = Filing {
        sender: Sender::Partner(client.id),
        request_id: form.get("request_id").map(str::to_owned),
        service: service.code.clone(),
        lon,
        lat,
        address: form.get("address_string").map(str::to_owned),
        description: description(&form, &service)?,
        contact,
        requested_at: requested_at(&form)?,
    };
    let photos = form.media.clone().into_iter().collect();
    let (_, tracking, _) = public::file(&state, writer, filing, photos).await?;
    let created = Created {
        service_request_id: tracking.number,
        token: tracking.token,
        service_notice: "The street center will accept or decline the report; follow it with the token".into(),
        account_id: None,
    };
    ok(format, "service_requests", &[created])
}

#[derive(Deserialize)]
struct RequestsQuery {
    #[serde(default)]
    jurisdiction_id: Option<String>,
    #[serde(default)]
    service_request_id: Option<String>,
    #[serde(default)]
    service_code: Option<String>,
    #[serde(default)]
    start_date: Option<String>,
    #[serde(default)]
    end_date: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    page: Option<usize>,
    #[serde(default)]
    page_size: Option<usize>,
    #[serde(default)]
    extensions: Option<bool>,
    #[serde(default)]
    bbox: Option<String>,
    #[serde(default)]
    lat: Option<f64>,
    #[serde(default)]
    long: Option<f64>,
    #[serde(default)]
    radius: Option<f64>,
}

fn date(field: &str, raw: Option<&str>) -> ApiResult<Option<DateTime<Utc>>> {
    raw.map(|r| {
        DateTime::parse_from_rfc3339(r).map(|d| d.with_timezone(&Utc)).map_err(|_| {
            ApiError::bad_request(
                ErrorCode::BadTime,
                format!("{field}: a w3 date-time such as 2026-11-30T08:00:00+08:00"),
            )
        })
    })
    .transpose()
}

fn split(raw: &Option<String>) -> Vec<String> {
    raw.iter().flat_map(|s| s.split(',')).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
}

/// The requests of `ids` (public, not sensitive), in order, with their notes when asked.
async fn service_requests(
    state: &AppState,
    req: &HttpRequest,
    ids: &[i64],
    notes: bool,
) -> ApiResult<Vec<ServiceRequest>> {
    // From the replica when there is one (a request a moment old may be missing from a list).
    let facts: Vec<PublicFacts> = state
        .read(|pool| async move { store::facts(&pool, ids).await })
        .await?
        .into_iter()
        .filter(|f| f.is_public())
        .collect();
    let refused: Vec<i64> =
        facts.iter().filter(|f| f.state == wangge_domain::case::CaseState::Rejected).map(|f| f.id).collect();
    let reasons: std::collections::HashMap<i64, String> = if refused.is_empty() {
        Default::default()
    } else {
        store::refusal_reasons(&state.pool, &refused).await?.into_iter().collect()
    };
    let base = base_url(req);
    let mut out = Vec::with_capacity(facts.len());
    for f in facts {
        let status = f.state.public_status();
        let accepted = f.state.is_accepted();
        let notes = if notes {
            let trail = case_store::trail(&state.pool, f.id).await?;
            Some(
                public::public_steps(&trail, f.department.as_deref())
                    .into_iter()
                    .map(|s| Note {
                        datetime: s.at,
                        kind: s.action,
                        status: s.status.as_str().to_owned(),
                        summary: s.reason.or(s.department),
                    })
                    .collect(),
            )
        } else {
            None
        };
        out.push(ServiceRequest {
            service_request_id: f.number.clone(),
            status: if status.is_open() { "open" } else { "closed" }.to_owned(),
            status_notes: Some(match reasons.get(&f.id) {
                Some(r) => format!("{status}: {r}"),
                None => status.as_str().to_owned(),
            }),
            service_name: f.service_name.clone().unwrap_or_else(|| f.category_name.clone()),
            service_code: f.service_code.clone().unwrap_or_else(|| f.category_code.clone()),
            description: accepted.then(|| f.description.clone()),
            agency_responsible: f.department.clone(),
            service_notice: None,
            requested_datetime: f.reported_at,
            updated_datetime: f.updated_at,
            expected_datetime: if status.is_open() { f.due_at } else { None },
            address: f.address.clone(),
            address_id: None,
            zipcode: None,
            lat: f.lat,
            long: f.lon,
            media_url: f
                .first_photo
                .filter(|_| accepted)
                .map(|p| format!("{base}{}", paths::fill(paths::PUBLIC_PHOTO, &[&p]))),
            notes,
        });
    }
    Ok(out)
}

async fn requests(
    state: web::Data<AppState>,
    req: HttpRequest,
    format: web::Path<String>,
    q: web::Query<RequestsQuery>,
) -> ApiResult<HttpResponse> {
    let format = Format::parse(&format)?;
    check_jurisdiction(&state, q.jurisdiction_id.as_deref()).await?;
    let notes = q.extensions.unwrap_or(false);
    let numbers = split(&q.service_request_id);
    if !numbers.is_empty() {
        let mut ids = Vec::new();
        for n in numbers.iter().take(PAGE_SIZE.1) {
            ids.extend(store::id_by_number(&state.pool, n).await?);
        }
        return ok(format, "service_requests", &service_requests(&state, &req, &ids, notes).await?);
    }
    let end = date("end_date", q.end_date.as_deref())?.unwrap_or_else(Utc::now);
    let start = date("start_date", q.start_date.as_deref())?.unwrap_or(end - Duration::days(DEFAULT_DAYS));
    if start >= end {
        return Err(ApiError::bad_request(ErrorCode::BadTime, "start_date must be before end_date"));
    }
    let services = public::services(&state).await?;
    let codes = split(&q.service_code);
    let categories = if codes.is_empty() {
        None
    } else {
        let mut found = Vec::new();
        for c in &codes {
            let s = services
                .iter()
                .find(|s| &s.code == c)
                .ok_or_else(|| ApiError::bad_request(ErrorCode::UnknownService, format!("no service_code {c:?}")))?;
            found.push(s.category.clone());
        }
        Some(found)
    };
    let open = match split(&q.status).as_slice() {
        [] => None,
        [s] if s == "open" => Some(true),
        [s] if s == "closed" => Some(false),
        [a, b] if a != b && [a, b].iter().all(|s| *s == "open" || *s == "closed") => None,
        _ => return Err(ApiError::bad_request(ErrorCode::BadQuery, "status is open, closed, or both")),
    };
    let circle = match (q.long, q.lat, q.radius) {
        (None, None, None) => None,
        (Some(lon), Some(lat), Some(r)) if r > 0.0 && r <= 50_000.0 => {
            let p = input::lon_lat(lon, lat)?;
            Some(((p.lon(), p.lat()), r))
        }
        _ => {
            return Err(ApiError::bad_request(
                ErrorCode::BadQuery,
                "a radius filter is lat, long and radius (metres, up to 50 km)",
            ))
        }
    };
    let page_size = q.page_size.unwrap_or(PAGE_SIZE.0).clamp(1, PAGE_SIZE.1);
    let page_no = q.page.unwrap_or(1).max(1);
    let query = PublicQuery {
        from: Some(start.timestamp_micros()),
        to: Some(end.timestamp_micros()),
        bbox: q.bbox.as_deref().map(input::bbox).transpose()?,
        circle,
        categories,
        open,
        accepted_only: false,
        offset: (page_no - 1) * page_size,
        limit: page_size,
    };
    let sensitive = store::sensitive_categories(&state.pool).await?;
    let (ids, _) = page(&state.incidents.read(), &query, &sensitive);
    ok(format, "service_requests", &service_requests(&state, &req, &ids, notes).await?)
}

async fn request(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    q: web::Query<RequestsQuery>,
) -> ApiResult<HttpResponse> {
    let (number, format) = path.into_inner();
    let format = Format::parse(&format)?;
    let id = store::id_by_number(&state.pool, &number).await?;
    let found =
        service_requests(&state, &req, &id.into_iter().collect::<Vec<_>>(), q.extensions.unwrap_or(false)).await?;
    if found.is_empty() {
        return Err(ApiError::not_found("service request", &number));
    }
    ok(format, "service_requests", &found)
}

async fn token(state: web::Data<AppState>, path: web::Path<(String, String)>) -> ApiResult<HttpResponse> {
    let (token, format) = path.into_inner();
    let format = Format::parse(&format)?;
    let missing = || ApiError::not_found("token", &token);
    let (id, _) = public::open_token(&state, &token).ok_or_else(missing)?;
    let facts = store::facts(&state.pool, &[id]).await?.pop().ok_or_else(missing)?;
    ok(format, "service_requests", &[TokenAnswer { service_request_id: facts.number, token: token.clone() }])
}

#[derive(Deserialize)]
struct UpdatesQuery {
    #[serde(default)]
    start_date: Option<String>,
    #[serde(default)]
    end_date: Option<String>,
    #[serde(default)]
    jurisdiction_id: Option<String>,
}

async fn updates(
    state: web::Data<AppState>,
    req: HttpRequest,
    format: web::Path<String>,
    q: web::Query<UpdatesQuery>,
) -> ApiResult<HttpResponse> {
    let format = Format::parse(&format)?;
    check_jurisdiction(&state, q.jurisdiction_id.as_deref()).await?;
    let end = date("end_date", q.end_date.as_deref())?.unwrap_or_else(Utc::now);
    let start = date("start_date", q.start_date.as_deref())?.unwrap_or(end - Duration::days(1));
    let base = base_url(&req);
    let rows = store::steps_between(&state.pool, start, end, PAGE_SIZE.1 as i64).await?;
    let list: Vec<RequestUpdate> = rows
        .into_iter()
        .filter_map(|r| {
            let step = public::public_step_of(&r.action, r.to_state)?;
            Some(RequestUpdate {
                update_id: r.id.to_string(),
                service_request_id: r.number,
                status: if step.is_open() { "open" } else { "closed" }.to_owned(),
                updated_datetime: r.at,
                description: match (&r.action[..], r.opinion) {
                    ("reject", Some(reason)) => format!("{step}: {reason}"),
                    (action, _) => format!("{action}: {step}"),
                },
                media_url: (r.action == "handle")
                    .then(|| r.photo_ids.first().map(|p| format!("{base}{}", paths::fill(paths::PUBLIC_PHOTO, &[p]))))
                    .flatten(),
            })
        })
        .collect();
    ok(format, "service_request_updates", &list)
}
