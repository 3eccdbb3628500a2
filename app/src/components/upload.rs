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
    use crate::models::media::{human_size, UPLOAD_CHUNK};
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    /// How many times in a row a piece is retried after the network failed.
    const RETRIES: u32 = 6;

    /// Uploads the file chosen in the input of `ev` as `kind`, showing `progress` and any
    /// `error`; `done` gets the stored file. Files larger than one piece go in pieces and
    /// resume after a dropped connection, or when the same file is chosen again.
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
        // The same file can be chosen again (to restart or resume a failed upload).
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
        let name = file.name();
        progress.set(Some((name.clone(), 0.0)));
        leptos::task::spawn_local(async move {
            let sent = if size > UPLOAD_CHUNK {
                in_pieces(&file, kind, &name, progress, locale).await
            } else {
                let url = format!(
                    "/studio/media?kind={}&name={}",
                    kind.as_str(),
                    String::from(js_sys::encode_uri_component(&name))
                );
                let label = name.clone();
                match request("POST", &url, Some(&file), move |share| {
                    progress.set(Some((label.clone(), share)))
                })
                .await
                {
                    Ok((201, text)) => parse_media(&text),
                    Ok((status, text)) => Err(said(&text, status, locale)),
                    Err(()) => Err(dropped(locale)),
                }
            };
            progress.set(None);
            match sent {
                Ok(media) => done(media),
                Err(message) => error.set(Some(message)),
            }
        });
    }

    fn parse_media(text: &str) -> Result<MediaRef, String> {
        serde_json::from_str::<MediaRef>(text).map_err(|e| e.to_string())
    }

    /// The store's own words about a refusal, or the status.
    fn said(text: &str, status: u16, locale: Locale) -> String {
        serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| v["error"].as_str().map(str::to_string))
            .unwrap_or_else(|| {
                format!(
                    "{} ({status})",
                    locale.pick("The upload failed", "上传失败")
                )
            })
    }

    fn dropped(locale: Locale) -> String {
        locale
            .pick(
                "The upload stopped (the network dropped). Choose the file again to continue where it stopped.",
                "上传中断（网络断开）。请重新选择文件，将从中断处继续。",
            )
            .into()
    }

    /// Sends `body` with `method` to `url`; `on_share` hears how much of it went. Answers
    /// the status and text, or `Err` when the network failed.
    async fn request(
        method: &str,
        url: &str,
        body: Option<&web_sys::Blob>,
        on_share: impl Fn(f64) + 'static,
    ) -> Result<(u16, String), ()> {
        let xhr = web_sys::XmlHttpRequest::new().map_err(|_| ())?;
        xhr.open(method, url).map_err(|_| ())?;
        if body.is_some() {
            let _ = xhr.set_request_header("Content-Type", "application/octet-stream");
        }
        let on_progress =
            Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
                if e.length_computable() && e.total() > 0.0 {
                    on_share(e.loaded() / e.total());
                }
            });
        if let Ok(up) = xhr.upload() {
            up.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        }
        let finished = js_sys::Promise::new(&mut |resolve, reject| {
            xhr.set_onload(Some(&resolve));
            xhr.set_onerror(Some(&reject));
            xhr.set_onabort(Some(&reject));
        });
        xhr.send_with_opt_blob(body).map_err(|_| ())?;
        let outcome = JsFuture::from(finished).await;
        drop(on_progress);
        outcome.map_err(|_| ())?;
        let status = xhr.status().unwrap_or(0);
        let text = xhr.response_text().ok().flatten().unwrap_or_default();
        Ok((status, text))
    }

    async fn sleep(ms: i32) {
        let wait = js_sys::Promise::new(&mut |resolve, _| {
            let _ = web_sys::window()
                .map(|w| w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms));
        });
        let _ = JsFuture::from(wait).await;
    }

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window().and_then(|w| w.local_storage().ok().flatten())
    }

    #[derive(serde::Deserialize)]
    struct Progress {
        #[serde(default)]
        id: String,
        received: u64,
    }

    /// Sends `file` in pieces of [`UPLOAD_CHUNK`] bytes, going on from what the store has
    /// after a failure; the upload's id is kept on the device under the file's name, size
    /// and date, so that choosing the same file again resumes it.
    async fn in_pieces(
        file: &web_sys::File,
        kind: MediaKind,
        name: &str,
        progress: RwSignal<Option<(String, f64)>>,
        locale: Locale,
    ) -> Result<MediaRef, String> {
        let size = file.size() as u64;
        let remembered = format!(
            "shuzhai.upload.{}.{name}.{size}.{}",
            kind.as_str(),
            file.last_modified()
        );
        let known = |text: &str| serde_json::from_str::<Progress>(text).map_err(|e| e.to_string());
        // Resume an upload of this file that stopped, if the store still has it.
        let mut resumed = None;
        if let Some(id) = storage().and_then(|s| s.get_item(&remembered).ok().flatten()) {
            if let Ok((200, text)) =
                request("GET", &format!("/studio/uploads/{id}"), None, |_| {}).await
            {
                resumed = known(&text).ok().map(|p| (id, p.received));
            }
        }
        let (id, mut received) = match resumed {
            Some(r) => r,
            None => {
                let url = format!(
                    "/studio/uploads?kind={}&name={}&size={size}",
                    kind.as_str(),
                    String::from(js_sys::encode_uri_component(name))
                );
                match request("POST", &url, None, |_| {}).await {
                    Ok((201, text)) => {
                        let p = known(&text)?;
                        if let Some(s) = storage() {
                            let _ = s.set_item(&remembered, &p.id);
                        }
                        (p.id, 0)
                    }
                    Ok((status, text)) => return Err(said(&text, status, locale)),
                    Err(()) => return Err(dropped(locale)),
                }
            }
        };
        let shown = name.to_string();
        let mut failures = 0;
        while received < size {
            progress.set(Some((shown.clone(), received as f64 / size as f64)));
            let end = (received + UPLOAD_CHUNK).min(size);
            let piece = file
                .slice_with_f64_and_f64(received as f64, end as f64)
                .map_err(|_| dropped(locale))?;
            let (from, label) = (received, shown.clone());
            let sent = request(
                "PUT",
                &format!("/studio/uploads/{id}?offset={received}"),
                Some(&piece),
                move |share| {
                    let at = from as f64 + share * (end - from) as f64;
                    progress.set(Some((label.clone(), at / size as f64)));
                },
            )
            .await;
            match sent {
                Ok((200 | 409, text)) => {
                    received = known(&text)?.received;
                    failures = 0;
                }
                Ok((status, text)) => return Err(said(&text, status, locale)),
                Err(()) => {
                    failures += 1;
                    if failures > RETRIES {
                        return Err(dropped(locale));
                    }
                    // Wait (longer each time), then ask the store where the file stands.
                    sleep(1000 * (1 << failures.min(5))).await;
                    if let Ok((200, text)) =
                        request("GET", &format!("/studio/uploads/{id}"), None, |_| {}).await
                    {
                        received = known(&text)?.received;
                    }
                }
            }
        }
        progress.set(Some((shown, 1.0)));
        let kept = request(
            "POST",
            &format!("/studio/uploads/{id}/finish"),
            None,
            |_| {},
        )
        .await;
        if let Some(s) = storage() {
            let _ = s.remove_item(&remembered);
        }
        match kept {
            Ok((201, text)) => parse_media(&text),
            Ok((status, text)) => Err(said(&text, status, locale)),
            Err(()) => Err(dropped(locale)),
        }
    }
}
