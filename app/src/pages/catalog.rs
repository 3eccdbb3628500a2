//! `/catalog`: browse, filter, sort and search.
//!
//! The filters are an ordinary GET form and the pages ordinary links, so everything works
//! before (or without) JavaScript. After hydration the router turns the same form and links
//! into client-side navigation: the URL changes (back button and shared links work), the
//! list is fetched through the `search_catalog` server function and replaced in place, and a
//! loading line shows while it is on its way.

use crate::api::catalog::{catalog_facets, search_catalog};
use crate::components::cards::ItemGrid;
use crate::components::notice::ErrorNotice;
use crate::components::seo::PageMeta;
use crate::models::catalog::{CatalogPage as Results, CatalogQuery, Facets, Kind, Sort};
use crate::models::i18n::Locale;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

/// The catalog page.
#[component]
pub fn CatalogPage() -> impl IntoView {
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        let map = query_map.read();
        CatalogQuery::from_pairs(
            ["q", "category", "kind", "tag", "price", "sort", "page"]
                .into_iter()
                .filter_map(|k| map.get_str(k).map(|v| (k, v))),
        )
    });
    let results = crate::codec::resource(move || query.get(), search_catalog);
    // Router hooks are called here, in the page, not inside the Suspend below.
    let navigate = use_navigate();
    let apply = Callback::new(move |href: String| navigate(&href, Default::default()));
    let facets = crate::codec::resource(|| (), |_| catalog_facets());
    let (pending, set_busy) = signal(false);
    // `<Transition>` reports "busy" through an effect that also runs on the server, on
    // another worker thread, while this page is being rendered: a write there at the moment
    // the render reads `pending` makes the read fail as if the signal were gone, and the
    // request dies. The server render is never busy, so only the browser passes it on.
    let set_pending = SignalSetter::map(move |busy: bool| {
        if cfg!(feature = "hydrate") {
            set_busy.set(busy);
        }
    });
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
    let heading = match locale {
        Locale::En => {
            view! { "Catalog " <span lang="zh-CN" class="muted">"· 全部内容"</span> }.into_any()
        }
        Locale::Zh => {
            view! { "全部内容 " <span lang="en" class="muted">"· Catalog"</span> }.into_any()
        }
    };

    view! {
        <h1>{heading}</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let facets = facets.await.unwrap_or_default();
                view! { <Filters query facets apply /> }
            })}
        </Suspense>
        <p class="loading" role="status" aria-live="polite">
            {move || if pending.get() { t("Updating results…", "正在更新结果…") } else { "" }}
        </p>
        <div class="results" class:stale=move || pending.get() aria-busy=move || pending.get().to_string()>
            <Transition fallback=move || view! { <p class="loading">{t("Loading…", "加载中…")}</p> } set_pending>
                {move || Suspend::new(async move {
                    let q = query.get_untracked();
                    match results.await {
                        Ok(page) => Either::Left(view! { <ResultList query=q page /> }),
                        Err(error) => Either::Right(view! {
                            <PageMeta title=t("Catalog", "全部内容") description=t("Browse the catalog.", "浏览全部内容。") path="/catalog" />
                            <ErrorNotice error />
                        }),
                    }
                })}
            </Transition>
        </div>
    }
}

fn page_title(q: &CatalogQuery, locale: Locale) -> String {
    let t = move |en, zh| locale.pick(en, zh);
    let mut parts = Vec::new();
    if !q.q.trim().is_empty() {
        parts.push(format!("“{}”", q.q.trim()));
    }
    if let Some(k) = Kind::parse(q.kind.trim()) {
        parts.push(k.label_in(locale).to_string());
    }
    for (label, v) in [
        (t("category", "分类"), &q.category),
        (t("tag", "标签"), &q.tag),
        ("", &q.price),
    ] {
        if !v.trim().is_empty() {
            parts.push(if label.is_empty() {
                v.trim().to_string()
            } else {
                format!("{label} {}", v.trim())
            });
        }
    }
    let page = q.page.trim().parse::<u32>().unwrap_or(1);
    let mut title = if parts.is_empty() {
        t("Catalog", "全部内容").to_string()
    } else {
        format!("{}: {}", t("Catalog", "全部内容"), parts.join(", "))
    };
    if page > 1 {
        title.push_str(&match locale {
            Locale::En => format!(" — page {page}"),
            Locale::Zh => format!(" — 第 {page} 页"),
        });
    }
    title
}

