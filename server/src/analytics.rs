//! Analytics on the server: the background job that keeps the daily totals and the
//! per-store reports current, and the CSV download of a dashboard table.

use app::ssr::access::Viewer;
use app::ssr::analytics::{dashboard, now_secs, report, rollup};
use app::ssr::db::{Db, DbError};
use app::ssr::state::AppState;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use serde::Deserialize;
use std::time::{Duration, Instant};

/// How often the job runs and how long raw events are kept.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    /// Roll new events into the totals this often.
    pub every: Duration,
    /// Recompute cohorts, segments and forecasts at most this often (when something new
    /// came in), and at least six times as rarely.
    pub reports: Duration,
    /// Raw events older than this many days are deleted once counted.
    pub retention_days: u32,
    /// Write the totals every this many events ([`rollup::batch_for`]).
    pub batch_events: usize,
}

/// Old raw events are looked for at most this often.
pub const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// When the job last did its slower parts.
#[derive(Debug, Default, Clone, Copy)]
pub struct Done {
    /// The reports were last computed then.
    pub report: Option<Instant>,
    /// Old raw events were last deleted then.
    pub prune: Option<Instant>,
    /// The batch the job writes now, when [`Schedule::batch_events`] proved too large for
    /// the database (see [`smaller_batch`]).
    pub batch_events: Option<usize>,
}

/// The smallest batch the job falls back to.
pub const MIN_BATCH_EVENTS: usize = 1_000;

/// The batch to try after a write of `batch` events was too large for the database, or
/// `None` when it is already as small as it gets.
///
/// An on-disk SurrealDB holds each transaction in a write buffer sized from the machine's
/// (or container's) memory: 1 GiB on a 24 GiB machine, 256 MiB from 4 to 16 GiB, 128 MiB
/// below. A batch of a million events writes about 300 MB, so on a smaller machine its
/// commit fails; the job then halves the batch and goes on from where it was.
pub fn smaller_batch(batch: usize) -> Option<usize> {
    (batch > MIN_BATCH_EVENTS).then(|| (batch / 2).max(MIN_BATCH_EVENTS))
}

/// Whether `e` says a transaction was larger than the database's write buffer.
fn too_large(e: &DbError) -> bool {
    let text = e.to_string();
    text.contains("arena is full") || text.contains("too large")
}

/// One run: roll up, prune when due, and recompute the reports when due.
pub async fn run_once(db: &Db, schedule: &Schedule, done: &mut Done) -> Result<(), DbError> {
    let now = now_secs();
    let started = Instant::now();
    let stats = loop {
        let batch = done.batch_events.unwrap_or(schedule.batch_events);
        match rollup::roll_up(db, now, batch).await {
            Ok(s) => break s,
            // Another server already moved on; its totals are as good as ours.
            Err(DbError::Busy(_)) => return Ok(()),
            // Each batch is written with the cursor in one transaction, so a failed one left
            // nothing behind: write smaller ones from where the totals stand.
            Err(e) if too_large(&e) => match smaller_batch(batch) {
                Some(smaller) => {
                    tracing::warn!(
                        batch,
                        smaller,
                        "an analytics batch was too large for the database's write buffer; \
                         writing smaller ones"
                    );
                    done.batch_events = Some(smaller);
                }
                None => return Err(e),
            },
            Err(e) => return Err(e),
        }
    };
    if started.elapsed() > Duration::from_secs(1) {
        tracing::info!(
            windows = stats.windows,
            events = stats.events,
            ledger = stats.ledger,
            read_ms = stats.read_ms,
            write_ms = stats.write_ms,
            ms = started.elapsed().as_millis() as u64,
            "analytics rolled up"
        );
    } else if stats.events + stats.ledger > 0 {
        tracing::debug!(
            windows = stats.windows,
            events = stats.events,
            ledger = stats.ledger,
            "analytics rolled up"
        );
    }
    if done.prune.is_none_or(|t| t.elapsed() >= PRUNE_EVERY) {
        let deleted = rollup::prune(db, schedule.retention_days, now).await?;
        if deleted > 0 {
            tracing::info!(deleted, "deleted raw events past their retention");
        }
        done.prune = Some(Instant::now());
    }
    let due = match done.report.map(|t| t.elapsed()) {
        None => true,
        Some(e) => {
            (stats.events + stats.ledger > 0 && e >= schedule.reports) || e >= schedule.reports * 6
        }
    };
    if due {
        let started = Instant::now();
        let n = report::compute_all(db, now).await?;
        tracing::info!(
            stores = n,
            ms = started.elapsed().as_millis() as u64,
            "analytics reports computed"
        );
        done.report = Some(Instant::now());
    }
    Ok(())
}

/// Starts the background job.
pub fn watch(db: Db, schedule: Schedule) {
    tokio::spawn(async move {
        let mut done = Done::default();
        let mut tick = tokio::time::interval(schedule.every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = run_once(&db, &schedule, &mut done).await {
                tracing::warn!(error = %e, "analytics job failed; it runs again later");
            }
        }
    });
}

/// The query of a CSV download: the dashboard's own parameters and the table.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CsvQuery {
    store: String,
    item: String,
    from: String,
    to: String,
    table: String,
}

/// `GET /studio/analytics.csv?table=…&store=…&item=…&from=…&to=…`: one table of the
/// dashboard, for the same people who may see the dashboard.
pub async fn csv(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    Query(q): Query<CsvQuery>,
) -> Response {
    let viewer = viewer.map(|Extension(v)| v).unwrap_or_default();
    if viewer.user().is_none() {
        return Redirect::to("/signin?next=/studio/analytics").into_response();
    }
    let d = match dashboard::load(
        &state.db,
        &viewer,
        &q.store,
        &q.item,
        &q.from,
        &q.to,
        now_secs(),
    )
    .await
    {
        Ok(d) => d,
        Err(e) => return (e.status(), e.to_string()).into_response(),
    };
    match dashboard::csv(&d, &q.table) {
        Ok(body) => {
            let name = format!(
                "attachment; filename=\"shuzhai-{}-{}-{}-{}.csv\"",
                d.store,
                q.table,
                d.range.from_string(),
                d.range.to_string_last()
            );
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (header::CONTENT_DISPOSITION, name),
                    (header::CACHE_CONTROL, "private, no-store".to_string()),
                ],
                // A byte-order mark, so that spreadsheet programs read the Chinese titles
                // as UTF-8.
                format!("\u{feff}{body}"),
            )
                .into_response()
        }
        Err(e) => (e.status(), e.to_string()).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_too_large_is_halved_down_to_the_smallest() {
        assert_eq!(smaller_batch(1_000_000), Some(500_000));
        assert_eq!(smaller_batch(1_500), Some(MIN_BATCH_EVENTS));
        assert_eq!(smaller_batch(MIN_BATCH_EVENTS), None);
    }
}
