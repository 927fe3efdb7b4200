//! The guard: the one middleware every request passes. It rewrites the path to its canonical spelling, finds who is
//! asking (session cookie), refuses writes without the session's CSRF token, rate-limits anonymous callers, looks
//! the route up in the [policy], checks the role and the scope against where the request's target lies, and hands
//! the handler the [`Principal`] — and, for an audited write, a [`Writer`], refusing to pass on a success that did
//! not commit through the after-write path ([`crate::write`]).
//!
//! [policy]: super::policy

use std::sync::Arc;
use wangge_api::error::ErrorCode;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use serde_json::Value;
use wangge_domain::access::Place;
use wangge_domain::codes::CommunityCode;

use actix_web::http::{Method, StatusCode, Uri};

use super::canonical;
use super::policy::{self, Access, Target};
use super::principal::{Client, Principal};
use super::session;
use crate::error::ApiError;
use crate::places;
use crate::routes::{body, form, input};
use crate::state::AppState;
use crate::store::clients;
use crate::store::places::Entity;
use crate::tile_service::Selection;
use crate::write::Writer;

/// The header a partner application sends its key in.
pub const API_KEY_HEADER: &str = "x-api-key";

/// The middleware function (mounted with `actix_web::middleware::from_fn`).
pub async fn guard(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // A refusal is answered here, as a response that still carries its error (so outer layers, such as Open311's
    // error format, can read it).
    let (principal, writer) = match admit(&mut req).await {
        Ok(admitted) => admitted,
        Err(e) => return Ok(req.error_response(e)),
    };
    let method = req.method().clone();
    let pattern = req.match_pattern().unwrap_or_default();
    req.extensions_mut().insert(principal);
    if let Some(w) = &writer {
        req.extensions_mut().insert(w.clone());
    }
    let res = next.call(req).await?.map_into_boxed_body();
    match writer {
        // Every successful audited write must have gone through the after-write path (write and entry together).
        Some(w) if res.status().is_success() && !w.committed() => Err(ApiError::from(anyhow::anyhow!(
            "{method} {pattern} answered without committing through the after-write path"
        ))
        .into()),
        _ => Ok(res),
    }
}

