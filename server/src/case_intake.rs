//! Case intake in batches (group commit). Each report is checked, located and its photos re-encoded on its own
//! request; then it joins a queue that a few writers drain: the reports waiting when a writer turns to the queue are
//! written together — their categories and stage limits from memory ([`crate::catalogue_cache`]), their retried
//! request ids from the ids this server remembers (see `Recent`), their serials taken per
//! district and day in one short update of their own (so writers do not queue on the day's counter; a batch that
//! fails leaves a gap in the numbers, never a duplicate), cases, trail entries and audit entries inserted in one
//! statement each, one commit, one refresh of the incident store; the audit entries, committed with the cases, are
//! chained by the [`crate::audit::Chainer`] moments later, for many batches in one run. Under load a
//! transaction holds dozens of reports; alone, a report is a batch of one and waits for nobody.
//!
//! Every report in a batch commits with the others or not at all; if a batch fails, its reports are written again
//! one by one, so one bad report fails alone. A retried report (same person, same request id) is answered with the
//! case its first try created — also when both tries are in one batch, or in two batches at once (the second
//! fails on the unique request id and, written again alone, finds the first).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, Mutex};
use wangge_api::cases::{CaseSummary, Category, Reported};
use wangge_api::error::ErrorCode;
use wangge_domain::case::clock::{china, Clock, YELLOW_AT};
use wangge_domain::case::number::case_number;
use wangge_domain::case::workflow::Flow;
use wangge_domain::case::{CaseState, Channel, Light};

use crate::cases::photo_row;
use crate::error::{ApiError, ApiResult};
use crate::incidents::nearby;
use crate::media;
use crate::state::AppState;
use crate::store::cases::{self as store, NewCaseRow, TrailRow};
use crate::write::{Committed, Touches, Writer};

/// How near (metres) and how recent (days) an open case of the same category must be to be shown as a possible
/// duplicate.
pub const DUPLICATE_RADIUS_M: f64 = 100.0;
/// See [`DUPLICATE_RADIUS_M`].
pub const DUPLICATE_DAYS: i64 = 7;
/// The most reports written in one transaction.
const MAX_BATCH: usize = 256;
/// Writers working at once (while one waits for its commit, another writes).
const WRITERS: usize = 2;

/// Who reports what, as every channel gives it (its texts checked by `cases::submit` before it is queued).
#[derive(Debug)]
pub struct Reporting {
    /// The audited writer of the request.
    pub writer: Writer,
    /// Who reports (username, or `public`).
    pub reporter: String,
    /// Whose request ids these are (the username; a device or a partner application for public reports).
    pub request_actor: String,
    /// Their role (for the trail), or `public`.
    pub role: &'static str,
    /// Idempotency key.
    pub request_id: Option<String>,
    /// Minor category code.
    pub category: String,
    /// Channel.
    pub channel: Channel,
    /// Urgent (`None`: the category's default).
    pub urgent: Option<bool>,
    /// Description.
    pub description: String,
    /// Address.
    pub address: Option<String>,
    /// The public service it was reported as.
    pub service: Option<String>,
    /// The partner application it came through.
    pub client: Option<i64>,
}

/// A report checked and located, waiting for its batch.
#[derive(Debug)]
pub struct Submission {
    /// Who reports what.
    pub report: Reporting,
    /// Where.
    pub lon: f64,
    /// Where.
    pub lat: f64,
    /// District.
    pub district: String,
    /// Street, community, natural grid, dedicated grid at report time.
    pub areas: [Option<String>; 4],
    /// Special grids at report time.
    pub special_grids: Vec<i64>,
    /// Sealed contact of a caller.
    pub contact: Option<Vec<u8>>,
    /// Photos, re-encoded.
    pub photos: Vec<media::Prepared>,
    /// Reported at.
    pub at: DateTime<Utc>,
}

/// What a report is answered with: whether it created the case (false: a retry), and the case.
pub type Outcome = ApiResult<(bool, Reported)>;

type Queued = (Submission, oneshot::Sender<Outcome>);

/// The queue, as handlers reach it, and the serials the writers hand out.
#[derive(Debug, Clone)]
pub struct Intake {
    queue: mpsc::UnboundedSender<Queued>,
    serials: Arc<Serials>,
    recent: Arc<std::sync::Mutex<Recent>>,
}

