//! The chains' heads, kept outside the database. A hash chain shows that no entry was changed, inserted or removed
//! *before* the newest one, but deleting the newest entries leaves a shorter chain that is still intact. So after
//! every append the server writes each chain's newest entry number and hash to a file in its data directory, signed
//! with a key derived from the data key (HMAC-SHA256); verifying the log compares the table with this anchor. Whoever
//! can delete rows in the database but cannot write the data directory's files with the key can no longer cut a
//! chain short unnoticed.
//!
//! There is one chain per district (see [`super`]) and one file for all their heads. A head only moves forward:
//! concurrent appends (and other processes, through a lock file) never move one back. A file written before chains
//! were per district holds one head, read as the shared chain's (the entries of that time are that chain).

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::SHARED_CHAIN;
use crate::auth::vault::DataKey;

/// The newest entry of a chain as last anchored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    /// Its sequence number.
    pub seq: i64,
    /// Its hash (hex).
    pub hash: String,
}

/// Each chain's head, by district code.
pub type Heads = BTreeMap<String, Head>;

/// The anchor file as stored: every chain's head and their signature.
#[derive(Serialize, Deserialize)]
struct Signed {
    heads: Heads,
    mac: String,
}

/// The anchor file as written before chains were per district: the one chain's head.
#[derive(Deserialize)]
struct SignedOne {
    seq: i64,
    hash: String,
    mac: String,
}

/// What the anchor file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchored {
    /// No anchor yet (an empty log, or a log written before anchors existed).
    Missing,
    /// Heads with a valid signature.
    Heads(Heads),
    /// The file exists but its signature does not match (it was edited or forged).
    Forged,
}

impl Anchored {
    /// The chains the file anchors (none when it is missing or forged).
    pub fn heads(&self) -> impl Iterator<Item = &str> {
        let heads = match self {
            Anchored::Heads(heads) => Some(heads.keys().map(String::as_str)),
            _ => None,
        };
        heads.into_iter().flatten()
    }

    /// The anchored head of `chain`, if the file is genuine and names one.
    pub fn head(&self, chain: &str) -> Option<&Head> {
        match self {
            Anchored::Heads(heads) => heads.get(chain),
            _ => None,
        }
    }
}

/// The head anchor of one database's audit log.
#[derive(Debug)]
pub struct HeadAnchor {
    file: Arc<AnchorFile>,
    /// Requests to chain so far (each made after its caller's entries committed).
    asked: AtomicU64,
    /// The chain's turn: one run at a time, holding the number of requests the last finished run served.
    served: tokio::sync::Mutex<u64>,
}

/// The signed file itself (shared with the blocking thread that writes it).
#[derive(Debug)]
struct AnchorFile {
    path: PathBuf,
    key: DataKey,
    turn: Mutex<()>,
}

impl HeadAnchor {
    /// The anchor kept at `path`, signed under a key derived from `key`.
    pub fn new(path: PathBuf, key: DataKey) -> Self {
        Self {
            file: Arc::new(AnchorFile { path, key, turn: Mutex::new(()) }),
            asked: AtomicU64::new(0),
            served: tokio::sync::Mutex::new(0),
        }
    }

    /// The file, for messages and tests.
    pub fn path(&self) -> &Path {
        &self.file.path
    }

    /// Read and check the anchor.
    pub fn read(&self) -> Result<Anchored> {
        self.file.read()
    }

    /// Move each chain's anchor to the head given for it, unless it already stands at a later entry; the other
    /// chains' heads stay. The file is replaced atomically (written beside, flushed, renamed), on a blocking thread:
    /// the flush does not hold up the requests sharing the caller's thread.
    pub async fn advance(&self, heads: Heads) -> Result<()> {
        let file = self.file.clone();
        tokio::task::spawn_blocking(move || file.advance(heads)).await?
    }

    /// Ask for a run of the chain; the ticket it answers is served by any run that begins after this call.
    pub(crate) fn chain_asked(&self) -> u64 {
        self.asked.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// How many runs were asked for so far.
    pub(crate) fn chain_asks_so_far(&self) -> u64 {
        self.asked.load(Ordering::SeqCst)
    }

    /// Wait for the chain's turn; it holds the tickets served so far.
    pub(crate) async fn chain_turn(&self) -> tokio::sync::MutexGuard<'_, u64> {
        self.served.lock().await
    }
}

impl AnchorFile {
    /// The signature of every head: one line per chain, in the order of district codes.
    fn mac(&self, heads: &Heads) -> String {
        let text: Vec<String> = heads.iter().map(|(chain, h)| format!("{chain}:{}:{}", h.seq, h.hash)).collect();
        hex::encode(self.key.audit_anchor_mac(text.join("\n").as_bytes()))
    }