/// Decide whether the request may pass: who is asking, and for an audited write the [`Writer`] the handler gets.
async fn admit(req: &mut ServiceRequest) -> Result<(Principal, Option<Writer>), actix_web::Error> {
    canonicalise(req)?;
    let pattern = req.match_pattern();
    let method = req.method().clone();
    // Decide on the route the router will run: the policy row of its pattern, or 404 when no route matches.
    let access = match pattern.as_deref() {
        // No route; or the web app's files (pattern "") asked for an API path.
        None => return Err(ApiError::not_found("route", req.path()).into()),
        Some("") if ["/api/", "/tiles/", "/fonts/", "/open311/"].iter().any(|p| req.path().starts_with(p)) => {
            return Err(ApiError::not_found("route", req.path()).into())
        }
        Some(p) => policy::lookup(&method, p).ok_or_else(|| refusal_without_rule(&method, p))?,
    };
    let pattern = pattern.unwrap_or_default();
    let state = req.app_data::<web::Data<AppState>>().cloned().expect("AppState is registered");
    let principal = match access {
        Access::Partner if !req.headers().contains_key(API_KEY_HEADER) => partner_by_form(req, &state).await?,
        _ => principal(req, &state).await?,
    };
    let writes = !method.is_safe();

    // Anonymous callers share a budget per address; a partner application has one of its own, wherever it calls from.
    let budget = match &principal {
        Principal::Public => Some(req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default()),
        Principal::Client(c) => Some(format!("client {}", c.id)),
        Principal::Staff(_) => None,
    };
    if let Some(key) = budget {
        state.security.public_rate.admit(&key).map_err(|wait| ApiError::too_many(ErrorCode::RateLimited, wait))?;
    }
    if let (true, Principal::Staff(staff)) = (writes, &principal) {
        let sent = req.headers().get(session::CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
        if !session::same_token(sent, &staff.csrf_token) {
            return Err(ApiError::forbidden(
                ErrorCode::Csrf,
                "send the session's CSRF token in the X-CSRF-Token header",
            )
            .into());
        }
    }

    let mut writer = None;
    match access {
        Access::Public => {}
        Access::PublicWrite | Access::Partner => {
            let (actor, district) = match &principal {
                Principal::Public => ("public".to_owned(), None),
                Principal::Client(c) => (c.actor(), Some(c.district.as_str())),
                Principal::Staff(s) => (s.username.clone(), Some(s.district.as_str())),
            };
            writer = Some(Writer::new(&actor, district, format!("{method} {pattern}"), None));
        }
        Access::Tiles => {
            let public = policy::path_param(&pattern, req.path(), "source")
                .and_then(Selection::parse)
                .is_none_or(|s| s.is_public());
            if !public && matches!(principal, Principal::Public) {
                return Err(ApiError::unauthorized().into());
            }
        }
        Access::Staff(action, target) => {
            let staff = match &principal {
                Principal::Staff(staff) => staff,
                Principal::Client(c) => {
                    return Err(ApiError::forbidden(
                        ErrorCode::Forbidden,
                        format!("API client {:?} may use the public routes only", c.name),
                    )
                    .into())
                }
                Principal::Public => return Err(ApiError::unauthorized().into()),
            };
            let role = staff.assignment.role();
            if !role.may(action) {
                return Err(ApiError::forbidden(
                    ErrorCode::Forbidden,
                    format!("a {role} may not do this ({action:?})"),
                )
                .into());
            }
            if let Some((place, what)) = place_of(req, &state, &pattern, target).await? {
                if !staff.assignment.scope().covers(&place) {
                    // Outside the scope looks exactly like not there, so ids cannot be probed.
                    return Err(ApiError::new(
                        actix_web::http::StatusCode::NOT_FOUND,
                        ErrorCode::NotFound,
                        format!("{what} does not exist or is outside your scope"),
                    )
                    .into());
                }
            }
            if writes && action.is_audited() {
                let entity = match target {
                    Target::Entity(e) => {
                        let id = policy::path_param(&pattern, req.path(), "id").and_then(|v| v.parse::<i64>().ok());
                        id.map(|id| (e, id))
                    }
                    _ => None,
                };
                let district = Some(staff.district.as_str());
                writer = Some(Writer::new(&staff.username, district, format!("{method} {pattern}"), entity));
            }
        }
    }

    Ok((principal, writer))
}

/// Rewrite the request to its one canonical path (so the policy lookup and the router see the same bytes), refuse
/// ambiguous paths and NUL in the query, and answer `HEAD` as `GET` (the server drops the body of a `HEAD` answer).
fn canonicalise(req: &mut ServiceRequest) -> Result<(), ApiError> {
    let raw = req.path().to_owned();
    let path = canonical::canonical_path(&raw).map_err(|e| ApiError::bad_request(ErrorCode::BadPath, e.to_string()))?;
    let query = req.query_string().to_owned();
    if query.contains('\0') || query.to_ascii_lowercase().contains("%00") {
        return Err(ApiError::bad_request(ErrorCode::BadQuery, "the query holds a NUL character"));
    }
    if path != raw {
        let target = if query.is_empty() { path } else { format!("{path}?{query}") };
        let mut parts = req.uri().clone().into_parts();
        parts.path_and_query = Some(
            target.parse().map_err(|_| ApiError::bad_request(ErrorCode::BadPath, "the path cannot be rewritten"))?,
        );
        let uri = Uri::from_parts(parts)
            .map_err(|_| ApiError::bad_request(ErrorCode::BadPath, "the path cannot be rewritten"))?;
        req.match_info_mut().get_mut().update(&uri);
        req.head_mut().uri = uri;
    }
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    Ok(())
}

/// The answer for a matched route with no rule for this method: 405 when other methods have rules, else 403 (a
/// route someone forgot to put in the table is refused, never let through).
fn refusal_without_rule(method: &Method, pattern: &str) -> actix_web::Error {
    let allowed = policy::methods(pattern);
    if allowed.is_empty() {
        return ApiError::forbidden(ErrorCode::NoPolicy, format!("{method} {pattern} has no access rule")).into();
    }
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        format!("{method} is not allowed here; use {}", allowed.join(", ")),
    )
    .with_details(serde_json::json!({ "allow": allowed }))
    .into()
}

/// Who is asking: the staff member of a live session cookie, or the public.
async fn principal(req: &ServiceRequest, state: &AppState) -> Result<Principal, ApiError> {
    if let Some(key) = req.headers().get(API_KEY_HEADER) {
        return client_by_key(state, key.to_str().unwrap_or_default()).await;
    }
    let Some(cookie) = req.cookie(session::COOKIE) else {
        return Ok(Principal::Public);
    };
    Ok(match session::resolve(&state.pool, &state.security.sessions, cookie.value()).await? {
        Some(staff) => Principal::Staff(Arc::new(staff)),
        None => Principal::Public,
    })
}

