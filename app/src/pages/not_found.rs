//! The page for addresses that lead nowhere.

use crate::components::notice::set_status;
use crate::components::seo::PageMeta;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// 404: says so, with links onward.
#[component]
pub fn NotFound() -> impl IntoView {
    set_status(http::StatusCode::NOT_FOUND);
    let path = use_location().pathname.get_untracked();
    view! {
        <PageMeta title="Page not found" description="This address does not lead to a page of the store." path=path />
        <section class="notice" role="alert">
            <h1>"Page not found"</h1>
            <p class="notice-message">"There is no page at this address. It may have moved, or the link may be mistyped."</p>
            <p>
                <a href="/catalog">"Browse the whole catalog"</a>
                " · "
                <a href="/">"Home"</a>
            </p>
        </section>
    }
}