    fn read(&self) -> Result<Anchored> {
        let text = match fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Anchored::Missing),
            Err(e) => return Err(e).with_context(|| format!("reading {}", self.path.display())),
        };
        let (heads, mac, expected) = if let Ok(signed) = serde_json::from_str::<Signed>(&text) {
            let expected = self.mac(&signed.heads);
            (signed.heads, signed.mac, expected)
        } else if let Ok(one) = serde_json::from_str::<SignedOne>(&text) {
            let expected = hex::encode(self.key.audit_anchor_mac(format!("{}:{}", one.seq, one.hash).as_bytes()));
            (Heads::from([(SHARED_CHAIN.to_owned(), Head { seq: one.seq, hash: one.hash })]), one.mac, expected)
        } else {
            return Ok(Anchored::Forged);
        };
        if !crate::auth::session::same_token(&expected, &mac) {
            return Ok(Anchored::Forged);
        }
        Ok(Anchored::Heads(heads))
    }

    fn advance(&self, moved: Heads) -> Result<()> {
        let _turn = self.turn.lock().expect("anchor lock");
        if let Some(dir) = self.path.parent() {
            fs::create_dir_all(dir)?;
        }
        let lock = File::create(self.path.with_extension("lock"))?;
        lock.lock().context("locking the audit anchor")?;
        let mut heads = match self.read()? {
            Anchored::Heads(heads) => heads,
            Anchored::Missing => Heads::new(),
            Anchored::Forged => {
                // Keep the evidence: verification reports it until an administrator looks.
                tracing::error!(path = %self.path.display(), "the audit head anchor's signature is wrong; not moving it");
                return Ok(());
            }
        };
        let mut changed = false;
        for (chain, head) in moved {
            if heads.get(&chain).is_none_or(|h| h.seq < head.seq) {
                heads.insert(chain, head);
                changed = true;
            }
        }
        if !changed {
            return Ok(());
        }
        let signed = Signed { mac: self.mac(&heads), heads };
        let tmp = self.path.with_extension("tmp");
        let mut options = fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options.open(&tmp).with_context(|| format!("writing {}", tmp.display()))?;
        f.write_all(serde_json::to_string(&signed)?.as_bytes())?;
        f.sync_all()?;
        fs::rename(&tmp, &self.path)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anchor(name: &str) -> HeadAnchor {
        let path = std::env::temp_dir().join(format!("wangge-anchor-unit-{}-{name}.json", std::process::id()));
        let _ = fs::remove_file(&path);
        HeadAnchor::new(path, DataKey::from_hex(&"33".repeat(32)).unwrap())
    }

    fn heads(list: &[(&str, i64, &str)]) -> Heads {
        list.iter().map(|(c, seq, hash)| (c.to_string(), Head { seq: *seq, hash: hash.to_string() })).collect()
    }

    #[test]
    fn moves_each_chain_forward_only_and_detects_edits() {
        let a = anchor("forward");
        assert_eq!(a.read().unwrap(), Anchored::Missing);
        a.file.advance(heads(&[("320115", 5, "aa")])).unwrap();
        a.file.advance(heads(&[("320115", 3, "bb"), ("320116", 2, "cc")])).unwrap();
        assert_eq!(a.read().unwrap(), Anchored::Heads(heads(&[("320115", 5, "aa"), ("320116", 2, "cc")])));
        let edited = fs::read_to_string(a.path()).unwrap().replace("\"seq\":5", "\"seq\":2");
        fs::write(a.path(), edited).unwrap();
        assert_eq!(a.read().unwrap(), Anchored::Forged);
        let _ = fs::remove_file(a.path());
    }

    #[test]
    fn a_file_from_before_chains_per_district_is_the_shared_chain() {
        let a = anchor("one");
        let mac = hex::encode(a.file.key.audit_anchor_mac(b"7:ab"));
        fs::write(a.path(), format!("{{\"seq\":7,\"hash\":\"ab\",\"mac\":\"{mac}\"}}")).unwrap();
        assert_eq!(a.read().unwrap().head(SHARED_CHAIN), Some(&Head { seq: 7, hash: "ab".into() }));
        a.file.advance(heads(&[("320115", 1, "cd")])).unwrap();
        assert_eq!(a.read().unwrap(), Anchored::Heads(heads(&[(SHARED_CHAIN, 7, "ab"), ("320115", 1, "cd")])));
        fs::write(a.path(), format!("{{\"seq\":8,\"hash\":\"ab\",\"mac\":\"{mac}\"}}")).unwrap();
        assert_eq!(a.read().unwrap(), Anchored::Forged);
        let _ = fs::remove_file(a.path());
    }
}
