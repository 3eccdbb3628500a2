//! `/sitemap.xml` and `/robots.txt`: the published pages search engines may list — the home
//! page, the catalog and its categories, every published item and every creator. Drafts,
//! hidden items and private pages are never in it (it is built from the published catalog).

use app::ssr::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::fmt::Write;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// `GET /sitemap.xml`.
pub async fn sitemap(State(state): State<AppState>) -> Response {
    let origin = state.auth.origin.trim_end_matches('/').to_string();
    let index = state.catalog.index();
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut url = |path: &str, lastmod: Option<&str>| {
        let _ = write!(
            xml,
            "  <url><loc>{}</loc>",
            escape(&format!("{origin}{path}"))
        );
        if let Some(day) = lastmod.and_then(|d| d.get(..10)) {
            let _ = write!(xml, "<lastmod>{}</lastmod>", escape(day));
        }
        xml.push_str("</url>\n");
    };
    url("/", None);
    url("/catalog", None);
    for c in index.facets().categories {
        url(&format!("/catalog?category={}", c.slug), None);
    }
    let mut creators: Vec<&str> = index.creator_slugs().collect();
    creators.sort_unstable();
    for c in creators {
        url(&format!("/creator/{c}"), None);
    }
    let mut cards = index.cards();
    cards.sort_by(|a, b| a.slug.cmp(&b.slug));
    for card in &cards {
        url(&format!("/item/{}", card.slug), Some(&card.published));
    }
    xml.push_str("</urlset>\n");
    (
        [
            (header::CONTENT_TYPE, "application/xml; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=600"),
        ],
        xml,
    )
        .into_response()
}

/// `GET /robots.txt`: everything public may be crawled; account, studio, admin and API
/// paths may not; where the sitemap is.
pub async fn robots(State(state): State<AppState>) -> Response {
    let origin = state.auth.origin.trim_end_matches('/');
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!(
            "User-agent: *\nDisallow: /api/\nDisallow: /account\nDisallow: /studio/\nDisallow: /admin/\nDisallow: /cart\nDisallow: /orders\nDisallow: /library\nDisallow: /read/\n\nSitemap: {origin}/sitemap.xml\n"
        ),
    )
        .into_response()
}
