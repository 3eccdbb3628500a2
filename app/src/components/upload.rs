//! Uploading a file to the store with a progress bar (the browser's `XMLHttpRequest`, whose
//! upload reports progress; `fetch` does not), and the button that starts it.

use crate::models::media::{MediaKind, MediaRef};
use leptos::prelude::*;

/// A button that uploads the chosen file as `kind` and hands the stored file to `done`,
/// with the upload's progress and any refusal shown beside it.
#[component]
pub fn UploadChoice(
    /// What may be chosen.
    kind: MediaKind,
    /// The button's text.
    label: &'static str,
    /// `data-testid` of the file input.
    testid: &'static str,
    /// Gets the stored file.
    done: Callback<MediaRef>,
) -> impl IntoView {
    let locale = crate::components::forms::use_locale();
    let progress = RwSignal::new(None::<(String, f64)>);
    let error = RwSignal::new(None::<String>);
    let on_change = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        chosen(ev, kind, progress, error, locale, move |m| done.run(m));
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, locale, done);
    };
    view! {
        <label class="button secondary upload-choice">
            {label}
            <input type="file" class="visually-hidden" accept=kind.accept() data-testid=testid on:change=on_change />
        </label>
        {move || progress.get().map(|(_, share)| view! { <progress max="1" value=share.to_string()></progress> })}
        {move || error.get().map(|e| view! { <p class="notice-warn" role="alert">{e}</p> })}
    }
}

#[cfg(feature = "hydrate")]
pub use send::chosen;

#[cfg(feature = "hydrate")]
mod send {
    use super::*;
    use crate::models::i18n::Locale;
    use crate::models::media::human_size;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    pub fn chosen(
        ev: leptos::ev::Event,
        kind: MediaKind,
        progress: RwSignal<Option<(String, f64)>>,
        error: RwSignal<Option<String>>,
        locale: Locale,
        done: impl Fn(MediaRef) + 'static,
    ) {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        // The same file can be chosen again (to restart a failed upload).
        input.set_value("");
        error.set(None);
        let size = file.size() as u64;
        if size > kind.limit() {
            error.set(Some(match locale {
                Locale::En => format!(
                    "{} is {}; {} can be at most {}. Nothing was uploaded.",
                    file.name(),
                    human_size(size),
                    kind.as_str(),
                    human_size(kind.limit())
                ),
                Locale::Zh => format!(
                    "{} 大小为 {}，超过上限 {}，未上传。",
                    file.name(),
                    human_size(size),
                    human_size(kind.limit())
                ),
            }));
            return;
        }
        let Ok(xhr) = web_sys::XmlHttpRequest::new() else {
            return;
        };
        let name = file.name();
        let url = format!(
            "/studio/media?kind={}&name={}",
            kind.as_str(),
            String::from(js_sys::encode_uri_component(&name))
        );
        if xhr.open("POST", &url).is_err() {
            return;
        }
        let _ = xhr.set_request_header("Content-Type", "application/octet-stream");
        progress.set(Some((name.clone(), 0.0)));
        if let Ok(up) = xhr.upload() {
            let shown = name.clone();
            let on_progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(
                move |e: web_sys::ProgressEvent| {
                    if e.length_computable() && e.total() > 0.0 {
                        progress.set(Some((shown.clone(), e.loaded() / e.total())));
                    }
                },
            );
            up.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
            on_progress.forget();
        }
        let answer = xhr.clone();
        let on_load = Closure::<dyn FnMut()>::new(move || {
            progress.set(None);
            let status = answer.status().unwrap_or(0);
            let text = answer.response_text().ok().flatten().unwrap_or_default();
            if status == 201 {
                if let Ok(media) = serde_json::from_str::<MediaRef>(&text) {
                    done(media);
                    return;
                }
            }
            let said = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| v["error"].as_str().map(str::to_string));
            error.set(Some(said.unwrap_or_else(|| {
                format!(
                    "{} ({status})",
                    locale.pick("The upload failed", "上传失败")
                )
            })));
        });
        xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));
        on_load.forget();
        let on_error = Closure::<dyn FnMut()>::new(move || {
            progress.set(None);
            error.set(Some(
                locale
                    .pick(
                        "The upload stopped (the network dropped). Choose the file again to restart it.",
                        "上传中断（网络断开）。请重新选择文件以重新上传。",
                    )
                    .into(),
            ));
        });
        xhr.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        let _ = xhr.send_with_opt_blob(Some(&file));
    }
}