/// The request ids of the cases this server created most recently, and their cases: a retry of one of them is
/// answered without asking the database. A batch asks the database about none of its request ids: a retry of a case
/// this server no longer remembers (created before a restart, or by another server) fails its batch on the unique
/// request id, and the batch is written again one report at a time, each asking the database first.
#[derive(Debug, Default)]
struct Recent {
    cases: HashMap<(String, String), i64>,
    order: std::collections::VecDeque<(String, String)>,
}

/// How many request ids [`Recent`] remembers (a day of a busy district's reports).
const RECENT: usize = 200_000;

impl Recent {
    fn remember(&mut self, actor: &str, request: &str, case: i64) {
        let key = (actor.to_owned(), request.to_owned());
        if self.cases.insert(key.clone(), case).is_none() {
            self.order.push_back(key);
        }
        while self.order.len() > RECENT {
            if let Some(old) = self.order.pop_front() {
                self.cases.remove(&old);
            }
        }
    }
}

/// Serials taken from the database in blocks of at least [`SERIAL_BLOCK`] per district and day, handed out from
/// memory: a batch does not wait for a commit of its own to number its cases. Serials left in a block when the
/// server stops, or when a batch needs more than is left, are never used: numbers may skip, never repeat (the
/// database's counter is the authority, and other processes take their own blocks from it).
#[derive(Debug, Default)]
struct Serials {
    left: std::sync::Mutex<HashMap<(String, chrono::NaiveDate), std::ops::Range<i32>>>,
}

/// See [`Serials`].
const SERIAL_BLOCK: i32 = 64;

impl Serials {
    /// The first of `n` consecutive serials of `district` on `day`.
    async fn take(&self, state: &AppState, district: &str, day: chrono::NaiveDate, n: i32) -> ApiResult<i32> {
        let key = (district.to_owned(), day);
        if let Some(first) = self.hand_out(&key, n) {
            return Ok(first);
        }
        let block = n.max(SERIAL_BLOCK);
        let first = store::take_serials(&mut *state.pool.acquire().await?, district, day, block).await?;
        let mut left = self.left.lock().expect("serials");
        left.retain(|(_, d), _| *d >= day);
        left.insert(key, first + n..first + block);
        Ok(first)
    }

    fn hand_out(&self, key: &(String, chrono::NaiveDate), n: i32) -> Option<i32> {
        let mut left = self.left.lock().expect("serials");
        let range = left.get_mut(key).filter(|r| r.len() >= n as usize)?;
        let first = range.start;
        range.start += n;
        Some(first)
    }
}

impl Intake {
    /// A queue and its receiving end, for [`run`].
    pub fn new() -> (Self, mpsc::UnboundedReceiver<Queued>) {
        let (queue, rx) = mpsc::unbounded_channel();
        (Self { queue, serials: Arc::default(), recent: Arc::default() }, rx)
    }

    /// Queue a report and wait for its batch to be written.
    pub async fn submit(&self, s: Submission) -> Outcome {
        let (tx, rx) = oneshot::channel();
        self.queue.send((s, tx)).map_err(|_| ApiError::from(anyhow::anyhow!("the intake writer stopped")))?;
        rx.await.map_err(|_| ApiError::from(anyhow::anyhow!("the intake writer dropped a report")))?
    }
}

/// Start the writers: each takes what is waiting, writes it, answers, and comes back.
pub fn run(state: AppState, rx: mpsc::UnboundedReceiver<Queued>) {
    let rx = Arc::new(Mutex::new(rx));
    for _ in 0..WRITERS {
        let (state, rx) = (state.clone(), rx.clone());
        tokio::spawn(async move {
            loop {
                let batch = {
                    let mut rx = rx.lock().await;
                    let Some(first) = rx.recv().await else { return };
                    let mut batch = vec![first];
                    while batch.len() < MAX_BATCH {
                        match rx.try_recv() {
                            Ok(next) => batch.push(next),
                            Err(_) => break,
                        }
                    }
                    batch
                };
                write_batch(&state, batch).await;
            }
        });
    }
}

