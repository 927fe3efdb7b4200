//! The API's error: an HTTP status, a stable machine-readable code, a human reason, and optional details.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::{json, Value};
use wangge_api::error::ErrorCode;
use wangge_api::plans::NotPublishable;

use crate::store::blocks::BlockError;
use crate::store::hierarchy::{Level, Misplaced};
use crate::store::plans::PlanError;
use crate::store::StoreError;
use wangge_domain::case::workflow::Refusal;

/// An error as the client sees it. Every 4xx says why; 5xx hide internals (they are logged).
#[derive(Debug, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable code, e.g. `invalid_geometry`.
    pub code: ErrorCode,
    /// Human-readable reason.
    pub message: String,
    /// Structured details (e.g. the problems of a plan).
    pub details: Option<Value>,
}

impl ApiError {
    /// An error with a status, code and reason.
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), details: None }
    }

    /// 400: the request is malformed.
    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 404: the named thing does not exist.
    pub fn not_found(what: &str, id: impl std::fmt::Display) -> Self {
        Self::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, format!("{what} {id} does not exist"))
    }

    /// 401: the route needs a signed-in staff member.
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, ErrorCode::LoginRequired, "sign in as staff to use this")
    }

    /// 403: signed in, but the role does not allow this (or the CSRF token is missing).
    pub fn forbidden(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, message)
    }

    /// 429: too many requests; try again after `wait`.
    pub fn too_many(code: ErrorCode, wait: std::time::Duration) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            code,
            format!("too many requests; try again in {} s", wait.as_secs() + 1),
        )
        .with_details(serde_json::json!({ "retry_after_s": wait.as_secs() + 1 }))
    }

    /// 409: the request conflicts with the stored state.
    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// 422: well-formed but refused by a domain rule.
    pub fn unprocessable(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    /// Attach structured details.
    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut body = json!({ "error": self.code, "message": self.message });
        let mut response = HttpResponse::build(self.status);
        if let Some(d) = &self.details {
            body["details"] = d.clone();
            if let Some(wait) = d.get("retry_after_s").and_then(Value::as_u64) {
                response.insert_header(("Retry-After", wait.to_string()));
            }
        }
        response.json(body)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            match db.code().as_deref() {
                Some("23505") => {
                    // Say what is duplicated in the API's words, never by the database constraint's name.
                    return match db.constraint() {
                        Some("account_username_key") => {
                            ApiError::conflict(ErrorCode::UsernameTaken, "that username is already taken")
                        }
                        // the constraint, or its index on a district's partition where residents are partitioned
                        Some(c) if c.starts_with("resident") && c.contains("id_card_digest") => ApiError::conflict(
                            ErrorCode::DuplicateResident,
                            "a resident with this ID-card number is already registered",
                        ),
                        _ => ApiError::conflict(ErrorCode::Duplicate, "this already exists"),
                    };
                }
                // Text PostgreSQL cannot store (a NUL character) is the client's mistake, not the server's.
                Some("22021") | Some("22P05") => {
                    return ApiError::bad_request(
                        ErrorCode::BadText,
                        "text must not contain NUL or other unstorable characters",
                    )
                }
                Some("23503") => return ApiError::unprocessable(ErrorCode::UnknownReference, db.message().to_owned()),
                Some("23514") | Some("23P01") => {
                    return ApiError::unprocessable(ErrorCode::ConstraintViolated, db.message().to_owned())
                }
                Some("XX000") if db.message().contains("GEOSIntersects") || db.message().contains("Geometry") => {
                    return ApiError::unprocessable(ErrorCode::InvalidGeometry, db.message().to_owned())
                }
                _ => {}
            }
        }
        tracing::error!(error = %e, "database error");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal, "internal error (logged)")
    }
}

/// 422 for a boundary that does not fit the hierarchy, with the areas in m².
impl From<(Level, Misplaced)> for ApiError {
    fn from((level, m): (Level, Misplaced)) -> Self {
        let message = format!("this {}: {m}", level.table());
        match m {
            Misplaced::OutsideParent { parent, area_m2 } => ApiError::unprocessable(ErrorCode::OutsideParent, message)
                .with_details(json!({ "parent": parent, "area_m2": area_m2 })),
            Misplaced::Overlaps { with } => {
                let list: Vec<Value> =
                    with.iter().map(|(code, area)| json!({ "code": code, "area_m2": area })).collect();
                ApiError::unprocessable(ErrorCode::OverlapsSibling, message).with_details(json!({ "overlaps": list }))
            }
        }
    }
}

