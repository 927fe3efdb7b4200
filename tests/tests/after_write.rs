//! The one after-write path: a write and its audit entry commit together or not at all, and the views the write
//! touched (tiles, locate cache) show it at once.

use serde_json::json;
use wangge_tests::TestApp;
use wangge_tiles::TileId;

const COMMUNITY: &str = "990101001001";

/// The names of the features of `layer` in the tile at (lon, lat), z18, for the signed-in caller.
async fn names_in_tile(app: &TestApp, layer: &str, lon: f64, lat: f64) -> Vec<String> {
    let t = TileId::containing(lon, lat, 18);
    let r = app.request(reqwest::Method::GET, &format!("/tiles/all/{}/{}/{}", t.z, t.x, t.y)).send().await.unwrap();
    let reader = mvt_reader::Reader::new(r.bytes().await.unwrap().to_vec()).unwrap();
    let names = reader.get_layer_names().unwrap();
    let Some(ix) = names.iter().position(|n| n == layer) else { return Vec::new() };
    reader
        .get_features(ix)
        .unwrap()
        .into_iter()
        .filter_map(|f| match f.properties?.get("name")? {
            mvt_reader::feature::Value::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_new_element_shows_in_its_tile_at_once() {
    let app = TestApp::spawn_with_demo().await;
    let (lon, lat) = app.interior_point(COMMUNITY).await;
    // Fetch the tile first, so a stale cached copy would be served if nothing evicted it.
    assert!(!names_in_tile(&app, "elements", lon, lat).await.contains(&"新修的公厕".to_owned()));
    let (s, b) =
        app.post("/api/elements", &json!({ "kind": "place", "name": "新修的公厕", "lon": lon, "lat": lat })).await;
    assert_eq!(s, 201, "{b}");
    let names = names_in_tile(&app, "elements", lon, lat).await;
    assert!(names.contains(&"新修的公厕".to_owned()), "{names:?}");
}

#[tokio::test]
async fn a_split_block_shows_in_the_block_tiles_at_once() {
    let app = TestApp::spawn_with_demo().await;
    let block = app.first_block(COMMUNITY).await;
    let (lon, lat): (f64, f64) =
        sqlx::query_as("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM block WHERE id = $1) s")
            .bind(block)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let t = TileId::containing(lon, lat, 16);
    let path = format!("/tiles/blocks/{}/{}/{}", t.z, t.x, t.y);
    let count = |bytes: Vec<u8>| {
        let reader = mvt_reader::Reader::new(bytes).unwrap();
        reader.get_features(0).map(|f| f.len()).unwrap_or(0)
    };
    let before = count(app.request(reqwest::Method::GET, &path).send().await.unwrap().bytes().await.unwrap().to_vec());
    let (s, b) = app.post(&format!("/api/blocks/{block}/split"), &json!({})).await;
    assert_eq!(s, 200, "{b}");
    let cells = b["cells"].as_array().unwrap().len();
    assert!(cells > 1, "{b}");
    let after = count(app.request(reqwest::Method::GET, &path).send().await.unwrap().bytes().await.unwrap().to_vec());
    assert!(after > before, "the tile shows the building cells: {before} → {after} blocks");
}

#[tokio::test]
async fn a_write_whose_audit_entry_fails_is_rolled_back_with_it() {
    let app = TestApp::spawn_with_demo().await;
    let (plan, _) = app.plan_in_force(COMMUNITY).await;
    let draft = app.new_draft(COMMUNITY).await;
    let (lon, lat) = app.interior_point(COMMUNITY).await;
    let count = |sql: &'static str| {
        let pool = app.pool.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool).await.unwrap() }
    };
    let entries = count("SELECT count(*) FROM audit_log").await;
    let elements = count("SELECT count(*) FROM element").await;

    // Inject a failure between the write and its audit entry: the log refuses the next appends.
    sqlx::query(
        "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN RAISE EXCEPTION 'injected audit failure'; END $$",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_pending FOR EACH ROW EXECUTE FUNCTION refuse_audit()",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let (s, _) = app.post(&format!("/api/plans/{draft}/publish"), &json!({})).await;
    assert_eq!(s, 500);
    let (s, _) =
        app.post("/api/elements", &json!({ "kind": "place", "name": "不该留下", "lon": lon, "lat": lat })).await;
    assert_eq!(s, 500);
    let status: String =
        sqlx::query_scalar("SELECT status FROM plan WHERE id = $1").bind(draft).fetch_one(&app.pool).await.unwrap();
    assert_eq!(status, "draft", "the publish was rolled back with its audit entry");
    assert_eq!(count("SELECT count(*) FROM element").await, elements, "so was the element");
    assert_eq!(count("SELECT count(*) FROM audit_log").await, entries);
    let (_, in_force) = app.get(&format!("/api/communities/{COMMUNITY}/grids")).await;
    assert_eq!(in_force["plan"]["id"].as_i64(), Some(plan), "the locate cache and tiles still show the old plan");

    // With the log working again, the same publish goes through, with its entry.
    sqlx::query("DROP TRIGGER refuse_audit ON audit_pending").execute(&app.pool).await.unwrap();
    let (s, b) = app.post(&format!("/api/plans/{draft}/publish"), &json!({})).await;
    assert_eq!(s, 200, "{b}");
    let logged: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'POST /api/plans/{id}/publish' AND target = $1",
    )
    .bind(format!("plan {draft}"))
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(logged, 1);
}
