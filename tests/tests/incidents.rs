//! The in-memory incident store against the database it mirrors, on a real PostGIS: the desk's counts and pages
//! from memory equal the same query in SQL for every kind of filter and seer; a case written by another process is
//! caught up; a report through the API is on the desk at once.

use chrono::{Duration, Utc};
use serde_json::json;
use wangge_api::cases::CaseList;
use wangge_domain::access::{Role, Scope};
use wangge_domain::case::{CaseState, Channel, Light};
use wangge_server::import::demo_cases::generate_cases;
use wangge_server::incidents::desk;
use wangge_server::store::cases::{list, Filter, Seer};
use wangge_tests::TestApp;

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
            let sql: CaseList = list(&app.pool, seer, f).await.unwrap();
            let memory = desk::answer(&app.state.incidents.read(), seer, f, Utc::now().timestamp_micros());
            let what = format!("{seer:?} {f:?}");
            assert_eq!(memory.total, sql.total, "total of {what}");
            assert_eq!(sorted(&memory.by_state), sorted(&sql.by_state), "by state of {what}");
            assert_eq!(sorted(&memory.by_light), sorted(&sql.by_light), "by light of {what}");
            assert_eq!(memory.ids, sql.cases.iter().map(|c| c.id).collect::<Vec<_>>(), "page of {what}");
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
