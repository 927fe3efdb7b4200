//! The case catalogue, the application service: a district admin edits categories (name, order, time limit,
//! urgency, default department, self-resolution, filing and closing conditions), adds local ones, and keeps the
//! district's departments, dispatch rules and stage limits. Every change is checked against what exists and audited.

use actix_web::http::StatusCode;
use wangge_api::cases::{Category, CategoryEdit, Department, DispatchRule, NewCategory, NewDepartment, StageLimit};
use wangge_api::error::ErrorCode;
use wangge_domain::case::clock::WAITING_STAGES;
use wangge_domain::case::{CaseState, TimeLimit};

use crate::auth::principal::Staff;
use crate::error::{ApiError, ApiResult};
use crate::routes::input;
use crate::state::AppState;
use crate::store::catalogue as store;
use crate::write::{Touches, Writer};

fn check_limit(limit: &TimeLimit) -> ApiResult<()> {
    if (1..=10_000).contains(&limit.amount) {
        Ok(())
    } else {
        Err(ApiError::unprocessable(ErrorCode::BadLimit, "a time limit is 1 to 10,000 of its unit"))
    }
}

async fn check_department(state: &AppState, staff: &Staff, name: &str) -> ApiResult<()> {
    match store::department_id(&state.pool, staff.district.as_str(), name).await? {
        Some(_) => Ok(()),
        None => Err(ApiError::unprocessable(
            ErrorCode::UnknownDepartment,
            format!("no department {name:?} in district {}", staff.district.as_str()),
        )),
    }
}

/// Change category `code`.
pub async fn edit_category(
    state: &AppState,
    writer: Writer,
    staff: &Staff,
    code: &str,
    mut edit: CategoryEdit,
) -> ApiResult<Category> {
    edit.name = edit.name.as_deref().map(|n| input::label("name", n, 60)).transpose()?;
    for text in [&mut edit.filing_condition, &mut edit.closing_condition] {
        *text = text.as_deref().map(|t| input::paragraph("condition", t, 500)).transpose()?;
    }
    if let Some(l) = &edit.limit {
        check_limit(l)?;
    }
    if let Some(d) = &edit.default_department {
        check_department(state, staff, d).await?;
    }
    let mut w = writer.begin(state).await?;
    let category =
        store::update_category(w.conn(), code, &edit).await?.ok_or_else(|| ApiError::not_found("category", code))?;
    w.finish(StatusCode::OK, &category, Touches::Catalogue).await?;
    Ok(category)
}

/// Add a local category.
pub async fn add_category(state: &AppState, writer: Writer, new: NewCategory) -> ApiResult<Category> {
    let name = input::label("name", &new.name, 60)?;
    let major_name = input::label("major_name", &new.major_name, 60)?;
    if !(2..=9).contains(&new.major_code.len())
        || !new.major_code.starts_with(|c: char| c.is_ascii_uppercase())
        || !new.major_code[1..].bytes().all(|b| b.is_ascii_digit())
    {
        return Err(ApiError::unprocessable(ErrorCode::BadCode, "major_code: a capital letter and 1 to 8 digits"));
    }
    check_limit(&new.limit)?;
    let mut w = writer.begin(state).await?;
    let category = store::add_category(w.conn(), &new.major_code, &major_name, &name, new.limit).await?;
    w.finish(StatusCode::CREATED, &category, Touches::Catalogue).await?;
    Ok(category)
}

/// Add a department to the admin's district.
pub async fn add_department(
    state: &AppState,
    writer: Writer,
    staff: &Staff,
    new: NewDepartment,
) -> ApiResult<Vec<Department>> {
    let name = input::label("name", &new.name, 60)?;
    let district = staff.district.as_str();
    if store::department_id(&state.pool, district, &name).await?.is_some() {
        return Err(ApiError::conflict(ErrorCode::Duplicate, format!("department {name:?} already exists")));
    }
    let mut w = writer.begin(state).await?;
    store::add_departments(w.conn(), district, &[name.as_str()]).await?;
    w.finish(StatusCode::CREATED, &name, Touches::Nothing).await?;
    Ok(store::departments(&state.pool, district).await?)
}

/// Add a dispatch rule in the admin's district.
pub async fn add_rule(
    state: &AppState,
    writer: Writer,
    staff: &Staff,
    mut rule: DispatchRule,
) -> ApiResult<DispatchRule> {
    let district = staff.district.as_str();
    if rule.district_code != district {
        return Err(ApiError::unprocessable(
            ErrorCode::OutsideScope,
            format!("rules of your district {district} only"),
        ));
    }
    if let Some(a) = &rule.area_code {
        let ok = (a.len() == 9 || a.len() == 12) && a.starts_with(district) && a.bytes().all(|b| b.is_ascii_digit());
        if !ok {
            return Err(ApiError::unprocessable(
                ErrorCode::BadCode,
                "area_code: a street or community of your district",
            ));
        }
    }
    if let Some(c) = &rule.category {
        if store::category(&state.pool, c).await?.is_none() {
            return Err(ApiError::unprocessable(ErrorCode::UnknownCategory, format!("no category {c:?}")));
        }
    }
    let department = store::department_id(&state.pool, district, &rule.department).await?.ok_or_else(|| {
        ApiError::unprocessable(ErrorCode::UnknownDepartment, format!("no department {:?}", rule.department))
    })?;
    let mut w = writer.begin(state).await?;
    rule.id = store::add_rule(w.conn(), &rule, department).await?;
    w.finish(StatusCode::CREATED, &rule, Touches::Nothing).await?;
    Ok(rule)
}

/// How long each waiting stage may take in the caller's district.
pub async fn stage_limits(state: &AppState, staff: &Staff) -> ApiResult<Vec<StageLimit>> {
    let limits = store::stage_limits(&state.pool, staff.district.as_str()).await?;
    Ok(WAITING_STAGES
        .iter()
        .filter_map(|&s| limits.get(s).map(|(limit, is_default)| StageLimit { state: s, limit, is_default }))
        .collect())
}

/// Set how long the stage waiting in `stage` may take in the caller's district.
pub async fn set_stage_limit(
    state: &AppState,
    writer: Writer,
    staff: &Staff,
    stage: &str,
    limit: TimeLimit,
) -> ApiResult<StageLimit> {
    let stage: CaseState = stage.parse().ok().filter(|s| WAITING_STAGES.contains(s)).ok_or_else(|| {
        let stages: Vec<&str> = WAITING_STAGES.iter().map(|s| s.as_str()).collect();
        ApiError::unprocessable(
            ErrorCode::NoStage,
            format!("cases do not wait in {stage:?} for a stage limit; the stages are {}", stages.join(", ")),
        )
    })?;
    check_limit(&limit)?;
    let mut w = writer.begin(state).await?;
    store::set_stage_limit(w.conn(), staff.district.as_str(), stage, limit).await?;
    let set = StageLimit { state: stage, limit, is_default: false };
    w.finish(StatusCode::OK, &set, Touches::Catalogue).await?;
    Ok(set)
}
