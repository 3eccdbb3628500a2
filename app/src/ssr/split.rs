//! The wasm files of the pages: which ones a server-rendered page makes the browser fetch
//! at once.
//!
//! The release site is built with `cargo leptos build --split`: each group of pages (see
//! `crate::routes`) is a wasm module of its own, plus chunks of code some groups share.
//! The build lists them in `pkg/__wasm_split_manifest.json`. A page that answers with a
//! `Link: <…>; rel=preload` header for its group's files has them fetched alongside the
//! main bundle, instead of only once the main bundle has started and asks for them.

use std::collections::HashMap;
use std::sync::OnceLock;

use http::header::{HeaderValue, LINK};
use leptos::prelude::*;

/// The build's manifest: module → the files it needs (without `.wasm`). Empty when the
/// site was built without `--split` (tests), so no page names any file then.
fn manifest(options: &LeptosOptions) -> &'static HashMap<String, Vec<String>> {
    static MANIFEST: OnceLock<HashMap<String, Vec<String>>> = OnceLock::new();
    MANIFEST.get_or_init(|| {
        let path = std::path::Path::new(options.site_root.as_ref())
            .join(options.site_pkg_dir.as_ref())
            .join("__wasm_split_manifest.json");
        std::fs::read_to_string(path)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    })
}

/// The `Link` header value that preloads `files` from the site's `pkg` directory, at low
/// priority: the page's stylesheet and pictures, which it needs to be read, come first
/// (at the default, high priority, a phone on slow 4G showed the item page 1.9 s later).
pub fn link_header(pkg: &str, files: &[String]) -> String {
    files
        .iter()
        .map(|f| {
            format!("</{pkg}/{f}.wasm>; rel=preload; as=fetch; crossorigin; fetchpriority=low")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Makes the page being rendered preload the files of wasm module `module`.
pub fn preload(module: &str) {
    let (Ok(state), Some(response)) = (
        crate::ssr::state::app_state(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let options = &state.leptos_options;
    let Some(files) = manifest(options).get(module) else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&link_header(&options.site_pkg_dir, files)) {
        response.append_header(LINK, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_each_file_as_a_fetch_preload() {
        let files = vec!["split_store".to_string(), "chunk_3".to_string()];
        assert_eq!(
            link_header("pkg", &files),
            "</pkg/split_store.wasm>; rel=preload; as=fetch; crossorigin; fetchpriority=low, \
             </pkg/chunk_3.wasm>; rel=preload; as=fetch; crossorigin; fetchpriority=low"
        );
    }
}
