//! Cases through the HTTP API on a real PostGIS: the closed loop with its trail, idempotent intake, photos,
//! refusals by state and by person, scope, concurrent dispatch, duplicates, escalation with suspension and
//! extension, the deadline sweep, and the catalogue.

use reqwest::Method;
use serde_json::{json, Value};
use wangge_api::cases::{CaseDetail, CaseList, CaseSummary, Reported};
use wangge_api::error::{ErrorBody, ErrorCode};
use wangge_domain::access::{Role, Scope};
use wangge_domain::case::workflow::CaseAction;
use wangge_domain::case::{CaseState, Light};
use wangge_tests::{form, png, Caller, TestApp, AUDIT_ENTRIES};

const A: &str = "990101001001";
const B: &str = "990101001002";
const CATEGORY: &str = "E06001";

struct Desk {
    app: TestApp,
    worker: Caller,
    street: Caller,
    center: Caller,
    handler: Caller,
    other_handler: Caller,
}

async fn desk() -> Option<Desk> {
    let app = TestApp::spawn_with_demo().await;
    if !app.load_catalogue().await {
        return None;
    }
    let worker = app.sign_in_as("worker", Role::GridWorker, Scope::Community(A.parse().unwrap())).await;
    let street = app.sign_in_as("street", Role::StreetOperator, Scope::Street(A[..9].parse().unwrap())).await;
    let center = app.sign_in_as("center", Role::StreetOperator, Scope::District(A[..6].parse().unwrap())).await;
    let handler = app
        .sign_in_as("handler-cg", Role::DepartmentHandler, Scope::Department("城管".to_owned().try_into().unwrap()))
        .await;
    let other_handler = app
        .sign_in_as("handler-zj", Role::DepartmentHandler, Scope::Department("住建".to_owned().try_into().unwrap()))
        .await;
    Some(Desk { app, worker, street, center, handler, other_handler })
}

fn typed<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{e}: {v}"))
}

async fn report(app: &TestApp, who: &Caller, at: (f64, f64), request_id: &str) -> (u16, Value) {
    let _ = app;
    who.post(
        "/api/cases",
        &json!({ "request_id": request_id, "category": CATEGORY, "channel": "patrol", "lon": at.0, "lat": at.1,
                 "address": "示范路 1 号", "description": "人行道上私搭乱建的棚子\n挡住了通行" }),
    )
    .await
}

async fn act(who: &Caller, id: i64, body: Value) -> (u16, Value) {
    who.post(&format!("/api/cases/{id}/actions"), &body).await
}

