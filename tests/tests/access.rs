//! Who may see and do what: every role × scope against real data in two streets, id-guessing across scopes,
//! personal data (masked, revealed with an audit entry, never public, encrypted at rest), the audit chain, sessions,
//! CSRF, login throttling, account administration and the anonymous rate limit.

use serde_json::{json, Value};
use wangge_domain::access::{Role, Scope};
use wangge_gis_data::demo::DemoSize;
use wangge_tests::{Caller, TestApp, TEST_DATA_KEY, TEST_PASSWORD};

const A: &str = "990101001001"; // community in street A
const B: &str = "990101002001"; // community in street B
const NAME: &str = "王小明";
const ID_CARD: &str = "320115199001011234";
const PHONE: &str = "13812345678";

/// Ids of the things in one community the matrix asks about.
struct Things {
    plan: i64,
    block: i64,
    grid: i64,
    grid_code: String,
    element: i64,
    resident: i64,
}

async fn things(app: &TestApp, admin: &Caller, community: &str, n: usize) -> Things {
    let (s, current) = admin.get(&format!("/api/communities/{community}/grids")).await;
    assert_eq!(s, 200, "{current}");
    let grid = &current["grids"]["features"][0]["properties"];
    let block = grid["blocks"][0].as_i64().unwrap();
    let (lon, lat): (f64, f64) =
        sqlx::query_as("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM block WHERE id = $1) s")
            .bind(block)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let (s, e) = admin
        .post("/api/elements", &json!({ "kind": "place", "name": format!("小区{n}"), "lon": lon, "lat": lat }))
        .await;
    assert_eq!(s, 201, "{e}");
    let building: i64 = sqlx::query_scalar("SELECT id FROM building WHERE block_id = $1 ORDER BY id LIMIT 1")
        .bind(block)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let id_card = if n == 0 { ID_CARD.to_owned() } else { "320102199001011232".to_owned() };
    let (s, r) = admin
        .post("/api/residents", &json!({ "name": NAME, "id_card": id_card, "phone": PHONE, "building_id": building }))
        .await;
    assert_eq!(s, 201, "{r}");
    Things {
        plan: current["plan"]["id"].as_i64().unwrap(),
        block,
        grid: grid["id"].as_i64().unwrap(),
        grid_code: grid["code"].as_str().unwrap().to_owned(),
        element: e["id"].as_i64().unwrap(),
        resident: r["id"].as_i64().unwrap(),
    }
}

async fn two_street_app() -> TestApp {
    let app = TestApp::spawn().await;
    app.load_demo(DemoSize { streets: 2, communities_per_street: 1, blocks_per_side: 6, seed: 7 }).await;
    app
}

fn district() -> Scope {
    Scope::District("990101".parse().unwrap())
}

