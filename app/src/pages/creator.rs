//! A creator's page.

use crate::api::catalog::load_creator;
use crate::components::cards::ItemGrid;
use crate::components::notice::ErrorNotice;
use crate::components::seo::PageMeta;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// `/creator/<slug>`: who they are and everything they publish.
#[component]
pub fn CreatorPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let profile = Resource::new(slug, load_creator);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(p) => {
                        let c = p.creator;
                        let count = format!("{} published item{}", c.item_count, if c.item_count == 1 { "" } else { "s" });
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
                                            " " <span class="muted">{format!("{} items for members · {} / 30 days", tier.item_count, tier.monthly.display())}</span>
                                        </p>
                                    }).collect_view()}
                                </div>
                            </section>
                            <ItemGrid items=p.items />
                        })
                    }
                    Err(error) => Either::Right(view! {
                        <PageMeta title="Creator not found" description="No creator at this address." path=format!("/creator/{}", slug()) />
                        <ErrorNotice error />
                    }),
                }
            })}
        </Suspense>
    }
}
