//! Form pieces shared by the account pages: the viewer's language, a form that posts to a
//! server function, a field with its label and its error, a form-level alert.
//!
//! Forms are plain HTML forms posting to server functions, so they work before (and
//! without) the wasm bundle: the server answers with a redirect, carrying any error in the
//! URL, and the page shows it next to its field. After hydration the same forms post in the
//! background, show errors without a reload and keep what was typed. One submit handler
//! serves every form, whatever server function it posts to, which keeps the wasm bundle
//! small.

use crate::error::AppError;
use crate::models::account::Me;
use crate::models::i18n::Locale;
use leptos::prelude::*;

/// Who is looking at the page and in which language. Worked out on the server while the
/// page renders and handed to the browser with the page (every sign-in, sign-out and
/// language change reloads the page, so it never goes stale).
#[component]
pub fn MeProvider(children: Children) -> impl IntoView {
    let me = leptos::server::SharedValue::new(server_me).into_inner();
    provide_context(UnreadCount(RwSignal::new(
        me.user.as_ref().map_or(0, |u| u.unread),
    )));
    let sent = SentOffline(RwSignal::new(None));
    provide_context(sent);
    #[cfg(feature = "hydrate")]
    if let Some(user) = me.user.as_ref().map(|u| u.key.clone()) {
        send_kept_forms(user, me.locale, sent.0);
    }
    provide_context(me);
    children()
}

/// What happened to the forms kept while offline, once they were sent (see
/// [`crate::formqueue`]); shown under the header.
#[derive(Debug, Clone, Copy)]
pub struct SentOffline(pub RwSignal<Option<String>>);

/// Sends `user`'s forms kept while offline: once the page has hydrated, and each time the
/// browser comes back online.
#[cfg(feature = "hydrate")]
fn send_kept_forms(user: String, locale: Locale, sent: RwSignal<Option<String>>) {
    let run = move || {
        let user = user.clone();
        leptos::task::spawn_local(async move {
            let Ok(s) = crate::formqueue::flush(&user).await else {
                return;
            };
            if s.sent == 0 && s.refused.is_empty() {
                return;
            }
            let mut text = match locale {
                Locale::En => format!(
                    "Sent what you did while offline ({} {}).",
                    s.sent,
                    if s.sent == 1 { "form" } else { "forms" }
                ),
                Locale::Zh => format!("已发送离线时的操作（{} 项）。", s.sent),
            };
            for reason in s.refused {
                text.push_str(&match locale {
                    Locale::En => format!(" Not sent: {reason}"),
                    Locale::Zh => format!(" 未能发送：{reason}"),
                });
            }
            sent.set(Some(text));
        });
    };
    let first = run.clone();
    Effect::new(move |_| first());
    let listener = window_event_listener(leptos::ev::online, move |_| run());
    on_cleanup(move || listener.remove());
}

/// The number on the header's bell: the signed-in person's unread notifications, set to
/// 0 by the notifications page once it has shown them (the rest of [`Me`] never changes
/// without a page load, this does).
#[derive(Debug, Clone, Copy)]
pub struct UnreadCount(pub RwSignal<u32>);

/// The bell's count (0 outside [`MeProvider`]).
pub fn use_unread() -> RwSignal<u32> {
    use_context::<UnreadCount>().map_or_else(|| RwSignal::new(0), |u| u.0)
}

#[cfg(feature = "ssr")]
fn server_me() -> Me {
    let viewer = crate::ssr::access::viewer();
    if viewer.user().is_some() {
        // A page that names the person must not be kept by shared caches.
        if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
            res.insert_header(
                http::header::CACHE_CONTROL,
                http::HeaderValue::from_static("private, no-store"),
            );
        }
    }
    viewer.me(crate::ssr::access::request_locale())
}

#[cfg(not(feature = "ssr"))]
fn server_me() -> Me {
    Me::default()
}

/// The viewer of the page (see [`MeProvider`]).
pub fn use_me() -> Me {
    use_context::<Me>().unwrap_or_default()
}

/// The language the page speaks to its viewer (see [`MeProvider`]).
pub fn use_locale() -> Locale {
    use_me().locale
}

/// The error of the last submission of the form posting to `path`: after a submission
/// without JavaScript it comes from the URL; after a background submission, from its answer.
pub fn form_error(path: &'static str) -> RwSignal<Option<AppError>> {
    use server_fn::error::ServerFnUrlError;
    let from_url = use_context::<leptos::server::ServerActionError>()
        .filter(|e| e.path() == path)
        .map(|e| ServerFnUrlError::<AppError>::decode_err(e.err()));
    RwSignal::new(from_url)
}

