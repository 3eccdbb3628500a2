//! A short-lived cache of rendered pages for anonymous visitors.
//!
//! Every anonymous visitor sees the same catalog, item preview and creator pages, so a page
//! rendered once can answer the same URL for a few seconds. Only `GET` requests for page
//! routes without a `Cookie` header are cached (signed-in visitors and anything personal
//! always render fresh), only complete `200`/`404` HTML responses are stored, and the whole
//! cache is dropped whenever the catalog is reloaded.

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Largest page body read into the cache (our pages are tens of kilobytes).
const MAX_BODY: usize = 8 * 1024 * 1024;
/// Most URLs kept at once; when full, the cache starts over.
const MAX_ENTRIES: usize = 2_000;

#[derive(Clone)]
struct Entry {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    stored: Instant,
    generation: u64,
}

/// The cache, shared by all requests.
pub struct PageCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, Entry>>,
    catalog: Arc<app::ssr::catalog::CatalogService>,
}

impl PageCache {
    /// A cache whose entries live for `ttl` (zero turns caching off) and are dropped when
    /// `catalog` reloads.
    pub fn new(ttl: Duration, catalog: Arc<app::ssr::catalog::CatalogService>) -> Self {
        PageCache {
            ttl,
            entries: Mutex::new(HashMap::new()),
            catalog,
        }
    }

    fn get(&self, key: &str) -> Option<Entry> {
        let generation = self.catalog.generation();
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|e| e.generation == generation && e.stored.elapsed() < self.ttl)
            .cloned()
    }

    fn put(&self, key: String, entry: Entry) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(key, entry);
        }
    }
}

/// Whether a request may be answered from (and stored in) the cache.
fn cacheable(req: &Request) -> bool {
    let path = req.uri().path();
    req.method() == Method::GET
        && !req.headers().contains_key(header::COOKIE)
        && !req.headers().contains_key(header::AUTHORIZATION)
        && (path == "/"
            || path == "/catalog"
            || path.starts_with("/item/")
            || path.starts_with("/creator/"))
}

fn response(entry: Entry) -> Response {
    let mut res = Response::new(Body::from(entry.body));
    *res.status_mut() = entry.status;
    *res.headers_mut() = entry.headers;
    res
}

/// Axum middleware: answer from the cache or render and remember.
pub async fn serve_cached(
    State(cache): State<Arc<PageCache>>,
    req: Request,
    next: Next,
) -> Response {
    if cache.ttl.is_zero() || !cacheable(&req) {
        return next.run(req).await;
    }
    let key = req.uri().to_string();
    if let Some(hit) = cache.get(&key) {
        return response(hit);
    }
    let generation = cache.catalog.generation();
    let res = next.run(req).await;
    let storable = matches!(res.status(), StatusCode::OK | StatusCode::NOT_FOUND)
        && !res.headers().contains_key(header::SET_COOKIE)
        && res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
    if !storable {
        return res;
    }
    let (parts, body) = res.into_parts();
    match to_bytes(body, MAX_BODY).await {
        Ok(body) => {
            let entry = Entry {
                status: parts.status,
                headers: parts.headers,
                body,
                stored: Instant::now(),
                generation,
            };
            cache.put(key, entry.clone());
            response(entry)
        }
        Err(e) => {
            tracing::error!(error = %e, "rendering a page failed");
            let mut res = Response::new(Body::empty());
            *res.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            res
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::ssr::catalog::CatalogService;
    use app::ssr::db::{connect, DbConfig};
    use axum::response::Html;
    use axum::routing::get;
    use axum::Router;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tower::ServiceExt;

    async fn body(router: &Router, req: Request) -> String {
        let res = router.clone().oneshot(req).await.expect("response");
        String::from_utf8(
            to_bytes(res.into_body(), 1024)
                .await
                .expect("body")
                .to_vec(),
        )
        .expect("utf-8")
    }

    fn get_req(path: &str) -> Request {
        Request::builder()
            .uri(path)
            .body(Body::empty())
            .expect("request")
    }

    #[tokio::test]
    async fn anonymous_pages_are_reused_until_the_catalog_changes() {
        let db = connect(&DbConfig::memory()).await.expect("db");
        app::ssr::migrate::run(&db).await.expect("migrate");
        let catalog = Arc::new(CatalogService::load(db).await.expect("catalog"));
        let renders = Arc::new(AtomicUsize::new(0));
        let counter = renders.clone();
        let cache = Arc::new(PageCache::new(Duration::from_secs(60), catalog.clone()));
        let router = Router::new()
            .route(
                "/catalog",
                get(move || {
                    let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                    async move { Html(format!("render {n}")) }
                }),
            )
            .layer(axum::middleware::from_fn_with_state(cache, serve_cached));

        assert_eq!(body(&router, get_req("/catalog")).await, "render 1");
        assert_eq!(
            body(&router, get_req("/catalog")).await,
            "render 1",
            "second visit is served from the cache"
        );
        assert_eq!(
            body(&router, get_req("/catalog?kind=audio")).await,
            "render 2",
            "another URL renders"
        );
        let with_cookie = Request::builder()
            .uri("/catalog")
            .header(header::COOKIE, "id=1")
            .body(Body::empty())
            .expect("req");
        assert_eq!(
            body(&router, with_cookie).await,
            "render 3",
            "visitors with a cookie always get a fresh page"
        );
        catalog.refresh().await.expect("refresh");
        assert_eq!(
            body(&router, get_req("/catalog")).await,
            "render 4",
            "a catalog reload drops cached pages"
        );
        assert_eq!(renders.load(Ordering::SeqCst), 4);
    }
}
