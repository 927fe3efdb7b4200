//! High availability on an existing engine: Patroni managing a primary and a synchronous standby (etcd as its store),
//! HAProxy sending connections to whichever node Patroni's REST API calls the primary — all on loopback, started by
//! this test. Phones report cases through the server while the primary is killed (its Patroni and its PostgreSQL,
//! `SIGKILL`): the standby is promoted, the server reconnects by itself through HAProxy, and every case acknowledged
//! with 201 is there afterwards, none twice.
//!
//! It needs `patroni`, `etcd-server` and `haproxy` from Debian (`bin/install-deps` installs them), so it is behind
//! the `ha` feature, and kept out of `bin/test`: `bin/test-ha` runs it. About 20 s, most of it the leader lease (10 s)
//! running out. It passed in nine runs and failed in one (a CI run on a loaded machine): the standby's base backup was
//! refused by the primary ("password authentication failed for user replicator") for two minutes; not yet explained,
//! so a failure now shows both nodes' logs.
#![cfg(feature = "ha")]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use std::time::{Duration, Instant};

use sqlx::{Connection, PgConnection};
use wangge_tests::Phones;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The processes of the set-up, killed (and the directory removed) when the test ends, also on failure.
struct Set {
    root: PathBuf,
    children: Vec<(String, Child)>,
}

impl Drop for Set {
    fn drop(&mut self) {
        for node in ["node1", "node2"] {
            self.kill(node);
        }
        for (_, c) in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        // PostgreSQL outlives a killed Patroni: stop what runs on our data directories.
        for node in ["node1", "node2"] {
            let data = self.root.join(node);
            if data.join("postmaster.pid").exists() {
                let _ = Command::new("runuser")
                    .args(["-u", "postgres", "--", "/usr/lib/postgresql/15/bin/pg_ctl", "-D"])
                    .arg(&data)
                    .args(["-m", "immediate", "stop"])
                    .output();
            }
        }
        let _ = fs::remove_dir_all(&self.root);
    }
}

impl Set {
    fn spawn(&mut self, name: &str, mut cmd: Command) {
        let log = fs::File::create(self.root.join(format!("{name}.log"))).unwrap();
        cmd.stdout(Stdio::from(log.try_clone().unwrap())).stderr(Stdio::from(log));
        self.children.push((name.to_owned(), cmd.spawn().unwrap_or_else(|e| panic!("starting {name}: {e}"))));
    }

