//! The case catalogue in SQL: categories, departments, dispatch rules and the official calendar.

use chrono::NaiveDate;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use wangge_api::cases::{Category, CategoryEdit, Department, DispatchRule};
use wangge_domain::case::clock::StageLimits;
use wangge_domain::case::{CaseState, TimeLimit};
use wangge_gis_data::catalogue::{CalendarDay, CategorySeed, PublicServiceSeed};

use super::{typed, Result};

const CATEGORY_JSON: &str = "json_build_object('code', c.code, 'catalogue', c.catalogue, 'major_code', c.major_code,
    'major_name', c.major_name, 'name', c.name, 'sort', c.sort, 'enabled', c.enabled,
    'limit', json_build_object('amount', c.limit_amount, 'unit', c.limit_unit), 'limit_is_default', c.limit_is_default,
    'urgent', c.urgent, 'default_department', c.default_department, 'self_resolvable', c.self_resolvable,
    'filing_condition', c.filing_condition, 'closing_condition', c.closing_condition, 'sensitive', c.sensitive)";

/// Store the default catalogue; categories already present keep what a district made of them. Returns how many
/// were new.
pub async fn seed_categories(pool: &PgPool, seeds: &[CategorySeed]) -> Result<u64> {
    let mut tx = pool.begin().await?;
    let mut added = 0;
    for s in seeds {
        added += sqlx::query(
            "INSERT INTO category (code, catalogue, major_code, major_name, name, sort, limit_amount, limit_unit,
                 urgent, default_department, self_resolvable, sensitive)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (code) DO NOTHING",
        )
        .bind(&s.code)
        .bind(s.catalogue.as_str())
        .bind(&s.major_code)
        .bind(&s.major_name)
        .bind(&s.name)
        .bind(s.sort)
        .bind(s.defaults.limit.amount as i32)
        .bind(s.defaults.limit.unit.as_str())
        .bind(s.defaults.urgent)
        .bind(s.defaults.department)
        .bind(s.defaults.self_resolvable)
        .bind(s.catalogue.sensitive_by_default())
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    tx.commit().await?;
    Ok(added)
}

/// Add the public services of `seeds` that are not there yet (in their order); returns how many were new.
pub async fn seed_public_services(pool: &PgPool, seeds: &[PublicServiceSeed]) -> Result<u64> {
    let mut tx = pool.begin().await?;
    let mut added = 0;
    for (i, s) in seeds.iter().enumerate() {
        added += sqlx::query(
            "INSERT INTO public_service (code, category_code, name, name_en, keywords, sort)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO NOTHING",
        )
        .bind(s.code)
        .bind(s.category)
        .bind(s.name)
        .bind(s.name_en)
        .bind(s.keywords)
        .bind(i as i32 + 1)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    tx.commit().await?;
    Ok(added)
}

/// Store the official calendar days (replacing any of the same date). Returns how many.
pub async fn store_calendar(pool: &PgPool, days: &[CalendarDay]) -> Result<u64> {
    let mut tx = pool.begin().await?;
    for d in days {
        sqlx::query(
            "INSERT INTO holiday (day, kind, name) VALUES ($1::date, $2, $3)
             ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name",
        )
        .bind(&d.date)
        .bind(&d.kind)
        .bind(&d.name)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(days.len() as u64)
}

/// The official calendar: (days off, weekend days worked).
pub async fn calendar_days(pool: &PgPool) -> Result<(Vec<NaiveDate>, Vec<NaiveDate>)> {
    let rows: Vec<(NaiveDate, String)> =
        sqlx::query_as("SELECT day, kind FROM holiday ORDER BY day").fetch_all(pool).await?;
    let (off, on): (Vec<_>, Vec<_>) = rows.into_iter().partition(|(_, k)| k == "holiday");
    Ok((off.into_iter().map(|r| r.0).collect(), on.into_iter().map(|r| r.0).collect()))
}

/// Every category, in catalogue order.
pub async fn categories(pool: &PgPool) -> Result<Vec<Category>> {
    Ok(typed(
        sqlx::query_scalar(&format!("SELECT {CATEGORY_JSON} FROM category c ORDER BY c.sort, c.code"))
            .fetch_all(pool)
            .await?,
    ))
}

/// One category.
pub async fn category<'e>(db: impl sqlx::PgExecutor<'e>, code: &str) -> Result<Option<Category>> {
    Ok(categories_of(db, &[code.to_owned()]).await?.pop())
}

/// The categories of `codes` that exist.
pub async fn categories_of<'e>(db: impl sqlx::PgExecutor<'e>, codes: &[String]) -> Result<Vec<Category>> {
    let rows: Vec<Json<Category>> =
        sqlx::query_scalar(&format!("SELECT {CATEGORY_JSON} FROM category c WHERE c.code = ANY($1)"))
            .bind(codes)
            .fetch_all(db)
            .await?;
    Ok(typed(rows))
}

