//! Recommendations as the pages see them: the model versions an admin manages, the state
//! of a training run, and the catalogue cards the browser ranks into "For you".

use super::catalog::ItemCard;
use serde::{Deserialize, Serialize};

/// One trained model version and how it did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSummary {
    /// Version number (1, 2, …).
    pub version: i64,
    /// When it was trained (RFC 3339).
    pub trained_at: String,
    /// Learners with at least one interaction.
    pub users: i64,
    /// Items in its factor file.
    pub items: i64,
    /// Learner–item pairs it was trained on.
    pub interactions: i64,
    /// Factors per vector.
    pub factors: i64,
    /// Seconds the final fit took.
    pub fit_seconds: f64,
    /// NDCG@10 on held-out interactions.
    pub ndcg: f64,
    /// NDCG@10 of "most popular" on the same held-out interactions.
    pub popularity_ndcg: f64,
    /// Items without interactions whose vector came from their tags and category.
    pub cold_items: i64,
    /// What started the run: `manual`, `schedule`, `events`, `startup` or `cli`.
    pub trigger: String,
}

/// A training run in progress or the last one that finished.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrainingJob {
    /// Whether a run is going on now.
    pub running: bool,
    /// Steps done of `total` (alternations of both fits).
    pub done: u32,
    /// Steps in all.
    pub total: u32,
    /// What it is doing, in words.
    pub stage: String,
    /// Why the last run failed, if it did.
    pub error: Option<String>,
}

impl TrainingJob {
    /// Progress from 0 to 100.
    pub fn percent(&self) -> u32 {
        (self.done * 100)
            .checked_div(self.total)
            .unwrap_or(0)
            .min(100)
    }
}

/// When the store retrains by itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetrainSchedule {
    /// Every this many hours (0: never on a timer).
    pub every_hours: u32,
    /// After this many new interactions (0: never on a count).
    pub after_events: u32,
}

/// Everything the admin "Recommendations" page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecoStatus {
    /// The version the store serves.
    pub active: Option<ModelSummary>,
    /// The version a rollback would go back to.
    pub previous: Option<i64>,
    /// The most recent versions, newest first.
    pub history: Vec<ModelSummary>,
    /// Interactions recorded since the active version was trained.
    pub new_events: i64,
    /// The training run.
    pub job: TrainingJob,
    /// When the store retrains by itself.
    pub schedule: RetrainSchedule,
}

/// What the browser needs to turn ranked item keys into cards, and what to leave out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecoCards {
    /// Every published item's card.
    pub cards: Vec<ItemCard>,
    /// Keys of items the signed-in viewer owns (empty when signed out).
    pub owned: Vec<String>,
}
