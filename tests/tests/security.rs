//! The defects found by trying the server as an attacker would (issue 11), each as a test that failed before the fix:
//! path-encoding bypasses of the guard, the audit chain's end, reads and refused sign-ins in the audit log, lax
//! bodies, misplaced communities, zip bombs, and the smaller points (NUL, public statistics, HEAD, headers, …).

use serde_json::{json, Value};
use wangge_domain::access::{Role, Scope};
use wangge_server::auth::policy::POLICY;
use wangge_tests::{Caller, TestApp};
use wangge_tiles::TileId;

const COMMUNITY: &str = "990101001001";

fn district() -> Scope {
    Scope::District("990101".parse().unwrap())
}

/// A route pattern with every `{param}` filled in.
fn concrete(pattern: &str) -> String {
    let values = [
        ("{id}", "1"),
        ("{code}", COMMUNITY),
        ("{source}", "blocks"),
        ("{z}", "14"),
        ("{x}", "13600"),
        ("{y}", "6700"),
        ("{stack}", "Noto-Sans-Regular"),
        ("{range}", "0-255.pbf"),
        ("{format}", "json"),
        ("{token}", "1-r-000000000000000000000000"),
        ("{number}", "990101-20260101-0001"),
        ("{photo}", "1"),
    ];
    pattern
        .split('/')
        .map(|s| values.iter().fold(s.to_owned(), |seg, (name, value)| seg.replace(name, value)))
        .collect::<Vec<_>>()
        .join("/")
}

/// Status and body (of an error: its code) of one request with an empty JSON object as the body of writes.
async fn answer(caller: &Caller, method: &str, path: &str) -> (u16, Vec<u8>) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut r = caller.request(method.clone(), path);
    if !matches!(method, reqwest::Method::GET) {
        r = r.json(&json!({}));
    }
    let r = r.send().await.expect("request");
    let status = r.status().as_u16();
    let bytes = r.bytes().await.unwrap().to_vec();
    // An error is compared by its code (its message may carry the time); anything else byte for byte, but for the
    // moments in it (a view's default window ends now).
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(v) if v["error"].is_string() => (status, v["error"].as_str().unwrap_or_default().as_bytes().to_vec()),
        Ok(mut v) => {
            mask_moments(&mut v);
            (status, v.to_string().into_bytes())
        }
        Err(_) => (status, bytes),
    }
}

/// Every RFC 3339 moment in `v` replaced by the same placeholder.
fn mask_moments(v: &mut Value) {
    match v {
        Value::String(s) if chrono::DateTime::parse_from_rfc3339(s).is_ok() => *s = "<moment>".to_owned(),
        Value::Array(items) => items.iter_mut().for_each(mask_moments),
        Value::Object(fields) => fields.values_mut().for_each(mask_moments),
        _ => {}
    }
}

/// Every way of spelling one character of a path with percent-escapes.
fn escapes(c: char) -> Vec<String> {
    let mut utf8 = [0u8; 4];
    let bytes = c.encode_utf8(&mut utf8).as_bytes();
    let upper: String = bytes.iter().map(|b| format!("%{b:02X}")).collect();
    let lower: String = bytes.iter().map(|b| format!("%{b:02x}")).collect();
    if upper == lower {
        vec![upper]
    } else {
        vec![upper, lower]
    }
}

/// Which characters of a concrete path belong to a literal segment of its pattern (not a filled-in parameter).
fn literal_positions(pattern: &str, path: &str) -> Vec<bool> {
    let mut out = Vec::new();
    for (i, (p, s)) in pattern.split('/').zip(path.split('/')).enumerate() {
        if i > 0 {
            out.push(true); // the slash
        }
        // A segment's text before its first parameter is literal (`discovery.{format}`).
        let literal = p.find('{').unwrap_or(p.len());
        out.extend((0..s.len()).map(|k| k < literal));
    }
    out
}