#[component]
fn ResultList(query: CatalogQuery, page: Results) -> impl IntoView {
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
    let title = page_title(&query, locale);
    let summary = match page.total {
        0 => t("No items match.", "没有符合条件的内容。").to_string(),
        n => locale.count(n as i64, "item", "items", "件"),
    };
    let description = match locale {
        Locale::En => format!("{title} — {summary} from independent creators on Shuzhai."),
        Locale::Zh => format!("{title} —— 书斋上独立创作者的 {summary}内容。"),
    };
    let empty = page.items.is_empty();
    view! {
        <PageMeta title=title description path=query.href() />
        <p class="result-count" data-total=page.total>{summary}</p>
        {if empty {
            Either::Left(view! {
                <section class="empty">
                    <p>{t("Nothing matches these filters. Try fewer words, another category, or ", "没有符合这些条件的内容。试试更少的关键词、换个分类，或")}
                        <a href="/catalog">{t("clear all filters", "清除全部筛选")}</a> {t(".", "。")}</p>
                </section>
            })
        } else {
            Either::Right(view! { <ItemGrid items=page.items /> })
        }}
        <Pagination query page=page.page pages=page.pages />
    }
}

/// Previous / numbered / next links; real links, so they work without JavaScript.
#[component]
fn Pagination(query: CatalogQuery, page: u32, pages: u32) -> impl IntoView {
    if pages <= 1 {
        return None;
    }
    let lo = page.saturating_sub(3).max(1);
    let hi = (page + 3).min(pages);
    let link = |n: u32| query.with_page(n).href();
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
    Some(view! {
        <nav class="pagination" aria-label=t("Pages", "分页")>
            {(page > 1).then(|| view! { <a href=link(page - 1) rel="prev">{t("← Previous", "← 上一页")}</a> })}
            {(lo > 1).then(|| view! { <a href=link(1)>"1"</a> <span aria-hidden="true">"…"</span> })}
            {(lo..=hi).map(|n| if n == page {
                Either::Left(view! { <span class="current" aria-current="page">{n}</span> })
            } else {
                Either::Right(view! { <a href=link(n) aria-label=match locale { Locale::En => format!("Page {n}"), Locale::Zh => format!("第 {n} 页") }>{n}</a> })
            }).collect_view()}
            {(hi < pages).then(|| view! { <span aria-hidden="true">"…"</span> <a href=link(pages)>{pages}</a> })}
            {(page < pages).then(|| view! { <a href=link(page + 1) rel="next">{t("Next →", "下一页 →")}</a> })}
            <span class="muted">{match locale { Locale::En => format!("Page {page} of {pages}"), Locale::Zh => format!("第 {page} / {pages} 页") }}</span>
        </nav>
    })
}

/// Submits the form a control belongs to (used to apply a filter as soon as it changes).
#[cfg(feature = "hydrate")]
fn submit_form_of(target: Option<web_sys::EventTarget>) {
    use wasm_bindgen::JsCast;
    let form = target.and_then(|t| {
        t.dyn_ref::<web_sys::HtmlSelectElement>()
            .and_then(|s| s.form())
            .or_else(|| {
                t.dyn_ref::<web_sys::HtmlInputElement>()
                    .and_then(|i| i.form())
            })
    });
    if let Some(form) = form {
        let _ = form.request_submit();
    }
}

