//! Background jobs, run by the server process itself on fixed periods (audit chaining, sign-in failures, the deadline
//! lights, the incident store's catch-up, the month partitions).
//! Each job is a named function over the shared state; a failing run is logged and the job runs again at its next
//! period.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use anyhow::Result;

use crate::state::AppState;
use crate::store::{accounts, cases};

/// What a job's run returns: how many things it did (rows swept, cases flagged, …).
type Run = fn(AppState) -> Pin<Box<dyn Future<Output = Result<u64>> + Send>>;

/// A periodic job.
#[derive(Debug, Clone, Copy)]
pub struct Job {
    /// Its name in the logs.
    pub name: &'static str,
    /// How often it runs (the first run is at start).
    pub every: Duration,
    /// The work.
    pub run: Run,
}

/// Every job of the server.
pub const JOBS: [Job; 5] = [
    // Audit entries whose write committed but whose chaining failed (the database went away in between).
    Job {
        name: "chain-audit",
        every: Duration::from_secs(5),
        run: |state| {
            Box::pin(async move { crate::audit::chain_pending(&state.pool, &state.security.audit_head).await })
        },
    },
    Job {
        name: "sweep-sign-ins",
        every: Duration::from_secs(10 * 60),
        run: |state| {
            Box::pin(async move {
                let swept = accounts::sweep(&state.pool).await?;
                state.security.sessions.forget_all();
                Ok(swept)
            })
        },
    },
    // Cases crossing 80 % or 100 % of their time limit: light them and notify whoever holds them.
    Job {
        name: "deadline-lights",
        every: Duration::from_secs(60),
        run: |state| Box::pin(async move { Ok(cases::sweep_lights(&state.pool).await?) }),
    },
    // Cases written by other processes (imports, the demo loader) into the in-memory incident store.
    Job {
        name: "incidents-catch-up",
        every: Duration::from_secs(5),
        run: |state| Box::pin(async move { Ok(state.incidents.catch_up(&state.pool).await? as u64) }),
    },
    // The cases' and the trail's partitions for the months ahead (and for history landed in a default partition).
    Job {
        name: "month-partitions",
        every: Duration::from_secs(60 * 60),
        run: |state| Box::pin(async move { Ok(crate::db::months::tidy(&state.pool).await? as u64) }),
    },
];

/// Start every job on the current runtime; they run until the process ends.
pub fn spawn(state: &AppState) {
    for job in JOBS {
        let state = state.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(job.every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                match (job.run)(state.clone()).await {
                    Ok(done) => tracing::debug!(job = job.name, done, "job ran"),
                    Err(e) => tracing::error!(job = job.name, error = %format!("{e:#}"), "job failed"),
                }
            }
        });
    }
}
