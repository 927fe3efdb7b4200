//! Configuration, from the environment.

use std::path::PathBuf;

/// How the server finds its database and where it listens.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `DATABASE_URL`: any PostgreSQL with PostGIS. Unset: the project-local cluster in `data_dir`.
    pub database_url: Option<String>,
    /// `WANGGE_DATA_DIR`: where the project-local cluster lives (default `.wangge` in the working directory).
    pub data_dir: PathBuf,
    /// `WANGGE_BIND`: address to listen on (default `127.0.0.1:8080`).
    pub bind: String,
    /// `WANGGE_DB_NAME`: database name on the local cluster (default `wangge`).
    pub db_name: String,
    /// `WANGGE_WEB_DIR`: the built web app (default `web/dist`; not served when missing).
    pub web_dir: PathBuf,
}

impl Settings {
    /// Read the environment.
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        Self {
            database_url: var("DATABASE_URL"),
            data_dir: var("WANGGE_DATA_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(".wangge")),
            bind: var("WANGGE_BIND").unwrap_or_else(|| "127.0.0.1:8080".to_owned()),
            db_name: var("WANGGE_DB_NAME").unwrap_or_else(|| "wangge".to_owned()),
            web_dir: var("WANGGE_WEB_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("web/dist")),
        }
    }
}
