//! Analytics, computed by the store itself from its own database: nothing leaves it.
//!
//! - [`record`] writes raw events: for learners who allowed analytics, and for anonymous
//!   visitors without any identifier; nothing for a signed-in learner who did not allow it.
//! - [`rollup`] folds new events and ledger entries into daily totals in the background, a
//!   day at a time, and deletes raw events older than the retention period.
//! - [`report`] recomputes cohorts, membership movements, segments and forecasts per store
//!   from those totals, also in the background.
//! - [`dashboard`] answers a creator's page from the totals and the last report only.

pub mod dashboard;
pub mod learn;
pub mod record;
pub mod report;
pub mod rollup;

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, now.
pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// `secs` since the epoch as RFC 3339 (UTC).
pub fn rfc3339(secs: i64) -> String {
    let day = secs.div_euclid(86_400);
    let s = secs.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        crate::models::analytics::day_string(day),
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// Seconds since the epoch of an RFC 3339 time as SurrealDB writes it
/// (`2026-11-26T10:00:00.123456Z`); `None` if it is not one.
pub fn parse_rfc3339(t: &str) -> Option<i64> {
    let day = crate::models::analytics::parse_day(t.get(..10)?)?;
    let rest = t.get(11..19)?;
    let mut parts = rest.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, s) = (parts.next()??, parts.next()??, parts.next()??);
    Some(day * 86_400 + h * 3600 + m * 60 + s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip() {
        let t = 1_793_404_800 + 3_723;
        assert_eq!(rfc3339(t), "2026-10-31T01:02:03Z");
        assert_eq!(parse_rfc3339(&rfc3339(t)), Some(t));
        assert_eq!(parse_rfc3339("2026-10-31T01:02:03.5Z"), Some(t));
        assert_eq!(parse_rfc3339("yesterday"), None);
    }
}