async fn upload(who: &Caller, id: i64, stage: &str, bytes: Vec<u8>) -> (u16, Value) {
    let r = who
        .request(Method::POST, &format!("/api/cases/{id}/photos?stage={stage}"))
        .header("content-type", "image/png")
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn counts(app: &TestApp) -> (i64, i64, i64) {
    sqlx::query_as(&format!(
        "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM case_trail), (SELECT count(*) FROM {AUDIT_ENTRIES} e)"
    ))
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_patrol_report_runs_the_closed_loop_with_a_full_trail() {
    let Some(d) = desk().await else { return };
    let at = d.app.interior_point(A).await;
    let (s, body) = report(&d.app, &d.worker, at, "phone-1").await;
    assert_eq!(s, 201, "{body}");
    let reported: Reported = typed(body);
    let case = reported.case;
    assert!(case.number.starts_with("990101-") && case.number.ends_with("-0001"), "{}", case.number);
    assert_eq!((case.state, case.light), (CaseState::Reported, Some(Light::Green)));
    assert_eq!(case.community_code.as_deref(), Some(A));
    assert!(case.grid_code.as_deref().is_some_and(|g| g.starts_with(A)), "located to its grid");
    // A retry of the same report (lost answer on a phone) returns the first case, never a second one.
    let before = counts(&d.app).await;
    let (s, again) = report(&d.app, &d.worker, at, "phone-1").await;
    assert_eq!(s, 200, "{again}");
    assert_eq!(typed::<Reported>(again).case.id, case.id);
    assert_eq!(counts(&d.app).await, before, "a retry writes nothing");
    // A retry of a case this server does not remember (created before a restart, or by another server) is found in
    // the database: its batch fails on the unique request id and the report, written again alone, finds the case.
    sqlx::query(
        "WITH k AS (UPDATE case_key SET request_id = 'phone-1-before-restart' WHERE id = $1)
         UPDATE cases SET request_id = 'phone-1-before-restart' WHERE id = $1",
    )
    .bind(case.id)
    .execute(&d.app.pool)
    .await
    .unwrap();
    let (s, again) = report(&d.app, &d.worker, at, "phone-1-before-restart").await;
    assert_eq!(s, 200, "{again}");
    assert_eq!(typed::<Reported>(again).case.id, case.id);
    assert_eq!(counts(&d.app).await, before, "a retry writes nothing");

    let id = case.id;
    let (s, photo) = upload(&d.worker, id, "report", png(640, 480, 1)).await;
    assert_eq!(s, 201, "{photo}");
    let (s, refused) = upload(&d.worker, id, "report", b"%PDF-1.4 not a photo".to_vec()).await;
    assert_eq!((s, typed::<ErrorBody>(refused).error), (422, ErrorCode::BadPhoto));

    // The stage it waits in has a clock of its own: accepting within 2 working hours.
    let (_, b) = d.street.get(&format!("/api/cases/{id}")).await;
    let stage = typed::<CaseDetail>(b).stage.expect("a stage clock while it waits to be accepted");
    assert_eq!((stage.limit.amount, stage.limit.unit), (2, wangge_domain::case::LimitUnit::WorkingHours));
    for (who, action) in [(&d.street, "accept"), (&d.street, "file"), (&d.street, "dispatch")] {
        let (s, b) = act(who, id, json!({ "action": action })).await;
        assert_eq!(s, 200, "{action}: {b}");
    }
    let (_, b) = d.handler.get(&format!("/api/cases/{id}")).await;
    let detail: CaseDetail = typed(b);
    assert_eq!(detail.summary.state, CaseState::Dispatched);
    assert_eq!(detail.summary.department.as_deref(), Some("城管"), "the category's default department");
    assert!(detail.stage.is_none(), "being handled runs on the whole case's clock");
    assert_eq!(
        detail.actions,
        vec![CaseAction::Return, CaseAction::Handle, CaseAction::RequestSuspension, CaseAction::RequestExtension]
    );

    // Not the worker's turn, and another department cannot even see it.
    let (s, b) = act(&d.worker, id, json!({ "action": "handle" })).await;
    assert_eq!((s, typed::<ErrorBody>(b).error), (403, ErrorCode::NotYourTurn));
    assert_eq!(d.other_handler.get(&format!("/api/cases/{id}")).await.0, 404);
    assert_eq!(act(&d.other_handler, id, json!({ "action": "handle" })).await.0, 404);

    let (s, after) = upload(&d.handler, id, "after", png(640, 480, 2)).await;
    assert_eq!(s, 201, "{after}");
    let after_id = after["id"].as_i64().unwrap();
    let (s, b) = act(&d.handler, id, json!({ "action": "handle", "opinion": "已拆除", "photos": [after_id] })).await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = act(&d.handler, id, json!({ "action": "verify_pass" })).await;
    assert_eq!((s, typed::<ErrorBody>(b).error), (403, ErrorCode::NotYourTurn), "a department does not verify itself");
    let (s, b) = act(&d.worker, id, json!({ "action": "verify_fail" })).await;
    assert_eq!((s, typed::<ErrorBody>(b).error), (422, ErrorCode::NeedsOpinion));
    assert_eq!(act(&d.worker, id, json!({ "action": "verify_fail", "opinion": "还剩一半" })).await.0, 200);
    assert_eq!(act(&d.handler, id, json!({ "action": "handle", "opinion": "全部拆除" })).await.0, 200);
    let (s, b) = act(&d.worker, id, json!({ "action": "verify_pass", "opinion": "已核实" })).await;
    assert_eq!(s, 200, "{b}");
    let closed: CaseSummary = typed(b);
    assert_eq!((closed.state, closed.light), (CaseState::Closed, None));
    assert!(closed.closed_at.is_some());

    let (_, b) = d.street.get(&format!("/api/cases/{id}")).await;
    let detail: CaseDetail = typed(b);
    let steps: Vec<&str> = detail.trail.iter().map(|t| t.action.as_str()).collect();
    assert_eq!(steps, ["report", "accept", "file", "dispatch", "handle", "verify_fail", "handle", "verify_pass"]);
    assert_eq!(detail.rework, 1);
    assert_eq!(detail.trail[4].photo_ids, vec![after_id]);
    assert_eq!(detail.trail[4].department.as_deref(), Some("城管"));
    assert_eq!(detail.photos.len(), 2);
    assert!(detail.actions.is_empty());
    // Every step is in the audit log, in the same transactions.
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action LIKE 'POST /api/cases%' AND status < 300")
            .fetch_one(&d.app.pool)
            .await
            .unwrap();
    assert_eq!(audited, 1 + 2 + 7, "the report, two photos and seven actions");
    // Nothing more happens to a closed case: 409 with its state, nothing written.
    let before = counts(&d.app).await;
    let (s, b) = act(&d.street, id, json!({ "action": "accept" })).await;
    assert_eq!(s, 409);
    let e: ErrorBody = typed(b);
    assert_eq!((e.error, e.details.unwrap()["state"].as_str()), (ErrorCode::NotNow, Some("closed")));
    assert_eq!(counts(&d.app).await, before);
    // The photo is served without metadata, its thumbnail too.
    let r = d.street.request(Method::GET, &format!("/api/cases/{id}/photos/{after_id}?thumb")).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "image/jpeg");
}

#[tokio::test]
async fn bad_reports_and_refused_actions_change_nothing() {
    let Some(d) = desk().await else { return };
    let at = d.app.interior_point(A).await;
    let (_, b) = report(&d.app, &d.worker, at, "x").await;
    let id = b["case"]["id"].as_i64().unwrap();
    let other_street =
        d.app.sign_in_as("street-b", Role::StreetOperator, Scope::Street("990101002".parse().unwrap())).await;
    let worker_b = d.app.sign_in_as("worker-b", Role::GridWorker, Scope::Community(B.parse().unwrap())).await;
    let before = counts(&d.app).await;
    let bad = [
        json!({ "category": "E99999", "channel": "patrol", "lon": at.0, "lat": at.1, "description": "x" }),
        json!({ "category": CATEGORY, "channel": "fax", "lon": at.0, "lat": at.1, "description": "x" }),
        json!({ "category": CATEGORY, "channel": "patrol", "lon": at.0, "lat": at.1, "description": "\u{200b}" }),
        json!({ "category": CATEGORY, "channel": "patrol", "lon": 100.0, "lat": 20.0, "description": "far away" }),
        json!({ "category": CATEGORY, "channel": "patrol", "lon": at.0, "lat": at.1 }),
    ];
    for body in bad {
        let (s, e) = d.worker.post("/api/cases", &body).await;
        assert!((400..500).contains(&s), "{body} → {s} {e}");
        assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "a reason: {e}");
    }
    let r = d
        .worker
        .request(Method::POST, "/api/cases")
        .header("content-type", "application/json")
        .body("{\"category\":")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Someone else's street sees nothing; a worker of another community neither.
    assert_eq!(other_street.get(&format!("/api/cases/{id}")).await.0, 404);
    assert_eq!(act(&worker_b, id, json!({ "action": "self_resolve" })).await.0, 404);
    // Wrong order, wrong person, missing reason, unknown department, unknown ids.
    assert_eq!(act(&d.street, id, json!({ "action": "dispatch" })).await.0, 409);
    assert_eq!(act(&d.worker, id, json!({ "action": "accept" })).await.0, 403);
    assert_eq!(act(&d.street, id, json!({ "action": "reject" })).await.0, 422);
    assert_eq!(act(&d.street, id, json!({ "action": "teleport" })).await.0, 400);
    assert_eq!(act(&d.street, 999_999, json!({ "action": "accept" })).await.0, 404);
    assert_eq!(counts(&d.app).await, before, "no refusal wrote anything");
    act(&d.street, id, json!({ "action": "accept" })).await;
    act(&d.street, id, json!({ "action": "file" })).await;
    let before = counts(&d.app).await;
    let (s, e) = act(&d.street, id, json!({ "action": "dispatch", "department": "外星办" })).await;
    assert_eq!((s, typed::<ErrorBody>(e).error), (422, ErrorCode::UnknownDepartment));
    let (s, e) = upload(&d.worker, id, "report", vec![0u8; 9 * 1024 * 1024]).await;
    assert_eq!((s, typed::<ErrorBody>(e).error), (413, ErrorCode::BodyTooLarge), "a photo over the body limit");
    assert_eq!(counts(&d.app).await, before);
    // The desk lists it with counts per state.
    let (s, b) = d.street.get("/api/cases?state=filed").await;
    assert_eq!(s, 200, "{b}");
    let list: CaseList = typed(b);
    assert_eq!(list.total, 1);
    assert!(list.by_state.contains(&(CaseState::Filed, 1)));
    assert_eq!(d.street.get("/api/cases?state=nonsense").await.0, 400);
    // Text search over number, description and address.
    let (_, b) = d.street.get(&format!("/api/cases?q={}", "%E6%A3%9A%E5%AD%90")).await; // 棚子
    assert_eq!(typed::<CaseList>(b).total, 1);
    let (_, b) = d.street.get("/api/cases?q=no-such-words").await;
    assert_eq!(typed::<CaseList>(b).total, 0);
}

