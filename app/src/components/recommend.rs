//! Recommendations on the page. The server renders popular items of a few categories (what
//! a visitor without history, or without JavaScript, sees); in the browser, once the model's
//! factor file is at hand, the lists become personal — ranked on the device from what this
//! device remembers, without sending that history anywhere.

use crate::components::cards::ItemGrid;
use crate::components::forms::use_me;
use crate::models::catalog::{CategoryPicks, ItemCard};
use crate::models::i18n::Locale;
use leptos::prelude::*;

/// Personal lists, once ranked on the device.
#[derive(Debug, Clone, PartialEq)]
struct Personal {
    for_you: Vec<ItemCard>,
    because: Option<(String, Vec<ItemCard>)>,
}

/// Ranks on the device after hydration; stays `None` without history or model.
fn personal(current: Option<String>, top: usize) -> RwSignal<Option<Personal>> {
    let picks = RwSignal::new(None::<Personal>);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let current = current.clone();
        leptos::task::spawn_local(async move {
            match crate::device::picks(top, current.as_deref()).await {
                Ok(Some(p)) => picks.set(Some(Personal {
                    for_you: p.for_you,
                    because: p.because,
                })),
                Ok(None) => {}
                Err(e) => leptos::logging::warn!("recommendations: {e}"),
            }
        });
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (current, top);
    picks
}

/// "Because you read …".
#[component]
fn BecauseYouRead(title: String, items: Vec<ItemCard>) -> impl IntoView {
    let t = use_me().locale;
    view! {
        <section aria-labelledby="because-h" data-testid="because-you-read">
            <h2 id="because-h">{t.pick("Because you read ", "因为您读过")} <q>{title}</q></h2>
            <ItemGrid items />
        </section>
    }
}

/// Home's "For you": popular items of the largest categories until the device has history,
/// then the personal ranking and "because you read".
#[component]
pub fn ForYou(by_category: Vec<CategoryPicks>) -> impl IntoView {
    let t = use_me().locale;
    let picks = personal(None, 8);
    let state = move || {
        if picks.with(|p| p.is_some()) {
            "personal"
        } else {
            "popular"
        }
    };
    view! {
        <div class="for-you" data-testid="for-you" data-state=state>
            {move || match picks.get() {
                Some(p) => view! {
                    <section aria-labelledby="for-you-h">
                        <h2 id="for-you-h">{t.pick("For you", "为您推荐")}</h2>
                        <p class="muted">
                            {t.pick(
                                "Ranked in your browser from what you viewed on this device; that list never leaves it. ",
                                "由您的浏览器根据您在本设备上看过的内容排序；这份记录不会离开本设备。",
                            )}
                            <a href="/privacy#device">{t.pick("See or clear it", "查看或清除")}</a>
                        </p>
                        <ItemGrid items=p.for_you />
                    </section>
                    {p.because.map(|(title, items)| view! { <BecauseYouRead title items /> })}
                }
                .into_any(),
                None => by_category
                    .clone()
                    .into_iter()
                    .filter(|c| !c.items.is_empty())
                    .map(|c| {
                        let id = format!("popular-{}-h", c.category.slug);
                        let label = id.clone();
                        let (heading, all) = match t {
                            Locale::En => (format!("Popular in {}", c.category.name), format!("All of {} →", c.category.name)),
                            Locale::Zh => (format!("{} · 热门", c.category.name_zh), format!("全部{} →", c.category.name_zh)),
                        };
                        view! {
                            <section aria-labelledby=label>
                                <h2 id=id>{heading}</h2>
                                <ItemGrid items=c.items />
                                <p><a href=format!("/catalog?category={}&sort=popular", c.category.slug)>
                                    {all}
                                </a></p>
                            </section>
                        }
                    })
                    .collect_view()
                    .into_any(),
            }}
        </div>
    }
}

