//! The default local cluster keeps what it acknowledges and asks for a password. A cluster of its own is started the
//! way `bin/up` starts one, a stream of writes runs against the real server, PostgreSQL is killed (every process,
//! SIGKILL) in the middle, and after the restart every write that was answered 201 — and its audit entry — is there;
//! reports retried through the outage with their request id are there exactly once.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use sqlx::{Connection, PgConnection};
use wangge_server::db::cluster::{ensure_running, Durability, LocalCluster};
use wangge_tests::{workspace, Phones, TestApp, AUDIT_ENTRIES, SMALL_DEMO};

/// The postmaster of `cluster` and all its children.
fn cluster_processes(cluster: &LocalCluster) -> Vec<i32> {
    let pid_file = std::fs::read_to_string(cluster.pgdata().join("postmaster.pid")).expect("postmaster.pid");
    let postmaster: i32 = pid_file.lines().next().unwrap().trim().parse().unwrap();
    let mut pids = vec![postmaster];
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid …; comm may hold spaces, so read after the last ')'.
        let ppid =
            stat.rsplit(')').next().and_then(|rest| rest.split_whitespace().nth(1)).and_then(|p| p.parse::<i32>().ok());
        if ppid == Some(postmaster) {
            pids.extend(entry.file_name().to_str().and_then(|p| p.parse::<i32>().ok()));
        }
    }
    pids
}

/// SIGKILL every process in `pids` at once; whether all were there to kill.
fn kill_all(pids: &[i32]) -> bool {
    std::process::Command::new("kill")
        .arg("-9")
        .args(pids.iter().map(i32::to_string))
        .status()
        .is_ok_and(|s| s.success())
}

