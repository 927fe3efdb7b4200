//! The key that protects residents' personal data at rest: AES-256-GCM encryption and a keyed digest (HMAC-SHA256)
//! for finding duplicates without storing the plain value.

use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use anyhow::{Context, Result};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// Why a ciphertext could not be opened.
#[derive(Debug, thiserror::Error)]
#[error("personal data could not be decrypted (wrong key or altered ciphertext)")]
pub struct DecryptError;

/// The 256-bit data key. Its `Debug` never shows the key.
#[derive(Clone)]
pub struct DataKey {
    cipher: Aes256Gcm,
    mac_key: [u8; 32],
    anchor_key: [u8; 32],
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(…)")
    }
}

const NONCE_LEN: usize = 12;

impl DataKey {
    /// A key from 64 hex digits (as `WANGGE_DATA_KEY` holds it).
    pub fn from_hex(hex_key: &str) -> Result<Self> {
        let bytes = hex::decode(hex_key.trim()).context("WANGGE_DATA_KEY must be 64 hex digits")?;
        let key: [u8; 32] =
            bytes.try_into().map_err(|_| anyhow::anyhow!("WANGGE_DATA_KEY must be 64 hex digits (32 bytes)"))?;
        Ok(Self::from_bytes(key))
    }

    fn from_bytes(key: [u8; 32]) -> Self {
        // Separate keys for encryption and the digest, both derived from the one configured key.
        let derive = |label: &[u8]| -> [u8; 32] {
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("any key length");
            mac.update(label);
            mac.finalize().into_bytes().into()
        };
        let enc = derive(b"wangge personal data encryption");
        Self {
            cipher: Aes256Gcm::new(&enc.into()),
            mac_key: derive(b"wangge personal data digest"),
            anchor_key: derive(b"wangge audit head anchor"),
        }
    }

    /// A fresh random key that is never stored (benchmarks; data sealed under it is lost with it).
    pub fn ephemeral() -> Self {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        Self::from_bytes(key)
    }

    /// The key in `path` (64 hex digits), creating it with fresh random bytes and mode 0600 when missing: the
    /// default for a local installation that has no `WANGGE_DATA_KEY`.
    pub fn load_or_create(path: &Path) -> Result<Self> {
        if path.exists() {
            return Self::from_hex(
                &std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?,
            );
        }
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        write_private(path, &hex::encode(key))?;
        tracing::warn!(path = %path.display(), "created a new personal-data key; back it up: without it residents' data cannot be read");
        Ok(Self::from_bytes(key))
    }

    /// Encrypt `plain` under a fresh random nonce: nonce ‖ ciphertext ‖ tag.
    pub fn seal(&self, plain: &str) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let mut out = nonce.to_vec();
        out.extend(
            self.cipher
                .encrypt(Nonce::from_slice(&nonce), plain.as_bytes())
                .expect("AES-GCM encrypts any length we send"),
        );
        out
    }

    /// Decrypt what [`DataKey::seal`] produced.
    pub fn open(&self, sealed: &[u8]) -> Result<String, DecryptError> {
        if sealed.len() < NONCE_LEN {
            return Err(DecryptError);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let plain = self.cipher.decrypt(Nonce::from_slice(nonce), body).map_err(|_| DecryptError)?;
        String::from_utf8(plain).map_err(|_| DecryptError)
    }

    /// Keyed digest of `value`: equal values give equal digests, and without the key nobody can test a guess.
    pub fn digest(&self, value: &str) -> Vec<u8> {
        hmac(&self.mac_key, value.as_bytes())
    }

    /// Signature of the audit log's head anchor (a key of its own, derived from the same configured key).
    pub fn audit_anchor_mac(&self, message: &[u8]) -> Vec<u8> {
        hmac(&self.anchor_key, message)
    }
}

fn hmac(key: &[u8; 32], message: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// Create `path` holding `contents`, readable and writable by its owner only (mode 0600); fails if it exists.
pub(crate) fn write_private(path: &Path, contents: &str) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path).with_context(|| format!("creating {}", path.display()))?;
    f.write_all(contents.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_data_opens_only_unaltered_and_with_the_key() {
        let key = DataKey::from_hex(&"11".repeat(32)).unwrap();
        let other = DataKey::from_hex(&"22".repeat(32)).unwrap();
        let sealed = key.seal("张三");
        assert!(!sealed.windows(6).any(|w| w == "张三".as_bytes()));
        assert_eq!(key.open(&sealed).unwrap(), "张三");
        assert!(other.open(&sealed).is_err());
        let mut altered = sealed.clone();
        *altered.last_mut().unwrap() ^= 1;
        assert!(key.open(&altered).is_err());
        assert_ne!(key.seal("张三"), sealed, "fresh nonce each time");
        assert_eq!(key.digest("x"), key.digest("x"));
        assert_ne!(key.digest("x"), other.digest("x"));
        assert!(DataKey::from_hex("abcd").is_err());
    }
}
