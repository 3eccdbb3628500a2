//! What a learner does on a text while offline, kept on the device until the store has it:
//! each learner's notes per item, and a queue (the outbox) of changes not yet sent, both
//! in IndexedDB under the learner's key so that another person on the same device sees
//! neither. Every queued change carries an idempotency key (the note's id and the time of
//! the change); sending the queue twice changes nothing on the server.
//!
//! Only compiled into the browser bundle.

use crate::api::notes::sync_notes;
use crate::device::{get_json, put_json};
use crate::error::AppError;
use crate::models::notes::{self, Note, SYNC_BATCH_LIMIT};
use serde::{Deserialize, Serialize};

/// One change waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queued {
    /// Idempotency key: `<note id>@<updated_ms>`.
    pub key: String,
    /// The item the note is on.
    pub slug: String,
    /// The note as changed.
    pub note: Note,
}

impl Queued {
    /// The change of `note` on `slug`.
    pub fn of(slug: &str, note: Note) -> Queued {
        Queued {
            key: format!("{}@{}", note.id, note.updated_ms),
            slug: slug.to_string(),
            note,
        }
    }
}

fn outbox_key(user: &str) -> String {
    format!("outbox:{user}")
}

fn notes_key(user: &str, slug: &str) -> String {
    format!("notes:{user}:{slug}")
}

/// The changes waiting to be sent for `user`.
pub async fn pending(user: &str) -> Result<Vec<Queued>, String> {
    Ok(get_json(&outbox_key(user)).await?.unwrap_or_default())
}

/// The notes this device keeps for `user` on `slug` (deleted ones included, as markers).
pub async fn local(user: &str, slug: &str) -> Result<Vec<Note>, String> {
    Ok(get_json(&notes_key(user, slug)).await?.unwrap_or_default())
}

/// Replaces what this device keeps for `user` on `slug` with `kept`.
pub async fn keep(user: &str, slug: &str, kept: &[Note]) -> Result<(), String> {
    put_json(&notes_key(user, slug), &kept).await
}

/// A new note id: the time and randomness, enough that two devices never pick the same.
pub fn new_id() -> String {
    let r = (js_sys::Math::random() * 2f64.powi(52)) as u64;
    format!("n{:x}-{:x}", js_sys::Date::now() as u64, r)
}

/// Records a change of `note` on `slug` on the device: in the item's notes and in the
/// queue (replacing an older queued change of the same note). Returns the notes now kept.
pub async fn record(user: &str, slug: &str, note: Note) -> Result<Vec<Note>, String> {
    let kept = notes::merge(local(user, slug).await?, vec![note.clone()]);
    put_json(&notes_key(user, slug), &kept).await?;
    let mut queue = pending(user).await?;
    queue.retain(|q| !(q.slug == slug && q.note.id == note.id));
    queue.push(Queued::of(slug, note));
    put_json(&outbox_key(user), &queue).await?;
    Ok(kept)
}

/// What sending the queue did.
#[derive(Debug, Default)]
pub struct Flushed {
    /// Changes the server took.
    pub sent: usize,
    /// Changes still waiting (offline, or the server could not be reached).
    pub waiting: usize,
    /// `(item, reason)` for changes the server refused; they are dropped from the queue
    /// and from the device (the reason says why, so nothing is lost silently).
    pub refused: Vec<(String, String)>,
    /// The notes the account now keeps, per item sent.
    pub notes: Vec<(String, Vec<Note>)>,
}

/// Sends `user`'s queue, item by item. What the server takes leaves the queue; what it
/// refuses leaves it with the reason; everything else waits for the next try.
pub async fn flush(user: &str) -> Result<Flushed, String> {
    let queue = pending(user).await?;
    let mut out = Flushed::default();
    let mut slugs: Vec<String> = queue.iter().map(|q| q.slug.clone()).collect();
    slugs.sort();
    slugs.dedup();
    for slug in slugs {
        let batch: Vec<Queued> = queue
            .iter()
            .filter(|q| q.slug == slug)
            .take(SYNC_BATCH_LIMIT)
            .cloned()
            .collect();
        let changes: Vec<Note> = batch.iter().map(|q| q.note.clone()).collect();
        let done: Vec<String> = match sync_notes(slug.clone(), changes).await {
            Ok(outcome) => {
                for (_, reason) in &outcome.rejected {
                    out.refused.push((slug.clone(), reason.clone()));
                }
                out.sent += batch.len() - outcome.rejected.len();
                let refused: Vec<&str> =
                    outcome.rejected.iter().map(|(id, _)| id.as_str()).collect();
                // The device now keeps the account's notes plus what is still queued.
                let mut rest = pending(user).await?;
                let sent: Vec<&str> = batch.iter().map(|q| q.key.as_str()).collect();
                rest.retain(|q| !sent.contains(&q.key.as_str()));
                let still: Vec<Note> = rest
                    .iter()
                    .filter(|q| q.slug == slug)
                    .map(|q| q.note.clone())
                    .collect();
                let kept: Vec<Note> = notes::merge(outcome.notes.clone(), still)
                    .into_iter()
                    .filter(|n| !refused.contains(&n.id.as_str()))
                    .collect();
                put_json(&notes_key(user, &slug), &kept).await?;
                out.notes.push((slug.clone(), kept));
                put_json(&outbox_key(user), &rest).await?;
                batch.into_iter().map(|q| q.key).collect()
            }
            // No longer entitled (a refund) or the item is gone: these changes can never
            // be applied; drop them with the reason. (Signed out or offline: they wait.)
            Err(e @ (AppError::Forbidden | AppError::NotFound(_))) => {
                out.refused.push((slug.clone(), e.to_string()));
                let mut rest = pending(user).await?;
                rest.retain(|q| q.slug != slug);
                put_json(&outbox_key(user), &rest).await?;
                batch.into_iter().map(|q| q.key).collect()
            }
            Err(_) => Vec::new(),
        };
        out.waiting += queue
            .iter()
            .filter(|q| q.slug == slug && !done.contains(&q.key))
            .count();
    }
    Ok(out)
}
