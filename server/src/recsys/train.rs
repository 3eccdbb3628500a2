//! Training on the store's own data: what learners did (views, previews, progress, likes,
//! ratings, purchases) becomes one strength per learner and item — heavier for stronger
//! signals, fading with age — implicit ALS is fitted on it, checked against popularity on
//! held-out interactions, and stored as a new model version whose factor file browsers
//! download. Switching to the new version and rolling back are single writes.

use super::als::AlsParams;
use super::data::Interactions;
use super::metrics::ranking;
use super::neighbours::Popularity;
use super::Rng;
use app::reco::factors::FactorFile;
use app::ssr::db::{rows, transact, Db};
use base64::Engine;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::time::Instant;

/// Days after which an interaction counts half as much.
pub const HALF_LIFE_DAYS: f64 = 90.0;

/// How much an interaction says about a learner's taste.
pub fn kind_weight(kind: &str, value: Option<f64>) -> f64 {
    match kind {
        "purchase" => 5.0,
        "like" => 3.0,
        "rating" => match value {
            Some(v) if v >= 4.0 => 3.0,
            Some(v) if v >= 3.0 => 1.0,
            _ => 0.2,
        },
        "progress" => 1.0 + value.unwrap_or(0.0).clamp(0.0, 1.0) * 2.0,
        _ => 1.0,
    }
}

#[derive(Deserialize)]
struct EventRow {
    user: String,
    item: String,
    kind: String,
    value: Option<f64>,
    age_days: f64,
}

#[derive(Deserialize)]
struct ItemRow {
    key: String,
    creator: String,
}

/// The catalogue's items (rows of the factor file), their creators, the learners, and one
/// strength per learner and item.
pub struct TrainingData {
    /// Item record keys, in row order.
    pub items: Vec<String>,
    /// A creator number per item.
    pub groups: Vec<u16>,
    /// Number of learners with at least one interaction.
    pub users: usize,
    /// `(learner, item, strength)`.
    pub triples: Vec<(u32, u32, f32)>,
}

/// Reads the published items and every learner's interactions.
pub async fn load(db: &Db) -> anyhow::Result<TrainingData> {
    let items: Vec<ItemRow> = rows(
        db,
        "training items",
        "SELECT record::id(id) AS key, record::id(creator) AS creator FROM item WHERE status = 'published' ORDER BY key",
        json!({}),
        0,
    )
    .await?;
    let events: Vec<EventRow> = rows(
        db,
        "training events",
        "SELECT record::id(user) AS user, record::id(item) AS item, kind, value,
                duration::secs(time::now() - at) / 86400.0 AS age_days
         FROM event WHERE user != NONE",
        json!({}),
        0,
    )
    .await?;
    let row_of: HashMap<&str, u32> = items
        .iter()
        .enumerate()
        .map(|(n, i)| (i.key.as_str(), n as u32))
        .collect();
    let mut creators: HashMap<&str, u16> = HashMap::new();
    let groups = items
        .iter()
        .map(|i| {
            let n = creators.len() as u16;
            *creators.entry(i.creator.as_str()).or_insert(n)
        })
        .collect();
    let mut users: HashMap<&str, u32> = HashMap::new();
    let mut triples = Vec::with_capacity(events.len());
    for e in &events {
        let Some(&item) = row_of.get(e.item.as_str()) else {
            continue;
        };
        let n = users.len() as u32;
        let user = *users.entry(e.user.as_str()).or_insert(n);
        let fade = 0.5f64.powf(e.age_days.max(0.0) / HALF_LIFE_DAYS);
        triples.push((user, item, (kind_weight(&e.kind, e.value) * fade) as f32));
    }
    Ok(TrainingData {
        users: users.len(),
        items: items.into_iter().map(|i| i.key).collect(),
        groups,
        triples,
    })
}

/// The hyper-parameters the store trains with: a catalogue of hundreds of items needs
/// fewer factors than MovieLens' thousands.
pub fn store_params() -> AlsParams {
    AlsParams::default()
        .factors(32)
        .iterations(15)
        .lambda(5.0)
        .alpha(1.5)
}

/// What a training run produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Trained {
    /// The new version (now active).
    pub version: i64,
    /// Learners trained on.
    pub users: usize,
    /// Items in the factor file.
    pub items: usize,
    /// Learner–item pairs trained on.
    pub interactions: usize,
    /// NDCG@10 of the model on held-out interactions.
    pub ndcg: f64,
    /// NDCG@10 of popularity on the same.
    pub popularity_ndcg: f64,
    /// Seconds spent fitting.
    pub fit_seconds: f64,
}

