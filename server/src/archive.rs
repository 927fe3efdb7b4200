//! `wangge archive` and `wangge unarchive`: whole past months of cases and their trail leave the live database for a
//! `pg_dump` file, and come back from it.
//!
//! Archiving detaches the month partitions (migration 0023), dumps them into a new folder with a manifest, checks
//! the dump lists every table, then drops them — with the `case_archive` rows and the audit entry in the same
//! transaction. A month is archived only when every case reported in it is finished. What stays: each case's line in
//! `case_key` (its number and request id are never issued again, and its page answers 410 with the month), its
//! photos and notifications, and trail steps taken after the cut-off. If the dump fails, the partitions are
//! attached again; tables detached by a run that died are taken up by the next one.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use wangge_domain::case::CaseState;

use crate::audit::{self, anchor::HeadAnchor};
use crate::backup::for_libpq;
use crate::db::cluster::client_tool;
use crate::db::months::{self, PARTITIONED};

/// The dump's file name in an archive folder.
pub const DUMP: &str = "months.dump";
/// The manifest's file name in an archive folder.
pub const MANIFEST: &str = "manifest.json";

/// One month of one table, as archived.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArchivedTable {
    /// `cases` or `case_trail`.
    pub parent: String,
    /// The month's first day.
    pub month: NaiveDate,
    /// Its table (the partition's name).
    pub table: String,
    /// Rows it held.
    pub rows: i64,
}

/// What an archive folder holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// When it was written.
    pub taken_at: chrono::DateTime<chrono::Utc>,
    /// Months before this one (its first day) were archived.
    pub before: NaiveDate,
    /// The tables in the dump.
    pub tables: Vec<ArchivedTable>,
    /// SHA-256 of the dump, hex.
    pub sha256: String,
}

/// What happened to archived months.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Action {
    /// Written to a file and dropped.
    Archived,
    /// Brought back from the file.
    Restored,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Archived => "archived",
            Action::Restored => "restored",
        }
    }
}

/// The month of a partition of `parent` (`<parent>_yYYYYmMM`, as `ensure_month_partition` names them).
fn month_of(parent: &str, table: &str) -> Option<NaiveDate> {
    let rest = table.strip_prefix(parent)?.strip_prefix("_y")?;
    let (year, month) = rest.split_once('m')?;
    if year.len() != 4 || month.len() != 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, 1)
}

/// The month tables of `parent` before `before`: attached partitions, and tables a failed run left detached.
async fn month_tables(pool: &PgPool, parent: &str, before: NaiveDate) -> Result<Vec<(NaiveDate, String, bool)>> {
    let rows: Vec<(String, bool)> = sqlx::query_as(
        "SELECT c.relname, i.inhparent IS NOT NULL FROM pg_class c
         LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
         WHERE c.relkind IN ('r', 'p') AND c.relnamespace = 'public'::regnamespace AND c.relname LIKE $1 || '\\_y%'",
    )
    .bind(parent)
    .fetch_all(pool)
    .await?;
    let mut tables: Vec<(NaiveDate, String, bool)> = rows
        .into_iter()
        .filter_map(|(name, attached)| Some((month_of(parent, &name)?, name, attached)))
        .filter(|(month, _, _)| *month < before)
        .collect();
    tables.sort();
    Ok(tables)
}

