//! The project-local PostGIS cluster: initialised (`initdb`) into a data directory and started on a free port on
//! first use; reused afterwards. PostgreSQL refuses to run as root, so under root the cluster belongs to the
//! `postgres` system user.

use std::fs::{self, File};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

/// A running local cluster.
#[derive(Debug, Clone)]
pub struct LocalCluster {
    /// Data directory root (holds `pgdata/`, `port`, `postgres.log`).
    pub root: PathBuf,
    /// TCP port on 127.0.0.1.
    pub port: u16,
}

impl LocalCluster {
    /// URL of database `db` on this cluster.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }
}

fn running_as_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

fn pg(tool: &str, as_postgres: bool) -> Command {
    let bin = Path::new(PG_BIN).join(tool);
    if as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin);
        c
    } else {
        Command::new(bin)
    }
}

fn run(mut cmd: Command, what: &str) -> Result<()> {
    let out = cmd.output().with_context(|| format!("starting {what}"))?;
    if !out.status.success() {
        bail!("{what} failed: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

/// Where the cluster lives: `wanted`, unless we are root and the `postgres` user cannot reach it (a checkout under
/// a private home directory), in which case a directory under `/var/tmp` named after `wanted`'s path.
fn usable_root(wanted: &Path, as_postgres: bool) -> Result<PathBuf> {
    fs::create_dir_all(wanted).with_context(|| format!("creating {}", wanted.display()))?;
    let wanted = wanted.canonicalize()?;
    if !as_postgres {
        return Ok(wanted);
    }
    let reachable = Command::new("runuser")
        .args(["-u", "postgres", "--", "test", "-x"])
        .arg(wanted.parent().unwrap_or(&wanted))
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if reachable {
        return Ok(wanted);
    }
    let name: String = wanted.to_string_lossy().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let fallback = PathBuf::from("/var/tmp").join(format!("wangge{name}"));
    fs::create_dir_all(&fallback)?;
    Ok(fallback)
}

/// Make sure the cluster under `root` exists and runs; safe to call from several processes at once.
pub fn ensure_running(root: &Path) -> Result<LocalCluster> {
    let as_postgres = running_as_root();
    let root = usable_root(root, as_postgres)?;
    let lock = File::create(root.join(".lock"))?;
    lock.lock().context("locking the local cluster")?;
    let data = root.join("pgdata");
    let port_file = root.join("port");
    if !data.join("PG_VERSION").exists() {
        if as_postgres {
            run(
                {
                    let mut c = Command::new("chown");
                    c.args(["postgres:postgres"]).arg(&root);
                    c
                },
                "chown of the data directory",
            )?;
        }
        let mut initdb = pg("initdb", as_postgres);
        initdb.arg("-D").arg(&data).args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"]);
        run(initdb, "initdb").context("is postgresql-15-postgis-3 installed? (README, command 1)")?;
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        fs::write(&port_file, port.to_string())?;
        let conf = format!(
            "\n# wangge\nlisten_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = ''\n\
             max_connections = 300\nshared_buffers = 512MB\nfsync = off\nsynchronous_commit = off\n\
             full_page_writes = off\nmax_parallel_workers_per_gather = 0\n"
        );
        let mut f = fs::OpenOptions::new().append(true).open(data.join("postgresql.conf"))?;
        std::io::Write::write_all(&mut f, conf.as_bytes())?;
    }
    let port: u16 = fs::read_to_string(&port_file)?.trim().parse().context("reading the cluster's port")?;
    let mut status = pg("pg_ctl", as_postgres);
    status.arg("-D").arg(&data).arg("status");
    let running = status.output().map(|o| o.status.success()).unwrap_or(false);
    if !running {
        let mut start = pg("pg_ctl", as_postgres);
        start.arg("-D").arg(&data).arg("-l").arg(root.join("postgres.log")).args(["-w", "-t", "60", "start"]);
        run(start, "pg_ctl start").with_context(|| format!("see {}", root.join("postgres.log").display()))?;
    }
    Ok(LocalCluster { root, port })
}
