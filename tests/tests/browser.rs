//! The map app in real headless Chromium (playwright-core) against the real server on a fresh PostGIS database.
//! Needs the built app (`bin/build-web`, which `bin/test` runs first) and Debian's chromium.

use std::process::Command;

use serde_json::{json, Value};
use wangge_domain::access::{Role, Scope};
use wangge_tests::{workspace, TestApp, TEST_PASSWORD};

/// Held while a browser script runs: the tests prepare their servers and data side by side, and drive Chromium in
/// turn.
static BROWSER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The block the editor test moves, its grids and where to click: block id, households, interior point, grid A's
/// key and code, grid B's key and code, a neighbour in A, its households and points.
type EditTarget = (i64, i32, f64, f64, String, String, String, String, i64, i32, f64, f64, f64, f64);

#[tokio::test]
async fn map_renders_searches_locates_and_the_public_map_shows_nothing_private() {
    let root = workspace();
    assert!(root.join("web/dist/index.html").exists(), "the web app is not built: run bin/build-web (bin/test does)");
    let app = TestApp::spawn_with_demo().await;
    // The grids the browser looks for (staff data, handed to the script), and a grid worker for the first one.
    let (_, current) = app.get("/api/communities/990101001001/grids").await;
    let natural: Vec<&Value> = current["grids"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["properties"])
        .filter(|p| p["kind"] == "natural")
        .collect();
    let (target, other) = (natural[0], natural[1]);
    let code = target["code"].as_str().unwrap();
    app.sign_in_as("zhang.wei", Role::GridWorker, Scope::Grids([code.parse().unwrap()].into())).await;
    let fixture = json!({
        "target": { "code": code, "households": target["households"] },
        "other": { "code": other["code"] },
        "username": "planner",
        "password": TEST_PASSWORD,
        "worker": "zhang.wei",
        "admin": "admin",
        "district": "990101",
    });
    // a resident with personal data the public map must never show
    let admin = app.sign_in_as("admin", Role::DistrictAdmin, Scope::District("990101".parse().unwrap())).await;
    let building: i64 = sqlx::query_scalar(
        "SELECT b.id FROM building b JOIN grid_block gb ON gb.block_id = b.block_id JOIN grid g ON g.id = gb.grid_id
         JOIN plan p ON p.id = g.plan_id WHERE g.code = $1 AND p.status = 'published' AND p.valid_to IS NULL ORDER BY b.id LIMIT 1",
    )
    .bind(code)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let (s, body) = admin
        .post("/api/residents", &json!({ "name": "测试居民甲", "id_card": "320115198807071231", "phone": "13912345678", "building_id": building }))
        .await;
    assert_eq!(s, 201, "{body}");
    let secrets = ["测试居民甲", "320115198807071231", "13912345678"];
    let stdout = run_script("map.test.mjs", &app, &fixture, &secrets).await;
    assert!(stdout.contains("all browser checks passed"));
}

