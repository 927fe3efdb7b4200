//! Who is asking: the anonymous public, a signed-in staff member with a role and a scope, or a partner application
//! calling with the key a district admin issued it.

use std::sync::Arc;

use actix_web::{dev::Payload, FromRequest, HttpMessage, HttpRequest};
use anyhow::{Context, Result};
use serde::Serialize;
use wangge_domain::access::{Assignment, Role, Scope};
use wangge_domain::codes::DistrictCode;

use crate::error::ApiError;

/// A signed-in staff member, as the guard found them for this request.
#[derive(Debug, Clone, Serialize)]
pub struct Staff {
    /// Account id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Name shown to people.
    pub display_name: String,
    /// Role and scope.
    #[serde(flatten)]
    pub assignment: Assignment,
    /// The district the account belongs to.
    pub district: DistrictCode,
    /// The session's CSRF token, to be echoed in `X-CSRF-Token` on writes.
    pub csrf_token: String,
}

impl Staff {
    /// Build from an account row's columns, checking the stored role and scope still fit together.
    pub fn from_columns(
        id: i64,
        username: String,
        display_name: String,
        role: &str,
        scope: serde_json::Value,
        district: &str,
        csrf_token: String,
    ) -> Result<Self> {
        let role: Role = role.parse()?;
        let scope: Scope = serde_json::from_value(scope).with_context(|| format!("scope of account {username}"))?;
        Ok(Self {
            id,
            display_name,
            assignment: Assignment::new(role, scope)?,
            district: district.parse()?,
            username,
            csrf_token,
        })
    }

    /// The code prefixes this staff member may see (see [`Scope::prefixes`]); list queries filter with
    /// `code LIKE ANY(prefix || '%')`.
    pub fn prefixes(&self) -> Vec<String> {
        self.assignment.scope().prefixes()
    }
}

/// A partner application (an Open311 client, another city system), as its key identified it.
#[derive(Debug, Clone, Serialize)]
pub struct Client {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// The district that let it in.
    pub district: String,
}

impl Client {
    /// Its name in the audit log and as the requester of its reports: `client:{id}`.
    pub fn actor(&self) -> String {
        format!("client:{}", self.id)
    }
}

/// The caller of a request.
#[derive(Debug, Clone)]
pub enum Principal {
    /// Not signed in.
    Public,
    /// A signed-in staff member.
    Staff(Arc<Staff>),
    /// A partner application with a live key: public routes only (with a rate budget of its own), until routes for
    /// partners (Open311) admit it.
    Client(Arc<Client>),
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(
            req.extensions()
                .get::<Principal>()
                .cloned()
                .ok_or_else(|| ApiError::from(anyhow::anyhow!("route reached without passing the guard"))),
        )
    }
}

/// Extractor for handlers that only staff reach (the guard has already checked role and scope): the staff member.
#[derive(Debug, Clone)]
pub struct Viewer(pub Arc<Staff>);

impl std::ops::Deref for Viewer {
    type Target = Staff;
    fn deref(&self) -> &Staff {
        &self.0
    }
}

impl FromRequest for Viewer {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(match req.extensions().get::<Principal>() {
            Some(Principal::Staff(s)) => Ok(Viewer(s.clone())),
            Some(Principal::Public | Principal::Client(_)) => Err(ApiError::unauthorized()),
            None => Err(anyhow::anyhow!("route reached without passing the guard").into()),
        })
    }
}