/// A form that calls the server function at `action` (its `PATH`). Without JavaScript it is
/// an ordinary POST; after hydration it posts in the background and, on success, goes where
/// the server function redirects (a full page load, so every part of the page reflects the
/// change: who is signed in, their language).
#[component]
pub fn ServerForm(
    /// The server function's path, e.g. `SignIn::PATH`.
    action: &'static str,
    /// Where the form's errors go (see [`form_error`]).
    error: RwSignal<Option<AppError>>,
    /// CSS class of the form.
    #[prop(optional)]
    class: &'static str,
    /// Sent while the device is offline, the form is kept on the device and sent when the
    /// store can be reached (see [`crate::formqueue`]); only for forms that are safe to
    /// send twice.
    #[prop(optional)]
    keep_offline: bool,
    children: Children,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let queued = RwSignal::new(false);
    let me = use_me();
    let keeper = me.user.filter(|_| keep_offline).map(|u| u.key);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        submit_in_background(ev, action, error, busy, keeper.clone(), queued);
        #[cfg(not(feature = "hydrate"))]
        let _ = (&ev, error, &keeper, queued);
    };
    let locale = me.locale;
    view! {
        <form
            method="post"
            action=action
            class=class
            on:submit=on_submit
            aria-busy=move || busy.get().then_some("true")
        >
            {children()}
            {move || queued.get().then(|| view! {
                <p class="form-queued" role="status" data-testid="queued">{locale.pick(
                    "Saved on this device: it will be sent when you are back online.",
                    "已保存在本设备，联网后会自动发送。",
                )}</p>
            })}
        </form>
    }
}

/// Keeps the form `body` for `action` on the device for `user` (offline), clears the form
/// and says so; or shows why it could not be kept.
#[cfg(feature = "hydrate")]
fn keep_for_later(
    user: String,
    action: &'static str,
    body: String,
    form: web_sys::HtmlFormElement,
    error: RwSignal<Option<AppError>>,
    queued: RwSignal<bool>,
) {
    leptos::task::spawn_local(async move {
        let form_data = crate::formqueue::QueuedForm {
            action: action.to_string(),
            body,
        };
        match crate::formqueue::push(&user, form_data).await {
            Ok(()) => {
                error.set(None);
                queued.set(true);
                form.reset();
                // The next comment written in this form is another comment: it gets a key
                // of its own (the server posts one comment per key).
                use wasm_bindgen::JsCast;
                if let Some(input) = form
                    .query_selector("input[name=key]")
                    .ok()
                    .flatten()
                    .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
                {
                    let fresh = format!(
                        "{:x}{:x}",
                        js_sys::Date::now() as u64,
                        (js_sys::Math::random() * 2f64.powi(48)) as u64
                    );
                    input.set_default_value(&fresh);
                    input.set_value(&fresh);
                }
            }
            Err(e) => error.set(Some(AppError::Transport(format!(
                "You are offline and it could not be kept on this device ({e}); nothing was sent."
            )))),
        }
    });
}

/// Posts the form of `ev` to `action` with `fetch`; on success follows the server
/// function's redirect, on failure shows its error.
#[cfg(feature = "hydrate")]
fn submit_in_background(
    ev: leptos::ev::SubmitEvent,
    action: &'static str,
    error: RwSignal<Option<AppError>>,
    busy: RwSignal<bool>,
    keeper: Option<String>,
    queued: RwSignal<bool>,
) {
    use server_fn::error::FromServerFnError;
    use wasm_bindgen::JsCast;
    let Some(form) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
    else {
        return;
    };
    let Some(body) = web_sys::FormData::new_with_form(&form)
        .and_then(|data| web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data))
        .ok()
        .map(|params| String::from(params.to_string()))
    else {
        return;
    };
    ev.prevent_default();
    if busy.get_untracked() {
        return;
    }
    queued.set(false);
    if let Some(user) = keeper.clone().filter(|_| !crate::offline::online()) {
        keep_for_later(user, action, body, form, error, queued);
        return;
    }
    let retry = (body.clone(), form.clone());
    busy.set(true);
    leptos::task::spawn_local(async move {
        let answer = match gloo::net::http::Request::post(action)
            .header("Accept", "application/json")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
        {
            Ok(request) => request.send().await,
            Err(e) => Err(e),
        };
        busy.set(false);
        match answer {
            Ok(res) if res.ok() => {
                error.set(None);
                if let Some(window) = web_sys::window() {
                    let to = res
                        .headers()
                        .get("location")
                        .or_else(|| window.location().href().ok())
                        .unwrap_or_else(|| "/".into());
                    let location = window.location();
                    // Going to the same page with another #fragment only scrolls: load it
                    // again so that it shows the change.
                    let here = format!(
                        "{}{}",
                        location.pathname().unwrap_or_default(),
                        location.search().unwrap_or_default()
                    );
                    let same_page = to.split('#').next() == Some(here.as_str());
                    let _ = location.assign(&to);
                    if same_page {
                        let _ = location.reload();
                    }
                }
            }
            Ok(res) => {
                let status = res.status();
                let text = res.text().await.unwrap_or_default();
                let e = if res.headers().get("serverfnerror").is_some() {
                    AppError::de(text.into())
                } else {
                    AppError::Transport(format!("the store answered {status}: {text}"))
                };
                error.set(Some(e));
            }
            // The store could not be reached: keep the form for later if it may be.
            Err(e) => match keeper {
                Some(user) => keep_for_later(user, action, retry.0, retry.1, error, queued),
                None => error.set(Some(AppError::Transport(e.to_string()))),
            },
        }
    });
}

