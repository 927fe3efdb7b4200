//! Plan validation, publishing and versioned locate, through the HTTP API on a real PostGIS.

use serde_json::{json, Value};
use wangge_domain::access::{Role, Scope};
use wangge_tests::TestApp;

const COMMUNITY: &str = "990101001001";

/// The grids of the plan in force, as API input.
async fn current_grids(app: &TestApp) -> (i64, Vec<Value>) {
    let (status, body) = app.get(&format!("/api/communities/{COMMUNITY}/grids")).await;
    assert_eq!(status, 200, "{body}");
    let plan_id = body["plan"]["id"].as_i64().unwrap();
    let grids = body["grids"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = &f["properties"];
            json!({ "key": p["key"], "kind": p["kind"], "blocks": p["blocks"] })
        })
        .collect();
    (plan_id, grids)
}

/// A point inside block `block`.
async fn point_in_block(app: &TestApp, block: i64) -> (f64, f64) {
    sqlx::query_as("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM block WHERE id = $1) s")
        .bind(block)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

fn blocks_of(g: &Value) -> Vec<i64> {
    g["blocks"].as_array().unwrap().iter().map(|b| b.as_i64().unwrap()).collect()
}

#[tokio::test]
async fn demo_plan_is_a_valid_partition_with_codes_and_counts() {
    let app = TestApp::spawn_with_demo().await;
    let (plan_id, grids) = current_grids(&app).await;
    let (status, body) = app.get(&format!("/api/plans/{plan_id}")).await;
    assert_eq!(status, 200);
    assert_eq!(body["report"]["problems"], json!([]));
    let features = body["grids"]["features"].as_array().unwrap();
    assert_eq!(features.len(), grids.len());
    let mut codes: Vec<&str> = features.iter().map(|f| f["properties"]["code"].as_str().unwrap()).collect();
    assert!(codes.iter().all(|c| c.len() == 15 && c.starts_with(COMMUNITY)));
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), features.len(), "grid codes are unique");
    // grid 001 is the north-westernmost: its interior point is north of grid with the last sequence number
    let block_households: i64 = sqlx::query_scalar("SELECT sum(households)::int8 FROM block WHERE community_code = $1")
        .bind(COMMUNITY)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let grid_households: i64 = features.iter().map(|f| f["properties"]["households"].as_i64().unwrap()).sum();
    assert_eq!(block_households, grid_households, "every household is in exactly one grid");
    let dedicated = features.iter().filter(|f| f["properties"]["kind"] == "dedicated").count();
    assert_eq!(dedicated, 2, "the school and the hospital are dedicated grids");
    // deviation is reported relative to 300
    let f0 = &features[0]["properties"];
    let h = f0["households"].as_f64().unwrap();
    assert!((f0["deviation"].as_f64().unwrap() - (h - 300.0) / 300.0).abs() < 1e-9);
}

#[tokio::test]
async fn gaps_overlaps_discontiguity_and_broken_dedicated_grids_are_each_detected() {
    let app = TestApp::spawn_with_demo().await;
    let (plan_id, grids) = current_grids(&app).await;
    let before = app.fingerprint().await;

    // overlap: refused outright, nothing stored
    let mut overlap = grids.clone();
    let stolen = blocks_of(&overlap[1])[0];
    overlap[0]["blocks"].as_array_mut().unwrap().push(json!(stolen));
    let (status, body) = app
        .post(&format!("/api/communities/{COMMUNITY}/plans"), &json!({ "grids": overlap, "based_on": plan_id }))
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["details"]["problems"][0]["problem"], "assigned_twice");
    assert_eq!(body["details"]["problems"][0]["block"], stolen);
    assert_eq!(app.fingerprint().await, before, "a refused plan stores nothing");

    // gap: stored as a draft with the problem listed, publishing refused with the gap's blocks
    let mut gap = grids.clone();
    let dropped = gap[0]["blocks"].as_array_mut().unwrap().pop().unwrap();
    let (status, body) =
        app.post(&format!("/api/communities/{COMMUNITY}/plans"), &json!({ "grids": gap, "based_on": plan_id })).await;
    assert_eq!(status, 201, "{body}");
    let draft = body["plan"]["id"].as_i64().unwrap();
    assert_eq!(body["report"]["problems"][0], json!({ "problem": "unassigned", "blocks": [dropped] }));
    let (status, body) = app.post(&format!("/api/plans/{draft}/publish"), &json!({})).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"], "plan_not_publishable");
    assert_eq!(body["details"]["problems"][0]["blocks"], json!([dropped]));

    // discontiguity: move a block that touches nothing else of grid A into grid A
    let adjacency: Vec<(i64, i64)> =
        sqlx::query_as("SELECT a, b FROM block_adjacency").fetch_all(&app.pool).await.unwrap();
    let touches = |x: i64, set: &[i64]| {
        adjacency.iter().any(|&(a, b)| (a == x && set.contains(&b)) || (b == x && set.contains(&a)))
    };
    let a_blocks = blocks_of(&grids[0]);
    let (donor, far) = grids
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, g)| g["kind"] == "natural" && blocks_of(g).len() > 1)
        .find_map(|(i, g)| blocks_of(g).into_iter().find(|&b| !touches(b, &a_blocks)).map(|b| (i, b)))
        .expect("some block not touching grid 0");
    let mut split = grids.clone();
    split[donor]["blocks"] = json!(blocks_of(&grids[donor]).into_iter().filter(|&b| b != far).collect::<Vec<_>>());
    split[0]["blocks"].as_array_mut().unwrap().push(json!(far));
    let (status, body) = app.put(&format!("/api/plans/{draft}"), &json!({ "grids": split, "based_on": plan_id })).await;
    assert_eq!(status, 200, "{body}");
    let problems = body["report"]["problems"].as_array().unwrap();
    let disc = problems
        .iter()
        .find(|p| p["problem"] == "discontiguous" && p["grid"] == grids[0]["key"])
        .expect("discontiguous reported");
    assert!(disc["pieces"].as_array().unwrap().iter().any(|piece| piece == &json!([far])));

    // dedicated grid losing part of its unit
    let mut broken = grids.clone();
    let school = broken.iter().position(|g| g["kind"] == "dedicated").unwrap();
    let school_blocks = blocks_of(&broken[school]);
    if school_blocks.len() >= 2 {
        broken[school]["unit"] = json!(school_blocks);
        let moved = school_blocks[school_blocks.len() - 1];
        broken[school]["blocks"] = json!(school_blocks[..school_blocks.len() - 1]);
        let neighbour = grids.iter().position(|g| g["kind"] == "natural" && touches(moved, &blocks_of(g))).unwrap();
        broken[neighbour]["blocks"].as_array_mut().unwrap().push(json!(moved));
        let (_, body) = app.put(&format!("/api/plans/{draft}"), &json!({ "grids": broken, "based_on": plan_id })).await;
        assert!(
            body["report"]["problems"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["problem"] == "dedicated_not_intact" && p["missing"] == json!([moved])),
            "{body}"
        );
    } else {
        let mut unit = school_blocks.clone();
        let neighbour_block = adjacency
            .iter()
            .find_map(|&(a, b)| {
                if a == unit[0] {
                    Some(b)
                } else if b == unit[0] {
                    Some(a)
                } else {
                    None
                }
            })
            .unwrap();
        unit.push(neighbour_block);
        broken[school]["unit"] = json!(unit);
        let (_, body) = app.put(&format!("/api/plans/{draft}"), &json!({ "grids": broken, "based_on": plan_id })).await;
        assert!(
            body["report"]["problems"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["problem"] == "dedicated_not_intact" && p["missing"] == json!([neighbour_block])),
            "{body}"
        );
    }
}

