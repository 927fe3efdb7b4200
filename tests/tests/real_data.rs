//! Imports of the real data in ../shared/data: OSM XML (Nanjing) and PBF (Helsinki), GCJ-02 district boundaries
//! checked against OSM, and road-bounded blocks built on central Nanjing.

use serde_json::json;
use wangge_domain::access::{Role, Scope};
use wangge_domain::households::HouseholdModel;
use wangge_server::import::osm::import_osm;
use wangge_server::store::hierarchy::{upsert_area, Level};
use wangge_tests::{shared_data, TestApp};

/// The extract's box (the bounds of its buildings and roads).
const NANJING_BBOX: [f64; 4] = [118.760, 32.033, 118.800, 32.055];

#[tokio::test]
async fn nanjing_osm_xml_imports_buildings_roads_landuse_and_pois() {
    let Some(data) = shared_data() else { return };
    let app = TestApp::spawn().await;
    let s =
        import_osm(&app.pool, &data.join("nanjing-osm/nanjing-center.osm"), &HouseholdModel::default()).await.unwrap();
    // 1,270 closed building ways + 8 multipolygon relations (the data README counts 1,277)
    assert_eq!(s.buildings, 1278, "{s:?}");
    assert!(s.roads >= 370, "{s:?}");
    assert!(s.landuse >= 100, "{s:?}");
    assert!(s.places >= 200, "{s:?}");
    let with_floors: i64 = sqlx::query_scalar("SELECT count(*) FROM building WHERE floors IS NOT NULL")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(with_floors, 131, "building:levels → floors");
    // the household estimate is exactly footprint × floors ÷ 120 for residential buildings with levels
    let rows: Vec<(f64, i32, i32)> = sqlx::query_as(
        "SELECT area_m2, floors, households FROM building WHERE building_use = 'residential' AND floors IS NOT NULL",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(!rows.is_empty());
    for (area, floors, households) in rows {
        assert_eq!(households, (area * f64::from(floors) / 120.0).round() as i32);
    }
    // areas are real square metres: PostGIS geography agrees with our spherical estimate within 1 %
    let worst: f64 = sqlx::query_scalar("SELECT max(abs(ST_Area(footprint::geography) - area_m2) / nullif(area_m2, 0)) FROM building WHERE area_m2 > 50")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(worst < 0.01, "area mismatch {worst}");
    // re-import adds nothing
    let again =
        import_osm(&app.pool, &data.join("nanjing-osm/nanjing-center.osm"), &HouseholdModel::default()).await.unwrap();
    assert_eq!(again.buildings, 0);
}

#[tokio::test]
async fn helsinki_pbf_imports() {
    let Some(data) = shared_data() else { return };
    let app = TestApp::spawn().await;
    let s =
        import_osm(&app.pool, &data.join("helsinki-osm/Helsinki.osm.pbf"), &HouseholdModel::default()).await.unwrap();
    // 433 building ways (48 cut off by the extract's edge and skipped) + 61 assembled multipolygons
    assert_eq!(s.buildings, 446, "{s:?}");
    assert!(s.incomplete_ways >= 48, "{s:?}");
    assert!(s.clipped_roads > 0 && s.clipped_roads < s.incomplete_ways, "roads at the edge keep their inside: {s:?}");
    assert!(s.roads >= 2_400, "README says 2,504 road ways, a few cut off: {s:?}");
    let lon_range: (f64, f64) =
        sqlx::query_as("SELECT min(ST_X(ST_Centroid(footprint))), max(ST_X(ST_Centroid(footprint))) FROM building")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(lon_range.0 > 24.0 && lon_range.1 < 26.0, "Helsinki is near 25°E: {lon_range:?}");
}

/// The GCJ-02 district files, converted, lie within metres of the district borders OSM maps in the extract;
/// unconverted they are hundreds of metres off.
#[tokio::test]
async fn gcj02_district_boundaries_match_osm_after_conversion() {
    let Some(data) = shared_data() else { return };
    let app = TestApp::spawn().await;
    let osm = wangge_gis_data::osm::read_file(&data.join("nanjing-osm/nanjing-center.osm")).unwrap();
    // nodes of the admin_level=6 boundary ways inside the extract
    let border_nodes: Vec<(f64, f64)> = osm
        .ways
        .iter()
        .filter(|w| wangge_gis_data::osm::tag(&w.tags, "boundary") == Some("administrative"))
        .flat_map(|w| w.refs.iter().filter_map(|r| osm.coords.get(r).copied()))
        .filter(|&(x, y)| x > NANJING_BBOX[0] && x < NANJING_BBOX[2] && y > NANJING_BBOX[1] && y < NANJING_BBOX[3])
        .collect();
    assert!(border_nodes.len() >= 10, "{}", border_nodes.len());
    let median_distance = |gcj02: bool| {
        let app = &app;
        let data = data.clone();
        let border_nodes = border_nodes.clone();
        async move {
            let mut lines = Vec::new();
            for code in ["320102", "320104", "320106"] {
                let text = std::fs::read_to_string(data.join(format!("nanjing-districts/{code}.geojson"))).unwrap();
                let value: serde_json::Value = serde_json::from_str(&text).unwrap();
                let b = wangge_gis_data::boundaries::parse_boundary_value(
                    value,
                    if gcj02 {
                        wangge_gis_data::boundaries::Datum::Gcj02
                    } else {
                        wangge_gis_data::boundaries::Datum::Wgs84
                    },
                )
                .unwrap()
                .remove(0)
                .boundary;
                lines.push(wangge_server::store::geojson_text(b.multi_polygon()));
            }
            let xs: Vec<f64> = border_nodes.iter().map(|p| p.0).collect();
            let ys: Vec<f64> = border_nodes.iter().map(|p| p.1).collect();
            let d: f64 = sqlx::query_scalar(
                "WITH b AS (SELECT ST_Boundary(ST_SetSRID(ST_GeomFromGeoJSON(g), 4326)) AS g FROM unnest($1::text[]) g),
                      p AS (SELECT ST_SetSRID(ST_MakePoint(x, y), 4326) AS g FROM unnest($2::float8[], $3::float8[]) AS t(x, y))
                 SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY d) FROM
                   (SELECT (SELECT min(ST_Distance(p.g::geography, b.g::geography)) FROM b) AS d FROM p) s",
            )
            .bind(&lines)
            .bind(&xs)
            .bind(&ys)
            .fetch_one(&app.pool)
            .await
            .unwrap();
            d
        }
    };
    let converted = median_distance(true).await;
    let raw = median_distance(false).await;
    assert!(converted < 20.0, "median distance after GCJ-02 → WGS84: {converted} m");
    assert!(
        raw > 150.0 && raw > 10.0 * converted,
        "median distance without conversion: {raw} m (converted {converted} m)"
    );
}

