//! The API contract: answers and refusals of the real server parse as the `wangge-api` types the web app reads them
//! with, so a change on one side that the other does not share fails here rather than in a planner's browser.

use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use wangge_api::accounts::Account;
use wangge_api::areas::{Community, District, Street};
use wangge_api::error::{ErrorBody, ErrorCode};
use wangge_api::plans::{Draft, NotPublishable, Published};
use wangge_domain::access::{Role, Scope};
use wangge_domain::plan::{PlanStatus, Problem};
use wangge_tests::TestApp;

const COMMUNITY: &str = "990101001001";

fn typed<T: DeserializeOwned>(what: &str, v: Value) -> T {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{what} does not parse as its API type: {e}\n{v}"))
}

#[tokio::test]
async fn plan_answers_and_refusals_parse_as_the_shared_types() {
    let app = TestApp::spawn_with_demo().await;
    let (in_force, mut grids) = app.plan_in_force(COMMUNITY).await;
    let (s, body) = app
        .post(&format!("/api/communities/{COMMUNITY}/plans"), &json!({ "grids": grids, "based_on": in_force }))
        .await;
    assert_eq!(s, 201, "{body}");
    let draft: Draft = typed("a new draft", body);
    assert_eq!(draft.plan.status, PlanStatus::Draft);
    assert_eq!(draft.plan.based_on, Some(in_force));
    assert!(draft.report.problems.is_empty());

    // Leave a block out: publishing is refused with the typed code and the typed problems.
    let dropped = grids[0]["blocks"].as_array_mut().unwrap().pop().unwrap().as_i64().unwrap();
    let body = json!({ "grids": grids, "based_on": in_force, "revision": draft.plan.revision });
    let (s, saved) = app.put(&format!("/api/plans/{}", draft.plan.id), &body).await;
    assert_eq!(s, 200, "{saved}");
    let saved: Draft = typed("a saved draft", saved);
    assert_eq!(saved.plan.revision, draft.plan.revision + 1);
    let (s, refusal) = app.post(&format!("/api/plans/{}/publish", draft.plan.id), &json!({})).await;
    assert_eq!(s, 422, "{refusal}");
    let error: ErrorBody = typed("a refusal", refusal.clone());
    assert_eq!(error.error, ErrorCode::PlanNotPublishable);
    let details: NotPublishable = typed("its details", refusal["details"].clone());
    assert!(
        details.problems.iter().any(|p| matches!(p, Problem::Unassigned { blocks } if blocks.contains(&dropped))),
        "{:?}",
        details.problems
    );

    // A stale save is refused with its own code.
    let (s, stale) = app.put(&format!("/api/plans/{}", draft.plan.id), &body).await;
    assert_eq!(s, 409);
    assert_eq!(typed::<ErrorBody>("a stale save", stale).error, ErrorCode::StaleRevision);

    // Put the block back and publish.
    grids[0]["blocks"].as_array_mut().unwrap().push(json!(dropped));
    let body = json!({ "grids": grids, "based_on": in_force, "revision": saved.plan.revision });
    assert_eq!(app.put(&format!("/api/plans/{}", draft.plan.id), &body).await.0, 200);
    let (s, published) = app.post(&format!("/api/plans/{}/publish", draft.plan.id), &json!({})).await;
    assert_eq!(s, 200, "{published}");
    let published: Published = typed("a publication", published);
    assert_eq!(published.plan.status, PlanStatus::Published);
    assert!(published.plan.valid_from.is_some());
}

#[tokio::test]
async fn hierarchy_and_account_answers_parse_as_the_shared_types() {
    let app = TestApp::spawn_with_demo().await;
    let (s, body) = app.get("/api/districts").await;
    assert_eq!(s, 200);
    let districts: Vec<District> = typed("the districts", body);
    let demo = districts.iter().find(|d| d.code == COMMUNITY[..6]).expect("the demo district");
    assert!(demo.generated && demo.bbox.is_some());

    let admin = app.sign_in_as("admin", Role::DistrictAdmin, Scope::District(COMMUNITY[..6].parse().unwrap())).await;
    let (s, body) = admin.get(&format!("/api/districts/{}/streets", &COMMUNITY[..6])).await;
    assert_eq!(s, 200, "{body}");
    let streets: Vec<Street> = typed("the streets", body);
    assert!(streets.iter().any(|st| st.code == COMMUNITY[..9]));
    let (s, body) = admin.get(&format!("/api/streets/{}/communities", &COMMUNITY[..9])).await;
    assert_eq!(s, 200, "{body}");
    let communities: Vec<Community> = typed("the communities", body);
    let c = communities.iter().find(|c| c.code == COMMUNITY).expect("the demo community");
    assert!(c.blocks > 0 && c.households > 0);

    let new = json!({ "username": "worker-7", "display_name": "王五", "role": "grid_worker",
                      "scope": { "community": COMMUNITY }, "password": "a long enough passphrase 7" });
    let (s, body) = admin.post("/api/accounts", &new).await;
    assert_eq!(s, 201, "{body}");
    let created: Account = typed("a new account", body);
    assert_eq!(created.role, Role::GridWorker);
    assert_eq!(created.scope, Scope::Community(COMMUNITY.parse().unwrap()));
    let (s, body) = admin.put(&format!("/api/accounts/{}", created.id), &json!({ "disabled": true })).await;
    assert_eq!(s, 200, "{body}");
    assert!(typed::<Account>("a changed account", body).disabled);
    let (s, body) = admin.get("/api/accounts").await;
    assert_eq!(s, 200);
    let all: Vec<Account> = typed("the accounts", body);
    assert!(all.iter().any(|a| a.username == "worker-7" && a.disabled));
    let (s, refusal) = admin.put(&format!("/api/accounts/{}", created.id), &json!({ "role": "mayor" })).await;
    assert_eq!(s, 422);
    assert_eq!(typed::<ErrorBody>("a bad role", refusal).error, ErrorCode::BadRole);
}

#[tokio::test]
async fn map_answers_parse_as_the_shared_types() {
    let app = TestApp::spawn_with_demo().await;
    let (s, hits) = app.public().get("/api/search?q=990101001001").await;
    assert_eq!(s, 200);
    let hits: Vec<wangge_api::grids::SearchHit> = typed("search hits", hits);
    let grid = hits.iter().find(|h| h.kind == wangge_api::grids::HitKind::Grid).expect("a grid hit");
    let (_, located) = app.public().get(&format!("/api/locate?lon={}&lat={}", grid.lon, grid.lat)).await;
    let id = located["located"]["natural_grid"]["id"].as_i64().or(located["located"]["dedicated_grid"]["id"].as_i64());
    let id = id.expect("located to a grid");
    let (s, card) = app.public().get(&format!("/api/grids/{id}")).await;
    assert_eq!(s, 200);
    let card: wangge_api::grids::GridCard = typed("a grid card", card);
    assert!(card.code.starts_with(COMMUNITY) && card.bbox.is_some());
    let (s, stats) = app.get(&format!("/api/grids/{id}/stats")).await;
    assert_eq!(s, 200, "{stats}");
    let stats: wangge_api::grids::GridStats = typed("grid statistics", stats);
    assert_eq!((stats.id, stats.plan_status), (id, PlanStatus::Published));
}
