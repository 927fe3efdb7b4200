//! A keyed sliding-window counter: at most `limit` events per key within `window`. Used to lock out repeated login
//! failures and to rate-limit anonymous requests.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Events per key within a sliding window.
#[derive(Debug)]
pub struct Throttle {
    limit: usize,
    window: Duration,
    events: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Throttle {
    /// At most `limit` events per key within `window`.
    pub fn new(limit: usize, window: Duration) -> Self {
        Self { limit: limit.max(1), window, events: Mutex::new(HashMap::new()) }
    }

    fn prune(&self, events: &mut VecDeque<Instant>, now: Instant) {
        while events.front().is_some_and(|t| now.duration_since(*t) >= self.window) {
            events.pop_front();
        }
    }

    /// `Err(wait)` when `key` has used up its events: how long until the oldest one leaves the window.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let mut map = self.events.lock().expect("throttle lock");
        let Some(events) = map.get_mut(key) else {
            return Ok(());
        };
        self.prune(events, now);
        match events.front() {
            Some(oldest) if events.len() >= self.limit => Err(self.window.saturating_sub(now.duration_since(*oldest))),
            _ => Ok(()),
        }
    }

    /// Count one event for `key`.
    pub fn record(&self, key: &str) {
        let now = Instant::now();
        let mut map = self.events.lock().expect("throttle lock");
        if map.len() > 50_000 {
            // Forget keys with nothing in the window, so the map stays bounded under a spray of keys.
            map.retain(|_, ev| ev.back().is_some_and(|t| now.duration_since(*t) < self.window));
        }
        let events = map.entry(key.to_owned()).or_default();
        self.prune(events, now);
        events.push_back(now);
    }

    /// `check`, then `record` when allowed: one call per rate-limited request.
    pub fn admit(&self, key: &str) -> Result<(), Duration> {
        self.check(key)?;
        self.record(key);
        Ok(())
    }

    /// Forget `key` (after a successful login).
    pub fn clear(&self, key: &str) {
        self.events.lock().expect("throttle lock").remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_the_limit_and_forgets_on_clear() {
        let t = Throttle::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(t.admit("a").is_ok());
        }
        let wait = t.admit("a").unwrap_err();
        assert!(wait > Duration::from_secs(50));
        assert!(t.admit("b").is_ok());
        t.clear("a");
        assert!(t.check("a").is_ok());
    }

    #[test]
    fn events_leave_the_window() {
        let t = Throttle::new(1, Duration::from_millis(20));
        t.record("k");
        assert!(t.check("k").is_err());
        std::thread::sleep(Duration::from_millis(25));
        assert!(t.check("k").is_ok());
    }
}
