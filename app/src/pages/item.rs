//! An item page: what it is, who made it, the free preview, and — for those who may read
//! it — the full text. Text is always rendered as text, never as HTML.

use crate::api::catalog::load_item;
use crate::components::cards::ItemGrid;
use crate::components::notice::ErrorNotice;
use crate::components::recommend::DeviceRecommendations;
use crate::components::seo::PageMeta;
use crate::models::catalog::{heading_anchor, Access, Block, BlockKind, ItemDetail};
use crate::models::i18n::Locale;
use crate::models::notes::{runs, Note, NoteKind};
use crate::pages::shop::{BundleOffers, BuyBox};
use leptos::either::{Either, EitherOf3, EitherOf4, EitherOf7};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/item/<slug>`.
#[component]
pub fn ItemPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let query = use_query_map();
    // `?edit=1`: the creator's edit mode (the page itself decides whether they may).
    let editing = move || query.read().get("edit").is_some_and(|v| v == "1");
    let detail = crate::codec::resource(slug, load_item);
    // Created with the page, not inside the item's view, so that the server and the
    // browser create both resources in the same order whatever resolves first.
    let community = crate::codec::resource(slug, crate::api::community::load_community);
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t("Loading…", "加载中…")}</p> }>
            {move || Suspend::new(async move {
                let (found, talk) = (detail.await, community.await);
                match found {
                    Ok(d) if d.can_edit && editing() => {
                        let slug = d.card.slug.clone();
                        EitherOf3::A(view! { <Editing slug /> })
                    }
                    Ok(d) => EitherOf3::B(view! { <ItemView d community=talk.ok() /> }),
                    // A draft that was never published is not in the catalog: its editor
                    // opens it (and says who may not).
                    Err(crate::error::AppError::NotFound(_)) if editing() => {
                        EitherOf3::A(view! { <Editing slug=slug() /> })
                    }
                    Err(error) => EitherOf3::C(view! {
                        <PageMeta title=t("Item not found", "找不到这件内容") description=t("No item at this address.", "这个地址上没有内容。") path=format!("/item/{}", slug()) />
                        <ErrorNotice error />
                    }),
                }
            })}
        </Suspense>
    }
}

/// The editor of item `slug`, drawn in the browser once the page has hydrated (it needs
/// JavaScript, and the device's copy of unsaved edits).
#[component]
fn Editing(slug: String) -> impl IntoView {
    let locale = crate::components::forms::use_locale();
    let fallback = move || {
        view! {
            <p class="loading">{locale.pick(
                "Opening the editor… (it needs JavaScript; the page itself does not)",
                "正在打开编辑器…（编辑器需要 JavaScript，页面本身不需要）",
            )}</p>
        }
    };
    view! {
        <crate::components::notice::BrowserOnly fallback=fallback>
            <LoadEditor slug=slug.clone() fallback />
        </crate::components::notice::BrowserOnly>
    }
}

/// The editor once its code is there (`fallback` until then).
#[component]
fn LoadEditor(slug: String, #[prop(into)] fallback: ViewFn) -> impl IntoView {
    let view = move || {
        let slug = slug.clone();
        Suspend::new(async move { editor_view(slug).await })
    };
    view! { <Suspense fallback=move || fallback.run()>{view}</Suspense> }
}

/// The editor of item `slug`. In the release site it is in the studio's wasm module
/// (`crate::routes`), loaded when a creator or an admin first opens it: learners never
/// download it.
#[cfg(feature = "split")]
#[leptos::wasm_split::wasm_split(studio, wasm_split_path = ::leptos::wasm_split)]
fn editor_view(slug: String) -> AnyView {
    view! { <crate::pages::editor::ItemEditor slug /> }.into_any()
}

/// The editor of item `slug` (built without `split`: in the main bundle).
#[cfg(not(feature = "split"))]
async fn editor_view(slug: String) -> AnyView {
    view! { <crate::pages::editor::ItemEditor slug /> }.into_any()
}

#[component]
fn ItemView(
    d: ItemDetail,
    community: Option<crate::models::community::Community>,
) -> impl IntoView {
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
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
    let price = locale.price(&card.price);
    let rating = card.rating.map(|r| match locale {
        Locale::En => format!(
            "★ {r:.1} ({})",
            locale.count(card.rating_count.into(), "rating", "ratings", "")
        ),
        Locale::Zh => format!("★ {r:.1}（{} 人评分）", card.rating_count),
    });
    let category = match locale {
        Locale::Zh if !card.category_name_zh.is_empty() => card.category_name_zh.clone(),
        _ => card.category_name.clone(),
    };
    let outline = (!d.outline.is_empty()).then(|| {
        view! {
            <section class="outline" aria-labelledby="outline-h">
                <h2 id="outline-h">{t("Course outline", "课程大纲")}</h2>
                <ol>
                    {d.outline.into_iter().map(|ch| view! {
                        <li>
                            <h3>{ch.title}</h3>
                            <ol>
                                {ch.lessons.into_iter().map(|l| view! {
                                    <li>
                                        {l.title} " " <span class="muted">{format!("{} {}", l.minutes, t("min", "分钟"))}</span>
                                        {l.free_preview.then(|| view! { " " <span class="badge">{t("Free preview", "免费试看")}</span> })}
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
                <h2 id="toc-h">{t("Contents", "目录")}</h2>
                <ol>
                    {d.toc.into_iter().map(|t| view! {
                        <li class=format!("toc-l{}", t.level)><a href=format!("#{}", t.anchor)>{t.title}</a></li>
                    }).collect_view()}
                </ol>
                {(locked > 0).then(|| view! {
                    <p class="muted">{match locale {
                        Locale::En => format!("+ {locked} more section{} for buyers", if locked == 1 { "" } else { "s" }),
                        Locale::Zh => format!("另有 {locked} 节，购买后可读"),
                    }}</p>
                })}
            </nav>
        }
    });
    let buy_again = (card.slug.clone(), card.price.minor == 0, d.in_library);
    let tier_box = d.tier.clone();
    let reader = format!("/read/{}", card.slug);
    let community_slug = card.slug.clone();
    let reported = use_query_map().read_untracked().get("reported").is_some();
    let rest = match (d.access, d.body) {
        (Access::Full, Some(body)) => Either::Left(view! {
            <p class="open-reader">
                <a class="button" href=reader data-testid="open-reader">
                    {t("Open in the reader", "在阅读器中打开")}
                </a>
            </p>
            <section class="body" aria-label=t("Full text", "全文")>
                <Blocks blocks=body first_heading=preview_headings />
            </section>
        }),
        _ => Either::Right(view! {
            <aside class="paywall" aria-labelledby="paywall-h">
                <h2 id="paywall-h">{t("The rest is for buyers", "其余内容购买后可读")}</h2>
                <p>
                    {match locale {
                        Locale::En => format!(
                            "You have read the free preview. The full {} ({}) opens once bought.",
                            card.kind.label().to_lowercase(),
                            price
                        ),
                        Locale::Zh => format!(
                            "免费试读到此为止。购买后即可阅读完整{}（{}）。",
                            card.kind.label_in(locale),
                            price
                        ),
                    }}
                </p>
                <BuyBox slug=buy_again.0 free=buy_again.1 in_library=buy_again.2 />
            </aside>
        }),
    };
    view! {
        <PageMeta title=card.title.clone() description=card.summary.clone() path=path image=card.cover.clone() />
        <article class="item">
            <header class="item-head">
                <img class="item-cover" src=card.cover alt="" width="240" height="320" />
                <div>
                    <p class="card-meta">
                        <span class=format!("kind kind-{}", card.kind.as_str())>{card.kind.label_in(locale)}</span>
                        <a href=format!("/catalog?category={}", card.category_slug)>{category}</a>
                    </p>
                    <h1 lang=card.language.clone()>{card.title}</h1>
                    <p class="item-alt" lang=alt_lang>{card.title_alt}</p>
                    <p class="item-summary" lang=card.language>{card.summary}</p>
                    <p class="item-facts">
                        <span class="price" class:free=card.price.minor == 0>{price}</span>
                        {rating.map(|r| view! { " · " <span class="rating">{r}</span> })}
                        " · " <span class="muted">{format!("{} {}", t("Published", "发布于"), locale.date(&card.published))}</span>
                    </p>
                    {d.can_edit.then(|| view! {
                        <p class="edit-switch">
                            <a class="button" href=format!("/item/{}?edit=1", card.slug) data-testid="edit-page">
                                {t("Edit this page", "编辑此页面")}
                            </a>
                        </p>
                    })}
                    <BuyBox slug=card.slug.clone() free=card.price.minor == 0 in_library=d.in_library />
                    {tier_box.clone().map(|tier| view! { <crate::pages::membership::TierBox tier /> })}
                    <ul class="tags" aria-label=t("Tags", "标签")>
                        {card.tags.into_iter().map(|t| view! {
                            <li><a href=format!("/catalog?tag={}", t.slug)>"#" {t.name}</a></li>
                        }).collect_view()}
                    </ul>
                </div>
            </header>
            <div class="item-columns">
                <div class="item-main">
                    <section class="description" aria-labelledby="about-h">
                        <h2 id="about-h">{t("About", "简介")}</h2>
                        {d.description.split("\n\n").filter(|p| !p.trim().is_empty()).map(|p| view! { <p>{p.to_string()}</p> }).collect_view()}
                    </section>
                    <BundleOffers bundles=d.bundles />
                    {outline}
                    <section class="preview" aria-labelledby="preview-h">
                        <h2 id="preview-h">{t("Free preview", "免费试读")}</h2>
                        <Blocks blocks=d.preview first_heading=0 />
                    </section>
                    {rest}
                    {reported.then(|| view! {
                        <p class="notice-ok" role="status" data-testid="reported">
                            {t("Thank you: your report went to the store's moderators.", "谢谢，你的举报已提交给本店管理员。")}
                        </p>
                    })}
                    {community.map(|c| view! { <crate::pages::community::CommunityView slug=community_slug c /> })}
                </div>
                <aside class="item-side">
                    {toc}
                    <section class="creator-card" aria-labelledby="creator-h">
                        <h2 id="creator-h">{t("Creator", "创作者")}</h2>
                        <img class="avatar" src=d.creator.avatar alt="" width="64" height="64" />
                        <p><a href=format!("/creator/{}", d.creator.slug)>{d.creator.name}</a></p>
                        <p class="muted">{d.creator.bio}</p>
                    </section>
                </aside>
            </div>
            {(!d.also_liked.is_empty()).then(|| view! {
                <section aria-labelledby="also-h" data-testid="also-liked">
                    <h2 id="also-h">{t("Learners who bought this also liked", "买过这件的读者也喜欢")}</h2>
                    <ItemGrid items=d.also_liked />
                </section>
            })}
            <DeviceRecommendations item=seen in_library=d.in_library />
            {(!d.related.is_empty()).then(|| view! {
                <section aria-labelledby="related-h">
                    <h2 id="related-h">{t("More in this category", "同类内容")}</h2>
                    <ItemGrid items=d.related />
                </section>
            })}
        </article>
    }
}

/// Content blocks as HTML elements. Headings get the anchors the contents list links to,
/// numbered from `first_heading`. In the reader, `notes` marks the learner's highlights and
/// notes in the text and flags bookmarked blocks, following the notes as they change (their
/// block numbers count from the first of `blocks`).
#[component]
pub fn Blocks(
    blocks: Vec<Block>,
    first_heading: usize,
    #[prop(optional)] notes: Option<RwSignal<Vec<Note>>>,
) -> impl IntoView {
    let mut n = first_heading;
    blocks
        .into_iter()
        .enumerate()
        .map(|(i, b)| {
            let i = i as u32;
            let caption = if b.kind == BlockKind::Media {
                b.text.clone()
            } else {
                String::new()
            };
            let text = b.text;
            let marked = move || {
                let draw = |here: &[&Note]| {
                    runs(&text, here)
                        .into_iter()
                        .map(|run| match run.mark {
                            None => Either::Left(run.text),
                            Some(kind) => Either::Right(view! {
                                <mark class=format!("mark-{}", kind.as_str())>{run.text}</mark>
                            }),
                        })
                        .collect_view()
                };
                match notes {
                    Some(notes) => notes
                        .with(|all| draw(&all.iter().filter(|n| n.block == i).collect::<Vec<_>>())),
                    None => draw(&[]),
                }
            };
            let bookmarked = move || {
                notes.is_some_and(|notes| {
                    notes.with(|all| {
                        all.iter()
                            .any(|n| n.block == i && n.kind == NoteKind::Bookmark && !n.deleted)
                    })
                })
            };
            match b.kind {
                BlockKind::Heading => {
                    let id = heading_anchor(n);
                    n += 1;
                    EitherOf7::A(if b.level.unwrap_or(2) >= 3 {
                        Either::Left(view! { <h4 id=id class:bookmarked=bookmarked>{marked}</h4> })
                    } else {
                        Either::Right(view! { <h3 id=id class:bookmarked=bookmarked>{marked}</h3> })
                    })
                }
                BlockKind::Paragraph => {
                    EitherOf7::B(view! { <p class:bookmarked=bookmarked>{marked}</p> })
                }
                BlockKind::List => {
                    let items = b
                        .items
                        .into_iter()
                        .map(|i| view! { <li>{i}</li> })
                        .collect_view();
                    EitherOf7::C(if b.level == Some(1) {
                        Either::Left(view! { <ol class:bookmarked=bookmarked>{items}</ol> })
                    } else {
                        Either::Right(view! { <ul class:bookmarked=bookmarked>{items}</ul> })
                    })
                }
                BlockKind::Quote => EitherOf7::D(
                    view! { <blockquote class:bookmarked=bookmarked>{marked}</blockquote> },
                ),
                BlockKind::Code => EitherOf7::E(
                    view! { <pre class:bookmarked=bookmarked><code>{marked}</code></pre> },
                ),
                BlockKind::Callout => EitherOf7::F(
                    view! { <p class="callout" class:bookmarked=bookmarked>{marked}</p> },
                ),
                BlockKind::Media => EitherOf7::G(view! {
                    <div class:bookmarked=bookmarked>
                        <MediaFigure media=b.media.clone() caption=caption />
                    </div>
                }),
            }
        })
        .collect_view()
}

/// An uploaded image (with its smaller copies for narrow screens), audio or video player,
/// or download link, with its caption. The caption is text; the address is our own.
#[component]
pub fn MediaFigure(
    media: Option<crate::models::media::MediaRef>,
    caption: String,
) -> impl IntoView {
    use crate::models::media::MediaKind;
    let Some(m) = media else {
        return EitherOf4::D(());
    };
    let has_caption = !caption.trim().is_empty();
    let figcaption = has_caption.then(|| view! { <figcaption>{caption.clone()}</figcaption> });
    match m.kind {
        MediaKind::Image => EitherOf4::A(view! {
            <figure class="media media-image">
                <img src=m.url() srcset=m.srcset() sizes="(max-width: 42rem) 100vw, 42rem"
                    alt=caption.clone() loading="lazy"
                    width=m.width.map(|w| w.to_string()) height=m.height.map(|h| h.to_string()) />
                {figcaption}
            </figure>
        }),
        MediaKind::Audio | MediaKind::Video => {
            EitherOf4::B(view! { <crate::components::player::Player m caption /> })
        }
        MediaKind::File => EitherOf4::C(view! {
            <p class="media media-file">
                <a href=m.url() download=m.name.clone()>{m.name.clone()}</a>
                " " <span class="muted">{format!("({})", m.size_text())}</span>
                {has_caption.then(|| view! { " — " {caption.clone()} })}
            </p>
        }),
    }
}
