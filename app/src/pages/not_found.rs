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
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
    view! {
        <PageMeta title=t("Page not found", "页面不存在") description=t("This address does not lead to a page of the store.", "这个地址没有对应的页面。") path=path />
        <section class="notice" role="alert">
            <h1>{t("Page not found", "页面不存在")}</h1>
            <p class="notice-message">{t("There is no page at this address. It may have moved, or the link may be mistyped.", "这个地址上没有页面。它可能已经移走，或者链接有误。")}</p>
            <p>
                <a href="/catalog">{t("Browse the whole catalog", "浏览全部内容")}</a>
                " · "
                <a href="/">{t("Home", "首页")}</a>
            </p>
        </section>
    }
}