/// On an item page: remembers the visit on this device, and shows "because you read"
/// for the learner's latest other item once ranked.
#[component]
pub fn DeviceRecommendations(item: ItemCard, in_library: bool) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        let seen = crate::device::Seen {
            key: item.key.clone(),
            slug: item.slug.clone(),
            title: item.title.clone(),
            kind: if in_library { "purchase" } else { "view" }.into(),
            at: js_sys::Date::now(),
        };
        Effect::new(move |_| {
            let seen = seen.clone();
            leptos::task::spawn_local(async move {
                if let Err(e) = crate::device::remember(seen).await {
                    leptos::logging::warn!("could not remember this visit: {e}");
                }
            });
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = in_library;
    let picks = personal(Some(item.key.clone()), 4);
    move || {
        picks
            .get()
            .and_then(|p| p.because)
            .map(|(title, items)| view! { <BecauseYouRead title items /> })
    }
}

/// The privacy page's list of what this device remembers, with a button that clears it.
/// Rendered in the browser only (the server does not have it).
#[component]
pub fn DeviceHistory() -> impl IntoView {
    let t = use_me().locale;
    let kept = RwSignal::new(None::<Vec<(String, String, String, String)>>);
    #[cfg(feature = "hydrate")]
    let load = move || {
        leptos::task::spawn_local(async move {
            match crate::device::history().await {
                Ok(list) => kept.set(Some(
                    list.into_iter()
                        .rev()
                        .map(|s| {
                            let when = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(s.at))
                                .to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED)
                                .as_string()
                                .unwrap_or_default();
                            (s.slug, s.title, s.kind, when)
                        })
                        .collect(),
                )),
                Err(e) => leptos::logging::warn!("reading this device's history: {e}"),
            }
        })
    };
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| load());
    let clear = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            if crate::device::forget().await.is_ok() {
                kept.set(Some(Vec::new()));
            }
        });
    };
    view! {
        <section id="device" class="device-history" aria-labelledby="device-h" data-testid="device-history">
            <h2 id="device-h">{t.pick("Kept on this device", "保存在本设备上的记录")}</h2>
            <p>{t.pick(
                "To recommend without telling anyone what you read, your browser remembers which items you opened here and ranks the catalogue itself. This list is stored only in this browser and is never sent.",
                "为了在不告诉任何人您读了什么的前提下做推荐，您的浏览器会记住您在这里打开过的内容，并自行为目录排序。这份记录只保存在本浏览器中，从不发送。",
            )}</p>
            {move || match kept.get() {
                None => view! { <p class="muted">{t.pick("This list is shown by the page's script (with JavaScript off, nothing is kept).", "这份记录由页面脚本显示（关闭 JavaScript 时不会保存任何记录）。")}</p> }.into_any(),
                Some(list) if list.is_empty() => view! { <p data-testid="device-empty">{t.pick("Nothing is kept on this device.", "本设备上没有保存任何记录。")}</p> }.into_any(),
                Some(list) => view! {
                    <p>{match t { Locale::En => format!("{} entries:", list.len()), Locale::Zh => format!("共 {} 条：", list.len()) }}</p>
                    <ul class="device-list">
                        {list.into_iter().map(|(slug, title, kind, when)| view! {
                            <li>
                                <a href=format!("/item/{slug}")>{title}</a>
                                " " <span class="muted">{format!("{} · {}", match (kind.as_str(), t) {
                                    ("purchase", Locale::En) => "opened from your library",
                                    ("purchase", Locale::Zh) => "从书架打开",
                                    (_, Locale::En) => "viewed",
                                    (_, Locale::Zh) => "看过",
                                }, when)}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                    <button type="button" class="secondary" on:click=clear>{t.pick("Clear this list", "清除这份记录")}</button>
                }.into_any(),
            }}
        </section>
    }
}

/// The library's suggestions, from this device only: the owned items opened here most
/// recently ("continue"), and the best of the rest of the catalogue ("next for you").
#[component]
pub fn LibrarySuggestions(owned: Vec<ItemCard>) -> impl IntoView {
    let t = use_me().locale;
    let recent = RwSignal::new(Vec::<ItemCard>::new());
    #[cfg(feature = "hydrate")]
    {
        let owned = owned.clone();
        Effect::new(move |_| {
            let owned = owned.clone();
            leptos::task::spawn_local(async move {
                if let Ok(seen) = crate::device::history().await {
                    let mut list: Vec<ItemCard> = Vec::new();
                    for s in seen.iter().rev() {
                        if let Some(card) = owned.iter().find(|c| c.key == s.key) {
                            if !list.iter().any(|c| c.key == card.key) {
                                list.push(card.clone());
                            }
                        }
                        if list.len() == 4 {
                            break;
                        }
                    }
                    recent.set(list);
                }
            });
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = owned;
    let picks = personal(None, 4);
    view! {
        {move || {
            let list = recent.get();
            (!list.is_empty()).then(|| view! {
                <section aria-labelledby="continue-h" data-testid="continue">
                    <h2 id="continue-h">{t.pick("Continue where you left off", "继续阅读")}</h2>
                    <ItemGrid items=list />
                </section>
            })
        }}
        {move || picks.get().map(|p| view! {
            <section aria-labelledby="next-h" data-testid="next-for-you">
                <h2 id="next-h">{t.pick("Next for you", "接下来读")}</h2>
                <ItemGrid items=p.for_you />
            </section>
        })}
    }
}
