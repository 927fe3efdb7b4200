//! Read scaling on a real streaming replica: a primary and a replica as two local clusters (`pg_basebackup`,
//! streaming replication over loopback), the server with its reads attached to the replica (`DATABASE_READ_URL`
//! in production). Reads go to the replica and writes to the primary, and the server keeps answering while the
//! replica restarts.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use sqlx::{Connection, PgConnection};
use wangge_domain::access::{Role, Scope};
use wangge_server::db::cluster::{ensure_running, standby_of, Durability, LocalCluster};
use wangge_tests::{workspace, Caller, TestApp};

/// Stops both clusters and removes their directories, also when an assertion fails.
struct Cleanup {
    clusters: Vec<LocalCluster>,
    root: PathBuf,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for c in &self.clusters {
            let _ = c.stop();
            let _ = std::fs::remove_dir_all(&c.root);
        }
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// The usernames the audit list shows as created (`POST /api/accounts`), newest first.
async fn accounts_in_audit(admin: &Caller) -> Vec<String> {
    let (s, entries) = admin.get("/api/audit?limit=1000").await;
    assert_eq!(s, 200, "{entries}");
    entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "POST /api/accounts")
        .filter_map(|e| e["after"]["username"].as_str().map(str::to_owned))
        .collect()
}

async fn create_account(admin: &Caller, username: &str) {
    let account = json!({ "username": username, "display_name": username, "role": "planner",
                          "scope": { "district": "990101" }, "password": "Str0ng-enough" });
    let (s, b) = admin.post("/api/accounts", &account).await;
    assert_eq!(s, 201, "the write goes to the primary (a standby refuses writes): {b}");
}

/// Wait (at most 30 s) until `done` holds.
async fn eventually<F, Fut>(what: &str, done: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..300 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("not within 30 s: {what}");
}

#[tokio::test]
async fn reads_go_to_the_replica_writes_to_the_primary_and_a_replica_restart_goes_unnoticed() {
    let root = workspace().join(format!(".wangge-replica-{}", std::process::id()));
    let primary = ensure_running(&root.join("primary"), Durability::Durable).expect("primary");
    let mut cleanup = Cleanup { clusters: vec![primary.clone()], root: root.clone() };
    let replica = standby_of(&primary, &root.join("replica")).expect("a streaming replica of the primary");
    cleanup.clusters.push(replica.clone());

    let app = TestApp::spawn_on(primary.url("postgres"), usize::MAX).await;
    let database: String = sqlx::query_scalar("SELECT current_database()").fetch_one(&app.pool).await.unwrap();
    sqlx::query("INSERT INTO district (code, name) VALUES ('990101', '甲区')").execute(&app.pool).await.unwrap();
    let mut on_replica = None;
    for _ in 0..300 {
        if let Ok(c) = PgConnection::connect(&replica.url(&database)).await {
            on_replica = Some(c);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut on_replica = on_replica.expect("the new database reached the replica");
    let standby: bool = sqlx::query_scalar("SELECT pg_is_in_recovery()").fetch_one(&mut on_replica).await.unwrap();
    assert!(standby, "the replica is a standby");
    app.state.reads.attach(&replica.url(&database)).await.expect("attach the replica");
    assert!(app.state.reads.on_replica());

    let admin = app.sign_in_as("admin", Role::DistrictAdmin, Scope::District("990101".parse().unwrap())).await;
    create_account(&admin, "zhao.yi").await;
    eventually("the first account reaches the replica's audit list", || async {
        accounts_in_audit(&admin).await.contains(&"zhao.yi".to_owned())
    })
    .await;

    // Replay paused on the replica: a write commits on the primary, and the audit list — read from the replica —
    // does not show it; the primary has it. Replay resumed, the list shows it.
    sqlx::query("SELECT pg_wal_replay_pause()").execute(&mut on_replica).await.unwrap();
    create_account(&admin, "qian.er").await;
    app.chained().await;
    let on_primary: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'POST /api/accounts' AND after->>'username' = 'qian.er'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(on_primary, 1, "the write and its audit entry are on the primary");
    let listed = accounts_in_audit(&admin).await;
    assert!(listed.contains(&"zhao.yi".to_owned()) && !listed.contains(&"qian.er".to_owned()), "{listed:?}");
    // The chain check reads the primary (the anchor moves with the primary's chain).
    let (_, chain) = admin.get("/api/audit/verify").await;
    assert_eq!(chain["intact"], true, "{chain}");
    sqlx::query("SELECT pg_wal_replay_resume()").execute(&mut on_replica).await.unwrap();
    eventually("the resumed replica shows the second account", || async {
        accounts_in_audit(&admin).await.contains(&"qian.er".to_owned())
    })
    .await;
    on_replica.close().await.ok();

    // The replica restarts while a reader keeps asking: every read is answered (from the primary while the replica
    // is away), and the reads go back to the replica when it answers again.
    let reading = Arc::new(AtomicBool::new(true));
    let statuses = Arc::new(Mutex::new(Vec::<u16>::new()));
    let reader = {
        let (admin, reading, statuses) = (admin.clone(), reading.clone(), statuses.clone());
        tokio::spawn(async move {
            while reading.load(Ordering::SeqCst) {
                let (s, b): (u16, Value) = admin.get("/api/audit?limit=20").await;
                assert!(s == 200, "{s} {b}");
                statuses.lock().unwrap().push(s);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    replica.stop().expect("stop the replica");
    eventually("the server notices the replica is gone", || async { !app.state.reads.on_replica() }).await;
    let while_down = statuses.lock().unwrap().len();
    create_account(&admin, "sun.san").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let restarted = ensure_running(&replica.root, Durability::Durable).expect("restart the replica");
    assert_eq!(restarted.port, replica.port);
    eventually("the reads go back to the replica", || async { app.state.reads.on_replica() }).await;
    eventually("the replica caught up with the write made while it was away", || async {
        accounts_in_audit(&admin).await.contains(&"sun.san".to_owned())
    })
    .await;
    reading.store(false, Ordering::SeqCst);
    reader.await.expect("every read while the replica restarted was answered with 200");
    let statuses = statuses.lock().unwrap();
    assert!(statuses.len() > while_down && while_down > 0, "reads ran throughout: {} ({while_down})", statuses.len());
    assert!(statuses.iter().all(|&s| s == 200));
}
