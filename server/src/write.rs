//! The after-write path every audited write goes through, in one transaction: the write, then its audit entry
//! (staged, to be linked into the hash chain right after the commit, in batches under load), then — only once both
//! are committed — the chain, the audit head's anchor and the in-memory views the write touched (locate cache,
//! tiles). A write whose audit entry cannot be appended is rolled back with it; an audit
//! entry never describes a write that did not happen.
//!
//! The guard decides that a request is an audited write and hands the handler a [`Writer`] naming who is writing,
//! what, and on which entity. The handler begins the [`Write`], does its SQL on [`Write::conn`], and ends with
//! [`Write::commit`], saying which views the write [`Touches`]. Dropping a `Write` without committing (an early
//! error) rolls everything back. The guard refuses to pass on a successful answer whose write was not committed this
//! way, so a handler that forgets cannot go unnoticed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::Value;
use sqlx::{PgConnection, Postgres, Transaction};

use crate::audit;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::places::Entity;

/// An audited write the guard let through: who, what, on which entity.
#[derive(Debug, Clone)]
pub struct Writer {
    /// The acting username.
    pub actor: String,
    /// The action as logged, e.g. `POST /api/plans/{id}/publish`.
    pub action: String,
    /// The entity the route addresses by id, if any (its state is logged before and after).
    pub entity: Option<(Entity, i64)>,
    /// The district whose audit chain logs the write: the acting account's, or the case's for the public's
    /// writes ([`Writer::in_district`]); the shared chain when none is known.
    pub district: Option<String>,
    committed: Arc<AtomicBool>,
}

impl Writer {
    /// A write by `actor` of `district` doing `action` on `entity`.
    pub fn new(actor: &str, district: Option<&str>, action: String, entity: Option<(Entity, i64)>) -> Self {
        Self {
            actor: actor.to_owned(),
            action,
            entity,
            district: district.map(str::to_owned),
            committed: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The same writer, writing the data of `district` (a report the public files is the located case's district's).
    pub fn in_district(mut self, district: &str) -> Self {
        self.district = Some(district.to_owned());
        self
    }

    /// Whether the write was committed through [`Write::commit`].
    pub fn committed(&self) -> bool {
        self.committed.load(Ordering::SeqCst)
    }

    /// Answer an idempotent retry without writing: the first request's write (and audit entry) stands, and this
    /// one repeats its answer. The guard then lets the answer through although nothing was committed now.
    pub fn repeat(&self) {
        self.committed.store(true, Ordering::SeqCst);
    }

    /// Begin the write: a transaction, with the entity's state before the write read inside it.
    pub async fn begin<'s>(&self, state: &'s AppState) -> Result<Write<'s>, ApiError> {
        let mut tx = state.pool.begin().await?;
        let before = match self.entity {
            Some((e, id)) => audit::snapshot(&mut tx, e, id).await?,
            None => None,
        };
        Ok(Write { state, tx, writers: vec![self.clone()], before })
    }

    /// Begin one transaction for several creations (the intake of a batch of reports): each writer gets its own
    /// audit entry, and all commit together.
    pub async fn begin_many<'s>(state: &'s AppState, writers: Vec<Writer>) -> Result<Write<'s>, ApiError> {
        Ok(Write { state, tx: state.pool.begin().await?, writers, before: None })
    }
}

impl FromRequest for Writer {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let writer = req.extensions().get::<Writer>().cloned();
        std::future::ready(writer.ok_or_else(|| {
            ApiError::from(anyhow::anyhow!("{} {} is written without an audited writer", req.method(), req.path()))
                .into()
        }))
    }
}

/// Which in-memory views a write changes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Touches<'a> {
    /// None (drafts, accounts, residents, reveals).
    Nothing,
    /// Areas: the locate cache and the governance tiles, within this box (west, south, east, north; it must hold every
    /// changed area as it was before the write and as it is after) or anywhere.
    Areas(Option<[f64; 4]>),
    /// The elements layer of the tiles at this point (lon, lat).
    ElementAt(f64, f64),
    /// These cases in the incident store.
    Cases(&'a [i64]),
    /// The catalogue (categories, stage limits) the intake reads from memory.
    Catalogue,
}

/// A write in progress (of one writer, or of several creations committed together).
pub struct Write<'s> {
    state: &'s AppState,
    tx: Transaction<'static, Postgres>,
    writers: Vec<Writer>,
    before: Option<Value>,
}

