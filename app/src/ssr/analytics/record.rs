//! Writing raw events, with the consent rule in one place: a signed-in learner's events
//! are written only if they allowed analytics; an anonymous visitor's are written without
//! any identifier (no cookie is set for them); a signed-in learner who did not allow it
//! leaves no trace at all.

use crate::ssr::access::Viewer;
use crate::ssr::db::{execute, Db, DbError};
use serde_json::json;

/// Longest search text kept.
const MAX_QUERY_CHARS: usize = 80;

/// Who an event is recorded for, or `None` when nothing may be recorded.
fn subject(viewer: &Viewer) -> Option<Option<&str>> {
    match viewer {
        Viewer::Anonymous => Some(None),
        Viewer::User(u) if u.consent_analytics => Some(Some(u.user_key.as_str())),
        Viewer::User(_) => None,
    }
}

/// Where a visit came from, as stored with it:
/// - a `utm_source` in the page's address (lower-cased, letters, digits, `.`, `-`, `_`),
///   followed by ` / medium` and ` / campaign` when `utm_medium` and `utm_campaign` are there;
/// - otherwise the referring site's domain (without `www.`);
/// - `direct` when the browser sent no referrer;
/// - `None` for a move inside the store (the referrer is the store itself).
///
/// ```
/// use app::ssr::analytics::record::traffic_source;
/// let own = "shuzhai.test";
/// assert_eq!(traffic_source(Some("https://www.zhihu.com/q/1"), None, own).as_deref(), Some("zhihu.com"));
/// assert_eq!(traffic_source(Some("http://shuzhai.test/catalog"), None, own), None);
/// assert_eq!(traffic_source(None, Some("utm_source=Newsletter&x=1"), own).as_deref(), Some("newsletter"));
/// assert_eq!(
///     traffic_source(None, Some("utm_campaign=spring&utm_source=weibo&utm_medium=social"), own).as_deref(),
///     Some("weibo / social / spring")
/// );
/// assert_eq!(traffic_source(None, None, own).as_deref(), Some("direct"));
/// ```
pub fn traffic_source(
    referer: Option<&str>,
    query: Option<&str>,
    own_host: &str,
) -> Option<String> {
    let utm = |name: &str| {
        query.and_then(|q| {
            q.split('&').find_map(|pair| {
                let (k, v) = pair.split_once('=')?;
                (k == name).then(|| clean_source(v)).flatten()
            })
        })
    };
    if let Some(source) = utm("utm_source") {
        // A tagged link: its source, then its medium and campaign when it names them.
        let parts: Vec<String> = [Some(source), utm("utm_medium"), utm("utm_campaign")]
            .into_iter()
            .flatten()
            .collect();
        return Some(parts.join(" / "));
    }
    let Some(referer) = referer.filter(|r| !r.trim().is_empty()) else {
        return Some("direct".into());
    };
    let host = referer
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(referer)
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    let host = host.rsplit_once('@').map(|(_, h)| h).unwrap_or(host);
    if host.eq_ignore_ascii_case(own_host) {
        return None;
    }
    let bare = host.split(':').next().unwrap_or(host);
    clean_source(bare.strip_prefix("www.").unwrap_or(bare)).or(Some("direct".into()))
}

fn clean_source(s: &str) -> Option<String> {
    let cleaned: String = s
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .take(60)
        .collect::<String>()
        .to_ascii_lowercase();
    (!cleaned.is_empty()).then_some(cleaned)
}

/// An item page was opened: a `view`, and a `preview` too when the item is paid and the
/// viewer may read only its free part. `source` is where a landing came from (see
/// [`traffic_source`]); `None` inside the store.
pub async fn item_view(
    db: &Db,
    viewer: &Viewer,
    item_key: &str,
    preview: bool,
    source: Option<String>,
) -> Result<(), DbError> {
    let Some(user) = subject(viewer) else {
        return Ok(());
    };
    execute(
        db,
        "record a view",
        "LET $u = IF $user != NONE THEN type::record('user', $user) END;
         CREATE event SET user = $u, item = type::record('item', $item), kind = 'view', source = $source, at = time::now();
         IF $preview { CREATE event SET user = $u, item = type::record('item', $item), kind = 'preview', at = time::now() };",
        json!({ "user": user, "item": item_key, "preview": preview, "source": source }),
    )
    .await
}

