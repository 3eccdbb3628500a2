//! Recommendations on the server side of the app: which model version the store serves,
//! rolling back to the one before, the "also liked" lists a version stores per item, and
//! the training runs an admin starts. Training itself (ndarray) lives in the server crate
//! behind [`Trainer`], so that none of it is linked into pages' code paths.

use super::catalog::CatalogIndex;
use super::db::{rows, transact, Db};
use crate::error::AppError;
use crate::models::reco::{ModelSummary, RecoStatus, RetrainSchedule, TrainingJob};
use serde::Deserialize;
use serde_json::json;

/// Runs training in the background; the server crate provides it.
pub trait Trainer: Send + Sync {
    /// Starts a run unless one is going on. `trigger` says why (`manual`, `schedule`…).
    /// Returns `false` when a run was already going on.
    fn start(&self, trigger: &'static str) -> bool;
    /// The current or last run.
    fn job(&self) -> TrainingJob;
    /// When the store retrains by itself.
    fn schedule(&self) -> RetrainSchedule;
}

/// The active version, if any model was trained.
pub async fn active(db: &Db) -> Result<Option<i64>, AppError> {
    let found: Vec<Option<i64>> = rows(
        db,
        "read active model",
        "SELECT VALUE active FROM reco_state:current",
        json!({}),
        0,
    )
    .await
    .map_err(|e| AppError::internal("read active model", e))?;
    Ok(found.into_iter().flatten().next())
}

/// Goes back to the version that was active before the current one.
pub async fn rollback(db: &Db) -> Result<i64, AppError> {
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
    .await
    .map_err(|e| AppError::internal("read model state", e))?;
    let Some(previous) = state.first().and_then(|s| s.previous) else {
        return Err(AppError::Conflict(
            "There is no earlier model version to go back to.".into(),
        ));
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
    .map_err(|e| AppError::internal("roll back model", e))?;
    Ok(previous)
}

const SUMMARY_FIELDS: &str = "version, <string> trained_at AS trained_at, users, items, interactions, factors, fit_seconds, ndcg, popularity_ndcg, cold_items ?? 0 AS cold_items, trigger ?? 'cli' AS trigger";

/// The admin page: versions, the active one, what changed since, the training run.
pub async fn status(db: &Db, trainer: &dyn Trainer) -> Result<RecoStatus, AppError> {
    // The run's state first: a run that reads as finished has stored its model already.
    let job = trainer.job();
    #[derive(Deserialize)]
    struct State {
        active: Option<i64>,
        previous: Option<i64>,
    }
    let state: Vec<State> = rows(
        db,
        "read model state",
        "SELECT active, previous FROM reco_state:current",
        json!({}),
        0,
    )
    .await
    .map_err(|e| AppError::internal("read model state", e))?;
    let (active_version, previous) = state
        .into_iter()
        .next()
        .map(|s| (s.active, s.previous))
        .unwrap_or_default();
    let history: Vec<ModelSummary> = rows(
        db,
        "list models",
        &format!("SELECT {SUMMARY_FIELDS} FROM reco_model ORDER BY version DESC LIMIT 10"),
        json!({}),
        0,
    )
    .await
    .map_err(|e| AppError::internal("list models", e))?;
    let active = match active_version {
        Some(v) => match history.iter().find(|m| m.version == v) {
            Some(m) => Some(m.clone()),
            None => rows(
                db,
                "read active model",
                &format!("SELECT {SUMMARY_FIELDS} FROM type::record('reco_model', $v)"),
                json!({ "v": v }),
                0,
            )
            .await
            .map_err(|e| AppError::internal("read active model", e))?
            .into_iter()
            .next(),
        },
        None => None,
    };
    let new_events = events_since(db, active.as_ref().map(|m| m.trained_at.as_str())).await?;
    Ok(RecoStatus {
        active,
        previous,
        history,
        new_events,
        job,
        schedule: trainer.schedule(),
    })
}

/// Interactions recorded after `since` (RFC 3339), or in all.
pub async fn events_since(db: &Db, since: Option<&str>) -> Result<i64, AppError> {
    let counted: Vec<i64> = rows(
        db,
        "count new events",
        // Only the range on `at` in the WHERE, so that the index on it is all that is read
        // (`user != NONE` there read the whole `user` and `item` indexes: 30 s at ×100).
        "LET $s = <datetime> $since;
         SELECT VALUE n FROM (SELECT count(user != NONE AND item != NONE) AS n FROM event WHERE at > $s GROUP ALL)",
        json!({ "since": since.unwrap_or("1970-01-01T00:00:00Z") }),
        1,
    )
    .await
    .map_err(|e| AppError::internal("count new events", e))?;
    Ok(counted.into_iter().next().unwrap_or(0))
}

/// Keys of the items `user` owns (bought, claimed or given), for leaving them out of
/// recommendations.
pub async fn owned_items(db: &Db, user: &str) -> Result<Vec<String>, AppError> {
    rows(
        db,
        "list owned items",
        "SELECT VALUE record::id(item) FROM entitlement WHERE user = type::record('user', $user) AND revoked_at = NONE",
        json!({ "user": user }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("list owned items", e))
}

/// The learner's library: every item they own (bought, added free, received as a gift) that
/// is still published, with how far they read it, most recently added first (or most
/// recently read first when `recent_first`), of one kind when `kind` is given.
pub async fn library(
    db: &Db,
    index: &CatalogIndex,
    user: &str,
    kind: Option<crate::models::catalog::Kind>,
    recent_first: bool,
) -> Result<Vec<crate::models::catalog::LibraryEntry>, AppError> {
    #[derive(Deserialize)]
    struct Row {
        item: String,
        source: String,
        since: String,
    }
    let owned: Vec<Row> = rows(
        db,
        "read library",
        "SELECT record::id(item) AS item, source, time::format(granted_at, '%Y-%m-%d') AS since, granted_at
         FROM entitlement WHERE user = type::record('user', $user) AND revoked_at = NONE
         ORDER BY granted_at DESC",
        json!({ "user": user }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("read library", e))?;
    let mut read = crate::ssr::reading::progress_by_item(db, user).await?;
    let courses: Vec<String> = owned
        .iter()
        .filter(|r| {
            index
                .item_by_key(&r.item)
                .is_some_and(|it| it.card.kind == crate::models::catalog::Kind::Course)
        })
        .map(|r| r.item.clone())
        .collect();
    let lessons = crate::ssr::courses::progress(db, user, &courses).await?;
    let mut list: Vec<_> = owned
        .into_iter()
        .filter_map(|r| {
            let it = index.item_by_key(&r.item)?;
            if kind.is_some_and(|k| it.card.kind != k) {
                return None;
            }
            let (progress, last_read) = read.remove(&r.item).unzip();
            Some(crate::models::catalog::LibraryEntry {
                card: it.card.clone(),
                source: r.source,
                since: r.since,
                progress,
                last_read,
                lessons: lessons.get(&r.item).copied(),
            })
        })
        .collect();
    if recent_first {
        // Most recently read first; what was never opened keeps its newest-added order after them.
        list.sort_by(|a, b| b.last_read.cmp(&a.last_read));
    }
    Ok(list)
}
