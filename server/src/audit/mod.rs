//! The audit log: an append-only, hash-chained record of every write (who, what, when, before and after). The
//! chain itself lives in the database (`audit_chain_pending`, `audit_entry_hash` in the migrations); this module
//! stages entries in the writes' transactions ([`stage_in`]) and chains them right after ([`chain_pending`],
//! batched), records the entries that describe no write the same way ([`append`]), reads, verifies against the head
//! [`anchor`] kept outside the database, and takes the before/after snapshots of entities — never with personal
//! data in clear.
//!
//! There is one chain per district: an entry belongs to the district whose data it changes (the acting account's,
//! or for the public's writes the case's), and each district's entries are numbered and linked among themselves, so
//! that a district's log lives, grows and is verified with the district's data (in its shard, under Citus). Entries
//! about no one district go to the [`SHARED_CHAIN`], which also holds every entry logged before chains were per
//! district.
//!
//! What is logged: every change (staff writes, sign-ins, sign-outs, account creation) and every disclosure of
//! personal data (reveals). Reads — locate, search, lists — are not; refused sign-ins are counted per name and
//! address in `sign_in_failure` instead of one entry each (see `auth::lockout`).

pub mod anchor;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use serde::Serialize;
use serde_json::Value;
use sqlx::{PgConnection, PgPool};
use tokio::sync::Notify;

use crate::store::places::Entity;
use anchor::{Anchored, Head, HeadAnchor, Heads};

/// The chain of the entries about no one district, and of every entry logged before chains were per district.
pub const SHARED_CHAIN: &str = "000000";

/// One entry to append.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// The district whose chain it goes to (its data's district), or [`SHARED_CHAIN`].
    pub district: &'a str,
    /// Who: a username, `public`, or `system` for command-line jobs.
    pub actor: &'a str,
    /// What: e.g. `POST /api/plans/{id}/publish`, `login`, `reveal`.
    pub action: &'a str,
    /// On what: e.g. `plan 12`.
    pub target: Option<String>,
    /// The HTTP status the write ended with.
    pub status: u16,
    /// The state before.
    pub before: Option<Value>,
    /// The state after (or the response of a creation).
    pub after: Option<Value>,
}

/// Stage entries inside the caller's transaction, so they commit with the writes they describe — without waiting
/// for the chain's lock; [`chain_pending`] links them into the chain, in this order, once committed.
pub async fn stage_in(conn: &mut PgConnection, entries: &[Entry<'_>]) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_pending (district_code, actor, action, target, status, before, after)
         SELECT district_code, actor, action, target, status, before, after
         FROM unnest($7::text[], $1::text[], $2::text[], $3::text[], $4::int[], $5::jsonb[], $6::jsonb[])
              WITH ORDINALITY AS e (district_code, actor, action, target, status, before, after, n) ORDER BY n",
    )
    .bind(entries.iter().map(|e| e.actor).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.action).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.target.clone()).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| i32::from(e.status)).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.before.clone()).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.after.clone()).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.district).collect::<Vec<_>>())
    .execute(conn)
    .await?;
    Ok(())
}

/// Chain every committed staged entry and move the anchor to the last; returns how many were chained. Callers
/// that arrive while a run is under way wait for it and then, if their entries were committed before the next run
/// began, are served by that one: under load, one run links the entries of many writes, and each caller still
/// returns only once its own entries are in the chain.
pub async fn chain_pending(pool: &PgPool, head: &HeadAnchor) -> Result<u64> {
    let ticket = head.chain_asked();
    let mut served = head.chain_turn().await;
    if *served >= ticket {
        return Ok(0);
    }
    // Everyone who asked by now committed before asking: this run's snapshot sees their entries.
    let upto = head.chain_asks_so_far();
    let anchored = head.read()?;
    let anchored_seqs: serde_json::Map<String, Value> = match &anchored {
        Anchored::Heads(heads) => heads.iter().map(|(chain, h)| (chain.clone(), h.seq.into())).collect(),
        _ => Default::default(),
    };
    let grown: Vec<(String, i64, String, i64, Option<String>)> = sqlx::query_as(
        "SELECT district_code, head_seq, head_hash, chained, anchored_hash FROM audit_chain_pending($1)",
    )
    .bind(Value::Object(anchored_seqs))
    .fetch_all(pool)
    .await?;
    let mut chained = 0;
    let mut moved = Heads::new();
    for (chain, seq, hash, n, still) in grown {
        chained += n as u64;
        // Move an anchor only along an unbroken chain: if the anchored entry is gone or changed (the end was cut
        // and rewritten), that chain's anchor stays where it is, as evidence.
        match anchored.head(&chain) {
            Some(h) if h.seq < seq && still.as_deref() != Some(h.hash.as_str()) => {
                tracing::error!(
                    chain,
                    anchored = h.seq,
                    "the audit log no longer holds its anchored head; the anchor stays"
                );
            }
            _ => {
                moved.insert(chain, Head { seq, hash });
            }
        }
    }
    if !moved.is_empty() {
        head.advance(moved).await?;
    }
    *served = upto;
    Ok(chained)
}

