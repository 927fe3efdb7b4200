//! Locate (one and batch) against PostGIS's own answer, elements located on insert and re-located on publish,
//! special grids, and residents' personal data never coming back.

use serde_json::{json, Value};
use wangge_domain::access::{Role, Scope};
use wangge_tests::TestApp;

const COMMUNITY: &str = "990101001001";

#[tokio::test]
async fn batch_locate_agrees_with_postgis_st_contains() {
    let app = TestApp::spawn_with_demo().await;
    let (min_x, min_y, max_x, max_y): (f64, f64, f64, f64) =
        sqlx::query_as("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom)::geometry e FROM district) s")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    // 3,000 pseudo-random points over the district and a margin around it
    let mut seed = 11u64;
    let mut rnd = || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let (w, h) = (max_x - min_x, max_y - min_y);
    let points: Vec<[f64; 2]> =
        (0..3000).map(|_| [min_x - 0.1 * w + rnd() * 1.2 * w, min_y - 0.1 * h + rnd() * 1.2 * h]).collect();
    let (s, body) = app.post("/api/locate", &json!({ "points": points })).await;
    assert_eq!(s, 200, "{body}");
    let results = body["results"].as_array().unwrap();
    assert_eq!(results.len(), points.len());
    let xs: Vec<f64> = points.iter().map(|p| p[0]).collect();
    let ys: Vec<f64> = points.iter().map(|p| p[1]).collect();
    let expected: Vec<(Option<String>, Option<i64>, Option<String>)> = sqlx::query_as(
        "SELECT (SELECT code FROM community c WHERE ST_Contains(c.geom, p.g)),
                (SELECT g.id FROM grid g JOIN plan pl ON pl.id = g.plan_id WHERE pl.status = 'published' AND ST_Contains(g.geom, p.g)),
                (SELECT code FROM street s WHERE ST_Contains(s.geom, p.g))
         FROM (SELECT ST_SetSRID(ST_MakePoint(x, y), 4326) g, ord FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS t(x, y, ord)) p
         ORDER BY ord",
    )
    .bind(&xs)
    .bind(&ys)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let mut inside = 0;
    for (r, (community, grid, street)) in results.iter().zip(&expected) {
        assert_eq!(r["community"]["code"].as_str(), community.as_deref(), "{r}");
        assert_eq!(r["street"]["code"].as_str(), street.as_deref(), "{r}");
        let ours = r["natural_grid"]["id"].as_i64().or(r["dedicated_grid"]["id"].as_i64());
        assert_eq!(ours, *grid, "{r}");
        inside += usize::from(grid.is_some());
    }
    assert!(inside > 1500 && inside < 3000, "both inside and outside points were tested: {inside}");
}