/// A learner reached `value` (0 … 1) of an item in the reader.
pub async fn progress(db: &Db, viewer: &Viewer, item_key: &str, value: f64) -> Result<(), DbError> {
    let Some(Some(user)) = subject(viewer) else {
        return Ok(());
    };
    execute(
        db,
        "record progress",
        "CREATE event SET user = type::record('user', $user), item = type::record('item', $item),
             kind = 'progress', value = $value, at = time::now();",
        json!({ "user": user, "item": item_key, "value": value }),
    )
    .await
}

/// A learner rated an item `value` stars (1 … 5) in a review.
pub async fn rating(db: &Db, viewer: &Viewer, item_key: &str, value: f64) -> Result<(), DbError> {
    let Some(Some(user)) = subject(viewer) else {
        return Ok(());
    };
    execute(
        db,
        "record rating",
        "CREATE event SET user = type::record('user', $user), item = type::record('item', $item),
             kind = 'rating', value = $value, at = time::now();",
        json!({ "user": user, "item": item_key, "value": value }),
    )
    .await
}

/// Someone liked an item.
pub async fn like(db: &Db, viewer: &Viewer, item_key: &str) -> Result<(), DbError> {
    let Some(Some(user)) = subject(viewer) else {
        return Ok(());
    };
    execute(
        db,
        "record like",
        "CREATE event SET user = type::record('user', $user), item = type::record('item', $item),
             kind = 'like', at = time::now();",
        json!({ "user": user, "item": item_key }),
    )
    .await
}

/// A catalogue search for `text` (trimmed, lower-cased, at most 80 characters).
pub async fn search(db: &Db, viewer: &Viewer, text: &str) -> Result<(), DbError> {
    let Some(user) = subject(viewer) else {
        return Ok(());
    };
    let text: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .chars()
        .take(MAX_QUERY_CHARS)
        .collect();
    if text.is_empty() {
        return Ok(());
    }
    execute(
        db,
        "record a search",
        "CREATE event SET user = IF $user != NONE THEN type::record('user', $user) END, kind = 'search', query = $q, at = time::now();",
        json!({ "user": user, "q": text }),
    )
    .await
}

/// The source of the request being handled, for [`item_view`]: from its `Referer` and,
/// for a page load, the `utm_source` of its address. `own_host` is the store's host.
pub fn request_source(own_host: &str) -> Option<String> {
    let parts = leptos::prelude::use_context::<http::request::Parts>()?;
    let referer = parts
        .headers
        .get(http::header::REFERER)
        .and_then(|v| v.to_str().ok());
    // A server-function call from the hydrated page carries the page as referrer: a move
    // inside the store. Only a page load's own address can carry utm parameters.
    let query = (!parts.uri.path().starts_with("/api/"))
        .then(|| parts.uri.query())
        .flatten();
    let host = parts
        .headers
        .get(http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or(own_host);
    // The configured origin or the host the browser asked for: either is the store.
    traffic_source(referer, query, host)?;
    traffic_source(referer, query, own_host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_cleaned_and_own_pages_are_inside() {
        let own = "shuzhai.test";
        assert_eq!(
            traffic_source(Some("https://t.co"), None, own).as_deref(),
            Some("t.co")
        );
        assert_eq!(
            traffic_source(Some("https://user:pw@evil.example:8080/x"), None, own).as_deref(),
            Some("evil.example")
        );
        assert_eq!(
            traffic_source(None, Some("utm_source=%3Cscript%3E"), own).as_deref(),
            Some("3cscript3e")
        );
        assert_eq!(
            traffic_source(Some("https://SHUZHAI.TEST/x"), None, own),
            None
        );
        // An empty utm_source falls back to the referrer.
        assert_eq!(
            traffic_source(Some("https://douban.com/"), Some("utm_source="), own).as_deref(),
            Some("douban.com")
        );
    }
}