/// Write a batch and hand what is left after its commit (the audit chain, the incident store, the answers) to a task
/// of its own, so the writer turns to the next batch while this one settles.
async fn write_batch(state: &AppState, batch: Vec<Queued>) {
    let (submissions, replies): (Vec<Submission>, Vec<oneshot::Sender<Outcome>>) = batch.into_iter().unzip();
    match write(state, &submissions, Stored::Remembered).await {
        Ok((outcomes, written)) => {
            tokio::spawn(async move {
                if let Some(written) = written {
                    // The cases are committed: a failure here is late, not lost (the store's next refresh catches
                    // up), and the reports are answered as created.
                    if let Err(e) = written.settle().await {
                        tracing::error!(error = %e, "settling a committed batch of reports failed");
                    }
                }
                for (reply, outcome) in replies.into_iter().zip(outcomes) {
                    let _ = reply.send(outcome);
                }
            });
        }
        Err(e) => {
            tracing::warn!(error = %e, reports = submissions.len(), "a batch of reports failed; writing them one by one");
            for (s, reply) in submissions.into_iter().zip(replies) {
                let one = std::slice::from_ref(&s);
                // Twice: a batch written at the same time may have held the same request id until it committed.
                let outcome = match write(state, one, Stored::Asked).await {
                    Err(_) => write(state, one, Stored::Asked).await,
                    done => done,
                };
                let outcome = match outcome {
                    Ok((mut o, written)) => match written {
                        Some(w) => w.settle().await.and_then(|()| o.remove(0)),
                        None => o.remove(0),
                    },
                    Err(e) => Err(e),
                };
                let _ = reply.send(outcome);
            }
        }
    }
}

/// What becomes of one submission of a batch.
enum Fate {
    /// Refused before writing.
    Refused(ApiError),
    /// A retry of a case already stored.
    Repeat(i64),
    /// A retry of the report at this position of the batch.
    SameAs(usize),
    /// A new case, of this category.
    New(Category),
}

/// New cases committed, still to be settled.
struct Written {
    committed: Committed,
    ids: Vec<i64>,
}

impl Written {
    /// The incident store brought up to the new cases; their audit entries (committed with them) are chained soon.
    async fn settle(self) -> ApiResult<()> {
        self.committed.settle_chaining_soon(Touches::Cases(&self.ids)).await
    }
}

/// Where a batch learns which of its request ids are stored already.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stored {
    /// From the ids this server remembers ([`Recent`]); the unique request id catches the others.
    Remembered,
    /// From the database as well (a report written again alone).
    Asked,
}

/// Write a batch; one outcome per submission and the new cases to settle, or an error that failed them all.
async fn write(state: &AppState, batch: &[Submission], stored: Stored) -> ApiResult<(Vec<Outcome>, Option<Written>)> {
    let mut codes: Vec<String> = batch.iter().map(|s| s.report.category.clone()).collect();
    codes.sort_unstable();
    codes.dedup();
    let categories = state.catalogue.categories_of(&state.pool, &codes).await?;
    let requests: Vec<(&str, &str)> =
        batch.iter().filter_map(|s| Some((s.report.request_actor.as_str(), s.report.request_id.as_deref()?))).collect();
    let mut known: HashMap<(String, String), i64> = {
        let recent = state.intake.recent.lock().expect("recent requests");
        requests
            .iter()
            .filter_map(|&(a, r)| {
                let key = (a.to_owned(), r.to_owned());
                recent.cases.get(&key).map(|&id| (key, id))
            })
            .collect()
    };
    if stored == Stored::Asked && !requests.is_empty() {
        let mut conn = state.pool.acquire().await?;
        known.extend(store::by_requests(&mut conn, &requests).await?.into_iter().map(|(a, r, id)| ((a, r), id)));
    }
    let mut first_try: HashMap<(&str, &str), usize> = HashMap::new();
    let fates: Vec<Fate> = batch
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if let Some(rid) = s.report.request_id.as_deref() {
                if let Some(&id) = known.get(&(s.report.request_actor.clone(), rid.to_owned())) {
                    return Fate::Repeat(id);
                }
                if let Some(&first) = first_try.get(&(s.report.request_actor.as_str(), rid)) {
                    return Fate::SameAs(first);
                }
                first_try.insert((s.report.request_actor.as_str(), rid), i);
            }
            match categories.get(&s.report.category).filter(|c| c.enabled) {
                Some(c) => Fate::New(c.clone()),
                None => Fate::Refused(ApiError::unprocessable(
                    ErrorCode::UnknownCategory,
                    format!("no category {:?}", s.report.category),
                )),
            }
        })
        .collect();
    let (created, written) = create(state, batch, &fates).await?;
    let mut outcomes: Vec<Outcome> = Vec::with_capacity(batch.len());
    for (i, fate) in fates.into_iter().enumerate() {
        outcomes.push(match fate {
            Fate::Refused(e) => Err(e),
            Fate::New(_) => Ok((true, created[&i].clone())),
            Fate::SameAs(first) => {
                batch[i].report.writer.repeat();
                Ok((false, created[&first].clone()))
            }
            Fate::Repeat(id) => {
                batch[i].report.writer.repeat();
                reported(state, id).await.map(|r| (false, r))
            }
        });
    }
    Ok((outcomes, written))
}

