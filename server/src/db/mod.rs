//! Database access: the local cluster, connecting, creating databases and migrating.

pub mod cluster;
pub mod months;
pub mod reads;

use anyhow::{Context, Result};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, Executor, PgConnection, PgPool};
use std::str::FromStr;

use crate::config::Settings;

/// The embedded migrations.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The URL the settings point at, starting the local cluster when no `DATABASE_URL` is set.
pub fn database_url(settings: &Settings) -> Result<String> {
    match &settings.database_url {
        Some(url) => Ok(url.clone()),
        None => Ok(cluster::ensure_running(&settings.data_dir, cluster::Durability::Durable)?.url(&settings.db_name)),
    }
}

/// Create the database named in `url` if it does not exist yet (connecting to `postgres` on the same server).
pub async fn create_database_if_missing(url: &str) -> Result<()> {
    let options = PgConnectOptions::from_str(url)?;
    let name = options.get_database().unwrap_or("postgres").to_owned();
    let mut admin = PgConnection::connect_with(&options.clone().database("postgres"))
        .await
        .with_context(|| format!("connecting to the server of {url}"))?;
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(&name)
        .fetch_one(&mut admin)
        .await?;
    if !exists {
        admin.execute(format!("CREATE DATABASE \"{}\"", name.replace('"', "")).as_str()).await?;
    }
    Ok(())
}

/// Connect a pool, bring the schema up to date and give the month-partitioned tables their current months.
pub async fn connect_and_migrate(url: &str) -> Result<PgPool> {
    let pool =
        PgPoolOptions::new().max_connections(16).connect(url).await.with_context(|| format!("connecting to {url}"))?;
    MIGRATOR.run(&pool).await.context("running migrations")?;
    months::tidy(&pool).await.context("making this month's partitions")?;
    Ok(pool)
}

/// `url` with its password (if any) replaced by `***`, for logs.
///
/// ```
/// assert_eq!(wangge_server::db::without_password("postgres://postgres:s3cret@127.0.0.1:5432/wangge"),
///            "postgres://postgres:***@127.0.0.1:5432/wangge");
/// assert_eq!(wangge_server::db::without_password("postgres://u@h/db"), "postgres://u@h/db");
/// ```
pub fn without_password(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else { return url.to_owned() };
    let Some(at) = url[scheme_end..].find('@').map(|i| i + scheme_end) else { return url.to_owned() };
    match url[scheme_end..at].find(':') {
        Some(colon) => format!("{}***{}", &url[..scheme_end + colon + 1], &url[at..]),
        None => url.to_owned(),
    }
}
