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
}

/// One run: roll up, prune, and recompute the reports when due. Returns whether the
/// reports were recomputed.
pub async fn run_once(
    db: &Db,
    schedule: &Schedule,
    last_report: Option<Instant>,
) -> Result<bool, DbError> {
    let now = now_secs();
    let started = Instant::now();
    let stats = match rollup::roll_up(db, now).await {
        Ok(s) => s,
        // Another server already moved on; its totals are as good as ours.
        Err(DbError::Busy(_)) => return Ok(false),
        Err(e) => return Err(e),
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
    rollup::prune(db, schedule.retention_days, now).await?;
    let since = last_report.map(|t| t.elapsed());
    let due = match since {
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
    }
    Ok(due)
}

/// Starts the background job.
pub fn watch(db: Db, schedule: Schedule) {
    tokio::spawn(async move {
        let mut last_report: Option<Instant> = None;
        let mut tick = tokio::time::interval(schedule.every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match run_once(&db, &schedule, last_report).await {
                Ok(true) => last_report = Some(Instant::now()),
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "analytics job failed; it runs again later"),
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