/// Gulou district (GCJ-02 converted, clipped to the extract) as one community; blocks from the OSM roads.
#[tokio::test]
async fn nanjing_blocks_tile_the_community_and_hold_every_building_once() {
    let Some(data) = shared_data() else { return };
    let app = TestApp::spawn().await;
    import_osm(&app.pool, &data.join("nanjing-osm/nanjing-center.osm"), &HouseholdModel::default()).await.unwrap();
    let gulou: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data.join("nanjing-districts/320106.geojson")).unwrap()).unwrap();
    let b = wangge_gis_data::boundaries::parse_boundary_value(gulou, wangge_gis_data::boundaries::Datum::Gcj02)
        .unwrap()
        .remove(0)
        .boundary;
    let clip = geo::Rect::new((NANJING_BBOX[0], NANJING_BBOX[1]), (NANJING_BBOX[2], NANJING_BBOX[3])).to_polygon();
    let clipped = geo::BooleanOps::intersection(b.multi_polygon(), &clip);
    let geometry: serde_json::Value = serde_json::from_str(&wangge_server::store::geojson_text(&clipped)).unwrap();

    let planner = app.sign_in_as("gulou", Role::Planner, Scope::District("320106".parse().unwrap())).await;
    assert_eq!(planner.post("/api/districts", &json!({ "code": "320106", "name": "鼓楼区" })).await.0, 201);
    assert_eq!(
        planner.post("/api/streets", &json!({ "code": "320106900", "name": "测试街道（提取范围）" })).await.0,
        201
    );
    let (s, body) = planner
        .post(
            "/api/communities",
            &json!({ "code": "320106900001", "name": "鼓楼区（提取范围）", "geometry": geometry }),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    let (s, summary) = planner.post("/api/communities/320106900001/blocks/build", &json!({})).await;
    assert_eq!(s, 200, "{summary}");
    // the extract covers the south-east corner of Gulou: ~19 blocks, ~180 buildings
    assert!(summary["blocks"].as_i64().unwrap() >= 15, "{summary}");
    assert!(summary["buildings"].as_i64().unwrap() >= 150, "{summary}");

    let (outside, gap_m2, overlap_m2, community_m2, misplaced): (i64, f64, f64, f64, i64) = sqlx::query_as(
        "WITH c AS (SELECT geom FROM community WHERE code = '320106900001'),
              k AS (SELECT * FROM block WHERE community_code = '320106900001' AND NOT retired)
         SELECT
           (SELECT count(*) FROM k, c WHERE NOT ST_CoveredBy(k.geom, ST_Buffer(c.geom, 0.000001))),
           (SELECT ST_Area(ST_Difference(c.geom, (SELECT ST_Union(geom) FROM k))::geography) FROM c),
           (SELECT coalesce(sum(ST_Area(ST_Intersection(a.geom, b.geom)::geography)), 0) FROM k a JOIN k b
              ON a.id < b.id AND ST_Intersects(a.geom, b.geom)),
           (SELECT ST_Area(geom::geography) FROM c),
           (SELECT count(*) FROM building b, c WHERE ST_Intersects(c.geom, ST_PointOnSurface(b.footprint))
              AND (b.block_id IS NULL OR NOT EXISTS (SELECT 1 FROM k WHERE k.id = b.block_id
                   AND ST_Intersects(k.geom, ST_PointOnSurface(b.footprint)))))",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(outside, 0, "every block lies inside its community");
    assert!(gap_m2 < community_m2 * 1e-6, "blocks cover the community: gap {gap_m2} m² of {community_m2}");
    assert!(overlap_m2 < 1.0, "blocks do not overlap: {overlap_m2} m²");
    assert_eq!(misplaced, 0, "every building of the community is in exactly the block containing it");
    let slivers: i64 =
        sqlx::query_scalar("SELECT count(*) FROM block WHERE community_code = '320106900001' AND area_m2 < 400")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(slivers, 0);
    // the partitioner divides the real blocks into a valid, contiguous plan
    let (s, suggested) = planner.post("/api/communities/320106900001/plans/suggest", &json!({})).await;
    assert_eq!(s, 201, "{suggested}");
    assert_eq!(suggested["report"]["problems"], json!([]), "a complete, contiguous partition of real blocks");
    // (the compounds Suggest divided are retired: their cells hold their households now)
    let households: i64 = sqlx::query_scalar(
        "SELECT sum(households)::int8 FROM block WHERE community_code = '320106900001' AND NOT retired",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let grids = suggested["report"]["grids"].as_array().unwrap();
    assert_eq!(grids.iter().map(|g| g["households"].as_i64().unwrap()).sum::<i64>(), households);
    assert_eq!(grids.len() as i64, (households as f64 / 300.0).round().max(1.0) as i64);
    // a plan already exists → rebuilding blocks would orphan it
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM block WHERE community_code = '320106900001' AND NOT retired")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    let (s, _) = planner
        .post(
            "/api/communities/320106900001/plans",
            &json!({ "grids": [{ "key": "all", "kind": "natural", "blocks": ids }] }),
        )
        .await;
    assert_eq!(s, 201);
    let (s, body) = planner.post("/api/communities/320106900001/blocks/build", &json!({})).await;
    assert_eq!(s, 409, "{body}");
}

/// The real incident sets become cases of districts of their own, located to their areas on import: San
/// Francisco's 178k incidents into its 196 census tracts, Los Angeles' 311 requests with their whole life into its
/// 99 neighborhood councils.
#[tokio::test]
async fn real_incidents_import_as_located_cases() {
    use wangge_server::import::incidents::{import_incidents, Preset};
    let Some(data) = shared_data() else { return };
    let app = TestApp::spawn().await;
    let sf = import_incidents(&app.pool, &data, Preset::Sf).await.unwrap();
    assert_eq!(sf.read, 177_956, "{sf:?}");
    assert_eq!(sf.imported as usize + sf.skipped, sf.read);
    assert_eq!((sf.communities, sf.categories), (196, 39), "{sf:?}");
    // The data README: 26 incidents lie off the tracts (latitude 90 or off shore); those with latitude 90 are skipped.
    assert!(sf.imported - sf.located <= 26, "{sf:?}");
    let (first, last, states): (String, String, Vec<String>) = sqlx::query_as(
        "SELECT min(reported_at AT TIME ZONE INTERVAL '-08:00')::date::text, max(reported_at AT TIME ZONE INTERVAL '-08:00')::date::text,
                array_agg(DISTINCT state)
         FROM cases WHERE district_code = '990201'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((first.as_str(), last.as_str(), states), ("2013-01-07", "2015-05-13", vec!["closed".to_owned()]));

    let la = import_incidents(&app.pool, &data, Preset::La311).await.unwrap();
    assert_eq!((la.read, la.communities), (10_000, 99), "{la:?}");
    assert!(la.located as f64 > 0.95 * la.imported as f64, "{la:?}");
    // Their whole life: close times kept, channels mapped (calls are the hotline, apps the public).
    let (closed, hours, hotline, public): (i64, f64, i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE closed_at IS NOT NULL),
                percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - reported_at) / 3600),
                count(*) FILTER (WHERE channel = 'hotline'), count(*) FILTER (WHERE channel = 'public')
         FROM cases WHERE district_code = '990202'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(closed > 9_000 && hours > 1.0 && hotline > 1_000 && public > 1_000, "{closed} {hours} {hotline} {public}");
    // A second import of the same set is refused rather than doubled.
    assert!(import_incidents(&app.pool, &data, Preset::La311).await.is_err());
}

/// Density on the real San Francisco incidents: per census tract, the counts equal PostGIS `ST_Contains` counts,
/// the rates per 1,000 residents use the tracts' census population, and the hexagon bins equal a count of each
/// incident's H3 cell.
#[tokio::test]
async fn san_francisco_density_per_tract_equals_postgis_and_uses_the_census_population() {
    use wangge_server::import::incidents::{import_incidents, Preset};
    let Some(data) = shared_data() else { return };
    let app = TestApp::spawn().await;
    import_incidents(&app.pool, &data, Preset::Sf).await.unwrap();
    app.state.incidents.catch_up(&app.pool).await.unwrap();
    let sf = app.sign_in_as("sf.center", Role::StreetOperator, Scope::District("990201".parse().unwrap())).await;
    let window = "from=2014-01-01T00:00:00Z&to=2015-01-01T00:00:00Z";
    let (s, b) = sf.get(&format!("/api/density/areas?{window}&level=community")).await;
    assert_eq!(s, 200, "{b}");
    let areas: Vec<wangge_api::density::AreaDensity> = serde_json::from_value(b).unwrap();
    let postgis: Vec<(String, i64, i64, Option<i32>)> = sqlx::query_as(
        "SELECT m.code,
                count(*) FILTER (WHERE c.reported_at >= '2014-01-01' AND c.reported_at < '2015-01-01'),
                count(*) FILTER (WHERE c.reported_at >= '2013-01-01' AND c.reported_at < '2014-01-01'),
                m.population
         FROM community m JOIN cases c ON ST_Contains(m.geom, c.geom)
         WHERE m.code LIKE '990201%' AND c.district_code = '990201'
         GROUP BY m.code, m.population
         HAVING count(*) FILTER (WHERE c.reported_at >= '2014-01-01' AND c.reported_at < '2015-01-01') > 0",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(postgis.len() > 150, "{} tracts", postgis.len());
    assert_eq!(areas.len(), postgis.len());
    let mut with_population = 0;
    for (code, count, previous, population) in &postgis {
        let a = areas.iter().find(|a| &a.code == code).unwrap_or_else(|| panic!("{code} missing"));
        assert_eq!((a.count as i64, a.previous as i64), (*count, *previous), "{code}");
        if let Some(p) = population.filter(|p| *p > 0) {
            with_population += 1;
            let rate = a.per_1000_residents.unwrap();
            assert!((rate - *count as f64 * 1000.0 / p as f64).abs() < 0.01, "{code}: {rate}");
        }
    }
    assert!(with_population > 150, "the census gives most tracts a population ({with_population})");

    // Bins over the whole city at resolution 8: each incident's cell, counted here.
    let (s, b) = sf.get(&format!("/api/density/bins?{window}&resolution=8")).await;
    assert_eq!(s, 200, "{b}");
    let bins: wangge_api::density::Bins = serde_json::from_value(b).unwrap();
    let points: Vec<(f64, f64)> = sqlx::query_as(
        "SELECT ST_X(geom), ST_Y(geom) FROM cases
         WHERE district_code = '990201' AND reported_at >= '2014-01-01' AND reported_at < '2015-01-01'",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let mut expected: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    for (lon, lat) in &points {
        if let Ok(ll) = h3o::LatLng::new(*lat as f32 as f64, *lon as f32 as f64) {
            *expected.entry(ll.to_cell(h3o::Resolution::Eight).to_string()).or_default() += 1;
        }
    }
    let got: std::collections::HashMap<String, u32> = bins.bins.iter().map(|b| (b.cell.clone(), b.count)).collect();
    assert!(points.len() > 50_000, "{}", points.len());
    assert_eq!(got, expected);
}

/// The real base map cut at real district boundaries: central Nanjing's roads and land use, imported unplaced, are
/// placed in Xuanwu, Qinhuai, Jianye and Gulou (GCJ-02 converted) as their boundaries are stored; every piece lies
/// in its district, and the roads' length is kept.
#[tokio::test]
async fn nanjing_roads_are_cut_at_the_district_boundaries() {
    let Some(data) = shared_data() else { return };
    let app = TestApp::spawn().await;
    import_osm(&app.pool, &data.join("nanjing-osm/nanjing-center.osm"), &HouseholdModel::default()).await.unwrap();
    let length = || async {
        sqlx::query_scalar::<_, f64>("SELECT sum(ST_Length(geom::geography)) FROM road")
            .fetch_one(&app.pool)
            .await
            .unwrap()
    };
    let before = length().await;
    let started = std::time::Instant::now();
    for code in ["320102", "320104", "320105", "320106"] {
        let value: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(data.join(format!("nanjing-districts/{code}.geojson"))).unwrap(),
        )
        .unwrap();
        let boundary =
            wangge_gis_data::boundaries::parse_boundary_value(value, wangge_gis_data::boundaries::Datum::Gcj02)
                .unwrap()
                .remove(0)
                .boundary;
        upsert_area(&app.pool, Level::District, code, code, Some(&boundary), false).await.unwrap();
    }
    let per_district: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT district_code, count(*), count(*) FILTER (WHERE id IN (SELECT id FROM road GROUP BY id HAVING count(*) > 1))
         FROM road GROUP BY 1 ORDER BY 1",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    eprintln!("placed in {:?}: (district, roads, cut roads) {per_district:?}", started.elapsed());
    let districts: Vec<&str> = per_district.iter().map(|(d, ..)| d.as_str()).filter(|d| *d != "000000").collect();
    assert!(districts.len() >= 3, "the extract spans several districts: {per_district:?}");
    let cut: i64 = per_district.iter().map(|p| p.2).sum();
    assert!(cut >= 20, "roads crossing a district boundary are cut into pieces: {per_district:?}");
    let after = length().await;
    // the districts' boundaries (a public data set) overlap or part by a few metres in places
    assert!((after - before).abs() < before * 0.002, "the roads' length: {before} m before, {after} m after");
    let (roads_outside, landuse_outside): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM road r JOIN district d ON d.code = r.district_code
                 WHERE NOT ST_CoveredBy(r.geom, ST_Buffer(d.geom, 0.000001))),
                (SELECT count(*) FROM landuse l JOIN district d ON d.code = l.district_code
                 WHERE NOT ST_CoveredBy(l.geom, ST_Buffer(d.geom, 0.000001)))",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((roads_outside, landuse_outside), (0, 0), "every piece lies in its district");
    let s =
        import_osm(&app.pool, &data.join("nanjing-osm/nanjing-center.osm"), &HouseholdModel::default()).await.unwrap();
    assert_eq!((s.roads, s.landuse), (0, 0), "a re-import finds every feature in its district: {s:?}");
}
