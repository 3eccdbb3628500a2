//! The browser entry point: hydrates the page the server rendered, so that links, forms
//! and server functions run client-side from then on.

/// Called by the generated JavaScript once the wasm module is loaded. Pages that live in
/// wasm files of their own (see `app::routes`) are fetched first, so hydration finishes
/// asynchronously; `data-hydrated` marks the document once it has.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = document.body() else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        leptos::mount::hydrate_from_async(body, app::App)
            .await
            .forget();
        // Marks the document as interactive (styles and end-to-end tests can rely on it).
        if let Some(root) = document.document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
        // Keeps what is opened readable offline (see public/sw.js).
        app::offline::register_worker();
    });
}
