//! The store front.

use crate::api::catalog::load_home;
use crate::components::cards::ItemGrid;
use crate::components::notice::ErrorNotice;
use crate::components::recommend::ForYou;
use crate::components::seo::PageMeta;
use crate::models::i18n::Locale;
use leptos::either::Either;
use leptos::prelude::*;

/// Home: what is popular, what is new, what is free, and the categories.
#[component]
pub fn HomePage() -> impl IntoView {
    let sections = Resource::new(|| (), |_| load_home());
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
    let hero = match locale {
        Locale::En => {
            view! { "Learn from people who know " <span lang="zh-CN">"· 向懂行的人学习"</span> }
                .into_any()
        }
        Locale::Zh => {
            view! { "向懂行的人学习 " <span lang="en">"· Learn from people who know"</span> }
                .into_any()
        }
    };
    view! {
        <PageMeta
            title=t("Knowledge from independent creators", "独立创作者的知识")
            description=t(
                "Articles, e-books, audio lectures, video and courses from independent creators — read previews free, buy what you want to keep.",
                "独立创作者的文章、电子书、音频讲座、视频和课程——免费试读，买下想要长久拥有的内容。",
            )
            path="/"
        />
        <section class="hero">
            <h1>{hero}</h1>
            <p>{t("Articles, e-books, audio lectures, video and courses — free previews for everything.", "文章、电子书、音频讲座、视频和课程——全部可以免费试读。")}</p>
            <p><a href="/catalog" class="button">{t("Browse the catalog", "浏览全部内容")}</a></p>
        </section>
        <Suspense fallback=move || view! { <p class="loading">{t("Loading…", "加载中…")}</p> }>
            {move || Suspend::new(async move {
                match sections.await {
                    Ok(s) => Either::Left(view! {
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