#[tokio::test]
async fn no_spelling_of_any_route_reaches_a_handler_the_guard_did_not_check() {
    let app = TestApp::spawn().await;
    let public = app.public();
    let mut checked = 0;
    for (method, pattern, _) in POLICY.iter().filter(|(_, p, _)| !p.is_empty()) {
        let path = concrete(pattern);
        // Anonymous for every method; signed in (the planner) for reads, which change nothing between tries.
        let callers: Vec<&Caller> = if *method == "GET" { vec![&public, &app.caller] } else { vec![&public] };
        for caller in callers {
            let plain = answer(caller, method, &path).await;
            assert_ne!(plain.0, 500, "{method} {path}");
            let literal = literal_positions(pattern, &path);
            for (i, c) in path.char_indices().skip(1) {
                for escape in escapes(c) {
                    let variant = format!("{}{escape}{}", &path[..i], &path[i + c.len_utf8()..]);
                    let got = answer(caller, method, &variant).await;
                    if c == '/' || c == '.' {
                        assert_eq!(got.0, 400, "{method} {variant}: an escaped {c:?} is ambiguous and refused");
                    } else {
                        assert_eq!(got, plain, "{method} {variant} answers like {path}");
                    }
                    checked += 1;
                }
                if c.is_ascii_alphabetic() && literal[i] {
                    let flipped = if c.is_ascii_uppercase() { c.to_ascii_lowercase() } else { c.to_ascii_uppercase() };
                    let variant = format!("{}{flipped}{}", &path[..i], &path[i + 1..]);
                    let got = answer(caller, method, &variant).await.0;
                    // No route (404), or the web app's files, which only answer GET (405).
                    assert!(got == 404 || got == 405, "{method} {variant} → {got}: another route, or none");
                    checked += 1;
                }
            }
            for variant in [
                format!("{path}/"),
                path.replacen('/', "//", 2),
                path.replacen("/", "/./", 2),
                path.replacen('/', "/x/../", 2),
            ] {
                // Sent byte for byte: an HTTP client library would resolve the dot segments before sending. Never the
                // route's handler: refused as ambiguous, no route, or the web app's files (GET only).
                let (got, text) = app.raw(method, &variant).await;
                let refused = (got == 400 && text.contains("bad_path")) || got == 404 || got == 405;
                assert!(refused, "{method} {variant} → {text}");
                checked += 1;
            }
        }
    }
    assert!(checked > 3000, "{checked} spellings checked");
}

#[tokio::test]
async fn the_reported_bypasses_are_closed() {
    let app = TestApp::spawn_with_demo().await;
    let admin = app.sign_in_as("admin", Role::DistrictAdmin, district()).await;
    let building: i64 = sqlx::query_scalar("SELECT min(id) FROM building WHERE community_code = $1")
        .bind(COMMUNITY)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (s, resident) = admin.post("/api/residents", &json!({ "name": "张三", "id_card": "320115199001011234", "phone": "13812345678", "building_id": building })).await;
    assert_eq!(s, 201, "{resident}");
    let id = resident["id"].as_i64().unwrap();
    let public = app.public();
    let audit_before: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log").fetch_one(&app.pool).await.unwrap();
    for path in [
        format!("/%61pi/residents/{id}/reveal"),
        format!("/api/%72esidents/{id}/reveal"),
        format!("/api/residents/%3{}/reveal", id),
    ] {
        let r = public.request(reqwest::Method::POST, &path).json(&json!({})).send().await.unwrap();
        let status = r.status().as_u16();
        let body = r.text().await.unwrap();
        assert!(status == 401 || status == 404, "{path} → {status} {body}");
        assert!(!body.contains("320115199001011234") && !body.contains("张三"), "{body}");
    }
    for path in ["/%61pi/audit", "/%61pi/accounts", "/api/%61udit/verify"] {
        assert_eq!(public.get(path).await.0, 401, "{path}");
    }
    let t = TileId::containing(118.905, 31.855, 14);
    for source in ["%62locks", "%61ll", "special%5Fgrids"] {
        assert_eq!(public.get(&format!("/tiles/{source}/{}/{}/{}", t.z, t.x, t.y)).await.0, 401, "{source}");
    }
    let audit_after: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log").fetch_one(&app.pool).await.unwrap();
    assert_eq!(audit_after, audit_before);
}

