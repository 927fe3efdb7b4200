//! Public reporting through the HTTP API on a real PostGIS: a resident reports with a photo and a contact, sees
//! the duplicate hint and follows, the street center accepts, blurs the photo's public copy and runs the loop, the
//! tracking page shows the public trail without personal data, the resident rates, the district center reopens an
//! unsatisfied case; refusals, sensitive categories and the per-device limit.

use serde_json::{json, Value};
use wangge_api::error::{ErrorBody, ErrorCode};
use wangge_api::public::{PublicReports, PublicService, Tracked, Tracking};
use wangge_domain::access::{Role, Scope};
use wangge_domain::case::{PublicStatus, Rating};
use wangge_tests::{form, png, Caller, TestApp, AUDIT_ENTRIES};

const A: &str = "990101001001";

fn typed<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{e}: {v}"))
}

fn error(v: Value) -> ErrorCode {
    typed::<ErrorBody>(v).error
}

struct Offices {
    app: TestApp,
    street: Caller,
    center: Caller,
    handler: Caller,
    worker: Caller,
    admin: Caller,
}

async fn offices() -> Option<Offices> {
    let app = TestApp::spawn_with_demo().await;
    if !app.load_catalogue().await {
        return None;
    }
    let street = app.sign_in_as("street", Role::StreetOperator, Scope::Street(A[..9].parse().unwrap())).await;
    let center = app.sign_in_as("center", Role::StreetOperator, Scope::District(A[..6].parse().unwrap())).await;
    let handler = app
        .sign_in_as("handler-cg", Role::DepartmentHandler, Scope::Department("城管".to_owned().try_into().unwrap()))
        .await;
    let worker = app.sign_in_as("worker", Role::GridWorker, Scope::Community(A.parse().unwrap())).await;
    let admin = app.sign_in_as("admin", Role::DistrictAdmin, Scope::District(A[..6].parse().unwrap())).await;
    Some(Offices { app, street, center, handler, worker, admin })
}

async fn report(public: &Caller, body: &Value, photos: &[Vec<u8>]) -> (u16, Value) {
    let (content_type, bytes) = form(body, photos);
    public.post_raw("/api/public/reports", &content_type, bytes).await
}

fn pothole(at: (f64, f64), device: &str, request_id: &str) -> Value {
    json!({ "request_id": request_id, "device": device, "service": "road_damage", "lon": at.0, "lat": at.1,
            "address": "示范路 8 号门口", "description": "人行道塌了一个大坑，晚上看不见",
            "contact": { "name": "张三丰", "phone": "13812345678" } })
}

