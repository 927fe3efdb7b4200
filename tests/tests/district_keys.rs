//! Every table a district owns holds the district code in each of its keys and references, so it can be sharded
//! by district (docs/SCALE.md). Run with `WANGGE_TEST_SCHEMA=by-district` (bin/test does, for the whole suite), the
//! tables are partitioned by district and the demo's rows must sit in their district's partition.

use geo::{LineString, MultiPolygon, Rect};
use serde_json::json;
use wangge_domain::access::{Role, Scope};
use wangge_domain::households::HouseholdModel;
use wangge_gis_data::osm::{Features, Landuse, Road};
use wangge_server::import::demo_cases::generate_cases;
use wangge_server::store::features::insert_features;
use wangge_tests::{by_district, TestApp, TEST_DISTRICT};

/// The tables a district owns.
const OWNED: [&str; 20] = [
    "community",
    "block",
    "block_adjacency",
    "plan",
    "grid",
    "grid_block",
    "grid_lineage",
    "case_key",
    "cases",
    "case_trail",
    "case_photo",
    "notification",
    // the day's last case number, per district
    "case_serial",
    // placed in a district's community ('000000' until then)
    "building",
    "element",
    "resident",
    // the base map: cut into the districts with a boundary ('000000' outside every one)
    "road",
    "landuse",
    // one hash chain per district; the shared chain's entries are '000000'
    "audit_log",
    "audit_pending",
];

/// The tables copied whole to every node (Citus reference tables): small, rarely written, and joined by every
/// district's queries — the districts, the catalogue and the calendar, and each district's settings and staff, which
/// hold the district code as a column. A unique key that names no district (a username: a sign-in names no district;
/// an API key's digest) may only live in such a table or in one distributed by that key.
const REFERENCE: [&str; 13] = [
    "district",
    "category",
    "public_service",
    "holiday",
    // PostGIS's own
    "spatial_ref_sys",
    "street",
    "special_grid",
    "department",
    "dispatch_rule",
    "stage_limit",
    "api_client",
    "account",
    // which months were archived, of every district at once
    "case_archive",
];

/// The tables distributed by a key of their own, looked up by it alone: (table, distribution column).
const OWN_KEY: [(&str, &str); 2] = [("session", "token_hash"), ("sign_in_failure", "username")];

/// The migrations' own bookkeeping, on the coordinator alone (and the by-district test fixture's list).
const COORDINATOR: [&str; 2] = ["_sqlx_migrations", "district_partitioned"];

