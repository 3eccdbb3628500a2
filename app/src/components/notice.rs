//! How errors reach people: a clear message, the right HTTP status, a way on.

use crate::error::AppError;
use leptos::prelude::*;

/// Sets the HTTP status of the page being rendered on the server (no-op in the browser).
pub fn set_status(status: http::StatusCode) {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
}

/// An error as a page section: headline, message, links onward; sets the page's status.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    set_status(error.status());
    let title = match &error {
        AppError::NotFound(_) => "Not found",
        AppError::BadRequest(_) => "That request doesn’t work",
        AppError::Invalid(_) => "Please check the form",
        AppError::SignInRequired => "Sign in to continue",
        AppError::Forbidden => "Not allowed",
        AppError::TooManyRequests { .. } => "Please slow down",
        AppError::TooLarge => "Too large",
        AppError::Conflict(_) => "Please check again",
        AppError::Internal => "Something went wrong",
        AppError::Transport(_) => "Connection problem",
    };
    view! {
        <section class="notice" role="alert">
            <h1>{title}</h1>
            <p class="notice-message">{error.to_string()}</p>
            <p>
                <a href="/catalog">"Browse the whole catalog"</a>
                " · "
                <a href="/">"Home"</a>
            </p>
        </section>
    }
}

/// The line shown while a page's data is on its way, in the viewer's language.
#[component]
pub fn Loading() -> impl IntoView {
    let locale = crate::components::forms::use_locale();
    view! { <p class="loading" role="status">{locale.pick("Loading…", "加载中…")}</p> }
}

/// `children` drawn only in the browser, once the page has hydrated; until then (and on
/// the server, and without JavaScript) `fallback`. For parts that cannot work without
/// JavaScript and read the device (the editor): the server's page and the hydrated one
/// then match exactly.
#[component]
pub fn BrowserOnly(#[prop(into)] fallback: ViewFn, children: ChildrenFn) -> impl IntoView {
    let mounted = RwSignal::new(false);
    // Effects run only in the browser, after hydration.
    Effect::new(move |_| mounted.set(true));
    move || {
        if mounted.get() {
            leptos::either::Either::Left(children())
        } else {
            leptos::either::Either::Right(fallback.run())
        }
    }
}