/// A workflow refusal: 409 with the current state when the case has moved on, 403 when it is someone else's turn.
impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> Self {
        let message = r.to_string();
        match r {
            Refusal::NotNow { state, .. } => {
                ApiError::conflict(ErrorCode::NotNow, message).with_details(json!({ "state": state }))
            }
            Refusal::NotYou { .. } => ApiError::forbidden(ErrorCode::NotYourTurn, message),
        }
    }
}

impl From<PlanError> for ApiError {
    fn from(e: PlanError) -> Self {
        let message = e.to_string();
        match e {
            PlanError::UnknownCommunity(_) | PlanError::UnknownPlan(_) | PlanError::UnknownGrid(_) => {
                ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, message)
            }
            PlanError::TooManyGrids => ApiError::unprocessable(ErrorCode::TooManyGrids, message),
            PlanError::ForeignBase { .. } => ApiError::unprocessable(ErrorCode::BadBasedOn, message),
            PlanError::Invalid { problems } => {
                ApiError::unprocessable(ErrorCode::InvalidPlan, message).with_details(json!({ "problems": problems }))
            }
            PlanError::NotADraft(..) => ApiError::conflict(ErrorCode::NotADraft, message),
            PlanError::StaleRevision { current, .. } => ApiError::conflict(ErrorCode::StaleRevision, message)
                .with_details(json!({ "current_revision": current })),
            PlanError::NotPublishable(report) => ApiError::unprocessable(ErrorCode::PlanNotPublishable, message)
                .with_details(json!(NotPublishable { problems: report.problems, grids: report.grids })),
            PlanError::StaleBase { based_on, latest, .. } => ApiError::conflict(ErrorCode::StaleBase, message)
                .with_details(json!({ "based_on": based_on, "latest_published": latest })),
            PlanError::ValidFromTooEarly(_) => ApiError::unprocessable(ErrorCode::ValidFromTooEarly, message),
            PlanError::NoBlocks(_) => ApiError::unprocessable(ErrorCode::NoBlocks, message),
            PlanError::PartitionFailed(_) => ApiError::unprocessable(ErrorCode::PartitionFailed, message),
            PlanError::Database(e) => e.into(),
            PlanError::Other(e) => e.into(),
            PlanError::Store(e) => e.into(),
        }
    }
}

impl From<BlockError> for ApiError {
    fn from(e: BlockError) -> Self {
        let message = e.to_string();
        match e {
            BlockError::UnknownCommunity(_) | BlockError::UnknownBlock(_) => {
                ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, message)
            }
            BlockError::NoBoundary(_) => ApiError::unprocessable(ErrorCode::NoBoundary, message),
            BlockError::InUse(_) => ApiError::conflict(ErrorCode::BlocksInUse, message),
            BlockError::AlreadySplit(_) => ApiError::conflict(ErrorCode::AlreadySplit, message),
            BlockError::TooFewBuildings { .. } => ApiError::unprocessable(ErrorCode::TooFewBuildings, message),
            BlockError::NotOneBuilding { .. } => ApiError::unprocessable(ErrorCode::NotOneBuilding, message),
            BlockError::LineDoesNotCut(_) => ApiError::unprocessable(ErrorCode::LineDoesNotCut, message),
            BlockError::Database(e) => e.into(),
            BlockError::Other(e) => e.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Database(e) => e.into(),
            StoreError::Encode(e) => anyhow::Error::from(e).into(),
            StoreError::Other(e) => e.into(),
        }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        match e.downcast::<ApiError>() {
            Ok(api) => api,
            Err(e) => match e.downcast::<sqlx::Error>() {
                Ok(db) => db.into(),
                Err(e) => {
                    tracing::error!(error = %format!("{e:#}"), "internal error");
                    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal, "internal error (logged)")
                }
            },
        }
    }
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