#[tokio::test]
async fn two_operators_dispatching_at_once_one_wins_the_other_gets_409() {
    let Some(d) = desk().await else { return };
    let at = d.app.interior_point(A).await;
    let second = d.app.sign_in_as("street-2", Role::StreetOperator, Scope::Street(A[..9].parse().unwrap())).await;
    for round in 0..4 {
        let (_, b) = report(&d.app, &d.worker, at, &format!("race-{round}")).await;
        let id = b["case"]["id"].as_i64().unwrap();
        act(&d.street, id, json!({ "action": "accept" })).await;
        act(&d.street, id, json!({ "action": "file" })).await;
        let body = json!({ "action": "dispatch" });
        let (a, b) = tokio::join!(act(&d.street, id, body.clone()), act(&second, id, body.clone()));
        let mut statuses = [a.0, b.0];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "round {round}: {a:?} {b:?}");
        let dispatches: i64 =
            sqlx::query_scalar("SELECT count(*) FROM case_trail WHERE case_id = $1 AND action = 'dispatch'")
                .bind(id)
                .fetch_one(&d.app.pool)
                .await
                .unwrap();
        assert_eq!(dispatches, 1);
    }
}

#[tokio::test]
async fn a_duplicate_nearby_is_shown_and_merged() {
    let Some(d) = desk().await else { return };
    let at = d.app.interior_point(A).await;
    let (_, first) = report(&d.app, &d.worker, at, "one").await;
    let first = first["case"]["id"].as_i64().unwrap();
    let (s, near) =
        d.worker.get(&format!("/api/duplicate-cases?category={CATEGORY}&lon={}&lat={}", at.0 + 0.0002, at.1)).await;
    assert_eq!(s, 200);
    assert_eq!(typed::<Vec<CaseSummary>>(near)[0].id, first, "shown before reporting");
    let (_, second) = report(&d.app, &d.worker, (at.0 + 0.0002, at.1), "two").await;
    let second: Reported = typed(second);
    assert_eq!(second.duplicates.iter().map(|c| c.id).collect::<Vec<_>>(), vec![first]);
    let (s, e) = act(&d.street, second.case.id, json!({ "action": "merge", "into": second.case.id })).await;
    assert_eq!(s, 422, "{e}");
    let (s, merged) = act(&d.street, second.case.id, json!({ "action": "merge", "into": first })).await;
    assert_eq!(s, 200, "{merged}");
    assert_eq!(typed::<CaseSummary>(merged).state, CaseState::Merged);
    let (_, b) = d.street.get(&format!("/api/cases/{}", second.case.id)).await;
    assert_eq!(typed::<CaseDetail>(b).merged_into, Some(first));
}