#[tokio::test]
async fn versioned_locate_follows_the_plan_in_force_and_stale_drafts_are_refused() {
    let app = TestApp::spawn_with_demo().await;
    let (plan_v1, grids) = current_grids(&app).await;
    // merge grids 0 and a neighbour into one: v2
    let adjacency: Vec<(i64, i64)> =
        sqlx::query_as("SELECT a, b FROM block_adjacency").fetch_all(&app.pool).await.unwrap();
    let a = blocks_of(&grids[0]);
    let j = (1..grids.len())
        .find(|&j| {
            grids[j]["kind"] == "natural"
                && blocks_of(&grids[j])
                    .iter()
                    .any(|&x| adjacency.iter().any(|&(p, q)| (p == x && a.contains(&q)) || (q == x && a.contains(&p))))
        })
        .unwrap();
    let moved_block = blocks_of(&grids[j])[0];
    let mut v2 = grids.clone();
    v2[0]["blocks"].as_array_mut().unwrap().extend(blocks_of(&grids[j]).into_iter().map(|b| json!(b)));
    v2.remove(j);
    let (s, body) =
        app.post(&format!("/api/communities/{COMMUNITY}/plans"), &json!({ "grids": v2, "based_on": plan_v1 })).await;
    assert_eq!(s, 201, "{body}");
    let plan_v2 = body["plan"]["id"].as_i64().unwrap();
    // a second draft from the same base
    let (_, body) =
        app.post(&format!("/api/communities/{COMMUNITY}/plans"), &json!({ "grids": grids, "based_on": plan_v1 })).await;
    let rival = body["plan"]["id"].as_i64().unwrap();

    let (s, body) = app.post(&format!("/api/plans/{plan_v2}/publish"), &json!({ "valid_from": "2026-06-01" })).await;
    assert_eq!(s, 200, "{body}");
    let (s, body) = app.post(&format!("/api/plans/{rival}/publish"), &json!({ "valid_from": "2026-07-01" })).await;
    assert_eq!(s, 409, "a publish from a stale base is refused: {body}");
    assert_eq!(body["error"], "stale_base");
    assert_eq!(body["details"]["latest_published"], plan_v2);

    // a point inside the moved block: v1 grid before June, v2 grid after
    let (lon, lat) = point_in_block(&app, moved_block).await;
    let (_, early) = app.get(&format!("/api/locate?lon={lon}&lat={lat}&at=2026-03-01")).await;
    let (_, late) = app.get(&format!("/api/locate?lon={lon}&lat={lat}&at=2026-08-01")).await;
    assert_eq!(early["located"]["natural_grid"]["plan_version"], 1, "{early}");
    assert_eq!(late["located"]["natural_grid"]["plan_version"], 2, "{late}");
    assert_ne!(early["located"]["natural_grid"]["id"], late["located"]["natural_grid"]["id"]);
    assert_eq!(late["located"]["community"]["code"], COMMUNITY);
    assert_eq!(late["located"]["street"]["code"], &COMMUNITY[..9]);
    // before the first plan: no grid
    let (_, ancient) = app.get(&format!("/api/locate?lon={lon}&lat={lat}&at=2020-01-01")).await;
    assert!(ancient["located"]["natural_grid"].is_null());
    // v1 now ends where v2 starts
    let (_, versions) = app.get(&format!("/api/communities/{COMMUNITY}/plans")).await;
    let v1 = versions.as_array().unwrap().iter().find(|p| p["id"] == plan_v1).unwrap();
    assert!(v1["valid_to"].as_str().unwrap().starts_with("2026-06-01"));

    // The publish read again only the areas meeting the community's box: the cache locates every point of the
    // district, at every time, exactly as a snapshot read whole does.
    let patched = app.state.cache.snapshot();
    let whole = wangge_server::cache::Snapshot::load(&app.pool, None).await.unwrap();
    assert_eq!(patched.grids.len(), whole.grids.len(), "no grid twice, none lost");
    assert_eq!(patched.communities.len(), whole.communities.len());
    let (w, s, e, n): (f64, f64, f64, f64) = sqlx::query_as(
        "SELECT ST_XMin(x), ST_YMin(x), ST_XMax(x), ST_YMax(x) FROM (SELECT ST_Extent(geom)::geometry x FROM community) b",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let mut located = 0;
    for at in ["2020-01-01T00:00:00Z", "2026-03-01T00:00:00Z", "2026-08-01T00:00:00Z"] {
        let at: chrono::DateTime<chrono::Utc> = at.parse().unwrap();
        for i in 0..60 {
            for j in 0..60 {
                let (lon, lat) = (w + (e - w) * (i as f64 + 0.5) / 60.0, s + (n - s) * (j as f64 + 0.5) / 60.0);
                let (a, b) = (patched.locate(lon, lat, at), whole.locate(lon, lat, at));
                assert_eq!(a, b, "({lon}, {lat}) at {at}");
                located += usize::from(a.natural_grid.is_some());
            }
        }
    }
    assert!(located > 1000, "many points of the district lie in a grid: {located}");

    // So do the tiles: the governance layers, patched within the community's box, cut every tile of the district
    // (staff and public, cached or not) into the same features as layers read whole (in another order: the patch
    // keeps the others first).
    use wangge_server::tile_service::{Selection, TileService};
    fn features(bytes: &[u8]) -> Vec<String> {
        if bytes.is_empty() {
            return Vec::new();
        }
        let reader = mvt_reader::Reader::new(bytes.to_vec()).expect("a tile");
        let mut out = Vec::new();
        for (i, name) in reader.get_layer_names().unwrap().iter().enumerate() {
            for f in reader.get_features(i).unwrap() {
                let mut props: Vec<String> = f.properties.iter().flatten().map(|(k, v)| format!("{k}={v:?}")).collect();
                props.sort();
                out.push(format!("{name} {:?} {:?} {props:?}", f.id, f.geometry));
            }
        }
        out.sort();
        out
    }
    let whole_tiles = TileService::load(&app.pool).await.unwrap();
    let mut compared = 0;
    for z in [11u8, 13, 15, 16] {
        let (a, b) = (wangge_tiles::TileId::containing(w, n, z), wangge_tiles::TileId::containing(e, s, z));
        for x in a.x..=b.x {
            for y in a.y..=b.y {
                let t = wangge_tiles::TileId { z, x, y };
                for selection in [Selection::All, Selection::parse("public").unwrap()] {
                    let (patched, whole) = (app.state.tiles.tile(&selection, t), whole_tiles.tile(&selection, t));
                    assert_eq!(features(&patched.raw), features(&whole.raw), "{t:?} {selection:?}");
                    compared += usize::from(!whole.raw.is_empty());
                }
            }
        }
    }
    assert!(compared > 20, "tiles with features compared: {compared}");
}

#[tokio::test]
async fn a_block_splits_into_building_cells_that_a_new_plan_can_assign_to_two_grids() {
    let app = TestApp::spawn_with_demo().await;
    let (plan_v1, grids) = current_grids(&app).await;
    // a block with several buildings, in a natural grid
    let g0 = grids.iter().position(|g| g["kind"] == "natural").unwrap();
    let (block, households): (i64, i32) = sqlx::query_as(
        "SELECT b.id, b.households FROM block b WHERE b.id = ANY($1) AND (SELECT count(*) FROM building x WHERE x.block_id = b.id) >= 3 LIMIT 1",
    )
    .bind(blocks_of(&grids[g0]))
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let (s, body) = app.post(&format!("/api/blocks/{block}/split"), &json!({})).await;
    assert_eq!(s, 200, "{body}");
    let cells: Vec<i64> = body["cells"].as_array().unwrap().iter().map(|c| c.as_i64().unwrap()).collect();
    assert!(cells.len() >= 3);
    let (cell_households, area_diff): (i64, f64) = sqlx::query_as(
        "SELECT sum(c.households)::int8, abs(sum(c.area_m2) - (SELECT area_m2 FROM block WHERE id = $1)) FROM block c WHERE c.parent_id = $1",
    )
    .bind(block)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(cell_households, i64::from(households), "households are kept");
    assert!(area_diff < 1.0, "cells tile the block: {area_diff} m²");
    // every building lies in the cell it is assigned to, and the cells' adjacency (recorded for the cells alone) is
    // what recording the whole community again gives
    let misplaced: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM building x JOIN block c ON c.id = x.block_id
         WHERE c.parent_id = $1 AND NOT ST_Intersects(c.geom, ST_PointOnSurface(x.footprint))",
    )
    .bind(block)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(misplaced, 0);
    let adjacency = |pool: sqlx::PgPool| async move {
        sqlx::query_as::<_, (i64, i64, i64)>(
            "SELECT a, b, round(shared_m * 10)::int8 FROM block_adjacency ORDER BY a, b",
        )
        .fetch_all(&pool)
        .await
        .unwrap()
    };
    let recorded = adjacency(app.pool.clone()).await;
    let mut tx = app.pool.begin().await.unwrap();
    wangge_server::store::blocks::record_adjacency(&mut tx, COMMUNITY).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(recorded, adjacency(app.pool.clone()).await);
    // splitting again is refused; the old plan still shows the parent block
    assert_eq!(app.post(&format!("/api/blocks/{block}/split"), &json!({})).await.0, 409);
    // a new plan leaves all cells but one in the old grid and puts that one in a new grid
    let mut v2 = grids.clone();
    let without: Vec<i64> = blocks_of(&grids[g0]).into_iter().filter(|&b| b != block).collect();
    v2[g0]["blocks"] = json!([without, cells[1..].to_vec()].concat());
    v2.push(json!({ "key": "cells", "kind": "natural", "blocks": cells[..1].to_vec() }));
    let (s, body) =
        app.post(&format!("/api/communities/{COMMUNITY}/plans"), &json!({ "grids": v2, "based_on": plan_v1 })).await;
    assert_eq!(s, 201, "{body}");
    let problems = body["report"]["problems"].as_array().unwrap();
    assert!(!problems.iter().any(|p| p["problem"] == "unassigned"), "every cell is assigned: {problems:?}");
    let cell_grid = body["report"]["grids"].as_array().unwrap().iter().find(|g| g["key"] == "cells").unwrap();
    let expect: i64 = sqlx::query_scalar("SELECT sum(households)::int8 FROM block WHERE id = ANY($1)")
        .bind(&cells[..1])
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(cell_grid["households"].as_i64().unwrap(), expect);
    // The cells count as parts of the block they were cut from: the new grid is split from the block's grid.
    let v2 = body["plan"]["id"].as_i64().unwrap();
    let (_, lineage) = app.get(&format!("/api/plans/{v2}/lineage")).await;
    let old_code = &codes_by_key(&app, plan_v1).await[grids[g0]["key"].as_str().unwrap()];
    let cells_grid = lineage["grids"].as_array().unwrap().iter().find(|g| g["key"] == "cells").unwrap();
    assert_eq!(
        (cells_grid["origin"].as_str(), cells_grid["parents"][0]["code"].as_str()),
        (Some("split"), Some(old_code.as_str()))
    );
    assert_eq!(cells_grid["parents"][0]["households"].as_i64(), Some(expect));
}