/// The shortest time between two runs of a [`Chainer`]: the entries staged meanwhile are chained together.
const CHAIN_GAP: Duration = Duration::from_millis(20);

/// Chaining on its own time, for writes answered as soon as they commit (the intake's, thousands a second): each
/// [`Chainer::ask`] is served by a run that begins after it, and runs begin at most once per [`CHAIN_GAP`], so one
/// run links the entries of every batch committed meanwhile. The entries are committed with their writes already
/// (staged, see [`stage_in`]); a run that fails only delays them — the next ask or the `chain-audit` job retries.
/// Waiting for the chain before answering would put a run on every report's way.
#[derive(Debug, Clone, Default)]
pub struct Chainer {
    asked: Arc<Notify>,
}

impl Chainer {
    /// Chain soon whatever is staged by now; returns at once.
    pub fn ask(&self) {
        self.asked.notify_one();
    }

    /// Serve the asks with runs of [`chain_pending`] on `pool`, anchoring at the head of `security`, for as long as
    /// the server runs.
    pub fn start(&self, pool: PgPool, security: Arc<crate::auth::Security>) {
        let asked = self.asked.clone();
        tokio::spawn(async move {
            loop {
                asked.notified().await;
                if let Err(e) = chain_pending(&pool, &security.audit_head).await {
                    tracing::error!(error = %format!("{e:#}"), "chaining the audit log failed; the job will retry");
                }
                tokio::time::sleep(CHAIN_GAP).await;
            }
        });
    }
}

/// Record an entry that describes no write of its own (a sign-in, a lock): stage it, commit, and chain it.
pub async fn append(pool: &PgPool, head: &HeadAnchor, e: Entry<'_>) -> Result<()> {
    let mut tx = pool.begin().await?;
    stage_in(&mut tx, &[e]).await?;
    tx.commit().await?;
    chain_pending(pool, head).await?;
    Ok(())
}

/// A response as the audit log keeps it: geometries replaced by a note, so a suggested plan or a community boundary
/// does not put megabytes into the log (the entities keep their geometry; the log says what was written).
pub fn without_geometry(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| match k.as_str() {
                    "geometry" | "geom" | "boundary" if !v.is_null() => (k, Value::from("(geometry omitted)")),
                    _ => (k, without_geometry(v)),
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_geometry).collect()),
        other => other,
    }
}

/// The outcome of checking one chain.
#[derive(Debug, Serialize)]
pub struct Verification {
    /// The chain: its district's code, or [`SHARED_CHAIN`].
    pub chain: String,
    /// Whether every entry's hash and link are intact.
    pub intact: bool,
    /// How many entries were checked.
    pub entries: i64,
    /// The first entry whose hash or link is wrong.
    pub first_broken: Option<i64>,
    /// Why it is wrong: `hash` (its fields were changed), `link` (an entry before it was changed, removed or
    /// inserted, or it was moved from another district's chain), `sequence` (numbers skip), `truncated` (entries up
    /// to the anchored head are missing), `head` (the anchored entry's hash differs: the end was removed and
    /// rewritten), `anchor_forged` (the anchor file's signature is wrong).
    pub reason: Option<String>,
    /// Hash of the last entry (hex).
    pub head: Option<String>,
    /// The head as anchored outside the database (a signed file in the data directory); `None` before the chain's
    /// first anchored write.
    pub anchor: Option<Head>,
}

