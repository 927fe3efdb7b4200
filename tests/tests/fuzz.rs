//! Property test of the write endpoints: random and malformed bodies never produce a 5xx and never change what is
//! stored.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;
use wangge_domain::access::{Role, Scope};
use wangge_server::auth::policy::{Access, POLICY};
use wangge_tests::TestApp;

const WRITE_ENDPOINTS: [&str; 16] = [
    "/api/session",
    "/api/accounts/1",
    "/api/accounts",
    "/api/residents/1/reveal",
    "/api/plans/1",
    "/api/districts",
    "/api/streets",
    "/api/communities",
    "/api/communities/990101001001/plans",
    "/api/communities/990101001001/plans/suggest",
    "/api/locate",
    "/api/special-grids",
    "/api/elements",
    "/api/residents",
    "/api/plans/1/rebalance",
    "/api/plans/1/publish",
];

/// Arbitrary JSON, biased towards the shapes the endpoints expect (GeoJSON-ish objects, codes, coordinates).
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        (-200.0f64..200.0).prop_map(Value::from),
        "[0-9]{0,17}".prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
        // NUL, invisible-only and control characters in text
        prop_oneof![Just("a\u{0}b"), Just("\u{200b}\u{feff}"), Just("\u{0}"), Just("x\ny"), Just(" \u{3000} ")]
            .prop_map(Value::from),
        prop_oneof![
            Just("Polygon"),
            Just("MultiPolygon"),
            Just("Point"),
            Just("natural"),
            Just("dedicated"),
            Just("facility")
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("type"),
                        Just("coordinates"),
                        Just("geometry"),
                        Just("code"),
                        Just("name"),
                        Just("grids"),
                        Just("blocks"),
                        Just("key"),
                        Just("kind"),
                        Just("points"),
                        Just("lon"),
                        Just("lat"),
                        Just("district_code"),
                        Just("theme"),
                        Just("facility_id"),
                        Just("id_card"),
                        Just("building_id"),
                        Just("crs"),
                        Just("target"),
                        Just("unit"),
                        Just("username"),
                        Just("password"),
                        Just("role"),
                        Just("scope"),
                        Just("street"),
                        Just("grids"),
                        Just("display_name"),
                    ]
                    .prop_map(String::from),
                    inner,
                ),
                0..6,
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// A fingerprint of what was stored before the run: hierarchy, blocks, buildings, plans and their assignments.
async fn existing(app: &TestApp, max_plan: i64, max_block: i64) -> String {
    sqlx::query_scalar(
        "SELECT concat_ws('|',
            (SELECT md5(string_agg(code || name || coalesce(ST_AsText(geom), ''), ',' ORDER BY code)) FROM community),
            (SELECT md5(string_agg(code || name, ',' ORDER BY code)) FROM street),
            (SELECT md5(string_agg(id || ST_AsText(geom) || households, ',' ORDER BY id)) FROM block WHERE id <= $2),
            (SELECT count(*) FROM building),
            (SELECT md5(string_agg(id || status || coalesce(valid_from::text, '') || coalesce(valid_to::text, ''), ',' ORDER BY id)) FROM plan WHERE id <= $1),
            (SELECT md5(string_agg(plan_id || ':' || block_id || ':' || grid_id, ',' ORDER BY plan_id, block_id)) FROM grid_block WHERE plan_id <= $1),
            (SELECT md5(string_agg(id || username || disabled, ',' ORDER BY id)) FROM account WHERE id <= 2),
            (SELECT md5(string_agg(id || encode(name_enc, 'hex') || coalesce(grid_id, 0), ',' ORDER BY id)) FROM resident WHERE id <= 1))",
    )
    .bind(max_plan)
    .bind(max_block)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[test]
