//! Incident density through the HTTP API on a real PostGIS: hexagon bins equal a brute-force count of each case's
//! H3 cell, area counts equal PostGIS `ST_Contains` counts (and the previous period's), rates use the areas'
//! households, hot spots carry a class for every bin tested, a place getting worse over time slices is an
//! intensifying hot spot and a place hot only lately a new one, and bad views are refused.

use std::collections::HashMap;

use chrono::{Duration, Utc};
use wangge_api::density::{AreaDensity, Bins};
use wangge_api::error::{ErrorBody, ErrorCode};
use wangge_domain::access::{Role, Scope};
use wangge_server::import::demo_cases::generate_cases;
use wangge_tests::TestApp;

#[tokio::test]
async fn bins_and_areas_equal_brute_force_and_postgis_counts() {
    let app = TestApp::spawn_with_demo().await;
    assert!(app.load_catalogue().await, "the catalogue data is needed");
    generate_cases(&app.pool, "990101", 1500, &app.state.calendar()).await.unwrap();
    app.state.incidents.catch_up(&app.pool).await.unwrap();
    let center = app.sign_in_as("center", Role::StreetOperator, Scope::District("990101".parse().unwrap())).await;
    let (from, to) = (Utc::now() - Duration::days(120), Utc::now());
    let window = format!("from={}&to={}", from.to_rfc3339(), to.to_rfc3339()).replace('+', "%2B");

    // Bins: each case's cell at resolution 9, counted here from the stored points.
    let (s, b) = center.get(&format!("/api/density/bins?{window}&resolution=9")).await;
    assert_eq!(s, 200, "{b}");
    let bins: Bins = serde_json::from_value(b).unwrap();
    let points: Vec<(f64, f64)> = sqlx::query_as(
        "SELECT ST_X(geom), ST_Y(geom) FROM cases WHERE reported_at >= $1 AND reported_at < $2 AND district_code = '990101'",
    )
    .bind(from)
    .bind(to)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(points.len() > 200, "{}", points.len());
    let mut expected: HashMap<String, u32> = HashMap::new();
    for (lon, lat) in &points {
        // The store keeps points as f32: bin the same way.
        let ll = h3o::LatLng::new(*lat as f32 as f64, *lon as f32 as f64).unwrap();
        *expected.entry(ll.to_cell(h3o::Resolution::Nine).to_string()).or_default() += 1;
    }
    let got: HashMap<String, u32> = bins.bins.iter().map(|b| (b.cell.clone(), b.count)).collect();
    assert_eq!(bins.total as usize, points.len());
    assert_eq!(got, expected);
    assert!(bins.bins.iter().all(|b| b.boundary.len() == 6), "hexagons (no pentagons here)");

    // Areas: per community, against PostGIS point-in-polygon over the same window, and the 120 days before.
    let (s, b) = center.get(&format!("/api/density/areas?{window}&level=community")).await;
    assert_eq!(s, 200, "{b}");
    let areas: Vec<AreaDensity> = serde_json::from_value(b).unwrap();
    let postgis: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT m.code,
                count(*) FILTER (WHERE c.reported_at >= $1 AND c.reported_at < $2),
                count(*) FILTER (WHERE c.reported_at >= $1 - ($2 - $1) AND c.reported_at < $1),
                (SELECT coalesce(sum(households), 0) FROM building b WHERE b.community_code = m.code)
         FROM community m JOIN cases c ON ST_Contains(m.geom, c.geom) WHERE m.code LIKE '990101%'
         GROUP BY m.code HAVING count(*) FILTER (WHERE c.reported_at >= $1 AND c.reported_at < $2) > 0",
    )
    .bind(from)
    .bind(to)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(!postgis.is_empty());
    for (code, count, previous, households) in &postgis {
        let a = areas.iter().find(|a| &a.code == code).unwrap_or_else(|| panic!("{code} missing"));
        assert_eq!((a.count as i64, a.previous as i64, a.households), (*count, *previous, *households), "{code}");
        let rate = a.per_100_households.unwrap();
        assert!((rate - *count as f64 * 100.0 / *households as f64).abs() < 0.01, "{code}: {rate}");
    }
    assert_eq!(areas.len(), postgis.len());

    // Hot spots: every bin tested has a z-score and a class; the empty ring is tested too.
    let (s, b) = center.get(&format!("/api/density/hotspots?{window}&resolution=9")).await;
    assert_eq!(s, 200, "{b}");
    let hot: Bins = serde_json::from_value(b).unwrap();
    assert!(hot.bins.len() > bins.bins.len(), "the ring of empty bins around");
    assert!(hot.bins.iter().all(|b| b.z.is_some() && b.class.is_some()));
    let busiest = hot.bins.iter().max_by_key(|b| b.count).unwrap();
    let coldest = hot.bins.iter().filter(|b| b.count == 0).map(|b| b.z.unwrap()).fold(f64::MAX, f64::min);
    assert!(busiest.z.unwrap() > coldest);

    // The difference map: this window's bins and the previous window's, each equal to a count of the points.
    let (s, b) = center.get(&format!("/api/density/compare?{window}&resolution=9")).await;
    assert_eq!(s, 200, "{b}");
    let diff: wangge_api::density::Comparison = serde_json::from_value(b).unwrap();
    let before: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM cases WHERE reported_at >= $1 - ($2 - $1) AND reported_at < $1 AND district_code = '990101'",
    )
    .bind(from)
    .bind(to)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((diff.total as usize, diff.previous_total as i64), (points.len(), before));
    assert_eq!(diff.bins.iter().map(|b| b.count as usize).sum::<usize>(), points.len());
    assert_eq!(diff.bins.iter().map(|b| b.previous as i64).sum::<i64>(), before);
    for b in diff.bins.iter().filter(|b| b.count > 0) {
        assert_eq!(Some(&b.count), expected.get(&b.cell), "{}", b.cell);
    }

    // A click on a hexagon lists its cases: as many as the bin counts, each inside it.
    let cell = bins.bins.iter().max_by_key(|b| b.count).unwrap();
    let (s, b) = center.get(&format!("/api/density/cases?{window}&cell={}", cell.cell)).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["total"].as_u64(), Some(u64::from(cell.count)));
    let listed = b["cases"].as_array().unwrap();
    assert_eq!(listed.len(), (cell.count as usize).min(50));
    for c in listed {
        let ll = h3o::LatLng::new(c["lat"].as_f64().unwrap() as f32 as f64, c["lon"].as_f64().unwrap() as f32 as f64);
        assert_eq!(ll.unwrap().to_cell(h3o::Resolution::Nine).to_string(), cell.cell);
    }
    // A click on a community (or a grid) lists its cases: as many as its count, each of it.
    let busiest = areas.iter().max_by_key(|a| a.count).unwrap();
    let (s, b) = center.get(&format!("/api/density/cases?{window}&level=community&area={}", busiest.code)).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["total"].as_u64(), Some(busiest.count));
    let listed = b["cases"].as_array().unwrap();
    assert_eq!(listed.len(), (busiest.count as usize).min(50));
    assert!(listed.iter().all(|c| c["community_code"] == busiest.code.as_str()));
    let (s, b) = center.get(&format!("/api/density/cases?{window}&level=community&area=nowhere")).await;
    assert_eq!((s, b["total"].as_u64()), (200, Some(0)), "an unknown area has no cases");
    let (s, b) = center.get(&format!("/api/density/cases?{window}&area={}&cell={}", busiest.code, cell.cell)).await;
    assert_eq!(s, 400, "a hexagon or an area, not both: {b}");
    let planner = app.sign_in_as("planner-d", Role::Planner, Scope::District("990101".parse().unwrap())).await;
    assert_eq!(
        planner.get(&format!("/api/density/cases?cell={}", cell.cell)).await.0,
        403,
        "counts only, never a case"
    );

    // The time series: per major class and week, adding up to the window's cases.
    let (s, b) = center.get(&format!("/api/density/series?{window}&interval=week")).await;
    assert_eq!(s, 200, "{b}");
    let series: wangge_api::density::Series = serde_json::from_value(b).unwrap();
    assert!((17..=19).contains(&series.starts.len()), "{} weeks in 120 days", series.starts.len());
    let sum: u32 = series.classes.iter().flat_map(|c| c.counts.iter()).sum();
    assert_eq!(sum as usize, points.len());
    assert!(series.classes.windows(2).all(|w| w[0].counts.iter().sum::<u32>() >= w[1].counts.iter().sum::<u32>()));
    assert!(series.classes.iter().all(|c| !c.name.is_empty() && c.counts.len() == series.starts.len()));

    // The heat surface's points: every case of the view, in the viewport; a viewport is required.
    let (s, b) = center.get(&format!("/api/density/points?{window}&bbox=118,31,120,33")).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["total"].as_u64(), Some(points.len() as u64));
    assert_eq!(b["points"].as_array().map(Vec::len), Some(points.len().min(20_000)));
    assert_eq!(center.get(&format!("/api/density/points?{window}")).await.0, 400);
}

