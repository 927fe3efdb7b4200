//! The project-local PostGIS cluster: initialised (`initdb`) into a data directory and started on a free port on
//! first use; reused afterwards. PostgreSQL refuses to run as root, so under root the cluster belongs to the
//! `postgres` system user.
//!
//! The default cluster keeps what it acknowledges: `fsync`, `synchronous_commit` and `full_page_writes` are on. It
//! listens on 127.0.0.1 only (no Unix socket) and asks every connection for the superuser's password (SCRAM), a
//! random secret created at `initdb` and kept with mode 0600 in the data directory (`superuser.secret`). Only the
//! test harness asks for a [`Durability::Throwaway`] cluster, which skips the flushes for speed, in its own
//! directory. The settings are rewritten (and reloaded) on every start, so a cluster made by an older version is
//! brought up to them; one that trusted local connections gets its password then.

use std::fs::{self, File};
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};
use rand::RngCore;

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

/// Whether the cluster must keep every acknowledged commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Flush the WAL before acknowledging a commit; survive a crash of PostgreSQL or of the machine.
    Durable,
    /// Skip every flush: only for the test harness's throw-away databases.
    Throwaway,
}

impl Durability {
    fn settings(self) -> &'static str {
        match self {
            Durability::Durable => "fsync = on\nsynchronous_commit = on\nfull_page_writes = on\n",
            Durability::Throwaway => {
                "# throw-away test cluster: acknowledged commits may be lost in a crash\n\
                                      fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            }
        }
    }
}

/// A running local cluster.
#[derive(Debug, Clone)]
pub struct LocalCluster {
    /// Data directory root (holds `pgdata/`, `port`, `postgres.log`).
    pub root: PathBuf,
    /// TCP port on 127.0.0.1.
    pub port: u16,
    /// The superuser's password (hex).
    password: String,
}

impl LocalCluster {
    /// URL of database `db` on this cluster, with the superuser's password.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres:{}@127.0.0.1:{}/{db}", self.password, self.port)
    }

    /// The data directory PostgreSQL runs on.
    pub fn pgdata(&self) -> PathBuf {
        self.root.join("pgdata")
    }

    /// Stop the cluster (fast shutdown: open sessions are ended, committed data is kept).
    pub fn stop(&self) -> Result<()> {
        let mut ctl = pg("pg_ctl", running_as_root());
        ctl.arg("-D").arg(self.pgdata()).args(["-m", "fast", "-w", "stop"]);
        run(ctl, "pg_ctl stop")
    }
}

/// The file holding the superuser's password.
const SECRET_FILE: &str = "superuser.secret";
/// The settings file wangge owns, included at the end of `postgresql.conf`.
const CONF_FILE: &str = "wangge.conf";

fn running_as_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

/// A PostgreSQL 15 client tool (`pg_dump`, `pg_restore`, …), run as the current user.
pub fn client_tool(tool: &str) -> Command {
    pg(tool, false)
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
    let name: String =
        wanted.to_string_lossy().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let fallback = PathBuf::from("/var/tmp").join(format!("wangge{name}"));
    fs::create_dir_all(&fallback)?;
    Ok(fallback)
}

/// Make sure the cluster under `root` exists, runs with `durability`'s settings and asks for a password; safe to
/// call from several processes at once.
pub fn ensure_running(root: &Path, durability: Durability) -> Result<LocalCluster> {
    let as_postgres = running_as_root();
    let root = usable_root(root, as_postgres)?;
    let lock = File::create(root.join(".lock"))?;
    lock.lock().context("locking the local cluster")?;
    let data = root.join("pgdata");
    let port_file = root.join("port");
    let secret_file = root.join(SECRET_FILE);
    if !data.join("PG_VERSION").exists() {
        if as_postgres {
            chown_to_postgres(&root)?;
        }
        let secret = new_secret(&secret_file, as_postgres)?;
        let mut initdb = pg("initdb", as_postgres);
        initdb.arg("-D").arg(&data).args(["-U", "postgres", "--auth=scram-sha-256", "-E", "UTF8", "--no-locale"]);
        initdb.arg(format!("--pwfile={}", secret_file.display()));
        run(initdb, "initdb").context("is postgresql-15-postgis-3 installed? (README, command 1)")?;
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        fs::write(&port_file, port.to_string())?;
        fs::OpenOptions::new().append(true).open(data.join("postgresql.conf"))?.write_all(
            format!("\n# wangge: its own settings, rewritten on every start\ninclude_if_exists = '{CONF_FILE}'\n")
                .as_bytes(),
        )?;
        drop(secret);
    }
    let port: u16 = fs::read_to_string(&port_file)?.trim().parse().context("reading the cluster's port")?;
    if !secret_file.exists() {
        set_first_password(&root, &data, port, as_postgres)?;
    }
    write_settings(&data, port, durability, as_postgres)?;
    let mut status = pg("pg_ctl", as_postgres);
    status.arg("-D").arg(&data).arg("status");
    let running = status.output().map(|o| o.status.success()).unwrap_or(false);
    let mut ctl = pg("pg_ctl", as_postgres);
    if running {
        ctl.arg("-D").arg(&data).args(["-s", "reload"]);
        run(ctl, "pg_ctl reload")?;
    } else {
        ctl.arg("-D").arg(&data).arg("-l").arg(root.join("postgres.log")).args(["-w", "-t", "60", "start"]);
        run(ctl, "pg_ctl start").with_context(|| format!("see {}", root.join("postgres.log").display()))?;
    }
    let password = fs::read_to_string(&secret_file).context("reading the superuser's secret")?.trim().to_owned();
    Ok(LocalCluster { root, port, password })
}

