//! Highlights, notes and bookmarks on the account: read back for the reader and the
//! Markdown export, and merged with what a device sends (newest version of each note wins;
//! a repeated change is a no-op). Only the learner who made them ever reads them.

use crate::error::AppError;
use crate::models::notes::{
    self, Note, NoteKind, SyncOutcome, NOTES_PER_ITEM_LIMIT, SYNC_BATCH_LIMIT,
};
use crate::ssr::access::{self, Viewer};
use crate::ssr::catalog::CatalogIndex;
use crate::ssr::db::{rows, Db};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

/// A stored note as the database returns it.
#[derive(Deserialize)]
struct Row {
    id: String,
    kind: String,
    block: u32,
    span_start: u32,
    span_end: u32,
    quote: String,
    text: String,
    updated_ms: i64,
    deleted: bool,
}

impl Row {
    fn into_note(self) -> Option<Note> {
        Some(Note {
            id: self.id,
            kind: NoteKind::parse(&self.kind)?,
            block: self.block,
            start: self.span_start,
            end: self.span_end,
            quote: self.quote,
            text: self.text,
            updated_ms: self.updated_ms,
            deleted: self.deleted,
        })
    }
}

const FIELDS: &str = "record::id(id)[1] AS id, kind, block, span_start, span_end, quote, text, \
                      updated_ms, deleted";

/// The learner's live notes on the item with record key `item`, in reading order.
pub async fn for_item(db: &Db, user: &str, item: &str) -> Result<Vec<Note>, AppError> {
    let found: Vec<Row> = rows(
        db,
        "read notes",
        &format!(
            "SELECT {FIELDS} FROM note WHERE user = type::record('user', $user) \
             AND item = type::record('item', $item) AND deleted = false"
        ),
        json!({ "user": user, "item": item }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("read notes", e))?;
    let mut out: Vec<Note> = found.into_iter().filter_map(Row::into_note).collect();
    notes::sort(&mut out);
    Ok(out)
}

/// Applies the changes a device sends for `slug` (new, edited and deleted notes) and
/// answers with the learner's notes as now kept. Each change is checked against the text
/// the learner may read; a bad one is refused with its reason and the others still apply.
/// A change older than the kept version of its note changes nothing, so replaying a
/// queue is harmless.
pub async fn sync(
    db: &Db,
    index: &CatalogIndex,
    viewer: &Viewer,
    slug: &str,
    changes: Vec<Note>,
) -> Result<SyncOutcome, AppError> {
    let me = access::require_signed_in(viewer)?;
    if changes.len() > SYNC_BATCH_LIMIT {
        return Err(AppError::BadRequest(format!(
            "Send at most {SYNC_BATCH_LIMIT} changes at a time."
        )));
    }
    // The text the learner may read (and a 401/403 for anyone else).
    let view = super::reading::reader(db, index, viewer, slug).await?;
    let item = index
        .item(slug)
        .ok_or_else(|| AppError::NotFound(format!("There is no item called “{slug}”.")))?;
    let mut rejected = Vec::new();
    let mut good: Vec<Note> = Vec::new();
    for change in changes {
        let id = change.id.clone();
        match change.checked(&view.blocks) {
            Ok(n) => {
                // Two changes of one note in a batch: the newer one stands.
                good.retain(|g| g.id != n.id || g.updated_ms > n.updated_ms);
                if !good.iter().any(|g| g.id == n.id) {
                    good.push(n);
                }
            }
            Err(reason) => rejected.push((id, reason)),
        }
    }
    if !good.is_empty() {
        #[derive(Deserialize)]
        struct Kept {
            id: String,
            item: String,
        }
        let keys: Vec<&str> = good.iter().map(|n| n.id.as_str()).collect();
        let known: Vec<Kept> = rows(
            db,
            "read notes",
            "SELECT record::id(id)[1] AS id, record::id(item) AS item \
             FROM $keys.map(|$k| type::record('note', [$user, $k]));",
            json!({ "user": me.user_key, "keys": keys }),
            0,
        )
        .await
        .map_err(|e| AppError::internal("read notes", e))?;
        let here = known.iter().filter(|k| k.item == item.key).count();
        let elsewhere: HashMap<String, String> = known
            .into_iter()
            .filter(|k| k.item != item.key)
            .map(|k| (k.id, k.item))
            .collect();
        good.retain(|n| {
            if elsewhere.contains_key(&n.id) {
                rejected.push((
                    n.id.clone(),
                    "That note id is already used on another item.".into(),
                ));
                false
            } else {
                true
            }
        });
        let kept: Vec<usize> = rows(
            db,
            "count notes",
            "SELECT VALUE count() FROM note WHERE user = type::record('user', $user) \
             AND item = type::record('item', $item) GROUP ALL",
            json!({ "user": me.user_key, "item": item.key }),
            0,
        )
        .await
        .map_err(|e| AppError::internal("count notes", e))?;
        let kept = kept.first().copied().unwrap_or(0);
        // Only notes new to the account take room; edits of kept ones do not.
        if kept + good.len().saturating_sub(here) > NOTES_PER_ITEM_LIMIT {
            return Err(AppError::BadRequest(format!(
                "You keep {kept} notes on this item; the most is {NOTES_PER_ITEM_LIMIT}. \
                 Delete some first."
            )));
        }
        let docs: Vec<serde_json::Value> = good
            .iter()
            .map(|n| {
                json!({
                    "id": n.id, "kind": n.kind.as_str(), "block": n.block,
                    "span_start": n.start, "span_end": n.end, "quote": n.quote,
                    "text": n.text, "updated_ms": n.updated_ms, "deleted": n.deleted,
                })
            })
            .collect();
        rows::<serde_json::Value>(
            db,
            "save notes",
            "FOR $n IN $notes {
                 LET $id = type::record('note', [$user, $n.id]);
                 LET $prev = (SELECT VALUE updated_ms FROM $id)[0];
                 IF $prev = NONE OR $prev < $n.updated_ms {
                     UPSERT $id SET user = type::record('user', $user),
                         item = type::record('item', $item), kind = $n.kind, block = $n.block,
                         span_start = $n.span_start, span_end = $n.span_end, quote = $n.quote,
                         text = $n.text, updated_ms = $n.updated_ms, deleted = $n.deleted,
                         synced_at = time::now();
                 };
             };",
            json!({ "user": me.user_key, "item": item.key, "notes": docs }),
            0,
        )
        .await
        .map_err(|e| AppError::internal("save notes", e))?;
    }
    Ok(SyncOutcome {
        notes: for_item(db, &me.user_key, &item.key).await?,
        rejected,
    })
}

