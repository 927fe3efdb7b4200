//! A year of generated cases for the demo district (labelled generated): realistic categories, channels, places
//! (buildings of the district) and timings, each driven through the real workflow table step by step with its
//! deadline clock, so every state appears and the desk, the case pages and the density maps have something to show.

use std::collections::HashMap;

use anyhow::{Context, Result};
use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::PgPool;
use wangge_domain::access::Role;
use wangge_domain::case::clock::StageLimits;
use wangge_domain::case::clock::{china, Clock, WorkCalendar, YELLOW_AT};
use wangge_domain::case::number::case_number;
use wangge_domain::case::workflow::{apply, Actor, CaseAction, Flow, Pending};
use wangge_domain::case::{CaseState, Channel, TimeLimit};

use crate::store::cases::{self as store, Change, NewCaseRow, TrailRow};
use crate::store::catalogue;

/// A place a case can be reported at: a building's point and the areas it lies in.
#[derive(sqlx::FromRow)]
struct Spot {
    lon: f64,
    lat: f64,
    street: String,
    community: String,
    grid: Option<String>,
}

/// A category to draw from, with its weight.
struct Pick {
    code: String,
    limit: TimeLimit,
    self_resolvable: bool,
    department: Option<i64>,
}

const CHANNELS: [(Channel, u32); 6] = [
    (Channel::Patrol, 55),
    (Channel::Hotline, 20),
    (Channel::Public, 10),
    (Channel::Camera, 8),
    (Channel::Leader, 4),
    (Channel::Department, 3),
];

fn weighted<T: Copy>(rng: &mut StdRng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|i| i.1).sum();
    let mut x = rng.gen_range(0..total);
    for (item, w) in items {
        if x < *w {
            return *item;
        }
        x -= w;
    }
    items[0].0
}

fn person(role: Role, district_wide: bool) -> Actor {
    Actor { role, district_wide, case_department: role == Role::DepartmentHandler, handled_it: false }
}

/// Hours of a random delay with mean `mean`.
fn delay(rng: &mut StdRng, mean_hours: f64) -> Duration {
    let u: f64 = rng.gen_range(0.0001..1.0);
    Duration::seconds((-u.ln() * mean_hours * 3600.0) as i64)
}