    /// Kill a process and whatever it started under `runuser` (matched by the process's own configuration file).
    fn kill(&mut self, name: &str) {
        let config = self.root.join(format!("{name}.yml"));
        let _ = Command::new("pkill").arg("-KILL").arg("-f").arg(config.to_string_lossy().as_ref()).status();
        if let Some((_, c)) = self.children.iter_mut().find(|(n, _)| n == name) {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// The end of a process's log, for a failure's message.
    fn log(&self, name: &str) -> String {
        let text = fs::read_to_string(self.root.join(format!("{name}.log"))).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

fn chown_postgres(path: &Path) {
    assert!(Command::new("chown").args(["-R", "postgres:postgres"]).arg(path).status().unwrap().success());
}

/// Patroni's configuration of one node.
fn patroni_yaml(root: &Path, node: &str, pg: u16, rest: u16, etcd: u16, superuser: &str) -> String {
    let data = root.join(node);
    format!(
        "scope: wangge-ha
name: {node}
restapi:
  listen: 127.0.0.1:{rest}
  connect_address: 127.0.0.1:{rest}
etcd3:
  hosts: 127.0.0.1:{etcd}
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 1
    retry_timeout: 3
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    postgresql:
      use_pg_rewind: false
      parameters:
        max_connections: 200
        wal_level: replica
        hot_standby: 'on'
        max_wal_senders: 10
        max_replication_slots: 10
  initdb:
    - encoding: UTF8
    - no-locale
    - auth: scram-sha-256
  pg_hba:
    - host replication replicator 127.0.0.1/32 scram-sha-256
    - host all all 127.0.0.1/32 scram-sha-256
postgresql:
  listen: 127.0.0.1:{pg}
  connect_address: 127.0.0.1:{pg}
  data_dir: {data}
  bin_dir: /usr/lib/postgresql/15/bin
  pgpass: {root}/{node}.pgpass
  authentication:
    replication:
      username: replicator
      password: replicate-{superuser}
    superuser:
      username: postgres
      password: {superuser}
  parameters:
    unix_socket_directories: '{root}'
    fsync: 'on'
    synchronous_commit: 'on'
",
        data = data.display(),
        root = root.display(),
    )
}

/// Whether Patroni's REST API on `port` answers `path` with 200 (`/primary`, `/sync`).
async fn answers(port: u16, path: &str) -> bool {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(1)).build().unwrap();
    matches!(client.get(format!("http://127.0.0.1:{port}{path}")).send().await, Ok(r) if r.status().as_u16() == 200)
}

#[tokio::test]
async fn a_killed_primary_is_replaced_by_its_synchronous_standby_and_no_acknowledged_case_is_lost() {
    let root = PathBuf::from(format!("/var/tmp/wangge-ha-{}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    fs::create_dir_all(&root).unwrap();
    let mut set = Set { root: root.clone(), children: Vec::new() };
    let superuser: String = format!("ha{:x}", std::process::id() as u64 * 2654435761 % 0xffff_ffff);
    let (etcd, etcd_peer, haproxy) = (free_port(), free_port(), free_port());
    let nodes = [("node1", free_port(), free_port()), ("node2", free_port(), free_port())];

    let mut cmd = Command::new("etcd");
    cmd.args(["--name", "ha", "--data-dir"]).arg(root.join("etcd")).args([
        "--listen-client-urls",
        &format!("http://127.0.0.1:{etcd}"),
        "--advertise-client-urls",
        &format!("http://127.0.0.1:{etcd}"),
        "--listen-peer-urls",
        &format!("http://127.0.0.1:{etcd_peer}"),
        "--initial-advertise-peer-urls",
        &format!("http://127.0.0.1:{etcd_peer}"),
        "--initial-cluster",
        &format!("ha=http://127.0.0.1:{etcd_peer}"),
    ]);
    set.spawn("etcd", cmd);

    let mut haproxy_cfg = format!(
        "global\n  maxconn 400\ndefaults\n  mode tcp\n  timeout connect 2s\n  timeout client 30m\n  timeout server 30m\n\
         listen primary\n  bind 127.0.0.1:{haproxy}\n  option httpchk OPTIONS /primary\n  http-check expect status 200\n\
         \x20 default-server inter 300ms fall 2 rise 1 on-marked-down shutdown-sessions\n"
    );
    for (node, pg, rest) in nodes {
        fs::write(root.join(format!("{node}.yml")), patroni_yaml(&root, node, pg, rest, etcd, &superuser)).unwrap();
        haproxy_cfg.push_str(&format!("  server {node} 127.0.0.1:{pg} maxconn 200 check port {rest}\n"));
    }
    fs::write(root.join("haproxy.cfg"), haproxy_cfg).unwrap();
    chown_postgres(&root);
    let mut cmd = Command::new("haproxy");
    cmd.arg("-f").arg(root.join("haproxy.cfg")).arg("-db");
    set.spawn("haproxy", cmd);
    for (i, (node, _, _)) in nodes.iter().enumerate() {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--", "patroni"]).arg(root.join(format!("{node}.yml")));
        set.spawn(node, cmd);
        if i == 0 {
            // The first node initialises the cluster; the second then copies it.
            let started = Instant::now();
            while !answers(nodes[0].2, "/primary").await {
                assert!(started.elapsed() < Duration::from_secs(90), "node1 never led: {}", set.log("node1"));
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
        }
    }
    let started = Instant::now();
    while !answers(nodes[1].2, "/sync").await {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "node2 never became the synchronous standby: {}\n--- node1:\n{}",
            set.log("node2"),
            set.log("node1")
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    // The server, through HAProxy only.
    let server = format!("postgres://postgres:{superuser}@127.0.0.1:{haproxy}/postgres");
    let Some((app, worker, at)) = Phones::app_on(server.clone()).await else { return };
    let database: String = sqlx::query_scalar("SELECT current_database()").fetch_one(&app.pool).await.unwrap();

    const PER_PHONE: usize = 40;
    let phones = Phones::start(&worker, at, 4, PER_PHONE);
    phones.until_answered(40).await;

    // Kill the primary: its Patroni and its PostgreSQL, with no chance to hand over.
    let (leader, _, _) = nodes[0];
    let pid: i32 = fs::read_to_string(root.join(leader).join("postmaster.pid"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    set.kill(leader);
    let _ = Command::new("pkill").args(["-KILL", "-P", &pid.to_string()]).status();
    let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
    let killed_at = Instant::now();
    let acknowledged_before = phones.answered();
    let started = Instant::now();
    while !answers(nodes[1].2, "/primary").await {
        assert!(started.elapsed() < Duration::from_secs(90), "node2 was never promoted: {}", set.log("node2"));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let promoted_after = killed_at.elapsed();
    let acknowledged = phones.finish().await;
    assert_eq!(acknowledged.len(), 4 * PER_PHONE, "every report was answered in the end");
    assert!(acknowledged_before < acknowledged.len(), "reports went on after the failover");

    // On the new primary (through HAProxy): every acknowledged case, none twice.
    let url = format!("postgres://postgres:{superuser}@127.0.0.1:{haproxy}/{database}");
    let mut c = PgConnection::connect(&url).await.expect("connect to the new primary");
    let recovering: bool = sqlx::query_scalar("SELECT pg_is_in_recovery()").fetch_one(&mut c).await.unwrap();
    assert!(!recovering, "HAProxy sends us to the promoted node");
    let ids: Vec<i64> = acknowledged.iter().map(|(_, id)| *id).collect();
    let present: i64 =
        sqlx::query_scalar("SELECT count(*) FROM cases WHERE id = ANY($1)").bind(&ids).fetch_one(&mut c).await.unwrap();
    let (total, distinct): (i64, i64) =
        sqlx::query_as("SELECT count(*), count(DISTINCT request_id) FROM cases").fetch_one(&mut c).await.unwrap();
    assert_eq!(present, ids.len() as i64, "every acknowledged case survived the failover");
    assert_eq!((total, distinct), (4 * PER_PHONE as i64, 4 * PER_PHONE as i64), "none twice");
    c.close().await.ok();
    eprintln!(
        "failover: node2 primary {:.1} s after the kill; {} of {} reports acknowledged before the kill; all {} present once",
        promoted_after.as_secs_f64(),
        acknowledged_before,
        ids.len(),
        ids.len()
    );
    drop(app);
    drop(set);
}
