//! The request layers every response passes through: security headers, the cross-site
//! request check, and the session lookup that tells server functions who is asking.

use app::ssr::access::{ClientIp, SignedIn, Viewer};
use app::ssr::sessions;
use app::ssr::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;

/// The Content-Security-Policy: scripts and styles only from this site (the wasm bundle
/// needs `wasm-unsafe-eval`), nothing from any other host, no framing.
pub fn content_security_policy(nonce: Option<&str>) -> String {
    let script = match nonce {
        Some(n) => format!("script-src 'self' 'wasm-unsafe-eval' 'nonce-{n}'"),
        None => "script-src 'self' 'wasm-unsafe-eval'".to_string(),
    };
    format!(
        "default-src 'self'; {script}; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; font-src 'self'; manifest-src 'self'; worker-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The nonce of one request's inline scripts, made by [`security_headers`] before the
/// request reaches Leptos.
#[derive(Debug, Clone)]
pub struct PageNonce(pub String);

/// Per-page context: Leptos puts the request's own nonce (from [`security_headers`]) on the
/// page's inline scripts, the same one the response's policy names. (Leptos makes a nonce
/// of its own per page too, and sets headers through `ResponseOptions`; a page whose policy
/// came out without its nonce now and then, and so never hydrated, is why the layer, not
/// the page, decides the header.)
pub fn page_policy() {
    use leptos::prelude::{provide_context, use_context};
    // Without request parts this is not a page being rendered for a request (the route
    // list is made this way at start-up, static files are answered this way).
    let Some(parts) = use_context::<axum::http::request::Parts>() else {
        return;
    };
    match parts.extensions.get::<PageNonce>() {
        Some(PageNonce(n)) => provide_context(leptos::nonce::Nonce::from_value(n.clone())),
        None => tracing::warn!(path = %parts.uri, "a page rendered without its request's nonce"),
    }
}

/// Adds the security headers to every response. An HTML page's policy allows the inline
/// scripts carrying this request's nonce (see [`page_policy`]); every other answer gets the
/// policy without one.
pub async fn security_headers(State(hsts): State<bool>, mut req: Request, next: Next) -> Response {
    let nonce = leptos::nonce::Nonce::new().to_string();
    req.extensions_mut().insert(PageNonce(nonce.clone()));
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let html = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let policy = content_security_policy(html.then_some(nonce.as_str()));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_str(&policy).unwrap_or(HeaderValue::from_static("default-src 'self'")),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if hsts {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    res
}

/// Whether a request that changes state came from another site. Browsers say so in
/// `Sec-Fetch-Site`; older ones only send `Origin`, which must then be this site.
/// Requests with neither (not from a browser) cannot carry a victim's cookies across sites.
pub fn is_cross_site(headers: &HeaderMap, public_origin: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return !matches!(site.to_str(), Ok("same-origin") | Ok("none"));
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let Ok(origin) = origin.to_str() else {
            return true;
        };
        if origin == public_origin {
            return false;
        }
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        let origin_host = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"));
        return origin_host.is_none() || origin_host != host;
    }
    false
}

/// Refuses state-changing requests from other sites with 403 (Leptos has no CSRF
/// protection of its own; every server function that changes state is a POST).
pub async fn same_site_only(State(origin): State<Arc<str>>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && is_cross_site(req.headers(), &origin) {
        return (
            StatusCode::FORBIDDEN,
            "This request came from another site and was refused.",
        )
            .into_response();
    }
    next.run(req).await
}

/// Lets the editor's calls carry a whole long document
/// ([`EDITOR_BODY_LIMIT`](app::models::editor::EDITOR_BODY_LIMIT)) and uploads a whole
/// file ([`MAX_UPLOAD`](app::models::media::MAX_UPLOAD), each kind with its own limit
/// below that); every other request keeps the store's small body limit, which the layer
/// outside this one sets.
pub async fn editor_body_limit(req: Request, next: Next) -> Response {
    use tower::{Layer, ServiceExt};
    let path = req.uri().path();
    let limit = if path.starts_with("/api/editor_") {
        Some(app::models::editor::EDITOR_BODY_LIMIT)
    } else if path == "/studio/media" {
        Some(app::models::media::MAX_UPLOAD as usize)
    } else if path.starts_with("/studio/uploads/") {
        Some(app::models::media::MAX_CHUNK as usize)
    } else {
        None
    };
    if let Some(limit) = limit {
        let limited = axum::extract::DefaultBodyLimit::max(limit).layer(next);
        match limited.oneshot(req).await {
            Ok(res) => res,
            Err(never) => match never {},
        }
    } else {
        next.run(req).await
    }
}

/// Gives server-function errors their real status. Server functions answer every error
/// with 500; this reads the [`AppError`](app::error::AppError) in the body and sets 4xx
/// where the caller was wrong (and `Retry-After` for too many attempts). Form posts without
/// JavaScript are redirects carrying the error in the URL and are left alone.
pub async fn server_fn_status(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !res.headers().contains_key("serverfnerror")
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, 64 * 1024).await {
        Ok(b) => b,
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    if let Ok(error) = serde_json::from_slice::<app::error::AppError>(&bytes) {
        parts.status = error.status();
        if let app::error::AppError::TooManyRequests { retry_after_secs } = error {
            parts
                .headers
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// Finds the session for the request's cookie and puts the [`Viewer`] (and the client's
/// address) into the request for server functions and routes. A forged, expired or revoked
/// cookie is removed; a rotated session gets its new cookie.
pub async fn session(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if let Some(ConnectInfo(addr)) = req.extensions().get::<ConnectInfo<SocketAddr>>() {
        let ip = addr.ip();
        req.extensions_mut().insert(ClientIp(ip));
    }
    // Static files and generated images are the same for everyone: no session lookup.
    let path = req.uri().path();
    if ["/pkg/", "/covers/", "/avatars/"]
        .iter()
        .any(|p| path.starts_with(p))
    {
        return next.run(req).await;
    }
    let token = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(sessions::token_from_cookie_header)
        .map(str::to_string);
    let mut set_cookie = None;
    if let Some(token) = token {
        match sessions::resolve(&state.db, &token).await {
            Ok(Some(found)) => {
                if let Some(new) = &found.new_token {
                    set_cookie = Some(sessions::cookie(new, state.auth.secure_cookies));
                }
                let signed_in: SignedIn = found.signed_in;
                req.extensions_mut()
                    .insert(Viewer::User(Arc::new(signed_in)));
            }
            Ok(None) => {
                set_cookie = Some(sessions::clear_cookie(state.auth.secure_cookies));
            }
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The store cannot check your sign-in right now. Please try again in a moment.",
                )
                    .into_response();
            }
        }
    }
    let mut res = next.run(req).await;
    if let Some(c) = set_cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn cross_site_is_judged_by_fetch_metadata_then_origin() {
        let o = "https://shop.example";
        assert!(!is_cross_site(
            &headers(&[("sec-fetch-site", "same-origin")]),
            o
        ));
        assert!(is_cross_site(
            &headers(&[("sec-fetch-site", "cross-site")]),
            o
        ));
        assert!(is_cross_site(
            &headers(&[("sec-fetch-site", "same-site")]),
            o
        ));
        assert!(!is_cross_site(
            &headers(&[("origin", "https://shop.example")]),
            o
        ));
        assert!(!is_cross_site(
            &headers(&[
                ("origin", "http://127.0.0.1:3000"),
                ("host", "127.0.0.1:3000")
            ]),
            o
        ));
        assert!(is_cross_site(
            &headers(&[("origin", "https://evil.example"), ("host", "shop.example")]),
            o
        ));
        assert!(is_cross_site(&headers(&[("origin", "null")]), o));
        assert!(!is_cross_site(&headers(&[]), o));
    }

    #[test]
    fn the_policy_allows_no_other_host_and_no_inline_script_without_the_nonce() {
        let p = content_security_policy(Some("abc"));
        assert!(p.contains("script-src 'self' 'wasm-unsafe-eval' 'nonce-abc'"));
        assert!(p.contains("frame-ancestors 'none'"));
        assert!(!p.contains("unsafe-inline"));
        assert!(!p.contains("http"));
        assert!(!content_security_policy(None).contains("nonce"));
    }
}
