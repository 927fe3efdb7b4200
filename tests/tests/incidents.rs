//! The in-memory incident store against the database it mirrors, on a real PostGIS: the desk's counts and pages
//! from memory equal the same query in SQL for every kind of filter and seer; a case written by another process is
//! caught up; a report through the API is on the desk at once.

use chrono::{Duration, Utc};
use serde_json::json;
use sqlx::PgPool;
use wangge_api::cases::CaseList;
use wangge_domain::access::{Role, Scope};
use wangge_domain::case::{CaseState, Channel, Light};
use wangge_server::import::demo_cases::generate_cases;
use wangge_server::incidents::desk;
use wangge_server::store::cases::{text_matches, Filter, Seer};
use wangge_tests::TestApp;

/// The desk as one SQL query per figure: the oracle the in-memory answer is held to.
struct SqlDesk {
    total: i64,
    by_state: Vec<(CaseState, i64)>,
    by_light: Vec<(Light, i64)>,
    ids: Vec<i64>,
}

/// The desk's figures for `seer` with `f`, straight from the cases table.
async fn sql_desk(pool: &PgPool, seer: &Seer, f: &Filter) -> SqlDesk {
    let (prefixes, department) = match seer {
        Seer::Areas(p) => (Some(p.clone()), None),
        Seer::Department(d) => (None, Some(d.unwrap_or(-1))),
    };
    let states: Vec<&str> = f.states.iter().map(|s| s.as_str()).collect();
    let light = f.light.map(Light::as_str);
    let text = f.text.as_ref().map(|t| format!("%{}%", t.replace(['%', '_'], "")));
    // $1 prefixes, $2 department, $3 category, $4 area, $5 channel, $6 from, $7 to, $8 supervised, $9 text.
    // Codes nest, so a scope prefix is the whole code of a district, street, community or grid: equality keeps
    // every condition usable by an index.
    let base = "WHERE ($1::text[] IS NULL OR c.district_code = ANY($1) OR c.street_code = ANY($1)
                    OR c.community_code = ANY($1) OR c.grid_code = ANY($1))
          AND ($2::bigint IS NULL OR c.department_id = $2 OR $2 = ANY(c.co_department_ids))
          AND ($3::text IS NULL OR c.category_code = $3 OR k.major_code = $3)
          AND ($4::text IS NULL OR c.street_code = $4 OR c.community_code = $4 OR c.grid_code = $4)
          AND ($5::text IS NULL OR c.channel = $5)
          AND ($6::timestamptz IS NULL OR c.reported_at >= $6)
          AND ($7::timestamptz IS NULL OR c.reported_at < $7)
          AND (NOT $8 OR c.supervised)
          AND ($9::text IS NULL OR (c.number || ' ' || c.description || ' ' || coalesce(c.address, '')) LIKE $9)";
    let open = "AND c.state NOT IN ('closed', 'rejected', 'voided', 'merged')";
    let light_sql = "CASE WHEN c.due_at IS NULL THEN NULL WHEN c.due_at <= now() THEN 'red'
                          WHEN c.warn_at <= now() THEN 'yellow' ELSE 'green' END";
    macro_rules! bind_base {
        ($q:expr) => {
            $q.bind(&prefixes)
                .bind(department)
                .bind(&f.category)
                .bind(&f.area)
                .bind(f.channel.map(Channel::as_str))
                .bind(f.from)
                .bind(f.to)
                .bind(f.supervised)
                .bind(&text)
        };
    }
    let by_state: Vec<(String, i64)> =
        bind_base!(sqlx::query_as(&format!("SELECT c.state, count(*) FROM cases c JOIN category k ON k.code = c.category_code LEFT JOIN department d ON d.id = c.department_id {base} {open} GROUP BY c.state")))
            .fetch_all(pool)
            .await
    .unwrap();
    let by_light: Vec<(String, i64)> = bind_base!(sqlx::query_as(&format!(
        "SELECT l, count(*) FROM (SELECT {light_sql} AS l FROM cases c JOIN category k ON k.code = c.category_code LEFT JOIN department d ON d.id = c.department_id {base} {open}
           AND ($10::text[] = '{{}}' OR c.state = ANY($10))) x WHERE l IS NOT NULL GROUP BY l"
    )))
    .bind(&states)
    .fetch_all(pool)
    .await
    .unwrap();
    let page_filter =
        "AND ($10::text[] = '{}' OR c.state = ANY($10)) AND ($11::text IS NULL OR ".to_owned() + light_sql + " = $11)";
    let total: i64 = bind_base!(sqlx::query_scalar(&format!(
        "SELECT count(*) FROM (SELECT 1 FROM cases c JOIN category k ON k.code = c.category_code LEFT JOIN department d ON d.id = c.department_id {base} {page_filter} LIMIT 10001) x"
    )))
    .bind(&states)
    .bind(light)
    .fetch_one(pool)
    .await
    .unwrap();
    let ids: Vec<i64> = bind_base!(sqlx::query_scalar(&format!(
        "SELECT c.id FROM cases c JOIN category k ON k.code = c.category_code LEFT JOIN department d ON d.id = c.department_id {base} {page_filter}
         ORDER BY c.reported_at DESC, c.id DESC LIMIT $12 OFFSET $13"
    )))
    .bind(&states)
    .bind(light)
    .bind(f.limit)
    .bind(f.offset)
    .fetch_all(pool)
    .await
    .unwrap();
    SqlDesk {
        total,
        by_state: by_state.into_iter().filter_map(|(s, n)| Some((s.parse().ok()?, n))).collect(),
        by_light: by_light.into_iter().filter_map(|(s, n)| Some((s.parse().ok()?, n))).collect(),
        ids,
    }
}