#[tokio::test]
async fn every_role_and_scope_sees_exactly_its_own() {
    let app = two_street_app().await;
    let admin = app.sign_in_as("admin", Role::DistrictAdmin, district()).await;
    let a = things(&app, &admin, A, 0).await;
    let b = things(&app, &admin, B, 1).await;
    let planner = app.caller.clone();
    let street_a = app.sign_in_as("street-a", Role::StreetOperator, Scope::Street(A[..9].parse().unwrap())).await;
    let head_a = app.sign_in_as("head-a", Role::GridHead, Scope::Community(A.parse().unwrap())).await;
    let worker_a =
        app.sign_in_as("worker-a", Role::GridWorker, Scope::Grids([a.grid_code.parse().unwrap()].into())).await;
    let dept = app
        .sign_in_as("dept", Role::DepartmentHandler, Scope::Department("城市管理局".to_owned().try_into().unwrap()))
        .await;
    let public = app.public();

    let (lon, lat): (f64, f64) =
        sqlx::query_as("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM grid WHERE id = $1) s")
            .bind(a.grid)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let t = wangge_tiles::TileId::containing(lon, lat, 15);
    let tile = format!("{}/{}/{}", t.z, t.x, t.y);
    // (who, name) × (path, expected status for: admin, planner, street_a, head_a, worker_a, dept, public)
    let callers: [(&str, &Caller); 7] = [
        ("admin", &admin),
        ("planner", &planner),
        ("street_a", &street_a),
        ("head_a", &head_a),
        ("worker_a", &worker_a),
        ("dept", &dept),
        ("public", &public),
    ];
    let reads: Vec<(String, [u16; 7])> = vec![
        (format!("/api/communities/{A}"), [200, 200, 200, 200, 404, 404, 401]),
        (format!("/api/communities/{B}"), [200, 200, 404, 404, 404, 404, 401]),
        (format!("/api/communities/{A}/blocks"), [200, 200, 200, 200, 404, 404, 401]),
        (format!("/api/communities/{B}/plans"), [200, 200, 404, 404, 404, 404, 401]),
        (format!("/api/plans/{}", a.plan), [200, 200, 200, 200, 404, 404, 401]),
        (format!("/api/plans/{}", b.plan), [200, 200, 404, 404, 404, 404, 401]),
        (format!("/api/blocks/{}", b.block), [200, 200, 404, 404, 404, 404, 401]),
        (format!("/api/grids/{}/stats", a.grid), [200, 200, 200, 200, 200, 404, 401]),
        (format!("/api/grids/{}/stats", b.grid), [200, 200, 404, 404, 404, 404, 401]),
        (format!("/api/elements/{}", a.element), [200, 200, 200, 200, 200, 404, 401]),
        (format!("/api/elements/{}", b.element), [200, 200, 404, 404, 404, 404, 401]),
        (format!("/api/residents/{}", a.resident), [200, 403, 200, 200, 200, 403, 401]),
        (format!("/api/residents/{}", b.resident), [200, 403, 404, 404, 404, 403, 401]),
        ("/api/accounts".to_owned(), [200, 403, 403, 403, 403, 403, 401]),
        ("/api/audit/verify".to_owned(), [200, 403, 403, 403, 403, 403, 401]),
        // public data: for everyone
        (format!("/api/grids/{}", b.grid), [200, 200, 200, 200, 200, 200, 200]),
        ("/api/districts".to_owned(), [200, 200, 200, 200, 200, 200, 200]),
        (format!("/tiles/public/{tile}"), [200, 200, 200, 200, 200, 200, 200]),
        (format!("/tiles/all/{tile}"), [200, 200, 200, 200, 200, 200, 401]),
    ];
    for (path, expected) in &reads {
        for ((who, caller), want) in callers.iter().zip(expected) {
            let (got, body) = caller.get(path).await;
            assert_eq!(got, *want, "{who} GET {path} → {body}");
        }
    }

    // Lists are filtered to the scope.
    let (_, streets) = street_a.get("/api/districts/990101/streets").await;
    assert_eq!(
        streets.as_array().unwrap().iter().map(|s| s["code"].as_str().unwrap()).collect::<Vec<_>>(),
        vec![&A[..9]]
    );
    let (_, streets) = head_a.get("/api/districts/990101/streets").await;
    assert_eq!(streets.as_array().unwrap().len(), 1, "a community's staff see their own street's name");
    let count = |sql: &'static str, arg: String| {
        let pool = app.pool.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).bind(arg).fetch_one(&pool).await.unwrap() as usize }
    };
    let in_street_a =
        count("SELECT count(*) FROM element WHERE starts_with(community_code, $1)", A[..9].to_owned()).await;
    let in_grid_a =
        count("SELECT count(*) FROM element e JOIN grid g ON g.id = e.grid_id WHERE g.code = $1", a.grid_code.clone())
            .await;
    let all = count("SELECT count(*) FROM element WHERE $1 <> ''", "x".to_owned()).await;
    assert!(in_grid_a >= 1 && in_grid_a < in_street_a && in_street_a < all);
    for (who, caller, want) in [
        ("admin", &admin, all),
        ("street_a", &street_a, in_street_a),
        ("worker_a", &worker_a, in_grid_a),
        ("dept", &dept, 0),
    ] {
        let (_, elements) = caller.get("/api/elements").await;
        assert_eq!(elements.as_array().map_or(0, Vec::len), want, "{who} lists {elements}");
    }
    let (_, residents) = worker_a.get("/api/residents").await;
    assert_eq!(residents.as_array().unwrap().len(), 1);
    assert_eq!(residents[0]["id"], a.resident);

    // Writes: role first (403), then scope (404).
    let draft = json!({ "grids": [] });
    let writes: Vec<(&Caller, String, Value, u16)> = vec![
        (&street_a, format!("/api/communities/{A}/plans"), draft.clone(), 403),
        (&planner, format!("/api/communities/{A}/plans/suggest"), json!({}), 201),
        (&admin, format!("/api/plans/{}/publish", a.plan), json!({}), 403),
        (
            &worker_a,
            "/api/elements".to_owned(),
            json!({ "kind": "place", "name": "他处", "lon": 0.0, "lat": 0.0 }),
            422,
        ),
        (&dept, "/api/elements".to_owned(), json!({ "kind": "place", "name": "x", "lon": 118.9, "lat": 31.85 }), 403),
        (&street_a, format!("/api/residents/{}/reveal", b.resident), json!({}), 404),
        (&planner, format!("/api/residents/{}/reveal", a.resident), json!({}), 403),
        (&street_a, "/api/accounts".to_owned(), json!({}), 403),
        (&public, format!("/api/communities/{A}/plans/suggest"), json!({}), 401),
    ];
    for (caller, path, body, want) in writes {
        let (got, b) = caller.post(&path, &body).await;
        assert_eq!(got, want, "POST {path} → {b}");
    }
    // A grid worker registers a place in their grid, not in another one.
    let point = |grid: i64| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_as::<_, (f64, f64)>(
                "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM grid WHERE id = $1) s",
            )
            .bind(grid)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let (lon, lat) = point(a.grid).await;
    assert_eq!(
        worker_a.post("/api/elements", &json!({ "kind": "place", "name": "便民点", "lon": lon, "lat": lat })).await.0,
        201
    );
    let (lon, lat) = point(b.grid).await;
    assert_eq!(
        worker_a.post("/api/elements", &json!({ "kind": "place", "name": "越界", "lon": lon, "lat": lat })).await.0,
        404
    );
}

