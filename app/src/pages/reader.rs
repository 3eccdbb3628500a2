//! `/read/<slug>`: the reader. The whole text in comfortable type, the chapters, a font size
//! and a light, dark or sepia page (remembered on the device), and the place the learner
//! stopped — saved on the device at once and on their account a moment later, so the reader
//! opens there again on this device or any other. Without JavaScript the text is all there,
//! in the default type.

use crate::api::reading::load_reader;
use crate::components::forms::use_me;
use crate::components::notice::ErrorNotice;
use crate::components::seo::PageMeta;
use crate::models::reading::{ReaderView, Theme, DEFAULT_FONT_SIZE, FONT_SIZES};
use crate::pages::item::Blocks;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The reader page.
#[component]
pub fn ReaderPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let view = Resource::new(slug, load_reader);
    let t = use_me().locale;
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match view.await {
                    Ok(r) => Either::Left(view! { <Reader r /> }),
                    Err(error) => Either::Right(view! {
                        <PageMeta title="Reader" description="The reader." path=format!("/read/{}", slug()) />
                        <section class="reader-closed">
                            <ErrorNotice error />
                            <p><a href=format!("/item/{}", slug())>{t.pick("Back to the item page", "返回内容页")}</a></p>
                        </section>
                    }),
                }
            })}
        </Suspense>
    }
}

/// What the position line under the toolbar says.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SyncState {
    /// Nothing read yet in this visit.
    Idle,
    /// Saved on this device; waiting to send.
    Local,
    /// The account has it.
    Synced,
    /// Sending failed (offline): kept on this device, sent again when back online.
    Offline,
}

#[component]
fn Reader(r: ReaderView) -> impl IntoView {
    let t = use_me().locale;
    let signed_in = use_me().user.is_some();
    let size = RwSignal::new(DEFAULT_FONT_SIZE);
    let theme = RwSignal::new(Theme::default());
    let percent = RwSignal::new(r.position.map(|p| (p.fraction * 100.0).round() as u32));
    let sync = RwSignal::new(SyncState::Idle);
    let path = format!("/read/{}", r.slug);
    let item_path = format!("/item/{}", r.slug);
    #[cfg(feature = "hydrate")]
    client::start(&r, signed_in, size, theme, percent, sync);
    let status = move || match sync.get() {
        SyncState::Idle => String::new(),
        SyncState::Local => t.pick("Saved on this device", "已保存在本设备").to_string(),
        SyncState::Synced => t
            .pick("Position saved to your account", "阅读位置已同步")
            .to_string(),
        SyncState::Offline => t
            .pick(
                "Offline — your place is kept on this device and sent when you are back online",
                "离线：阅读位置已保存在本设备，联网后会同步",
            )
            .to_string(),
    };
    let toc = r.toc;
    view! {
        <PageMeta title=r.title.clone() description=format!("{} — {}", r.title, r.creator) path=path />
        // Sizes are classes, not a style attribute: the Content-Security-Policy allows no
        // inline styles.
        <div class=move || format!("reader theme-{} size-{}", theme.get().as_str(), size.get())
             data-testid="reader">
            <div class="reader-bar" role="toolbar" aria-label=t.pick("Reading settings", "阅读设置")>
                <a href=item_path>{t.pick("← Item page", "← 内容页")}</a>
                {(!toc.is_empty()).then(|| view! {
                    <details class="reader-toc">
                        <summary>{t.pick("Chapters", "目录")}</summary>
                        <ol>
                            {toc.into_iter().map(|c| view! {
                                <li class=format!("toc-l{}", c.level)><a href=format!("#{}", c.anchor)>{c.title}</a></li>
                            }).collect_view()}
                        </ol>
                    </details>
                })}
                <span class="reader-size">
                    <button type="button" aria-label=t.pick("Smaller text", "缩小字号")
                        disabled=move || size.get() == 0
                        on:click=move |_| size.update(|s| *s = s.saturating_sub(1))>"A−"</button>
                    <button type="button" aria-label=t.pick("Larger text", "放大字号")
                        disabled=move || { size.get() + 1 >= FONT_SIZES.len() }
                        on:click=move |_| size.update(|s| *s = (*s + 1).min(FONT_SIZES.len() - 1))>"A+"</button>
                </span>
                <span class="reader-themes" role="group" aria-label=t.pick("Page colour", "页面颜色")>
                    {Theme::ALL.into_iter().map(|th| view! {
                        <button type="button" class=format!("swatch swatch-{}", th.as_str())
                            aria-pressed=move || (theme.get() == th).to_string()
                            on:click=move |_| theme.set(th)>
                            {match th {
                                Theme::Light => t.pick("Light", "白天"),
                                Theme::Dark => t.pick("Dark", "夜间"),
                                Theme::Sepia => t.pick("Sepia", "护眼"),
                            }}
                        </button>
                    }).collect_view()}
                </span>
                <span class="reader-percent" data-testid="reader-percent">
                    {move || percent.get().map(|p| format!("{p} %"))}
                </span>
            </div>
            <p class="reader-sync muted" aria-live="polite" data-testid="reader-sync">{status}</p>
            {(!signed_in).then(|| view! {
                <p class="muted reader-hint">{t.pick(
                    "Your place is kept on this device. Sign in to continue on your other devices.",
                    "阅读位置保存在本设备。登录后可在其他设备上继续阅读。",
                )}</p>
            })}
            <OfflineSave slug=r.slug.clone() cover=r.cover.clone() />
            <article class="reader-text" lang=r.language id="reader-text">
                <h1>{r.title}</h1>
                <p class="muted">{r.creator}</p>
                <div class="reader-blocks" id="reader-blocks">
                    <Blocks blocks=r.blocks first_heading=0 />
                </div>
            </article>
        </div>
    }
}

