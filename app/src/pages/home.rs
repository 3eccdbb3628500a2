//! The store front.

use crate::api::catalog::load_home;
use crate::api::profile::SaveStoreFront;
use crate::components::cards::ItemGrid;
use crate::components::forms::{form_error, FormAlert, ServerForm};
use crate::components::notice::ErrorNotice;
use crate::components::recommend::ForYou;
use crate::components::seo::PageMeta;
use crate::models::account::Role;
use crate::models::i18n::Locale;
use crate::models::profile::StoreFront;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;

/// Home: what is popular, what is new, what is free, and the categories.
#[component]
pub fn HomePage() -> impl IntoView {
    let sections = crate::codec::resource(|| (), |_| load_home());
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
    let query = use_query_map();
    let admin = crate::components::forms::use_me()
        .user
        .is_some_and(|u| u.roles.contains(&Role::Admin));
    // `?edit=1`: the store front's edit mode, for admins.
    let editing = move || admin && query.read().get("edit").is_some_and(|v| v == "1");
    let saved = move || query.read().get("saved").is_some();
    view! {
        <PageMeta
            title=t("Knowledge from independent creators", "独立创作者的知识")
            description=t(
                "Articles, e-books, audio lectures, video and courses from independent creators — read previews free, buy what you want to keep.",
                "独立创作者的文章、电子书、音频讲座、视频和课程——免费试读，买下想要长久拥有的内容。",
            )
            path="/"
        />
        <Suspense fallback=move || view! { <p class="loading">{t("Loading…", "加载中…")}</p> }>
            {move || Suspend::new(async move {
                match sections.await {
                    Ok(s) => Either::Left(view! {
                        {saved().then(|| view! { <p class="notice-ok" role="status">{t("Saved: this is the store front visitors see.", "已保存：访客现在看到的就是这个首页。")}</p> })}
                        {if editing() {
                            Either::Left(view! { <FrontEdit front=s.front.clone() /> })
                        } else {
                            Either::Right(view! { <Hero front=s.front.clone() admin /> })
                        }}
                        <nav class="category-strip" aria-label=t("Categories", "分类")>
                            {s.categories.into_iter().map(|c| view! {
                                <a href=format!("/catalog?category={}", c.slug)>
                                    {match locale {
                                        Locale::En => view! { {c.name} " " <span lang="zh-CN">{c.name_zh}</span> }.into_any(),
                                        Locale::Zh => view! { {c.name_zh} " " <span lang="en">{c.name}</span> }.into_any(),
                                    }}
                                    <span class="count">{c.count}</span>
                                </a>
                            }).collect_view()}
                        </nav>
                        <ForYou by_category=s.by_category />
                        <section aria-labelledby="popular-h">
                            <h2 id="popular-h">{t("Popular", "热门")}</h2>
                            <ItemGrid items=s.popular />
                            <p><a href="/catalog?sort=popular">{t("All popular items →", "全部热门内容 →")}</a></p>
                        </section>
                        <section aria-labelledby="new-h">
                            <h2 id="new-h">{t("New", "新上架")}</h2>
                            <ItemGrid items=s.newest />
                        </section>
                        <section aria-labelledby="free-h">
                            <h2 id="free-h">{t("Free to read", "免费阅读")}</h2>
                            <ItemGrid items=s.free />
                            <p><a href="/catalog?price=free">{t("All free items →", "全部免费内容 →")}</a></p>
                        </section>
                    }),
                    Err(error) => Either::Right(view! { <ErrorNotice error /> }),
                }
            })}
        </Suspense>
    }
}

/// The headline and introduction: the store's own words when it has set them.
#[component]
fn Hero(front: StoreFront, admin: bool) -> impl IntoView {
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
    let (own, other, other_lang) = match locale {
        Locale::En => (front.tagline_en.clone(), front.tagline_zh.clone(), "zh-CN"),
        Locale::Zh => (front.tagline_zh.clone(), front.tagline_en.clone(), "en"),
    };
    let headline = if own.is_empty() && other.is_empty() {
        match locale {
            Locale::En => {
                view! { "Learn from people who know " <span lang="zh-CN">"· 向懂行的人学习"</span> }
                    .into_any()
            }
            Locale::Zh => {
                view! { "向懂行的人学习 " <span lang="en">"· Learn from people who know"</span> }
                    .into_any()
            }
        }
    } else if own.is_empty() {
        view! { <span lang=other_lang>{other}</span> }.into_any()
    } else {
        view! { {own} }.into_any()
    };
    let intro = match locale {
        Locale::En if !front.intro_en.is_empty() => front.intro_en.clone(),
        Locale::Zh if !front.intro_zh.is_empty() => front.intro_zh.clone(),
        _ if !front.intro_en.is_empty() => front.intro_en.clone(),
        _ if !front.intro_zh.is_empty() => front.intro_zh.clone(),
        _ => t(
            "Articles, e-books, audio lectures, video and courses — free previews for everything.",
            "文章、电子书、音频讲座、视频和课程——全部可以免费试读。",
        )
        .to_string(),
    };
    view! {
        <section class="hero">
            <h1 data-testid="store-tagline">{headline}</h1>
            <p class="store-intro">{intro}</p>
            <p>
                <a href="/catalog" class="button">{t("Browse the catalog", "浏览全部内容")}</a>
                {admin.then(|| view! {
                    " " <a href="/?edit=1" class="button secondary" rel="external" data-testid="edit-page">{t("Edit the store front", "编辑首页")}</a>
                })}
            </p>
        </section>
    }
}

/// The store front in edit mode: its headline and introduction in both languages, edited
/// where they stand.
#[component]
fn FrontEdit(front: StoreFront) -> impl IntoView {
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
    let error = form_error(SaveStoreFront::PATH);
    let dirty = RwSignal::new(false);
    crate::components::forms::warn_unsaved(dirty);
    let field = |id: &'static str,
                 label: &'static str,
                 value: String,
                 lang: &'static str,
                 rows: u32| {
        view! {
            <label for=format!("f-{id}")>{label}</label>
            <textarea id=format!("f-{id}") name=id lang=lang rows=rows.to_string() class="edit-text">{value}</textarea>
        }
    };
    view! {
        <ServerForm action=SaveStoreFront::PATH error class="hero editing stacked">
            <input type="hidden" name="revision" value=front.revision.to_string() />
            <div on:input=move |_| dirty.set(true)>
                {field("tagline_en", t("Headline (English)", "标题（英文）"), front.tagline_en.clone(), "en", 1)}
                {field("tagline_zh", t("Headline (Chinese)", "标题（中文）"), front.tagline_zh.clone(), "zh-CN", 1)}
                {field("intro_en", t("Introduction (English)", "简介（英文）"), front.intro_en.clone(), "en", 3)}
                {field("intro_zh", t("Introduction (Chinese)", "简介（中文）"), front.intro_zh.clone(), "zh-CN", 3)}
            </div>
            <p class="muted">{t("Leave a field empty to show the store's built-in words.", "留空则显示默认文字。")}</p>
            <FormAlert error locale />
            <p>
                <button type="submit" class="primary" on:click=move |_| dirty.set(false) data-testid="save-front">{t("Save", "保存")}</button>
                " " <a class="button secondary" href="/" rel="external">{t("Cancel", "取消")}</a>
            </p>
        </ServerForm>
    }
}