#[tokio::test]
async fn a_suggested_plan_keeps_dedicated_grids_and_is_publishable() {
    let app = TestApp::spawn_with_demo().await;
    let (plan_v1, grids) = current_grids(&app).await;
    let school = grids.iter().find(|g| g["kind"] == "dedicated").unwrap().clone();
    let (s, body) = app.post(&format!("/api/communities/{COMMUNITY}/plans/suggest"), &json!({ "seed": 4 })).await;
    assert_eq!(s, 201, "{body}");
    assert_eq!(body["plan"]["based_on"], plan_v1);
    assert_eq!(body["report"]["problems"], json!([]), "a suggestion is a valid partition");
    let draft = body["plan"]["id"].as_i64().unwrap();
    let (_, plan) = app.get(&format!("/api/plans/{draft}")).await;
    let features = plan["grids"]["features"].as_array().unwrap();
    let kept = features.iter().find(|f| f["properties"]["kind"] == "dedicated").unwrap();
    assert_eq!(kept["properties"]["blocks"], school["blocks"], "the dedicated grid is held fixed");
    // with no manual step: the compounds above half a grid were divided into building cells first, and every
    // natural grid of the demo's compounds of hundreds to thousands of households is in the band
    let natural: Vec<&Value> = features.iter().filter(|f| f["properties"]["kind"] == "natural").collect();
    assert!(
        natural.iter().all(|f| f["properties"]["within_band"] == true),
        "{:?}",
        natural.iter().map(|f| &f["properties"]["households"]).collect::<Vec<_>>()
    );
    let divided = body["divided"].as_array().unwrap();
    assert!(!divided.is_empty(), "the demo's big compounds are divided: {body}");
    for d in divided {
        assert!(d["households"].as_i64().unwrap() > 150 && d["cells"].as_array().unwrap().len() > 1, "{d}");
    }
    let (live,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM block WHERE community_code = $1 AND NOT retired AND households > 150
           AND (SELECT count(*) FROM building x WHERE x.block_id = block.id) > 1",
    )
    .bind(COMMUNITY)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(live, 0, "no undivided compound above half a grid is left");
    assert_eq!(body["compounds"]["given"].as_u64(), Some(divided.len() as u64), "{}", body["compounds"]);
    let cut = body["compounds"]["cut"].as_array().unwrap();
    assert!(cut.iter().all(|c| c["grids"].as_u64().unwrap() >= 2 && c["cut_length"].as_f64().unwrap() > 0.0));
    // the division and the draft are one audited write
    let logged: Value = sqlx::query_scalar(
        "SELECT after FROM audit_log WHERE action = 'POST /api/communities/{code}/plans/suggest' ORDER BY seq DESC LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(logged["divided"].as_array().map(Vec::len), Some(divided.len()));
    assert_eq!(app.post(&format!("/api/plans/{draft}/publish"), &json!({})).await.0, 200);
    let (s, body) = app.post(&format!("/api/communities/{COMMUNITY}/plans/suggest"), &json!({ "target": 5 })).await;
    assert_eq!((s, body["error"].as_str()), (422, Some("bad_target")));
    assert_eq!(app.post("/api/communities/990101009009/plans/suggest", &json!({})).await.0, 404);
}

#[tokio::test]
async fn a_planner_keeps_a_compound_whole_or_has_it_divided_whatever_it_holds() {
    let app = TestApp::spawn_with_demo().await;
    let pick = |sql: &'static str| {
        let pool = app.pool.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).bind(COMMUNITY).fetch_one(&pool).await.unwrap() }
    };
    // the biggest compound, kept whole; a small block of several buildings, always divided
    let big = pick(
        "SELECT id FROM block b WHERE community_code = $1 AND NOT retired AND households > 150
           AND (SELECT count(*) FROM building WHERE block_id = b.id) > 1 ORDER BY households DESC LIMIT 1",
    )
    .await;
    let small = pick(
        "SELECT id FROM block b WHERE community_code = $1 AND NOT retired AND households <= 150
           AND (SELECT count(*) FROM building WHERE block_id = b.id) > 1 ORDER BY id LIMIT 1",
    )
    .await;
    let (s, body) = app.put(&format!("/api/blocks/{big}/split-policy"), &json!({ "split_policy": "never" })).await;
    assert_eq!((s, &body["split_policy"], &body["before"]), (200, &json!("never"), &json!("auto")), "{body}");
    let (s, _) = app.put(&format!("/api/blocks/{small}/split-policy"), &json!({ "split_policy": "always" })).await;
    assert_eq!(s, 200);
    let (s, body) = app.post(&format!("/api/communities/{COMMUNITY}/plans/suggest"), &json!({})).await;
    assert_eq!(s, 201, "{body}");
    let divided: Vec<i64> = body["divided"].as_array().unwrap().iter().map(|d| d["block"].as_i64().unwrap()).collect();
    assert!(!divided.contains(&big), "kept whole: {divided:?}");
    assert!(divided.contains(&small), "divided whatever it holds: {divided:?}");
    // bad input and unknown or divided blocks
    let (s, _) = app.put(&format!("/api/blocks/{big}/split-policy"), &json!({ "split_policy": "sometimes" })).await;
    assert!(s == 400 || s == 422, "{s}");
    assert_eq!(app.put("/api/blocks/99999999/split-policy", &json!({ "split_policy": "never" })).await.0, 404);
    assert_eq!(app.put(&format!("/api/blocks/{small}/split-policy"), &json!({ "split_policy": "auto" })).await.0, 404);
}

