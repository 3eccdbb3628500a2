//! The frame around every page: header with search, footer.

use leptos::prelude::*;
use leptos_router::components::{Form, A};

/// Brand, navigation and the search box (a GET form: it works without JavaScript).
#[component]
pub fn SiteHeader() -> impl IntoView {
    view! {
        <a class="skip" href="#main">"Skip to content"</a>
        <header class="site-header">
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true">"书"</span>
                <span class="brand-name">"Shuzhai " <span lang="zh-CN">"书斋"</span></span>
            </A>
            <nav aria-label="Main">
                <A href="/catalog">"Catalog"</A>
            </nav>
            <Form method="GET" action="/catalog" attr:class="site-search" attr:role="search">
                <label class="visually-hidden" for="site-q">"Search the catalog"</label>
                <input id="site-q" type="search" name="q" placeholder="Search 搜索…" maxlength="100" />
                <button type="submit">"Search"</button>
            </Form>
        </header>
    }
}

/// Footer with the store's promise in plain words.
#[component]
pub fn SiteFooter() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <p>"Shuzhai 书斋 — knowledge from independent creators, owned by them."</p>
        </footer>
    }
}
