//! Read scaling: read-only queries that tolerate a moment's lag (the audit list, address search, the public map,
//! Open311's request lists) go to a streaming replica when `DATABASE_READ_URL` names one; every write, and every
//! read that must see the write just made, stays on the primary.
//!
//! The replica is watched: every [`WATCH`] it is asked whether it answers, and a read that loses its connection to
//! it marks it down at once and is run again on the primary. While it is down (restarting, or the network between
//! them gone) every read goes to the primary, so the server keeps answering; the next watch that reaches it sends
//! the reads back.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::{Context, Result};
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

use crate::store::StoreError;

/// How often the replica is asked whether it answers.
const WATCH: Duration = Duration::from_millis(500);

/// How long a read waits for a connection to the replica before it counts as down.
const CONNECT: Duration = Duration::from_secs(1);

/// Where read-only queries go (see the module's text). Clones share one replica and its state.
#[derive(Debug, Clone, Default)]
pub struct Reads {
    replica: Arc<OnceLock<PgPool>>,
    up: Arc<AtomicBool>,
}

impl Reads {
    /// Connect to the replica at `url` (no migrations: it follows the primary's schema) and send reads to it from
    /// now on, watching it for as long as the server runs.
    pub async fn attach(&self, url: &str) -> Result<()> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(CONNECT)
            .connect(url)
            .await
            .with_context(|| format!("connecting to the read replica {}", super::without_password(url)))?;
        let in_recovery: bool = sqlx::query_scalar("SELECT pg_is_in_recovery()").fetch_one(&pool).await?;
        if !in_recovery {
            tracing::warn!("DATABASE_READ_URL is not a standby (pg_is_in_recovery() is false); reading from it anyway");
        }
        anyhow::ensure!(self.replica.set(pool.clone()).is_ok(), "a read replica is attached already");
        self.up.store(true, Ordering::SeqCst);
        let up = self.up.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(WATCH).await;
                let answered = tokio::time::timeout(CONNECT, sqlx::query("SELECT 1").execute(&pool)).await;
                let now = matches!(answered, Ok(Ok(_)));
                if up.swap(now, Ordering::SeqCst) != now {
                    tracing::warn!(up = now, "the read replica {}", if now { "answers again" } else { "is down" });
                }
            }
        });
        Ok(())
    }

    /// The replica, when one is attached and answering.
    fn replica(&self) -> Option<&PgPool> {
        self.replica.get().filter(|_| self.up.load(Ordering::SeqCst))
    }

    /// Whether reads go to a replica now.
    pub fn on_replica(&self) -> bool {
        self.replica().is_some()
    }

    /// Run the read-only `query` on the replica, or on `primary` when there is none, it is down, or the query lost
    /// its connection to it.
    pub async fn run<T, E, F, Fut>(&self, primary: &PgPool, query: F) -> Result<T, E>
    where
        F: Fn(PgPool) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: LostConnection,
    {
        if let Some(replica) = self.replica() {
            match query(replica.clone()).await {
                Err(e) if e.lost_connection() => {
                    self.up.store(false, Ordering::SeqCst);
                    tracing::warn!("a read lost the replica; it is marked down and the read runs on the primary");
                }
                done => return done,
            }
        }
        query(primary.clone()).await
    }
}

/// Whether an error means the database could not be reached (rather than that the query failed there).
pub trait LostConnection {
    /// True when the connection failed, closed or timed out, or the server is shutting down or starting.
    fn lost_connection(&self) -> bool;
}

impl LostConnection for sqlx::Error {
    fn lost_connection(&self) -> bool {
        match self {
            sqlx::Error::Io(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => true,
            // Class 08: connection exceptions; 57P01–57P03: shutting down, crashed, starting up.
            sqlx::Error::Database(db) => {
                db.code().is_some_and(|c| c.starts_with("08") || matches!(c.as_ref(), "57P01" | "57P02" | "57P03"))
            }
            _ => false,
        }
    }
}

impl LostConnection for StoreError {
    fn lost_connection(&self) -> bool {
        match self {
            StoreError::Database(e) => e.lost_connection(),
            StoreError::Other(e) => e.lost_connection(),
            StoreError::Encode(_) => false,
        }
    }
}

impl LostConnection for anyhow::Error {
    fn lost_connection(&self) -> bool {
        self.chain().any(|e| e.downcast_ref::<sqlx::Error>().is_some_and(LostConnection::lost_connection))
    }
}