/// The filter form. Without JavaScript: pick, then press “Apply” (a plain GET form). With
/// it: every change applies at once, typing in the search box applies after a short pause,
/// and the list is replaced in place under a clean URL such as `/catalog?kind=audio`.
#[component]
fn Filters(query: Memo<CatalogQuery>, facets: Facets, apply: Callback<String>) -> impl IntoView {
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            if let Some(q) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
                .and_then(|f| crate::components::layout::query_from_form(&f))
            {
                ev.prevent_default();
                apply.run(q.href());
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&ev, &apply);
    };
    let on_change = move |_ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        submit_form_of(_ev.target());
    };
    #[cfg(feature = "hydrate")]
    let typing = StoredValue::new_local(None::<gloo::timers::callback::Timeout>);
    let on_input = move |_ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            let target = _ev.target();
            let timer = gloo::timers::callback::Timeout::new(400, move || submit_form_of(target));
            // Replacing the stored timer drops (cancels) the previous one.
            typing.set_value(Some(timer));
        }
    };
    let field = move |f: fn(&CatalogQuery) -> &String| f(&query.read()).clone();
    let selected = move |f: fn(&CatalogQuery) -> &String, value: &'static str| field(f) == value;
    let categories = facets.categories;
    let tags = facets.tags;
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
    view! {
        <form method="GET" action="/catalog" class="filters" aria-label=t("Filter the catalog", "筛选内容") on:submit=on_submit>
            <div class="field grow">
                <label for="f-q">{t("Search", "搜索")}</label>
                <input id="f-q" type="search" name="q" maxlength="100" placeholder=t("Title or summary, 中文 or English", "标题或简介，中文或英文")
                    prop:value=move || field(|q| &q.q) on:input=on_input />
            </div>
            <div class="field">
                <label for="f-category">{t("Category", "分类")}</label>
                <select id="f-category" name="category" on:change=on_change>
                    <option value="" selected=move || selected(|q| &q.category, "")>{t("All categories", "全部分类")}</option>
                    {categories.into_iter().map(|c| {
                        let slug = c.slug.clone();
                        let label = match locale {
                            Locale::En => format!("{} {} ({})", c.name, c.name_zh, c.count),
                            Locale::Zh => format!("{} {} ({})", c.name_zh, c.name, c.count),
                        };
                        view! { <option value=c.slug selected=move || field(|q| &q.category) == slug>{label}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-kind">{t("Kind", "类型")}</label>
                <select id="f-kind" name="kind" on:change=on_change>
                    <option value="" selected=move || selected(|q| &q.kind, "")>{t("All kinds", "全部类型")}</option>
                    {Kind::ALL.into_iter().map(|k| view! {
                        <option value=k.as_str() selected=move || selected(|q| &q.kind, k.as_str())>{k.label_in(locale)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-tag">{t("Tag", "标签")}</label>
                <select id="f-tag" name="tag" on:change=on_change>
                    <option value="" selected=move || selected(|q| &q.tag, "")>{t("All tags", "全部标签")}</option>
                    {tags.into_iter().map(|t| {
                        let slug = t.slug.clone();
                        let label = format!("{} ({})", t.name, t.count);
                        view! { <option value=t.slug selected=move || field(|q| &q.tag) == slug>{label}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-price">{t("Price", "价格")}</label>
                <select id="f-price" name="price" on:change=on_change>
                    <option value="" selected=move || selected(|q| &q.price, "")>{t("Free and paid", "免费和付费")}</option>
                    <option value="free" selected=move || selected(|q| &q.price, "free")>{t("Free", "免费")}</option>
                    <option value="paid" selected=move || selected(|q| &q.price, "paid")>{t("Paid", "付费")}</option>
                </select>
            </div>
            <div class="field">
                <label for="f-sort">{t("Sort", "排序")}</label>
                <select id="f-sort" name="sort" on:change=on_change>
                    <option value="" selected=move || selected(|q| &q.sort, "")>{t("Default", "默认")}</option>
                    {Sort::OPTIONS.into_iter().zip(Sort::LABELS_ZH).map(|((_, v, label), zh)| view! {
                        <option value=v selected=move || selected(|q| &q.sort, v)>{t(label, zh)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field actions">
                <button type="submit">{t("Apply", "应用")}</button>
                <a href="/catalog" class="reset">{t("Clear", "清除")}</a>
            </div>
        </form>
    }
}
