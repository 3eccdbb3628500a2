//! An item page: what it is, who made it, the free preview, and — for those who may read
//! it — the full text. Text is always rendered as text, never as HTML.

use crate::api::catalog::load_item;
use crate::components::cards::ItemGrid;
use crate::components::notice::ErrorNotice;
use crate::components::recommend::DeviceRecommendations;
use crate::components::seo::PageMeta;
use crate::models::catalog::{heading_anchor, Access, Block, BlockKind, ItemDetail};
use crate::pages::shop::{BundleOffers, BuyBox};
use leptos::either::{Either, EitherOf6};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// `/item/<slug>`.
#[component]
pub fn ItemPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let detail = Resource::new(slug, load_item);
    // Created with the page, not inside the item's view, so that the server and the
    // browser create both resources in the same order whatever resolves first.
    let community = Resource::new(slug, crate::api::community::load_community);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let (found, talk) = (detail.await, community.await);
                match found {
                    Ok(d) => Either::Left(view! { <ItemView d community=talk.ok() /> }),
                    Err(error) => Either::Right(view! {
                        <PageMeta title="Item not found" description="No item at this address." path=format!("/item/{}", slug()) />
                        <ErrorNotice error />
                    }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ItemView(
    d: ItemDetail,
    community: Option<crate::models::community::Community>,
) -> impl IntoView {
    let card = d.card;
    let seen = card.clone();
    let path = format!("/item/{}", card.slug);
    let alt_lang = if card.language == "zh-CN" {
        "en"
    } else {
        "zh-CN"
    };
    let preview_headings = d
        .preview
        .iter()
        .filter(|b| b.kind == BlockKind::Heading)
        .count();
    let price = card.price.display();
    let rating = card
        .rating
        .map(|r| format!("★ {r:.1} ({} ratings)", card.rating_count));
    let outline = (!d.outline.is_empty()).then(|| {
        view! {
            <section class="outline" aria-labelledby="outline-h">
                <h2 id="outline-h">"Course outline"</h2>
                <ol>
                    {d.outline.into_iter().map(|ch| view! {
                        <li>
                            <h3>{ch.title}</h3>
                            <ol>
                                {ch.lessons.into_iter().map(|l| view! {
                                    <li>
                                        {l.title} " " <span class="muted">{format!("{} min", l.minutes)}</span>
                                        {l.free_preview.then(|| view! { " " <span class="badge">"Free preview"</span> })}
                                    </li>
                                }).collect_view()}
                            </ol>
                        </li>
                    }).collect_view()}
                </ol>
            </section>
        }
    });
    let toc = (!d.toc.is_empty() || d.locked_sections > 0).then(|| {
        let locked = d.locked_sections;
        view! {
            <nav class="toc" aria-labelledby="toc-h">
                <h2 id="toc-h">"Contents"</h2>
                <ol>
                    {d.toc.into_iter().map(|t| view! {
                        <li class=format!("toc-l{}", t.level)><a href=format!("#{}", t.anchor)>{t.title}</a></li>
                    }).collect_view()}
                </ol>
                {(locked > 0).then(|| view! {
                    <p class="muted">{format!("+ {locked} more section{} for buyers", if locked == 1 { "" } else { "s" })}</p>
                })}
            </nav>
        }
    });
    let buy_again = (card.slug.clone(), card.price.minor == 0, d.in_library);
    let tier_box = d.tier.clone();
    let reader = format!("/read/{}", card.slug);
    let community_slug = card.slug.clone();
    let rest = match (d.access, d.body) {
        (Access::Full, Some(body)) => Either::Left(view! {
            <p class="open-reader">
                <a class="button" href=reader data-testid="open-reader">
                    {crate::components::forms::use_me().locale.pick("Open in the reader", "在阅读器中打开")}
                </a>
            </p>
            <section class="body" aria-label="Full text">
                <Blocks blocks=body first_heading=preview_headings />
            </section>
        }),
        _ => Either::Right(view! {
            <aside class="paywall" aria-labelledby="paywall-h">
                <h2 id="paywall-h">"The rest is for buyers"</h2>
                <p>
                    {format!(
                        "You have read the free preview. The full {} ({}) opens once bought.",
                        card.kind.label().to_lowercase(),
                        price
                    )}
                </p>
                <BuyBox slug=buy_again.0 free=buy_again.1 in_library=buy_again.2 />
            </aside>
        }),
    };
    view! {
        <PageMeta title=card.title.clone() description=card.summary.clone() path=path />
        <article class="item">
            <header class="item-head">
                <img class="item-cover" src=card.cover alt="" width="240" height="320" />
                <div>
                    <p class="card-meta">
                        <span class=format!("kind kind-{}", card.kind.as_str())>{card.kind.label()}</span>
                        <a href=format!("/catalog?category={}", card.category_slug)>{card.category_name}</a>
                    </p>
                    <h1 lang=card.language.clone()>{card.title}</h1>
                    <p class="item-alt" lang=alt_lang>{card.title_alt}</p>
                    <p class="item-summary" lang=card.language>{card.summary}</p>
                    <p class="item-facts">
                        <span class="price" class:free=card.price.minor == 0>{price}</span>
                        {rating.map(|r| view! { " · " <span class="rating">{r}</span> })}
                        " · " <span class="muted">{format!("Published {}", card.published)}</span>
                    </p>
                    <BuyBox slug=card.slug.clone() free=card.price.minor == 0 in_library=d.in_library />
                    {tier_box.clone().map(|tier| view! { <crate::pages::membership::TierBox tier /> })}
                    <ul class="tags" aria-label="Tags">
                        {card.tags.into_iter().map(|t| view! {
                            <li><a href=format!("/catalog?tag={}", t.slug)>"#" {t.name}</a></li>
                        }).collect_view()}
                    </ul>
                </div>
            </header>
            <div class="item-columns">
                <div class="item-main">
                    <section class="description" aria-labelledby="about-h">
                        <h2 id="about-h">"About"</h2>
                        {d.description.split("\n\n").filter(|p| !p.trim().is_empty()).map(|p| view! { <p>{p.to_string()}</p> }).collect_view()}
                    </section>
                    <BundleOffers bundles=d.bundles />
                    {outline}
                    <section class="preview" aria-labelledby="preview-h">
                        <h2 id="preview-h">"Free preview"</h2>
                        <Blocks blocks=d.preview first_heading=0 />
                    </section>
                    {rest}
                    {community.map(|c| view! { <crate::pages::community::CommunityView slug=community_slug c /> })}
                </div>
                <aside class="item-side">
                    {toc}
                    <section class="creator-card" aria-labelledby="creator-h">
                        <h2 id="creator-h">"Creator"</h2>
                        <img class="avatar" src=d.creator.avatar alt="" width="64" height="64" />
                        <p><a href=format!("/creator/{}", d.creator.slug)>{d.creator.name}</a></p>
                        <p class="muted">{d.creator.bio}</p>
                    </section>
                </aside>
            </div>
            {(!d.also_liked.is_empty()).then(|| view! {
                <section aria-labelledby="also-h" data-testid="also-liked">
                    <h2 id="also-h">{crate::components::forms::use_me().locale.pick("Learners who bought this also liked", "买过这件的读者也喜欢")}</h2>
                    <ItemGrid items=d.also_liked />
                </section>
            })}
            <DeviceRecommendations item=seen in_library=d.in_library />
            {(!d.related.is_empty()).then(|| view! {
                <section aria-labelledby="related-h">
                    <h2 id="related-h">"More in this category"</h2>
                    <ItemGrid items=d.related />
                </section>
            })}
        </article>
    }
}

/// Content blocks as HTML elements. Headings get the anchors the contents list links to,
/// numbered from `first_heading`.
#[component]
pub fn Blocks(blocks: Vec<Block>, first_heading: usize) -> impl IntoView {
    let mut n = first_heading;
    blocks
        .into_iter()
        .map(|b| match b.kind {
            BlockKind::Heading => {
                let id = heading_anchor(n);
                n += 1;
                EitherOf6::A(if b.level.unwrap_or(2) >= 3 {
                    Either::Left(view! { <h4 id=id>{b.text}</h4> })
                } else {
                    Either::Right(view! { <h3 id=id>{b.text}</h3> })
                })
            }
            BlockKind::Paragraph => EitherOf6::B(view! { <p>{b.text}</p> }),
            BlockKind::List => {
                let items = b
                    .items
                    .into_iter()
                    .map(|i| view! { <li>{i}</li> })
                    .collect_view();
                EitherOf6::C(if b.level == Some(1) {
                    Either::Left(view! { <ol>{items}</ol> })
                } else {
                    Either::Right(view! { <ul>{items}</ul> })
                })
            }
            BlockKind::Quote => EitherOf6::D(view! { <blockquote>{b.text}</blockquote> }),
            BlockKind::Code => EitherOf6::E(view! { <pre><code>{b.text}</code></pre> }),
            BlockKind::Callout => EitherOf6::F(view! { <p class="callout">{b.text}</p> }),
        })
        .collect_view()
}
