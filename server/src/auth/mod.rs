//! Authentication and authorization: accounts' passwords, sessions, the access policy of every route and the guard
//! that enforces it, throttles, and the key protecting residents' personal data.
//!
//! Roles, scopes and what they allow are domain concepts (`wangge_domain::access`); this module applies them to
//! HTTP requests.

pub mod guard;
pub mod password;
pub mod policy;
pub mod principal;
pub mod session;
pub mod throttle;
pub mod vault;

use std::time::Duration;

pub use principal::{Principal, Staff, Viewer};
use throttle::Throttle;
use vault::DataKey;

/// Security settings and state shared by every request.
#[derive(Debug)]
pub struct Security {
    /// The personal-data key.
    pub key: DataKey,
    /// Mark the session cookie `Secure` (off only for plain-HTTP intranets; browsers treat localhost as secure).
    pub secure_cookies: bool,
    /// Anonymous requests per client address.
    pub public_rate: Throttle,
    /// Failed logins per account name.
    pub failures_by_name: Throttle,
    /// Failed logins per client address (higher: an office shares one address).
    pub failures_by_address: Throttle,
}

/// Failed logins allowed per account name within [`LOGIN_WINDOW`].
pub const LOGIN_FAILURES_PER_NAME: usize = 5;
/// Failed logins allowed per client address within [`LOGIN_WINDOW`].
pub const LOGIN_FAILURES_PER_ADDRESS: usize = 50;
/// The window over which failed logins are counted.
pub const LOGIN_WINDOW: Duration = Duration::from_secs(15 * 60);

impl Security {
    /// Settings with `public_per_minute` anonymous requests per client address.
    pub fn new(key: DataKey, secure_cookies: bool, public_per_minute: usize) -> Self {
        Self {
            key,
            secure_cookies,
            public_rate: Throttle::new(public_per_minute, Duration::from_secs(60)),
            failures_by_name: Throttle::new(LOGIN_FAILURES_PER_NAME, LOGIN_WINDOW),
            failures_by_address: Throttle::new(LOGIN_FAILURES_PER_ADDRESS, LOGIN_WINDOW),
        }
    }
}
