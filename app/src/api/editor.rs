//! Editing an item on its page: open the draft, save it (autosave), publish it now or at a
//! set time, and the version history. Every call is for the item's creator or an admin
//! ([`crate::ssr::editor`] checks); bodies are JSON, and may be larger than other calls'
//! ([`crate::models::editor::EDITOR_BODY_LIMIT`]).

use crate::error::AppError;
use crate::models::editor::{DraftView, ItemDoc, SaveOutcome, VersionSummary, VersionView};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The draft of item `slug` (made from the live page the first time).
#[server(prefix = "/api", endpoint = "editor_open", input = Json)]
pub async fn open_draft(slug: String) -> Result<DraftView, AppError> {
    use super::account::server;
    let (state, viewer) = server::ctx()?;
    crate::ssr::editor::open(&state.db, &viewer, &slug).await
}

/// Saves the draft of `slug` made from revision `base`. A newer save by someone else is
/// not overwritten: the answer is [`SaveOutcome::Conflict`] with their draft.
#[server(prefix = "/api", endpoint = "editor_save", input = Json)]
pub async fn save_draft(slug: String, base: i64, doc: ItemDoc) -> Result<SaveOutcome, AppError> {
    use super::account::server;
    let (state, viewer) = server::ctx()?;
    crate::ssr::editor::save(&state.db, &viewer, &slug, base, doc).await
}

/// Publishes revision `revision` of the draft of `slug`: learners see it at once.
#[server(prefix = "/api", endpoint = "editor_publish", input = Json)]
pub async fn publish_draft(slug: String, revision: i64) -> Result<(), AppError> {
    use super::account::server;
    let (state, viewer) = server::ctx()?;
    crate::ssr::editor::publish(&state.db, &state.auth, &viewer, &slug, revision).await?;
    state
        .catalog
        .refresh()
        .await
        .map_err(|e| AppError::internal("refresh catalog after publishing", e))
}

/// Schedules the draft of `slug` to go live at `at` (RFC 3339), or cancels the schedule
/// (`at` empty). Answers the scheduled time.
#[server(prefix = "/api", endpoint = "editor_schedule", input = Json)]
pub async fn schedule_draft(
    slug: String,
    revision: i64,
    at: Option<String>,
) -> Result<Option<String>, AppError> {
    use super::account::server;
    let (state, viewer) = server::ctx()?;
    let at = at.filter(|a| !a.trim().is_empty());
    crate::ssr::editor::schedule(&state.db, &viewer, &slug, revision, at.as_deref()).await
}

/// The version history of `slug`, newest first.
#[server(prefix = "/api", endpoint = "editor_history", input = Json)]
pub async fn draft_history(slug: String) -> Result<Vec<VersionSummary>, AppError> {
    use super::account::server;
    let (state, viewer) = server::ctx()?;
    crate::ssr::editor::history(&state.db, &viewer, &slug).await
}

/// One version of `slug` in full (for the diff view).
#[server(prefix = "/api", endpoint = "editor_version", input = Json)]
pub async fn draft_version(slug: String, id: String) -> Result<VersionView, AppError> {
    use super::account::server;
    let (state, viewer) = server::ctx()?;
    crate::ssr::editor::version(&state.db, &viewer, &slug, &id).await
}

/// Makes version `id` the draft again, on top of revision `base`.
#[server(prefix = "/api", endpoint = "editor_restore", input = Json)]
pub async fn restore_version(slug: String, id: String, base: i64) -> Result<SaveOutcome, AppError> {
    use super::account::server;
    let (state, viewer) = server::ctx()?;
    crate::ssr::editor::restore(&state.db, &viewer, &slug, &id, base).await
}

/// Starts a new item (`kind`, `category` slug, `language`, `title`) as a draft of the
/// signed-in creator's store and opens its page in edit mode. A plain form: it works
/// without JavaScript up to the editor itself.
#[server(prefix = "/api", endpoint = "studio_new_item")]
pub async fn create_item(
    kind: String,
    category: String,
    language: String,
    title: String,
) -> Result<(), AppError> {
    use super::account::server;
    let (state, viewer) = server::ctx()?;
    let me = crate::ssr::access::require_signed_in(&viewer)?;
    let slug =
        crate::ssr::editor::create_item(&state.db, me, &kind, &category, &language, &title).await?;
    leptos_axum::redirect(&format!("/item/{slug}?edit=1"));
    Ok(())
}