/// Recompute every entry's hash and link in `chain`, in order, and compare its end with the anchored head.
pub async fn verify(pool: &PgPool, anchor: &HeadAnchor, chain: &str) -> Result<Verification> {
    let found = check(pool, anchor, Some(chain)).await?;
    Ok(found.into_iter().next().expect("the chain asked for is checked"))
}

/// [`verify`] every chain: each district's that holds entries or is anchored, and the shared chain.
pub async fn verify_all(pool: &PgPool, anchor: &HeadAnchor) -> Result<Vec<Verification>> {
    check(pool, anchor, None).await
}

/// What the chain looks like in the table, per chain: entries, and the first broken one with why.
type Scan = (i64, Option<i64>, Option<String>);

async fn check(pool: &PgPool, anchor: &HeadAnchor, only: Option<&str>) -> Result<Vec<Verification>> {
    let scanned: Vec<(String, i64, Option<i64>, Option<String>)> = sqlx::query_as(
        "SELECT district_code, count(*), min(seq) FILTER (WHERE NOT ok),
                (array_agg(reason ORDER BY seq) FILTER (WHERE NOT ok))[1]
         FROM (SELECT district_code, seq, hash_ok AND link_ok AND seq_ok AS ok,
                      CASE WHEN NOT hash_ok THEN 'hash' WHEN NOT link_ok THEN 'link' ELSE 'sequence' END AS reason
               FROM (SELECT district_code, seq,
                            hash = audit_entry_hash(prev_hash, seq, at, actor, action, target, status, before, after)
                                AS hash_ok,
                            prev_hash = coalesce(lag(hash) OVER w, audit_genesis(district_code)) AS link_ok,
                            seq = row_number() OVER w AS seq_ok
                     FROM audit_log WHERE $1::text IS NULL OR district_code = $1
                     WINDOW w AS (PARTITION BY district_code ORDER BY seq)) t) r
         GROUP BY district_code",
    )
    .bind(only)
    .fetch_all(pool)
    .await?;
    let anchored = anchor.read()?;
    let mut chains: std::collections::BTreeMap<String, Scan> =
        scanned.into_iter().map(|(chain, n, first, why)| (chain, (n, first, why))).collect();
    // A chain asked for, anchored or shared is reported even when the table holds none of its entries.
    let expected: Vec<String> = match only {
        Some(chain) => vec![chain.to_owned()],
        None => anchored.heads().chain([SHARED_CHAIN]).map(str::to_owned).collect(),
    };
    for chain in expected {
        chains.entry(chain).or_insert((0, None, None));
    }
    let mut out = Vec::with_capacity(chains.len());
    for (chain, (entries, first, why)) in chains {
        let head = hash_at(pool, &chain, None).await?;
        let broken = match (first, &anchored) {
            (Some(seq), _) => Some((Some(seq), why.unwrap_or_default())),
            (None, Anchored::Forged) => Some((None, "anchor_forged".to_owned())),
            (None, Anchored::Heads(heads)) => match heads.get(&chain) {
                Some(h) => match hash_at(pool, &chain, Some(h.seq)).await? {
                    None => Some((Some(entries + 1), "truncated".to_owned())),
                    Some(hash) if hash != h.hash => Some((Some(h.seq), "head".to_owned())),
                    Some(_) => None,
                },
                None => None,
            },
            (None, Anchored::Missing) => None,
        };
        out.push(Verification {
            intact: broken.is_none(),
            entries,
            first_broken: broken.as_ref().and_then(|b| b.0),
            reason: broken.map(|b| b.1),
            head,
            anchor: anchored.head(&chain).cloned(),
            chain,
        });
    }
    Ok(out)
}

/// The hash (hex) of entry `seq` of `chain`, or of its newest entry.
async fn hash_at(pool: &PgPool, chain: &str, seq: Option<i64>) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT encode(hash, 'hex') FROM audit_log WHERE district_code = $1 AND ($2::int8 IS NULL OR seq = $2)
         ORDER BY seq DESC LIMIT 1",
    )
    .bind(chain)
    .bind(seq)
    .fetch_optional(pool)
    .await?)
}

