//! What the learner's browser keeps for recommendations, and nothing leaves it: the items
//! viewed on this device (IndexedDB), and the active model's factor file (the Cache API,
//! one entry per model version, so it is downloaded once and reused offline). Ranking
//! happens here too, with the same code the server tests (`crate::reco`).
//!
//! Only compiled into the browser bundle.

use crate::models::catalog::ItemCard;
use crate::reco::factors::{fnv1a_continue, FactorFile, FNV_OFFSET};
use crate::reco::score::{fold_in, rank, similar_to, RankOptions};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest, IdbTransactionMode};

const DB_NAME: &str = "shuzhai";
const STORE: &str = "device";
const HISTORY_KEY: &str = "history";
const MODEL_CACHE: &str = "shuzhai-reco";
/// Most entries kept; older ones are forgotten first.
pub const HISTORY_LIMIT: usize = 500;

/// One thing the learner did with an item, as this device remembers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Seen {
    /// The item's record key (the id in factor files).
    pub key: String,
    /// Its slug, to link back to it.
    pub slug: String,
    /// Its title when seen.
    pub title: String,
    /// `view` or `purchase` (an item opened while in the library).
    pub kind: String,
    /// When, in milliseconds since 1970.
    pub at: f64,
}

/// A JavaScript error as text, after `context` (shared with [`crate::offline`]).
pub(crate) fn js_error(context: &str, e: JsValue) -> String {
    format!(
        "{context}: {}",
        e.as_string()
            .or_else(|| js_sys::JSON::stringify(&e).ok().and_then(|s| s.as_string()))
            .unwrap_or_else(|| "unknown error".into())
    )
}

/// Waits for an IndexedDB request and gives its result.
async fn settle(req: &IdbRequest) -> Result<JsValue, String> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let done = req.clone();
        let ok = Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::NULL, &done.result().unwrap_or(JsValue::UNDEFINED));
        });
        let err = Closure::once_into_js(move || {
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str("the request failed"));
        });
        req.set_onsuccess(Some(ok.unchecked_ref()));
        req.set_onerror(Some(err.unchecked_ref()));
    });
    JsFuture::from(promise)
        .await
        .map_err(|e| js_error("IndexedDB", e))
}

async fn open() -> Result<IdbDatabase, String> {
    let factory = web_sys::window()
        .ok_or("no window")?
        .indexed_db()
        .map_err(|e| js_error("IndexedDB", e))?
        .ok_or("this browser keeps no IndexedDB (private mode?)")?;
    let request = factory
        .open_with_u32(DB_NAME, 1)
        .map_err(|e| js_error("opening IndexedDB", e))?;
    let upgrading = request.clone();
    let upgrade = Closure::once_into_js(move || {
        if let Ok(db) = upgrading.result() {
            let db: IdbDatabase = db.unchecked_into();
            if !db.object_store_names().contains(STORE) {
                let _ = db.create_object_store(STORE);
            }
        }
    });
    request.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    Ok(settle(&request).await?.unchecked_into())
}

/// The value kept under `key` in this device's store (IndexedDB), if any and readable.
pub(crate) async fn get_json<T: serde::de::DeserializeOwned>(
    key: &str,
) -> Result<Option<T>, String> {
    let db = open().await?;
    let store = db
        .transaction_with_str(STORE)
        .and_then(|t| t.object_store(STORE))
        .map_err(|e| js_error("reading the device store", e))?;
    let req = store
        .get(&JsValue::from_str(key))
        .map_err(|e| js_error("reading the device store", e))?;
    let value = settle(&req).await?;
    db.close();
    // Unreadable (corrupt or from an older version) counts as absent.
    Ok(value
        .as_string()
        .and_then(|s| serde_json::from_str(&s).ok()))
}

/// Keeps `value` under `key` in this device's store (IndexedDB). A full device answers
/// with an error and keeps the previous value.
pub(crate) async fn put_json<T: Serialize>(key: &str, value: &T) -> Result<(), String> {
    let db = open().await?;
    let tx = db
        .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)
        .map_err(|e| js_error("writing the device store", e))?;
    let store = tx
        .object_store(STORE)
        .map_err(|e| js_error("writing the device store", e))?;
    let json = serde_json::to_string(value).map_err(|e| e.to_string())?;
    let req = store
        .put_with_key(&JsValue::from_str(&json), &JsValue::from_str(key))
        .map_err(|e| js_error("writing the device store", e))?;
    let done = settle(&req).await;
    db.close();
    done.map(|_| ())
}