#[tokio::test]
async fn a_tower_larger_than_a_grid_is_reported_then_shared_by_units_when_the_planner_allows_it() {
    let app = TestApp::spawn_with_demo().await;
    let url = format!("/api/communities/{COMMUNITY}/plans/suggest");
    let empty = json!({});
    let suggest = || app.post(&url, &empty);
    assert_eq!(suggest().await.0, 201, "compounds divided into building cells");
    // a register counts 480 households in one tower of a compound: larger than a grid
    let tower: i64 = sqlx::query_scalar(
        "SELECT id FROM block b WHERE community_code = $1 AND NOT retired AND parent_id IS NOT NULL
           AND (SELECT count(*) FROM building WHERE block_id = b.id) = 1 ORDER BY households DESC, id LIMIT 1",
    )
    .bind(COMMUNITY)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    sqlx::query("UPDATE building SET households = 480 WHERE block_id = $1")
        .bind(tower)
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE block SET households = 480 WHERE id = $1").bind(tower).execute(&app.pool).await.unwrap();
    let (s, body) = suggest().await;
    assert_eq!(s, 201, "{body}");
    assert!(
        body["oversized"].as_array().unwrap().contains(&json!({ "block": tower, "households": 480 })),
        "reported as oversized with its figure: {}",
        body["oversized"]
    );
    // units are for one building
    let compound: i64 = sqlx::query_scalar(
        "SELECT id FROM block b WHERE community_code = $1 AND NOT retired
           AND (SELECT count(*) FROM building WHERE block_id = b.id) > 1 LIMIT 1",
    )
    .bind(COMMUNITY)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let (s, body) = app.put(&format!("/api/blocks/{compound}/split-policy"), &json!({ "split_policy": "units" })).await;
    assert_eq!((s, body["error"].as_str()), (422, Some("not_one_building")), "{body}");
    // the planner allows sharing the tower by units: the next suggestion divides it into units of at most half a grid
    let (s, body) = app.put(&format!("/api/blocks/{tower}/split-policy"), &json!({ "split_policy": "units" })).await;
    assert_eq!((s, &body["split_policy"]), (200, &json!("units")), "{body}");
    let (s, body) = suggest().await;
    assert_eq!(s, 201, "{body}");
    let shared =
        body["divided"].as_array().unwrap().iter().find(|d| d["block"] == tower).expect("the tower is divided");
    assert_eq!(shared["cells"].as_array().unwrap().len(), 4, "480 households in units of at most 150: {shared}");
    assert!(!body["oversized"].as_array().unwrap().iter().any(|o| o["block"] == tower), "{}", body["oversized"]);
    let units: Vec<(i32, f64)> =
        sqlx::query_as("SELECT households, area_m2 FROM block WHERE parent_id = $1 AND NOT retired ORDER BY id")
            .bind(tower)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(units.iter().map(|u| u.0).collect::<Vec<_>>(), vec![120; 4], "equal shares of the households");
    let (whole, union, adjacent): (f64, f64, i64) = sqlx::query_as(
        "SELECT (SELECT area_m2 FROM block WHERE id = $1),
                (SELECT ST_Area(ST_Union(geom)::geography) FROM block WHERE parent_id = $1),
                (SELECT count(*) FROM block_adjacency a JOIN block x ON x.id IN (a.a, a.b) WHERE x.parent_id = $1)",
    )
    .bind(tower)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!((whole - union).abs() < whole * 0.01, "the units tile the cell: {whole} / {union}");
    assert!(adjacent >= 3, "the units touch each other and the cells around: {adjacent}");
}