/// SIGKILL every process of `cluster`, and wait until all are gone (and reaped): the signal is delivered
/// asynchronously, and a restart before then would find the old postmaster.
async fn kill_and_wait(cluster: &LocalCluster) {
    let pids = cluster_processes(cluster);
    assert!(kill_all(&pids), "PostgreSQL killed");
    for _ in 0..600 {
        if pids.iter().all(|p| !Path::new(&format!("/proc/{p}")).exists()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn setting(url: &str, name: &str) -> String {
    let mut c = PgConnection::connect(url).await.unwrap();
    sqlx::query_scalar(&format!("SELECT current_setting('{name}')")).fetch_one(&mut c).await.unwrap()
}

#[tokio::test]
async fn a_killed_postgres_keeps_every_acknowledged_write() {
    let root = workspace().join(format!(".wangge-durability-{}", std::process::id()));
    let cluster = ensure_running(&root, Durability::Durable).expect("durable cluster");
    let _cleanup = Cleanup { cluster: cluster.clone(), root: root.clone() };
    let url = cluster.url("postgres");

    // Durable settings, password authentication on loopback only, the secret private.
    for name in ["fsync", "synchronous_commit", "full_page_writes"] {
        assert_eq!(setting(&url, name).await, "on", "{name}");
    }
    assert_eq!(setting(&url, "listen_addresses").await, "127.0.0.1");
    let no_password = format!("postgres://postgres@127.0.0.1:{}/postgres", cluster.port);
    assert!(PgConnection::connect(&no_password).await.is_err(), "a connection without the password is refused");
    let wrong = format!("postgres://postgres:guess@127.0.0.1:{}/postgres", cluster.port);
    assert!(PgConnection::connect(&wrong).await.is_err(), "a wrong password is refused");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(cluster.root.join("superuser.secret")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let app = TestApp::spawn_on(url.clone(), usize::MAX).await;
    app.load_demo(SMALL_DEMO).await;
    let (lon, lat): (f64, f64) =
        sqlx::query_as("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM community LIMIT 1) s")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let database: String = sqlx::query_scalar("SELECT current_database()").fetch_one(&app.pool).await.unwrap();

    // Four writers, each posting elements one after another until the database goes away.
    let acknowledged = Arc::new(Mutex::new(HashSet::new()));
    let mut writers = Vec::new();
    for w in 0..4 {
        let (caller, acknowledged) = (app.caller.clone(), acknowledged.clone());
        writers.push(tokio::spawn(async move {
            for i in 0.. {
                let body = json!({ "kind": "place", "name": format!("写入{w}-{i}"), "lon": lon, "lat": lat });
                let r = caller
                    .request(reqwest::Method::POST, "/api/elements")
                    .json(&body)
                    .timeout(Duration::from_secs(5))
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status().as_u16() == 201 => {
                        let v: serde_json::Value = r.json().await.unwrap();
                        acknowledged.lock().unwrap().insert(v["id"].as_i64().unwrap());
                    }
                    _ => break,
                }
            }
        }));
    }
    while acknowledged.lock().unwrap().len() < 200 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    kill_and_wait(&cluster).await;
    for w in writers {
        w.await.unwrap();
    }
    let acknowledged: Vec<i64> = acknowledged.lock().unwrap().iter().copied().collect();

    // Restart (crash recovery) and look for every acknowledged row and its audit entry.
    let cluster = ensure_running(&root, Durability::Durable).expect("restart after the kill");
    let mut c = PgConnection::connect(&cluster.url(&database)).await.expect("reconnect");
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM element WHERE id = ANY($1)")
        .bind(&acknowledged)
        .fetch_one(&mut c)
        .await
        .unwrap();
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT (after->>'id')::int8) FROM (SELECT action, after FROM audit_log
             UNION ALL SELECT action, after FROM audit_pending) e
         WHERE action = 'POST /api/elements' AND (after->>'id')::int8 = ANY($1)",
    )
    .bind(&acknowledged)
    .fetch_one(&mut c)
    .await
    .unwrap();
    assert_eq!(rows, acknowledged.len() as i64, "every acknowledged element survived the kill");
    assert_eq!(
        audited,
        acknowledged.len() as i64,
        "and so did each one's audit entry (chained, or staged for the chainer)"
    );
    c.close().await.ok();
}

/// Cases reported by four phones while PostgreSQL is killed and restarted: a phone whose report got no answer sends
/// it again with the same request id until it is answered. Afterwards every case acknowledged is there, and no
/// report is there twice.
#[tokio::test]
async fn a_restarted_postgres_keeps_every_acknowledged_case_and_retries_never_duplicate() {
    let root = workspace().join(format!(".wangge-durability-cases-{}", std::process::id()));
    let cluster = ensure_running(&root, Durability::Durable).expect("durable cluster");
    let _cleanup = Cleanup { cluster: cluster.clone(), root: root.clone() };
    let Some((app, worker, at)) = Phones::app_on(cluster.url("postgres")).await else { return };
    let database: String = sqlx::query_scalar("SELECT current_database()").fetch_one(&app.pool).await.unwrap();
    const PER_PHONE: usize = 40;
    let phones = Phones::start(&worker, at, 4, PER_PHONE);
    phones.until_answered(40).await;
    kill_and_wait(&cluster).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let cluster = ensure_running(&root, Durability::Durable).expect("restart after the kill");
    let acknowledged = phones.finish().await;
    assert_eq!(acknowledged.len(), 4 * PER_PHONE, "every report was answered in the end");
    let mut c = PgConnection::connect(&cluster.url(&database)).await.expect("reconnect");
    let ids: Vec<i64> = acknowledged.iter().map(|(_, id)| *id).collect();
    let present: i64 =
        sqlx::query_scalar("SELECT count(*) FROM cases WHERE id = ANY($1)").bind(&ids).fetch_one(&mut c).await.unwrap();
    let (total, distinct): (i64, i64) =
        sqlx::query_as("SELECT count(*), count(DISTINCT request_id) FROM cases").fetch_one(&mut c).await.unwrap();
    let trails: i64 =
        sqlx::query_scalar("SELECT count(*) FROM case_trail WHERE action = 'report'").fetch_one(&mut c).await.unwrap();
    // Each case's audit entry committed with it (chained, or still waiting for the chain after the restart).
    let audited: i64 = sqlx::query_scalar(&format!(
        "SELECT count(DISTINCT (after->'case'->>'id')::int8) FROM {AUDIT_ENTRIES} e
         WHERE action = 'POST /api/cases' AND (after->'case'->>'id')::int8 = ANY($1)"
    ))
    .bind(&ids)
    .fetch_one(&mut c)
    .await
    .unwrap();
    assert_eq!(audited, ids.len() as i64, "every acknowledged case has its audit entry");
    assert_eq!(present, ids.len() as i64, "every acknowledged case survived");
    assert_eq!(
        (total, distinct, trails),
        (4 * PER_PHONE as i64, 4 * PER_PHONE as i64, 4 * PER_PHONE as i64),
        "none twice"
    );
    c.close().await.ok();
}

/// Stops the test's own cluster and removes its directories, also when an assertion fails.
struct Cleanup {
    cluster: LocalCluster,
    root: PathBuf,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if self.cluster.pgdata().join("postmaster.pid").exists() {
            kill_all(&cluster_processes(&self.cluster));
        }
        std::fs::remove_dir_all(&self.cluster.root).ok();
        std::fs::remove_dir_all(&self.root).ok();
    }
}
