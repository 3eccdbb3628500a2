//! Training on the store's own data: what learners did (views, previews, progress, likes,
//! ratings, purchases) becomes one strength per learner and item — heavier for stronger
//! signals, fading with age — implicit ALS is fitted on it, checked against popularity on
//! held-out interactions, and stored as a new model version whose factor file browsers
//! download. Switching to the new version and rolling back are single writes.

use super::als::AlsParams;
use super::data::Interactions;
use super::metrics::ranking;
use super::neighbours::{ItemItem, Popularity};
use super::Rng;
use app::reco::factors::FactorFile;
use app::ssr::analytics::{parse_rfc3339, rfc3339};
use app::ssr::db::{rows, transact, Db};
use base64::Engine;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

#[derive(Deserialize)]
struct EventRow {
    /// `None` for anonymous visitors' events, which say nothing about a learner.
    user: Option<String>,
    /// `None` for searches.
    item: Option<String>,
    kind: String,
    value: Option<f64>,
    age_days: f64,
}

#[derive(Deserialize)]
struct ItemRow {
    key: String,
    creator: String,
    category: String,
    tags: Vec<String>,
}

/// The catalogue's items (rows of the factor file), their creators, the learners, and one
/// strength per learner and item.
pub struct TrainingData {
    /// Item record keys, in row order.
    pub items: Vec<String>,
    /// A creator number per item.
    pub groups: Vec<u16>,
    /// What describes each item: its category and tags, as numbers (for cold start).
    pub features: Vec<Vec<u32>>,
    /// Number of learners with at least one interaction.
    pub users: usize,
    /// `(learner, item, strength)`.
    pub triples: Vec<(u32, u32, f32)>,
    /// `(learner, item, 1)` for every purchase: what "also bought" is computed from.
    pub purchases: Vec<(u32, u32, f32)>,
}

/// How much time one read of the events covers.
const EVENT_WINDOW_SECS: i64 = 7 * 86_400;

/// When the first event was recorded (Unix seconds), if any was.
async fn first_event(db: &Db) -> anyhow::Result<Option<i64>> {
    let first: Vec<String> = rows(
        db,
        "find the first event",
        "SELECT VALUE <string> at FROM event ORDER BY at LIMIT 1",
        json!({}),
        0,
    )
    .await?;
    Ok(first.first().and_then(|t| parse_rfc3339(t)))
}

