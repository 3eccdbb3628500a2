//! Item cards and lists of them.

use crate::models::catalog::ItemCard;
use crate::models::i18n::Locale;
use leptos::prelude::*;

/// One item as a card: cover, kind, title, creator, price, rating, tags.
#[component]
pub fn ItemCardView(item: ItemCard) -> impl IntoView {
    let locale = crate::components::forms::use_locale();
    let href = format!("/item/{}", item.slug);
    let lang = item.language.clone();
    let alt_lang = if lang == "zh-CN" { "en" } else { "zh-CN" };
    let rating = item.rating.map(|r| {
        let label = match locale {
            Locale::En => format!("Rated {r:.1} out of 5 by {} learners", item.rating_count),
            Locale::Zh => format!("{} 位读者评分 {r:.1}（满分 5）", item.rating_count),
        };
        view! {
            <span class="rating" aria-label=label>
                "★ " {format!("{r:.1}")} <span class="muted">" (" {item.rating_count} ")"</span>
            </span>
        }
    });
    let price = locale.price(&item.price);
    let category = match locale {
        Locale::Zh if !item.category_name_zh.is_empty() => item.category_name_zh,
        _ => item.category_name,
    };
    let free = item.price.is_free();
    view! {
        <article class="card">
            <a href=href.clone() class="card-cover" tabindex="-1" aria-hidden="true">
                <img src=item.cover alt="" width="240" height="320" loading="lazy" decoding="async" />
            </a>
            <div class="card-body">
                <p class="card-meta">
                    <span class=format!("kind kind-{}", item.kind.as_str())>{item.kind.label_in(locale)}</span>
                    <span class="category">{category}</span>
                </p>
                <h3 class="card-title" lang=lang>
                    <a href=href>{item.title}</a>
                </h3>
                <p class="card-alt" lang=alt_lang>{item.title_alt}</p>
                <p class="card-creator">
                    {locale.pick("by ", "作者 ")} <a href=format!("/creator/{}", item.creator_slug)>{item.creator_name}</a>
                </p>
                <p class="card-foot">
                    <span class="price" class:free=free>{price}</span>
                    {rating}
                </p>
                <ul class="tags" aria-label=locale.pick("Tags", "标签")>
                    {item
                        .tags
                        .into_iter()
                        .map(|t| {
                            view! {
                                <li>
                                    <a href=format!("/catalog?tag={}", t.slug)>"#" {t.name}</a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </div>
        </article>
    }
}

/// A grid of cards.
#[component]
pub fn ItemGrid(items: Vec<ItemCard>) -> impl IntoView {
    view! {
        <div class="grid">
            {items.into_iter().map(|item| view! { <ItemCardView item /> }).collect_view()}
        </div>
    }
}
