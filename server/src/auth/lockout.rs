//! Slowing down password guessing without letting anyone lock others out.
//!
//! Failed sign-ins are counted three ways, each forgotten 15 minutes after its last failure:
//! - **per account name and client address**: 3 failures are free; after that each attempt must wait twice as long
//!   as the one before (1 s, 2 s, 4 s, …); the 10th failure locks this name *from this address* for 15 minutes. The
//!   owner signing in from another address is not affected.
//! - **per account name, from any address**: 10 failures are free, then a doubling delay capped at 60 s, never a
//!   lock: guessing one password from many addresses is held to about one try a minute, while its owner waits at
//!   most a minute.
//! - **per client address, over all names**: 1,000 failures within the window before that address must wait for
//!   the window to pass. A whole office behind one NAT, a few hundred people each mistyping a few times, stays
//!   below it; a password spray from one address does not.
//!
//! An attempt refused for waiting is not checked and not counted. A successful sign-in forgets the name's counts.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures forgotten this long after the last one; also how long a name stays locked from an address.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Free failures per name and address before delays start.
pub const FREE_PER_PAIR: u32 = 3;
/// Failures per name and address that lock the name from that address.
pub const LOCK_PER_PAIR: u32 = 10;
/// Free failures per name over all addresses before delays start.
pub const FREE_PER_NAME: u32 = 10;
/// The longest delay a name's failures from many addresses impose.
pub const NAME_DELAY_CAP: Duration = Duration::from_secs(60);
/// Failures per address over all names before the address waits out the window.
pub const LIMIT_PER_ADDRESS: u32 = 1000;

/// Why an attempt is refused without checking the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wait {
    /// How long until an attempt is considered.
    pub wait: Duration,
    /// Whether this name is locked from this address (not just slowed down).
    pub locked: bool,
}

#[derive(Debug, Clone, Copy)]
struct Count {
    failures: u32,
    last: Instant,
}

impl Count {
    fn live(&self, now: Instant) -> bool {
        now.duration_since(self.last) < WINDOW
    }
}

/// What a recorded failure led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    /// Failures of this name from this address within the window.
    pub pair_failures: u32,
    /// This failure locked the name from this address.
    pub locked_now: bool,
}

/// The counters. One per server; cheap to consult.
#[derive(Debug, Default)]
pub struct Lockout {
    counts: Mutex<HashMap<(Key, String), Count>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Pair,
    Name,
    Address,
}

fn doubling(over: u32, cap: Duration) -> Duration {
    Duration::from_secs(1u64 << over.min(20)).min(cap)
}

impl Lockout {
    /// Whether `name` may try a password from `address` at `now`.
    pub fn check(&self, name: &str, address: &str, now: Instant) -> Result<(), Wait> {
        let counts = self.counts.lock().expect("lockout lock");
        let get = |k: Key, id: String| counts.get(&(k, id)).filter(|c| c.live(now)).copied();
        let since = |c: &Count, delay: Duration| delay.saturating_sub(now.duration_since(c.last));
        let mut wait = Wait { wait: Duration::ZERO, locked: false };
        if let Some(c) = get(Key::Pair, pair(name, address)) {
            if c.failures >= LOCK_PER_PAIR {
                wait = Wait { wait: since(&c, WINDOW), locked: true };
            } else if c.failures >= FREE_PER_PAIR {
                wait.wait = wait.wait.max(since(&c, doubling(c.failures - FREE_PER_PAIR, WINDOW)));
            }
        }
        if let Some(c) = get(Key::Name, name.to_owned()) {
            if c.failures >= FREE_PER_NAME {
                wait.wait = wait.wait.max(since(&c, doubling(c.failures - FREE_PER_NAME, NAME_DELAY_CAP)));
            }
        }
        if let Some(c) = get(Key::Address, address.to_owned()) {
            if c.failures >= LIMIT_PER_ADDRESS {
                wait.wait = wait.wait.max(since(&c, WINDOW));
            }
        }
        if wait.wait.is_zero() {
            Ok(())
        } else {
            Err(wait)
        }
    }

    /// Count a wrong password (or unknown name) for `name` from `address`.
    pub fn fail(&self, name: &str, address: &str, now: Instant) -> Failure {
        let mut counts = self.counts.lock().expect("lockout lock");
        if counts.len() > 100_000 {
            counts.retain(|_, c| c.live(now));
        }
        let mut bump = |k: Key, id: String| {
            let c = counts.entry((k, id)).or_insert(Count { failures: 0, last: now });
            if !c.live(now) {
                c.failures = 0;
            }
            c.failures += 1;
            c.last = now;
            c.failures
        };
        let pair_failures = bump(Key::Pair, pair(name, address));
        bump(Key::Name, name.to_owned());
        bump(Key::Address, address.to_owned());
        Failure { pair_failures, locked_now: pair_failures == LOCK_PER_PAIR }
    }

    /// A successful sign-in: forget the name's failures.
    pub fn succeed(&self, name: &str, address: &str) {
        let mut counts = self.counts.lock().expect("lockout lock");
        counts.remove(&(Key::Pair, pair(name, address)));
        counts.remove(&(Key::Name, name.to_owned()));
    }
}

fn pair(name: &str, address: &str) -> String {
    format!("{name}\u{1f}{address}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_then_lock_only_the_pair() {
        let l = Lockout::default();
        let mut now = Instant::now();
        for _ in 0..FREE_PER_PAIR {
            assert!(l.check("wang", "10.0.0.1", now).is_ok());
            l.fail("wang", "10.0.0.1", now);
        }
        let w = l.check("wang", "10.0.0.1", now).unwrap_err();
        assert_eq!(w, Wait { wait: Duration::from_secs(1), locked: false });
        for expected in [1u64, 2, 4, 8, 16, 32] {
            now += Duration::from_secs(expected);
            assert!(l.check("wang", "10.0.0.1", now).is_ok(), "after waiting {expected} s");
            l.fail("wang", "10.0.0.1", now);
        }
        now += Duration::from_secs(64);
        let f = l.fail("wang", "10.0.0.1", now);
        assert!(f.locked_now && f.pair_failures == LOCK_PER_PAIR);
        let w = l.check("wang", "10.0.0.1", now + Duration::from_secs(600)).unwrap_err();
        assert!(w.locked);
        // The owner, elsewhere, is only slowed by the name's count (10 failures: 1 s), never locked.
        let elsewhere = l.check("wang", "10.0.0.2", now);
        assert!(elsewhere.is_err_and(|w| !w.locked && w.wait <= NAME_DELAY_CAP));
        assert!(l.check("wang", "10.0.0.2", now + NAME_DELAY_CAP).is_ok());
        assert!(l.check("wang", "10.0.0.1", now + WINDOW).is_ok(), "forgotten after the window");
    }

    #[test]
    fn an_office_behind_one_address_is_not_locked_out() {
        let l = Lockout::default();
        let now = Instant::now();
        for person in 0..300 {
            for _ in 0..3 {
                l.fail(&format!("user{person}"), "office", now);
            }
        }
        assert!(l.check("user999", "office", now).is_ok(), "900 failures from one address");
        for i in 0..200 {
            l.fail(&format!("spray{i}"), "office", now);
        }
        assert!(l.check("user999", "office", now).is_err(), "1,100 failures from one address");
    }
}
