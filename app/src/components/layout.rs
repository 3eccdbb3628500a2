//! The frame around every page: header with search, footer.

#[cfg(feature = "hydrate")]
use crate::models::catalog::CatalogQuery;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// Reads a catalog search or filter form into a query (browser only); fields the form
/// lacks stay empty.
#[cfg(feature = "hydrate")]
pub fn query_from_form(form: &web_sys::HtmlFormElement) -> Option<CatalogQuery> {
    let data = web_sys::FormData::new_with_form(form).ok()?;
    let get = |k: &str| data.get(k).as_string().unwrap_or_default();
    Some(CatalogQuery {
        q: get("q"),
        category: get("category"),
        kind: get("kind"),
        tag: get("tag"),
        price: get("price"),
        sort: get("sort"),
        page: String::new(),
    })
}

/// Brand, navigation and the search box. The search is a plain GET form, so it works
/// without JavaScript; after hydration it navigates client-side to the same clean URL.
#[component]
pub fn SiteHeader() -> impl IntoView {
    let navigate = use_navigate();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let query = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
                .and_then(|f| query_from_form(&f));
            if let Some(query) = query {
                ev.prevent_default();
                navigate(&query.href(), Default::default());
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&ev, &navigate);
    };
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
    view! {
        <a class="skip" href="#main">{t("Skip to content", "跳到正文")}</a>
        <header class="site-header">
            <a href="/" class="brand">
                <span class="brand-mark" aria-hidden="true">"书"</span>
                <span class="brand-name">"Shuzhai " <span lang="zh-CN">"书斋"</span></span>
            </a>
            <nav aria-label=t("Main", "主导航")>
                <a href="/catalog">{t("Catalog", "全部内容")}</a>
                <AccountLinks />
            </nav>
            <form method="GET" action="/catalog" class="site-search" role="search" on:submit=on_submit>
                <label class="visually-hidden" for="site-q">{t("Search the catalog", "搜索全部内容")}</label>
                <input id="site-q" type="search" name="q" placeholder=t("Search 搜索…", "搜索 Search…") maxlength="100" />
                <button type="submit">{t("Search", "搜索")}</button>
            </form>
        </header>
    }
}

/// "Sign in" / "Create account", or the person's name linking to their account (and the
/// admin pages for admins).
#[component]
fn AccountLinks() -> impl IntoView {
    let me = crate::components::forms::use_me();
    let t = move |en, zh| me.locale.pick(en, zh);
    match me.user {
        Some(user) => {
            let admin = user.has(crate::models::account::Role::Admin);
            let creator = user.has(crate::models::account::Role::Creator);
            let unread = crate::components::forms::use_unread();
            let bell_label = move || {
                let n = unread.get();
                if n > 0 {
                    format!(
                        "{} ({n} {})",
                        t("Notifications", "通知"),
                        t("unread", "条未读")
                    )
                } else {
                    t("Notifications", "通知").to_string()
                }
            };
            view! {
                {admin.then(|| view! { <a href="/admin/users">{t("Admin", "管理")}</a> })}
                {creator.then(|| view! { <a href="/studio/products">{t("Products", "商品")}</a> <a href="/studio/sales">{t("Sales", "销售")}</a> <a href="/studio/analytics">{t("Analytics", "数据")}</a> <a href="/studio/inbox">{t("Inbox", "收件箱")}</a> })}
                <a href="/cart">{t("Cart", "购物车")}</a>
                <a href="/library">{t("Library", "书架")}</a>
                <a href="/orders">{t("Orders", "订单")}</a>
                <a href="/notifications" class="bell" data-testid="bell" aria-label=bell_label>
                    "🔔"{move || (unread.get() > 0).then(|| view! { <span class="bell-count">{unread.get().min(99)}</span> })}
                </a>
                <a href="/account" class="account-link">{user.display_name}</a>
            }
            .into_any()
        }
        None => view! {
            <a href="/cart">{t("Cart", "购物车")}</a>
            <a href="/signin">{t("Sign in", "登录")}</a>
            <a href="/signup">{t("Create account", "注册")}</a>
        }
        .into_any(),
    }
}

/// A line under the header while the browser is offline: what still works, and that
/// changes wait for the connection. Nothing is shown on the server or while online.
#[component]
pub fn OfflineBanner() -> impl IntoView {
    let online = RwSignal::new(true);
    #[cfg(feature = "hydrate")]
    {
        Effect::new(move |_| online.set(crate::offline::online()));
        let up = window_event_listener(leptos::ev::online, move |_| online.set(true));
        let down = window_event_listener(leptos::ev::offline, move |_| online.set(false));
        on_cleanup(move || {
            up.remove();
            down.remove();
        });
    }
    let t = crate::components::forms::use_me().locale;
    let sent = use_context::<crate::components::forms::SentOffline>().map(|s| s.0);
    let sent_line = move || {
        sent.and_then(|s| s.get()).map(|text| {
            view! { <p class="offline-banner sent" role="status" data-testid="offline-sent">{text}</p> }
        })
    };
    let offline_line = move || {
        (!online.get()).then(|| {
            view! {
                <p class="offline-banner" role="status" data-testid="offline-banner">{t.pick(
                    "You are offline. Pages and texts saved on this device still open; your reading place, comments and likes are sent when you are back online.",
                    "您已离线。保存在本设备上的页面和内容仍可打开；阅读位置、评论和点赞会在联网后发送。",
                )}</p>
            }
        })
    };
    view! { {offline_line} {sent_line} }
}

/// Footer with the store's promise in plain words and the language switch: a small form
/// posting to `/lang`, which remembers the choice and comes back to this page (it works
/// without JavaScript, and reloads the page so that everything speaks the new language).
#[component]
pub fn SiteFooter() -> impl IntoView {
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
    let location = leptos_router::hooks::use_location();
    let back = move || {
        let search = location.search.get();
        if search.is_empty() {
            location.pathname.get()
        } else {
            format!("{}?{search}", location.pathname.get())
        }
    };
    let other = locale.other();
    view! {
        <footer class="site-footer">
            <p>{t("Shuzhai 书斋 — knowledge from independent creators, owned by them.", "书斋 Shuzhai —— 独立创作者的知识，归创作者所有。")}</p>
            <p><a href="/privacy">{t("Privacy", "隐私")}</a></p>
            <form method="POST" action="/lang" class="lang-switch" data-testid="lang-switch">
                <input type="hidden" name="back" value=back />
                <span class="muted">{t("Language:", "语言：")}</span> " "
                <strong aria-current="true">{locale.native_name()}</strong> " · "
                <button type="submit" name="to" value=other.tag() class="link-button" lang=other.tag()>{other.native_name()}</button>
            </form>
        </footer>
    }
}