#[tokio::test]
async fn rebalancing_around_a_grid_keeps_far_grids_and_the_dedicated_grid() {
    let app = TestApp::spawn_with_demo().await;
    let (plan_v1, grids) = current_grids(&app).await;
    let focus = grids.iter().find(|g| g["kind"] == "natural").unwrap()["key"].as_str().unwrap().to_owned();
    let (s, body) = app.post(&format!("/api/plans/{plan_v1}/rebalance"), &json!({ "grid": focus, "hops": 1 })).await;
    assert_eq!(s, 201, "{body}");
    assert_eq!(body["report"]["problems"], json!([]));
    assert_eq!(body["plan"]["based_on"], plan_v1);
    let draft = body["plan"]["id"].as_i64().unwrap();
    let (_, plan) = app.get(&format!("/api/plans/{draft}")).await;
    let new_grids = plan["grids"]["features"].as_array().unwrap();
    assert_eq!(new_grids.len(), grids.len());
    // a grid that does not touch the focus grid keeps exactly its blocks
    let adjacency: Vec<(i64, i64)> =
        sqlx::query_as("SELECT a, b FROM block_adjacency").fetch_all(&app.pool).await.unwrap();
    let focus_blocks = blocks_of(grids.iter().find(|g| g["key"] == focus.as_str()).unwrap());
    let touches = |g: &Value| {
        blocks_of(g).iter().any(|&x| {
            adjacency
                .iter()
                .any(|&(p, q)| (p == x && focus_blocks.contains(&q)) || (q == x && focus_blocks.contains(&p)))
        })
    };
    let mut far = 0;
    for g in grids.iter().filter(|g| g["key"] != focus.as_str() && !touches(g)) {
        let kept = new_grids.iter().find(|f| f["properties"]["key"] == g["key"]).expect("far grid kept");
        assert_eq!(kept["properties"]["blocks"], g["blocks"]);
        far += 1;
    }
    assert!(far > 3, "the test looked at far grids: {far}");
    let (s, b) = app.post(&format!("/api/plans/{plan_v1}/rebalance"), &json!({ "grid": focus, "hops": 5 })).await;
    assert_eq!((s, b["error"].as_str()), (422, Some("bad_hops")));
    assert_eq!(app.post(&format!("/api/plans/{plan_v1}/rebalance"), &json!({ "grid": "nope" })).await.0, 404);
}