/// Everything this device remembers, oldest first.
pub async fn history() -> Result<Vec<Seen>, String> {
    let db = open().await?;
    let store = db
        .transaction_with_str(STORE)
        .and_then(|t| t.object_store(STORE))
        .map_err(|e| js_error("reading history", e))?;
    let req = store
        .get(&JsValue::from_str(HISTORY_KEY))
        .map_err(|e| js_error("reading history", e))?;
    let value = settle(&req).await?;
    db.close();
    Ok(value
        .as_string()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default())
}

async fn write(list: &[Seen]) -> Result<(), String> {
    let db = open().await?;
    let store = db
        .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)
        .and_then(|t| t.object_store(STORE))
        .map_err(|e| js_error("writing history", e))?;
    let json = serde_json::to_string(list).map_err(|e| e.to_string())?;
    let req = store
        .put_with_key(&JsValue::from_str(&json), &JsValue::from_str(HISTORY_KEY))
        .map_err(|e| js_error("writing history", e))?;
    settle(&req).await?;
    db.close();
    Ok(())
}

/// Adds `seen` to this device's history (a repeat of the last entry within a minute is
/// not counted twice).
pub async fn remember(seen: Seen) -> Result<(), String> {
    let mut list = history().await?;
    if let Some(last) = list.last() {
        if last.key == seen.key && last.kind == seen.kind && seen.at - last.at < 60_000.0 {
            return Ok(());
        }
    }
    list.push(seen);
    if list.len() > HISTORY_LIMIT {
        let extra = list.len() - HISTORY_LIMIT;
        list.drain(..extra);
    }
    write(&list).await
}

/// Forgets everything this device remembers.
pub async fn forget() -> Result<(), String> {
    write(&[]).await
}

thread_local! {
    static MODEL: RefCell<Option<Rc<FactorFile>>> = const { RefCell::new(None) };
    static CARDS: RefCell<Option<Rc<crate::models::reco::RecoCards>>> = const { RefCell::new(None) };
}

#[derive(Deserialize)]
struct Current {
    version: u32,
    url: String,
}

async fn fetch(url: &str) -> Result<web_sys::Response, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| js_error("fetching", e))?
        .unchecked_into();
    Ok(response)
}

async fn bytes_of(response: &web_sys::Response) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(
        response
            .array_buffer()
            .map_err(|e| js_error("reading", e))?,
    )
    .await
    .map_err(|e| js_error("reading", e))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The factor file at `url`, from the device's cache when it is there; otherwise
/// downloaded and cached (older versions are dropped from the cache).
async fn factor_bytes(url: &str) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let Ok(caches) = window.caches() else {
        // No Cache API (not a secure context): the HTTP cache still keeps it.
        return bytes_of(&fetch(url).await?).await;
    };
    let cache: web_sys::Cache = JsFuture::from(caches.open(MODEL_CACHE))
        .await
        .map_err(|e| js_error("opening the cache", e))?
        .unchecked_into();
    let hit = JsFuture::from(cache.match_with_str(url))
        .await
        .map_err(|e| js_error("reading the cache", e))?;
    if let Ok(response) = hit.dyn_into::<web_sys::Response>() {
        return bytes_of(&response).await;
    }
    let response = fetch(url).await?;
    if !response.ok() {
        return Err(format!("the model file answered {}", response.status()));
    }
    let copy = response.clone().map_err(|e| js_error("copying", e))?;
    let bytes = bytes_of(&response).await?;
    let _ = JsFuture::from(cache.put_with_str(url, &copy)).await;
    if let Ok(keys) = JsFuture::from(cache.keys()).await {
        for key in js_sys::Array::from(&keys).iter() {
            if let Ok(req) = key.dyn_into::<web_sys::Request>() {
                if !req.url().ends_with(url) {
                    let _ = JsFuture::from(cache.delete_with_request(&req)).await;
                }
            }
        }
    }
    Ok(bytes)
}