/// Reads the published items and every learner's interactions.
pub async fn load(db: &Db) -> anyhow::Result<TrainingData> {
    let items: Vec<ItemRow> = rows(
        db,
        "training items",
        "SELECT record::id(id) AS key, record::id(creator) AS creator, record::id(category) AS category, tags
         FROM item WHERE status = 'published' ORDER BY key",
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
    let mut names: HashMap<String, u32> = HashMap::new();
    let features = items
        .iter()
        .map(|i| {
            std::iter::once(format!("category:{}", i.category))
                .chain(i.tags.iter().map(|t| format!("tag:{t}")))
                .map(|f| {
                    let n = names.len() as u32;
                    *names.entry(f).or_insert(n)
                })
                .collect()
        })
        .collect();
    // Events are read a week at a time through the index on `at` and summed per learner
    // and item as they arrive, so memory grows with the number of pairs, not of events
    // (10 M events in one answer took 18 GiB).
    let mut users: HashMap<String, u32> = HashMap::new();
    let mut strengths: HashMap<(u32, u32), f32> = HashMap::new();
    let mut bought: HashMap<(u32, u32), f32> = HashMap::new();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let mut from = first_event(db).await?.unwrap_or(now);
    loop {
        let last = from > now;
        let to = from + EVENT_WINDOW_SECS;
        // The last read has no upper bound, so nothing recorded meanwhile is left out.
        // Only the range on `at` in the WHERE: `user != NONE` there made SurrealDB read
        // the whole `user` and `item` indexes for every week (50 s a week at ×100).
        let until = if last { "" } else { "AND at < $t" };
        let events: Vec<EventRow> = rows(
            db,
            "training events",
            &format!(
                "LET $f = <datetime> $from; LET $t = <datetime> $to;
                 SELECT (IF user != NONE THEN record::id(user) END) AS user,
                        (IF item != NONE THEN record::id(item) END) AS item, kind, value,
                        duration::secs(time::now() - at) / 86400.0 AS age_days
                 FROM event WHERE at >= $f {until}"
            ),
            json!({ "from": rfc3339(from), "to": rfc3339(to) }),
            2,
        )
        .await?;
        for e in events {
            let (Some(user), Some(item)) = (e.user, e.item) else {
                continue;
            };
            let Some(&item) = row_of.get(item.as_str()) else {
                continue;
            };
            let n = users.len() as u32;
            let user = *users.entry(user).or_insert(n);
            *strengths.entry((user, item)).or_default() +=
                app::reco::strength(&e.kind, e.value, e.age_days);
            if e.kind == "purchase" {
                *bought.entry((user, item)).or_default() += 1.0;
            }
        }
        if last {
            break;
        }
        from = to;
    }
    let triples = strengths.into_iter().map(|((u, i), r)| (u, i, r)).collect();
    let purchases = bought.into_iter().map(|((u, i), r)| (u, i, r)).collect();
    Ok(TrainingData {
        users: users.len(),
        items: items.into_iter().map(|i| i.key).collect(),
        groups,
        features,
        triples,
        purchases,
    })
}

/// Gives every item that nobody has interacted with (`warm[i]` false) the average vector
/// of the items that share its category or tags, weighted by how much they share, so a new
/// item can be recommended to learners of its kind from the first day. Items that share
/// nothing with any known item keep their (zero) vector. Returns how many got one.
pub fn cold_start(vectors: &mut [f32], k: usize, warm: &[bool], features: &[Vec<u32>]) -> usize {
    let mut filled = 0;
    let mut acc = vec![0f32; k];
    for i in 0..warm.len() {
        if warm[i] {
            continue;
        }
        acc.iter_mut().for_each(|a| *a = 0.0);
        let mut total = 0f32;
        for j in (0..warm.len()).filter(|&j| warm[j]) {
            let shared = features[i]
                .iter()
                .filter(|f| features[j].contains(f))
                .count() as f32;
            if shared > 0.0 {
                total += shared;
                for (a, y) in acc.iter_mut().zip(&vectors[j * k..(j + 1) * k]) {
                    *a += shared * y;
                }
            }
        }
        if total > 0.0 {
            for (v, a) in vectors[i * k..(i + 1) * k].iter_mut().zip(&acc) {
                *v = a / total;
            }
            filled += 1;
        }
    }
    filled
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
    /// Items without interactions that got a vector from their tags and category.
    pub cold_items: usize,
    /// NDCG@10 of the model on held-out interactions.
    pub ndcg: f64,
    /// NDCG@10 of popularity on the same.
    pub popularity_ndcg: f64,
    /// Seconds spent fitting.
    pub fit_seconds: f64,
}

/// Hears how far a run is: steps done, steps in all, and what it is doing.
pub type Progress = Arc<dyn Fn(u32, u32, &str) + Send + Sync>;

/// A [`Progress`] that tells nobody.
pub fn quiet() -> Progress {
    Arc::new(|_, _, _| {})
}

/// How many "also bought" items a version keeps per item.
pub const ALSO_LIKED: usize = 8;

/// Model versions kept (besides the one a rollback goes back to).
pub const KEEP_VERSIONS: i64 = 10;

/// What the blocking part of a run hands back.
struct Fitted {
    lambda: f32,
    alpha: f32,
    k: usize,
    vectors: Vec<f32>,
    neighbours: Vec<Vec<u32>>,
    interactions: usize,
    cold_items: usize,
    ndcg: f64,
    popularity_ndcg: f64,
    fit_seconds: f64,
}

/// Trains a model on the store's data, stores it as the next version and makes it active
/// (the active one before it is kept for rollback). The fitting runs on a blocking thread,
/// never on the threads that answer requests. `trigger` records what started it.
pub async fn train_and_activate(
    db: &Db,
    params: &AlsParams,
    trigger: &str,
    progress: Progress,
) -> anyhow::Result<Trained> {
    progress(0, 1, "reading interactions");
    let mut data = load(db).await?;
    let params = params.clone().check()?;
    let n_items = data.items.len();
    anyhow::ensure!(n_items > 0, "there are no published items to train on");
    let users = data.users;
    let triples = std::mem::take(&mut data.triples);
    let purchases = std::mem::take(&mut data.purchases);
    let features = std::mem::take(&mut data.features);
    let report = progress.clone();
    let fitted = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let all = Interactions::from_triples(users, n_items, &triples);
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
        let train = Interactions::from_triples(users, n_items, &train);
        let test = Interactions::from_triples(users, n_items, &test);
        let steps = 2 * params.iteration_count() as u32 + 1;
        let held_out = params.fit_with(&train, |n| {
            report(n as u32, steps, "checking on held-out interactions")
        })?;
        let ndcg = ranking(&train, &test, |u, s| held_out.scores(u, s)).ndcg;
        let pop = Popularity::fit(&train);
        let popularity_ndcg = ranking(&train, &test, |_, s| pop.scores(s)).ndcg;

        let started = Instant::now();
        let model = params.fit_with(&all, |n| {
            report(
                (params.iteration_count() + n) as u32,
                steps,
                "training on all interactions",
            )
        })?;
        let fit_seconds = started.elapsed().as_secs_f64();
        let k = model.items.ncols();
        let mut vectors: Vec<f32> = model.items.iter().copied().collect();
        let warm: Vec<bool> = (0..n_items).map(|i| !all.item(i).0.is_empty()).collect();
        let cold_items = cold_start(&mut vectors, k, &warm, &features);
        let bought = Interactions::from_triples(users, n_items, &purchases);
        let similar = ItemItem::fit(&bought, ALSO_LIKED);
        let neighbours: Vec<Vec<u32>> = (0..n_items)
            .map(|i| {
                similar
                    .similar(i)
                    .iter()
                    .filter(|(_, s)| *s > 0.0)
                    .map(|(j, _)| *j)
                    .collect()
            })
            .collect();
        report(steps, steps, "storing the model");
        Ok(Fitted {
            lambda: model.lambda,
            alpha: model.alpha,
            k,
            vectors,
            neighbours,
            interactions: all.nnz(),
            cold_items,
            ndcg,
            popularity_ndcg,
            fit_seconds,
        })
    })
    .await??;
    let Fitted {
        lambda,
        alpha,
        k,
        vectors,
        neighbours,
        interactions,
        cold_items,
        ndcg,
        popularity_ndcg,
        fit_seconds,
    } = fitted;

    let version: Vec<i64> = rows(
        db,
        "next model version",
        "SELECT VALUE version FROM reco_model ORDER BY version DESC LIMIT 1",
        json!({}),
        0,
    )
    .await?;
    let version = version.first().copied().unwrap_or(0) + 1;
    let also: Vec<serde_json::Value> = neighbours
        .iter()
        .enumerate()
        .filter(|(_, n)| !n.is_empty())
        .map(|(i, n)| {
            json!({
                "id": format!("{version}_{}", data.items[i]),
                "items": n.iter().map(|&j| data.items[j as usize].as_str()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let file = FactorFile::quantise(
        version as u32,
        k,
        lambda,
        alpha,
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
            popularity_ndcg = $pop, file = $file, etag = $etag, cold_items = $cold, trigger = $trigger;
         FOR $n IN $also {
            CREATE type::record('reco_neighbour', $n.id) SET version = $v, items = $n.items;
         };
         LET $before = reco_state:current.active;
         UPSERT reco_state:current SET previous = $before, active = $v;
         DELETE reco_model WHERE version <= $v - $keep AND version != $before;
         DELETE reco_neighbour WHERE version <= $v - $keep AND version != $before;
         COMMIT TRANSACTION;",
        json!({
            "v": version, "users": users, "items": n_items, "pairs": interactions, "k": k,
            "fit": fit_seconds, "ndcg": ndcg, "pop": popularity_ndcg, "cold": cold_items,
            "trigger": trigger, "also": also, "keep": KEEP_VERSIONS,
            "file": base64::engine::general_purpose::STANDARD.encode(&file), "etag": etag,
        }),
    )
    .await
    .map_err(|e| anyhow::anyhow!("storing the model: {e}"))?;
    Ok(Trained {
        version,
        users,
        items: n_items,
        interactions,
        cold_items,
        ndcg,
        popularity_ndcg,
        fit_seconds,
    })
}

/// Goes back to the version that was active before the current one.
pub async fn rollback(db: &Db) -> anyhow::Result<i64> {
    Ok(app::ssr::reco::rollback(db).await?)
}

/// The active version, if any model was trained.
pub async fn active(db: &Db) -> anyhow::Result<Option<i64>> {
    Ok(app::ssr::reco::active(db).await?)
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

#[cfg(test)]
mod tests {
    use super::cold_start;

    #[test]
    fn a_new_item_takes_the_vectors_of_items_like_it() {
        // Items 0 and 1 are known; 2 shares its category (feature 0) with item 0 and a tag
        // (feature 5) with item 0 too; 3 shares only a tag with item 1; 4 shares nothing.
        let k = 2;
        let mut v = vec![1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        let warm = [true, true, false, false, false];
        let features = vec![vec![0, 5], vec![1, 6], vec![0, 5, 9], vec![6], vec![7]];
        assert_eq!(cold_start(&mut v, k, &warm, &features), 2);
        assert_eq!(&v[4..6], &[1.0, 0.0], "all it shares is with item 0");
        assert_eq!(&v[6..8], &[0.0, 1.0]);
        assert_eq!(&v[8..10], &[0.0, 0.0], "nothing shared, nothing learnt");
        assert_eq!(
            &v[..4],
            &[1.0, 0.0, 0.0, 1.0],
            "known items keep their vectors"
        );
    }
}