async fn counts(app: &TestApp) -> (i64, i64) {
    sqlx::query_as(&format!("SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM {AUDIT_ENTRIES} e)"))
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn act(who: &Caller, id: i64, body: Value) -> Value {
    let (s, b) = who.post(&format!("/api/cases/{id}/actions"), &body).await;
    assert_eq!(s, 200, "{body}: {b}");
    b
}

#[tokio::test]
async fn a_resident_reports_follows_rates_and_the_district_center_reopens() {
    let Some(o) = offices().await else { return };
    let public = o.app.public();
    let at = o.app.interior_point(A).await;

    let (s, b) = public.get("/api/public/services").await;
    assert_eq!(s, 200);
    let services: Vec<PublicService> = typed(b);
    assert_eq!(services.len(), 20);
    let road = services.iter().find(|s| s.code == "road_damage").expect("road damage on the list");
    assert_eq!((road.category.as_str(), road.group.as_str()), ("E06013", "市容环境类"));

    // The report, with a photo; a retry (lost answer) gets the same case and writes nothing.
    let (s, b) = report(&public, &pothole(at, "device-aaaa-1", "r-1"), &[png(800, 600, 3)]).await;
    assert_eq!(s, 201, "{b}");
    let tracking: Tracking = typed(b);
    let before = counts(&o.app).await;
    let (s, b) = report(&public, &pothole(at, "device-aaaa-1", "r-1"), &[png(800, 600, 3)]).await;
    assert_eq!((s, typed::<Tracking>(b)), (200, tracking.clone()));
    assert_eq!(counts(&o.app).await, before, "a retry writes nothing");

    // Refusals change nothing.
    let mut four = pothole(at, "device-aaaa-1", "r-2");
    let (s, b) = report(&public, &four, &[png(10, 10, 1), png(10, 10, 2), png(10, 10, 3), png(10, 10, 4)]).await;
    assert_eq!((s, error(b)), (422, ErrorCode::TooManyPhotos));
    four["service"] = json!("no_such_thing");
    let (s, b) = report(&public, &four, &[]).await;
    assert_eq!((s, error(b)), (422, ErrorCode::UnknownService));
    let far = pothole((100.0, 20.0), "device-aaaa-1", "r-3");
    let (s, b) = report(&public, &far, &[]).await;
    assert_eq!((s, error(b)), (422, ErrorCode::Outside));
    let (s, _) = public.post_raw("/api/public/reports", "application/json", b"{\"device\": ".to_vec()).await;
    assert_eq!(s, 400);
    let (s, b) = report(&public, &pothole(at, "device-aaaa-1", "r-4"), &[b"GIF89a not really".to_vec()]).await;
    assert_eq!((s, error(b)), (422, ErrorCode::BadPhoto));
    assert_eq!(counts(&o.app).await, before, "refused reports store nothing");

    // A neighbour sees the hint and follows instead of filing a duplicate.
    let (s, b) = public.get(&format!("/api/public/nearby?service=road_damage&lon={}&lat={}", at.0, at.1)).await;
    assert_eq!(s, 200, "{b}");
    assert!(b.as_array().unwrap().iter().any(|r| r["number"] == tracking.number.as_str()), "{b}");
    let (s, b) = public.post(&format!("/api/public/reports/{}/follow", tracking.number), &json!({})).await;
    assert_eq!(s, 200, "{b}");
    let follower: Tracking = typed(b);
    assert_ne!(follower.token, tracking.token);

    // Staff see the report as public, the contact masked; the public map does not show it before acceptance.
    let id: i64 = sqlx::query_scalar("SELECT id FROM cases WHERE number = $1")
        .bind(&tracking.number)
        .fetch_one(&o.app.pool)
        .await
        .unwrap();
    let (_, detail) = o.street.get(&format!("/api/cases/{id}")).await;
    assert_eq!((detail["channel"].as_str(), detail["reporter"].as_str()), (Some("public"), Some("public")));
    assert_eq!(detail["contact"]["phone"], "138****5678");
    let photo = detail["photos"][0]["id"].as_i64().unwrap();
    let bbox = format!("{},{},{},{}", at.0 - 0.01, at.1 - 0.01, at.0 + 0.01, at.1 + 0.01);
    let (_, b) = public.get(&format!("/api/public/reports?bbox={bbox}")).await;
    assert!(typed::<PublicReports>(b).reports.is_empty(), "not shown before a street center accepts it");
    assert_eq!(public.get(&format!("/api/public/photos/{photo}")).await.0, 404);

    act(&o.street, id, json!({ "action": "accept" })).await;
    let (_, b) = public.get(&format!("/api/public/reports?bbox={bbox}")).await;
    let shown = typed::<PublicReports>(b).reports;
    assert_eq!(shown.len(), 1);
    assert!((shown[0].lon - at.0).abs() < 0.0003 && shown[0].lon != at.0, "an approximate position");
    // The street center blurs part of the photo: the public copy changes, the staff's stays.
    let photo_bytes = |who: &Caller, path: String| {
        let r = who.request(reqwest::Method::GET, &path);
        async move { r.send().await.unwrap().bytes().await.unwrap().to_vec() }
    };
    let before_blur = photo_bytes(&public, format!("/api/public/photos/{photo}")).await;
    let (s, b) = o
        .street
        .post(
            &format!("/api/cases/{id}/photos/{photo}/blur"),
            &json!({ "regions": [{ "x": 0.1, "y": 0.1, "w": 0.4, "h": 0.3 }] }),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = o
        .street
        .post(
            &format!("/api/cases/{id}/photos/{photo}/blur"),
            &json!({ "regions": [{ "x": 0.9, "y": 0, "w": 0.4, "h": 1 }] }),
        )
        .await;
    assert_eq!((s, error(b)), (422, ErrorCode::BadRange));
    let after_blur = photo_bytes(&public, format!("/api/public/photos/{photo}")).await;
    let staff_copy = photo_bytes(&o.street, format!("/api/cases/{id}/photos/{photo}")).await;
    assert_ne!(before_blur, after_blur);
    assert_eq!(before_blur, staff_copy, "the stored photo stays as it was");

    // The loop runs; the tracking page follows it in plain words, with no staff names and no personal data.
    act(&o.street, id, json!({ "action": "file" })).await;
    act(&o.street, id, json!({ "action": "dispatch", "department": "城管" })).await;
    act(&o.handler, id, json!({ "action": "handle", "opinion": "已修补" })).await;
    act(&o.worker, id, json!({ "action": "verify_pass" })).await;
    let (s, b) = public.get(&format!("/api/track/{}", tracking.token)).await;
    assert_eq!(s, 200, "{b}");
    let text = b.to_string();
    for private in ["13812345678", "张三丰", "handler-cg", "\"street\"", "\"worker\"", "已修补"] {
        assert!(!text.contains(private), "{private} on the tracking page: {text}");
    }
    let page: Tracked = typed(b);
    assert_eq!((page.status, page.reporter, page.may_rate), (PublicStatus::Fixed, true, true));
    let actions: Vec<&str> = page.steps.iter().map(|s| s.action.as_str()).collect();
    assert_eq!(actions, ["report", "accept", "dispatch", "handle", "verify_pass"]);
    assert_eq!(page.steps[2].department.as_deref(), Some("城管"));
    assert!(page.grid_code.as_deref().is_some_and(|g| g.starts_with(A)));

    // Only the reporter rates, once; an unsatisfied rating reaches the district center, which reopens the case.
    let rating = json!({ "rating": "unsatisfied", "comment": "坑还在" });
    let (s, _) = public.post(&format!("/api/track/{}/rating", follower.token), &rating).await;
    assert_eq!(s, 403);
    let (s, b) = public.post(&format!("/api/track/{}/rating", tracking.token), &rating).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(typed::<Tracked>(b).rating, Some(Rating::Unsatisfied));
    let (s, b) = public.post(&format!("/api/track/{}/rating", tracking.token), &rating).await;
    assert_eq!((s, error(b)), (409, ErrorCode::NotNow));
    // The public's writes are logged in the chain of the district the report was located in.
    o.app.chained().await;
    let chains: Vec<(String, i64)> = sqlx::query_as(
        "SELECT district_code, count(*) FROM audit_log WHERE actor = 'public' AND status < 300 GROUP BY 1",
    )
    .fetch_all(&o.app.pool)
    .await
    .unwrap();
    assert!(matches!(chains.as_slice(), [(d, n)] if d == &A[..6] && *n >= 2), "{chains:?}");
    let (_, notes) = o.center.get("/api/notifications").await;
    assert!(notes.as_array().unwrap().iter().any(|n| n["kind"] == "unsatisfied" && n["case_id"] == id), "{notes}");
    let (_, b) = o.street.get(&format!("/api/cases/{id}")).await;
    assert!(!b["actions"].as_array().unwrap().iter().any(|a| a == "reopen"), "the street center may not reopen");
    let (_, b) = o.center.get(&format!("/api/cases/{id}")).await;
    assert!(b["actions"].as_array().unwrap().iter().any(|a| a == "reopen"), "{b}");
    let b = act(&o.center, id, json!({ "action": "reopen", "opinion": "群众不满意，返工" })).await;
    assert_eq!(b["state"], "dispatched");
    let (_, b) = public.get(&format!("/api/track/{}", follower.token)).await;
    let page: Tracked = typed(b);
    assert_eq!((page.status, page.reporter, page.rating), (PublicStatus::InProgress, false, None));
    assert_eq!(page.steps.last().unwrap().action, "reopen");

    // A made-up or altered link opens nothing.
    let forged = format!("{id}-r-{}", "0".repeat(24));
    assert_eq!(public.get(&format!("/api/track/{forged}")).await.0, 404);
    let _ = o.admin;
}

#[tokio::test]
async fn a_refusal_is_explained_and_sensitive_categories_stay_off_public_pages() {
    let Some(o) = offices().await else { return };
    let public = o.app.public();
    let at = o.app.interior_point(A).await;
    let (s, b) = report(&public, &pothole(at, "device-bbbb-1", "x-1"), &[]).await;
    assert_eq!(s, 201, "{b}");
    let tracking: Tracking = typed(b);
    let id: i64 = sqlx::query_scalar("SELECT id FROM cases WHERE number = $1")
        .bind(&tracking.number)
        .fetch_one(&o.app.pool)
        .await
        .unwrap();
    act(&o.street, id, json!({ "action": "reject", "opinion": "该路段属于小区内部道路，请联系物业" })).await;
    let (_, b) = public.get(&format!("/api/track/{}", tracking.token)).await;
    let page: Tracked = typed(b);
    assert_eq!(page.status, PublicStatus::NotAccepted);
    assert_eq!(page.steps.last().unwrap().reason.as_deref(), Some("该路段属于小区内部道路，请联系物业"));

    // The district marks the category sensitive: it leaves the public list and its reports the public pages.
    let (s, b) = o.admin.put("/api/categories/E06013", &json!({ "sensitive": true })).await;
    assert_eq!((s, b["sensitive"].as_bool()), (200, Some(true)), "{b}");
    let (_, b) = public.get("/api/public/services").await;
    assert!(!typed::<Vec<PublicService>>(b).iter().any(|s| s.code == "road_damage"));
    let (s, b) = public.post(&format!("/api/public/reports/{}/follow", tracking.number), &json!({})).await;
    assert_eq!((s, error(b)), (404, ErrorCode::NotFound));
    let (s, b) = report(&public, &pothole(at, "device-bbbb-1", "x-2"), &[]).await;
    assert_eq!((s, error(b)), (422, ErrorCode::UnknownService));
}

#[tokio::test]
async fn one_device_sends_at_most_ten_reports_an_hour() {
    let Some(o) = offices().await else { return };
    let public = o.app.public();
    let at = o.app.interior_point(A).await;
    for i in 0..10 {
        let (s, b) = report(&public, &pothole(at, "device-cccc-1", &format!("n-{i}")), &[]).await;
        assert_eq!(s, 201, "{i}: {b}");
    }
    let (s, b) = report(&public, &pothole(at, "device-cccc-1", "n-10"), &[]).await;
    assert_eq!((s, error(b)), (429, ErrorCode::RateLimited));
    let (s, _) = report(&public, &pothole(at, "device-dddd-1", "n-11"), &[]).await;
    assert_eq!(s, 201, "another device may still report");
    let (s, b) = report(&public, &pothole(at, "short", "n-12"), &[]).await;
    assert_eq!((s, error(b)), (400, ErrorCode::BadText));
}