#[tokio::test]
async fn head_unknown_routes_methods_and_security_headers() {
    let app = TestApp::spawn().await;
    let public = app.public();
    for path in ["/api/health", "/api/districts", "/style.json?mode=public"] {
        let r = public.request(reqwest::Method::HEAD, path).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "HEAD {path}");
        assert!(r.bytes().await.unwrap().is_empty());
    }
    let (s, b) = public.get("/api/no-such-thing").await;
    assert_eq!((s, b["error"].as_str()), (404, Some("not_found")));
    assert_eq!(app.get("/api/plans/1/nothing-here").await.0, 404);
    let r = app.request(reqwest::Method::DELETE, "/api/plans/1").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 405);
    let r = public.request(reqwest::Method::GET, "/api/health").send().await.unwrap();
    let h = r.headers();
    let csp = h.get("content-security-policy").expect("CSP").to_str().unwrap();
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(h.get("x-frame-options").unwrap(), "DENY");
    assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
    assert!(h.get("referrer-policy").is_some());
    // NUL anywhere in a request is a 400, never a 500, signed in or not.
    for path in ["/api/search?q=a%00b", "/api/locate?lon=118.9&lat=31.8&at=%00"] {
        assert_eq!(public.get(path).await.0, 400, "{path}");
    }
    let (s, b) = app
        .post(
            "/api/special-grids",
            &json!({ "district_code": "990101", "name": "a\u{0}b", "theme": "river", "blocks": [1] }),
        )
        .await;
    assert_eq!((s, b["error"].as_str()), (422, Some("bad_text")), "{b}");
}

#[tokio::test]
async fn deleting_the_newest_audit_entries_is_detected_by_the_anchored_head() {
    let app = TestApp::spawn_with_demo().await;
    let admin = app.sign_in_as("admin", Role::DistrictAdmin, district()).await;
    let (lon, lat) = app.interior_point(COMMUNITY).await;
    let place = |name: &str| json!({ "kind": "place", "name": name, "lon": lon, "lat": lat });
    for name in ["公园", "广场", "菜场"] {
        assert_eq!(app.post("/api/elements", &place(name)).await.0, 201);
    }
    let (_, chain) = admin.get("/api/audit/verify").await;
    assert_eq!(chain["intact"], true, "{chain}");
    let entries = chain["entries"].as_i64().unwrap();
    assert_eq!(chain["anchor"]["seq"].as_i64(), Some(entries), "the anchor is exported: {chain}");
    assert_eq!(chain["anchor"]["hash"], chain["head"]);

    // A superuser removes the newest two entries: the chain itself still links, the anchor does not match.
    sqlx::query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only").execute(&app.pool).await.unwrap();
    sqlx::query(
        "DELETE FROM audit_log WHERE district_code = '990101'
         AND seq > (SELECT max(seq) - 2 FROM audit_log WHERE district_code = '990101')",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only").execute(&app.pool).await.unwrap();
    let (_, chain) = admin.get("/api/audit/verify").await;
    assert_eq!((chain["intact"].as_bool(), chain["reason"].as_str()), (Some(false), Some("truncated")), "{chain}");
    assert_eq!(chain["first_broken"].as_i64(), Some(entries - 1));

    // Appending more does not heal it: the anchored entry is now a different one.
    for name in ["又一个", "再一个", "第三个"] {
        assert_eq!(app.post("/api/elements", &place(name)).await.0, 201);
    }
    let (_, chain) = admin.get("/api/audit/verify").await;
    assert_eq!((chain["intact"].as_bool(), chain["reason"].as_str()), (Some(false), Some("head")), "{chain}");

    // An edited anchor file is caught by its signature.
    let anchor = app.state.security.audit_head.path().to_owned();
    let text = std::fs::read_to_string(&anchor).unwrap();
    let seq = chain["anchor"]["seq"].as_i64().unwrap();
    std::fs::write(&anchor, text.replace(&format!("\"seq\":{seq}"), &format!("\"seq\":{}", seq - 1))).unwrap();
    let (_, chain) = admin.get("/api/audit/verify").await;
    assert_eq!(chain["reason"], "anchor_forged", "{chain}");
}

