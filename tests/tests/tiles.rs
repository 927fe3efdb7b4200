//! Tiles over HTTP: MVT that an independent decoder reads, ETags and 304s, invalidation limited to what a publish
//! touched, sizes on the real Nanjing data, and bad tile addresses.

use serde_json::{json, Value};
use wangge_domain::households::HouseholdModel;
use wangge_tests::{shared_data, TestApp};
use wangge_tiles::TileId;

async fn fetch(app: &TestApp, path: &str, etag: Option<&str>) -> (u16, Option<String>, Vec<u8>) {
    let mut req = app.request(reqwest::Method::GET, path);
    if let Some(e) = etag {
        req = req.header("If-None-Match", e);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let etag = r.headers().get("etag").map(|v| v.to_str().unwrap().to_owned());
    (status, etag, r.bytes().await.unwrap().to_vec())
}

fn tile_path(lon: f64, lat: f64, z: u8) -> String {
    let t = TileId::containing(lon, lat, z);
    format!("/tiles/all/{}/{}/{}", t.z, t.x, t.y)
}

async fn interior_point(app: &TestApp, community: &str) -> (f64, f64) {
    sqlx::query_as("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM community WHERE code = $1) s")
        .bind(community)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn tiles_decode_carry_etags_and_a_publish_invalidates_only_its_community() {
    let app = TestApp::spawn_with_demo().await;
    let (lon1, lat1) = interior_point(&app, "990101001001").await;
    let (lon2, lat2) = interior_point(&app, "990101001002").await;
    let (a, b) = (tile_path(lon1, lat1, 18), tile_path(lon2, lat2, 18));
    assert_ne!(a, b);

    let (s, etag_a, bytes) = fetch(&app, &a, None).await;
    assert_eq!(s, 200);
    let reader = mvt_reader::Reader::new(bytes).expect("an independent decoder reads the tile");
    let names = reader.get_layer_names().unwrap();
    for layer in ["roads", "buildings", "grids", "labels", "boundaries"] {
        assert!(names.iter().any(|n| n == layer), "{layer} missing from {names:?}");
    }
    let grids = reader.get_features(names.iter().position(|n| n == "grids").unwrap()).unwrap();
    let codes: Vec<String> = grids
        .iter()
        .filter_map(|f| match f.properties.as_ref()?.get("code")? {
            mvt_reader::feature::Value::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    assert!(!codes.is_empty() && codes.iter().all(|c| c.starts_with("990101001001")), "{codes:?}");
    let etag_a = etag_a.expect("an ETag");
    assert_eq!(fetch(&app, &a, Some(&etag_a)).await.0, 304, "unchanged tile → 304");
    let (_, etag_b, _) = fetch(&app, &b, None).await;
    let etag_b = etag_b.unwrap();

    // publish a new plan in community 1: merge its first grid into a neighbour
    let (_, current) = app.get("/api/communities/990101001001/grids").await;
    let plan = current["plan"]["id"].as_i64().unwrap();
    let mut grids: Vec<Value> = current["grids"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| json!({ "key": f["properties"]["key"], "kind": f["properties"]["kind"], "blocks": f["properties"]["blocks"] }))
        .collect();
    let merged: Vec<Value> = grids[0]["blocks"].as_array().unwrap().clone();
    let adjacency: Vec<(i64, i64)> =
        sqlx::query_as("SELECT a, b FROM block_adjacency").fetch_all(&app.pool).await.unwrap();
    let ids = |g: &Value| g["blocks"].as_array().unwrap().iter().map(|b| b.as_i64().unwrap()).collect::<Vec<_>>();
    let first = ids(&grids[0]);
    let j = (1..grids.len())
        .find(|&j| {
            grids[j]["kind"] == "natural"
                && ids(&grids[j]).iter().any(|&x| {
                    adjacency.iter().any(|&(p, q)| (p == x && first.contains(&q)) || (q == x && first.contains(&p)))
                })
        })
        .unwrap();
    grids[j]["blocks"].as_array_mut().unwrap().extend(merged);
    grids.remove(0);
    let (_, draft) =
        app.post("/api/communities/990101001001/plans", &json!({ "grids": grids, "based_on": plan })).await;
    let draft = draft["plan"]["id"].as_i64().unwrap();
    assert_eq!(app.post(&format!("/api/plans/{draft}/publish"), &json!({})).await.0, 200);

    let (s, new_a, _) = fetch(&app, &a, Some(&etag_a)).await;
    assert_eq!(s, 200, "the tile over the changed community is re-rendered");
    assert_ne!(new_a.unwrap(), etag_a);
    assert_eq!(fetch(&app, &b, Some(&etag_b)).await.0, 304, "a tile of the other community keeps its ETag");
}

#[tokio::test]
async fn bad_tile_addresses_are_refused() {
    let app = TestApp::spawn().await;
    assert_eq!(fetch(&app, "/tiles/nope/1/0/0", None).await.0, 404);
    assert_eq!(fetch(&app, "/tiles/all/3/9/0", None).await.0, 400);
    assert_eq!(fetch(&app, "/tiles/all/23/0/0", None).await.0, 400);
    assert_eq!(fetch(&app, "/tiles/all/3/1/x", None).await.0, 400);
    assert_eq!(fetch(&app, "/tiles/grids,buildings/3/1/1", None).await.0, 200);
    assert_eq!(fetch(&app, "/style.json?mode=secret", None).await.0, 400);
    assert_eq!(fetch(&app, "/fonts/Noto%20Sans%20Regular/1-255.pbf", None).await.0, 400);
    assert_eq!(fetch(&app, "/fonts/Noto%20Sans%20Regular/0-9999999.pbf", None).await.0, 400);
    let (s, body) = app.get("/style.json?mode=public").await;
    assert_eq!(s, 200);
    let text = body.to_string();
    assert!(!text.contains("http://") || text.contains(&app.address), "every source is our own server: {text}");
}

#[tokio::test]
async fn nanjing_tiles_stay_under_500_kb_at_every_zoom() {
    let Some(data) = shared_data() else { return };
    let app = TestApp::spawn().await;
    wangge_server::import::osm::import_osm(
        &app.pool,
        &data.join("nanjing-osm/nanjing-center.osm"),
        &HouseholdModel::default(),
    )
    .await
    .unwrap();
    app.state.tiles.reload_base(&app.pool).await.unwrap();
    let (lon, lat) = (118.7784, 32.0417); // Xinjiekou
    let mut total_buildings = 0;
    for z in 10..=17u8 {
        let t = TileId::containing(lon, lat, z);
        let mut worst = 0;
        for dx in 0..2u32 {
            for dy in 0..2u32 {
                let (s, _, bytes) = fetch(&app, &format!("/tiles/all/{z}/{}/{}", t.x + dx, t.y + dy), None).await;
                assert_eq!(s, 200);
                worst = worst.max(bytes.len());
                if z == 16 && !bytes.is_empty() {
                    let r = mvt_reader::Reader::new(bytes).unwrap();
                    if let Some(i) = r.get_layer_names().unwrap().iter().position(|n| n == "buildings") {
                        total_buildings += r.get_features(i).unwrap().len();
                    }
                }
            }
        }
        assert!(worst < 500_000, "z{z}: {worst} bytes");
    }
    assert!(total_buildings > 50, "buildings are in the z16 tiles: {total_buildings}");
}

#[tokio::test]
async fn label_glyphs_are_served_for_latin_digits_and_chinese() {
    let app = TestApp::spawn().await;
    // 0–255 holds the digits of grid codes; 19968–20223 (U+4E00…) the commonest Chinese characters (一, 三, 上…)
    for range in ["0-255", "19968-20223"] {
        let (s, _, bytes) = fetch(&app, &format!("/fonts/Noto%20Sans%20Regular/{range}.pbf"), None).await;
        assert_eq!(s, 200, "{range}");
        // a glyphs message: field 1 (a fontstack), length-delimited; each glyph carries an SDF bitmap
        assert_eq!(bytes[0], 0x0a, "{range}");
        assert!(bytes.len() > 20_000, "{range}: {} bytes for a whole range of glyph bitmaps", bytes.len());
        assert!(bytes.windows(range.len()).any(|w| w == range.as_bytes()), "the range is named inside");
    }
}