#[tokio::test]
async fn density_refuses_bad_views_and_people_without_the_right() {
    let app = TestApp::spawn_with_demo().await;
    let center = app.sign_in_as("center", Role::StreetOperator, Scope::District("990101".parse().unwrap())).await;
    for bad in ["resolution=12", "bbox=1,2,3", "bbox=10,50,5,60", "state=nonsense", "from=2026-02-01&to=2026-01-01"] {
        let (s, b) = center.get(&format!("/api/density/bins?{bad}")).await;
        assert_eq!(s, 400, "{bad}: {b}");
        assert_eq!(serde_json::from_value::<ErrorBody>(b).unwrap().error, ErrorCode::BadQuery, "{bad}");
    }
    let planner = app.sign_in_as("planner2", Role::Planner, Scope::District("990101".parse().unwrap())).await;
    assert_eq!(planner.get("/api/density/areas?level=grid").await.0, 200);
    let worker = app.sign_in_as("worker", Role::GridWorker, Scope::Community("990101001001".parse().unwrap())).await;
    assert_eq!(worker.get("/api/density/bins").await.0, 403);
    assert_eq!(app.public().get("/api/density/bins").await.0, 401);
}

/// The same problem reported four times at one spot (and once elsewhere) is a repeat place; a single report is not.
#[tokio::test]
async fn a_problem_reported_again_and_again_at_one_place_is_a_repeat_place() {
    let app = TestApp::spawn_with_demo().await;
    assert!(app.load_catalogue().await, "the catalogue data is needed");
    let community = "990101001001";
    let worker = app.sign_in_as("worker", Role::GridWorker, Scope::Community(community.parse().unwrap())).await;
    let center = app.sign_in_as("center", Role::StreetOperator, Scope::District("990101".parse().unwrap())).await;
    let at = app.interior_point(community).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        // Four within a few metres, the fifth 300 m away.
        let lon = if i < 4 { at.0 + i as f64 * 2e-5 } else { at.0 + 0.003 };
        let (s, b) = worker
            .post(
                "/api/cases",
                &serde_json::json!({ "category": "E06001", "channel": "patrol", "lon": lon, "lat": at.1,
                                     "description": format!("又一次占道 {i}") }),
            )
            .await;
        assert_eq!(s, 201, "{b}");
        ids.push(b["case"]["id"].as_i64().unwrap());
    }
    let (s, b) = center.get("/api/density/repeats?min=3&resolution=10").await;
    assert_eq!(s, 200, "{b}");
    let places: Vec<wangge_api::density::RepeatPlace> = serde_json::from_value(b).unwrap();
    assert!(!places.is_empty(), "the four reports make a repeat place");
    let place = &places[0];
    assert_eq!(place.category, "E06001");
    assert!(place.count >= 3 && place.count <= 4, "{place:?}");
    assert!(place.case_ids.iter().all(|id| ids[..4].contains(id)), "only the reports at that spot: {place:?}");
    assert!(!places.iter().any(|p| p.case_ids.contains(&ids[4])), "the report 300 m away is alone");
    let (_, b) = center.get("/api/density/repeats?min=5&resolution=10").await;
    assert_eq!(b.as_array().map(Vec::len), Some(0), "no place holds five");
}