/// The signed-in learner's notes as one Markdown document: of the item `slug`, or of
/// every item they made notes on (newest first) when `slug` is `None`. `origin` is the
/// store's address, for links back to the reader.
pub async fn markdown(
    db: &Db,
    index: &CatalogIndex,
    viewer: &Viewer,
    slug: Option<&str>,
    origin: &str,
) -> Result<String, AppError> {
    let me = access::require_signed_in(viewer)?;
    let items: Vec<String> = match slug {
        Some(slug) => vec![index
            .item(slug)
            .ok_or_else(|| AppError::NotFound(format!("There is no item called “{slug}”.")))?
            .key
            .clone()],
        None => rows(
            db,
            "list noted items",
            "SELECT VALUE record::id(item) FROM (SELECT item, math::max(updated_ms) AS last \
             FROM note WHERE user = type::record('user', $user) AND deleted = false \
             GROUP BY item ORDER BY last DESC)",
            json!({ "user": me.user_key }),
            0,
        )
        .await
        .map_err(|e| AppError::internal("list noted items", e))?,
    };
    let mut out = String::from("# Shuzhai 书斋 — my notes\n\n");
    let mut any = false;
    for key in items {
        let found = for_item(db, &me.user_key, &key).await?;
        if found.is_empty() {
            continue;
        }
        let Some(card) = index.item_by_key(&key).map(|i| &i.card) else {
            continue;
        };
        any = true;
        out.push_str(&notes::markdown(
            &card.title,
            &card.creator_name,
            &format!("{origin}/read/{}", card.slug),
            &found,
        ));
    }
    if !any {
        out.push_str("No highlights, notes or bookmarks yet.\n");
    }
    Ok(out)
}
