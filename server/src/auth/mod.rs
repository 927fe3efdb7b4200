//! Authentication and authorization: accounts' passwords, sessions, the access policy of every route and the guard
//! that enforces it, throttles, and the key protecting residents' personal data.
//!
//! Roles, scopes and what they allow are domain concepts (`wangge_domain::access`); this module applies them to
//! HTTP requests.

pub mod canonical;
pub mod guard;
pub mod lockout;
pub mod password;
pub mod policy;
pub mod principal;
pub mod session;
pub mod throttle;
pub mod vault;

use std::path::PathBuf;
use std::time::Duration;

use crate::audit::anchor::HeadAnchor;

use lockout::Lockout;
pub use principal::{Principal, Staff, Viewer};
use throttle::Throttle;
use vault::DataKey;

/// Public reports one device may send in an hour (a resident reports a few problems on a walk, not dozens).
pub const REPORTS_PER_DEVICE_HOUR: usize = 10;
/// Public reports one client address may send in an hour.
pub const REPORTS_PER_ADDRESS_HOUR: usize = 60;

/// Security settings and state shared by every request.
#[derive(Debug)]
pub struct Security {
    /// The personal-data key.
    pub key: DataKey,
    /// Mark the session cookie `Secure` (off only for plain-HTTP intranets; browsers treat localhost as secure).
    pub secure_cookies: bool,
    /// Anonymous requests per client address.
    pub public_rate: Throttle,
    /// Public reports per device ([`REPORTS_PER_DEVICE_HOUR`] an hour).
    pub device_reports: Throttle,
    /// Public reports per client address ([`REPORTS_PER_ADDRESS_HOUR`] an hour: many phones share a carrier's
    /// address).
    pub address_reports: Throttle,
    /// Failed sign-ins: delays and locks.
    pub lockout: Lockout,
    /// The audit log's head, anchored outside the database.
    pub audit_head: HeadAnchor,
    /// Sessions recently found live.
    pub sessions: session::Remembered,
}

impl Security {
    /// Settings with `public_per_minute` anonymous requests per client address, anchoring the audit log's head in
    /// the file `audit_anchor`.
    pub fn new(key: DataKey, secure_cookies: bool, public_per_minute: usize, audit_anchor: PathBuf) -> Self {
        Self {
            audit_head: HeadAnchor::new(audit_anchor, key.clone()),
            key,
            secure_cookies,
            public_rate: Throttle::new(public_per_minute, Duration::from_secs(60)),
            device_reports: Throttle::new(REPORTS_PER_DEVICE_HOUR, Duration::from_secs(3600)),
            address_reports: Throttle::new(REPORTS_PER_ADDRESS_HOUR, Duration::from_secs(3600)),
            lockout: Lockout::default(),
            sessions: session::Remembered::default(),
        }
    }
}