/// "Download for offline": saves the reader page, its data, the item page and the cover
/// on the device with a progress bar, says how much the store uses on the device, and
/// removes them again. Shown once the page runs in the browser (it needs the browser's
/// storage).
#[component]
fn OfflineSave(slug: String, cover: String) -> impl IntoView {
    let t = use_me().locale;
    let urls = vec![
        format!("/read/{slug}"),
        format!("/api/reader?slug={slug}"),
        format!("/item/{slug}"),
        cover,
        "/library".to_string(),
    ];
    // The last one, the library, is shared by every item and stays when one is removed.
    let own = urls.len() - 1;
    let saved = RwSignal::new(None::<bool>);
    let progress = RwSignal::new(None::<usize>);
    let used = RwSignal::new(None::<(String, String)>);
    let failed = RwSignal::new(None::<String>);
    let total = urls.len();
    #[cfg(feature = "hydrate")]
    let refresh = move || {
        leptos::task::spawn_local(async move {
            used.set(
                crate::offline::storage_estimate()
                    .await
                    .map(|(u, q)| (crate::offline::size_text(u), crate::offline::size_text(q))),
            )
        })
    };
    #[cfg(feature = "hydrate")]
    Effect::new({
        let urls = urls.clone();
        move |_| {
            let urls = urls.clone();
            leptos::task::spawn_local(async move {
                saved.set(Some(crate::offline::saved(&urls).await));
            });
            refresh();
        }
    });
    let download = {
        let urls = urls.clone();
        move |_| {
            #[cfg(feature = "hydrate")]
            {
                let urls = urls.clone();
                failed.set(None);
                progress.set(Some(0));
                leptos::task::spawn_local(async move {
                    match crate::offline::save(&urls, |n| progress.set(Some(n))).await {
                        Ok(()) => saved.set(Some(true)),
                        Err(e) => failed.set(Some(e)),
                    }
                    progress.set(None);
                    refresh();
                });
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = &urls;
        }
    };
    let remove = {
        let urls = urls[..own].to_vec();
        move |_| {
            #[cfg(feature = "hydrate")]
            {
                let urls = urls.clone();
                leptos::task::spawn_local(async move {
                    match crate::offline::remove(&urls).await {
                        Ok(()) => saved.set(Some(false)),
                        Err(e) => failed.set(Some(e)),
                    }
                    refresh();
                });
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = &urls;
        }
    };
    move || {
        saved.get().map(|is_saved| {
            view! {
                <section class="offline-save" aria-label=t.pick("Offline reading", "离线阅读") data-testid="offline-save">
                    {if is_saved {
                        Either::Left(view! {
                            <span data-testid="offline-ready">{t.pick("✓ Available offline on this device", "✓ 已下载，可离线阅读")}</span>
                            " " <button type="button" class="link-button" on:click=remove.clone()>{t.pick("Remove from this device", "从本设备删除")}</button>
                        })
                    } else {
                        Either::Right(view! {
                            <button type="button" on:click=download.clone() disabled=move || progress.get().is_some()>
                                {t.pick("Download for offline", "下载以离线阅读")}
                            </button>
                        })
                    }}
                    {move || progress.get().map(|n| view! {
                        " " <progress max=total.to_string() value=n.to_string()
                            aria-label=t.pick("Downloading", "下载进度")>{format!("{n}/{total}")}</progress>
                    })}
                    {move || used.get().map(|(u, q)| view! {
                        <span class="muted">{format!("{} {u} / {q}", t.pick("Stored on this device:", "本设备已用："))}</span>
                    })}
                    {move || failed.get().map(|e| view! {
                        <p class="form-error" role="alert">{format!("{} {e}", t.pick(
                            "Could not save for offline reading (what was saved stays):",
                            "无法完成离线下载（已下载的部分会保留）：",
                        ))}</p>
                    })}
                </section>
            }
        })
    }
}

/// The browser half: settings on the device, finding the block at the top of the screen,
/// saving the place locally at once and to the account after a pause, and opening at the
/// newer of the device's and the account's place.
#[cfg(feature = "hydrate")]
mod client {
    use super::SyncState;
    use crate::api::reading::save_reading;
    use crate::models::reading::{
        ReaderView, ReadingPosition, Theme, DEFAULT_FONT_SIZE, FONT_SIZES,
    };
    use leptos::prelude::*;
    use serde::{Deserialize, Serialize};
    use std::cell::RefCell;
    use std::rc::Rc;

    const SETTINGS_KEY: &str = "shuzhai.reader";
    /// Quiet time after scrolling before the place is sent to the account.
    const SEND_AFTER_MS: u32 = 1500;

    #[derive(Serialize, Deserialize)]
    struct Settings {
        size: usize,
        theme: Theme,
    }

    fn storage() -> Option<web_sys::Storage> {
        window().local_storage().ok().flatten()
    }

    fn place_key(slug: &str) -> String {
        format!("shuzhai.place.{slug}")
    }

    fn read_json<T: for<'de> Deserialize<'de>>(key: &str) -> Option<T> {
        serde_json::from_str(&storage()?.get_item(key).ok()??).ok()
    }

    fn write_json<T: Serialize>(key: &str, value: &T) {
        if let (Some(s), Ok(text)) = (storage(), serde_json::to_string(value)) {
            // A full device keeps the previous value: the account still gets the new one.
            let _ = s.set_item(key, &text);
        }
    }

    /// The blocks' container: its children are the blocks, in order.
    fn blocks() -> Option<web_sys::Element> {
        document().get_element_by_id("reader-blocks")
    }

    /// The block at the top of the screen and how far through the text the screen's bottom is.
    fn measure() -> Option<(u32, f64)> {
        let container = blocks()?;
        let children = container.children();
        let n = children.length();
        if n == 0 {
            return None;
        }
        let mut top = n - 1;
        for i in 0..n {
            if children.item(i)?.get_bounding_client_rect().bottom() > 60.0 {
                top = i;
                break;
            }
        }
        let rect = document()
            .get_element_by_id("reader-text")?
            .get_bounding_client_rect();
        let seen = window().inner_height().ok()?.as_f64()? - rect.top();
        let fraction = if rect.height() <= 0.0 {
            0.0
        } else {
            (seen / rect.height()).clamp(0.0, 1.0)
        };
        Some((top, (fraction * 1000.0).round() / 1000.0))
    }

    fn scroll_to_block(block: u32) {
        let Some(el) = blocks().and_then(|c| c.children().item(block)) else {
            return;
        };
        let y = el.get_bounding_client_rect().top() + window().scroll_y().unwrap_or(0.0) - 70.0;
        window().scroll_to_with_x_and_y(0.0, y.max(0.0));
    }

    /// Sets everything going once the page is in the browser.
    pub fn start(
        r: &ReaderView,
        signed_in: bool,
        size: RwSignal<usize>,
        theme: RwSignal<Theme>,
        percent: RwSignal<Option<u32>>,
        sync: RwSignal<SyncState>,
    ) {
        let slug = r.slug.clone();
        let from_account = r.position;
        // The device's settings, then remember every change.
        Effect::new(move |first: Option<()>| {
            if first.is_none() {
                if let Some(s) = read_json::<Settings>(SETTINGS_KEY) {
                    size.set(s.size.min(FONT_SIZES.len() - 1));
                    theme.set(s.theme);
                }
            }
            let (size, theme) = (size.get(), theme.get());
            if first.is_some() || size != DEFAULT_FONT_SIZE || theme != Theme::default() {
                write_json(SETTINGS_KEY, &Settings { size, theme });
            }
        });
        // Pending: the newest place not yet on the account.
        let pending: Rc<RefCell<Option<ReadingPosition>>> = Rc::new(RefCell::new(None));
        let timer: Rc<RefCell<Option<gloo::timers::callback::Timeout>>> = Rc::default();
        let send = {
            let (slug, pending) = (slug.clone(), pending.clone());
            move || {
                let Some(p) = *pending.borrow() else {
                    return;
                };
                let (slug, pending) = (slug.clone(), pending.clone());
                leptos::task::spawn_local(async move {
                    match save_reading(slug, p.block, p.fraction, p.saved_ms).await {
                        Ok(_) => {
                            // Only clear what was sent: a newer place may have come meanwhile.
                            let mut slot = pending.borrow_mut();
                            if slot.is_some_and(|q| q.saved_ms == p.saved_ms) {
                                *slot = None;
                            }
                            sync.set(SyncState::Synced);
                        }
                        Err(e) => {
                            leptos::logging::warn!("could not save the reading position: {e}");
                            sync.set(SyncState::Offline);
                        }
                    }
                });
            }
        };
        // Open at the newer place; a newer one from this device is sent to the account.
        Effect::new({
            let (slug, pending, send) = (slug.clone(), pending.clone(), send.clone());
            move |_| {
                let local = read_json::<ReadingPosition>(&place_key(&slug));
                let newest = match (local, from_account) {
                    (Some(l), Some(a)) if l.saved_ms > a.saved_ms => {
                        if signed_in {
                            *pending.borrow_mut() = Some(l);
                            send();
                        }
                        Some(l)
                    }
                    (Some(l), None) => {
                        if signed_in {
                            *pending.borrow_mut() = Some(l);
                            send();
                        }
                        Some(l)
                    }
                    (_, a) => a,
                };
                if let Some(p) = newest {
                    percent.set(Some((p.fraction * 100.0).round() as u32));
                    if p.block > 0 {
                        // After the browser has laid the text out.
                        gloo::timers::callback::Timeout::new(0, move || scroll_to_block(p.block))
                            .forget();
                    }
                }
            }
        });
        let on_scroll = {
            let send = send.clone();
            move || {
                let Some((block, fraction)) = measure() else {
                    return;
                };
                percent.set(Some((fraction * 100.0).round() as u32));
                let furthest = read_json::<ReadingPosition>(&place_key(&slug))
                    .map_or(0.0, |p| p.furthest)
                    .max(fraction);
                let p = ReadingPosition {
                    block,
                    fraction,
                    furthest,
                    saved_ms: js_sys::Date::now() as i64,
                };
                write_json(&place_key(&slug), &p);
                if !signed_in {
                    sync.set(SyncState::Local);
                    return;
                }
                *pending.borrow_mut() = Some(p);
                if sync.get_untracked() != SyncState::Offline {
                    sync.set(SyncState::Local);
                }
                let send = send.clone();
                *timer.borrow_mut() =
                    Some(gloo::timers::callback::Timeout::new(SEND_AFTER_MS, send));
            }
        };
        let scroll = window_event_listener(leptos::ev::scroll, move |_| on_scroll());
        let online = window_event_listener(leptos::ev::online, move |_| send());
        on_cleanup(move || {
            scroll.remove();
            online.remove();
        });
    }
}