#[tokio::test]
async fn escalation_suspension_and_extension_move_the_deadline() {
    let Some(d) = desk().await else { return };
    let at = d.app.interior_point(A).await;
    let (_, b) = report(&d.app, &d.worker, at, "esc").await;
    let id = b["case"]["id"].as_i64().unwrap();
    for action in ["accept", "file", "escalate"] {
        assert_eq!(act(&d.street, id, json!({ "action": action })).await.0, 200, "{action}");
    }
    let (s, _) = act(&d.street, id, json!({ "action": "dispatch" })).await;
    assert_eq!(s, 403, "only the district center dispatches an escalated case");
    assert_eq!(
        act(&d.center, id, json!({ "action": "dispatch", "department": "城管", "co_departments": ["住建"] })).await.0,
        200
    );
    assert_eq!(d.other_handler.get(&format!("/api/cases/{id}")).await.0, 200, "a co-department sees it");
    let due = |v: &Value| v["due_at"].as_str().map(str::to_owned);
    let (_, b) = d.center.get(&format!("/api/cases/{id}")).await;
    let due_before = due(&b).expect("running");
    let (s, _) = act(&d.handler, id, json!({ "action": "request_suspension", "opinion": "等待业主回国" })).await;
    assert_eq!(s, 200);
    assert_eq!(act(&d.street, id, json!({ "action": "approve_request" })).await.0, 403);
    let (s, b) = act(&d.center, id, json!({ "action": "approve_request" })).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!((b["state"].as_str(), due(&b)), (Some("suspended"), None), "the clock stops");
    let (_, b) = act(&d.street, id, json!({ "action": "resume" })).await;
    assert_eq!(b["state"], "dispatched");
    let due_resumed = due(&b).unwrap();
    assert!(due_resumed >= due_before);
    act(&d.handler, id, json!({ "action": "request_extension", "opinion": "需要吊车", "limit": { "amount": 2, "unit": "working_days" } })).await;
    let (_, b) = act(&d.center, id, json!({ "action": "approve_request" })).await;
    assert!(due(&b).unwrap() > due_resumed, "an extension moves the deadline");
    let (s, b) = act(&d.handler, id, json!({ "action": "return", "opinion": "不归我们管" })).await;
    assert_eq!(
        (s, b["state"].as_str(), b["department"].as_str()),
        (200, Some("escalated"), None),
        "back to the center"
    );
}

