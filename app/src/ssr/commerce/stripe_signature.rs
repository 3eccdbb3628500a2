//! Verifying Stripe's `Stripe-Signature` header exactly as Stripe documents it: the header
//! is `t=<unix seconds>,v1=<hex>[,v1=<hex>…]`; each `v1` is HMAC-SHA256 of
//! `"<t>.<raw body>"` under the endpoint's signing secret; one matching `v1` (compared in
//! constant time) within the tolerance of the current time makes the event genuine.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Stripe's default tolerance between the signature's time and ours.
pub const TOLERANCE_SECS: i64 = 300;

/// Why a webhook's signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No header, or one without `t=` or `v1=`.
    #[error("the Stripe-Signature header is missing or malformed")]
    Malformed,
    /// The timestamp is further from now than the tolerance (a replay or a wrong clock).
    #[error("the signature's timestamp is outside the tolerance")]
    OutsideTolerance,
    /// No `v1` signature matches.
    #[error("no signature matches the payload")]
    Mismatch,
}

/// The hex `v1` signature of `payload` sent at `timestamp` under `secret`.
///
/// ```
/// use app::ssr::commerce::stripe_signature::sign;
/// assert_eq!(
///     sign("whsec_test_secret", 1_700_000_000, br#"{"id":"evt_test_webhook","object":"event"}"#),
///     "d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990"
/// );
/// ```
pub fn sign(secret: &str, timestamp: i64, payload: &[u8]) -> String {
    let mut mac = mac(secret);
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn mac(secret: &str) -> Hmac<Sha256> {
    // HMAC takes a key of any length; this cannot fail.
    match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of every length"),
    }
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Checks `header` against `payload` at time `now` (unix seconds); returns the signed
/// timestamp when the event is genuine.
pub fn verify(
    header: &str,
    payload: &[u8],
    secret: &str,
    now: i64,
    tolerance_secs: i64,
) -> Result<i64, SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => timestamp = v.parse::<i64>().ok(),
            Some(("v1", v)) => signatures.push(v),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - timestamp).abs() > tolerance_secs {
        return Err(SignatureError::OutsideTolerance);
    }
    for candidate in signatures {
        let Some(bytes) = unhex(candidate) else {
            continue;
        };
        let mut m = mac(secret);
        m.update(timestamp.to_string().as_bytes());
        m.update(b".");
        m.update(payload);
        // `verify_slice` compares in constant time.
        if m.verify_slice(&bytes).is_ok() {
            return Ok(timestamp);
        }
    }
    Err(SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_test_webhook","object":"event"}"#;
    const SIG: &str = "d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990";
    const T: i64 = 1_700_000_000;

    #[test]
    fn the_documented_example_verifies() {
        assert_eq!(sign(SECRET, T, BODY), SIG);
        let header = format!("t={T},v1={SIG}");
        assert_eq!(verify(&header, BODY, SECRET, T + 10, TOLERANCE_SECS), Ok(T));
    }

    #[test]
    fn any_of_several_v1_signatures_may_match_and_other_schemes_are_ignored() {
        let header = format!("t={T},v1={},v0=abc,v1={SIG}", "00".repeat(32));
        assert_eq!(verify(&header, BODY, SECRET, T, TOLERANCE_SECS), Ok(T));
    }

    #[test]
    fn tampering_old_timestamps_and_malformed_headers_are_refused() {
        let header = format!("t={T},v1={SIG}");
        assert_eq!(
            verify(&header, br#"{"id":"evt_other"}"#, SECRET, T, TOLERANCE_SECS),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&header, BODY, "whsec_other", T, TOLERANCE_SECS),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&header, BODY, SECRET, T + 301, TOLERANCE_SECS),
            Err(SignatureError::OutsideTolerance)
        );
        assert_eq!(
            verify(&header, BODY, SECRET, T - 301, TOLERANCE_SECS),
            Err(SignatureError::OutsideTolerance)
        );
        for bad in [
            "",
            "t=abc,v1=00",
            &format!("t={T}"),
            &format!("v1={SIG}"),
            "garbage",
        ] {
            assert_eq!(
                verify(bad, BODY, SECRET, T, TOLERANCE_SECS),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
        let header = format!("t={T},v1=zz{}", &SIG[2..]);
        assert_eq!(
            verify(&header, BODY, SECRET, T, TOLERANCE_SECS),
            Err(SignatureError::Mismatch)
        );
    }
}
