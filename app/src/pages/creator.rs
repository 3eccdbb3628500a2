//! A creator's page.

use crate::api::catalog::load_creator;
use crate::components::cards::ItemGrid;
use crate::components::notice::ErrorNotice;
use crate::components::seo::PageMeta;
use crate::models::i18n::Locale;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// `/creator/<slug>`: who they are and everything they publish.
#[component]
pub fn CreatorPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let profile = Resource::new(slug, load_creator);
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t("Loading…", "加载中…")}</p> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(p) => {
                        let c = p.creator;
                        let count = locale.count(c.item_count.into(), "published item", "published items", "件已发布内容");
                        Either::Left(view! {
                            <PageMeta title=c.name.clone() description=c.bio.clone() path=format!("/creator/{}", c.slug) />
                            <section class="creator-head">
                                <img class="avatar" src=c.avatar alt="" width="96" height="96" />
                                <div>
                                    <h1>{c.name}</h1>
                                    <p>{c.bio}</p>
                                    <p class="muted">{count}</p>
                                    {p.tiers.into_iter().map(|tier| view! {
                                        <p class="tier-link">
                                            <a class="button secondary" href=format!("/membership/{}", tier.key)>{tier.name.clone()}</a>
                                            " " <span class="muted">{match locale {
                                                Locale::En => format!("{} items for members · {} / 30 days", tier.item_count, locale.price(&tier.monthly)),
                                                Locale::Zh => format!("会员可读 {} 件 · {} / 30 天", tier.item_count, locale.price(&tier.monthly)),
                                            }}</span>
                                        </p>
                                    }).collect_view()}
                                </div>
                            </section>
                            <ItemGrid items=p.items />
                        })
                    }
                    Err(error) => Either::Right(view! {
                        <PageMeta title=t("Creator not found", "找不到这位创作者") description=t("No creator at this address.", "这个地址上没有创作者。") path=format!("/creator/{}", slug()) />
                        <ErrorNotice error />
                    }),
                }
            })}
        </Suspense>
    }
}