#[tokio::test]
async fn the_deadline_sweep_notifies_the_department_once() {
    let Some(d) = desk().await else { return };
    let at = d.app.interior_point(A).await;
    let (_, b) = report(&d.app, &d.worker, at, "late").await;
    let id = b["case"]["id"].as_i64().unwrap();
    for action in ["accept", "file", "dispatch"] {
        act(&d.street, id, json!({ "action": action })).await;
    }
    sqlx::query(
        "UPDATE cases SET warn_at = now() - interval '2 hours', due_at = now() - interval '1 hour', updated_at = now()
         WHERE id = $1",
    )
    .bind(id)
    .execute(&d.app.pool)
    .await
    .unwrap();
    // Written behind the server's back: the incident store catches up as its job would.
    d.app.state.incidents.catch_up(&d.app.pool).await.unwrap();
    let swept = wangge_server::store::cases::sweep_lights(&d.app.pool).await.unwrap();
    assert_eq!(swept, 1);
    assert_eq!(wangge_server::store::cases::sweep_lights(&d.app.pool).await.unwrap(), 0, "noted once");
    let (s, b) = d.handler.get("/api/notifications").await;
    assert_eq!(s, 200);
    let kinds: Vec<&str> = b.as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["red", "dispatched"]);
    let (_, b) = d.street.get("/api/cases?light=red").await;
    assert_eq!(typed::<CaseList>(b).total, 1);
}