/// Generate `count` cases in `district` over the year before now. Returns how many were stored. Needs the
/// catalogue, the departments and a published plan; does nothing if the district already has cases.
pub async fn generate_cases(pool: &PgPool, district: &str, count: usize, calendar: &WorkCalendar) -> Result<u64> {
    let existing: i64 = sqlx::query_scalar("SELECT count(*) FROM cases WHERE district_code = $1")
        .bind(district)
        .fetch_one(pool)
        .await?;
    if existing > 0 {
        return Ok(0);
    }
    let spots: Vec<Spot> = sqlx::query_as(
        "SELECT ST_X(p) AS lon, ST_Y(p) AS lat, c.street_code AS street, b.community_code AS community,
                (SELECT g.code FROM grid g JOIN plan pl ON pl.id = g.plan_id AND pl.district_code = g.district_code
                 WHERE pl.community_code = b.community_code AND pl.status = 'published' AND pl.valid_to IS NULL
                   AND g.kind = 'natural' AND ST_Contains(g.geom, p) LIMIT 1) AS grid
         FROM (SELECT ST_PointOnSurface(footprint) AS p, community_code, district_code FROM building
               WHERE district_code = $1 AND community_code IS NOT NULL) b
         JOIN community c ON c.code = b.community_code AND c.district_code = b.district_code",
    )
    .bind(district)
    .fetch_all(pool)
    .await?;
    anyhow::ensure!(!spots.is_empty(), "district {district} has no buildings to place cases at");
    let departments: HashMap<String, i64> =
        catalogue::departments(pool, district).await?.into_iter().map(|d| (d.name, d.id)).collect();
    let categories = catalogue::categories(pool).await?;
    anyhow::ensure!(!categories.is_empty(), "no case categories: import the catalogue first");
    // Street-level matters are most of a street center's day; component faults and disputes follow.
    let picks: Vec<(usize, u32)> = categories
        .iter()
        .enumerate()
        .filter(|(_, c)| c.enabled)
        .map(|(i, c)| {
            let w = match c.major_code.as_str() {
                "E06" | "E09" => 12,
                "E03" | "E07" | "E08" => 6,
                m if m.starts_with('G') => 5,
                m if m.starts_with('E') => 2,
                _ => 1,
            };
            (i, w)
        })
        .collect();
    let picks: Vec<(Pick, u32)> = picks
        .into_iter()
        .map(|(i, w)| {
            let c = &categories[i];
            let department = c.default_department.as_ref().and_then(|d| departments.get(d)).copied();
            (Pick { code: c.code.clone(), limit: c.limit, self_resolvable: c.self_resolvable, department }, w)
        })
        .collect();
    let weights: Vec<(usize, u32)> = picks.iter().enumerate().map(|(i, (_, w))| (i, *w)).collect();
    let mut rng = StdRng::seed_from_u64(2026);
    let now = Utc::now();
    crate::db::months::prepare(pool, now - Duration::days(366), now).await?;
    let mut tx = pool.begin().await?;
    let mut stored = 0;
    for _ in 0..count {
        let pick = &picks[weighted(&mut rng, &weights)].0;
        let spot = &spots[rng.gen_range(0..spots.len())];
        // More cases recently than a year ago (the system is being used more), none in the future.
        let age_days = 365.0 * rng.gen_range(0.0f64..1.0).powf(1.3);
        let reported_at = now - Duration::seconds((age_days * 86_400.0) as i64);
        let channel = weighted(&mut rng, &CHANNELS);
        stored += drive(&mut tx, &mut rng, district, spot, pick, channel, reported_at, now, calendar).await? as u64;
    }
    tx.commit().await?;
    Ok(stored)
}

