//! Partner applications: a district admin issues a key (shown once, stored as a digest), the application calls the
//! public routes with it on a rate budget of its own, cannot reach staff routes, and a revoked key stops at once.

use reqwest::Method;
use serde_json::{json, Value};
use wangge_api::clients::{ApiClient, IssuedKey};
use wangge_api::error::{ErrorBody, ErrorCode};
use wangge_domain::access::{Role, Scope};
use wangge_tests::{Caller, TestApp};

async fn with_key(caller: &Caller, path: &str, key: &str) -> (u16, Value) {
    let r = caller.request(Method::GET, path).header("x-api-key", key).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_partner_key_works_on_public_routes_until_revoked() {
    // Five anonymous requests a minute per address (the sign-ins take some of them).
    let app = TestApp::spawn_with_public_rate(5).await;
    sqlx::query("INSERT INTO district (code, name) VALUES ('990101', '甲区'), ('990102', '乙区')")
        .execute(&app.pool)
        .await
        .unwrap();
    let admin = app.sign_in_as("admin", Role::DistrictAdmin, Scope::District("990101".parse().unwrap())).await;
    let other = app.sign_in_as("admin-b", Role::DistrictAdmin, Scope::District("990102".parse().unwrap())).await;
    let (s, b) = admin.post("/api/api-clients", &json!({ "name": "市民通 App" })).await;
    assert_eq!(s, 201, "{b}");
    let issued: IssuedKey = serde_json::from_value(b).unwrap();
    assert_eq!(issued.api_key.len(), 64);
    let (_, list) = admin.get("/api/api-clients").await;
    assert!(!list.to_string().contains(&issued.api_key), "the key is never listed");
    let logged: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE after::text LIKE '%' || $1 || '%'")
        .bind(&issued.api_key)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(logged, 0, "nor written to the audit log");
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM api_client WHERE key_digest = convert_to($1, 'UTF8')")
        .bind(&issued.api_key)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored, 0, "only a digest is stored");

    // The anonymous budget of this address runs out; the partner's own budget does not go with it.
    let public = app.public();
    let mut statuses = Vec::new();
    while statuses.last() != Some(&429) && statuses.len() < 10 {
        statuses.push(public.get("/api/districts").await.0);
    }
    assert_eq!(statuses.last(), Some(&429), "the address's budget runs out: {statuses:?}");
    let (s, b) = with_key(&public, "/api/session", &issued.api_key).await;
    assert_eq!((s, b["client"]["name"].as_str()), (200, Some("市民通 App")));
    assert_eq!(with_key(&public, "/api/districts", &issued.api_key).await.0, 200);
    // Staff routes are not for partners.
    let (s, b) = with_key(&public, "/api/cases", &issued.api_key).await;
    assert_eq!((s, serde_json::from_value::<ErrorBody>(b).unwrap().error), (403, ErrorCode::Forbidden));
    // A wrong key is refused, not treated as anonymous.
    let (s, b) = with_key(&public, "/api/districts", &"0".repeat(64)).await;
    assert_eq!((s, serde_json::from_value::<ErrorBody>(b).unwrap().error), (401, ErrorCode::BadApiKey));
    // Another district's admin cannot revoke it; its own admin can, and the key stops at once.
    let revoke = format!("/api/api-clients/{}/revoke", issued.client.id);
    assert_eq!(other.post(&revoke, &json!({})).await.0, 404);
    let (s, b) = admin.post(&revoke, &json!({})).await;
    assert_eq!(s, 200, "{b}");
    assert!(serde_json::from_value::<ApiClient>(b).unwrap().revoked_at.is_some());
    assert_eq!(with_key(&public, "/api/session", &issued.api_key).await.0, 401);
}
