//! Bad input gets a clear 4xx with a reason, and nothing stored changes.

use serde_json::{json, Value};
use wangge_api::error::ErrorBody;
use wangge_domain::access::{Role, Scope};
use wangge_tests::TestApp;

const COMMUNITY: &str = "990101001001";
const PLANS: &str = "/api/communities/990101001001/plans";

fn square(lon: f64, lat: f64, d: f64) -> Value {
    json!({ "type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]] })
}

#[tokio::test]
async fn malformed_requests_are_refused_with_reasons_and_change_nothing() {
    let app = TestApp::spawn_with_demo().await;
    let before = app.fingerprint().await;
    let street = &COMMUNITY[..9];
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        // broken GeoJSON
        (
            "/api/communities",
            json!({ "code": "990101001099", "name": "x", "geometry": { "type": "Polygon", "coordinates": [[1, 2]] } }),
            422,
            "invalid_geometry",
        ),
        (
            "/api/communities",
            json!({ "code": "990101001099", "name": "x", "geometry": { "type": "Blob" } }),
            422,
            "invalid_geometry",
        ),
        // self-intersecting (bow tie)
        (
            "/api/communities",
            json!({ "code": "990101001099", "name": "x", "geometry": { "type": "Polygon", "coordinates": [[[118.9, 31.8], [118.91, 31.81], [118.91, 31.8], [118.9, 31.81], [118.9, 31.8]]] } }),
            422,
            "invalid_geometry",
        ),
        // out of range
        (
            "/api/communities",
            json!({ "code": "990101001099", "name": "x", "geometry": square(190.0, 31.8, 0.01) }),
            422,
            "invalid_geometry",
        ),
        (
            "/api/communities",
            json!({ "code": "990101001099", "name": "x", "geometry": square(118.9, 95.0, 0.01) }),
            422,
            "invalid_geometry",
        ),
        // wrong CRS
        (
            "/api/communities",
            json!({ "code": "990101001099", "name": "x", "geometry": { "type": "Polygon", "crs": { "type": "name", "properties": { "name": "EPSG:3857" } }, "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 0]]] } }),
            422,
            "invalid_geometry",
        ),
        // a point where an area is needed
        (
            "/api/communities",
            json!({ "code": "990101001099", "name": "x", "geometry": { "type": "Point", "coordinates": [118.9, 31.8] } }),
            422,
            "invalid_geometry",
        ),
        // malformed and unknown codes
        (
            "/api/communities",
            json!({ "code": "99010100109", "name": "x", "geometry": square(118.9, 31.8, 0.01) }),
            400,
            "bad_code",
        ),
        (
            "/api/communities",
            json!({ "code": "990101777001", "name": "x", "geometry": square(118.9, 31.8, 0.01) }),
            404,
            "not_found",
        ),
        (
            "/api/communities",
            json!({ "code": COMMUNITY, "name": "again", "geometry": square(118.9, 31.8, 0.01) }),
            409,
            "duplicate",
        ),
        ("/api/streets", json!({ "code": street, "name": "again" }), 409, "duplicate"),
        // unknown fields and wrong types (the field is named), NUL and invisible-only text
        (
            "/api/communities",
            json!({ "code": 990101001099u64, "name": "x", "geometry": square(118.9, 31.8, 0.01) }),
            400,
            "bad_json",
        ),
        ("/api/elements", json!({ "kind": "place", "name": "a\u{0}b", "lon": 118.9, "lat": 31.85 }), 422, "bad_text"),
        ("/api/elements", json!({ "kind": "place", "name": "\u{200b}", "lon": 118.9, "lat": 31.85 }), 422, "bad_text"),
        // unknown fields and wrong types
        (
            "/api/communities",
            json!({ "code": "990101001099", "name": "x", "geometry": square(118.9, 31.8, 0.01), "owner": "me" }),
            400,
            "bad_json",
        ),
        ("/api/locate", json!({ "points": [[118.9, "north"]] }), 400, "bad_json"),
        ("/api/locate", json!({ "points": [[118.9, 91.0]] }), 400, "bad_coordinates"),
        // plans: unknown community, unknown blocks, unknown plan
        ("/api/communities/990101001077/plans", json!({ "grids": [] }), 404, "not_found"),
        (PLANS, json!({ "grids": [{ "key": "a", "kind": "natural", "blocks": [999999] }] }), 422, "invalid_plan"),
        (PLANS, json!({ "grids": [{ "key": "a", "kind": "mystery", "blocks": [] }] }), 400, "bad_json"),
        ("/api/plans/999999/publish", json!({}), 404, "not_found"),
        // elements
        (
            "/api/elements",
            json!({ "kind": "facility", "name": "井盖", "lon": 118.9, "lat": 31.85, "facility_id": "12345" }),
            400,
            "bad_code",
        ),
        ("/api/elements", json!({ "kind": "rocket", "name": "x", "lon": 118.9, "lat": 31.85 }), 400, "bad_json"),
        ("/api/elements", json!({ "kind": "place", "name": "", "lon": 118.9, "lat": 31.85 }), 422, "bad_text"),
        ("/api/residents", json!({ "name": "张三", "id_card": "123", "building_id": 1 }), 422, "bad_id_card"),
        (
            "/api/residents",
            json!({ "name": "张三", "id_card": "320115199001011234", "building_id": 99999999 }),
            404,
            "not_found",
        ),
        // special grids
        (
            "/api/special-grids",
            json!({ "district_code": "990101", "name": "河道", "theme": "river" }),
            422,
            "bad_shape",
        ),
        (
            "/api/special-grids",
            json!({ "district_code": "990101", "name": "河道", "theme": "river", "blocks": [424242] }),
            422,
            "unknown_blocks",
        ),
    ];
    // Residents are registered by roles that may see them; everything else by the default planner.
    let admin = app.sign_in_as("admin", Role::DistrictAdmin, Scope::District("990101".parse().unwrap())).await;
    for (path, body, status, code) in cases {
        let caller = if path.starts_with("/api/residents") { &admin } else { &app.caller };
        let (s, b) = caller.post(path, &body).await;
        assert_eq!(s, status, "{path} {body} → {b}");
        assert_eq!(b["error"], code, "{path} {body} → {b}");
        assert!(b["message"].as_str().is_some_and(|m| !m.is_empty()), "a reason is given: {b}");
        // The code is one the web app knows (it compiles against the same list).
        serde_json::from_value::<ErrorBody>(b.clone()).expect("a typed error answer");
    }
    // not JSON at all, wrong content type, oversize body
    let (s, b) = app.post_raw("/api/communities", "application/json", b"{\"code\": ".to_vec()).await;
    assert_eq!((s, b["error"].as_str()), (400, Some("bad_json")));
    let (s, b) = app.post_raw("/api/communities", "text/plain", b"hello".to_vec()).await;
    assert_eq!((s, b["error"].as_str()), (415, Some("content_type")));
    let huge = format!("{{\"code\": \"990101001099\", \"name\": \"{}\"}}", "x".repeat(9 * 1024 * 1024));
    let (s, b) = app.post_raw("/api/communities", "application/json", huge.into_bytes()).await;
    assert_eq!((s, b["error"].as_str()), (413, Some("body_too_large")));
    // GET with bad ids
    assert_eq!(app.get("/api/blocks/99999999").await.0, 404);
    assert_eq!(app.get("/api/blocks/abc").await.0, 400);
    assert_eq!(app.get("/api/communities/12/blocks").await.0, 400);
    assert_eq!(app.get("/api/locate?lon=abc&lat=1").await.0, 400);
    assert_eq!(app.get("/api/locate?lon=118.9&lat=31.8&at=yesterday").await.0, 400);
    assert_eq!(app.get("/api/no-such-thing").await.0, 404);
    // ambiguous path spellings and NUL in the query
    for path in ["/api/%2e%2e/audit", "/api%2Faudit", "/api/./audit", "/api/search?q=%00"] {
        let (s, answer) = app.raw("GET", path).await;
        assert_eq!(s, 400, "{path}: {answer}");
    }

    assert_eq!(app.fingerprint().await, before, "nothing stored changed");
}

#[tokio::test]
async fn a_published_plan_cannot_be_edited_or_published_twice() {
    let app = TestApp::spawn_with_demo().await;
    let (_, body) = app.get(&format!("/api/communities/{COMMUNITY}/grids")).await;
    let plan = body["plan"]["id"].as_i64().unwrap();
    let before = app.fingerprint().await;
    let (s, b) = app.put(&format!("/api/plans/{plan}"), &json!({ "grids": [] })).await;
    assert_eq!((s, b["error"].as_str()), (409, Some("not_a_draft")));
    let (s, b) = app.post(&format!("/api/plans/{plan}/publish"), &json!({})).await;
    assert_eq!((s, b["error"].as_str()), (409, Some("not_a_draft")));
    assert_eq!(app.fingerprint().await, before);
}

/// The endpoints added for accounts, residents and the grid editor refuse bad input with a reason and store nothing.
#[tokio::test]
async fn new_endpoints_refuse_bad_input_and_change_nothing() {
    let app = TestApp::spawn_with_demo().await;
    let admin = app.sign_in_as("admin", Role::DistrictAdmin, Scope::District("990101".parse().unwrap())).await;
    let (_, current) = app.get(&format!("/api/communities/{COMMUNITY}/grids")).await;
    let plan = current["plan"]["id"].as_i64().unwrap();
    let (_, other) = app.get("/api/communities/990101001002/grids").await;
    let other_plan = other["plan"]["id"].as_i64().unwrap();
    let block: i64 = sqlx::query_scalar("SELECT min(id) FROM block WHERE community_code = $1")
        .bind(COMMUNITY)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let before = app.fingerprint().await;
    let accounts_before: i64 = sqlx::query_scalar("SELECT count(*) FROM account").fetch_one(&app.pool).await.unwrap();
    let bow_tie = json!({ "type": "Polygon", "coordinates": [[[118.9, 31.8], [118.91, 31.81], [118.91, 31.8], [118.9, 31.81], [118.9, 31.8]]] });
    let import = format!("{PLANS}/import");
    let public = app.public();
    let cases: Vec<(&wangge_tests::Caller, String, Value, u16, &str)> = vec![
        (
            &app.caller,
            import.clone(),
            json!({ "layer": { "type": "FeatureCollection", "features": [{ "type": "Feature", "properties": {}, "geometry": { "type": "Polygon", "coordinates": [[1, 2]] } }] } }),
            422,
            "invalid_geometry",
        ),
        (
            &app.caller,
            import.clone(),
            json!({ "layer": { "type": "FeatureCollection", "features": [{ "type": "Feature", "properties": {}, "geometry": bow_tie }] } }),
            422,
            "invalid_geometry",
        ),
        (
            &app.caller,
            import.clone(),
            json!({ "layer": { "type": "FeatureCollection", "features": [{ "type": "Feature", "properties": {}, "geometry": square(190.0, 31.8, 0.01) }] } }),
            422,
            "invalid_geometry",
        ),
        (&app.caller, import.clone(), json!({ "layer": "not a layer" }), 422, "invalid_geometry"),
        (&app.caller, import, json!({ "layer": {}, "owner": "me" }), 400, "bad_json"),
        (
            &app.caller,
            format!("/api/blocks/{block}/split"),
            json!({ "line": { "type": "LineString", "coordinates": [[118.9, 95.0], [118.91, 31.8]] } }),
            400,
            "bad_coordinates",
        ),
        (&app.caller, "/api/blocks/99999999/split".to_owned(), json!({}), 404, "not_found"),
        (
            &admin,
            "/api/accounts".to_owned(),
            json!({ "username": "x y", "display_name": "x", "role": "planner", "scope": { "district": "990101" }, "password": "Str0ng-enough" }),
            422,
            "bad_username",
        ),
        (
            &admin,
            "/api/accounts".to_owned(),
            json!({ "username": "xy1", "display_name": "x", "role": "root", "scope": { "district": "990101" }, "password": "Str0ng-enough" }),
            422,
            "bad_role",
        ),
        (
            &admin,
            "/api/accounts".to_owned(),
            json!({ "username": "xy1", "display_name": "x", "role": "planner", "scope": { "planet": "earth" }, "password": "Str0ng-enough" }),
            422,
            "bad_scope",
        ),
        (
            &admin,
            "/api/residents".to_owned(),
            json!({ "name": "张三", "id_card": "320115199001011235", "building_id": 1 }),
            422,
            "bad_id_card",
        ),
        (
            &admin,
            "/api/residents".to_owned(),
            json!({ "name": "张三", "id_card": "320115199001011234", "phone": "call me", "building_id": 1 }),
            422,
            "bad_phone",
        ),
        (&admin, "/api/residents/99999999/reveal".to_owned(), json!({}), 404, "not_found"),
        (&public, "/api/session".to_owned(), json!({ "username": "admin" }), 400, "bad_json"),
    ];
    for (caller, path, body, status, code) in cases {
        let (s, b) = caller.post(&path, &body).await;
        assert_eq!((s, b["error"].as_str()), (status, Some(code)), "{path} {body} → {b}");
        assert!(b["message"].as_str().is_some_and(|m| !m.is_empty()), "a reason is given: {b}");
        // The code is one the web app knows (it compiles against the same list).
        serde_json::from_value::<ErrorBody>(b.clone()).expect("a typed error answer");
    }
    // a stale or foreign plan, unknown ids and formats
    let (s, b) = app.put(&format!("/api/plans/{plan}"), &json!({ "grids": [], "revision": 1 })).await;
    assert_eq!((s, b["error"].as_str()), (409, Some("not_a_draft")));
    let (s, b) = app.get(&format!("/api/plans/{plan}/diff?against={other_plan}")).await;
    assert_eq!((s, b["error"].as_str()), (422, Some("other_community")), "{b}");
    assert_eq!(app.get("/api/plans/99999999/diff").await.0, 404);
    assert_eq!(app.get(&format!("/api/plans/{plan}/export?format=dwg")).await.0, 400);
    assert_eq!(admin.put("/api/accounts/99999999", &json!({ "disabled": true })).await.0, 404);
    // huge bodies, including to the routes whose body the guard reads to place the request
    let huge = format!(
        "{{\"kind\": \"place\", \"name\": \"{}\", \"lon\": 118.9, \"lat\": 31.85}}",
        "x".repeat(9 * 1024 * 1024)
    );
    for path in ["/api/elements", "/api/communities/990101001001/plans/import"] {
        let (s, b) = app.post_raw(path, "application/json", huge.clone().into_bytes()).await;
        assert_eq!((s, b["error"].as_str()), (413, Some("body_too_large")), "{path}");
    }
    assert_eq!(app.fingerprint().await, before, "nothing stored changed");
    let accounts_after: i64 = sqlx::query_scalar("SELECT count(*) FROM account").fetch_one(&app.pool).await.unwrap();
    assert_eq!(accounts_after, accounts_before);
}
