//! `/library`: everything the learner owns with how far they read it, newest first or
//! most recently read first, by kind, each with a link that continues in the reader; and — ranked in the
//! browser from this device's history — what to go back to and what to read next.

use crate::api::reco::load_library;
use crate::components::forms::use_me;
use crate::components::notice::ErrorNotice;
use crate::components::recommend::LibrarySuggestions;
use crate::components::seo::PageMeta;
use crate::models::catalog::Kind;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The library page.
#[component]
pub fn LibraryPage() -> impl IntoView {
    let query = use_query_map();
    let kind = move || query.read().get("kind").unwrap_or_default();
    let sort = move || query.read().get("sort").unwrap_or_default();
    let entries = crate::codec::resource(move || (kind(), sort()), |(k, s)| load_library(k, s));
    // Links keep the other choice: a kind keeps the order, an order keeps the kind.
    let link = move |k: &str, s: &str| {
        let mut parts = Vec::new();
        if !k.is_empty() {
            parts.push(format!("kind={k}"));
        }
        if !s.is_empty() {
            parts.push(format!("sort={s}"));
        }
        if parts.is_empty() {
            "/library".to_string()
        } else {
            format!("/library?{}", parts.join("&"))
        }
    };
    let t = use_me().locale;
    view! {
        <PageMeta title=t.pick("Your library", "我的书架") description=t.pick("Everything you own.", "你拥有的全部内容。") path="/library" />
        <section class="library">
            <h1>{t.pick("Your library", "我的书架")}</h1>
            <nav class="kind-filter" aria-label=t.pick("Kinds", "类型")>
                <a href=move || link("", &sort()) aria-current=move || kind().is_empty().then_some("page")>{t.pick("All", "全部")}</a>
                {Kind::ALL.into_iter().map(|k| view! {
                    <a href=move || link(k.as_str(), &sort())
                       aria-current=move || (kind() == k.as_str()).then_some("page")>{k.label_in(t)}</a>
                }).collect_view()}
            </nav>
            <nav class="kind-filter" aria-label=t.pick("Order", "排序")>
                <a href=move || link(&kind(), "") aria-current=move || (sort() != "read").then_some("page")>{t.pick("Recently added", "最近加入")}</a>
                <a href=move || link(&kind(), "read") aria-current=move || (sort() == "read").then_some("page")>{t.pick("Recently read", "最近阅读")}</a>
            </nav>
            <Suspense fallback=move || view! { <p class="loading">{t.pick("Loading…", "加载中…")}</p> }>
                {move || Suspend::new(async move {
                    match entries.await {
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        Ok(list) => {
                            let owned = list.iter().map(|e| e.card.clone()).collect::<Vec<_>>();
                            view! {
                                {list.is_empty().then(|| view! {
                                    <p>{t.pick(
                                        "Nothing here yet. Free items can be added from their page; bought and gifted ones appear here at once.",
                                        "这里还没有内容。免费内容可在其页面加入书架；购买和收到的礼物会立即出现在这里。",
                                    )}</p>
                                })}
                                <LibrarySuggestions owned />
                                <ul class="library-list" data-testid="library">
                                    {list.into_iter().map(|e| {
                                        let percent = e.progress.map(|p| (p * 100.0).round() as u32);
                                        let read = format!("/read/{}", e.card.slug);
                                        view! {
                                        <li>
                                            <a href=format!("/item/{}", e.card.slug) lang=e.card.language.clone()>{e.card.title}</a>
                                            " " <span class=format!("kind kind-{}", e.card.kind.as_str())>{e.card.kind.label_in(t)}</span>
                                            " " <span class="muted">{format!("{} · {}", match e.source.as_str() {
                                                "gift" => t.pick("a gift", "礼物"),
                                                "claim" => t.pick("added free", "免费加入"),
                                                _ => t.pick("bought", "已购买"),
                                            }, t.date(&e.since))}</span>
                                            {e.lessons.map(|(done, all)| view! {
                                                " " <span class="muted" data-testid="lessons-done">{match t {
                                                    crate::models::i18n::Locale::En => format!("{done} of {all} lessons complete"),
                                                    crate::models::i18n::Locale::Zh => format!("已完成 {done} / {all} 课"),
                                                }}</span>
                                            })}
                                            <span class="library-progress">
                                                {percent.map(|p| view! {
                                                    <progress max="100" value=p.to_string()
                                                        aria-label=t.pick("Read so far", "阅读进度")>{format!("{p} %")}</progress>
                                                    <span class="muted">{format!("{p} %")}</span>
                                                })}
                                                " " <a class="button" href=read>{match percent {
                                                    None => t.pick("Start reading", "开始阅读"),
                                                    Some(100) => t.pick("Read again", "重读"),
                                                    Some(_) => t.pick("Continue", "继续阅读"),
                                                }}</a>
                                            </span>
                                        </li>
                                    }}).collect_view()}
                                </ul>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}