/// A building's point and its community.
type Spot = (f64, f64, String);

/// Adds `per_slice[k]` cases at `at` in the k-th of six 10-day slices of the last 60 days.
async fn pile_up(app: &TestApp, tag: &str, at: &Spot, per_slice: &[i32]) {
    for (k, n) in per_slice.iter().enumerate() {
        sqlx::query(
            "INSERT INTO cases (number, district_code, street_code, community_code, category_code, channel, state, geom,
                 description, reporter, clock, reported_at, generated)
             SELECT $1 || '-' || $2 || '-' || g, '990101', left($6, 9), $6, 'E06010', 'patrol', 'closed',
                 ST_SetSRID(ST_MakePoint($3, $4), 4326), 'pile', 'test',
                 '{\"started\": \"2026-01-01T00:00:00Z\", \"measure\": \"working\", \"budget\": 27000}'::jsonb,
                 now() - interval '60 days' + ($2 * 10 + 1) * interval '1 day' + g * interval '1 minute', true
             FROM generate_series(1, $5) g",
        )
        .bind(tag)
        .bind(k as i32)
        .bind(at.0)
        .bind(at.1)
        .bind(n)
        .bind(&at.2)
        .execute(&app.pool)
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn a_place_getting_worse_is_intensifying_and_a_new_one_is_new() {
    let app = TestApp::spawn_with_demo().await;
    assert!(app.load_catalogue().await, "the catalogue data is needed");
    generate_cases(&app.pool, "990101", 1500, &app.state.calendar()).await.unwrap();
    let spots: Vec<Spot> = sqlx::query_as(
        "SELECT ST_X(p), ST_Y(p), community_code FROM
           (SELECT ST_PointOnSurface(footprint) p, community_code FROM building ORDER BY id) b",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let (worse, fresh) = (spots[10].clone(), spots[spots.len() - 10].clone());
    // Gi* finds clusters, not lone cells: pile the cases up at the twelve buildings nearest each place.
    let nearest = |at: &Spot| {
        let mut near = spots.clone();
        near.sort_by(|a, b| {
            ((a.0 - at.0).powi(2) + (a.1 - at.1).powi(2)).total_cmp(&((b.0 - at.0).powi(2) + (b.1 - at.1).powi(2)))
        });
        near.truncate(12);
        near
    };
    for (k, spot) in nearest(&worse).iter().enumerate() {
        pile_up(&app, &format!("worse{k}"), spot, &[14, 17, 20, 24, 28, 33]).await;
    }
    for (k, spot) in nearest(&fresh).iter().enumerate() {
        pile_up(&app, &format!("fresh{k}"), spot, &[0, 0, 0, 0, 0, 30]).await;
    }
    app.state.incidents.catch_up(&app.pool).await.unwrap();
    let center = app.sign_in_as("center", Role::StreetOperator, Scope::District("990101".parse().unwrap())).await;
    let (from, to) = (Utc::now() - Duration::days(60), Utc::now());
    let window = format!("from={}&to={}", from.to_rfc3339(), to.to_rfc3339()).replace('+', "%2B");
    let (s, b) = center.get(&format!("/api/density/emerging?{window}&resolution=10&slices=6")).await;
    assert_eq!(s, 200, "{b}");
    let found: wangge_api::density::EmergingBins = serde_json::from_value(b).unwrap();
    assert_eq!(found.slices.len(), 6);
    let cell = |(lon, lat, _): &Spot| {
        h3o::LatLng::new(*lat as f32 as f64, *lon as f32 as f64).unwrap().to_cell(h3o::Resolution::Ten).to_string()
    };
    let of = |at| found.bins.iter().find(|b| b.cell == cell(at)).unwrap_or_else(|| panic!("{:?}", found.bins));
    let w = of(&worse);
    assert_eq!(w.class, wangge_domain::emerging::Emerging::Intensifying, "{w:?}");
    assert!(w.counts.windows(2).all(|p| p[0] <= p[1]) && w.counts[0] >= 10, "{:?}", w.counts);
    assert!(w.trend_z > 1.96 && w.trend_p < 0.05);
    assert_eq!(of(&fresh).class, wangge_domain::emerging::Emerging::New);
    let (s, b) = center.get(&format!("/api/density/emerging?{window}&slices=1")).await;
    assert_eq!((s, serde_json::from_value::<ErrorBody>(b).unwrap().error), (400, ErrorCode::BadQuery));
}

#[tokio::test]
async fn the_public_density_map_shows_published_districts_in_big_bins_without_sensitive_categories() {
    let app = TestApp::spawn_with_demo().await;
    assert!(app.load_catalogue().await, "the catalogue data is needed");
    generate_cases(&app.pool, "990101", 3000, &app.state.calendar()).await.unwrap();
    app.state.incidents.catch_up(&app.pool).await.unwrap();
    let public = app.public();
    let bbox = "118.0,31.0,119.5,32.5";
    let url = format!("/api/public/density?bbox={bbox}&resolution=11&days=92");
    let (s, b) = public.get(&url).await;
    assert_eq!(s, 200, "{b}");
    assert!(serde_json::from_value::<Bins>(b).unwrap().bins.is_empty(), "nothing until the district publishes");

    let street = app.sign_in_as("street", Role::StreetOperator, Scope::Street("990101001".parse().unwrap())).await;
    assert_eq!(street.put("/api/density/published", &serde_json::json!({ "enabled": true })).await.0, 403);
    let admin = app.sign_in_as("admin", Role::DistrictAdmin, Scope::District("990101".parse().unwrap())).await;
    let (s, b) = admin.put("/api/density/published", &serde_json::json!({ "enabled": true })).await;
    assert_eq!((s, b["enabled"].as_bool()), (200, Some(true)), "{b}");

    let (_, b) = public.get(&url).await;
    let shown: Bins = serde_json::from_value(b).unwrap();
    assert_eq!(shown.resolution, 9, "no finer than resolution 9 in public");
    // Brute force: accepted cases of the last 92 days outside sensitive categories, per resolution-9 cell.
    let points: Vec<(f64, f64)> = sqlx::query_as(
        "SELECT ST_X(c.geom), ST_Y(c.geom) FROM cases c JOIN category k ON k.code = c.category_code
         WHERE c.reported_at >= now() - interval '92 days' AND NOT k.sensitive
           AND c.state NOT IN ('reported', 'self_resolved', 'rejected', 'merged', 'voided')",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let sensitive: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM cases c JOIN category k ON k.code = c.category_code
         WHERE k.sensitive AND c.reported_at >= now() - interval '92 days'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(sensitive > 0, "the generated cases include sensitive categories, which must stay out");
    let mut expected: HashMap<String, u32> = HashMap::new();
    for (lon, lat) in &points {
        let ll = h3o::LatLng::new(*lat as f32 as f64, *lon as f32 as f64).unwrap();
        *expected.entry(ll.to_cell(h3o::Resolution::Nine).to_string()).or_default() += 1;
    }
    expected.retain(|_, n| *n >= 5);
    let got: HashMap<String, u32> = shown.bins.iter().map(|b| (b.cell.clone(), b.count)).collect();
    assert!(!got.is_empty());
    assert_eq!(got, expected);
    assert!(shown.bins.iter().all(|b| b.class.is_none() && b.z.is_none()));
}

#[tokio::test]
async fn dedicated_and_special_grids_count_the_cases_they_held() {
    let app = TestApp::spawn_with_demo().await;
    assert!(app.load_catalogue().await, "the catalogue data is needed");
    generate_cases(&app.pool, "990101", 1500, &app.state.calendar()).await.unwrap();
    // Some cases lay in a dedicated grid (the school) and in special grids when reported.
    sqlx::query(
        "UPDATE cases SET dedicated_grid_code = CASE WHEN id % 5 = 0 THEN '990101001001901' END,
                special_grid_ids = CASE WHEN id % 3 = 0 THEN '{11, 12}'::bigint[] WHEN id % 3 = 1 THEN '{12}' ELSE '{}' END,
                updated_at = now()",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    app.state.incidents.catch_up(&app.pool).await.unwrap();
    let center = app.sign_in_as("center", Role::StreetOperator, Scope::District("990101".parse().unwrap())).await;
    let (from, to) = (Utc::now() - Duration::days(120), Utc::now());
    let window = format!("from={}&to={}", from.to_rfc3339(), to.to_rfc3339()).replace('+', "%2B");
    for (level, sql) in [
        (
            "dedicated",
            "SELECT dedicated_grid_code, count(*) FROM cases
             WHERE dedicated_grid_code IS NOT NULL AND reported_at >= $1 AND reported_at < $2 GROUP BY 1",
        ),
        (
            "special",
            "SELECT g::text, count(*) FROM cases, unnest(special_grid_ids) g
             WHERE reported_at >= $1 AND reported_at < $2 GROUP BY 1",
        ),
    ] {
        let (s, b) = center.get(&format!("/api/density/areas?{window}&level={level}")).await;
        assert_eq!(s, 200, "{b}");
        let got: HashMap<String, u64> =
            serde_json::from_value::<Vec<AreaDensity>>(b).unwrap().into_iter().map(|a| (a.code, a.count)).collect();
        let expected: HashMap<String, u64> = sqlx::query_as::<_, (String, i64)>(sql)
            .bind(from)
            .bind(to)
            .fetch_all(&app.pool)
            .await
            .unwrap()
            .into_iter()
            .map(|(c, n)| (c, n as u64))
            .collect();
        assert!(!expected.is_empty(), "{level}");
        assert_eq!(got, expected, "{level}");
    }
}

/// A density tile's hexagons and their counts: (cell, count).
async fn density_tile(who: &wangge_tests::Caller, z: u8, x: u32, y: u32) -> (String, HashMap<String, i64>) {
    let r =
        who.request(reqwest::Method::GET, &format!("/api/density/tiles/{z}/{x}/{y}?days=120")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let cache = r.headers().get("x-cache").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut cells = HashMap::new();
    if bytes.is_empty() {
        return (cache, cells);
    }
    let reader = mvt_reader::Reader::new(bytes).expect("an independent decoder reads the tile");
    let names = reader.get_layer_names().unwrap();
    let layer = names.iter().position(|n| n == "density").expect("a density layer");
    for f in reader.get_features(layer).unwrap() {
        let props = f.properties.clone().unwrap_or_default();
        let cell = match props.get("cell") {
            Some(mvt_reader::feature::Value::String(s)) => s.clone(),
            other => panic!("cell: {other:?}"),
        };
        let count = match props.get("count") {
            Some(mvt_reader::feature::Value::Int(n)) => *n,
            Some(mvt_reader::feature::Value::SInt(n)) => *n,
            Some(mvt_reader::feature::Value::UInt(n)) => *n as i64,
            other => panic!("count: {other:?}"),
        };
        cells.insert(cell, count);
    }
    (cache, cells)
}

#[tokio::test]
async fn density_tiles_are_cached_per_tile_and_a_new_case_refreshes_only_its_tiles() {
    let app = TestApp::spawn_with_demo().await;
    assert!(app.load_catalogue().await, "the catalogue data is needed");
    generate_cases(&app.pool, "990101", 1500, &app.state.calendar()).await.unwrap();
    app.state.incidents.catch_up(&app.pool).await.unwrap();
    let center = app.sign_in_as("center", Role::StreetOperator, Scope::District("990101".parse().unwrap())).await;
    let at = app.interior_point("990101001001").await;
    let here = wangge_tiles::TileId::containing(at.0, at.1, 15);
    let far = wangge_tiles::TileId::containing(at.0 + 0.3, at.1 + 0.3, 15);

    let (cache, before) = density_tile(&center, here.z, here.x, here.y).await;
    assert_eq!(cache, "miss");
    assert!(!before.is_empty(), "the tile holds hexagons");
    let [w, s, e, n] = here.lon_lat_bounds();
    assert!(before.keys().all(|c| c.starts_with("8a")), "resolution 10 at zoom 15");
    assert!(w < at.0 && at.0 < e && s < at.1 && at.1 < n);
    assert_eq!(density_tile(&center, here.z, here.x, here.y).await.0, "hit");
    assert_eq!(density_tile(&center, far.z, far.x, far.y).await.0, "miss");
    assert_eq!(density_tile(&center, far.z, far.x, far.y).await.0, "hit");

    // A report at the spot: its tile is counted afresh with the new case; the far tile stays cached.
    let worker = app.sign_in_as("worker", Role::GridWorker, Scope::Community("990101001001".parse().unwrap())).await;
    let (s, b) = worker
        .post(
            "/api/cases",
            &serde_json::json!({ "category": "E06001", "channel": "patrol", "lon": at.0, "lat": at.1,
                                  "description": "瓦片测试" }),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let (cache, after) = density_tile(&center, here.z, here.x, here.y).await;
    assert_eq!(cache, "miss", "the tile of the new case was dropped");
    let cell =
        h3o::LatLng::new(at.1 as f32 as f64, at.0 as f32 as f64).unwrap().to_cell(h3o::Resolution::Ten).to_string();
    assert_eq!(after.get(&cell).copied().unwrap_or(0), before.get(&cell).copied().unwrap_or(0) + 1);
    assert_eq!(density_tile(&center, far.z, far.x, far.y).await.0, "hit", "other tiles stay cached");
    assert_eq!(center.get("/api/density/tiles/3/9/9").await.0, 400);
}
