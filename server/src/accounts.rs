//! Staff accounts, the application service: a district admin creates and changes the accounts of their own
//! district. A role and scope must suit each other, lie in the admin's district and name areas and grids that
//! exist; admins cannot disable or re-scope themselves. Changes that narrow what an account may do end its sessions
//! (in the store), in the same transaction as the audit entry.

use actix_web::http::StatusCode;
use wangge_api::accounts::Account;
use wangge_api::error::ErrorCode;
use wangge_domain::access::{Assignment, Role, Scope};

use crate::auth::password::NewPassword;
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::accounts::{self, AccountChange, NewAccount};
use crate::store::hierarchy::{unknown_codes, Coded, Level};
use crate::write::{Touches, Writer};

/// A new account, its fields checked.
pub struct AccountDraft {
    /// Login name.
    pub username: String,
    /// Name shown to people.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Where the role applies.
    pub scope: Scope,
    /// Work phone.
    pub work_phone: Option<String>,
    /// Initial password.
    pub password: NewPassword,
}

/// Changes to an account; `None` leaves a field as it is.
pub struct AccountEdit {
    /// New display name.
    pub display_name: Option<String>,
    /// New work phone (`Some(None)` clears it).
    pub work_phone: Option<Option<String>>,
    /// New role (the scope stays unless given too).
    pub role: Option<Role>,
    /// New scope (the role stays unless given too).
    pub scope: Option<Scope>,
    /// Disable or enable.
    pub disabled: Option<bool>,
    /// New password.
    pub password: Option<NewPassword>,
}

/// Create an account in the admin's district.
pub async fn create(state: &AppState, writer: Writer, viewer: &Viewer, new: AccountDraft) -> ApiResult<Account> {
    let assignment = assignment(state, viewer, new.role, new.scope).await?;
    let mut w = writer.begin(state).await?;
    let row = NewAccount {
        username: &new.username,
        display_name: &new.display_name,
        assignment: &assignment,
        district: &viewer.district,
        work_phone: new.work_phone.as_deref(),
        password: &new.password,
    };
    let account = accounts::create(w.conn(), row).await?;
    w.finish(StatusCode::CREATED, &account, Touches::Nothing).await?;
    Ok(account)
}

/// Change account `id`.
pub async fn update(
    state: &AppState,
    writer: Writer,
    viewer: &Viewer,
    id: i64,
    edit: AccountEdit,
) -> ApiResult<Account> {
    let current = accounts::get(&state.pool, id).await?.ok_or_else(|| ApiError::not_found("account", id))?;
    if id == viewer.id && (edit.disabled == Some(true) || edit.role.is_some() || edit.scope.is_some()) {
        return Err(ApiError::unprocessable(ErrorCode::OwnAccount, "you cannot disable or re-scope your own account"));
    }
    let assignment = match (edit.role, edit.scope) {
        (None, None) => None,
        (role, scope) => {
            Some(assignment(state, viewer, role.unwrap_or(current.role), scope.unwrap_or(current.scope)).await?)
        }
    };
    let change = AccountChange {
        display_name: edit.display_name.as_deref(),
        work_phone: edit.work_phone.as_ref().map(Option::as_deref),
        assignment: assignment.as_ref(),
        disabled: edit.disabled,
        password: edit.password.as_ref(),
    };
    let mut w = writer.begin(state).await?;
    let updated = accounts::update(w.conn(), id, change).await?.ok_or_else(|| ApiError::not_found("account", id))?;
    w.finish(StatusCode::OK, &updated, Touches::Nothing).await?;
    state.security.sessions.forget_account(id);
    Ok(updated)
}

/// Check that `scope` suits `role`, lies in the admin's district and names things that exist.
async fn assignment(state: &AppState, viewer: &Viewer, role: Role, scope: Scope) -> ApiResult<Assignment> {
    if scope.district().is_some_and(|d| d != viewer.district) {
        return Err(ApiError::unprocessable(
            ErrorCode::OutsideScope,
            format!("the scope must lie in your district {}", viewer.district.as_str()),
        ));
    }
    let missing: Vec<String> = match &scope {
        Scope::District(d) => unknown_codes(&state.pool, Coded::Area(Level::District), &[d.as_str()]).await?,
        Scope::Street(s) => unknown_codes(&state.pool, Coded::Area(Level::Street), &[s.as_str()]).await?,
        Scope::Community(c) => unknown_codes(&state.pool, Coded::Area(Level::Community), &[c.as_str()]).await?,
        Scope::Grids(gs) => {
            let codes: Vec<&str> = gs.iter().map(|g| g.as_str()).collect();
            unknown_codes(&state.pool, Coded::Grid, &codes).await?
        }
        Scope::Department(_) => Vec::new(),
    };
    if !missing.is_empty() {
        return Err(ApiError::unprocessable(
            ErrorCode::UnknownCodes,
            format!("no such area or grid: {}", missing.join(", ")),
        ));
    }
    Assignment::new(role, scope).map_err(|e| ApiError::unprocessable(ErrorCode::BadScope, e.to_string()))
}