#[tokio::test]
async fn elements_are_located_on_insert_and_relocated_on_publish() {
    let app = TestApp::spawn_with_demo().await;
    let (_, current) = app.get(&format!("/api/communities/{COMMUNITY}/grids")).await;
    let plan_v1 = current["plan"]["id"].as_i64().unwrap();
    let features = current["grids"]["features"].as_array().unwrap().clone();
    let first = &features[0]["properties"];
    let block = first["blocks"][0].as_i64().unwrap();
    let (lon, lat): (f64, f64) =
        sqlx::query_as("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM block WHERE id = $1) s")
            .bind(block)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let (s, body) = app
        .post(
            "/api/elements",
            &json!({ "kind": "facility", "name": "消防栓", "lon": lon, "lat": lat, "facility_id": "9901010105000001" }),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    let facility = body["id"].as_i64().unwrap();
    assert_eq!(body["located"]["natural_grid"]["id"], first["id"]);
    let (_, e) = app.get(&format!("/api/elements/{facility}")).await;
    assert_eq!(e["grid_code"], first["code"]);
    assert_eq!(e["category"], "0105");
    // duplicate facility id
    let (s, _) = app
        .post(
            "/api/elements",
            &json!({ "kind": "facility", "name": "消防栓", "lon": lon, "lat": lat, "facility_id": "9901010105000001" }),
        )
        .await;
    assert_eq!(s, 409);

    // a resident in a building of that block
    let building: i64 = sqlx::query_scalar("SELECT id FROM building WHERE block_id = $1 LIMIT 1")
        .bind(block)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let admin = app.sign_in_as("admin", Role::DistrictAdmin, Scope::District("990101".parse().unwrap())).await;
    let (s, r) = admin.post("/api/residents", &json!({ "name": "王小明", "id_card": "320115199001011234", "phone": "13800001234", "building_id": building })).await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["grid"]["code"], first["code"]);
    let text = r.to_string();
    assert!(
        !text.contains("王小明") && !text.contains("1990010") && !text.contains("13800001234"),
        "no personal data echoed: {text}"
    );

    // v2 moves that block into another grid (the one with the next key), published now
    let grids: Vec<Value> = features
        .iter()
        .map(|f| json!({ "key": f["properties"]["key"], "kind": f["properties"]["kind"], "blocks": f["properties"]["blocks"] }))
        .collect();
    let adjacency: Vec<(i64, i64)> =
        sqlx::query_as("SELECT a, b FROM block_adjacency").fetch_all(&app.pool).await.unwrap();
    let blocks = |g: &Value| g["blocks"].as_array().unwrap().iter().map(|b| b.as_i64().unwrap()).collect::<Vec<_>>();
    // merge grid 0 entirely into an adjacent natural grid, so the block certainly changes grid
    let a = blocks(&grids[0]);
    let j = (1..grids.len())
        .find(|&j| {
            grids[j]["kind"] == "natural"
                && blocks(&grids[j])
                    .iter()
                    .any(|&x| adjacency.iter().any(|&(p, q)| (p == x && a.contains(&q)) || (q == x && a.contains(&p))))
        })
        .unwrap();
    let mut v2 = grids.clone();
    for b in a {
        v2[j]["blocks"].as_array_mut().unwrap().push(json!(b));
    }
    v2.remove(0);
    let (s, body) =
        app.post(&format!("/api/communities/{COMMUNITY}/plans"), &json!({ "grids": v2, "based_on": plan_v1 })).await;
    assert_eq!(s, 201, "{body}");
    let draft = body["plan"]["id"].as_i64().unwrap();
    let (s, body) = app.post(&format!("/api/plans/{draft}/publish"), &json!({})).await;
    assert_eq!(s, 200, "{body}");
    assert!(body["elements_relocated"].as_u64().unwrap() >= 2);
    let (_, e) = app.get(&format!("/api/elements/{facility}")).await;
    let (_, now) = app.get(&format!("/api/locate?lon={lon}&lat={lat}")).await;
    assert_eq!(e["grid_id"], now["located"]["natural_grid"]["id"], "element follows the new plan");
    assert_eq!(now["located"]["natural_grid"]["plan_version"], 2);
    let resident_grid: Option<i64> =
        sqlx::query_scalar("SELECT grid_id FROM resident").fetch_one(&app.pool).await.unwrap();
    assert_eq!(resident_grid, now["located"]["natural_grid"]["id"].as_i64());

    // nothing public lists residents' personal data
    for path in [
        "/api/elements",
        &format!("/api/communities/{COMMUNITY}/buildings"),
        &format!("/api/communities/{COMMUNITY}/grids"),
    ] {
        let (_, body) = app.get(path).await;
        let text = body.to_string();
        assert!(!text.contains("王小明") && !text.contains("320115199001011234"), "{path} leaks personal data");
    }
}

#[tokio::test]
async fn special_grids_overlay_and_may_overlap() {
    let app = TestApp::spawn_with_demo().await;
    let (lon, lat): (f64, f64) = sqlx::query_as(
        "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM community WHERE code = $1) s",
    )
    .bind(COMMUNITY)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let d = 0.004;
    let poly = json!({ "type": "Polygon", "coordinates": [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]] });
    let (s, b) = app
        .post(
            "/api/special-grids",
            &json!({ "district_code": "990101", "name": "安全生产网格", "theme": "safety", "geometry": poly }),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let blocks: Vec<i64> = sqlx::query_scalar("SELECT id FROM block WHERE community_code = $1 AND ST_Intersects(geom, ST_SetSRID(ST_MakePoint($2, $3), 4326))")
        .bind(COMMUNITY)
        .bind(lon)
        .bind(lat)
        .fetch_all(&app.pool)
        .await
        .unwrap();
    let (s, b) = app
        .post(
            "/api/special-grids",
            &json!({ "district_code": "990101", "name": "消防网格", "theme": "fire", "blocks": blocks }),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let (_, located) = app.get(&format!("/api/locate?lon={lon}&lat={lat}")).await;
    let themes: Vec<&str> =
        located["located"]["special_grids"].as_array().unwrap().iter().map(|g| g["kind"].as_str().unwrap()).collect();
    assert_eq!(themes.len(), 2, "{located}");
    assert!(themes.contains(&"safety") && themes.contains(&"fire"));
    assert!(located["located"]["natural_grid"].is_object() || located["located"]["dedicated_grid"].is_object());
    let (_, far) = app.get("/api/locate?lon=10&lat=10").await;
    assert_eq!(far["located"]["special_grids"], json!([]));
    assert!(far["located"]["community"].is_null());
}
