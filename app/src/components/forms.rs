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
    provide_context(me);
    children()
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
    children: Children,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        submit_in_background(ev, action, error, busy);
        #[cfg(not(feature = "hydrate"))]
        let _ = (&ev, error);
    };
    view! {
        <form
            method="post"
            action=action
            class=class
            on:submit=on_submit
            aria-busy=move || busy.get().then_some("true")
        >
            {children()}
        </form>
    }
}

/// Posts the form of `ev` to `action` with `fetch`; on success follows the server
/// function's redirect, on failure shows its error.
#[cfg(feature = "hydrate")]
fn submit_in_background(
    ev: leptos::ev::SubmitEvent,
    action: &'static str,
    error: RwSignal<Option<AppError>>,
    busy: RwSignal<bool>,
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
            Err(e) => error.set(Some(AppError::Transport(e.to_string()))),
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