#[tokio::test]
async fn guessed_ids_outside_the_scope_look_like_missing_ones() {
    let app = two_street_app().await;
    let admin = app.sign_in_as("admin", Role::DistrictAdmin, district()).await;
    let b = things(&app, &admin, B, 1).await;
    let street_a = app.sign_in_as("street-a", Role::StreetOperator, Scope::Street(A[..9].parse().unwrap())).await;
    for (kind, id) in [("plans", b.plan), ("blocks", b.block), ("elements", b.element), ("residents", b.resident)] {
        let (s1, theirs) = street_a.get(&format!("/api/{kind}/{id}")).await;
        let (s2, missing) = street_a.get(&format!("/api/{kind}/987654321")).await;
        assert_eq!((s1, s2), (404, 404), "{kind}: {theirs} / {missing}");
        assert_eq!(theirs["error"], missing["error"]);
        assert!(!theirs.to_string().contains(B), "nothing about the other street is said: {theirs}");
    }
    // Every element id of street B, tried in turn, gives nothing.
    let theirs: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM element WHERE NOT starts_with(community_code, '990101001')")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert!(theirs.len() >= 2);
    for id in theirs {
        let (s, body) = street_a.get(&format!("/api/elements/{id}")).await;
        assert_eq!(s, 404, "element {id}: {body}");
    }
}