/// Lets the browser draw a frame.
async fn yield_now() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback(&resolve);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// The active model's factor file, decoded (once per page load and version). The body's
/// checksum is computed in slices so that a large file never freezes the page. `None`
/// when the store has not trained a model yet.
pub async fn model() -> Result<Option<Rc<FactorFile>>, String> {
    let response = fetch("/reco/current").await?;
    if response.status() == 404 {
        return Ok(None);
    }
    let current: Current = serde_json::from_slice(&bytes_of(&response).await?)
        .map_err(|e| format!("reading the model version: {e}"))?;
    if let Some(m) = MODEL.with(|m| m.borrow().clone()) {
        if m.version == current.version {
            return Ok(Some(m));
        }
    }
    let bytes = factor_bytes(&current.url).await?;
    let body = FactorFile::body(&bytes).map_err(|e| e.to_string())?;
    let mut sum = FNV_OFFSET;
    for slice in body.chunks(256 * 1024) {
        sum = fnv1a_continue(sum, slice);
        yield_now().await;
    }
    let file = Rc::new(FactorFile::decode_with_sum(&bytes, sum).map_err(|e| e.to_string())?);
    MODEL.with(|m| *m.borrow_mut() = Some(file.clone()));
    Ok(Some(file))
}

async fn cards() -> Result<Rc<crate::models::reco::RecoCards>, String> {
    if let Some(c) = CARDS.with(|c| c.borrow().clone()) {
        return Ok(c);
    }
    let fresh = Rc::new(
        crate::api::reco::recommendation_cards()
            .await
            .map_err(|e| e.to_string())?,
    );
    CARDS.with(|c| *c.borrow_mut() = Some(fresh.clone()));
    Ok(fresh)
}

/// What the device ranked for the learner.
#[derive(Debug, Clone, PartialEq)]
pub struct Picks {
    /// "For you", best first.
    pub for_you: Vec<ItemCard>,
    /// "Because you read …": the title of the item and the items most like it.
    pub because: Option<(String, Vec<ItemCard>)>,
}

/// Ranks the catalogue for this device's history: `None` when there is no history or no
/// model yet (the page keeps its popular-in-category lists). `current` is the item on
/// screen (left out of every list).
pub async fn picks(top: usize, current: Option<&str>) -> Result<Option<Picks>, String> {
    let seen = history().await?;
    let seen: Vec<&Seen> = seen
        .iter()
        .filter(|s| Some(s.key.as_str()) != current)
        .collect();
    if seen.is_empty() {
        return Ok(None);
    }
    let Some(file) = model().await? else {
        return Ok(None);
    };
    let cards = cards().await?;
    let rows = file.rows_by_id();
    let now = js_sys::Date::now();
    let mut history: Vec<(usize, f32)> = seen
        .iter()
        .filter_map(|s| {
            let row = *rows.get(s.key.as_str())?;
            let age_days = (now - s.at) / 86_400_000.0;
            Some((row, crate::reco::strength(&s.kind, None, age_days)))
        })
        .collect();
    let owned: Vec<usize> = cards
        .owned
        .iter()
        .filter_map(|k| rows.get(k.as_str()).copied())
        .collect();
    history.extend(
        owned
            .iter()
            .map(|&r| (r, crate::reco::strength("purchase", None, 0.0))),
    );
    if history.is_empty() {
        // Nothing the model knows (items since unpublished): no basis for a ranking.
        return Ok(None);
    }
    let mut exclude: Vec<usize> = history.iter().map(|(r, _)| *r).collect();
    if let Some(c) = current.and_then(|c| rows.get(c)) {
        exclude.push(*c);
    }
    let by_key: HashMap<&str, &ItemCard> =
        cards.cards.iter().map(|c| (c.key.as_str(), c)).collect();
    let to_cards = |ranked: Vec<(usize, f32)>, n: usize| -> Vec<ItemCard> {
        ranked
            .into_iter()
            .filter_map(|(r, _)| by_key.get(file.ids[r].as_str()).map(|c| (*c).clone()))
            .take(n)
            .collect()
    };
    let mut user = vec![0f32; file.k];
    fold_in(&file, &history, &mut user).map_err(|e| e.to_string())?;
    let mut scratch = Vec::with_capacity(file.len());
    let options = RankOptions {
        top: top + 4,
        per_group: 3,
    };
    let for_you = to_cards(rank(&file, &user, &exclude, options, &mut scratch), top);
    let because = seen.iter().rev().find_map(|s| {
        let row = *rows.get(s.key.as_str())?;
        let near = similar_to(
            &file,
            row,
            &exclude,
            RankOptions {
                top: 8,
                per_group: 2,
            },
            &mut scratch,
        );
        let list = to_cards(near, 4);
        (!list.is_empty()).then(|| (s.title.clone(), list))
    });
    Ok(Some(Picks { for_you, because }))
}
