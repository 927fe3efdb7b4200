//! Cases and their trail are partitioned by month (China time): every case lands in its month's partition, and
//! whole past months are archived to a file (`wangge archive`) — refused while one of their cases is unfinished —
//! and come back from it (`wangge unarchive`) as they were.

use chrono::{Months, Utc};
use wangge_domain::access::{Role, Scope};
use wangge_server::archive::{archive, unarchive, DUMP};
use wangge_server::audit::{anchor::HeadAnchor, verify, SHARED_CHAIN};
use wangge_server::auth::vault::DataKey;
use wangge_server::db::months::china_month;
use wangge_server::import::demo_cases::generate_cases;
use wangge_tests::{by_district, TestApp, TEST_DATA_KEY};

/// A running clock of seven and a half working hours.
const CLOCK: &str = r#"{"started": "2026-01-01T00:00:00Z", "measure": "working", "budget": 27000}"#;

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[tokio::test]
async fn past_months_are_archived_to_a_file_and_come_back() {
    let app = TestApp::spawn_with_demo().await;
    assert!(app.load_catalogue().await, "the catalogue data is needed");
    generate_cases(&app.pool, "990101", 600, &app.state.calendar()).await.unwrap();
    let head = HeadAnchor::new(app.audit_anchor(), DataKey::from_hex(TEST_DATA_KEY).unwrap());

    // Every case and step sits in the partition of its China-time month.
    assert_eq!(count(&app, "SELECT count(*) FROM cases_default").await, 0);
    assert_eq!(count(&app, "SELECT count(*) FROM case_trail_default").await, 0);
    let placed: Vec<(chrono::DateTime<Utc>, String)> =
        sqlx::query_as("SELECT reported_at, tableoid::regclass::text FROM cases").fetch_all(&app.pool).await.unwrap();
    assert_eq!(placed.len(), 600);
    for (at, table) in &placed {
        // on the schema partitioned by district, each month is divided by district in turn
        let district = if by_district() { "_d990101" } else { "" };
        assert_eq!(*table, format!("{}{district}", china_month(*at).format("cases_y%Ym%m")), "a case of {at}");
    }
    let months: i64 = count(&app, "SELECT count(*) FROM pg_inherits WHERE inhparent = 'cases'::regclass").await;
    assert!(months >= 13, "a year of months and the default: {months}");

    // Archive the months before the one three months ago; one of their cases is still being handled.
    let before = china_month(Utc::now()).checked_sub_months(Months::new(3)).unwrap();
    let cut = before.and_hms_opt(0, 0, 0).unwrap() - chrono::Duration::hours(8);
    let cut = chrono::DateTime::<Utc>::from_naive_utc_and_offset(cut, Utc);
    let open: i64 = sqlx::query_scalar(
        "INSERT INTO cases (number, district_code, street_code, community_code, category_code, channel, state,
             description, geom, reporter, clock, reported_at, request_actor, request_id)
         SELECT '990101-OPEN-1', '990101', left(code, 9), code, 'E06010', 'patrol', 'dispatched', 'still open',
             ST_PointOnSurface(geom), 'test', $2::jsonb, $1, 'worker', 'req-open-1'
         FROM community ORDER BY code LIMIT 1
         RETURNING id",
    )
    .bind(cut - chrono::Duration::days(40))
    .bind(CLOCK)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let total = count(&app, "SELECT count(*) FROM cases").await;
    let old: i64 = sqlx::query_scalar("SELECT count(*) FROM cases WHERE reported_at < $1")
        .bind(cut)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let old_steps: i64 = sqlx::query_scalar("SELECT count(*) FROM case_trail WHERE at < $1")
        .bind(cut)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(old > 50 && old < total, "{old} of {total}");
    let unique = format!("{}-{}", std::process::id(), Utc::now().timestamp_nanos_opt().unwrap_or_default());
    let folder = std::env::temp_dir().join(format!("wangge-archive-{unique}"));
    let url = app.database_url();
    let refused = archive(&app.pool, &url, &head, before, &folder).await.unwrap_err();
    assert!(format!("{refused:#}").contains("not finished"), "{refused:#}");
    assert_eq!(count(&app, "SELECT count(*) FROM cases").await, total, "nothing left while refused");
    let future = china_month(Utc::now()).checked_add_months(Months::new(1)).unwrap();
    assert!(archive(&app.pool, &url, &head, future, &folder).await.is_err(), "only past months");

    // Finish it, and the other generated cases of those months still open.
    sqlx::query("UPDATE cases SET state = 'closed', pending = NULL, closed_at = now() WHERE reported_at < $1 AND state NOT IN ('closed', 'rejected', 'voided', 'merged')")
        .bind(cut)
        .execute(&app.pool)
        .await
        .unwrap();
    let center = app.sign_in_as("center-m", Role::StreetOperator, Scope::District("990101".parse().unwrap())).await;
    let (s, b) = center.get(&format!("/api/cases/{open}")).await;
    assert_eq!(s, 200, "{b}");
    let chain_before = count(&app, "SELECT count(*) FROM audit_log").await;

    let manifest = archive(&app.pool, &url, &head, before, &folder).await.expect("archive");
    let rows = |parent: &str| manifest.tables.iter().filter(|t| t.parent == parent).map(|t| t.rows).sum::<i64>();
    assert_eq!((rows("cases"), rows("case_trail")), (old, old_steps), "{manifest:?}");
    assert!(manifest.tables.iter().all(|t| t.month < before));
    assert!(folder.join(DUMP).exists());
    assert_eq!(count(&app, "SELECT count(*) FROM cases").await, total - old);
    assert_eq!(
        count(&app, "SELECT count(*) FROM case_archive WHERE action = 'archived'").await,
        manifest.tables.len() as i64
    );

    // The case page says where the case went; an id never issued is still unknown.
    let (s, b) = center.get(&format!("/api/cases/{open}")).await;
    assert_eq!((s, b["error"].as_str()), (410, Some("case_archived")), "{b}");
    let (s, _) = center.get("/api/cases/999999999").await;
    assert_eq!(s, 404);
    // The number and the request id stay taken.
    let again = sqlx::query(
        "INSERT INTO cases (number, district_code, category_code, channel, state, description, geom, reporter, clock,
             reported_at)
         VALUES ('990101-OPEN-1', '990101', 'E06010', 'patrol', 'reported', 'again',
             ST_SetSRID(ST_MakePoint(118.9, 31.85), 4326), 'test', $1::jsonb, now())",
    )
    .bind(CLOCK)
    .execute(&app.pool)
    .await;
    assert!(again.is_err(), "an archived case's number is never issued again");
    // The incident store lets the archived months go.
    app.state.incidents.catch_up(&app.pool).await.unwrap();
    assert_eq!(app.state.incidents.read().len() as i64, total - old);
    // The archive and its audit entry committed together, and the chain holds.
    assert_eq!(count(&app, "SELECT count(*) FROM audit_log WHERE action = 'archive'").await, 1);
    assert_eq!(count(&app, "SELECT count(*) FROM audit_log").await, chain_before + 1);
    // archiving concerns every district: its entry is in the shared chain
    let chain = verify(&app.pool, &head, SHARED_CHAIN).await.unwrap();
    assert!(chain.intact && chain.entries >= 1 && chain.anchor.is_some(), "{chain:?}");
    assert!(archive(&app.pool, &url, &head, before, &folder).await.is_err(), "never over an archive");

    // A damaged copy is refused; the archive itself restores every row.
    let damaged = std::env::temp_dir().join(format!("wangge-archive-damaged-{unique}"));
    std::fs::create_dir_all(&damaged).unwrap();
    std::fs::copy(folder.join("manifest.json"), damaged.join("manifest.json")).unwrap();
    let mut bytes = std::fs::read(folder.join(DUMP)).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(damaged.join(DUMP), bytes).unwrap();
    let refused = unarchive(&app.pool, &url, &head, &damaged).await.unwrap_err();
    assert!(format!("{refused:#}").contains("does not match"), "{refused:#}");

    unarchive(&app.pool, &url, &head, &folder).await.expect("unarchive");
    assert_eq!(count(&app, "SELECT count(*) FROM cases").await, total);
    assert_eq!(
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM case_trail WHERE at < $1")
            .bind(cut)
            .fetch_one(&app.pool)
            .await
            .unwrap(),
        old_steps
    );
    assert_eq!(count(&app, "SELECT count(*) FROM pg_inherits WHERE inhparent = 'cases'::regclass").await, months);
    let (s, b) = center.get(&format!("/api/cases/{open}")).await;
    assert_eq!(s, 200, "{b}");
    app.state.incidents.catch_up(&app.pool).await.unwrap();
    assert_eq!(app.state.incidents.read().len() as i64, total);
    assert!(verify(&app.pool, &head, SHARED_CHAIN).await.unwrap().intact);
    let _ = std::fs::remove_dir_all(&folder);
    let _ = std::fs::remove_dir_all(&damaged);
}
