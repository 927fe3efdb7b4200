//! The chain's head, kept outside the database. The hash chain shows that no entry was changed, inserted or removed
//! *before* the newest one, but deleting the newest entries leaves a shorter chain that is still intact. So after
//! every append the server writes the newest entry's number and hash to a file in its data directory, signed with
//! a key derived from the data key (HMAC-SHA256); verifying the log compares the table with this anchor. Whoever can
//! delete rows in the database but cannot write the data directory's files with the key can no longer cut the log
//! short unnoticed.
//!
//! The anchor only moves forward: concurrent appends (and other processes, through a lock file) never move it back.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::auth::vault::DataKey;

/// The newest entry as last anchored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    /// Its sequence number.
    pub seq: i64,
    /// Its hash (hex).
    pub hash: String,
}

/// The anchor file as stored: the head and its signature.
#[derive(Serialize, Deserialize)]
struct Signed {
    seq: i64,
    hash: String,
    mac: String,
}

/// What the anchor file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchored {
    /// No anchor yet (an empty log, or a log written before anchors existed).
    Missing,
    /// A head with a valid signature.
    Head(Head),
    /// The file exists but its signature does not match (it was edited or forged).
    Forged,
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

    /// Move the anchor to entry `seq` with `hash` (hex), unless it already stands at a later entry. The file is
    /// replaced atomically (written beside, flushed, renamed), on a blocking thread: the flush does not hold up the
    /// requests sharing the caller's thread.
    pub async fn advance(&self, seq: i64, hash: String) -> Result<()> {
        let file = self.file.clone();
        tokio::task::spawn_blocking(move || file.advance(seq, &hash)).await?
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
    fn mac(&self, seq: i64, hash: &str) -> String {
        hex::encode(self.key.audit_anchor_mac(format!("{seq}:{hash}").as_bytes()))
    }

    fn read(&self) -> Result<Anchored> {
        let text = match fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Anchored::Missing),
            Err(e) => return Err(e).with_context(|| format!("reading {}", self.path.display())),
        };
        let Ok(signed) = serde_json::from_str::<Signed>(&text) else {
            return Ok(Anchored::Forged);
        };
        let expected = self.mac(signed.seq, &signed.hash);
        if !crate::auth::session::same_token(&expected, &signed.mac) {
            return Ok(Anchored::Forged);
        }
        Ok(Anchored::Head(Head { seq: signed.seq, hash: signed.hash }))
    }

    fn advance(&self, seq: i64, hash: &str) -> Result<()> {
        let _turn = self.turn.lock().expect("anchor lock");
        if let Some(dir) = self.path.parent() {
            fs::create_dir_all(dir)?;
        }
        let lock = File::create(self.path.with_extension("lock"))?;
        lock.lock().context("locking the audit anchor")?;
        match self.read()? {
            Anchored::Head(h) if h.seq >= seq => return Ok(()),
            Anchored::Forged => {
                // Keep the evidence: verification reports it until an administrator looks.
                tracing::error!(path = %self.path.display(), "the audit head anchor's signature is wrong; not moving it");
                return Ok(());
            }
            _ => {}
        }
        let signed = Signed { seq, hash: hash.to_owned(), mac: self.mac(seq, hash) };
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

    #[test]
    fn moves_forward_only_and_detects_edits() {
        let a = anchor("forward");
        assert_eq!(a.read().unwrap(), Anchored::Missing);
        a.file.advance(5, "aa").unwrap();
        a.file.advance(3, "bb").unwrap();
        assert_eq!(a.read().unwrap(), Anchored::Head(Head { seq: 5, hash: "aa".into() }));
        let edited = fs::read_to_string(a.path()).unwrap().replace("\"seq\":5", "\"seq\":2");
        fs::write(a.path(), edited).unwrap();
        assert_eq!(a.read().unwrap(), Anchored::Forged);
        let _ = fs::remove_file(a.path());
    }
}
