//! `GET /pkg/<file>`: the wasm bundle, its JavaScript glue and the stylesheet.
//!
//! `build_release` (in `.ci/tools.sh`) compresses each of them once with brotli at its
//! strongest setting and gzip, next to the file (`shuzhai.wasm.br`). A browser that accepts
//! one of those gets it as it is — a third smaller than compressing on the fly, and no work
//! per request. A compressed copy older than its file (a build that did not compress) is
//! never used: the file goes out and is compressed on the fly as before. Every answer has an
//! `ETag`, so a browser that has the file gets a 304.

use app::ssr::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::time::UNIX_EPOCH;

/// The content type of a bundle file, or `None` for a name we do not serve.
fn content_type(name: &str) -> Option<&'static str> {
    let plain = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
        && !name.starts_with('.');
    if !plain {
        return None;
    }
    match name.rsplit_once('.')?.1 {
        "wasm" => Some("application/wasm"),
        "js" => Some("text/javascript; charset=utf-8"),
        "css" => Some("text/css; charset=utf-8"),
        _ => None,
    }
}

/// The encodings the request accepts, of those we keep copies in, best first.
fn accepted(headers: &HeaderMap) -> Vec<(&'static str, &'static str)> {
    let accept = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let takes = |name: &str| {
        accept.split(',').any(|part| {
            let mut pieces = part.split(';');
            let coding = pieces.next().unwrap_or("").trim();
            let refused = pieces.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    == Some(0.0)
            });
            coding.eq_ignore_ascii_case(name) && !refused
        })
    };
    [("br", "br"), ("gzip", "gz")]
        .into_iter()
        .filter(|(coding, _)| takes(coding))
        .collect()
}

/// Size and modification time (seconds) of `path`, if it is a file.
async fn stamp(path: &std::path::Path) -> Option<(u64, u64)> {
    let meta = tokio::fs::metadata(path).await.ok()?;
    let modified = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    meta.is_file().then_some((meta.len(), modified.as_secs()))
}

/// Serves one bundle file, precompressed when possible.
pub async fn pkg(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(kind) = content_type(&name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let dir = std::path::Path::new(state.leptos_options.site_root.as_ref()).join("pkg");
    let file = dir.join(&name);
    let Some((len, modified)) = stamp(&file).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // The copy to send: the first accepted encoding whose file is at least as new.
    let mut chosen = (file.clone(), None, len);
    for (coding, ext) in accepted(&headers) {
        let copy = dir.join(format!("{name}.{ext}"));
        if let Some((copy_len, copy_modified)) = stamp(&copy).await {
            if copy_modified >= modified {
                chosen = (copy, Some(coding), copy_len);
                break;
            }
        }
    }
    let (path, coding, size) = chosen;
    let etag = format!(
        "\"{len:x}-{modified:x}{}\"",
        coding.map(|c| format!("-{c}")).unwrap_or_default()
    );
    let mut out = HeaderMap::new();
    out.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    out.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    // The names do not change between builds: the browser asks again each time and gets
    // a 304 while the file is the same.
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        out.insert(header::ETAG, v);
    }
    if let Some(c) = coding {
        out.insert(header::CONTENT_ENCODING, HeaderValue::from_static(c));
    }
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    if unchanged {
        return (StatusCode::NOT_MODIFIED, out).into_response();
    }
    match tokio::fs::read(&path).await {
        Ok(bytes) => {
            out.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
            (out, bytes).into_response()
        }
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn only_bundle_files_with_plain_names_are_served() {
        assert_eq!(content_type("shuzhai.wasm"), Some("application/wasm"));
        assert_eq!(content_type("shuzhai.css"), Some("text/css; charset=utf-8"));
        assert_eq!(content_type("shuzhai.wasm.br"), None);
        assert_eq!(content_type("../Cargo.toml"), None);
        assert_eq!(content_type(".hidden.js"), None);
        assert_eq!(content_type("shuzhai.d.ts"), None);
    }

    #[test]
    fn brotli_is_preferred_and_a_refused_encoding_is_not_sent() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            m
        };
        assert_eq!(
            accepted(&h("gzip, deflate, br, zstd")),
            vec![("br", "br"), ("gzip", "gz")]
        );
        assert_eq!(accepted(&h("gzip;q=1.0, br;q=0")), vec![("gzip", "gz")]);
        assert!(accepted(&HeaderMap::new()).is_empty());
    }
}