#[tokio::test]
async fn rebalancing_the_community_keeps_every_grid_in_the_band_as_it_is() {
    let app = TestApp::spawn_with_demo().await;
    let (plan_v1, grids) = current_grids(&app).await;
    // new flats in one grid: its blocks gain 40 % more households
    let grown = grids.iter().find(|g| g["kind"] == "natural").unwrap();
    sqlx::query("UPDATE block SET households = households * 14 / 10 WHERE id = ANY($1)")
        .bind(blocks_of(grown))
        .execute(&app.pool)
        .await
        .unwrap();
    let (s, body) = app.post(&format!("/api/plans/{plan_v1}/rebalance"), &json!({})).await;
    assert_eq!(s, 201, "{body}");
    assert_eq!(body["report"]["problems"], json!([]), "a complete, contiguous plan");
    assert!(body["plan"]["note"].as_str().unwrap().starts_with("community rebalanced"), "{}", body["plan"]["note"]);
    let summary = &body["rebalanced"];
    let list = |k: &str| -> Vec<String> {
        summary[k].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_owned()).collect()
    };
    let (kept, changed) = (list("kept"), list("changed"));
    let draft = body["plan"]["id"].as_i64().unwrap();
    let (_, plan) = app.get(&format!("/api/plans/{draft}")).await;
    let features = plan["grids"]["features"].as_array().unwrap();
    let blocks_by_key = |key: &str| {
        features.iter().find(|f| f["properties"]["key"] == key).map(|f| blocks_of(&f["properties"])).unwrap_or_default()
    };
    // every natural grid is either kept, with exactly its blocks, or listed as changed
    let natural: Vec<&Value> = grids.iter().filter(|g| g["kind"] == "natural").collect();
    for g in &natural {
        let key = g["key"].as_str().unwrap();
        assert!(kept.iter().any(|k| k == key) != changed.iter().any(|k| k == key), "{key}: {summary}");
        if kept.iter().any(|k| k == key) {
            assert_eq!(blocks_by_key(key), blocks_of(g), "{key} is kept as it was");
        }
    }
    // the households said to have moved are those of the blocks now in another grid
    let households: std::collections::HashMap<i64, i64> =
        sqlx::query_as::<_, (i64, i32)>("SELECT id, households FROM block WHERE community_code = $1")
            .bind(COMMUNITY)
            .fetch_all(&app.pool)
            .await
            .unwrap()
            .into_iter()
            .map(|(id, h)| (id, i64::from(h)))
            .collect();
    let moved: i64 = natural
        .iter()
        .flat_map(|g| {
            let now = blocks_by_key(g["key"].as_str().unwrap());
            blocks_of(g).into_iter().filter(move |b| !now.contains(b))
        })
        .map(|b| households[&b])
        .sum();
    assert_eq!(summary["moved_households"].as_i64(), Some(moved), "{summary}");
    // bad input: an unknown grid or plan, steps without a grid, broken JSON; no draft is added by any of them
    let drafts =
        || async { sqlx::query_scalar::<_, i64>("SELECT count(*) FROM plan").fetch_one(&app.pool).await.unwrap() };
    let before = drafts().await;
    assert_eq!(app.post(&format!("/api/plans/{plan_v1}/rebalance"), &json!({ "grid": "nope" })).await.0, 404);
    assert_eq!(app.post("/api/plans/99999999/rebalance", &json!({})).await.0, 404);
    let (s, b) = app.post(&format!("/api/plans/{plan_v1}/rebalance"), &json!({ "hops": 2 })).await;
    assert_eq!((s, b["error"].as_str()), (422, Some("bad_hops")));
    let (s, _) = app
        .caller
        .post_raw(&format!("/api/plans/{plan_v1}/rebalance"), "application/json", b"{\"grid\":".to_vec())
        .await;
    assert_eq!(s, 400);
    assert_eq!(drafts().await, before);
}