/// Archive every whole month before `before` (a month's first day, no later than this month) into the new folder
/// `out`, from the database at `url`. Refuses when a case of those months is not finished, or nothing is there.
pub async fn archive(pool: &PgPool, url: &str, head: &HeadAnchor, before: NaiveDate, out: &Path) -> Result<Manifest> {
    ensure!(before.day() == 1, "archive by whole months: {before} is not a month's first day");
    let this_month = months::china_month(chrono::Utc::now());
    ensure!(before <= this_month, "only past months can be archived: {before} is after this month ({this_month})");
    if out.join(MANIFEST).exists() {
        bail!("{} already holds an archive", out.display());
    }
    months::tidy(pool).await?;
    let mut tables = Vec::new();
    for parent in PARTITIONED {
        for (month, table, attached) in month_tables(pool, parent, before).await? {
            tables.push((parent, month, table, attached));
        }
    }
    ensure!(!tables.is_empty(), "no month before {before} holds cases or trail");
    let finished: Vec<&str> = CaseState::ALL.iter().filter(|s| s.is_terminal()).map(|s| s.as_str()).collect();
    let mut unfinished = Vec::new();
    for (parent, month, table, _) in &tables {
        if *parent == "cases" {
            let open: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM \"{table}\" WHERE state <> ALL($1)"))
                .bind(&finished)
                .fetch_one(pool)
                .await?;
            if open > 0 {
                unfinished.push(format!("{}: {open}", month.format("%Y-%m")));
            }
        }
    }
    ensure!(unfinished.is_empty(), "cases not finished yet, by month: {} (finish them first)", unfinished.join(", "));

    let mut tx = pool.begin().await?;
    for (parent, _, table, attached) in &tables {
        if *attached {
            sqlx::query(&format!("ALTER TABLE \"{parent}\" DETACH PARTITION \"{table}\"")).execute(&mut *tx).await?;
        }
    }
    tx.commit().await?;

    let mut dumped_tables = Vec::new();
    for (_, _, table, _) in &tables {
        dumped_tables.extend(with_partitions(pool, table).await?);
    }
    let dumped = dump(url, &dumped_tables, out);
    if let Err(e) = dumped {
        for (parent, month, table, _) in &tables {
            sqlx::query("SELECT attach_month_partition($1, $2, $3)")
                .bind(parent)
                .bind(table)
                .bind(month)
                .execute(pool)
                .await
                .with_context(|| format!("attaching {table} again after: {e:#}"))?;
        }
        return Err(e.context("writing the archive; the months were attached again"));
    }
    let sha256 = hex::encode(Sha256::digest(fs::read(out.join(DUMP))?));

    let mut tx = pool.begin().await?;
    let mut archived = Vec::new();
    for (parent, month, table, _) in &tables {
        let rows: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM \"{table}\"")).fetch_one(&mut *tx).await?;
        sqlx::query(&format!("DROP TABLE \"{table}\"")).execute(&mut *tx).await?;
        archived.push(ArchivedTable { parent: (*parent).to_owned(), month: *month, table: table.clone(), rows });
    }
    let manifest = Manifest { taken_at: chrono::Utc::now(), before, tables: archived, sha256 };
    record(&mut tx, Action::Archived, &manifest, out).await?;
    tx.commit().await?;
    audit::chain_pending(pool, head).await?;
    fs::write(out.join(MANIFEST), serde_json::to_string_pretty(&manifest)?)?;
    Ok(manifest)
}

/// Restore the archive folder `from` into the database at `url`: its tables come back as the month partitions
/// they were. Refuses a dump whose checksum differs from its manifest, and a month that holds rows again.
pub async fn unarchive(pool: &PgPool, url: &str, head: &HeadAnchor, from: &Path) -> Result<Manifest> {
    let manifest: Manifest = serde_json::from_str(
        &fs::read_to_string(from.join(MANIFEST)).with_context(|| format!("{} is not an archive", from.display()))?,
    )?;
    let sha256 = hex::encode(Sha256::digest(fs::read(from.join(DUMP)).context("the archive's dump")?));
    ensure!(
        sha256 == manifest.sha256,
        "{} does not match its manifest (damaged or replaced)",
        from.join(DUMP).display()
    );
    for t in &manifest.tables {
        let there: bool =
            sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL").bind(&t.table).fetch_one(pool).await?;
        ensure!(!there, "{} is in the database already: {} {} holds rows again", t.table, t.parent, t.month);
    }
    let mut restore = client_tool("pg_restore");
    restore.args(["--no-owner", "--exit-on-error", "--dbname"]).arg(for_libpq(url)).arg(from.join(DUMP));
    let done = restore.output().context("starting pg_restore")?;
    if !done.status.success() {
        bail!("pg_restore failed: {}", String::from_utf8_lossy(&done.stderr));
    }
    let mut tx = pool.begin().await?;
    for t in &manifest.tables {
        sqlx::query("SELECT attach_month_partition($1, $2, $3)")
            .bind(&t.parent)
            .bind(&t.table)
            .bind(t.month)
            .execute(&mut *tx)
            .await
            .with_context(|| format!("attaching {}", t.table))?;
    }
    record(&mut tx, Action::Restored, &manifest, from).await?;
    tx.commit().await?;
    audit::chain_pending(pool, head).await?;
    Ok(manifest)
}