async fn strings(app: &TestApp, sql: &str) -> Vec<String> {
    sqlx::query_scalar(sql).fetch_all(&app.pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[tokio::test]
async fn every_key_and_reference_of_a_districts_tables_holds_the_district_code() {
    let app = TestApp::spawn_with_demo().await;
    assert!(app.load_catalogue().await, "the catalogue data is needed");
    generate_cases(&app.pool, TEST_DISTRICT, 200, &app.state.calendar()).await.unwrap();
    // a resident, registered twice: the second is refused by the district's key
    let admin = app.sign_in_as("admin", Role::DistrictAdmin, Scope::District(TEST_DISTRICT.parse().unwrap())).await;
    let building: i64 = sqlx::query_scalar("SELECT min(id) FROM building WHERE community_code IS NOT NULL")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let person = json!({ "name": "张三", "id_card": "320115199001011234", "building_id": building });
    let (s, b) = admin.post("/api/residents", &person).await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = admin.post("/api/residents", &person).await;
    assert_eq!((s, b["error"].as_str()), (409, Some("duplicate_resident")), "{b}");
    let owned: Vec<String> = OWNED.iter().map(|t| t.to_string()).collect();

    // keys (primary, unique, exclusion: on a partitioned table the exclusion is per partition) and unique indexes
    // without the district code, on the tables themselves
    let keys: Vec<String> = sqlx::query_scalar(
        "SELECT c.conrelid::regclass || ' ' || pg_get_constraintdef(c.oid) FROM pg_constraint c
         WHERE c.contype IN ('p', 'u', 'x') AND c.conparentid = 0 AND c.conrelid::regclass::text = ANY($1)
           AND NOT EXISTS (SELECT 1 FROM unnest(c.conkey) k JOIN pg_attribute a
                           ON a.attrelid = c.conrelid AND a.attnum = k WHERE a.attname = 'district_code')
         UNION ALL
         SELECT i.indexrelid::regclass::text FROM pg_index i
         WHERE i.indisunique AND i.indrelid::regclass::text = ANY($1)
           AND NOT EXISTS (SELECT 1 FROM unnest(i.indkey) k JOIN pg_attribute a
                           ON a.attrelid = i.indrelid AND a.attnum = k WHERE a.attname = 'district_code')",
    )
    .bind(&owned)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(keys.is_empty(), "keys and unique indexes without the district code: {keys:?}");

    // every reference between them carries the district code on both sides
    let references: Vec<String> = sqlx::query_scalar(
        "SELECT c.conrelid::regclass || ' ' || pg_get_constraintdef(c.oid) FROM pg_constraint c
         WHERE c.contype = 'f' AND c.conparentid = 0
           AND c.conrelid::regclass::text = ANY($1) AND c.confrelid::regclass::text = ANY($1)",
    )
    .bind(&owned)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(references.len() >= 20, "the references between them: {references:?}");
    for r in &references {
        let (from, to) = r.split_once("REFERENCES").unwrap();
        assert!(from.contains("district_code") && to.contains("district_code"), "{r}");
    }

    // the demo's rows carry the district of what they belong to
    for (what, sql) in [
        ("blocks", "SELECT count(*) FROM block WHERE district_code <> left(community_code, 6)"),
        ("plans", "SELECT count(*) FROM plan WHERE district_code <> left(community_code, 6)"),
        ("grids", "SELECT count(*) FROM grid g JOIN plan p ON p.id = g.plan_id WHERE g.district_code <> p.district_code"),
        ("cases", "SELECT count(*) FROM cases c JOIN case_key k ON k.id = c.id WHERE c.district_code <> k.district_code"),
        ("buildings", "SELECT count(*) FROM building WHERE community_code IS NOT NULL AND district_code <> left(community_code, 6)"),
    ] {
        let wrong: i64 = sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap();
        assert_eq!(wrong, 0, "{what} in another district than their parent");
    }
    let held: i64 = sqlx::query_scalar("SELECT count(*) FROM building WHERE district_code = $1")
        .bind(TEST_DISTRICT)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(held > 0, "the demo's buildings were placed in its district");

    // a row cannot name another district than the one it refers to
    sqlx::query("INSERT INTO district (code, name) VALUES ('990102', '乙区')").execute(&app.pool).await.unwrap();
    let plan: i64 = sqlx::query_scalar("SELECT min(id) FROM plan").fetch_one(&app.pool).await.unwrap();
    let crossed =
        sqlx::query("INSERT INTO grid (plan_id, district_code, key, kind) VALUES ($1, '990102', 'crossed', 'natural')")
            .bind(plan)
            .execute(&app.pool)
            .await;
    let code = crossed.expect_err("a grid of another district's plan").into_database_error().unwrap();
    assert_eq!(code.code().as_deref(), Some("23503"), "a foreign key refuses it: {code}");

    if by_district() {
        // partitioned by district, each row in its district's partition and none in the default ones
        for table in OWNED.iter().filter(|t| !["cases", "case_trail"].contains(t)) {
            let kind: String = sqlx::query_scalar("SELECT relkind::text FROM pg_class WHERE oid = $1::regclass")
                .bind(table)
                .fetch_one(&app.pool)
                .await
                .unwrap();
            assert_eq!(kind, "p", "{table} is partitioned");
            // what is not placed yet ('000000', the base map outside the demo's communities) is in the default one
            let places = strings(
                &app,
                &format!(
                    "SELECT DISTINCT tableoid::regclass || ' ' || district_code FROM {table}
                     WHERE district_code <> '000000' OR tableoid <> '{table}_default'::regclass"
                ),
            )
            .await;
            let expected = format!("{table}_d{TEST_DISTRICT} {TEST_DISTRICT}");
            assert!(places.iter().all(|p| *p == expected), "{table}'s rows: {places:?}");
            // the demo holds no redraw, photo or notification, and its audit entries are chained already
            if !["grid_lineage", "case_photo", "notification", "audit_pending"].contains(table) {
                assert_eq!(places, [expected], "{table} holds the demo's rows");
            }
            for district in ["990101", "990102"] {
                let part: bool = sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
                    .bind(format!("{table}_d{district}"))
                    .fetch_one(&app.pool)
                    .await
                    .unwrap();
                assert!(part, "{table} has a partition for district {district}");
            }
        }
        // cases and their trail: a partition per month, divided by district
        for table in ["cases", "case_trail"] {
            let places = strings(&app, &format!("SELECT DISTINCT tableoid::regclass::text FROM {table}")).await;
            assert!(!places.is_empty());
            for place in &places {
                assert!(place.starts_with(&format!("{table}_y")), "{place}");
                assert!(place.ends_with(&format!("_d{TEST_DISTRICT}")), "{place}");
            }
        }
    }
}

/// The base map is imported unplaced ('000000') and cut into the districts it crosses as their boundaries are
/// stored: each piece keeps the feature's id and OSM id, nothing is lost or doubled, a re-import adds nothing, and a
/// district redrawn gives up what now lies outside it.
#[tokio::test]
async fn the_base_map_is_cut_into_the_districts_it_crosses() {
    let app = TestApp::spawn().await;
    let features = Features {
        roads: vec![Road {
            osm_id: 11,
            class: "primary".into(),
            name: Some("横街".into()),
            line: LineString::from(vec![(120.0, 30.0), (120.2, 30.0)]),
        }],
        landuse: vec![Landuse {
            osm_id: 12,
            kind: "residential".into(),
            name: None,
            area: MultiPolygon(vec![Rect::new((120.0, 29.99), (120.2, 30.01)).to_polygon()]),
        }],
        ..Features::default()
    };
    let model = HouseholdModel::default();
    let first = insert_features(&app.pool, "osm", &features, &model).await.unwrap();
    assert_eq!((first.roads, first.landuse, first.placed_roads, first.placed_landuse), (1, 1, 0, 0), "{first:?}");
    // (district, table, id, size: a road's length in 0.001°, a land-use area's in 0.0001°²)
    let pieces = || async {
        sqlx::query_as::<_, (String, String, i64, i64)>(
            "SELECT district_code, 'landuse', id, round(ST_Area(geom) * 10000)::int8 FROM landuse
             UNION ALL SELECT district_code, 'road', id, round(ST_Length(geom) * 1000)::int8 FROM road
             ORDER BY 1, 2",
        )
        .fetch_all(&app.pool)
        .await
        .unwrap()
    };
    let before = pieces().await;
    assert!(before.iter().all(|p| p.0 == "000000"), "unplaced before any district has a boundary: {before:?}");
    let (landuse, road) = (before[0].2, before[1].2);
    // the pieces expected, from (district, land-use size, road size)
    let expected = |sizes: &[(&str, i64, i64)]| -> Vec<(String, String, i64, i64)> {
        sizes
            .iter()
            .flat_map(|&(d, area, length)| {
                [(d.into(), "landuse".into(), landuse, area), (d.into(), "road".into(), road, length)]
            })
            .collect()
    };

    // the west district takes the first half: the road and the area are cut at its edge, the rest stays unplaced
    let district = |code: &str, west: f64, east: f64| {
        sqlx::query(
            "INSERT INTO district (code, name, geom) VALUES ($1, $1, ST_Multi(ST_MakeEnvelope($2, 29.9, $3, 30.1, 4326)))",
        )
        .bind(code.to_owned())
        .bind(west)
        .bind(east)
        .execute(&app.pool)
    };
    district("990201", 119.9, 120.1).await.unwrap();
    assert_eq!(pieces().await, expected(&[("000000", 20, 100), ("990201", 20, 100)]));
    // the east district takes the next quarter of what was left
    district("990202", 120.1, 120.15).await.unwrap();
    assert_eq!(pieces().await, expected(&[("000000", 10, 50), ("990201", 20, 100), ("990202", 10, 50)]));
    // a re-import finds the features in whichever district they were placed, and adds nothing
    let again = insert_features(&app.pool, "osm", &features, &model).await.unwrap();
    assert_eq!((again.roads, again.landuse), (0, 0), "{again:?}");
    let osm_ids: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT source_id, count(*) FROM road GROUP BY 1 UNION ALL SELECT source_id, count(*) FROM landuse GROUP BY 1",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(osm_ids, [(11, 3), (12, 3)], "one piece per district and one outside, each with its OSM id");
    // the west district redrawn to half its width: what it gives up is unplaced again, the rest stands
    sqlx::query(
        "UPDATE district SET geom = ST_Multi(ST_MakeEnvelope(119.9, 29.9, 120.05, 30.1, 4326)) WHERE code = '990201'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    assert_eq!(pieces().await, expected(&[("000000", 20, 100), ("990201", 10, 50), ("990202", 10, 50)]));
}

/// Every table has its kind under Citus (distributed by district, reference, distributed by a key of its own), and
/// its keys and references obey Citus's rules for that kind: a reference table refers only to reference tables, a
/// table distributed by its own key holds that key in each of its keys and refers only to reference tables, and a
/// district's table refers to reference tables or to its district's tables by the district code.
#[tokio::test]
async fn every_table_has_a_kind_under_citus_and_its_references_obey_its_rules() {
    let app = TestApp::spawn().await;
    let tables = strings(
        &app,
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1",
    )
    .await;
    let own_key = |t: &str| OWN_KEY.iter().find(|(table, _)| *table == t).map(|(_, column)| *column);
    let unclassified: Vec<&String> = tables
        .iter()
        .filter(|t| {
            let kinds = [OWNED.contains(&t.as_str()), REFERENCE.contains(&t.as_str()), own_key(t).is_some()];
            kinds.iter().filter(|k| **k).count() != 1 && !COORDINATOR.contains(&t.as_str())
        })
        .collect();
    assert!(unclassified.is_empty(), "tables with no kind, or two, under Citus: {unclassified:?}");
    assert!(tables.len() >= OWNED.len() + REFERENCE.len() + OWN_KEY.len(), "{tables:?}");

    let references: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text, pg_get_constraintdef(c.oid)
         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
         WHERE c.contype = 'f' AND c.conparentid = 0 AND n.nspname = 'public'",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let mut kinds_seen = std::collections::BTreeSet::new();
    for (from, to, def) in &references {
        let to_reference = REFERENCE.contains(&to.as_str());
        let allowed = if REFERENCE.contains(&from.as_str()) {
            kinds_seen.insert("reference → reference");
            to_reference
        } else if own_key(from).is_some() {
            kinds_seen.insert("own key → reference");
            to_reference
        } else if OWNED.contains(&from.as_str()) && to_reference {
            kinds_seen.insert("district → reference");
            true
        } else {
            kinds_seen.insert("district → district");
            let (here, there) = def.split_once("REFERENCES").unwrap();
            OWNED.contains(&to.as_str()) && here.contains("district_code") && there.contains("district_code")
        };
        assert!(allowed, "{from} {def}: not allowed between these kinds under Citus");
    }
    assert_eq!(kinds_seen.len(), 4, "every kind of reference is there to check: {kinds_seen:?}");

    for (table, column) in OWN_KEY {
        let keys: Vec<String> = sqlx::query_scalar(
            "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c
             WHERE c.conrelid = $1::regclass AND c.contype IN ('p', 'u', 'x')",
        )
        .bind(table)
        .fetch_all(&app.pool)
        .await
        .unwrap();
        assert!(!keys.is_empty() && keys.iter().all(|k| k.contains(column)), "{table}'s keys hold {column}: {keys:?}");
    }
}

/// Every join between two of a district's tables matches the district code (or a code that begins with it), so
/// that under Citus it runs inside one shard instead of as a join across shards: checked on the server's SQL text.
#[test]
fn joins_between_a_districts_tables_match_the_district() {
    let mut unmatched = Vec::new();
    let mut checked = 0;
    for (path, text) in server_sources() {
        // `JOIN <table> <alias> ON <condition to the end of the line>`
        for (at, _) in text.match_indices("JOIN ") {
            let rest = &text[at + 5..];
            let mut words = rest.split_ascii_whitespace();
            let (Some(table), Some(_alias), Some("ON")) = (words.next(), words.next(), words.next()) else {
                continue;
            };
            if !OWNED.contains(&table) {
                continue;
            }
            checked += 1;
            let on = &rest[rest.find(" ON ").unwrap()..];
            let on = &on[..on.find('\n').unwrap_or(on.len())];
            if !["district_code", "community_code", "street_code", "grid_code"].iter().any(|c| on.contains(c)) {
                unmatched.push(format!("{}: JOIN {table} …{on}", path.display()));
            }
        }
    }
    assert!(checked >= 40, "the server's joins were found ({checked})");
    assert!(unmatched.is_empty(), "joins by id alone: {unmatched:#?}");
}

/// Every filter of a district's table by a community code (`WHERE x.community_code = $n`, `FROM community WHERE
/// code = $n`) names the community's district right after it (`AND x.district_code = left($n, 6)`), so that under
/// Citus the statement goes to that district's shard alone, not to every shard: checked on the server's SQL text.
#[test]
fn filters_by_a_community_name_its_district() {
    let mut unrouted = Vec::new();
    let mut checked = 0;
    for (path, text) in server_sources() {
        for pattern in ["community_code = $", "FROM community WHERE code = $"] {
            for (at, _) in text.match_indices(pattern) {
                let head = &text[..at];
                let alias_len = head.chars().rev().take_while(|c| c.is_ascii_alphanumeric() || *c == '.').count();
                let alias = &head[head.len() - alias_len..];
                let word = head[..head.len() - alias_len].split_ascii_whitespace().next_back().unwrap_or("");
                if !(pattern.starts_with("FROM") || ["WHERE", "AND", "ON"].contains(&word)) {
                    continue; // an assignment or a column list, not a filter
                }
                let rest = &text[at + pattern.len()..];
                let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
                checked += 1;
                let routed = format!(" AND {alias}district_code = left(${n}, 6)");
                if !rest[n.len()..].starts_with(&routed) {
                    let line = text[..at].lines().count();
                    unrouted.push(format!("{}:{line}: {alias}{pattern}{n}", path.display()));
                }
            }
        }
    }
    assert!(checked >= 40, "the server's filters by community were found ({checked})");
    assert!(unrouted.is_empty(), "filters by community without the district: {unrouted:#?}");
}

/// The server's Rust sources: (path, text).
fn server_sources() -> Vec<(std::path::PathBuf, String)> {
    let mut sources = Vec::new();
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../server/src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let text = std::fs::read_to_string(&path).unwrap();
                sources.push((path, text));
            }
        }
    }
    sources
}