/// Change a category; `None` when it does not exist.
pub async fn update_category(conn: &mut PgConnection, code: &str, e: &CategoryEdit) -> Result<Option<Category>> {
    let limit: Option<TimeLimit> = e.limit;
    let row: Option<Json<Category>> = sqlx::query_scalar(&format!(
        "UPDATE category c SET name = coalesce($2, name), enabled = coalesce($3, enabled), sort = coalesce($4, sort),
            limit_amount = coalesce($5, limit_amount), limit_unit = coalesce($6, limit_unit),
            limit_is_default = limit_is_default AND $5 IS NULL,
            urgent = coalesce($7, urgent), default_department = coalesce($8, default_department),
            self_resolvable = coalesce($9, self_resolvable), filing_condition = coalesce($10, filing_condition),
            closing_condition = coalesce($11, closing_condition), sensitive = coalesce($12, sensitive)
         WHERE code = $1 RETURNING {CATEGORY_JSON}"
    ))
    .bind(code)
    .bind(&e.name)
    .bind(e.enabled)
    .bind(e.sort)
    .bind(limit.map(|l| l.amount as i32))
    .bind(limit.map(|l| l.unit.as_str()))
    .bind(e.urgent)
    .bind(&e.default_department)
    .bind(e.self_resolvable)
    .bind(&e.filing_condition)
    .bind(&e.closing_condition)
    .bind(e.sensitive)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|j| j.0))
}

/// Add a local category under major class `major_code` (named `major_name`); its code is `L` + a serial.
pub async fn add_category(
    conn: &mut PgConnection,
    major_code: &str,
    major_name: &str,
    name: &str,
    limit: TimeLimit,
) -> Result<Category> {
    let Json(c) = sqlx::query_scalar(&format!(
        "INSERT INTO category (code, catalogue, major_code, major_name, name, sort, limit_amount, limit_unit,
             limit_is_default)
         SELECT 'L' || lpad((count(*) + 1)::text, 5, '0'), 'local', $1, $2, $3,
                coalesce((SELECT max(sort) + 1 FROM category), 0), $4, $5, false
         FROM category WHERE catalogue = 'local'
         RETURNING {}",
        CATEGORY_JSON.replace("c.", "category.")
    ))
    .bind(major_code)
    .bind(major_name)
    .bind(name)
    .bind(limit.amount as i32)
    .bind(limit.unit.as_str())
    .fetch_one(conn)
    .await?;
    Ok(c)
}

/// The departments of `district`, with their open cases.
pub async fn departments(pool: &PgPool, district: &str) -> Result<Vec<Department>> {
    Ok(typed(
        sqlx::query_scalar(
            "SELECT json_build_object('id', d.id, 'district_code', d.district_code, 'name', d.name,
                 'open_cases', (SELECT count(*) FROM cases c WHERE c.department_id = d.id
                                AND c.state IN ('dispatched', 'handled', 'suspended')))
             FROM department d WHERE d.district_code = $1 ORDER BY d.id",
        )
        .bind(district)
        .fetch_all(pool)
        .await?,
    ))
}

/// Add departments to `district` (existing names are kept). Returns how many were new.
pub async fn add_departments(conn: &mut PgConnection, district: &str, names: &[&str]) -> Result<u64> {
    Ok(sqlx::query("INSERT INTO department (district_code, name) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING")
        .bind(district)
        .bind(names)
        .execute(conn)
        .await?
        .rows_affected())
}

