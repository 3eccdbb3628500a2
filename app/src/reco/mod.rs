//! Recommendations, the part shared by server and browser: the factor file's format, the
//! small linear algebra of fold-in, and ranking. Free of features and I/O, it compiles
//! natively and to wasm, so the ranking a learner's browser computes from their on-device
//! history is the one the server's tests and evaluation compute. Training lives in the
//! server (`server/src/recsys`).

pub mod factors;
pub mod linalg;
pub mod score;
pub mod synthetic;

/// Days after which an interaction counts half as much.
pub const HALF_LIFE_DAYS: f64 = 90.0;

/// How much one interaction says about a learner's taste, fading with its age: a purchase
/// more than a like, a like more than a view; a low rating hardly at all. The server's
/// training and the browser's on-device history use the same numbers.
pub fn strength(kind: &str, value: Option<f64>, age_days: f64) -> f32 {
    let weight = match kind {
        "purchase" => 5.0,
        "like" => 3.0,
        "rating" => match value {
            Some(v) if v >= 4.0 => 3.0,
            Some(v) if v >= 3.0 => 1.0,
            _ => 0.2,
        },
        "progress" => 1.0 + value.unwrap_or(0.0).clamp(0.0, 1.0) * 2.0,
        _ => 1.0,
    };
    (weight * 0.5f64.powf(age_days.max(0.0) / HALF_LIFE_DAYS)) as f32
}

#[cfg(test)]
mod tests {
    #[test]
    fn stronger_signals_weigh_more_and_old_ones_fade() {
        use super::strength;
        assert!(strength("purchase", None, 0.0) > strength("like", None, 0.0));
        assert!(strength("like", None, 0.0) > strength("view", None, 0.0));
        assert!(strength("rating", Some(5.0), 0.0) > strength("rating", Some(1.0), 0.0));
        assert!((strength("view", None, 90.0) - 0.5).abs() < 1e-6);
        assert_eq!(
            strength("view", None, -3.0),
            1.0,
            "clock skew does not boost"
        );
    }
}