impl Write<'_> {
    /// The connection to write on (inside the transaction).
    pub fn conn(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    /// Log this write in the chain of `district`, the district whose data it turned out to change (the public's
    /// writes find it only once they have read the case).
    pub fn in_district(&mut self, district: &str) {
        for writer in &mut self.writers {
            writer.district = Some(district.to_owned());
        }
    }

    /// Append the audit entry (the entity's state after, or for a creation the `response`, which carries the new
    /// id), commit the write and its entry together, then move the audit anchor and refresh what the write
    /// `touches`. Returns the answer: `response` with `status`.
    pub async fn commit(
        self,
        status: StatusCode,
        response: Value,
        touches: Touches<'_>,
    ) -> Result<HttpResponse, ApiError> {
        self.finish(status, &response, touches).await?;
        Ok(HttpResponse::build(status).json(response))
    }

    /// [`Write::commit`] for an application service that answers with its own typed result: the audit entry
    /// records `result` (for a creation) and `status`.
    pub async fn finish(
        self,
        status: StatusCode,
        result: &impl Serialize,
        touches: Touches<'_>,
    ) -> Result<(), ApiError> {
        let response = serde_json::to_value(result).map_err(anyhow::Error::from)?;
        self.commit_each(status, vec![response]).await?.settle(touches).await
    }

    /// Commit a write of several creations with their audit entries: `results[i]` is what writer `i` created (its
    /// audit entry records it). What is left to do after the commit is returned, so that the intake can write its
    /// next batch meanwhile.
    pub async fn commit_each(mut self, status: StatusCode, results: Vec<Value>) -> Result<Committed, ApiError> {
        let mut staged = Vec::with_capacity(self.writers.len());
        for (writer, response) in self.writers.iter().zip(results) {
            let (target, after) = match writer.entity {
                Some((e, id)) => (Some(format!("{} {id}", e.name())), audit::snapshot(&mut self.tx, e, id).await?),
                None => (None, Some(audit::without_geometry(response))),
            };
            staged.push((writer, target, after));
        }
        let entries: Vec<audit::Entry<'_>> = staged
            .into_iter()
            .map(|(writer, target, after)| audit::Entry {
                district: writer.district.as_deref().unwrap_or(audit::SHARED_CHAIN),
                actor: &writer.actor,
                action: &writer.action,
                target,
                status: status.as_u16(),
                before: self.before.clone(),
                after,
            })
            .collect();
        audit::stage_in(&mut self.tx, &entries).await?;
        drop(entries);
        self.tx.commit().await?;
        for writer in &self.writers {
            writer.committed.store(true, Ordering::SeqCst);
        }
        Ok(Committed { state: self.state.clone() })
    }
}

/// A write committed with its audit entries; the chain and the in-memory views are still to be brought up to it.
#[must_use = "a committed write must be settled before it is answered"]
pub struct Committed {
    state: AppState,
}

impl Committed {
    /// Link the audit entries into the chain, move the anchor, and refresh what the write `touches`.
    pub async fn settle(self, touches: Touches<'_>) -> Result<(), ApiError> {
        let state = &self.state;
        // The writes and their entries are committed: chaining can only be late, never lost (the job retries).
        if let Err(e) = audit::chain_pending(&state.pool, &state.security.audit_head).await {
            tracing::error!(error = %format!("{e:#}"), "chaining the audit log failed; the job will retry");
        }
        self.refresh(touches).await
    }

    /// Refresh what the write `touches` and leave its audit entries to the [`audit::Chainer`]: for writes that come
    /// by the thousand a second, whose answers should not wait for a run of the chain.
    pub async fn settle_chaining_soon(self, touches: Touches<'_>) -> Result<(), ApiError> {
        self.state.chainer.ask();
        self.refresh(touches).await
    }

    async fn refresh(&self, touches: Touches<'_>) -> Result<(), ApiError> {
        let state = &self.state;
        match touches {
            Touches::Nothing => {}
            Touches::Areas(bbox) => state.refresh(bbox).await?,
            Touches::ElementAt(lon, lat) => state.tiles.reload_elements(&state.pool, [lon, lat, lon, lat]).await?,
            Touches::Cases(ids) => state.incidents.refresh_cases(&state.pool, ids).await?,
            Touches::Catalogue => state.catalogue.forget(),
        }
        Ok(())
    }
}
