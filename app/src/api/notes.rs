//! Highlights, notes and bookmarks: the device sends what changed and gets back what the
//! account keeps. The reader page brings the learner's notes with the text
//! ([`crate::models::reading::ReaderView::notes`]); the Markdown export is a plain link
//! (`/notes.md`, served by the server crate).

use crate::error::AppError;
use crate::models::notes::{Note, SyncOutcome};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// Applies the signed-in learner's changes to their notes on `slug` (new, edited or
/// deleted; each note's id is its idempotency key, and the newest version wins) and
/// returns the notes the account now keeps, with the changes refused and why.
/// The body is JSON: `{"slug": …, "changes": [note, …]}`.
#[server(prefix = "/api", endpoint = "notes", input = Json)]
pub async fn sync_notes(slug: String, changes: Vec<Note>) -> Result<SyncOutcome, AppError> {
    use super::account::server;
    if !crate::models::catalog::is_slug(&slug) {
        return Err(AppError::NotFound("There is no such item.".into()));
    }
    let (state, viewer) = server::ctx()?;
    crate::ssr::notes::sync(&state.db, &state.catalog.index(), &viewer, &slug, changes).await
}