/// The id of department `name` of `district`.
pub async fn department_id<'e>(db: impl sqlx::PgExecutor<'e>, district: &str, name: &str) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT id FROM department WHERE district_code = $1 AND name = $2")
        .bind(district)
        .bind(name)
        .fetch_optional(db)
        .await?)
}

/// The dispatch rules of `district`.
pub async fn rules(pool: &PgPool, district: &str) -> Result<Vec<DispatchRule>> {
    Ok(typed(
        sqlx::query_scalar(
            "SELECT json_build_object('id', r.id, 'district_code', r.district_code, 'category', r.category_code,
                 'area_code', r.area_code, 'special_grid_id', r.special_grid_id, 'department', d.name)
             FROM dispatch_rule r JOIN department d ON d.id = r.department_id
             WHERE r.district_code = $1 ORDER BY r.id",
        )
        .bind(district)
        .fetch_all(pool)
        .await?,
    ))
}

/// Store a rule whose department is `department_id`; returns its id.
pub async fn add_rule(conn: &mut PgConnection, r: &DispatchRule, department_id: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO dispatch_rule (district_code, category_code, area_code, special_grid_id, department_id)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(&r.district_code)
    .bind(&r.category)
    .bind(&r.area_code)
    .bind(r.special_grid_id)
    .bind(department_id)
    .fetch_one(conn)
    .await?)
}

/// The department a case of `category` at a place (street, community, special grids) goes to: the most specific
/// rule (special grid, then community, then street, then the whole district; a rule naming the category before a
/// rule for any category), else the category's default department.
pub async fn dispatch_target(
    conn: &mut PgConnection,
    district: &str,
    category: &str,
    areas: &[&str],
    special_grids: &[i64],
) -> Result<Option<(i64, String)>> {
    let ruled: Option<(i64, String)> = sqlx::query_as(
        "SELECT d.id, d.name FROM dispatch_rule r JOIN department d ON d.id = r.department_id
         WHERE r.district_code = $1 AND (r.category_code IS NULL OR r.category_code = $2)
           AND (r.special_grid_id = ANY($4) OR r.area_code = ANY($3)
                OR (r.area_code IS NULL AND r.special_grid_id IS NULL))
         ORDER BY (r.special_grid_id IS NOT NULL) DESC, length(coalesce(r.area_code, '')) DESC,
                  (r.category_code IS NOT NULL) DESC, r.id
         LIMIT 1",
    )
    .bind(district)
    .bind(category)
    .bind(areas)
    .bind(special_grids)
    .fetch_optional(&mut *conn)
    .await?;
    if ruled.is_some() {
        return Ok(ruled);
    }
    Ok(sqlx::query_as(
        "SELECT d.id, d.name FROM category c JOIN department d ON d.name = c.default_department AND d.district_code = $1
         WHERE c.code = $2",
    )
    .bind(district)
    .bind(category)
    .fetch_optional(&mut *conn)
    .await?)
}

/// The stage limits a district set itself.
pub async fn stage_limits<'e>(db: impl sqlx::PgExecutor<'e>, district: &str) -> Result<StageLimits> {
    let rows: Vec<(String, i32, String)> =
        sqlx::query_as("SELECT state, amount, unit FROM stage_limit WHERE district_code = $1")
            .bind(district)
            .fetch_all(db)
            .await?;
    Ok(StageLimits::new(rows.into_iter().filter_map(|(state, amount, unit)| {
        Some((state.parse().ok()?, TimeLimit { amount: amount as u32, unit: unit.parse().ok()? }))
    })))
}

/// Set the limit of the stage waiting in `state` for `district`.
pub async fn set_stage_limit(
    conn: &mut PgConnection,
    district: &str,
    state: CaseState,
    limit: TimeLimit,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO stage_limit (district_code, state, amount, unit) VALUES ($1, $2, $3, $4)
         ON CONFLICT (district_code, state) DO UPDATE SET amount = excluded.amount, unit = excluded.unit",
    )
    .bind(district)
    .bind(state.as_str())
    .bind(limit.amount as i32)
    .bind(limit.unit.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

/// (code, name) of the major classes `codes`.
pub async fn major_names(pool: &PgPool, codes: &[String]) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query_as("SELECT DISTINCT major_code, major_name FROM category WHERE major_code = ANY($1)")
        .bind(codes)
        .fetch_all(pool)
        .await?)
}