/// The answers to the new cases of a batch, by position in the batch.
type Created = HashMap<usize, Reported>;

/// Write the new cases of a batch in one transaction; their answers, and the cases to settle.
async fn create(state: &AppState, batch: &[Submission], fates: &[Fate]) -> ApiResult<(Created, Option<Written>)> {
    let new: Vec<(usize, &Submission, &Category)> = fates
        .iter()
        .enumerate()
        .filter_map(|(i, f)| match f {
            Fate::New(c) => Some((i, &batch[i], c)),
            _ => None,
        })
        .collect();
    if new.is_empty() {
        return Ok((HashMap::new(), None));
    }
    let calendar = state.calendar();
    let mut stage_limits = HashMap::new();
    for (_, s, _) in &new {
        if !stage_limits.contains_key(s.district.as_str()) {
            stage_limits.insert(s.district.as_str(), state.catalogue.stage_limits(&state.pool, &s.district).await?);
        }
    }
    // Serials: from the block in memory, or one update per district and day (a batch is almost always one of each),
    // committed at once.
    let mut serials: HashMap<(&str, chrono::NaiveDate), (i32, i32)> = HashMap::new();
    for (_, s, _) in &new {
        serials.entry((s.district.as_str(), s.at.with_timezone(&china()).date_naive())).or_default().1 += 1;
    }
    for ((district, day), (first, n)) in serials.iter_mut() {
        *first = state.intake.serials.take(state, district, *day, *n).await?;
    }
    let writers = new.iter().map(|(_, s, _)| s.report.writer.clone().in_district(s.district.as_str())).collect();
    let mut w = Writer::begin_many(state, writers).await?;
    let mut numbers = Vec::with_capacity(new.len());
    let mut clocks = Vec::with_capacity(new.len());
    for (_, s, c) in &new {
        let next = serials.get_mut(&(s.district.as_str(), s.at.with_timezone(&china()).date_naive())).unwrap();
        numbers.push(case_number(&s.district, s.at.with_timezone(&china()).date_naive(), next.0 as u32));
        next.0 += 1;
        let clock = Clock::start(s.at, c.limit, &calendar);
        let warn_due = (clock.reaches(YELLOW_AT, s.at, &calendar), clock.reaches(1.0, s.at, &calendar));
        let stage_due = stage_limits[s.district.as_str()].due(CaseState::Reported, s.at, &calendar);
        clocks.push((clock, warn_due, stage_due));
    }
    let rows: Vec<NewCaseRow<'_>> = new
        .iter()
        .zip(&numbers)
        .zip(&clocks)
        .map(|(((_, s, c), number), (clock, warn_due, stage_due))| NewCaseRow {
            number,
            district: &s.district,
            areas: [s.areas[0].as_deref(), s.areas[1].as_deref(), s.areas[2].as_deref(), s.areas[3].as_deref()],
            special_grids: &s.special_grids,
            category: &c.code,
            channel: s.report.channel,
            flow: Flow::reported(c.self_resolvable),
            urgent: s.report.urgent.unwrap_or(c.urgent),
            description: &s.report.description,
            address: s.report.address.as_deref(),
            lon: s.lon,
            lat: s.lat,
            reporter: &s.report.reporter,
            reporter_contact: s.contact.clone(),
            clock,
            warn_due: *warn_due,
            stage_due: *stage_due,
            reported_at: s.at,
            closed_at: None,
            request: s.report.request_id.as_deref().map(|r| (s.report.request_actor.as_str(), r)),
            generated: false,
            service: s.report.service.as_deref(),
            client: s.report.client,
        })
        .collect();
    let ids = store::insert(w.conn(), &rows).await?;
    let trail: Vec<TrailRow<'_>> = new
        .iter()
        .zip(&ids)
        .map(|((_, s, _), &case_id)| TrailRow {
            case_id,
            at: s.at,
            actor: &s.report.reporter,
            role: Some(s.report.role),
            department: None,
            action: "report",
            from_state: None,
            to_state: CaseState::Reported,
            opinion: None,
            photo_ids: &[],
            used_seconds: None,
            overdue: false,
        })
        .collect();
    store::add_trail(w.conn(), &trail).await?;
    let mut photos = Vec::with_capacity(new.len());
    for ((_, s, _), &id) in new.iter().zip(&ids) {
        let mut stored = Vec::with_capacity(s.photos.len());
        for p in &s.photos {
            stored.push(store::add_photo(w.conn(), &photo_row(id, "report", p, &s.report.reporter)).await?);
        }
        photos.push(stored);
    }
    let near: Vec<Vec<i64>> = {
        let columns = state.incidents.read();
        new.iter()
            .map(|(_, s, c)| {
                let since = (s.at - Duration::days(DUPLICATE_DAYS)).timestamp_micros();
                nearby::open_near(&columns, &c.code, (s.lon, s.lat), DUPLICATE_RADIUS_M, since, None, 5)
            })
            .collect()
    };
    // The new cases' summaries from what was written; only the possible duplicates are read.
    let now = Utc::now();
    let wanted: Vec<i64> = near.iter().flatten().copied().collect();
    let mut summaries: HashMap<i64, CaseSummary> = if wanted.is_empty() {
        HashMap::new()
    } else {
        store::summaries(w.conn(), &wanted).await?.into_iter().map(|c| (c.id, c)).collect()
    };
    for ((row, (_, _, c)), &id) in rows.iter().zip(&new).zip(&ids) {
        summaries.insert(id, new_summary(id, row, c, now));
    }
    let mut answers = HashMap::with_capacity(new.len());
    let mut results = Vec::with_capacity(new.len());
    for ((((i, _, _), id), near), photos) in new.iter().zip(&ids).zip(near).zip(photos) {
        let case = summaries[id].clone();
        let duplicates = near.iter().filter_map(|d| summaries.get(d).cloned()).collect();
        // The audit entry records what was created: the case and its photos (not the duplicates shown beside).
        results.push(serde_json::json!({ "case": case, "photos": photos }));
        let answer = Reported { case, duplicates, photos };
        answers.insert(*i, answer);
    }
    let committed = w.commit_each(StatusCode::CREATED, results).await?;
    let mut recent = state.intake.recent.lock().expect("recent requests");
    for (row, &id) in rows.iter().zip(&ids) {
        if let Some((actor, request)) = row.request {
            recent.remember(actor, request, id);
        }
    }
    drop(recent);
    Ok((answers, Some(Written { committed, ids })))
}

