//! Reading offline, the browser half: registers the service worker (`public/sw.js`, which
//! keeps what was opened and serves it when the network is gone), saves an item's pages
//! into the same cache on request, and reports what the device holds.
//!
//! Only compiled into the browser bundle.

use crate::device::js_error;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The service worker's cache (`CACHE` in `public/sw.js`).
pub const CACHE: &str = "shuzhai-offline-v1";

/// Registers the service worker, once per page load. Browsers without service workers
/// (or an insecure address other than localhost) simply do without offline reading.
pub fn register_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let container = window.navigator().service_worker();
    if container.is_undefined() {
        return;
    }
    let promise = container.register("/sw.js");
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = JsFuture::from(promise).await {
            leptos::logging::warn!("{}", js_error("offline reading is unavailable", e));
        }
    });
}

/// Whether the browser says it is online.
pub fn online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

async fn cache() -> Result<web_sys::Cache, String> {
    let caches = web_sys::window()
        .ok_or("no window")?
        .caches()
        .map_err(|_| "this browser cannot keep pages offline".to_string())?;
    Ok(JsFuture::from(caches.open(CACHE))
        .await
        .map_err(|e| js_error("opening the offline store", e))?
        .unchecked_into())
}

/// Saves `urls` on the device, calling `done(n)` after each one. Stops at the first that
/// cannot be fetched (offline, full device), keeping what was saved before it.
pub async fn save(urls: &[String], done: impl Fn(usize)) -> Result<(), String> {
    let cache = cache().await?;
    for (n, url) in urls.iter().enumerate() {
        JsFuture::from(cache.add_with_str(url))
            .await
            .map_err(|e| js_error(&format!("saving {url}"), e))?;
        done(n + 1);
    }
    Ok(())
}

/// Whether every one of `urls` is on the device.
pub async fn saved(urls: &[String]) -> bool {
    let Ok(cache) = cache().await else {
        return false;
    };
    for url in urls {
        match JsFuture::from(cache.match_with_str(url)).await {
            Ok(v) if !v.is_undefined() => {}
            _ => return false,
        }
    }
    true
}

/// Removes `urls` from the device.
pub async fn remove(urls: &[String]) -> Result<(), String> {
    let cache = cache().await?;
    for url in urls {
        JsFuture::from(cache.delete_with_str(url))
            .await
            .map_err(|e| js_error("removing a saved page", e))?;
    }
    Ok(())
}

/// Bytes this site uses on the device and the most it may use, as the browser estimates
/// them (`None` where the browser does not tell).
pub async fn storage_estimate() -> Option<(f64, f64)> {
    let navigator = web_sys::window()?.navigator();
    let storage = js_sys::Reflect::get(&navigator, &"storage".into()).ok()?;
    let estimate = js_sys::Reflect::get(&storage, &"estimate".into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    let promise = estimate
        .call0(&storage)
        .ok()?
        .dyn_into::<js_sys::Promise>()
        .ok()?;
    let found = JsFuture::from(promise).await.ok()?;
    let number = |k: &str| js_sys::Reflect::get(&found, &k.into()).ok()?.as_f64();
    Some((number("usage")?, number("quota")?))
}

/// `bytes` in words: "830 KB", "12.5 MB", "1.2 GB".
pub fn size_text(bytes: f64) -> String {
    if bytes >= 1e9 {
        format!("{:.1} GB", bytes / 1e9)
    } else if bytes >= 1e6 {
        format!("{:.1} MB", bytes / 1e6)
    } else {
        format!("{:.0} KB", (bytes / 1e3).max(1.0))
    }
}
