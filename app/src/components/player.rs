//! The audio and video player of media blocks: playback speed, back and forward 15
//! seconds, chapters (timed lines of the caption, such as `12:30 The third tone`), the
//! place remembered on this device for each file, and the phone's lock-screen and headset
//! controls (Media Session). For a signed-in learner the place is also kept in their
//! account, and a player on another device starts there when that place is newer. Without
//! JavaScript it is the browser's own player.

use crate::models::media::{caption_chapters, clock, MediaKind, MediaRef};
use leptos::either::Either;
use leptos::prelude::*;

/// The speeds offered.
const SPEEDS: [f64; 6] = [0.75, 1.0, 1.25, 1.5, 1.75, 2.0];

/// A player for audio or video `m` with `caption`.
#[component]
pub fn Player(m: MediaRef, caption: String) -> impl IntoView {
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
    let (chapters, rest) = caption_chapters(&caption);
    let audio = NodeRef::<leptos::html::Audio>::new();
    let video = NodeRef::<leptos::html::Video>::new();
    let url = m.url();
    let key = format!("shuzhai.play.{}", m.hash);
    let title = if rest.is_empty() {
        m.name.clone()
    } else {
        rest.lines().next().unwrap_or_default().to_string()
    };
    let skip = move |by: f64| {
        #[cfg(feature = "hydrate")]
        if let Some(el) = media_el(audio, video) {
            let to = (el.current_time() + by).max(0.0);
            let end = el.duration();
            el.set_current_time(if end.is_finite() { to.min(end) } else { to });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (by, audio, video);
    };
    let seek = move |secs: u32| {
        #[cfg(feature = "hydrate")]
        if let Some(el) = media_el(audio, video) {
            el.set_current_time(f64::from(secs));
            let _ = el.play();
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = secs;
    };
    let speed = RwSignal::new(1.0f64);
    let set_speed = move |ev: leptos::ev::Event| {
        if let Ok(v) = event_target_value(&ev).parse::<f64>() {
            speed.set(v);
            #[cfg(feature = "hydrate")]
            if let Some(el) = media_el(audio, video) {
                el.set_playback_rate(v);
            }
        }
    };
    // Where this file was left on this device: restored once its length is known, kept
    // every few seconds while it plays and when it pauses.
    let last_kept = StoredValue::new(0.0f64);
    let restored = StoredValue::new(false);
    let signed_in = crate::components::forms::use_me().user.is_some();
    let hash = StoredValue::new(m.hash.clone());
    let restore_now = {
        let key = key.clone();
        move || {
            #[cfg(feature = "hydrate")]
            if let (Some(el), false) = (media_el(audio, video), restored.get_value()) {
                // Its length must be known first (HAVE_METADATA).
                if el.ready_state() >= 1 {
                    restored.set_value(true);
                    let local = device::read(&key);
                    go_to(&el, local.map(|p| p.0));
                    if signed_in {
                        // The account's place, if it is newer (saved on another device) and
                        // the listener has not started meanwhile.
                        let local_ms = local.map_or(0, |p| p.1);
                        leptos::task::spawn_local(async move {
                            if let Ok(Some((at, ms))) =
                                crate::api::reading::media_place(hash.get_value()).await
                            {
                                if ms > local_ms {
                                    if let Some(el) = media_el(audio, video) {
                                        if el.paused() {
                                            go_to(&el, Some(at));
                                        }
                                    }
                                }
                            }
                        });
                    }
                }
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = (&key, restored, signed_in, hash);
        }
    };
    // The length may have arrived before the page hydrated (the server's page starts
    // loading it): then the place is restored at once.
    let restore_hydrated = restore_now.clone();
    Effect::new(move |_| restore_hydrated());
    let restore = move |_| restore_now();
    let keep = {
        let key = key.clone();
        move |force: bool| {
            #[cfg(feature = "hydrate")]
            if let Some(el) = media_el(audio, video) {
                let at = el.current_time();
                if force || (at - last_kept.get_value()).abs() >= 5.0 {
                    last_kept.set_value(at);
                    let ms = js_sys::Date::now() as i64;
                    device::write(&key, at, ms);
                    if signed_in {
                        // Best effort: offline, the next save (or the next pause) sends it.
                        leptos::task::spawn_local(async move {
                            let _ = crate::api::reading::save_media_place(hash.get_value(), at, ms)
                                .await;
                        });
                    }
                }
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = (&key, force, last_kept);
        }
    };
    let keep_paused = keep.clone();
    let on_play = {
        let title = title.clone();
        move |_| {
            #[cfg(feature = "hydrate")]
            session::claim(&title, skip, move || media_el(audio, video));
            #[cfg(not(feature = "hydrate"))]
            let _ = &title;
        }
    };
    let media = if m.kind == MediaKind::Audio {
        Either::Left(view! {
            <audio node_ref=audio controls=true preload="metadata" src=url
                on:loadedmetadata=restore.clone() on:timeupdate=move |_| keep(false)
                on:pause=move |_| keep_paused(true) on:play=on_play.clone()></audio>
        })
    } else {
        let keep_video = keep.clone();
        let keep_video_paused = keep.clone();
        Either::Right(view! {
            <video node_ref=video controls=true preload="metadata" playsinline=true src=url
                on:loadedmetadata=restore on:timeupdate=move |_| keep_video(false)
                on:pause=move |_| keep_video_paused(true) on:play=on_play></video>
        })
    };
    let has_chapters = !chapters.is_empty();
    view! {
        <figure class="media media-player" data-testid="player">
            {media}
            <div class="player-tools" role="group" aria-label=t("Player", "播放器")>
                <button type="button" on:click=move |_| skip(-15.0) data-testid="back-15">{t("↺ 15 s", "↺ 15 秒")}</button>
                <button type="button" on:click=move |_| skip(15.0) data-testid="forward-15">{t("15 s ↻", "15 秒 ↻")}</button>
                <label>
                    {t("Speed", "倍速")} " "
                    <select on:change=set_speed data-testid="speed">
                        {SPEEDS.iter().map(|s| view! {
                            <option value=s.to_string() selected=move || (speed.get() - s).abs() < 1e-9>{format!("{s}×")}</option>
                        }).collect_view()}
                    </select>
                </label>
            </div>
            {has_chapters.then(|| view! {
                <ol class="player-chapters" aria-label=t("Chapters", "章节")>
                    {chapters.into_iter().map(|(at, name)| view! {
                        <li>
                            <button type="button" class="link" on:click=move |_| seek(at) data-testid="chapter">
                                <span class="muted">{clock(at)}</span> " " {name}
                            </button>
                        </li>
                    }).collect_view()}
                </ol>
            })}
            {(!rest.is_empty()).then(|| view! { <figcaption>{rest}</figcaption> })}
        </figure>
    }
}

/// The player's element, audio or video.
#[cfg(feature = "hydrate")]
fn media_el(
    audio: NodeRef<leptos::html::Audio>,
    video: NodeRef<leptos::html::Video>,
) -> Option<web_sys::HtmlMediaElement> {
    use wasm_bindgen::JsCast;
    audio
        .get_untracked()
        .map(|a| a.unchecked_into::<web_sys::HtmlMediaElement>())
        .or_else(|| {
            video
                .get_untracked()
                .map(|v| v.unchecked_into::<web_sys::HtmlMediaElement>())
        })
}

/// The place each file was left at, on this device, with the time it was saved.
#[cfg(feature = "hydrate")]
mod device {
    fn storage() -> Option<web_sys::Storage> {
        web_sys::window().and_then(|w| w.local_storage().ok().flatten())
    }

    /// The place (seconds) and when it was saved (ms since 1970).
    pub fn read(key: &str) -> Option<(f64, i64)> {
        let kept = storage()?.get_item(key).ok()??;
        let (at, ms) = kept.split_once(' ').unwrap_or((kept.as_str(), "0"));
        Some((at.parse().ok()?, ms.parse().unwrap_or(0)))
    }

    pub fn write(key: &str, at: f64, ms: i64) {
        if let Some(s) = storage() {
            let _ = s.set_item(key, &format!("{at:.1} {ms}"));
        }
    }
}

/// Moves the player to `at` seconds, unless that is the very start or the end.
#[cfg(feature = "hydrate")]
fn go_to(el: &web_sys::HtmlMediaElement, at: Option<f64>) {
    let end = el.duration();
    if let Some(at) = at {
        if at > 1.0 && (!end.is_finite() || at < end - 5.0) {
            el.set_current_time(at);
        }
    }
}

/// The lock screen's and headset's controls (the Media Session API, reached through
/// JavaScript's own objects: browsers without it just skip this).
#[cfg(feature = "hydrate")]
mod session {
    use js_sys::{Function, Object, Reflect};
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::{JsCast, JsValue};

    /// Points the system's controls at the player that just started.
    pub fn claim(
        title: &str,
        skip: impl Fn(f64) + Copy + 'static,
        element: impl Fn() -> Option<web_sys::HtmlMediaElement> + Copy + 'static,
    ) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let navigator: JsValue = window.navigator().into();
        let Ok(session) = Reflect::get(&navigator, &"mediaSession".into()) else {
            return;
        };
        if session.is_undefined() {
            return;
        }
        if let Ok(ctor) = Reflect::get(&window, &"MediaMetadata".into()) {
            if let Some(ctor) = ctor.dyn_ref::<Function>() {
                let init = Object::new();
                let _ = Reflect::set(&init, &"title".into(), &title.into());
                let _ = Reflect::set(&init, &"artist".into(), &"Shuzhai 书斋".into());
                if let Ok(meta) = Reflect::construct(ctor, &js_sys::Array::of1(&init)) {
                    let _ = Reflect::set(&session, &"metadata".into(), &meta);
                }
            }
        }
        let Ok(set) = Reflect::get(&session, &"setActionHandler".into()) else {
            return;
        };
        let Some(set) = set.dyn_ref::<Function>() else {
            return;
        };
        let handler = |f: Box<dyn Fn()>| Closure::<dyn Fn()>::wrap(f).into_js_value();
        let actions: [(&str, JsValue); 4] = [
            ("seekbackward", handler(Box::new(move || skip(-15.0)))),
            ("seekforward", handler(Box::new(move || skip(15.0)))),
            (
                "play",
                handler(Box::new(move || {
                    if let Some(el) = element() {
                        let _ = el.play();
                    }
                })),
            ),
            (
                "pause",
                handler(Box::new(move || {
                    if let Some(el) = element() {
                        let _ = el.pause();
                    }
                })),
            ),
        ];
        for (action, f) in actions {
            // Browsers that do not know an action throw; the others still apply.
            let _ = set.call2(&session, &action.into(), &f);
        }
    }
}