#[tokio::test]
async fn reads_are_not_audited_and_reveals_are() {
    let app = TestApp::spawn_with_demo().await;
    let count =
        || async { sqlx::query_scalar::<_, i64>("SELECT count(*) FROM audit_log").fetch_one(&app.pool).await.unwrap() };
    let before = count().await;
    let points: Vec<Value> = (0..2000).map(|i| json!([118.90 + f64::from(i) * 1e-5, 31.855])).collect();
    let (s, _) = app.post("/api/locate", &json!({ "points": points })).await;
    assert_eq!(s, 200);
    assert_eq!(app.get("/api/search?q=社区").await.0, 200);
    assert_eq!(count().await, before, "locate and search leave no entry");
    for _ in 0..20 {
        assert_eq!(app.sign_in("planner", "wrong-password-1").await.err().map(|e| e.0).unwrap_or(0) / 100, 4);
    }
    assert_eq!(count().await, before, "refused sign-ins are counted elsewhere");
}

#[tokio::test]
async fn bodies_are_parsed_strictly_and_never_replaced_by_defaults() {
    let app = TestApp::spawn_with_demo().await;
    let draft = app.new_draft(COMMUNITY).await;
    let block: i64 = app.first_block(COMMUNITY).await;
    let before = app.fingerprint().await;

    let (s, b) = app.post(&format!("/api/plans/{draft}/publish"), &json!({ "valid_from": 20270101 })).await;
    assert_eq!((s, b["error"].as_str()), (400, Some("bad_json")), "{b}");
    assert!(b["message"].as_str().unwrap().starts_with("valid_from"), "the field is named: {b}");
    let (s, b) = app.post(&format!("/api/communities/{COMMUNITY}/plans/suggest"), &json!({ "target": "500" })).await;
    assert_eq!(
        (s, b["error"].as_str(), b["details"]["field"].as_str()),
        (400, Some("bad_json"), Some("target")),
        "{b}"
    );
    let (s, b) = app
        .post(&format!("/api/communities/{COMMUNITY}/plans/suggest"), &json!({ "tolerance": 0.1, "taget": 500 }))
        .await;
    assert_eq!(s, 400, "{b}");
    assert!(b["message"].as_str().unwrap().contains("taget"), "{b}");
    let split = format!("/api/blocks/{block}/split");
    let (s, b) = app.post_raw(&split, "application/json", b"{\"line\": ".to_vec()).await;
    assert_eq!((s, b["error"].as_str()), (400, Some("bad_json")), "{b}");
    let (s, b) = app.post_raw(&split, "text/plain", b"{}".to_vec()).await;
    assert_eq!((s, b["error"].as_str()), (415, Some("content_type")), "{b}");
    let (s, b) = app.post(&split, &json!({ "line": null, "cells": true })).await;
    assert_eq!((s, b["error"].as_str()), (400, Some("bad_json")), "{b}");
    assert_eq!(app.fingerprint().await, before, "nothing was published, suggested or split");
}

#[tokio::test]
async fn communities_must_lie_in_their_street_and_clear_of_their_siblings() {
    let app = TestApp::spawn_with_demo().await;
    let before = app.fingerprint().await;
    let (_, existing) = app.get(&format!("/api/communities/{COMMUNITY}")).await;
    let (s, b) = app
        .post(
            "/api/communities",
            &json!({ "code": "990101001099", "name": "叠加社区", "geometry": existing["geometry"] }),
        )
        .await;
    assert_eq!((s, b["error"].as_str()), (422, Some("overlaps_sibling")), "{b}");
    let overlap = &b["details"]["overlaps"][0];
    assert_eq!(overlap["code"], COMMUNITY);
    assert!(overlap["area_m2"].as_f64().unwrap() > 1000.0, "{b}");
    let far = json!({ "type": "Polygon", "coordinates": [[[100.0, 20.0], [100.01, 20.0], [100.01, 20.01], [100.0, 20.01], [100.0, 20.0]]] });
    let (s, b) =
        app.post("/api/communities", &json!({ "code": "990101001099", "name": "飞地", "geometry": far })).await;
    assert_eq!((s, b["error"].as_str()), (422, Some("outside_parent")), "{b}");
    assert!(b["details"]["area_m2"].as_f64().unwrap() > 1_000_000.0, "{b}");
    assert_eq!(app.fingerprint().await, before);
}