fn sorted<T: Ord + Clone>(v: &[T]) -> Vec<T> {
    let mut v = v.to_vec();
    v.sort();
    v
}

#[tokio::test]
async fn the_desk_from_memory_equals_the_desk_in_sql() {
    let app = TestApp::spawn_with_demo().await;
    assert!(app.load_catalogue().await, "the catalogue data is needed");
    let stored = generate_cases(&app.pool, "990101", 1500, &app.state.calendar()).await.unwrap();
    assert!(stored > 1000, "{stored}");
    // Written behind the server's back, as `wangge demo` does: the catch-up sees a different count and reloads.
    assert_eq!(app.state.incidents.catch_up(&app.pool).await.unwrap() as u64, stored);

    let (street, community): (String, String) =
        sqlx::query_as("SELECT street_code, community_code FROM cases GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let (minor, major): (String, String) = sqlx::query_as(
        "SELECT c.category_code, k.major_code FROM cases c JOIN category k ON k.code = c.category_code
         GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let department: i64 = sqlx::query_scalar(
        "SELECT department_id FROM cases WHERE department_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let base = Filter { limit: 50, ..Filter::default() };
    let filters = [
        base.clone(),
        Filter { states: vec![CaseState::Dispatched], ..base.clone() },
        Filter { states: vec![CaseState::Filed, CaseState::Reported], ..base.clone() },
        Filter { light: Some(Light::Red), ..base.clone() },
        Filter { light: Some(Light::Yellow), states: vec![CaseState::Dispatched], ..base.clone() },
        Filter { category: Some(major.clone()), ..base.clone() },
        Filter { category: Some(minor.clone()), ..base.clone() },
        Filter { area: Some(community.clone()), ..base.clone() },
        Filter { channel: Some(Channel::Hotline), ..base.clone() },
        Filter {
            from: Some(Utc::now() - Duration::days(60)),
            to: Some(Utc::now() - Duration::days(10)),
            ..base.clone()
        },
        Filter { supervised: true, ..base.clone() },
        Filter { offset: 20, limit: 10, ..base.clone() },
        Filter { text: Some("演示".into()), states: vec![CaseState::Closed], ..base.clone() },
    ];
    let seers = [
        Seer::Areas(vec!["990101".into()]),
        Seer::Areas(vec![street.clone()]),
        Seer::Areas(vec![community.clone(), "990101999".into()]),
        Seer::Department(Some(department)),
        Seer::Department(None),
    ];
    let mut compared = 0;
    for seer in &seers {
        for f in &filters {
            let sql = sql_desk(&app.pool, seer, f).await;
            let only = match &f.text {
                Some(t) => Some(text_matches(&app.pool, t).await.unwrap().into_iter().collect()),
                None => None,
            };
            let memory =
                desk::answer(&app.state.incidents.read(), seer, f, only.as_ref(), Utc::now().timestamp_micros());
            let what = format!("{seer:?} {f:?}");
            assert_eq!(memory.total, sql.total, "total of {what}");
            assert_eq!(sorted(&memory.by_state), sorted(&sql.by_state), "by state of {what}");
            assert_eq!(sorted(&memory.by_light), sorted(&sql.by_light), "by light of {what}");
            assert_eq!(memory.ids, sql.ids, "page of {what}");
            compared += usize::from(memory.total > 0);
        }
    }
    assert!(compared > 40, "most comparisons must have cases to compare: {compared}");
}

#[tokio::test]
async fn a_report_is_on_the_desk_at_once_and_a_step_moves_its_count() {
    let app = TestApp::spawn_with_demo().await;
    assert!(app.load_catalogue().await, "the catalogue data is needed");
    let worker = app.sign_in_as("worker", Role::GridWorker, Scope::Community("990101001001".parse().unwrap())).await;
    let street = app.sign_in_as("street", Role::StreetOperator, Scope::Street("990101001".parse().unwrap())).await;
    let at = app.interior_point("990101001001").await;
    let (s, body) = worker
        .post(
            "/api/cases",
            &json!({ "category": "E06001", "channel": "patrol", "lon": at.0, "lat": at.1, "description": "占道经营" }),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    let id = body["case"]["id"].as_i64().unwrap();
    let (s, desk) = street.get("/api/cases").await;
    assert_eq!(s, 200, "{desk}");
    let desk: CaseList = serde_json::from_value(desk).unwrap();
    assert_eq!(desk.cases.first().map(|c| c.id), Some(id), "the new report tops the desk");
    let reported = |l: &CaseList, s: CaseState| l.by_state.iter().find(|x| x.0 == s).map_or(0, |x| x.1);
    assert_eq!(reported(&desk, CaseState::Reported), 1);
    let (s, body) = street.post(&format!("/api/cases/{id}/actions"), &json!({ "action": "accept" })).await;
    assert_eq!(s, 200, "{body}");
    let (_, after) = street.get("/api/cases?state=accepted").await;
    let after: CaseList = serde_json::from_value(after).unwrap();
    assert_eq!((reported(&after, CaseState::Reported), reported(&after, CaseState::Accepted)), (0, 1));
    assert_eq!(after.cases.iter().map(|c| c.id).collect::<Vec<_>>(), vec![id]);
}
