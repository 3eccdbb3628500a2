//! Attempt limits for sign-in, sign-up and password resets, per client address and per
//! account: a fixed window per key, in memory (one server process).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most `max` attempts per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Attempts allowed in one window.
    pub max: u32,
    /// The window.
    pub window: Duration,
}

impl Limit {
    const fn per_minutes(max: u32, minutes: u64) -> Self {
        Limit {
            max,
            window: Duration::from_secs(minutes * 60),
        }
    }
}

/// The limits the store applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Sign-in attempts from one address.
    pub sign_in_per_ip: Limit,
    /// Sign-in attempts for one e-mail address.
    pub sign_in_per_account: Limit,
    /// Sign-ups from one address.
    pub sign_up_per_ip: Limit,
    /// Reset requests from one address.
    pub reset_per_ip: Limit,
    /// Reset requests for one e-mail address.
    pub reset_per_account: Limit,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            sign_in_per_ip: Limit::per_minutes(30, 10),
            sign_in_per_account: Limit::per_minutes(10, 10),
            sign_up_per_ip: Limit::per_minutes(20, 60),
            reset_per_ip: Limit::per_minutes(20, 60),
            reset_per_account: Limit::per_minutes(5, 60),
        }
    }
}

impl RateLimits {
    /// Limits a hundred times looser per address, for test suites that sign many people in
    /// from one address (per-account limits stay as they are).
    pub fn loose_per_ip() -> Self {
        let d = RateLimits::default();
        let loosen = |l: Limit| Limit {
            max: l.max * 100,
            ..l
        };
        RateLimits {
            sign_in_per_ip: loosen(d.sign_in_per_ip),
            sign_up_per_ip: loosen(d.sign_up_per_ip),
            reset_per_ip: loosen(d.reset_per_ip),
            ..d
        }
    }
}

#[derive(Debug)]
struct Window {
    started: Instant,
    count: u32,
}

/// Counts attempts per key.
#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, Window>>,
}

impl RateLimiter {
    /// Counts one attempt for `key`; `Err(seconds)` when the limit is reached, with the
    /// seconds until the window ends.
    pub fn hit(&self, key: &str, limit: Limit) -> Result<(), u64> {
        let now = Instant::now();
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if windows.len() > 50_000 {
            windows.retain(|_, w| now.duration_since(w.started) < limit.window);
        }
        let w = windows.entry(key.to_string()).or_insert(Window {
            started: now,
            count: 0,
        });
        if now.duration_since(w.started) >= limit.window {
            *w = Window {
                started: now,
                count: 0,
            };
        }
        if w.count >= limit.max {
            let left = limit.window.saturating_sub(now.duration_since(w.started));
            return Err(left.as_secs().max(1));
        }
        w.count += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_holds_per_key_and_reports_when_to_retry() {
        let limiter = RateLimiter::default();
        let limit = Limit::per_minutes(3, 1);
        for _ in 0..3 {
            assert!(limiter.hit("a", limit).is_ok());
        }
        let wait = limiter.hit("a", limit).unwrap_err();
        assert!((1..=60).contains(&wait), "{wait}");
        assert!(limiter.hit("b", limit).is_ok(), "other keys are unaffected");
    }

    #[test]
    fn a_window_that_ended_starts_afresh() {
        let limiter = RateLimiter::default();
        let limit = Limit {
            max: 1,
            window: Duration::from_millis(20),
        };
        assert!(limiter.hit("a", limit).is_ok());
        assert!(limiter.hit("a", limit).is_err());
        std::thread::sleep(Duration::from_millis(30));
        assert!(limiter.hit("a", limit).is_ok());
    }
}