/// Store one case and drive it along a typical path until the path ends or its next step would be in the future.
#[allow(clippy::too_many_arguments)]
async fn drive(
    tx: &mut sqlx::PgConnection,
    rng: &mut StdRng,
    district: &str,
    spot: &Spot,
    pick: &Pick,
    channel: Channel,
    reported_at: DateTime<Utc>,
    now: DateTime<Utc>,
    calendar: &WorkCalendar,
) -> Result<bool> {
    let day = reported_at.with_timezone(&china()).date_naive();
    let serial = store::take_serials(tx, district, day, 1).await?;
    let number = case_number(district, day, serial as u32);
    let mut flow = Flow::reported(pick.self_resolvable);
    let mut clock = Clock::start(reported_at, pick.limit, calendar);
    let reporter = if channel == Channel::Patrol { "worker1" } else { "street" };
    let row = NewCaseRow {
        number: &number,
        district,
        areas: [Some(&spot.street), Some(&spot.community), spot.grid.as_deref(), None],
        special_grids: &[],
        category: &pick.code,
        channel,
        flow,
        urgent: false,
        description: "（生成的演示数据）巡查发现的问题",
        address: None,
        lon: spot.lon,
        lat: spot.lat,
        reporter,
        reporter_contact: None,
        clock: &clock,
        warn_due: (None, None),
        stage_due: None,
        reported_at,
        closed_at: None,
        request: None,
        generated: true,
        service: None,
        client: None,
    };
    let id = store::insert(tx, &[row]).await.context("generated case")?[0];
    let trail = |at, action: &'static str, from, to, actor: &'static str, role: Role| TrailRow {
        case_id: id,
        at,
        actor,
        role: Some(role.as_str()),
        department: (role == Role::DepartmentHandler).then_some("城管"),
        action,
        from_state: from,
        to_state: to,
        opinion: None,
        photo_ids: &[],
        used_seconds: None,
        overdue: false,
    };
    store::add_trail(tx, &[trail(reported_at, "report", None, CaseState::Reported, reporter, Role::GridWorker)])
        .await?;
    // The path: (action, who, mean delay in hours, or the share of the time limit the step takes).
    let street = (person(Role::StreetOperator, false), "street");
    let center = (person(Role::StreetOperator, true), "center");
    let dept = (person(Role::DepartmentHandler, false), "dept");
    let worker = (person(Role::GridWorker, false), "worker1");
    let mut path: Vec<(CaseAction, (Actor, &'static str), f64)> = Vec::new();
    if pick.self_resolvable && rng.gen_bool(0.3) {
        path.extend([(CaseAction::SelfResolve, worker, 1.0), (CaseAction::ReviewPass, street, 8.0)]);
    } else if rng.gen_bool(0.05) {
        path.extend([(CaseAction::Reject, street, 2.0)]);
    } else {
        path.extend([(CaseAction::Accept, street, 1.5), (CaseAction::File, street, 1.0)]);
        if rng.gen_bool(0.1) {
            path.extend([(CaseAction::Escalate, street, 2.0), (CaseAction::Dispatch, center, 3.0)]);
        } else {
            path.push((CaseAction::Dispatch, street, 1.0));
        }
        if rng.gen_bool(0.06) {
            path.extend([(CaseAction::Return, dept, 4.0), (CaseAction::Dispatch, street, 2.0)]);
        }
        if rng.gen_bool(0.04) {
            path.extend([(CaseAction::RequestSuspension, dept, 8.0), (CaseAction::ApproveRequest, street, 4.0)]);
            path.push((CaseAction::Resume, street, 24.0 * 10.0));
        }
        path.push((CaseAction::Handle, dept, -1.0));
        if rng.gen_bool(0.12) {
            path.extend([(CaseAction::VerifyFail, worker, 6.0), (CaseAction::Handle, dept, -0.5)]);
        }
        path.push((CaseAction::VerifyPass, worker, 6.0));
    }
    if rng.gen_bool(0.02) {
        let at = rng.gen_range(0..path.len());
        path.truncate(at);
        path.extend([(CaseAction::RequestVoid, street, 4.0), (CaseAction::ApproveRequest, center, 8.0)]);
    }
    let mut at = reported_at;
    let mut last_department = None;
    for (action, (actor, name), mean) in path {
        // A negative mean is a share of the time limit: handling takes 20 % to 140 % of it.
        let step = if mean < 0.0 {
            let budget = clock.budget as f64 * -mean * rng.gen_range(0.2..1.4);
            Duration::seconds(
                (budget * if clock.measure == wangge_domain::case::clock::Measure::Working { 3.2 } else { 1.0 }) as i64,
            )
        } else {
            delay(rng, mean)
        };
        let next_at = at + step;
        if next_at > now {
            break;
        }
        let Ok(next) = apply(&flow, &actor, action) else {
            break;
        };
        match action {
            CaseAction::ApproveRequest if flow.pending == Some(Pending::Suspension) => clock.pause(next_at),
            CaseAction::Resume => clock.resume(next_at),
            CaseAction::Dispatch => last_department = pick.department,
            CaseAction::Return => last_department = None,
            _ => {}
        }
        store::add_trail(tx, &[trail(next_at, action.as_str(), Some(flow.state), next.state, name, actor.role)])
            .await?;
        flow = next;
        at = next_at;
    }
    let finished = flow.state.is_terminal();
    let change = Change {
        flow,
        clock: &clock,
        warn_due: if finished || clock.is_paused() {
            (None, None)
        } else {
            (clock.reaches(YELLOW_AT, now, calendar), clock.reaches(1.0, now, calendar))
        },
        departments: Some((last_department, Vec::new())),
        pending_limit: None,
        handled_by: None,
        merged_into: None,
        closed_at: finished.then_some(at),
        stage_due: Some(StageLimits::default().due(flow.state, at, calendar)),
    };
    store::update(tx, id, &change).await?;
    Ok(true)
}
