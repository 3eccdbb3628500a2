//! Training in the background: one run at a time, started by an admin, by the timer, by
//! enough new interactions, or at start-up when no model exists yet. The run's progress is
//! kept for the admin page's progress bar; a failed run leaves the active model serving.

use super::als::AlsParams;
use super::train::{store_params, train_and_activate, Progress};
use app::models::reco::{RetrainSchedule, TrainingJob};
use app::ssr::catalog::CatalogService;
use app::ssr::db::Db;
use app::ssr::reco::Trainer;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// The store's trainer.
pub struct StoreTrainer {
    db: Db,
    params: AlsParams,
    schedule: RetrainSchedule,
    job: Arc<Mutex<TrainingJob>>,
    catalog: Option<Arc<CatalogService>>,
}

fn lock(job: &Mutex<TrainingJob>) -> MutexGuard<'_, TrainingJob> {
    match job.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

impl StoreTrainer {
    /// A trainer with the store's hyper-parameters and `schedule`.
    pub fn new(db: Db, schedule: RetrainSchedule) -> Self {
        StoreTrainer {
            db,
            params: store_params(),
            schedule,
            job: Arc::new(Mutex::new(TrainingJob::default())),
            catalog: None,
        }
    }

    /// Reloads `catalog` after every run, so pages show the new model's "also bought".
    pub fn with_catalog(mut self, catalog: Arc<CatalogService>) -> Self {
        self.catalog = Some(catalog);
        self
    }

    /// Trains with `params` instead of the store's (tests use fewer factors).
    pub fn with_params(mut self, params: AlsParams) -> Self {
        self.params = params;
        self
    }

    /// Decides whether the store should retrain now, and why: no model yet, the timer, or
    /// enough new interactions.
    pub async fn due(&self) -> anyhow::Result<Option<&'static str>> {
        #[derive(serde::Deserialize)]
        struct Active {
            trained_at: String,
            age_hours: f64,
        }
        let active: Vec<Active> = app::ssr::db::rows(
            &self.db,
            "read active model age",
            "LET $v = reco_state:current.active;
             SELECT <string> trained_at AS trained_at, duration::secs(time::now() - trained_at) / 3600.0 AS age_hours
             FROM reco_model WHERE version = $v;",
            serde_json::json!({}),
            1,
        )
        .await?;
        let Some(active) = active.into_iter().next() else {
            let items: Vec<i64> = app::ssr::db::rows(
                &self.db,
                "count published items",
                "SELECT VALUE count FROM (SELECT count() FROM item WHERE status = 'published' GROUP ALL)",
                serde_json::json!({}),
                0,
            )
            .await?;
            return Ok((items.first().copied().unwrap_or(0) > 0).then_some("startup"));
        };
        if self.schedule.every_hours > 0 && active.age_hours >= f64::from(self.schedule.every_hours)
        {
            return Ok(Some("schedule"));
        }
        if self.schedule.after_events > 0 {
            let new = app::ssr::reco::events_since(&self.db, Some(&active.trained_at)).await?;
            if new >= i64::from(self.schedule.after_events) {
                return Ok(Some("events"));
            }
        }
        Ok(None)
    }

    /// Looks every `every` whether a run is due, and starts it. Call once, at start-up.
    pub fn watch(self: &Arc<Self>, every: Duration) {
        let me = self.clone();
        tokio::spawn(async move {
            loop {
                match me.due().await {
                    Ok(Some(trigger)) => {
                        if me.start(trigger) {
                            tracing::info!(trigger, "retraining the recommendation model");
                        }
                    }
                    Ok(None) => {}
                    Err(e) => tracing::warn!(error = %e, "could not check whether to retrain"),
                }
                tokio::time::sleep(every).await;
            }
        });
    }
}

impl Trainer for StoreTrainer {
    fn start(&self, trigger: &'static str) -> bool {
        {
            let mut job = lock(&self.job);
            if job.running {
                return false;
            }
            *job = TrainingJob {
                running: true,
                done: 0,
                total: 1,
                stage: "starting".into(),
                error: None,
            };
        }
        let job = self.job.clone();
        let db = self.db.clone();
        let params = self.params.clone();
        let catalog = self.catalog.clone();
        tokio::spawn(async move {
            let progress: Progress = {
                let job = job.clone();
                Arc::new(move |done, total, stage: &str| {
                    let mut j = lock(&job);
                    j.done = done;
                    j.total = total.max(1);
                    j.stage = stage.to_string();
                })
            };
            let result = train_and_activate(&db, &params, trigger, progress).await;
            if let (Ok(_), Some(catalog)) = (&result, &catalog) {
                if let Err(e) = catalog.refresh().await {
                    tracing::warn!(error = %e, "catalog refresh after training failed");
                }
            }
            let mut j = lock(&job);
            j.running = false;
            match result {
                Ok(t) => {
                    j.done = j.total;
                    j.stage = format!("version {} is active", t.version);
                    tracing::info!(
                        version = t.version,
                        trigger,
                        ndcg = t.ndcg,
                        popularity_ndcg = t.popularity_ndcg,
                        "recommendation model trained"
                    );
                }
                Err(e) => {
                    tracing::error!(error = %e, trigger, "training the recommendation model failed");
                    j.stage = "failed".into();
                    j.error = Some(e.to_string());
                }
            }
        });
        true
    }

    fn job(&self) -> TrainingJob {
        lock(&self.job).clone()
    }

    fn schedule(&self) -> RetrainSchedule {
        self.schedule
    }
}
