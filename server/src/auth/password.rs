//! Passwords: a policy for new ones, and argon2id hashes (PHC strings with their own salt and parameters).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// A password that meets the policy: 10 to 128 characters, not all of one kind (letters, digits, others).
pub struct NewPassword(String);

/// Why a new password was refused.
#[derive(Debug, thiserror::Error)]
#[error("a password needs 10 to 128 characters and at least two of: letters, digits, other characters")]
pub struct WeakPassword;

impl NewPassword {
    /// Check a proposed password against the policy.
    pub fn parse(s: &str) -> Result<Self, WeakPassword> {
        let n = s.chars().count();
        let kinds = [
            s.chars().any(char::is_alphabetic),
            s.chars().any(|c| c.is_ascii_digit()),
            s.chars().any(|c| !c.is_alphanumeric()),
        ];
        if !(10..=128).contains(&n) || kinds.iter().filter(|k| **k).count() < 2 {
            return Err(WeakPassword);
        }
        Ok(Self(s.to_owned()))
    }

    /// Its argon2id hash, salted.
    pub fn hash(&self) -> String {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(self.0.as_bytes(), &salt).expect("argon2 hashes any password").to_string()
    }
}

/// Whether `password` matches the stored `hash` (false for a malformed hash).
pub fn verify(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash of nothing anybody knows, verified against when the account does not exist so that a login takes as long
/// for an unknown name as for a wrong password.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| NewPassword("decoy-password-nobody-has-1".to_owned()).hash())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_weak_passwords_are_refused() {
        let p = NewPassword::parse("correct horse 9").unwrap();
        let h = p.hash();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse 9", &h));
        assert!(!verify("correct horse 8", &h));
        assert!(!verify("x", "not a hash"));
        assert!(NewPassword::parse("short1").is_err());
        assert!(NewPassword::parse("onlyletterslong").is_err());
    }
}
