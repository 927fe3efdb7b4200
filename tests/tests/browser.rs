//! The map app in real headless Chromium (playwright-core) against the real server on a fresh PostGIS database.
//! Needs the built app (`bin/build-web`, which `bin/test` runs first) and Debian's chromium.

use std::process::Command;

use serde_json::{json, Value};
use wangge_domain::access::{Role, Scope};
use wangge_tests::{workspace, TestApp, TEST_PASSWORD};

#[tokio::test]
async fn map_renders_searches_locates_and_the_public_map_shows_nothing_private() {
    let root = workspace();
    assert!(root.join("web/dist/index.html").exists(), "the web app is not built: run bin/build-web (bin/test does)");
    let app = TestApp::spawn_with_demo().await;
    // The grids the browser looks for (staff data, handed to the script), and a grid worker for the first one.
    let (_, current) = app.get("/api/communities/990101001001/grids").await;
    let natural: Vec<&Value> =
        current["grids"]["features"].as_array().unwrap().iter().map(|f| &f["properties"]).filter(|p| p["kind"] == "natural").collect();
    let (target, other) = (natural[0], natural[1]);
    let code = target["code"].as_str().unwrap();
    app.sign_in_as("zhang.wei", Role::GridWorker, Scope::Grids([code.parse().unwrap()].into())).await;
    let fixture = json!({
        "target": { "code": code, "households": target["households"] },
        "other": { "code": other["code"] },
        "username": "planner",
        "password": TEST_PASSWORD,
        "worker": "zhang.wei",
    });
    // a resident with personal data the public map must never show
    let admin = app.sign_in_as("admin", Role::DistrictAdmin, Scope::District("990101".parse().unwrap())).await;
    let building: i64 = sqlx::query_scalar("SELECT id FROM building WHERE households > 0 LIMIT 1").fetch_one(&app.pool).await.unwrap();
    let (s, body) = admin
        .post("/api/residents", &json!({ "name": "测试居民甲", "id_card": "320115198807071231", "phone": "13912345678", "building_id": building }))
        .await;
    assert_eq!(s, 201, "{body}");
    let artifacts = root.join("artifacts/browser");
    let address = app.address.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(root.join("tests/browser/map.test.mjs"))
            .arg(&address)
            .arg(&artifacts)
            .arg(fixture.to_string())
            .args(["测试居民甲", "320115198807071231", "13912345678"])
            .output()
            .expect("node runs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(out.status.success(), "browser checks failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("all browser checks passed"));
}