/// The code of each grid of plan `plan`, by key.
async fn codes_by_key(app: &TestApp, plan: i64) -> std::collections::HashMap<String, String> {
    let (s, body) = app.get(&format!("/api/plans/{plan}/lineage")).await;
    assert_eq!(s, 200, "{body}");
    body["grids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["key"].as_str().unwrap().to_owned(), g["code"].as_str().unwrap().to_owned()))
        .collect()
}

/// Whether `blocks` are connected through `adjacency`.
fn connected(blocks: &[i64], adjacency: &[(i64, i64)]) -> bool {
    let mut seen = vec![blocks[0]];
    let mut at = 0;
    while at < seen.len() {
        let x = seen[at];
        for &(a, b) in adjacency {
            let next = if a == x {
                b
            } else if b == x {
                a
            } else {
                continue;
            };
            if blocks.contains(&next) && !seen.contains(&next) {
                seen.push(next);
            }
        }
        at += 1;
    }
    seen.len() == blocks.len()
}

#[tokio::test]
async fn grids_keep_their_codes_across_a_split_and_a_merge_and_a_retired_code_is_never_issued_again() {
    let app = TestApp::spawn_with_demo().await;
    let (v1, grids) = current_grids(&app).await;
    let first = codes_by_key(&app, v1).await;
    let seq = |code: &str| code[12..].parse::<u32>().unwrap();
    let highest = first.values().map(|c| seq(c)).max().unwrap();
    let adjacency: Vec<(i64, i64)> =
        sqlx::query_as("SELECT a, b FROM block_adjacency").fetch_all(&app.pool).await.unwrap();
    let households: std::collections::HashMap<i64, i32> =
        sqlx::query_as("SELECT id, households FROM block").fetch_all(&app.pool).await.unwrap().into_iter().collect();
    // A natural grid and one of its blocks with fewer households than the rest, the rest still connected.
    let (g, block) = grids
        .iter()
        .enumerate()
        .filter(|(_, g)| g["kind"] == "natural" && blocks_of(g).len() > 1)
        .find_map(|(i, g)| {
            let all = blocks_of(g);
            let total: i32 = all.iter().map(|b| households[b]).sum();
            all.iter()
                .copied()
                .find(|&b| {
                    let rest: Vec<i64> = all.iter().copied().filter(|&x| x != b).collect();
                    households[&b] * 2 < total && connected(&rest, &adjacency)
                })
                .map(|b| (i, b))
        })
        .expect("a grid with a block to split off");
    let key = grids[g]["key"].as_str().unwrap().to_owned();
    let publish = |plan: i64| {
        let app = &app;
        async move {
            let (s, body) = app.post(&format!("/api/plans/{plan}/publish"), &json!({})).await;
            assert_eq!(s, 200, "{body}");
        }
    };

    // A case reported in the block before the redraw.
    let worker = app.sign_in_as("worker-l", Role::GridWorker, Scope::Community(COMMUNITY.parse().unwrap())).await;
    assert!(app.load_catalogue().await, "the catalogue in ../shared/data");
    let (px, py) = point_in_block(&app, block).await;
    let (s, body) = worker
        .post(
            "/api/cases",
            &json!({ "category": "E06001", "channel": "patrol", "lon": px, "lat": py,
                                      "description": "井盖缺失" }),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    let case = body["case"]["id"].as_i64().unwrap();

    // v2: the block becomes a grid of its own. Every other grid keeps its code; the new one takes the next number.
    let mut v2_grids = grids.clone();
    v2_grids[g]["blocks"] = json!(blocks_of(&grids[g]).into_iter().filter(|&b| b != block).collect::<Vec<_>>());
    v2_grids.push(json!({ "key": "split-off", "kind": "natural", "blocks": [block] }));
    let (s, body) =
        app.post(&format!("/api/communities/{COMMUNITY}/plans"), &json!({ "grids": v2_grids, "based_on": v1 })).await;
    assert_eq!(s, 201, "{body}");
    let v2 = body["plan"]["id"].as_i64().unwrap();
    let (_, draft) = app.get(&format!("/api/plans/{v2}/lineage")).await;
    assert_eq!(draft["provisional"], true, "a draft's codes are provisional");
    // Saving the draft again renumbers nothing.
    let before_save = codes_by_key(&app, v2).await;
    let revision = body["plan"]["revision"].as_i64().unwrap();
    let (s, body) =
        app.put(&format!("/api/plans/{v2}"), &json!({ "grids": v2_grids, "based_on": v1, "revision": revision })).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(codes_by_key(&app, v2).await, before_save);
    publish(v2).await;
    let second = codes_by_key(&app, v2).await;
    for (k, code) in &first {
        assert_eq!(&second[k], code, "grid {k} keeps its code");
    }
    let new_code = second["split-off"].clone();
    assert_eq!(seq(&new_code), highest + 1);
    let (_, lineage) = app.get(&format!("/api/plans/{v2}/lineage")).await;
    assert_eq!(lineage["provisional"], false);
    assert_eq!(lineage["retired"], json!([]));
    let of = |key: &str| lineage["grids"].as_array().unwrap().iter().find(|x| x["key"] == key).unwrap().clone();
    let split_off = of("split-off");
    assert_eq!(split_off["origin"], "split");
    assert_eq!(split_off["parents"][0]["code"], first[&key]);
    assert_eq!(split_off["parents"][0]["households"], households[&block]);
    assert_eq!(split_off["parents"][0]["blocks"], 1);
    assert!(matches!(of(&key)["origin"].as_str(), Some("reshaped" | "split")));
    let untouched = grids.iter().map(|x| x["key"].as_str().unwrap()).find(|k| *k != key).unwrap();
    assert_eq!(of(untouched)["origin"], "unchanged");
    assert_eq!(of(untouched)["parents"][0]["share"], 1.0);
    // The case keeps the grid it was reported in, and re-aggregates to the grid its place lies in now.
    let (s, detail) = worker.get(&format!("/api/cases/{case}")).await;
    assert_eq!(s, 200, "{detail}");
    assert_eq!(
        (detail["grid_code"].as_str(), detail["grid_code_now"].as_str()),
        (Some(first[&key].as_str()), Some(new_code.as_str()))
    );

    // The grids' histories across the redraw: before it, the old grid's incidents shared by what moved, so the two
    // histories together hold each of the old grid's incidents once.
    let grid_id = |plan: i64, key: &str| {
        let (app, key) = (&app, key.to_owned());
        async move {
            sqlx::query_scalar::<_, i64>("SELECT id FROM grid WHERE plan_id = $1 AND key = $2")
                .bind(plan)
                .bind(key)
                .fetch_one(&app.pool)
                .await
                .unwrap()
        }
    };
    let street = app.sign_in_as("street-l", Role::StreetOperator, Scope::Street(COMMUNITY[..9].parse().unwrap())).await;
    let history = |id: i64| {
        let street = &street;
        async move {
            let (s, body) = street.get(&format!("/api/grids/{id}/history")).await;
            assert_eq!(s, 200, "{body}");
            body
        }
    };
    let (kept, split) = (history(grid_id(v2, &key).await).await, history(grid_id(v2, "split-off").await).await);
    let sum = |h: &Value, field: &str| {
        h["months"].as_array().unwrap().iter().map(|m| m[field].as_f64().unwrap()).sum::<f64>()
    };
    let before_redraw: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM cases c, plan p WHERE p.id = $1 AND c.grid_code = $2
           AND c.reported_at >= p.valid_from AND c.reported_at < p.valid_to",
    )
    .bind(v1)
    .bind(&first[&key])
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(before_redraw >= 1, "the case reported before the redraw");
    let inherited = sum(&kept, "incidents") - sum(&kept, "own") + sum(&split, "incidents") - sum(&split, "own");
    assert!((inherited - before_redraw as f64).abs() < 0.05, "{inherited} ≠ {before_redraw}");
    let share = split_off["parents"][0]["share"].as_f64().unwrap();
    assert_eq!(split["ancestors"][0]["code"], new_code.as_str());
    assert_eq!(
        (split["ancestors"][1]["code"].as_str(), split["ancestors"][1]["plan_version"].as_i64()),
        (Some(first[&key].as_str()), Some(1))
    );
    assert!((split["ancestors"][1]["weight"].as_f64().unwrap() - share).abs() < 1e-9);
    assert!((sum(&split, "incidents") - sum(&split, "own") - share * before_redraw as f64).abs() < 0.05);
    // Households version by version, counted the same way: in version 1 the two grids' places held the old grid's
    // households between them, each once; in version 2 each holds its own.
    let households = |h: &Value, version: i64| {
        h["versions"].as_array().unwrap().iter().find(|v| v["plan_version"] == version).unwrap()["households"]
            .as_f64()
            .unwrap()
    };
    let old_households: i32 = sqlx::query_scalar("SELECT households FROM grid WHERE plan_id = $1 AND code = $2")
        .bind(v1)
        .bind(&first[&key])
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(
        (households(&kept, 1) + households(&split, 1) - f64::from(old_households)).abs() < 0.2,
        "{} + {} ≠ {old_households}",
        households(&kept, 1),
        households(&split, 1)
    );
    assert!((households(&split, 1) - share * f64::from(old_households)).abs() < 0.1);
    let own: Vec<i32> = sqlx::query_scalar(
        "SELECT households FROM grid WHERE plan_id = $1 AND key = ANY($2) ORDER BY key = 'split-off'",
    )
    .bind(v2)
    .bind(vec![key.clone(), "split-off".to_owned()])
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!((households(&kept, 2), households(&split, 2)), (f64::from(own[0]), f64::from(own[1])));
    assert!(split["versions"][1]["valid_to"].is_null() && !split["versions"][0]["valid_to"].is_null());
    assert_eq!(street.get("/api/grids/99999999/history").await.0, 404);
    assert_eq!(
        worker.get(&format!("/api/grids/{}/history", grid_id(v2, &key).await)).await.0,
        403,
        "counts are for offices"
    );

    // v3: merged back. The grid that brings most keeps its code; the split-off code is retired.
    let (s, body) =
        app.post(&format!("/api/communities/{COMMUNITY}/plans"), &json!({ "grids": grids, "based_on": v2 })).await;
    assert_eq!(s, 201, "{body}");
    let v3 = body["plan"]["id"].as_i64().unwrap();
    publish(v3).await;
    let (_, lineage) = app.get(&format!("/api/plans/{v3}/lineage")).await;
    assert_eq!(lineage["retired"], json!([new_code]));
    let merged = lineage["grids"].as_array().unwrap().iter().find(|x| x["key"] == key.as_str()).unwrap();
    assert_eq!((merged["code"].as_str(), merged["origin"].as_str()), (Some(first[&key].as_str()), Some("merged")));
    assert_eq!(merged["parents"].as_array().unwrap().len(), 2);

    // v4: split off again: a new number, never the retired one.
    let (s, body) =
        app.post(&format!("/api/communities/{COMMUNITY}/plans"), &json!({ "grids": v2_grids, "based_on": v3 })).await;
    assert_eq!(s, 201, "{body}");
    let v4 = body["plan"]["id"].as_i64().unwrap();
    publish(v4).await;
    let fourth = codes_by_key(&app, v4).await;
    assert_eq!(seq(&fourth["split-off"]), highest + 2, "the retired {new_code} is not issued again");
    assert_eq!(fourth[&key], first[&key]);
}
