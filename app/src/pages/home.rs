//! The store front.

use crate::api::catalog::load_home;
use crate::components::cards::ItemGrid;
use crate::components::notice::ErrorNotice;
use crate::components::recommend::ForYou;
use crate::components::seo::PageMeta;
use leptos::either::Either;
use leptos::prelude::*;

/// Home: what is popular, what is new, what is free, and the categories.
#[component]
pub fn HomePage() -> impl IntoView {
    let sections = Resource::new(|| (), |_| load_home());
    view! {
        <PageMeta
            title="Knowledge from independent creators"
            description="Articles, e-books, audio lectures, video and courses from independent creators — read previews free, buy what you want to keep."
            path="/"
        />
        <section class="hero">
            <h1>"Learn from people who know " <span lang="zh-CN">"· 向懂行的人学习"</span></h1>
            <p>"Articles, e-books, audio lectures, video and courses — free previews for everything."</p>
            <p><a href="/catalog" class="button">"Browse the catalog"</a></p>
        </section>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match sections.await {
                    Ok(s) => Either::Left(view! {
                        <nav class="category-strip" aria-label="Categories">
                            {s.categories.into_iter().map(|c| view! {
                                <a href=format!("/catalog?category={}", c.slug)>
                                    {c.name} " " <span lang="zh-CN">{c.name_zh}</span>
                                    <span class="count">{c.count}</span>
                                </a>
                            }).collect_view()}
                        </nav>
                        <ForYou by_category=s.by_category />
                        <section aria-labelledby="popular-h">
                            <h2 id="popular-h">"Popular"</h2>
                            <ItemGrid items=s.popular />
                            <p><a href="/catalog?sort=popular">"All popular items →"</a></p>
                        </section>
                        <section aria-labelledby="new-h">
                            <h2 id="new-h">"New"</h2>
                            <ItemGrid items=s.newest />
                        </section>
                        <section aria-labelledby="free-h">
                            <h2 id="free-h">"Free to read"</h2>
                            <ItemGrid items=s.free />
                            <p><a href="/catalog?price=free">"All free items →"</a></p>
                        </section>
                    }),
                    Err(error) => Either::Right(view! { <ErrorNotice error /> }),
                }
            })}
        </Suspense>
    }
}