/// A streaming replica of `primary` under `root`: a base backup taken over loopback (`pg_basebackup -R`: it follows
/// the primary from the backup's end, read-only), the primary's superuser and password, a port of its own, started.
/// Restart it with [`ensure_running`] on the same root.
pub fn standby_of(primary: &LocalCluster, root: &Path) -> Result<LocalCluster> {
    let as_postgres = running_as_root();
    let root = usable_root(root, as_postgres)?;
    if as_postgres {
        chown_to_postgres(&root)?;
    }
    // The password in the connection string, so `-R` writes it into the standby's `primary_conninfo`.
    let conninfo = format!("host=127.0.0.1 port={} user=postgres password={}", primary.port, primary.password);
    let mut backup = pg("pg_basebackup", as_postgres);
    backup.arg("-D").arg(root.join("pgdata")).args(["-d", &conninfo, "-X", "stream", "-R", "-c", "fast"]);
    run(backup, "pg_basebackup")?;
    let secret = root.join(SECRET_FILE);
    crate::auth::vault::write_private(&secret, &primary.password)?;
    if as_postgres {
        chown_to_postgres(&secret)?;
    }
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    fs::write(root.join("port"), port.to_string())?;
    ensure_running(&root, Durability::Durable)
}

fn chown_to_postgres(path: &Path) -> Result<()> {
    let mut c = Command::new("chown");
    c.args(["postgres:postgres"]).arg(path);
    run(c, "chown to postgres")
}

/// A fresh random password in `path`, mode 0600 (owned by `postgres` when the cluster is, so `initdb` can read it).
fn new_secret(path: &Path, as_postgres: bool) -> Result<String> {
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    crate::auth::vault::write_private(path, &secret)?;
    if as_postgres {
        chown_to_postgres(path)?;
    }
    Ok(secret)
}

/// A cluster made before passwords (it trusted local connections): give the superuser a password while it still
/// trusts, before the new `pg_hba.conf` takes that away.
fn set_first_password(root: &Path, data: &Path, port: u16, as_postgres: bool) -> Result<()> {
    let mut status = pg("pg_ctl", as_postgres);
    status.arg("-D").arg(data).arg("status");
    if !status.output().map(|o| o.status.success()).unwrap_or(false) {
        let mut start = pg("pg_ctl", as_postgres);
        start.arg("-D").arg(data).arg("-l").arg(root.join("postgres.log")).args(["-w", "-t", "60", "start"]);
        run(start, "pg_ctl start")?;
    }
    let pending = root.join(format!("{SECRET_FILE}.new"));
    let _ = fs::remove_file(&pending);
    let secret = new_secret(&pending, as_postgres)?;
    let mut psql = pg("psql", as_postgres);
    psql.args([
        "-h",
        "127.0.0.1",
        "-p",
        &port.to_string(),
        "-U",
        "postgres",
        "-d",
        "postgres",
        "-v",
        "ON_ERROR_STOP=1",
        "-q",
    ]);
    psql.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = psql.spawn().context("starting psql")?;
    child.stdin.take().expect("piped").write_all(
        format!("SET password_encryption = 'scram-sha-256';\nALTER ROLE postgres PASSWORD '{secret}';\n").as_bytes(),
    )?;
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!("setting the superuser's password failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    fs::rename(&pending, root.join(SECRET_FILE))?;
    Ok(())
}

/// Write wangge's settings and the client authentication rules (password on loopback, nothing else).
fn write_settings(data: &Path, port: u16, durability: Durability, as_postgres: bool) -> Result<()> {
    let conf = format!(
        "# written by wangge on every start; edit the source (server/src/db/cluster.rs), not this file\n\
         listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = ''\n\
         password_encryption = 'scram-sha-256'\n\
         max_connections = 300\nshared_buffers = 512MB\nmax_parallel_workers_per_gather = 0\n{}",
        durability.settings()
    );
    let hba = "# written by wangge on every start: the superuser's password (SCRAM) over loopback, nothing else\n\
               host all all 127.0.0.1/32 scram-sha-256\n\
               host replication postgres 127.0.0.1/32 scram-sha-256\n";
    for (name, text) in [(CONF_FILE, conf.as_str()), ("pg_hba.conf", hba)] {
        let path = data.join(name);
        fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        if as_postgres {
            chown_to_postgres(&path)?;
        }
    }
    Ok(())
}
