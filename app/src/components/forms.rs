//! Form pieces shared by the account pages: the viewer's language, a field with its label
//! and its error, a form-level alert. Forms are plain HTML forms posting to server
//! functions, so they work before (and without) the wasm bundle; after hydration the same
//! forms post in the background and keep what was typed when something is wrong.

use crate::api::account::load_me;
use crate::error::AppError;
use crate::models::account::Me;
use crate::models::i18n::Locale;
use leptos::prelude::*;

/// Who is looking and in which language, loaded once per navigation (see [`MeProvider`]).
#[derive(Clone, Copy)]
pub struct MeResource(pub Resource<Result<Me, AppError>>);

/// Loads [`Me`] for the current page and provides it to everything inside; reloads after
/// each navigation, so signing in or out shows at once.
#[component]
pub fn MeProvider(children: Children) -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let me = Resource::new(move || location.pathname.get(), |_| load_me());
    provide_context(MeResource(me));
    children()
}

/// The [`MeResource`] of the page.
pub fn use_me() -> Resource<Result<Me, AppError>> {
    use_context::<MeResource>()
        .map(|m| m.0)
        .unwrap_or_else(|| Resource::new(|| (), |_| load_me()))
}

/// The outcome of a form's last submission as an error, if it failed.
pub fn failure<T, S>(value: S) -> Signal<Option<AppError>>
where
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
    T: Send + Sync + 'static,
{
    Signal::derive(move || value.get().and_then(|r| r.err()))
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
    error: Signal<Option<AppError>>,
    /// The language of messages.
    locale: Locale,
    /// Extra help under the field.
    #[prop(optional)]
    help: &'static str,
    /// A prefix for the element ids, when one page has two fields of the same name.
    #[prop(optional)]
    form: &'static str,
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
                required
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
