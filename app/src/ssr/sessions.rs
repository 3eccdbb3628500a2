//! Sessions: a random secret in an `HttpOnly` cookie, and a `session` record keyed by the
//! secret's SHA-256 (so a copy of the database holds no usable session).
//!
//! A session ends when it was idle for [`IDLE`], when it is [`ABSOLUTE`] old, when the person
//! signs out (here or everywhere), changes or resets their password, or deletes the account.
//! Its id changes on sign-in and whenever the person's privileges change.

use super::access::SignedIn;
use super::db::{execute, record_key, rows, Db, DbError};
use crate::models::account::{Role, SessionInfo};
use crate::models::i18n::Locale;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

/// The cookie's name.
pub const COOKIE: &str = "sz_session";
/// A session unused this long ends (seconds): 14 days. (`last_seen` is written at most
/// every five minutes.)
pub const IDLE_SECS: u64 = 14 * 24 * 3600;
/// A session ends this long after sign-in whatever happens (seconds): 30 days.
pub const ABSOLUTE_SECS: u64 = 30 * 24 * 3600;

/// A fresh 256-bit secret, URL-safe base64.
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The record key under which a secret (session, reset link, confirmation link) is stored.
pub fn token_key(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `token` looks like one of ours (43 URL-safe characters): anything else is
/// rejected without a database read.
pub fn plausible_token(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A `Set-Cookie` value for one of the store's own cookies: the whole site, invisible to
/// scripts, not sent on cross-site requests, `Secure` over https. `max_age` 0 removes it.
pub fn set_cookie(name: &str, value: &str, max_age: u64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The value of cookie `name` in a `Cookie` header, if it is there and not empty.
pub fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.trim())
        .filter(|v| !v.is_empty())
}

/// The `Set-Cookie` value that stores `token`.
pub fn cookie(token: &str, secure: bool) -> String {
    set_cookie(COOKIE, token, ABSOLUTE_SECS, secure)
}

/// The `Set-Cookie` value that removes the cookie.
pub fn clear_cookie(secure: bool) -> String {
    set_cookie(COOKIE, "", 0, secure)
}

/// The session secret from a `Cookie` header, if there is one.
pub fn token_from_cookie_header(header: &str) -> Option<&str> {
    cookie_value(header, COOKIE)
}

/// Starts a session for `user_key` on `device`; returns the cookie's secret.
pub async fn create(db: &Db, user_key: &str, device: &str) -> Result<String, DbError> {
    let token = new_token();
    let public: [u8; 9] = rand::random();
    execute(
        db,
        "create session",
        "CREATE type::record('session', $key) SET user = type::record('user', $user), \
         public_id = $public, device = $device, created_at = time::now(), last_seen = time::now(), \
         expires_at = time::now() + 30d",
        json!({
            "key": token_key(&token),
            "user": user_key,
            "public": URL_SAFE_NO_PAD.encode(public),
            "device": device.chars().take(80).collect::<String>(),
        }),
    )
    .await?;
    Ok(token)
}

#[derive(Deserialize)]
struct Row {
    user_id: Option<String>,
    email: Option<String>,
    display_name: Option<String>,
    roles: Option<Vec<String>>,
    locale: Option<String>,
    consent_analytics: Option<bool>,
    consent_personalisation: Option<bool>,
    unread: Option<u32>,
    expired: bool,
    #[serde(default)]
    suspended: bool,
    stale: bool,
    rotate: bool,
}

/// A session found for a cookie.
pub struct Resolved {
    /// Who it belongs to.
    pub signed_in: SignedIn,
    /// A new secret, when the session's id was rotated: the cookie must be replaced.
    pub new_token: Option<String>,
}

/// Looks up the session for the cookie's `token`. Unknown, forged and expired secrets give
/// `None` (an expired session is deleted on the way).
pub async fn resolve(db: &Db, token: &str) -> Result<Option<Resolved>, DbError> {
    if !plausible_token(token) {
        return Ok(None);
    }
    let key = token_key(token);
    let found: Vec<Row> = rows(
        db,
        "resolve session",
        "SELECT <string> user AS user_id, user.email AS email, user.display_name AS display_name, \
         user.roles AS roles, user.locale AS locale, user.consent_analytics AS consent_analytics, \
         user.consent_personalisation AS consent_personalisation, \
         user.unread_notifications AS unread, rotate, user.suspended ?? false AS suspended, \
         (expires_at < time::now() OR last_seen + 14d < time::now()) AS expired, \
         (last_seen + 5m < time::now()) AS stale \
         FROM type::record('session', $key)",
        json!({ "key": key }),
        0,
    )
    .await?;
    let Some(row) = found.into_iter().next() else {
        return Ok(None);
    };
    let (Some(user_id), Some(email), Some(display_name)) =
        (row.user_id, row.email, row.display_name)
    else {
        // The account is gone.
        delete(db, &key).await?;
        return Ok(None);
    };
    if row.expired || row.suspended {
        delete(db, &key).await?;
        return Ok(None);
    }
    let mut session_key = key.clone();
    let mut new_token = None;
    if row.rotate {
        let token = new_token_for_rotation(db, &key).await?;
        session_key = token_key(&token);
        new_token = Some(token);
    } else if row.stale {
        execute(
            db,
            "touch session",
            "UPDATE type::record('session', $key) SET last_seen = time::now()",
            json!({ "key": key }),
        )
        .await?;
    }
    Ok(Some(Resolved {
        signed_in: SignedIn {
            user_key: record_key(&user_id).to_string(),
            session_key,
            email,
            display_name,
            roles: row
                .roles
                .unwrap_or_default()
                .iter()
                .filter_map(|r| Role::parse(r))
                .collect(),
            locale: row
                .locale
                .as_deref()
                .and_then(Locale::parse)
                .unwrap_or_default(),
            consent_analytics: row.consent_analytics.unwrap_or(false),
            consent_personalisation: row.consent_personalisation.unwrap_or(false),
            unread: row.unread.unwrap_or(0),
        },
        new_token,
    }))
}

/// Moves the session stored under `old_key` to a new secret (same device, same expiry);
/// returns the new secret. The old record goes first: the public id is unique.
async fn new_token_for_rotation(db: &Db, old_key: &str) -> Result<String, DbError> {
    let token = new_token();
    execute(
        db,
        "rotate session",
        "BEGIN; \
         LET $old = (SELECT * FROM ONLY type::record('session', $old_key)); \
         DELETE type::record('session', $old_key); \
         CREATE type::record('session', $new_key) SET user = $old.user, public_id = $old.public_id, \
           device = $old.device, created_at = $old.created_at, last_seen = time::now(), \
           expires_at = $old.expires_at, rotate = false; \
         COMMIT;",
        json!({ "old_key": old_key, "new_key": token_key(&token) }),
    )
    .await?;
    Ok(token)
}

/// Ends one session.
pub async fn delete(db: &Db, session_key: &str) -> Result<(), DbError> {
    execute(
        db,
        "delete session",
        "DELETE type::record('session', $key)",
        json!({ "key": session_key }),
    )
    .await
}

/// Ends every session of `user_key` except `keep` (when given).
pub async fn delete_all(db: &Db, user_key: &str, keep: Option<&str>) -> Result<(), DbError> {
    execute(
        db,
        "delete sessions",
        "DELETE session WHERE user = type::record('user', $user) AND record::id(id) != $keep",
        json!({ "user": user_key, "keep": keep }),
    )
    .await
}

/// Marks every session of `user_key` for a new id on its next request (after a role change).
pub async fn mark_for_rotation(db: &Db, user_key: &str) -> Result<(), DbError> {
    execute(
        db,
        "mark sessions for rotation",
        "UPDATE session SET rotate = true WHERE user = type::record('user', $user)",
        json!({ "user": user_key }),
    )
    .await
}

/// The signed-in devices of `user_key`, most recent first.
pub async fn list(db: &Db, user_key: &str, current_key: &str) -> Result<Vec<SessionInfo>, DbError> {
    #[derive(Deserialize)]
    struct S {
        id: String,
        public_id: String,
        device: String,
        created_at: String,
        last_seen: String,
    }
    let found: Vec<S> = rows(
        db,
        "list sessions",
        "SELECT id, public_id, device, <string> created_at AS created_at, <string> last_seen AS last_seen \
         FROM session WHERE user = type::record('user', $user) AND expires_at > time::now() ORDER BY last_seen DESC",
        json!({ "user": user_key }),
        0,
    )
    .await?;
    Ok(found
        .into_iter()
        .map(|s| SessionInfo {
            current: record_key(&s.id) == current_key,
            id: s.public_id,
            device: s.device,
            created_at: s.created_at,
            last_seen: s.last_seen,
        })
        .collect())
}

/// Ends the session of `user_key` called `public_id` on the account page; returns whether
/// there was one.
pub async fn revoke(db: &Db, user_key: &str, public_id: &str) -> Result<bool, DbError> {
    let gone: Vec<serde_json::Value> = rows(
        db,
        "revoke session",
        "DELETE session WHERE user = type::record('user', $user) AND public_id = $public RETURN BEFORE",
        json!({ "user": user_key, "public": public_id }),
        0,
    )
    .await?;
    Ok(!gone.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed_for_storage() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert!(plausible_token(&a));
        assert_eq!(token_key(&a).len(), 64);
        assert_ne!(token_key(&a), a);
        assert!(!plausible_token("short"));
        assert!(!plausible_token(&"a".repeat(42)));
        assert!(!plausible_token(&format!("{}'", "a".repeat(42))));
    }

    #[test]
    fn cookies_are_http_only_lax_and_secure_over_https() {
        let c = cookie("t", true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Secure"));
        assert!(!cookie("t", false).contains("Secure"));
        assert!(clear_cookie(false).contains("Max-Age=0"));
        assert_eq!(
            token_from_cookie_header("a=1; sz_session=abc; b=2"),
            Some("abc")
        );
        assert_eq!(token_from_cookie_header("a=1"), None);
        assert_eq!(token_from_cookie_header("sz_session="), None);
    }
}