/// A zip of one `.shp` entry that inflates to `mb` megabytes of zeros.
fn zip_bomb(mb: usize) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("g.shp", options).unwrap();
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..mb {
        zip.write_all(&chunk).unwrap();
    }
    for name in ["g.shx", "g.dbf"] {
        zip.start_file(name, options).unwrap();
        zip.write_all(&[0u8; 100]).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[tokio::test]
async fn an_archive_that_would_expand_to_gigabytes_is_refused_without_unpacking() {
    let app = TestApp::spawn_with_demo().await;
    let before = app.fingerprint().await;
    let bomb = zip_bomb(200);
    assert!(bomb.len() < 8 << 20, "{} bytes", bomb.len());
    let path = format!("/api/communities/{COMMUNITY}/plans/import-shapefile");
    let (s, b) = app.post_raw(&path, "application/zip", bomb).await;
    assert_eq!((s, b["error"].as_str()), (413, Some("archive_too_large")), "{b}");
    // The server still answers at once.
    assert_eq!(app.get("/api/health").await.0, 200);
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn the_smaller_defects_are_fixed() {
    let app = TestApp::spawn_with_demo().await;
    let admin = app.sign_in_as("admin", Role::DistrictAdmin, district()).await;
    let before = app.fingerprint().await;

    // A duplicate username says so, without naming a database constraint.
    let account = json!({ "username": "dup-user", "display_name": "甲", "role": "planner", "scope": { "district": "990101" }, "password": "Str0ng-enough-1" });
    assert_eq!(admin.post("/api/accounts", &account).await.0, 201);
    let (s, b) = admin.post("/api/accounts", &account).await;
    assert_eq!((s, b["error"].as_str()), (409, Some("username_taken")), "{b}");
    assert!(
        !b["message"].as_str().unwrap().contains("constraint") && !b["message"].as_str().unwrap().contains("_key"),
        "{b}"
    );
    sqlx::query("DELETE FROM session WHERE account_id = (SELECT id FROM account WHERE username = 'dup-user')")
        .execute(&app.pool)
        .await
        .unwrap();

    // An unclosed ring, an invisible-only name, a birth date in the future.
    let open_ring = json!({ "type": "Polygon", "coordinates": [[[118.9, 31.8], [118.901, 31.8], [118.901, 31.801], [118.9, 31.801]]] });
    let (s, b) =
        app.post("/api/communities", &json!({ "code": "990101001099", "name": "x", "geometry": open_ring })).await;
    assert_eq!((s, b["error"].as_str()), (422, Some("invalid_geometry")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("ring"), "{b}");
    let (s, b) = app
        .post("/api/elements", &json!({ "kind": "place", "name": "\u{200b}\u{feff} ", "lon": 118.905, "lat": 31.855 }))
        .await;
    assert_eq!((s, b["error"].as_str()), (422, Some("bad_text")), "{b}");
    let first17 = b"32011520991231123";
    let future = format!(
        "{}{}",
        std::str::from_utf8(first17).unwrap(),
        wangge_domain::personal::IdCardNumber::check_char(first17)
    );
    let building: i64 = sqlx::query_scalar("SELECT min(id) FROM building WHERE community_code = $1")
        .bind(COMMUNITY)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (s, b) =
        admin.post("/api/residents", &json!({ "name": "未来人", "id_card": future, "building_id": building })).await;
    assert_eq!((s, b["error"].as_str()), (422, Some("bad_id_card")), "{b}");

    // A draft based on another community's plan; an import that covers no block.
    let (other_plan, _) = app.plan_in_force("990101001002").await;
    let (_, grids) = app.plan_in_force(COMMUNITY).await;
    let (s, b) = app
        .post(&format!("/api/communities/{COMMUNITY}/plans"), &json!({ "grids": grids, "based_on": other_plan }))
        .await;
    assert_eq!((s, b["error"].as_str()), (422, Some("bad_based_on")), "{b}");
    // Text the database cannot hold (NUL) is the caller's mistake: 400, not 500.
    let (s, b) =
        app.post(&format!("/api/communities/{COMMUNITY}/plans"), &json!({ "grids": grids, "note": "a\u{0}b" })).await;
    assert_eq!((s, b["error"].as_str()), (400, Some("bad_text")), "{b}");
    let far = json!({ "type": "Polygon", "coordinates": [[[100.0, 20.0], [100.01, 20.0], [100.01, 20.01], [100.0, 20.01], [100.0, 20.0]]] });
    let layer = json!({ "type": "FeatureCollection", "features": [{ "type": "Feature", "properties": { "key": "a" }, "geometry": far }] });
    let (s, b) = app.post(&format!("/api/communities/{COMMUNITY}/plans/import"), &json!({ "layer": layer })).await;
    assert_eq!((s, b["error"].as_str()), (422, Some("covers_no_block")), "{b}");

    // Public tiles carry no household or resident counts; staff tiles do.
    let (lon, lat) = app.interior_point(COMMUNITY).await;
    let t = TileId::containing(lon, lat, 15);
    let property_names = |bytes: Vec<u8>| {
        let reader = mvt_reader::Reader::new(bytes).unwrap();
        let names = reader.get_layer_names().unwrap();
        let mut keys = std::collections::BTreeSet::new();
        for layer in ["grids", "labels"] {
            let ix = names.iter().position(|n| n == layer).unwrap_or_else(|| panic!("{layer} in {names:?}"));
            for f in reader.get_features(ix).unwrap() {
                keys.extend(f.properties.unwrap_or_default().into_keys());
            }
        }
        keys
    };
    let fetch = |caller: Caller, path: String| async move {
        caller.request(reqwest::Method::GET, &path).send().await.unwrap().bytes().await.unwrap().to_vec()
    };
    let public_keys = property_names(fetch(app.public(), format!("/tiles/public/{}/{}/{}", t.z, t.x, t.y)).await);
    assert!(public_keys.contains("code"), "{public_keys:?}");
    for hidden in ["households", "residents", "deviation"] {
        assert!(!public_keys.contains(hidden), "public tiles carry {hidden}: {public_keys:?}");
    }
    let grids_only =
        property_names_of_grids(fetch(app.public(), format!("/tiles/grids,labels/{}/{}/{}", t.z, t.x, t.y)).await);
    assert!(!grids_only.contains("households"), "{grids_only:?}");
    let staff_keys = property_names(fetch(app.caller.clone(), format!("/tiles/all/{}/{}/{}", t.z, t.x, t.y)).await);
    assert!(staff_keys.contains("households") && staff_keys.contains("deviation"), "{staff_keys:?}");

    assert_eq!(app.fingerprint().await, before, "nothing else was stored");
}

fn property_names_of_grids(bytes: Vec<u8>) -> std::collections::BTreeSet<String> {
    let reader = mvt_reader::Reader::new(bytes).unwrap();
    let names = reader.get_layer_names().unwrap();
    let ix = names.iter().position(|n| n == "grids").expect("grids layer");
    reader.get_features(ix).unwrap().into_iter().flat_map(|f| f.properties.unwrap_or_default().into_keys()).collect()
}

#[tokio::test]
async fn the_routes_served_are_exactly_the_routes_in_the_policy_table() {
    let _app = TestApp::spawn().await;
    // Workers build their routes as they start; by the time a request was answered (spawn signs in), they have.
    let served = wangge_server::routes::registered();
    let ruled: std::collections::BTreeSet<(String, &str)> =
        POLICY.iter().filter(|(_, p, _)| !p.is_empty()).map(|(m, p, _)| ((*m).to_owned(), *p)).collect();
    assert_eq!(served, ruled, "routes and policy rules differ");
}

#[tokio::test]
async fn the_sweep_job_removes_expired_sessions_and_old_sign_in_failures() {
    let app = TestApp::spawn().await;
    sqlx::query("UPDATE session SET expires_at = now() - interval '1 hour'").execute(&app.pool).await.unwrap();
    sqlx::query("INSERT INTO sign_in_failure (username, address, failures, first_at, last_at) VALUES ('old', '10.0.0.9', 3, now() - interval '200 days', now() - interval '100 days'), ('new', '10.0.0.9', 1, now(), now())")
        .execute(&app.pool)
        .await
        .unwrap();
    let job = wangge_server::jobs::JOBS.iter().find(|j| j.name == "sweep-sign-ins").expect("the job");
    let swept = (job.run)(app.state.clone()).await.unwrap();
    assert_eq!(swept, 2, "the planner's expired session and the old summary");
    let left: Vec<String> =
        sqlx::query_scalar("SELECT username FROM sign_in_failure").fetch_all(&app.pool).await.unwrap();
    assert_eq!(left, vec!["new".to_owned()]);
    assert_eq!(app.get("/api/session").await.1["signed_in"], false, "the expired session no longer signs in");
}