/// The summary of a case just written as `row`, of category `c`, with its light at `now`: what reading it back would
/// give.
fn new_summary(id: i64, row: &NewCaseRow<'_>, c: &Category, now: DateTime<Utc>) -> CaseSummary {
    let (warn_at, due_at) = row.warn_due;
    CaseSummary {
        id,
        number: row.number.to_owned(),
        category: c.code.clone(),
        category_name: c.name.clone(),
        major_name: c.major_name.clone(),
        state: row.flow.state,
        light: Light::at(due_at, warn_at, now),
        channel: row.channel,
        urgent: row.urgent,
        supervised: row.flow.supervised,
        pending: row.flow.pending,
        reported_at: row.reported_at,
        due_at,
        closed_at: row.closed_at,
        street_code: row.areas[0].map(str::to_owned),
        community_code: row.areas[1].map(str::to_owned),
        grid_code: row.areas[2].map(str::to_owned),
        department: None,
        lon: row.lon,
        lat: row.lat,
        address: row.address.map(str::to_owned),
        description: row.description.to_owned(),
        generated: row.generated,
    }
}

/// The answer to a report of case `id` (a retry's): the case, its possible duplicates, its photos.
pub async fn reported(state: &AppState, id: i64) -> ApiResult<Reported> {
    let case = store::summary(&state.pool, id).await?.ok_or_else(|| ApiError::not_found("case", id))?;
    let duplicates = duplicates(state, &case.category, (case.lon, case.lat), Some(id)).await?;
    Ok(Reported { case, duplicates, photos: store::photos(&state.pool, id).await? })
}

/// Open cases of `category` near a point, reported in the last [`DUPLICATE_DAYS`] days, other than `except`.
pub async fn duplicates(
    state: &AppState,
    category: &str,
    at: (f64, f64),
    except: Option<i64>,
) -> ApiResult<Vec<CaseSummary>> {
    let since = (Utc::now() - Duration::days(DUPLICATE_DAYS)).timestamp_micros();
    let ids = nearby::open_near(&state.incidents.read(), category, at, DUPLICATE_RADIUS_M, since, except, 5);
    Ok(store::summaries(&mut *state.pool.acquire().await?, &ids).await?)
}