/// The partner application whose key is the form's `api_key` (Open311 clients send it there); the body is put back
/// for the handler.
async fn partner_by_form(req: &mut ServiceRequest, state: &AppState) -> Result<Principal, ApiError> {
    let bytes = body::read(&mut req.take_payload()).await?;
    req.set_payload(bytes.clone().into());
    let form = crate::open311::form::Open311Form::parse(&form::content_type(req.request()), bytes).await?;
    let key = form.get("api_key").ok_or_else(|| {
        ApiError::forbidden(ErrorCode::BadApiKey, "posting a request needs the api_key a district admin issued")
    })?;
    client_by_key(state, key).await
}

/// The live partner application of `key`.
async fn client_by_key(state: &AppState, key: &str) -> Result<Principal, ApiError> {
    match clients::by_key(&state.pool, &state.security.key.digest(key)).await? {
        Some((id, name, district)) => Ok(Principal::Client(Arc::new(Client { id, name, district }))),
        None => Err(ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::BadApiKey, "unknown or revoked API key")),
    }
}

/// Where the request's target lies, and how to name it in a refusal; `None` for own-scope lists.
async fn place_of(
    req: &mut ServiceRequest,
    state: &AppState,
    pattern: &str,
    target: Target,
) -> Result<Option<(Place, String)>, ApiError> {
    let param = |name: &str| policy::path_param(pattern, req.path(), name).unwrap_or_default().to_owned();
    match target {
        Target::OwnScope => Ok(None),
        Target::Community => {
            let code: CommunityCode = input::code(&param("code"))?;
            let what = format!("community {}", code.as_str());
            Ok(Some((Place::community(code), what)))
        }
        Target::Entity(entity) => {
            let raw = param("id");
            let id: i64 =
                raw.parse().map_err(|_| ApiError::bad_request(ErrorCode::BadPath, format!("{raw:?} is not an id")))?;
            let place = match places::of_entity(state, entity, id).await? {
                Some(place) => place,
                None if entity == crate::store::places::Entity::Case => {
                    return Err(crate::cases::missing(&mut *state.pool.acquire().await?, id).await)
                }
                None => return Err(ApiError::not_found(entity.name(), id)),
            };
            Ok(Some((place, format!("{} {id}", entity.name()))))
        }
        Target::BodyCode(field) => {
            let body = json_body(req).await?;
            let code = match body.get(field) {
                None | Some(Value::String(_)) => body.get(field).and_then(Value::as_str).unwrap_or_default(),
                Some(other) => {
                    return Err(ApiError::bad_request(
                        ErrorCode::BadJson,
                        format!("{field}: expected a string, got {other}"),
                    ))
                }
            };
            let place = Place::from_code(code).ok_or_else(|| {
                ApiError::bad_request(ErrorCode::BadCode, format!("{field} must be a 6-, 9- or 12-digit division code"))
            })?;
            Ok(Some((place, format!("division {code}"))))
        }
        Target::BodyPoint => {
            let body = json_body(req).await?;
            let number = |k: &str| {
                body.get(k)
                    .and_then(Value::as_f64)
                    .ok_or_else(|| ApiError::bad_request(ErrorCode::BadJson, format!("{k} must be a number")))
            };
            let p = input::lon_lat(number("lon")?, number("lat")?)?;
            let place = places::of_point(state, p.lon(), p.lat())?;
            Ok(Some((place, "the place".to_owned())))
        }
        Target::BodyBuilding => {
            let body = json_body(req).await?;
            let id = body
                .get("building_id")
                .and_then(Value::as_i64)
                .ok_or_else(|| ApiError::bad_request(ErrorCode::BadJson, "building_id must be an id"))?;
            let place = places::of_entity(state, Entity::Building, id)
                .await?
                .ok_or_else(|| ApiError::not_found("building", id))?;
            Ok(Some((place, format!("building {id}"))))
        }
    }
}

/// Read the JSON body for the policy (of a form: its `json` part), then put the body back for the handler.
async fn json_body(req: &mut ServiceRequest) -> Result<Value, ApiError> {
    let multipart = form::is_multipart(req.request());
    if !multipart {
        body::require_json(req.request())?;
    }
    let bytes = body::read(&mut req.take_payload()).await?;
    req.set_payload(bytes.clone().into());
    if multipart {
        let content_type = form::content_type(req.request());
        body::parse(&form::parts(&content_type, bytes).await?.json)
    } else {
        body::parse(&bytes)
    }
}