/// The newest entries of `chain` first, at most `limit`, optionally only before entry `before_seq`.
pub async fn recent(pool: &PgPool, chain: &str, limit: i64, before_seq: Option<i64>) -> Result<Vec<Value>> {
    Ok(sqlx::query_scalar(
        "SELECT jsonb_build_object('chain', district_code, 'seq', seq, 'at', at, 'actor', actor, 'action', action,
                'target', target, 'status', status, 'before', before, 'after', after, 'hash', encode(hash, 'hex'))
         FROM audit_log WHERE district_code = $3 AND ($2::int8 IS NULL OR seq < $2) ORDER BY seq DESC LIMIT $1",
    )
    .bind(limit)
    .bind(before_seq)
    .bind(chain)
    .fetch_all(pool)
    .await?)
}

/// The state of an entity as the audit log records it: geometry as a digest, personal data masked, password
/// hashes as a digest. `None` when it does not exist.
pub async fn snapshot(conn: &mut PgConnection, entity: Entity, id: i64) -> Result<Option<Value>> {
    let sql = match entity {
        Entity::Plan => {
            "SELECT jsonb_build_object('id', p.id, 'community_code', p.community_code, 'version', p.version,
                    'status', p.status, 'based_on', p.based_on, 'note', p.note, 'valid_from', p.valid_from,
                    'valid_to', p.valid_to,
                    'grids', (SELECT coalesce(jsonb_object_agg(g.key, jsonb_build_object('code', g.code, 'kind', g.kind,
                                'name', g.name, 'households', g.households,
                                'blocks', (SELECT jsonb_agg(gb.block_id ORDER BY gb.block_id) FROM grid_block gb
                                           WHERE gb.grid_id = g.id AND gb.district_code = g.district_code))), '{}'::jsonb)
                              FROM grid g WHERE g.plan_id = p.id AND g.district_code = p.district_code))
             FROM plan p WHERE p.id = $1"
        }
        Entity::Block => {
            "SELECT to_jsonb(b) - 'geom' || jsonb_build_object('geom_md5', md5(ST_AsBinary(b.geom))) FROM block b WHERE id = $1"
        }
        Entity::Building => {
            "SELECT to_jsonb(b) - 'footprint' || jsonb_build_object('footprint_md5', md5(ST_AsBinary(b.footprint)))
             FROM building b WHERE id = $1"
        }
        Entity::Grid => {
            "SELECT to_jsonb(g) - 'geom' || jsonb_build_object('geom_md5', md5(ST_AsBinary(g.geom))) FROM grid g WHERE id = $1"
        }
        Entity::Element => {
            "SELECT to_jsonb(e) - 'geom' || jsonb_build_object('lon', ST_X(e.geom), 'lat', ST_Y(e.geom)) FROM element e WHERE id = $1"
        }
        Entity::Resident => {
            "SELECT jsonb_build_object('id', id, 'name', name_masked, 'id_card', id_card_masked, 'phone', phone_masked,
                    'building_id', building_id, 'community_code', community_code, 'grid_id', grid_id)
             FROM resident WHERE id = $1"
        }
        Entity::Account => {
            "SELECT to_jsonb(a) - 'password_hash' || jsonb_build_object('password_md5', md5(a.password_hash))
             FROM account a WHERE id = $1"
        }
        // Locks the case for the rest of the write: two people acting on it at once take turns, and the second
        // sees what the first did.
        Entity::Case => {
            "SELECT to_jsonb(c) - 'geom' - 'reporter_contact' - 'clock'
                    || jsonb_build_object('lon', ST_X(c.geom), 'lat', ST_Y(c.geom))
             FROM cases c WHERE id = $1 FOR UPDATE"
        }
    };
    Ok(sqlx::query_scalar(sql).bind(id).fetch_optional(conn).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometry_is_left_out_of_logged_responses() {
        let v = serde_json::json!({ "plan": { "id": 3, "grids": { "features": [{ "geometry": { "type": "Polygon" }, "properties": { "code": "1" } }] } } });
        let kept = without_geometry(v);
        assert_eq!(kept["plan"]["grids"]["features"][0]["geometry"], "(geometry omitted)");
        assert_eq!(kept["plan"]["grids"]["features"][0]["properties"]["code"], "1");
    }
}
