//! The browser entry point: hydrates the page the server rendered, so that links, forms
//! and server functions run client-side from then on.

/// Called by the generated JavaScript once the wasm module is loaded.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // Marks the document as interactive (styles and end-to-end tests can rely on it).
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-hydrated", "true");
    }
    // Keeps what is opened readable offline (see public/sw.js).
    app::offline::register_worker();
}