/// `table` and, where a month is divided further (by district, as a sharded schema's stand-in is), its partitions:
/// each with whether it holds rows itself.
async fn with_partitions(pool: &PgPool, table: &str) -> Result<Vec<(String, bool)>> {
    // a table that is not partitioned (nor a partition, once detached) has no tree: it is its own only member
    let tree: Vec<(String, bool)> = sqlx::query_as("SELECT relid::text, isleaf FROM pg_partition_tree($1::regclass)")
        .bind(format!("\"{table}\""))
        .fetch_all(pool)
        .await?;
    Ok(if tree.is_empty() { vec![(table.to_owned(), true)] } else { tree })
}

/// Dump `tables` (name, whether it holds rows itself) into `out`/[`DUMP`] and check the dump lists the rows of each
/// that holds them.
fn dump(url: &str, tables: &[(String, bool)], out: &Path) -> Result<()> {
    // without a table, pg_dump would write the whole database
    ensure!(!tables.is_empty(), "nothing to dump");
    fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let file: PathBuf = out.join(DUMP);
    let mut dump = client_tool("pg_dump");
    dump.args(["--format=custom", "--no-owner", "--file"]).arg(&file);
    for (t, _) in tables {
        dump.arg(format!("--table=public.\"{t}\""));
    }
    let done = dump.arg(for_libpq(url)).output().context("starting pg_dump")?;
    if !done.status.success() {
        bail!("pg_dump failed: {}", String::from_utf8_lossy(&done.stderr));
    }
    let listed = client_tool("pg_restore").arg("--list").arg(&file).output().context("starting pg_restore")?;
    let list = String::from_utf8_lossy(&listed.stdout);
    for (t, _) in tables.iter().filter(|t| t.1) {
        ensure!(
            list.lines().any(|l| l.contains("TABLE DATA public") && l.split_whitespace().any(|w| w == t)),
            "the dump lacks the rows of {t}"
        );
    }
    Ok(())
}

/// The `case_archive` rows and the audit entry of an archive or a restore, in the caller's transaction.
async fn record(tx: &mut sqlx::PgConnection, action: Action, manifest: &Manifest, folder: &Path) -> Result<()> {
    let file = folder.join(DUMP).display().to_string();
    for t in &manifest.tables {
        sqlx::query(
            "INSERT INTO case_archive (action, parent, month, rows, file, sha256) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(action.as_str())
        .bind(&t.parent)
        .bind(t.month)
        .bind(t.rows)
        .bind(&file)
        .bind(&manifest.sha256)
        .execute(&mut *tx)
        .await?;
    }
    let entry = audit::Entry {
        district: audit::SHARED_CHAIN,
        actor: "system",
        action: match action {
            Action::Archived => "archive",
            Action::Restored => "unarchive",
        },
        target: Some(format!("cases before {}", manifest.before)),
        status: 200,
        before: None,
        after: Some(serde_json::json!({ "file": file, "manifest": manifest })),
    };
    audit::stage_in(tx, &[entry]).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_tables_are_named_by_month() {
        let jan = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        assert_eq!(month_of("case_trail", "case_trail_y2025m01"), Some(jan));
        assert_eq!(month_of("cases", "case_trail_y2025m01"), None);
        assert_eq!(month_of("cases", "cases_default"), None);
        assert_eq!(month_of("cases", "cases_y2025m13"), None);
    }
}
