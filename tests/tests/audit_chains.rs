//! One audit chain per district: each district's entries are numbered and linked among themselves, an admin reads
//! and verifies their own district's chain (and the shared one), never another's, and an entry or a whole chain
//! moved to another district is detected.

use serde_json::json;
use wangge_domain::access::{Role, Scope};
use wangge_server::audit::{verify_all, SHARED_CHAIN};
use wangge_tests::{TestApp, TEST_DISTRICT};

const OTHER: &str = "990102";

#[tokio::test]
async fn each_district_keeps_its_own_chain() {
    let app = TestApp::spawn_with_demo().await;
    sqlx::query("INSERT INTO district (code, name) VALUES ($1, '乙区')").bind(OTHER).execute(&app.pool).await.unwrap();
    let district = |code: &str| Scope::District(code.parse().unwrap());
    let ours = app.sign_in_as("admin-a", Role::DistrictAdmin, district(TEST_DISTRICT)).await;
    let theirs = app.sign_in_as("admin-b", Role::DistrictAdmin, district(OTHER)).await;
    for (admin, name, code) in
        [(&ours, "zhou.yi", TEST_DISTRICT), (&theirs, "wu.er", OTHER), (&ours, "zheng.san", TEST_DISTRICT)]
    {
        let account = json!({ "username": name, "display_name": name, "role": "planner",
                              "scope": { "district": code }, "password": "Str0ng-enough" });
        let (s, b) = admin.post("/api/accounts", &account).await;
        assert_eq!(s, 201, "{b}");
    }
    app.chained().await;

    // Each chain is numbered from 1 without gaps, and holds its own district's writes only.
    let chains: Vec<(String, i64, i64, i64, Vec<String>)> = sqlx::query_as(
        "SELECT district_code, count(*), min(seq), max(seq),
                array_agg(after->>'username' ORDER BY seq) FILTER (WHERE action = 'POST /api/accounts')
         FROM audit_log GROUP BY 1 ORDER BY 1",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let of = |code: &str| chains.iter().find(|c| c.0 == code).unwrap_or_else(|| panic!("{code}: {chains:?}")).clone();
    let (_, n, first, last, created) = of(TEST_DISTRICT);
    assert_eq!((first, last), (1, n), "{chains:?}");
    assert_eq!(created, ["zhou.yi", "zheng.san"]);
    let (_, n, first, last, created) = of(OTHER);
    assert_eq!((first, last, created.as_slice()), (1, n, &["wu.er".to_owned()][..]), "{chains:?}");

    // An admin reads their own chain, and the shared one, never another district's.
    let (s, log) = ours.get("/api/audit?limit=100").await;
    assert_eq!(s, 200, "{log}");
    let log = log.as_array().unwrap();
    assert!(log.iter().all(|e| e["chain"] == TEST_DISTRICT) && log.iter().any(|e| e["after"]["username"] == "zhou.yi"));
    assert!(!log.iter().any(|e| e["after"]["username"] == "wu.er"));
    let (s, b) = ours.get(&format!("/api/audit?chain={OTHER}")).await;
    assert_eq!((s, b["error"].as_str()), (403, Some("outside_scope")), "{b}");
    assert_eq!(ours.get(&format!("/api/audit/verify?chain={OTHER}")).await.0, 403);
    assert_eq!(ours.get(&format!("/api/audit?chain={SHARED_CHAIN}")).await.0, 200);
    // a chain that is no district's code, or an unknown parameter, is refused with its reason
    let (s, b) = ours.get("/api/audit?chain=abc").await;
    assert_eq!((s, b["error"].as_str()), (403, Some("outside_scope")), "{b}");
    let (s, b) = ours.get("/api/audit/verify?district=990101").await;
    assert_eq!((s, b["error"].as_str()), (400, Some("bad_query")), "{b}");
    for admin in [&ours, &theirs] {
        let (_, chain) = admin.get("/api/audit/verify").await;
        assert_eq!(chain["intact"], true, "{chain}");
        assert_eq!(chain["anchor"]["hash"], chain["head"], "each chain has its anchored head: {chain}");
    }
    let (_, chain) = theirs.get("/api/audit/verify").await;
    assert_eq!((chain["chain"].as_str(), chain["entries"].as_i64()), (Some(OTHER), Some(n)), "{chain}");

    // A superuser moves the other district's chain under a third code: the moved chain no longer links (its first
    // entry linked to its own district), and the chain it left is cut short against its anchor.
    sqlx::query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only").execute(&app.pool).await.unwrap();
    sqlx::query("INSERT INTO district (code, name) VALUES ('990103', '丙区')").execute(&app.pool).await.unwrap();
    sqlx::query("UPDATE audit_log SET district_code = '990103' WHERE district_code = $1")
        .bind(OTHER)
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only").execute(&app.pool).await.unwrap();
    let all = verify_all(&app.pool, &app.state.security.audit_head).await.unwrap();
    let found = |code: &str| all.iter().find(|v| v.chain == code).unwrap_or_else(|| panic!("{code}: {all:?}"));
    assert_eq!((found("990103").first_broken, found("990103").reason.as_deref()), (Some(1), Some("link")));
    assert_eq!(found(OTHER).reason.as_deref(), Some("truncated"), "{all:?}");
    assert!(found(TEST_DISTRICT).intact && found(SHARED_CHAIN).intact, "{all:?}");
}