fn random_bodies_never_cause_5xx_or_change_stored_data() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let app = rt.block_on(TestApp::spawn_with_demo());
    let max_plan: i64 =
        rt.block_on(async { sqlx::query_scalar("SELECT max(id) FROM plan").fetch_one(&app.pool).await.unwrap() });
    // (a suggestion divides big compounds into building cells: new blocks, the old ones kept as they were)
    let max_block: i64 =
        rt.block_on(async { sqlx::query_scalar("SELECT max(id) FROM block").fetch_one(&app.pool).await.unwrap() });
    // Two callers (the default planner, account 1, and an admin, account 2) and one resident that exists before.
    let admin = rt.block_on(app.sign_in_as("admin", Role::DistrictAdmin, Scope::District("990101".parse().unwrap())));
    rt.block_on(async {
        let building: i64 = sqlx::query_scalar("SELECT min(id) FROM building").fetch_one(&app.pool).await.unwrap();
        let (s, b) = admin
            .post(
                "/api/residents",
                &serde_json::json!({ "name": "赵六", "id_card": "320115199001011234", "building_id": building }),
            )
            .await;
        assert_eq!(s, 201, "{b}");
    });
    let before = rt.block_on(existing(&app, max_plan, max_block));
    let mut runner = TestRunner::new(Config { cases: 500, failure_persistence: None, ..Config::default() });
    runner
        .run(
            &(0..WRITE_ENDPOINTS.len(), json_value(), any::<bool>(), any::<bool>()),
            |(endpoint, body, raw, as_admin)| {
                let path = WRITE_ENDPOINTS[endpoint];
                let caller = if as_admin { &admin } else { &app.caller };
                let (status, answer) = rt.block_on(async {
                    if path == "/api/plans/1" || path == "/api/accounts/1" {
                        caller.put(path, &body).await
                    } else if raw {
                        // the body's text cut in half: broken JSON
                        let text = body.to_string();
                        let cut = text.char_indices().nth(text.chars().count() / 2).map_or(0, |(i, _)| i);
                        caller.post_raw(path, "application/json", text.as_bytes()[..cut].to_vec()).await
                    } else {
                        caller.post(path, &body).await
                    }
                });
                prop_assert!(status < 500, "{path} answered {status} to {body}");
                if status >= 400 {
                    // Every refusal carries a code the web app knows.
                    let typed = serde_json::from_value::<wangge_api::error::ErrorBody>(answer.clone());
                    prop_assert!(typed.is_ok(), "{path} answered an untyped error {answer}");
                }
                Ok(())
            },
        )
        .unwrap();
    // Some random bodies are valid writes (an empty suggest request makes a draft, a random place may be valid, a
    // random but valid name or password may change account 1): those may add rows or change what they name, but
    // nothing the fingerprint holds may change.
    let after = rt.block_on(existing(&app, max_plan, max_block));
    assert_eq!(before, after, "data that existed before is unchanged");
    let (_, chain) = rt.block_on(admin.get("/api/audit/verify"));
    assert_eq!(chain["intact"], true, "{chain}");
}

/// A path of a route in the policy table with parameters filled by random text and random characters escaped,
/// sent byte for byte.
fn spelled_path() -> impl Strategy<Value = (usize, String)> {
    let routes: Vec<usize> = (0..POLICY.len()).filter(|&i| !POLICY[i].1.is_empty()).collect();
    (
        prop::sample::select(routes),
        prop::collection::vec(prop_oneof![Just("1".to_owned()), "[0-9]{1,12}", "[a-z%.,]{0,6}", "\\PC{0,4}"], 6),
        prop::collection::vec(0u8..8, 64),
    )
        .prop_map(|(route, values, dice)| {
            let mut filled = Vec::new();
            let mut next = values.into_iter();
            for segment in POLICY[route].1.split('/') {
                filled.push(if segment.starts_with('{') {
                    next.next().unwrap_or_default()
                } else {
                    segment.to_owned()
                });
            }
            let path = filled.join("/");
            let mut out = String::new();
            for (i, c) in path.chars().enumerate() {
                let roll = dice[i % dice.len()];
                let mut utf8 = [0u8; 4];
                let plain = c.is_ascii_graphic() && c != '%';
                if roll == 0 || !plain && c != '%' {
                    out.extend(c.encode_utf8(&mut utf8).bytes().map(|b| format!("%{b:02x}")));
                } else if roll == 1 && c.is_ascii_alphabetic() {
                    out.push(c.to_ascii_uppercase());
                } else if roll == 2 && i > 0 {
                    out.push_str(["%00", "%2e", "%2F", "/./", "//", "%", "%5c"][i % 7]);
                    out.push(c);
                } else {
                    out.push(c);
                }
            }
            (route, out)
        })
}

#[test]
fn random_spellings_of_routes_never_cause_5xx_or_reach_a_staff_handler_anonymously() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let app = rt.block_on(TestApp::spawn_with_demo());
    let before = rt.block_on(app.fingerprint());
    let mut runner = TestRunner::new(Config { cases: 800, failure_persistence: None, ..Config::default() });
    runner
        .run(&(spelled_path(), any::<bool>()), |((route, path), post)| {
            let method = if post { "POST" } else { "GET" };
            let (status, answer) = rt.block_on(app.raw(method, &path));
            prop_assert!((200..500).contains(&status), "{method} {path} answered {status}: {answer}");
            let pattern = POLICY[route].1;
            let rule = POLICY.iter().find(|(m, p, _)| *m == method && *p == pattern).map(|(_, _, a)| *a);
            if !matches!(rule, Some(Access::Public | Access::Tiles)) {
                // Anonymous, to a staff route or a method the route does not take: refused, malformed, or not this
                // route at all; never a handler's success.
                prop_assert!(!(200..300).contains(&status), "{method} {path} reached a staff handler: {answer}");
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(rt.block_on(app.fingerprint()), before, "nothing stored changed");
}