/// Trains a model on the store's data, stores it as the next version and makes it active
/// (the active one before it is kept for rollback).
pub async fn train_and_activate(db: &Db, params: &AlsParams) -> anyhow::Result<Trained> {
    let data = load(db).await?;
    let n_items = data.items.len();
    anyhow::ensure!(n_items > 0, "there are no published items to train on");
    let all = Interactions::from_triples(data.users, n_items, &data.triples);

    // Held-out check: a fifth of the pairs, chosen at random, are hidden while fitting.
    let mut rng = Rng::new(17);
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for u in 0..all.n_users() {
        let (items, vals) = all.user(u);
        for (&i, &r) in items.iter().zip(vals) {
            if items.len() > 1 && rng.uniform() < 0.2 {
                test.push((u as u32, i, r));
            } else {
                train.push((u as u32, i, r));
            }
        }
    }
    let train = Interactions::from_triples(data.users, n_items, &train);
    let test = Interactions::from_triples(data.users, n_items, &test);
    let held_out = params.fit(&train)?;
    let ndcg = ranking(&train, &test, |u, s| held_out.scores(u, s)).ndcg;
    let pop = Popularity::fit(&train);
    let popularity_ndcg = ranking(&train, &test, |_, s| pop.scores(s)).ndcg;

    let started = Instant::now();
    let model = params.fit(&all)?;
    let fit_seconds = started.elapsed().as_secs_f64();
    let k = model.items.ncols();
    let vectors: Vec<f32> = model.items.iter().copied().collect();

    let version: Vec<i64> = rows(
        db,
        "next model version",
        "SELECT VALUE version FROM reco_model ORDER BY version DESC LIMIT 1",
        json!({}),
        0,
    )
    .await?;
    let version = version.first().copied().unwrap_or(0) + 1;
    let file = FactorFile::quantise(
        version as u32,
        k,
        model.lambda,
        model.alpha,
        data.items,
        data.groups,
        &vectors,
    )?
    .encode();
    let etag = format!("\"v{version}-{:016x}\"", app::reco::factors::fnv1a(&file));
    transact(
        db,
        "store model",
        "BEGIN TRANSACTION;
         CREATE type::record('reco_model', $v) SET version = $v, trained_at = time::now(), users = $users,
            items = $items, interactions = $pairs, factors = $k, fit_seconds = $fit, ndcg = $ndcg,
            popularity_ndcg = $pop, file = $file, etag = $etag;
         LET $before = reco_state:current.active;
         UPSERT reco_state:current SET previous = $before, active = $v;
         COMMIT TRANSACTION;",
        json!({
            "v": version, "users": data.users, "items": n_items, "pairs": all.nnz(), "k": k,
            "fit": fit_seconds, "ndcg": ndcg, "pop": popularity_ndcg,
            "file": base64::engine::general_purpose::STANDARD.encode(&file), "etag": etag,
        }),
    )
    .await
    .map_err(|e| anyhow::anyhow!("storing the model: {e}"))?;
    Ok(Trained {
        version,
        users: data.users,
        items: n_items,
        interactions: all.nnz(),
        ndcg,
        popularity_ndcg,
        fit_seconds,
    })
}

/// Goes back to the version that was active before the current one.
pub async fn rollback(db: &Db) -> anyhow::Result<i64> {
    #[derive(Deserialize)]
    struct State {
        previous: Option<i64>,
    }
    let state: Vec<State> = rows(
        db,
        "read model state",
        "SELECT previous FROM reco_state:current",
        json!({}),
        0,
    )
    .await?;
    let Some(previous) = state.first().and_then(|s| s.previous) else {
        anyhow::bail!("there is no earlier model version to go back to");
    };
    transact(
        db,
        "roll back model",
        "BEGIN TRANSACTION;
         UPDATE reco_state:current SET active = $p, previous = NONE;
         COMMIT TRANSACTION;",
        json!({ "p": previous }),
    )
    .await
    .map_err(|e| anyhow::anyhow!("rolling back: {e}"))?;
    Ok(previous)
}

/// The active version, if any model was trained.
pub async fn active(db: &Db) -> anyhow::Result<Option<i64>> {
    let found: Vec<Option<i64>> = rows(
        db,
        "read active model",
        "SELECT VALUE active FROM reco_state:current",
        json!({}),
        0,
    )
    .await?;
    Ok(found.into_iter().flatten().next())
}

/// The factor file of `version` and its entity tag.
pub async fn factor_file(db: &Db, version: i64) -> anyhow::Result<Option<(Vec<u8>, String)>> {
    #[derive(Deserialize)]
    struct FileRow {
        file: String,
        etag: String,
    }
    let found: Vec<FileRow> = rows(
        db,
        "read factor file",
        "SELECT file, etag FROM type::record('reco_model', $v)",
        json!({ "v": version }),
        0,
    )
    .await?;
    match found.into_iter().next() {
        Some(f) => Ok(Some((
            base64::engine::general_purpose::STANDARD.decode(f.file)?,
            f.etag,
        ))),
        None => Ok(None),
    }
}