/// A labelled input with the error that belongs to it, announced to screen readers.
#[component]
pub fn Field(
    /// The input's `name` (the server function's argument).
    name: &'static str,
    /// Label text.
    label: &'static str,
    /// `type` attribute.
    #[prop(default = "text")]
    kind: &'static str,
    /// `autocomplete` attribute.
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// Initial value.
    #[prop(optional, into)]
    value: String,
    /// The form's last error.
    #[prop(into)]
    error: Signal<Option<AppError>>,
    /// The language of messages.
    locale: Locale,
    /// Extra help under the field.
    #[prop(optional)]
    help: &'static str,
    /// A prefix for the element ids, when one page has two fields of the same name.
    #[prop(optional)]
    form: &'static str,
    /// The field may be left empty (fields are required unless this is set).
    #[prop(optional)]
    optional: bool,
) -> impl IntoView {
    let id = if form.is_empty() {
        format!("f-{name}")
    } else {
        format!("f-{form}-{name}")
    };
    let err_id = format!("{id}-error");
    let problem = move || error.get().and_then(|e| e.problem_on(name));
    let invalid = move || problem().is_some().then_some("true");
    let described = err_id.clone();
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name
                type=kind
                value=value
                autocomplete=autocomplete
                aria-invalid=invalid
                aria-describedby=described
                required=!optional
            />
            {(!help.is_empty()).then(|| view! { <p class="help">{help}</p> })}
            <p class="field-error" id=err_id aria-live="polite">
                {move || problem().map(|p| p.text(locale))}
            </p>
        </div>
    }
}

/// A form-level message for errors that belong to no single field (too many attempts,
/// an expired link, a connection problem).
#[component]
pub fn FormAlert(
    /// The form's last error.
    #[prop(into)]
    error: Signal<Option<AppError>>,
    /// Fields shown next to their inputs (not repeated here).
    #[prop(default = &[])]
    fields: &'static [&'static str],
    /// The language of messages.
    locale: Locale,
) -> impl IntoView {
    let message = move || {
        let e = error.get()?;
        match &e {
            AppError::Invalid(list) => {
                let elsewhere: Vec<_> = list
                    .iter()
                    .filter(|f| !fields.contains(&f.field.as_str()))
                    .map(|f| f.problem.text(locale))
                    .collect();
                (!elsewhere.is_empty()).then(|| elsewhere.join(" "))
            }
            AppError::TooManyRequests { retry_after_secs } => Some(match locale {
                Locale::En => e.to_string(),
                Locale::Zh => format!("尝试次数过多，请 {retry_after_secs} 秒后再试。"),
            }),
            other => Some(other.to_string()),
        }
    };
    view! {
        <p class="form-alert" role="alert">{message}</p>
    }
}

/// User text to put inside a `<textarea>` as its children. Leptos writes a textarea's
/// children into the server's HTML without escaping (as for `<script>`), so on the server
/// the text is escaped here — otherwise `</textarea><script>…` in someone's words would
/// end the field and run. In the browser the text goes into a text node, where nothing is
/// parsed, so it stays as it is.
pub fn textarea_text(text: &str) -> String {
    if cfg!(feature = "ssr") {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                c => out.push(c),
            }
        }
        out
    } else {
        text.to_string()
    }
}

/// Asks before the page is left while `dirty` is set (a form with unsaved edits).
pub fn warn_unsaved(dirty: RwSignal<bool>) {
    #[cfg(feature = "hydrate")]
    {
        let listener = window_event_listener(leptos::ev::beforeunload, move |ev| {
            if dirty.get_untracked() {
                ev.prevent_default();
                ev.set_return_value("unsaved");
            }
        });
        on_cleanup(move || listener.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = dirty;
}
