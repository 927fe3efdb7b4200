//! `wangge backup` and `wangge restore`: the database as a `pg_dump` archive, with the personal-data key and the
//! audit chain's anchored head beside it. The key decrypts every resident's personal data: whoever holds the
//! backup's `data.key` and its dump holds the residents. Keep the key apart from the dump (another medium, offline).

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

use crate::auth::vault::write_private;
use crate::db::cluster::client_tool;

/// The dump's file name in a backup folder.
pub const DUMP: &str = "wangge.dump";
/// The personal-data key's file name in a backup folder (64 hex digits).
pub const KEY: &str = "data.key";
/// The anchored audit head's file name in a backup folder.
pub const ANCHOR: &str = "audit-head.json";
/// What the backup holds, for a check on restore.
pub const MANIFEST: &str = "manifest.json";

/// What a backup held when it was taken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// When it was taken.
    pub taken_at: chrono::DateTime<chrono::Utc>,
    /// Audit entries.
    pub audit_entries: i64,
    /// Residents.
    pub residents: i64,
    /// Cases.
    pub cases: i64,
}

/// The warning every backup prints and leaves in its folder.
pub const KEY_WARNING: &str = "data.key decrypts every resident's personal data: store it apart from wangge.dump \
    (another medium, offline), and never send both together.";

async fn manifest(pool: &PgPool) -> Result<Manifest> {
    let count = |table: &str| format!("SELECT count(*) FROM {table}");
    Ok(Manifest {
        taken_at: chrono::Utc::now(),
        audit_entries: sqlx::query_scalar(&count("audit_log")).fetch_one(pool).await?,
        residents: sqlx::query_scalar(&count("resident")).fetch_one(pool).await?,
        cases: sqlx::query_scalar(&count("cases")).fetch_one(pool).await?,
    })
}

/// Back the database at `url` up into the new folder `out`: the dump, the key (`key_hex`), the anchored audit head
/// (`anchor`, when there is one) and a manifest. Refuses a folder that already holds a backup.
pub async fn backup(url: &str, key_hex: &str, anchor: &Path, out: &Path) -> Result<Manifest> {
    if out.join(DUMP).exists() {
        bail!("{} already holds a backup", out.display());
    }
    fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let pool = PgPool::connect(url).await?;
    let held = manifest(&pool).await?;
    let mut dump = client_tool("pg_dump");
    dump.args(["--format=custom", "--no-owner", "--file"]).arg(out.join(DUMP)).arg(for_libpq(url));
    let done = dump.output().context("starting pg_dump")?;
    if !done.status.success() {
        bail!("pg_dump failed: {}", String::from_utf8_lossy(&done.stderr));
    }
    write_private(&out.join(KEY), key_hex.trim())?;
    if anchor.exists() {
        fs::copy(anchor, out.join(ANCHOR)).with_context(|| format!("copying {}", anchor.display()))?;
    }
    fs::write(out.join(MANIFEST), serde_json::to_string_pretty(&held)?)?;
    fs::write(out.join("README.txt"), format!("{KEY_WARNING}\n"))?;
    Ok(held)
}

/// Restore the backup in folder `from` into the empty database at `url`, putting its key at `key_file` and its
/// audit head at `anchor` (refusing to replace a different key there). Checks the restored counts against the
/// manifest.
pub async fn restore(from: &Path, url: &str, key_file: &Path, anchor: &Path) -> Result<Manifest> {
    let held: Manifest = serde_json::from_str(
        &fs::read_to_string(from.join(MANIFEST)).with_context(|| format!("{} is not a backup", from.display()))?,
    )?;
    let key = fs::read_to_string(from.join(KEY)).context("the backup's data.key")?;
    crate::auth::vault::DataKey::from_hex(key.trim()).context("the backup's data.key")?;
    if key_file.exists() && fs::read_to_string(key_file)?.trim() != key.trim() {
        bail!("{} holds another key: move it away first (data under it would not decrypt)", key_file.display());
    }
    crate::db::create_database_if_missing(url).await?;
    let pool = PgPool::connect(url).await?;
    let tables: i64 =
        sqlx::query_scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetch_one(&pool).await?;
    if tables > 0 {
        bail!("the database already has {tables} tables: restore into an empty one");
    }
    let mut restore = client_tool("pg_restore");
    restore.args(["--no-owner", "--exit-on-error", "--dbname"]).arg(for_libpq(url)).arg(from.join(DUMP));
    let done = restore.output().context("starting pg_restore")?;
    if !done.status.success() {
        bail!("pg_restore failed: {}", String::from_utf8_lossy(&done.stderr));
    }
    if let Some(dir) = key_file.parent() {
        fs::create_dir_all(dir)?;
    }
    if !key_file.exists() {
        write_private(key_file, key.trim())?;
    }
    if from.join(ANCHOR).exists() {
        fs::copy(from.join(ANCHOR), anchor)?;
    }
    let now = manifest(&pool).await?;
    if (now.audit_entries, now.residents, now.cases) != (held.audit_entries, held.residents, held.cases) {
        bail!("restored {now:?}, the backup held {held:?}");
    }
    Ok(held)
}

/// `url` for PostgreSQL's own tools: without the query parameters only our driver knows (such as
/// `statement-cache-capacity`).
pub(crate) fn for_libpq(url: &str) -> String {
    const LIBPQ: [&str; 6] = ["sslmode", "sslrootcert", "sslcert", "sslkey", "application_name", "connect_timeout"];
    let Some((base, query)) = url.split_once('?') else { return url.to_owned() };
    let kept: Vec<&str> =
        query.split('&').filter(|kv| LIBPQ.contains(&kv.split('=').next().unwrap_or_default())).collect();
    if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    }
}

/// The backup folder's files, for messages.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    [DUMP, KEY, ANCHOR, MANIFEST].iter().map(|f| dir.join(f)).filter(|p| p.exists()).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_libpq_parameters_reach_pg_dump() {
        assert_eq!(super::for_libpq("postgres://a@h/db?statement-cache-capacity=0"), "postgres://a@h/db");
        assert_eq!(
            super::for_libpq("postgres://a@h/db?statement-cache-capacity=0&sslmode=require"),
            "postgres://a@h/db?sslmode=require"
        );
        assert_eq!(super::for_libpq("postgres://a@h/db"), "postgres://a@h/db");
    }
}