#[tokio::test]
async fn the_catalogue_is_data_a_district_admin_edits() {
    let Some(d) = desk().await else { return };
    let (s, b) = d.street.get("/api/categories").await;
    assert_eq!(s, 200);
    let all = b.as_array().unwrap();
    assert_eq!(all.iter().filter(|c| c["catalogue"] == "component").count(), 153);
    assert_eq!(all.iter().filter(|c| c["catalogue"] == "event").count(), 250);
    assert_eq!(all.iter().filter(|c| c["catalogue"] == "grid").count(), 27);
    let admin = d.app.sign_in_as("admin", Role::DistrictAdmin, Scope::District(A[..6].parse().unwrap())).await;
    assert_eq!(d.street.put(&format!("/api/categories/{CATEGORY}"), &json!({ "urgent": true })).await.0, 403);
    let (s, b) = admin
        .put(
            &format!("/api/categories/{CATEGORY}"),
            &json!({ "limit": { "amount": 2, "unit": "working_days" }, "default_department": "住建" }),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!((b["limit_is_default"].as_bool(), b["default_department"].as_str()), (Some(false), Some("住建")));
    assert_eq!(admin.put("/api/categories/E06001", &json!({ "limit": { "amount": 0, "unit": "hours" } })).await.0, 422);
    // The intake reads the catalogue from memory: a report right after a change sees it (disabled, then enabled).
    let at = d.app.interior_point(A).await;
    assert_eq!(report(&d.app, &d.worker, at, "warm").await.0, 201, "the catalogue is read and held");
    assert_eq!(admin.put(&format!("/api/categories/{CATEGORY}"), &json!({ "enabled": false })).await.0, 200);
    let (s, b) = report(&d.app, &d.worker, at, "while-disabled").await;
    assert_eq!((s, b["error"].as_str()), (422, Some("unknown_category")), "{b}");
    assert_eq!(admin.put(&format!("/api/categories/{CATEGORY}"), &json!({ "enabled": true })).await.0, 200);
    assert_eq!(report(&d.app, &d.worker, at, "enabled-again").await.0, 201);
    assert_eq!(admin.post("/api/departments", &json!({ "name": "文旅" })).await.0, 201);
    let (s, b) = admin
        .post(
            "/api/dispatch-rules",
            &json!({ "district_code": "990101", "category": CATEGORY, "area_code": A, "department": "文旅" }),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    // The community's rule beats the category's default.
    let at = d.app.interior_point(A).await;
    let (_, b) = report(&d.app, &d.worker, at, "rule").await;
    let id = b["case"]["id"].as_i64().unwrap();
    for action in ["accept", "file", "dispatch"] {
        act(&d.street, id, json!({ "action": action })).await;
    }
    let (_, b) = d.street.get(&format!("/api/cases/{id}")).await;
    assert_eq!(b["department"], "文旅");
    // In community B only the default applies.
    let at_b = d.app.interior_point(B).await;
    let (_, b) = report(&d.app, &d.street, at_b, "rule-b").await;
    let id = b["case"]["id"].as_i64().unwrap();
    for action in ["accept", "file", "dispatch"] {
        act(&d.street, id, json!({ "action": action })).await;
    }
    let (_, b) = d.street.get(&format!("/api/cases/{id}")).await;
    assert_eq!(b["department"], "住建");
}

#[tokio::test]
async fn a_report_with_its_photos_in_one_form_is_placed_by_the_guard_and_stored_whole() {
    let Some(d) = desk().await else { return };
    let at = d.app.interior_point(A).await;
    let report = json!({ "request_id": "form-1", "category": CATEGORY, "channel": "patrol", "lon": at.0, "lat": at.1,
                         "description": "带照片的上报" });
    let (ct, body) = form(&report, &[png(320, 240, 3), png(320, 240, 4)]);
    let (s, b) = d.worker.post_raw("/api/cases", &ct, body).await;
    assert_eq!(s, 201, "{b}");
    let reported: Reported = typed(b);
    assert_eq!(reported.photos.len(), 2);
    let (_, b) = d.street.get(&format!("/api/cases/{}", reported.case.id)).await;
    assert_eq!(typed::<CaseDetail>(b).photos.len(), 2);
    // The guard places a form by its `json` part: a point in another community is outside this worker's scope.
    let worker_b = d.app.sign_in_as("worker-b", Role::GridWorker, Scope::Community(B.parse().unwrap())).await;
    let (ct, body) = form(&report, &[]);
    assert_eq!(worker_b.post_raw("/api/cases", &ct, body).await.0, 404);
    // A broken photo refuses the whole report: no case, no photo.
    let before = counts(&d.app).await;
    let other = json!({ "request_id": "form-2", "category": CATEGORY, "channel": "patrol", "lon": at.0, "lat": at.1,
                        "description": "坏照片" });
    let (ct, body) = form(&other, &[b"not an image at all".to_vec()]);
    let (s, e) = d.worker.post_raw("/api/cases", &ct, body).await;
    assert_eq!((s, typed::<ErrorBody>(e).error), (422, ErrorCode::BadPhoto));
    // No `json` part, or no form at all behind the header: 400.
    let (ct, _) = form(&other, &[]);
    assert_eq!(d.worker.post_raw("/api/cases", &ct, b"--wangge-test-boundary-7--\r\n".to_vec()).await.0, 400);
    assert_eq!(d.worker.post_raw("/api/cases", &ct, b"garbage".to_vec()).await.0, 400);
    assert_eq!(counts(&d.app).await, before, "nothing stored");
}

#[tokio::test]
async fn a_hotline_callers_contact_is_sealed_and_shown_masked() {
    let Some(d) = desk().await else { return };
    let at = d.app.interior_point(A).await;
    let body = json!({ "category": "E09001", "channel": "hotline", "lon": at.0, "lat": at.1, "description": "占道经营",
                       "contact": { "name": "张三丰", "phone": "13912345678" } });
    let (s, b) = d.street.post("/api/cases", &body).await;
    assert_eq!(s, 201, "{b}");
    let id = b["case"]["id"].as_i64().unwrap();
    let (_, b) = d.street.get(&format!("/api/cases/{id}")).await;
    let contact = typed::<CaseDetail>(b.clone()).contact.expect("a contact");
    let (name, phone) = (contact.name.unwrap(), contact.phone.unwrap());
    assert!(name.starts_with('张') && name != "张三丰" && !phone.contains("12345678"), "{name} {phone}");
    assert!(!b.to_string().contains("13912345678"));
    let sealed: Vec<u8> = sqlx::query_scalar("SELECT reporter_contact FROM cases WHERE id = $1")
        .bind(id)
        .fetch_one(&d.app.pool)
        .await
        .unwrap();
    assert!(!sealed.windows(11).any(|w| w == b"13912345678"), "stored sealed");
    let (s, e) = d
        .street
        .post(
            "/api/cases",
            &json!({ "category": "E09001", "channel": "hotline", "lon": at.0, "lat": at.1,
        "description": "x", "contact": { "phone": "not a phone" } }),
        )
        .await;
    assert_eq!((s, typed::<ErrorBody>(e).error), (422, ErrorCode::BadPhone));
}

/// Forty reports at once, as phones coming back into signal send them: they are written in batches, every new
/// request once with its trail and audit entries and its own number; the retries among them (in the same burst)
/// answer their first try's case (in one batch or in two at once); an unknown category fails alone.
#[tokio::test]
async fn a_burst_of_reports_is_written_in_batches_each_once() {
    let Some(d) = desk().await else { return };
    let at = d.app.interior_point(A).await;
    let before = counts(&d.app).await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let worker = d.worker.clone();
        // 30 requests; 8 of them sent twice; 2 of an unknown category.
        let (rid, category) = match i {
            0..30 => (format!("burst-{i}"), CATEGORY),
            30..38 => (format!("burst-{}", i - 30), CATEGORY),
            _ => (format!("bad-{i}"), "Z99999"),
        };
        tasks.push(tokio::spawn(async move {
            let (s, b) = worker
                .post(
                    "/api/cases",
                    &json!({ "request_id": rid, "category": category, "channel": "patrol",
                             "lon": at.0 + i as f64 * 1e-6, "lat": at.1, "description": format!("第 {i} 件") }),
                )
                .await;
            (rid, s, b)
        }));
    }
    let mut ids: std::collections::HashMap<String, std::collections::HashSet<i64>> = Default::default();
    let mut statuses = Vec::new();
    for t in tasks {
        let (rid, s, b) = t.await.unwrap();
        statuses.push(s);
        if rid.starts_with("bad") {
            assert_eq!(s, 422, "{b}");
            assert_eq!(typed::<ErrorBody>(b).error, ErrorCode::UnknownCategory);
        } else {
            assert!(s == 201 || s == 200, "{s} {b}");
            ids.entry(rid).or_default().insert(typed::<Reported>(b).case.id);
        }
    }
    assert_eq!(statuses.iter().filter(|&&s| s == 201).count(), 30, "{statuses:?}");
    assert_eq!(ids.len(), 30);
    assert!(ids.values().all(|v| v.len() == 1), "a retry answers its first try's case: {ids:?}");
    let after = counts(&d.app).await;
    d.app.state.incidents.catch_up(&d.app.pool).await.unwrap();
    // The audit entries committed with the cases are chained moments later, all of them, and the chain holds.
    d.app.chained().await;
    let chained: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'POST /api/cases' AND status = 201")
            .fetch_one(&d.app.pool)
            .await
            .unwrap();
    assert_eq!((after.0 - before.0, after.1 - before.1, chained), (30, 30, 30));
    let verified: (bool,) = sqlx::query_as(
        "SELECT bool_and(hash = audit_entry_hash(prev_hash, seq, at, actor, action,
            target, status, before, after)) FROM audit_log",
    )
    .fetch_one(&d.app.pool)
    .await
    .unwrap();
    assert!(verified.0, "every chained entry's hash holds");
    let numbers: Vec<String> =
        sqlx::query_scalar("SELECT number FROM cases WHERE request_id LIKE 'burst-%' ORDER BY number")
            .fetch_all(&d.app.pool)
            .await
            .unwrap();
    let mut distinct = numbers.clone();
    distinct.dedup();
    assert_eq!(distinct.len(), 30, "one number each: {numbers:?}");
    let (_, b) = d.street.get("/api/cases?state=reported").await;
    assert_eq!(typed::<CaseList>(b).total, 30, "all thirty on the desk");
}