#[tokio::test]
async fn personal_data_is_masked_revealed_with_an_audit_entry_and_never_public() {
    let app = two_street_app().await;
    let admin = app.sign_in_as("admin", Role::DistrictAdmin, district()).await;
    let a = things(&app, &admin, A, 0).await;
    let worker_a =
        app.sign_in_as("worker-a", Role::GridWorker, Scope::Grids([a.grid_code.parse().unwrap()].into())).await;

    // Encrypted at rest: the plain values appear nowhere in the row.
    let row: String = sqlx::query_scalar("SELECT row_to_json(r)::text FROM resident r WHERE id = $1")
        .bind(a.resident)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    for secret in [NAME, ID_CARD, PHONE, &hex(NAME), &hex(ID_CARD)] {
        assert!(!row.contains(secret), "{secret} stored in clear: {row}");
    }
    let sealed: Vec<u8> = sqlx::query_scalar("SELECT id_card_enc FROM resident WHERE id = $1")
        .bind(a.resident)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let key = wangge_server::auth::vault::DataKey::from_hex(TEST_DATA_KEY).unwrap();
    assert_eq!(key.open(&sealed).unwrap(), ID_CARD, "the configured key opens it");

    // Masked in staff lists.
    let (_, list) = worker_a.get("/api/residents").await;
    assert_eq!(list[0]["id_card"], "3201**********1234");
    assert_eq!(list[0]["name"], "王**");
    assert_eq!(list[0]["phone"], "138****5678");
    assert!(!list.to_string().contains(ID_CARD) && !list.to_string().contains(NAME));

    // Revealed to a scoped role, and the reveal is in the audit log.
    let reveals = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM audit_log WHERE action LIKE '%/reveal' AND actor = 'worker-a'",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap()
    };
    assert_eq!(reveals().await, 0);
    let (s, shown) = worker_a.post(&format!("/api/residents/{}/reveal", a.resident), &json!({})).await;
    assert_eq!(s, 200, "{shown}");
    assert_eq!(
        (shown["name"].as_str(), shown["id_card"].as_str(), shown["phone"].as_str()),
        (Some(NAME), Some(ID_CARD), Some(PHONE))
    );
    assert_eq!(reveals().await, 1);
    let logged: String = sqlx::query_scalar(
        "SELECT concat(target, before::text, after::text) FROM audit_log WHERE action LIKE '%/reveal'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(
        logged.contains(&format!("resident {}", a.resident)) && !logged.contains(ID_CARD) && !logged.contains(NAME),
        "{logged}"
    );

    // Nothing public carries it: search by name, the grid card, locate, the public tiles, the style.
    let public = app.public();
    let (lon, lat): (f64, f64) = sqlx::query_as("SELECT ST_X(geom), ST_Y(geom) FROM resident WHERE id = $1")
        .bind(a.resident)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let paths = [
        format!("/api/search?q={NAME}"),
        format!("/api/search?q={ID_CARD}"),
        format!("/api/grids/{}", a.grid),
        format!("/api/locate?lon={lon}&lat={lat}"),
        "/api/districts".to_owned(),
        "/api/session".to_owned(),
        "/style.json?mode=public".to_owned(),
    ];
    for path in &paths {
        let (s, text) = public.get_text(path).await;
        assert_eq!(s, 200, "{path}");
        for secret in [NAME, ID_CARD, PHONE, "3201**********1234"] {
            assert!(!text.contains(secret), "{path} leaks {secret}");
        }
    }
    for z in 12..=17 {
        let t = wangge_tiles::TileId::containing(lon, lat, z);
        let r = public
            .request(reqwest::Method::GET, &format!("/tiles/public/{}/{}/{}", t.z, t.x, t.y))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let bytes = r.bytes().await.unwrap();
        assert!(!contains(&bytes, NAME.as_bytes()) && !contains(&bytes, ID_CARD.as_bytes()), "tile z{z}");
    }
    // The public grid card shows the grid workers' public contact.
    let (_, card) = public.get(&format!("/api/grids/{}", a.grid)).await;
    assert!(
        card["contacts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "worker-a" && c["work_phone"] == "025-0000-0000"),
        "{card}"
    );
    assert!(card.get("households").is_none() && card.get("registered_residents").is_none(), "{card}");
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn the_audit_log_records_writes_and_detects_tampering() {
    let app = TestApp::spawn_with_demo().await;
    let admin = app.sign_in_as("admin", Role::DistrictAdmin, district()).await;
    let (s, suggested) = app.post(&format!("/api/communities/{A}/plans/suggest"), &json!({})).await;
    assert_eq!(s, 201, "{suggested}");
    let draft = suggested["plan"]["id"].as_i64().unwrap();
    let (_, plan) = app.get(&format!("/api/plans/{draft}")).await;
    let grids: Vec<Value> = plan["grids"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| json!({ "key": f["properties"]["key"], "kind": f["properties"]["kind"], "blocks": f["properties"]["blocks"] }))
        .collect();
    let (s, body) = app.put(&format!("/api/plans/{draft}"), &json!({ "grids": grids, "note": "调整" })).await;
    assert_eq!(s, 200, "{body}");

    // The edit is logged with who, what, and the plan before and after.
    let (s, log) = admin.get("/api/audit?limit=20").await;
    assert_eq!(s, 200);
    let edit =
        log.as_array().unwrap().iter().find(|e| e["action"] == "PUT /api/plans/{id}").expect("the edit is logged");
    assert_eq!(edit["actor"], "planner");
    assert_eq!(edit["target"], format!("plan {draft}"));
    assert_eq!(edit["before"]["status"], "draft");
    assert_eq!(edit["after"]["note"], "调整");
    assert!(log.as_array().unwrap().iter().any(|e| e["action"] == "login" && e["actor"] == "admin"));
    assert!(log.as_array().unwrap().iter().any(|e| e["action"] == "POST /api/communities/{code}/plans/suggest"));

    let (_, chain) = admin.get("/api/audit/verify").await;
    assert_eq!(chain["intact"], true, "{chain}");
    let entries = chain["entries"].as_i64().unwrap();
    assert!(entries >= 4, "{chain}");

    // The table refuses changes outright …
    let refused = sqlx::query("UPDATE audit_log SET actor = 'someone' WHERE district_code = '990101' AND seq = 2")
        .execute(&app.pool)
        .await;
    assert!(refused.is_err(), "append-only");
    assert!(sqlx::query("DELETE FROM audit_log WHERE district_code = '990101' AND seq = 2")
        .execute(&app.pool)
        .await
        .is_err());
    // … and a superuser who switches that off is caught by the chain.
    sqlx::query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only").execute(&app.pool).await.unwrap();
    sqlx::query("UPDATE audit_log SET after = jsonb_set(after, '{note}', '\"篡改\"') WHERE seq = (SELECT seq FROM audit_log WHERE action = 'PUT /api/plans/{id}')")
        .execute(&app.pool)
        .await
        .unwrap();
    let tampered: i64 = sqlx::query_scalar("SELECT seq FROM audit_log WHERE action = 'PUT /api/plans/{id}'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (_, chain) = admin.get("/api/audit/verify").await;
    assert_eq!(
        (chain["intact"].as_bool(), chain["first_broken"].as_i64(), chain["reason"].as_str()),
        (Some(false), Some(tampered), Some("hash")),
        "{chain}"
    );

    // Removing an entry (even with the hash recomputed) breaks the link after it.
    sqlx::query("UPDATE audit_log SET after = jsonb_set(after, '{note}', '\"调整\"') WHERE seq = $1")
        .bind(tampered)
        .execute(&app.pool)
        .await
        .unwrap();
    let (_, chain) = admin.get("/api/audit/verify").await;
    assert_eq!(chain["intact"], true, "restored: {chain}");
    sqlx::query("DELETE FROM audit_log WHERE district_code = '990101' AND seq = 1").execute(&app.pool).await.unwrap();
    let (_, chain) = admin.get("/api/audit/verify").await;
    assert_eq!((chain["intact"].as_bool(), chain["first_broken"].as_i64()), (Some(false), Some(2)), "{chain}");
}

#[tokio::test]
async fn sessions_csrf_throttling_and_account_administration() {
    let app = TestApp::spawn_with_demo().await;
    let admin = app.sign_in_as("admin", Role::DistrictAdmin, district()).await;

    // A write without the CSRF token is refused and changes nothing.
    let before = app.fingerprint().await;
    let (s, b) = app.without_csrf().post(&format!("/api/communities/{A}/plans/suggest"), &json!({})).await;
    assert_eq!((s, b["error"].as_str()), (403, Some("csrf")));
    assert_eq!(app.fingerprint().await, before);

    // The admin creates a street operator; the new account signs in and sees its street.
    let account = json!({ "username": "li.si", "display_name": "李四", "role": "street_operator", "scope": { "street": "990101001" },
                          "password": "Str0ng-enough" });
    let (s, created) = admin.post("/api/accounts", &account).await;
    assert_eq!(s, 201, "{created}");
    assert!(created.get("password_hash").is_none() && !created.to_string().contains("Str0ng"));
    let id = created["id"].as_i64().unwrap();
    let li = app.sign_in("li.si", "Str0ng-enough").await.expect("signs in");
    assert_eq!(li.get(&format!("/api/communities/{A}")).await.0, 200);
    let (_, me) = li.get("/api/session").await;
    assert_eq!(
        (me["account"]["role"].as_str(), me["account"]["scope"]["street"].as_str()),
        (Some("street_operator"), Some("990101001"))
    );

    // Refused account changes: a weak password, a scope in another district, a role that needs another scope.
    for (bad, code) in [
        (
            json!({ "username": "weak", "display_name": "x", "role": "planner", "scope": { "district": "990101" }, "password": "short" }),
            "weak_password",
        ),
        (
            json!({ "username": "far", "display_name": "x", "role": "planner", "scope": { "district": "320115" }, "password": "Str0ng-enough" }),
            "outside_scope",
        ),
        (
            json!({ "username": "odd", "display_name": "x", "role": "department_handler", "scope": { "street": "990101001" }, "password": "Str0ng-enough" }),
            "bad_scope",
        ),
        (
            json!({ "username": "ghost", "display_name": "x", "role": "grid_worker", "scope": { "grids": ["990101001001099"] }, "password": "Str0ng-enough" }),
            "unknown_codes",
        ),
    ] {
        let (s, b) = admin.post("/api/accounts", &bad).await;
        assert_eq!((s, b["error"].as_str()), (422, Some(code)), "{b}");
    }
    assert_eq!(admin.post("/api/accounts", &account).await.0, 409, "usernames are unique");

    // Re-scoping ends the account's sessions; the new scope applies at the next sign-in.
    let (s, b) = admin.put(&format!("/api/accounts/{id}"), &json!({ "role": "district_admin" })).await;
    assert_eq!((s, b["error"].as_str()), (422, Some("bad_scope")), "a district admin is not scoped to a street: {b}");
    let (s, _) =
        admin.put(&format!("/api/accounts/{id}"), &json!({ "role": "grid_head", "scope": { "community": A } })).await;
    assert_eq!(s, 200);
    assert_eq!(li.get(&format!("/api/communities/{A}")).await.0, 401, "old session ended");
    let li = app.sign_in("li.si", "Str0ng-enough").await.expect("signs in again");
    let (_, me) = li.get("/api/session").await;
    assert_eq!(me["account"]["role"], "grid_head");

    // Disabling ends sessions and refuses sign-in; an admin cannot disable themself.
    assert_eq!(admin.put(&format!("/api/accounts/{id}"), &json!({ "disabled": true })).await.0, 200);
    assert_eq!(li.get(&format!("/api/communities/{A}")).await.0, 401);
    assert_eq!(app.sign_in("li.si", "Str0ng-enough").await.err().map(|e| e.0), Some(401));
    let (_, me) = admin.get("/api/session").await;
    let admin_id = me["account"]["id"].as_i64().unwrap();
    assert_eq!(admin.put(&format!("/api/accounts/{admin_id}"), &json!({ "disabled": true })).await.0, 422);

    // Sign out ends the session.
    let planner2 = app.sign_in_as("planner2", Role::Planner, district()).await;
    assert_eq!(planner2.send(reqwest::Method::DELETE, "/api/session", &json!({})).await.0, 200);
    assert_eq!(planner2.get(&format!("/api/communities/{A}")).await.0, 401);

    // Three wrong passwords are free; then the name is slowed down from this address (Retry-After), even for the
    // right password, while its owner elsewhere signs in at once.
    for _ in 0..3 {
        assert_eq!(app.sign_in("admin", "wrong-password-1").await.err().map(|e| e.0), Some(401));
    }
    let slowed = app.sign_in("admin", TEST_PASSWORD).await.err().expect("slowed");
    assert_eq!((slowed.0, slowed.1["error"].as_str()), (429, Some("login_slowed")), "{slowed:?}");
    let elsewhere = std::net::Ipv4Addr::new(127, 0, 0, 2).into();
    assert!(app.sign_in_from(elsewhere, "admin", TEST_PASSWORD).await.is_ok(), "not locked out from another address");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert!(app.sign_in("admin", TEST_PASSWORD).await.is_ok(), "after the delay the right password works");
    // An unknown name answers exactly like a wrong password.
    let unknown = app.sign_in("nobody-here", "wrong-password-1").await.err().unwrap();
    assert_eq!((unknown.0, unknown.1["error"].as_str()), (401, Some("bad_credentials")));
    // Refused sign-ins are counted per name and address, not appended to the audit log one by one.
    let logged: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action IN ('login_failed', 'login_locked')")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(logged, 0);
    let (_, summary) = admin.get("/api/audit/sign-in-failures").await;
    let row = summary.as_array().unwrap().iter().find(|r| r["username"] == "admin").expect("admin's failures").clone();
    assert_eq!((row["address"].as_str(), row["failures"].as_i64()), (Some("127.0.0.1"), Some(3)), "{summary}");
}

#[tokio::test]
async fn anonymous_callers_are_rate_limited_and_cookies_are_locked_down() {
    let app = TestApp::spawn_with_public_rate(20).await;
    // The session cookie is HttpOnly, Secure and SameSite=Strict.
    let r = reqwest::Client::new()
        .post(format!("{}/api/session", app.address))
        .json(&json!({ "username": "planner", "password": TEST_PASSWORD }))
        .send()
        .await
        .unwrap();
    let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let public = app.public();
    let mut statuses = Vec::new();
    for _ in 0..25 {
        let r = public.request(reqwest::Method::GET, "/api/districts").send().await.unwrap();
        statuses.push((r.status().as_u16(), r.headers().get("retry-after").is_some()));
    }
    // (Signing in the default caller and the cookie check were anonymous requests too.)
    let allowed = statuses.iter().take_while(|s| s.0 == 200).count();
    assert!((17..=20).contains(&allowed), "{statuses:?}");
    assert!(statuses[allowed..].iter().all(|s| *s == (429, true)), "{statuses:?}");
    // Staff are not limited by the anonymous budget.
    assert_eq!(app.get("/api/districts").await.0, 200);
}