/// Run a browser script of `tests/browser/` against the app (base URL, artifacts folder, fixture JSON, extra
/// arguments); fails the test with its output when it fails, else returns what it printed.
async fn run_script(script: &str, app: &TestApp, fixture: &Value, extra: &[&str]) -> String {
    let root = workspace();
    let mut command = Command::new("node");
    command
        .arg(root.join("tests/browser").join(script))
        .arg(&app.address)
        .arg(root.join("artifacts/browser"))
        .arg(fixture.to_string());
    command.args(extra);
    let out = tokio::task::spawn_blocking(move || {
        // one Chromium at a time: five at once on two cores starve each page's first map load
        let _turn = BROWSER.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        command.output().expect("node runs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(out.status.success(), "{script} failed:\n{stdout}\n{stderr}");
    stdout
}

/// The planner's grid editor driven by real mouse gestures: paint, undo/redo, brush, border drag, lasso, a gap
/// refused at publish and highlighted, a concurrent publish detected and rebased, split then assign part of a block,
/// export → import round trip.
#[tokio::test]
async fn grid_editor_paints_undoes_publishes_and_round_trips() {
    let root = workspace();
    assert!(root.join("web/dist/index.html").exists(), "the web app is not built: run bin/build-web (bin/test does)");
    let app = TestApp::spawn_with_demo().await;
    app.sign_in_as("planner2", Role::Planner, Scope::District("990101".parse().unwrap())).await;
    let community = "990101001001";
    // A block of natural grid A that borders natural grid B, with a neighbour in A, in the plan in force.
    let row: EditTarget = sqlx::query_as(
        "WITH cur AS (SELECT id FROM plan WHERE community_code = $1 AND status = 'published' AND valid_to IS NULL),
              own AS (SELECT gb.block_id, g.key, g.code, g.kind FROM grid_block gb JOIN grid g ON g.id = gb.grid_id
                      WHERE gb.plan_id = (SELECT id FROM cur)),
              pairs AS (SELECT a, b FROM block_adjacency UNION ALL SELECT b, a FROM block_adjacency)
         SELECT x.id, x.households, ST_X(ST_PointOnSurface(x.geom)), ST_Y(ST_PointOnSurface(x.geom)),
                oa.key, oa.code, ob.key, ob.code, n.id, n.households, ST_X(ST_PointOnSurface(n.geom)), ST_Y(ST_PointOnSurface(n.geom)),
                ST_X(ST_PointOnSurface(bb.geom)), ST_Y(ST_PointOnSurface(bb.geom))
         FROM block x JOIN own oa ON oa.block_id = x.id
              JOIN pairs p ON p.a = x.id JOIN own ob ON ob.block_id = p.b AND ob.key <> oa.key JOIN block bb ON bb.id = p.b
              JOIN pairs q ON q.a = x.id JOIN own on_ ON on_.block_id = q.b AND on_.key = oa.key JOIN block n ON n.id = q.b
         WHERE oa.kind = 'natural' AND ob.kind = 'natural' AND x.households > 0 AND n.households > 0
         ORDER BY x.households DESC, x.id LIMIT 1",
    )
    .bind(community)
    .fetch_one(&app.pool)
    .await
    .expect("a border block");
    let b_block: i64 = sqlx::query_scalar(
        "SELECT id FROM block WHERE NOT retired AND ST_Intersects(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) LIMIT 1",
    )
    .bind(row.12)
    .bind(row.13)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let grids: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM grid g JOIN plan p ON p.id = g.plan_id WHERE p.community_code = $1 AND p.status = 'published' AND p.valid_to IS NULL",
    )
    .bind(community)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    // a small block of several buildings, away from the blocks the earlier steps edit
    let small: (i64, f64, f64) = sqlx::query_as(
        "SELECT id, ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM block b
         WHERE community_code = $1 AND NOT retired AND households BETWEEN 1 AND 150 AND id NOT IN ($2, $3, $4)
           AND (SELECT count(*) FROM building WHERE block_id = b.id) > 1
         ORDER BY households DESC, id LIMIT 1",
    )
    .bind(community)
    .bind(row.0)
    .bind(row.8)
    .bind(b_block)
    .fetch_one(&app.pool)
    .await
    .expect("a small block");
    let label = |code: &str| code[code.len() - 3..].to_owned();
    let fixture = json!({
        "community": community,
        "grids": grids,
        "block": { "id": row.0, "households": row.1, "x": row.2, "y": row.3 },
        "a": { "key": row.4, "code": row.5, "label": label(&row.5) },
        "b": { "key": row.6, "code": row.7, "label": label(&row.7) },
        "neighbour": { "id": row.8, "households": row.9, "x": row.10, "y": row.11 },
        "b_block": { "id": b_block, "x": row.12, "y": row.13 },
        "small": { "id": small.0, "x": small.1, "y": small.2 },
        "username": "planner",
        "other_username": "planner2",
        "password": TEST_PASSWORD,
    });
    let stdout = run_script("editor.test.mjs", &app, &fixture, &[]).await;
    assert!(stdout.contains("all editor checks passed"));
}

/// The closed case loop in the browser: a grid worker reports with a photo on a phone-sized screen, the street
/// center accepts, files and dispatches, the department handles it with an after-photo, the worker verifies, and
/// the timeline shows every step.
#[tokio::test]
async fn a_case_runs_the_closed_loop_in_the_browser() {
    let root = workspace();
    assert!(root.join("web/dist/index.html").exists(), "the web app is not built: run bin/build-web (bin/test does)");
    let app = TestApp::spawn_with_demo().await;
    if !app.load_catalogue().await {
        return;
    }
    let community = "990101001001";
    app.sign_in_as("worker.li", Role::GridWorker, Scope::Community(community.parse().unwrap())).await;
    let street =
        app.sign_in_as("street.wang", Role::StreetOperator, Scope::Street(community[..9].parse().unwrap())).await;
    // Two hotline cases already filed, for the desk's bulk dispatch.
    let at = app.interior_point(community).await;
    for i in 0..2 {
        let body = json!({ "category": "E09001", "channel": "hotline", "lon": at.0 + 0.001 * f64::from(i), "lat": at.1,
                           "description": format!("热线反映 {i}") });
        let (s, b) = street.post("/api/cases", &body).await;
        assert_eq!(s, 201, "{b}");
        let id = b["case"]["id"].as_i64().unwrap();
        for action in ["accept", "file"] {
            assert_eq!(street.post(&format!("/api/cases/{id}/actions"), &json!({ "action": action })).await.0, 200);
        }
    }
    app.sign_in_as("dept.chen", Role::DepartmentHandler, Scope::Department("城管".to_owned().try_into().unwrap()))
        .await;
    let dir = std::env::temp_dir().join(format!("wangge-photos-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let photo = |name: &str, seed: u8| {
        let img = image::RgbImage::from_fn(480, 360, |x, y| image::Rgb([(x / 3) as u8 ^ seed, (y / 2) as u8, 120]));
        let path = dir.join(name);
        img.save(&path).unwrap();
        path.to_string_lossy().into_owned()
    };
    let fixture = json!({
        "worker": "worker.li",
        "street": "street.wang",
        "dept": "dept.chen",
        "password": TEST_PASSWORD,
        "category": "E06001",
        "at": [at.0, at.1],
        "photo": photo("before.png", 1),
        "after_photo": photo("after.png", 2),
    });
    let stdout = run_script("cases.test.mjs", &app, &fixture, &[]).await;
    assert!(stdout.contains("all case checks passed"));
}

/// The density view in the browser: bins over a year of generated cases, the window changing them, hot spots with
/// their legend, the busiest communities, the English switch.
#[tokio::test]
async fn the_density_view_shows_bins_hot_spots_and_the_busiest_communities() {
    let root = workspace();
    assert!(root.join("web/dist/index.html").exists(), "the web app is not built: run bin/build-web (bin/test does)");
    let app = TestApp::spawn_with_demo().await;
    assert!(app.load_catalogue().await, "the catalogue data is needed");
    wangge_server::import::demo_cases::generate_cases(&app.pool, "990101", 2000, &app.state.calendar()).await.unwrap();
    app.state.incidents.catch_up(&app.pool).await.unwrap();
    app.sign_in_as("center.zhao", Role::StreetOperator, Scope::District("990101".parse().unwrap())).await;
    // The district publishes its density on the public map (the script looks at it last).
    let admin = app.sign_in_as("admin", Role::DistrictAdmin, Scope::District("990101".parse().unwrap())).await;
    assert_eq!(admin.put("/api/density/published", &json!({ "enabled": true })).await.0, 200);
    let bbox: (f64, f64, f64, f64) = sqlx::query_as(
        "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom)::geometry AS e FROM cases) x",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let fixture = json!({ "user": "center.zhao", "password": TEST_PASSWORD, "bbox": [bbox.0, bbox.1, bbox.2, bbox.3] });
    let stdout = run_script("density.test.mjs", &app, &fixture, &[]).await;
    assert!(stdout.contains("all density checks passed"));
}

/// A resident on a phone, no account: reports a problem with a photo, sees the hint of the same problem reported
/// nearby, gets the tracking page; the offices accept, dispatch, handle and verify; the tracking page shows each
/// step and the resident rates the result. The page reaches nothing but our own server.
#[tokio::test]
async fn a_resident_reports_follows_and_rates_in_the_browser() {
    let root = workspace();
    assert!(root.join("web/dist/index.html").exists(), "the web app is not built: run bin/build-web (bin/test does)");
    let app = TestApp::spawn_with_demo().await;
    assert!(app.load_catalogue().await, "the catalogue data is needed");
    let community = "990101001001";
    app.sign_in_as("worker.li", Role::GridWorker, Scope::Community(community.parse().unwrap())).await;
    app.sign_in_as("street.wang", Role::StreetOperator, Scope::Street(community[..9].parse().unwrap())).await;
    app.sign_in_as("dept.chen", Role::DepartmentHandler, Scope::Department("城管".to_owned().try_into().unwrap()))
        .await;
    // A neighbour reported the same problem a moment ago, a few metres away.
    let at = app.interior_point(community).await;
    let (s, b) = app
        .public()
        .post(
            "/api/public/reports",
            &json!({ "device": "neighbour-device-1", "service": "road_damage", "lon": at.0 + 0.0002, "lat": at.1,
                     "description": "路面有坑" }),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let dir = std::env::temp_dir().join(format!("wangge-public-photos-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let photo = dir.join("pothole.png");
    // A checkerboard over a gradient: pixelation shows in the screenshots.
    image::RgbImage::from_fn(2400, 1800, |x, y| {
        let square = if (x / 60 + y / 60) % 2 == 0 { 230 } else { 30 };
        image::Rgb([square, (x / 9) as u8, (y / 7) as u8])
    })
    .save(&photo)
    .unwrap();
    let fixture = json!({
        "worker": "worker.li",
        "street": "street.wang",
        "dept": "dept.chen",
        "password": TEST_PASSWORD,
        "at": [at.0, at.1],
        "photo": photo.to_string_lossy(),
    });
    let stdout = run_script("public.test.mjs", &app, &fixture, &[]).await;
    assert!(stdout.contains("all public checks passed"));
}