/// Voiding (作废) is asked by the street center with a reason and decided by the district center; until then the
/// case stays where it was, and a denied request leaves it as it was.
#[tokio::test]
async fn voiding_is_asked_by_the_street_and_approved_by_the_district_center() {
    let Some(d) = desk().await else { return };
    let at = d.app.interior_point(A).await;
    let (_, b) = report(&d.app, &d.worker, at, "void-me").await;
    let id = b["case"]["id"].as_i64().unwrap();
    let (s, b) = act(&d.street, id, json!({ "action": "request_void" })).await;
    assert_eq!((s, typed::<ErrorBody>(b).error), (422, ErrorCode::NeedsOpinion));
    let (s, b) = act(&d.street, id, json!({ "action": "request_void", "opinion": "重复上报，已另案处理" })).await;
    assert_eq!(s, 200, "{b}");
    let case: CaseSummary = typed(b);
    assert_eq!((case.state, case.pending.map(|p| p.to_string())), (CaseState::Reported, Some("void".into())));
    let (s, b) = act(&d.street, id, json!({ "action": "approve_request" })).await;
    assert_eq!(s, 403, "the street does not approve its own request: {b}");
    let (s, _) = act(&d.center, id, json!({ "action": "deny_request", "opinion": "请先核实" })).await;
    assert_eq!(s, 200);
    let (_, b) = d.street.get(&format!("/api/cases/{id}")).await;
    assert_eq!(typed::<CaseDetail>(b).summary.pending, None, "denied: back as it was");
    act(&d.street, id, json!({ "action": "request_void", "opinion": "确认重复" })).await;
    let (s, b) = act(&d.center, id, json!({ "action": "approve_request" })).await;
    assert_eq!(s, 200, "{b}");
    let case: CaseSummary = typed(b);
    assert_eq!((case.state, case.light), (CaseState::Voided, None), "voided: no clock, no light");
    let (_, b) = d.street.get(&format!("/api/cases/{id}")).await;
    let steps: Vec<String> = typed::<CaseDetail>(b).trail.iter().map(|t| t.action.clone()).collect();
    assert_eq!(steps, ["report", "request_void", "deny_request", "request_void", "approve_request"]);
}

