//! Configuration, from the environment.

use std::path::PathBuf;

use crate::auth::vault::DataKey;
use crate::auth::Security;

/// How the server finds its database and where it listens.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `DATABASE_URL`: any PostgreSQL with PostGIS. Unset: the project-local cluster in `data_dir`.
    pub database_url: Option<String>,
    /// `DATABASE_READ_URL`: a streaming replica of that database, for read-only queries that tolerate a moment's lag
    /// (see `db::reads`). Unset: every query goes to `DATABASE_URL`.
    pub database_read_url: Option<String>,
    /// `WANGGE_DATA_DIR`: where the project-local cluster lives (default `.wangge` in the working directory).
    pub data_dir: PathBuf,
    /// `WANGGE_BIND`: address to listen on (default `127.0.0.1:8080`).
    pub bind: String,
    /// `WANGGE_DB_NAME`: database name on the local cluster (default `wangge`).
    pub db_name: String,
    /// `WANGGE_WEB_DIR`: the built web app (default `web/dist`; not served when missing).
    pub web_dir: PathBuf,
    /// `WANGGE_DATA_KEY`: 64 hex digits, the key residents' personal data is encrypted under. Unset: the key file
    /// `data.key` in `data_dir`, created on first use.
    pub data_key: Option<String>,
    /// `WANGGE_INSECURE_COOKIES=1`: do not mark the session cookie `Secure` (only for plain-HTTP intranets that are
    /// not localhost).
    pub insecure_cookies: bool,
    /// `WANGGE_PUBLIC_RATE`: anonymous requests allowed per client address per minute (default 1200: a public
    /// map view fetches a few dozen tiles at a time).
    pub public_rate: usize,
}

impl Settings {
    /// Read the environment.
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        Self {
            database_url: var("DATABASE_URL"),
            database_read_url: var("DATABASE_READ_URL"),
            data_dir: var("WANGGE_DATA_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(".wangge")),
            bind: var("WANGGE_BIND").unwrap_or_else(|| "127.0.0.1:8080".to_owned()),
            db_name: var("WANGGE_DB_NAME").unwrap_or_else(|| "wangge".to_owned()),
            web_dir: var("WANGGE_WEB_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("web/dist")),
            data_key: var("WANGGE_DATA_KEY"),
            insecure_cookies: var("WANGGE_INSECURE_COOKIES").is_some_and(|v| v == "1" || v == "true"),
            public_rate: var("WANGGE_PUBLIC_RATE").and_then(|v| v.parse().ok()).unwrap_or(1200),
        }
    }

    /// The security settings: the personal-data key (from `WANGGE_DATA_KEY` or the key file), cookie policy and
    /// the anonymous rate limit.
    pub fn security(&self) -> anyhow::Result<Security> {
        let key = match &self.data_key {
            Some(hex) => DataKey::from_hex(hex)?,
            None => DataKey::load_or_create(&self.data_dir.join("data.key"))?,
        };
        Ok(Security::new(key, !self.insecure_cookies, self.public_rate, self.audit_anchor()))
    }

    /// The file the audit log's head is anchored in: one per database, in the data directory.
    pub fn audit_anchor(&self) -> PathBuf {
        let db = match &self.database_url {
            Some(url) => url.rsplit('/').next().unwrap_or("db").split('?').next().unwrap_or("db").to_owned(),
            None => self.db_name.clone(),
        };
        let safe: String = db.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
        self.data_dir.join(format!("audit-head-{safe}.json"))
    }
}
