//! What the grid editor relies on: saves that never silently overwrite someone else's (revisions), the diff between
//! versions, and plans in and out (GeoJSON and CSV export, import from a layer of grid polygons).

use std::collections::HashMap;

use serde_json::{json, Value};
use wangge_tests::TestApp;

const COMMUNITY: &str = "990101001001";

fn grids_of(plan: &Value) -> Vec<Value> {
    plan["grids"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| json!({ "key": f["properties"]["key"], "kind": f["properties"]["kind"], "blocks": f["properties"]["blocks"] }))
        .collect()
}

fn assignment(plan: &Value) -> HashMap<i64, String> {
    plan["grids"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| {
            let key = f["properties"]["key"].as_str().unwrap().to_owned();
            f["properties"]["blocks"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |b| (b.as_i64().unwrap(), key.clone()))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[tokio::test]
async fn a_save_from_an_old_revision_is_refused_and_the_diff_counts_moved_households() {
    let app = TestApp::spawn_with_demo().await;
    let (_, current) = app.get(&format!("/api/communities/{COMMUNITY}/grids")).await;
    let published = current["plan"]["id"].as_i64().unwrap();
    let (s, created) = app
        .post(
            &format!("/api/communities/{COMMUNITY}/plans"),
            &json!({ "grids": grids_of(&current), "based_on": published }),
        )
        .await;
    assert_eq!(s, 201, "{created}");
    let draft = created["plan"]["id"].as_i64().unwrap();
    let revision = created["plan"]["revision"].as_i64().unwrap();

    // Move the first block of grid 0 into grid 1 (both natural), saving from the current revision.
    let mut grids = grids_of(&current);
    let moved = grids[0]["blocks"].as_array_mut().unwrap().remove(0);
    grids[1]["blocks"].as_array_mut().unwrap().push(moved.clone());
    let (s, saved) = app
        .put(&format!("/api/plans/{draft}"), &json!({ "grids": grids, "based_on": published, "revision": revision }))
        .await;
    assert_eq!(s, 200, "{saved}");
    assert_eq!(saved["plan"]["revision"].as_i64(), Some(revision + 1));

    // A second editor still on the old revision is refused, and the first editor's save stands.
    let (s, refused) = app
        .put(
            &format!("/api/plans/{draft}"),
            &json!({ "grids": grids_of(&current), "based_on": published, "revision": revision }),
        )
        .await;
    assert_eq!((s, refused["error"].as_str()), (409, Some("stale_revision")), "{refused}");
    assert_eq!(refused["details"]["current_revision"].as_i64(), Some(revision + 1));
    let (_, stored) = app.get(&format!("/api/plans/{draft}")).await;
    assert_eq!(assignment(&stored)[&moved.as_i64().unwrap()], grids[1]["key"].as_str().unwrap());

    // The diff against the published version: exactly that block, with its households.
    let households: i32 = sqlx::query_scalar("SELECT households FROM block WHERE id = $1")
        .bind(moved.as_i64().unwrap())
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (s, d) = app.get(&format!("/api/plans/{draft}/diff")).await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["against"].as_i64(), Some(published));
    assert_eq!(d["diff"]["moved"].as_array().unwrap().len(), 1);
    assert_eq!(d["diff"]["moved"][0]["block"], moved);
    assert_eq!(d["diff"]["moved"][0]["from"], grids[0]["key"]);
    assert_eq!(d["diff"]["households_moved"].as_i64(), Some(households as i64));
}

#[tokio::test]
async fn export_then_import_round_trips_a_plan_and_reports_gaps() {
    let app = TestApp::spawn_with_demo().await;
    let (_, current) = app.get(&format!("/api/communities/{COMMUNITY}/grids")).await;
    let published = current["plan"]["id"].as_i64().unwrap();
    let original = assignment(&current);

    let (s, layer) = app.get(&format!("/api/plans/{published}/export?format=geojson")).await;
    assert_eq!(s, 200);
    let features = layer["features"].as_array().unwrap();
    assert_eq!(features.len(), current["grids"]["features"].as_array().unwrap().len());
    assert!(features.iter().all(|f| f["properties"]["code"].as_str().is_some_and(|c| c.len() == 15)
        && f["properties"]["households"].is_number()));
    let (s, csv) = app.get_text(&format!("/api/plans/{published}/export?format=csv")).await;
    assert_eq!(s, 200);
    assert_eq!(csv.lines().count(), original.len() + 1, "a header and one line per block");
    assert!(csv.starts_with("block_id,grid_key,grid_code,households"));

    // Import the exported layer: every block back in the grid of the same key, none between or across.
    let (s, imported) = app
        .post(&format!("/api/communities/{COMMUNITY}/plans/import"), &json!({ "layer": layer, "based_on": published }))
        .await;
    assert_eq!(s, 201, "{imported}");
    assert_eq!(imported["between"].as_array().unwrap().len(), 0, "{}", imported["between"]);
    assert_eq!(imported["across"].as_array().unwrap().len(), 0, "{}", imported["across"]);
    let draft = imported["plan"]["id"].as_i64().unwrap();
    let (_, stored) = app.get(&format!("/api/plans/{draft}")).await;
    assert_eq!(assignment(&stored), original, "the round trip keeps every block in its grid");
    let (_, d) = app.get(&format!("/api/plans/{draft}/diff?against={published}")).await;
    assert_eq!(d["diff"]["moved"].as_array().unwrap().len(), 0);

    // Leave one grid out: its blocks fall between grids and the draft reports the gap.
    let mut partial = layer.clone();
    let dropped = partial["features"].as_array_mut().unwrap().remove(0);
    let dropped_blocks = dropped["properties"]["blocks"].as_i64().unwrap() as usize;
    let (s, imported) =
        app.post(&format!("/api/communities/{COMMUNITY}/plans/import"), &json!({ "layer": partial })).await;
    assert_eq!(s, 201, "{imported}");
    assert_eq!(imported["between"].as_array().unwrap().len(), dropped_blocks);
    assert!(imported["report"]["problems"].as_array().unwrap().iter().any(|p| p["problem"] == "unassigned"));

    // Broken layers are refused with a reason and store nothing.
    let before = app.fingerprint().await;
    for (bad, code) in [
        (json!({ "layer": { "type": "FeatureCollection", "features": [] } }), "invalid_geometry"),
        (
            json!({ "layer": { "type": "FeatureCollection", "features": [{ "type": "Feature", "properties": {}, "geometry": { "type": "Polygon", "coordinates": [[[118.9, 31.8], [118.91, 31.81], [118.91, 31.8], [118.9, 31.81], [118.9, 31.8]]] } }] } }),
            "invalid_geometry",
        ),
    ] {
        let (s, b) = app.post(&format!("/api/communities/{COMMUNITY}/plans/import"), &bad).await;
        assert_eq!((s, b["error"].as_str()), (422, Some(code)), "{b}");
    }
    assert_eq!(app.get(&format!("/api/plans/{published}/export?format=kml")).await.0, 400);
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn block_edges_are_the_lines_neighbours_share() {
    let app = TestApp::spawn_with_demo().await;
    let (s, edges) = app.get(&format!("/api/communities/{COMMUNITY}/block-edges")).await;
    assert_eq!(s, 200);
    let features = edges["features"].as_array().unwrap();
    let pairs: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM block_adjacency j JOIN block a ON a.id = j.a WHERE a.community_code = $1 AND NOT a.retired",
    )
    .bind(COMMUNITY)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(!features.is_empty() && features.len() as i64 <= pairs, "{} edges for {pairs} pairs", features.len());
    for f in features {
        assert!(matches!(f["geometry"]["type"].as_str(), Some("LineString" | "MultiLineString")), "{f}");
        assert!(f["properties"]["a"].as_i64() < f["properties"]["b"].as_i64());
    }
    let (_, blocks) = app.get(&format!("/api/communities/{COMMUNITY}/blocks")).await;
    assert!(blocks["features"][0]["properties"]["x"].is_number(), "blocks carry an interior point for the lasso");
}

#[tokio::test]
async fn a_zipped_shapefile_export_imports_back_to_the_same_plan() {
    let app = TestApp::spawn_with_demo().await;
    let (_, current) = app.get(&format!("/api/communities/{COMMUNITY}/grids")).await;
    let published = current["plan"]["id"].as_i64().unwrap();
    let r = app
        .request(reqwest::Method::GET, &format!("/api/plans/{published}/export?format=shapefile"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let zip = r.bytes().await.unwrap().to_vec();
    let features = wangge_gis_data::shapes::read_zip(&zip, &Default::default()).unwrap();
    assert_eq!(features.len(), current["grids"]["features"].as_array().unwrap().len());

    let (s, imported) = app
        .post_raw(
            &format!("/api/communities/{COMMUNITY}/plans/import-shapefile?based_on={published}"),
            "application/zip",
            zip,
        )
        .await;
    assert_eq!(s, 201, "{imported}");
    assert_eq!(imported["between"].as_array().unwrap().len(), 0);
    let (_, stored) = app.get(&format!("/api/plans/{}", imported["plan"]["id"])).await;
    assert_eq!(assignment(&stored), assignment(&current), "the Shapefile round trip keeps every block in its grid");

    let before = app.fingerprint().await;
    let (s, b) = app
        .post_raw(
            &format!("/api/communities/{COMMUNITY}/plans/import-shapefile"),
            "application/zip",
            b"PK not really".to_vec(),
        )
        .await;
    assert_eq!((s, b["error"].as_str()), (422, Some("bad_shapefile")), "{b}");
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn a_block_splits_along_a_drawn_line_and_keeps_its_households() {
    let app = TestApp::spawn_with_demo().await;
    let (block, households, w, s, e, n): (i64, i32, f64, f64, f64, f64) = sqlx::query_as(
        "SELECT b.id, b.households, ST_XMin(b.geom), ST_YMin(b.geom), ST_XMax(b.geom), ST_YMax(b.geom) FROM block b
         WHERE b.community_code = $1 AND NOT b.retired AND b.households > 0 ORDER BY b.id LIMIT 1",
    )
    .bind(COMMUNITY)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let mid = (s + n) / 2.0;
    let before = app.fingerprint().await;
    // A line that misses the block, and one that is not a line, are refused and change nothing.
    let (st, b) = app
        .post(
            &format!("/api/blocks/{block}/split"),
            &json!({ "line": { "type": "LineString", "coordinates": [[w - 0.01, n + 0.01], [e + 0.01, n + 0.01]] } }),
        )
        .await;
    assert_eq!((st, b["error"].as_str()), (422, Some("line_does_not_cut")), "{b}");
    let (st, b) = app
        .post(&format!("/api/blocks/{block}/split"), &json!({ "line": { "type": "Point", "coordinates": [w, s] } }))
        .await;
    assert_eq!((st, b["error"].as_str()), (422, Some("invalid_geometry")), "{b}");
    assert_eq!(app.fingerprint().await, before);

    let (st, cut) = app
        .post(
            &format!("/api/blocks/{block}/split"),
            &json!({ "line": { "type": "LineString", "coordinates": [[w - 0.001, mid], [e + 0.001, mid]] } }),
        )
        .await;
    assert_eq!(st, 200, "{cut}");
    let pieces: Vec<i64> = cut["cells"].as_array().unwrap().iter().map(|c| c.as_i64().unwrap()).collect();
    assert_eq!(pieces.len(), 2);
    let (sum, area_ok, retired): (i64, bool, bool) = sqlx::query_as(
        "SELECT (SELECT sum(households) FROM block WHERE parent_id = $1),
                abs((SELECT sum(ST_Area(geom)) FROM block WHERE parent_id = $1) - (SELECT ST_Area(geom) FROM block WHERE id = $1)) < 1e-12,
                (SELECT retired FROM block WHERE id = $1)",
    )
    .bind(block)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(sum, households as i64, "the halves hold the block's households");
    assert!(area_ok && retired, "the halves tile the block, which is retired");
    let (st, _) = app.post(&format!("/api/blocks/{block}/split"), &json!({})).await;
    assert_eq!(st, 409, "a retired block cannot be split again");
}