/// Each waiting stage has a limit a district admin sets; a case entering the stage gets its deadline from it, the
/// case page shows it, and the sweep tells whoever the stage waits for once it runs out.
#[tokio::test]
async fn stage_limits_are_set_per_district_and_the_sweep_notes_a_stage_that_ran_out() {
    let Some(d) = desk().await else { return };
    let admin = d.app.sign_in_as("admin", Role::DistrictAdmin, Scope::District(A[..6].parse().unwrap())).await;
    let (s, b) = d.street.get("/api/stage-limits").await;
    assert_eq!(s, 200);
    let limits: Vec<wangge_api::cases::StageLimit> = typed(b);
    assert_eq!(limits.len(), 6);
    assert!(limits.iter().all(|l| l.is_default));
    let thirty = json!({ "amount": 30, "unit": "hours" });
    assert_eq!(d.street.put("/api/stage-limits/filed", &thirty).await.0, 403, "the street does not set them");
    let (s, b) = admin.put("/api/stage-limits/dispatched", &thirty).await;
    assert_eq!((s, typed::<ErrorBody>(b).error), (422, ErrorCode::NoStage), "handling runs on the case's own clock");
    let (s, b) = admin.put("/api/stage-limits/filed", &json!({ "amount": 0, "unit": "hours" })).await;
    assert_eq!((s, typed::<ErrorBody>(b).error), (422, ErrorCode::BadLimit));
    let (s, b) = admin.put("/api/stage-limits/filed", &thirty).await;
    assert_eq!(s, 200, "{b}");
    let (_, b) = d.street.get("/api/stage-limits").await;
    let filed = typed::<Vec<wangge_api::cases::StageLimit>>(b).into_iter().find(|l| l.state == CaseState::Filed);
    assert_eq!(filed.map(|l| (l.limit.amount, l.is_default)), Some((30, false)));

    let at = d.app.interior_point(A).await;
    let (_, b) = report(&d.app, &d.worker, at, "stage").await;
    let id = b["case"]["id"].as_i64().unwrap();
    for action in ["accept", "file"] {
        assert_eq!(act(&d.street, id, json!({ "action": action })).await.0, 200);
    }
    let (_, b) = d.street.get(&format!("/api/cases/{id}")).await;
    let stage = typed::<CaseDetail>(b).stage.expect("filing has a stage limit");
    assert_eq!((stage.limit.amount, stage.limit.unit.as_str()), (30, "hours"));
    let due: Option<chrono::DateTime<chrono::Utc>> = sqlx::query_scalar("SELECT stage_due_at FROM cases WHERE id = $1")
        .bind(id)
        .fetch_one(&d.app.pool)
        .await
        .unwrap();
    let hours = (due.unwrap() - stage.since).num_minutes() as f64 / 60.0;
    assert!((hours - 30.0).abs() < 0.02, "30 clock hours from filing: {hours}");
    // Time passes: the stage runs out.
    sqlx::query("UPDATE cases SET stage_due_at = now() - interval '1 minute' WHERE id = $1")
        .bind(id)
        .execute(&d.app.pool)
        .await
        .unwrap();
    assert_eq!(wangge_server::store::cases::sweep_lights(&d.app.pool).await.unwrap(), 1);
    assert_eq!(wangge_server::store::cases::sweep_lights(&d.app.pool).await.unwrap(), 0, "noted once");
    let (_, b) = d.street.get("/api/notifications").await;
    assert_eq!(b[0]["kind"], "stage_overdue", "{b}");
    // The next step starts a new stage, with a fresh deadline.
    assert_eq!(act(&d.street, id, json!({ "action": "dispatch" })).await.0, 200);
    let (due, noted): (Option<chrono::DateTime<chrono::Utc>>, bool) =
        sqlx::query_as("SELECT stage_due_at, stage_noted FROM cases WHERE id = $1")
            .bind(id)
            .fetch_one(&d.app.pool)
            .await
            .unwrap();
    assert_eq!((due, noted), (None, false), "being handled runs on the case's own clock");
}

/// Each person's inbox (`mine=true`) holds the cases waiting for them: the street center's reports to accept, the
/// department's dispatched case, the grid worker's handled case to verify; the district center's escalated case.
#[tokio::test]
async fn each_inbox_holds_what_waits_for_its_person() {
    let Some(d) = desk().await else { return };
    let at = d.app.interior_point(A).await;
    let (_, b) = report(&d.app, &d.worker, at, "inbox-1").await;
    let one = b["case"]["id"].as_i64().unwrap();
    let (_, b) = report(&d.app, &d.worker, at, "inbox-2").await;
    let two = b["case"]["id"].as_i64().unwrap();
    let inbox = |who: &wangge_tests::Caller| {
        let who = who.clone();
        async move {
            let (s, b) = who.get("/api/cases?mine=true").await;
            assert_eq!(s, 200, "{b}");
            let mut ids: Vec<i64> = typed::<CaseList>(b).cases.iter().map(|c| c.id).collect();
            ids.sort();
            ids
        }
    };
    assert_eq!(inbox(&d.street).await, vec![one, two]);
    assert_eq!(inbox(&d.center).await, Vec::<i64>::new(), "the district center waits for escalations");
    for action in ["accept", "file", "dispatch"] {
        act(&d.street, one, json!({ "action": action })).await;
    }
    for action in ["accept", "file", "escalate"] {
        act(&d.street, two, json!({ "action": action })).await;
    }
    assert_eq!(inbox(&d.street).await, Vec::<i64>::new());
    assert_eq!(inbox(&d.center).await, vec![two]);
    assert_eq!(inbox(&d.handler).await, vec![one]);
    assert_eq!(inbox(&d.other_handler).await, Vec::<i64>::new());
    act(&d.handler, one, json!({ "action": "handle", "opinion": "已拆除" })).await;
    assert_eq!(inbox(&d.handler).await, Vec::<i64>::new());
    assert_eq!(inbox(&d.worker).await, vec![one], "the grid worker verifies");
}
