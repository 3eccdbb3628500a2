//! The reader and reading positions: the whole text for those who may read it, and where
//! each learner stopped in each item (one row per learner and item, the newest save from
//! any device winning), which the library shows as progress.

use crate::error::AppError;
use crate::models::catalog::{table_of_contents, Block};
use crate::models::reading::{ReaderView, ReadingPosition};
use crate::ssr::access::{self, ItemTerms, Viewer};
use crate::ssr::catalog::{CatalogIndex, IndexedItem};
use crate::ssr::db::{execute, rows, Db};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

#[derive(Deserialize)]
struct PreviewRow {
    preview: Vec<Block>,
}

/// The reader's content for `slug`: the free preview followed by the body, for a viewer
/// who may read the whole item (anyone for a free item; owners, members of its tier and
/// admins for a paid one), with where a signed-in learner stopped. Nothing of a paid body
/// is read for anyone else.
pub async fn reader(
    db: &Db,
    index: &CatalogIndex,
    viewer: &Viewer,
    slug: &str,
) -> Result<ReaderView, AppError> {
    let item = index
        .item(slug)
        .ok_or_else(|| AppError::NotFound(format!("There is no item called “{slug}”.")))?;
    let holding = access::entitled(db, viewer, &item.key, item.tier.as_deref())
        .await
        .map_err(|e| AppError::internal("check entitlement", e))?;
    let terms = ItemTerms {
        price_minor: item.card.price.minor,
    };
    let Some(body) = access::body_for(db, viewer, &item.key, terms, holding.opens())
        .await
        .map_err(|e| AppError::internal("read item body", e))?
    else {
        return Err(if viewer.user().is_some() {
            AppError::Forbidden
        } else {
            AppError::SignInRequired
        });
    };
    let preview: Vec<PreviewRow> = rows(
        db,
        "read item preview",
        "SELECT preview FROM type::record('item', $key)",
        json!({ "key": item.key }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("read item preview", e))?;
    let mut blocks = preview
        .into_iter()
        .next()
        .map(|p| p.preview)
        .unwrap_or_default();
    blocks.extend(body);
    let (position, notes) = match viewer.user() {
        Some(u) => (
            position(db, &u.user_key, &item.key).await?,
            super::notes::for_item(db, &u.user_key, &item.key).await?,
        ),
        None => (None, Vec::new()),
    };
    let course = if item.card.kind == crate::models::catalog::Kind::Course {
        let user = viewer.user().map(|u| u.user_key.as_str());
        Some(super::courses::state(db, user, &item.key, &blocks).await?)
    } else {
        None
    };
    Ok(ReaderView {
        course,
        slug: item.card.slug.clone(),
        title: item.card.title.clone(),
        language: item.card.language.clone(),
        kind: item.card.kind,
        creator: item.card.creator_name.clone(),
        cover: item.card.cover.clone(),
        toc: table_of_contents(&[&blocks]),
        blocks,
        position,
        notes,
    })
}

/// How many blocks the reader shows `viewer` of `item` (preview and body), and how far
/// they got in it so far — or the refusal [`reader`] would give — without reading the text.
async fn reader_length(
    db: &Db,
    viewer: &Viewer,
    item: &IndexedItem,
) -> Result<(usize, f64), AppError> {
    let holding = access::entitled(db, viewer, &item.key, item.tier.as_deref())
        .await
        .map_err(|e| AppError::internal("check entitlement", e))?;
    let terms = ItemTerms {
        price_minor: item.card.price.minor,
    };
    if !access::may_read_body(viewer, terms, holding.opens()) {
        return Err(AppError::Forbidden);
    }
    #[derive(Deserialize)]
    struct Length {
        blocks: usize,
        furthest: Option<f64>,
    }
    let found: Vec<Length> = rows(
        db,
        "measure item",
        "RETURN {
            blocks: array::len(type::record('item', $item).preview ?? [])
                + array::len(type::record('item_body', $item).blocks ?? []),
            furthest: type::record('reading', [$user, $item]).furthest,
         };",
        json!({ "item": item.key, "user": viewer.user().map(|u| u.user_key.clone()) }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("measure item", e))?;
    let found = found
        .into_iter()
        .next()
        .ok_or_else(|| AppError::internal("measure item", "no answer"))?;
    Ok((found.blocks, found.furthest.unwrap_or(0.0)))
}

async fn position(db: &Db, user: &str, item: &str) -> Result<Option<ReadingPosition>, AppError> {
    let found: Vec<ReadingPosition> = rows(
        db,
        "read reading position",
        "SELECT block, fraction, furthest, saved_ms FROM type::record('reading', [$user, $item])",
        json!({ "user": user, "item": item }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("read reading position", e))?;
    Ok(found.into_iter().next())
}

/// Saves where the signed-in learner is in `slug`, as their device saw it at `saved_ms`.
/// A save older than the one kept (a queued save arriving late, another device's clock)
/// changes nothing but the furthest point. Returns the position now kept.
///
/// Each time the furthest point passes another tenth of the text, a `progress` event is
/// recorded for analytics — only for learners who allowed analytics.
pub async fn save(
    db: &Db,
    index: &CatalogIndex,
    viewer: &Viewer,
    slug: &str,
    block: u32,
    fraction: f64,
    saved_ms: i64,
) -> Result<ReadingPosition, AppError> {
    let me = access::require_signed_in(viewer)?;
    let item = index
        .item(slug)
        .ok_or_else(|| AppError::NotFound(format!("There is no item called “{slug}”.")))?;
    let (length, before) = reader_length(db, viewer, item).await?;
    ReadingPosition::check(block, fraction, saved_ms, length).map_err(AppError::BadRequest)?;
    let kept: Vec<ReadingPosition> = rows(
        db,
        "save reading position",
        "LET $id = type::record('reading', [$user, $item]);
         LET $prev = (SELECT VALUE saved_ms FROM $id)[0];
         LET $furthest = math::max([(SELECT VALUE furthest FROM $id)[0] ?? 0.0, $fraction]);
         IF $prev = NONE OR $prev < $ms {
             UPSERT $id SET user = type::record('user', $user), item = type::record('item', $item),
                 block = $block, fraction = $fraction, furthest = $furthest, saved_ms = $ms,
                 updated_at = time::now();
         } ELSE {
             UPDATE $id SET furthest = $furthest;
         };
         SELECT block, fraction, furthest, saved_ms FROM $id;",
        json!({
            "user": me.user_key, "item": item.key, "block": block,
            "fraction": fraction, "ms": saved_ms,
        }),
        4,
    )
    .await
    .map_err(|e| AppError::internal("save reading position", e))?;
    let kept = kept
        .into_iter()
        .next()
        .ok_or_else(|| AppError::internal("save reading position", "nothing was kept"))?;
    if (kept.furthest * 10.0).floor() > (before * 10.0).floor() {
        let value = (kept.furthest * 100.0).round() / 100.0;
        if let Err(e) = super::analytics::record::progress(db, viewer, &item.key, value).await {
            tracing::warn!(error = %e, "could not record progress");
        }
    }
    Ok(kept)
}

/// How far a learner got in each item they opened in the reader: item key → (furthest
/// point, when last read as `YYYY-MM-DD`).
pub async fn progress_by_item(
    db: &Db,
    user: &str,
) -> Result<HashMap<String, (f64, String)>, AppError> {
    #[derive(Deserialize)]
    struct Row {
        item: String,
        furthest: f64,
        day: String,
    }
    let found: Vec<Row> = rows(
        db,
        "read reading progress",
        "SELECT record::id(item) AS item, furthest, time::format(updated_at, '%Y-%m-%d %H:%M:%S') AS day
         FROM reading WHERE user = type::record('user', $user)",
        json!({ "user": user }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("read reading progress", e))?;
    Ok(found
        .into_iter()
        .map(|r| (r.item, (r.furthest, r.day)))
        .collect())
}

/// The longest place in a file that is kept, in seconds (two days of audio).
const MAX_MEDIA_SECONDS: f64 = 172_800.0;

/// The audio or video file `hash`, if it is one the viewer may play.
async fn playable(
    db: &Db,
    index: &CatalogIndex,
    viewer: &Viewer,
    hash: &str,
) -> Result<(), AppError> {
    let none = || AppError::NotFound("There is no such audio or video file.".into());
    if !crate::models::media::MediaRef::is_hash(hash) {
        return Err(none());
    }
    match super::media::fetch_rule(db, index, viewer, hash).await? {
        Some((rule, stored)) if rule != super::media::Fetch::Refused => {
            let mime = stored.mime.as_str();
            if mime.starts_with("audio/") || mime.starts_with("video/") {
                Ok(())
            } else {
                Err(none())
            }
        }
        _ => Err(none()),
    }
}

/// Where the signed-in learner stopped in audio or video file `hash` (seconds, and the
/// device time of that save), if they kept a place.
pub async fn media_place(
    db: &Db,
    index: &CatalogIndex,
    viewer: &Viewer,
    hash: &str,
) -> Result<Option<(f64, i64)>, AppError> {
    let me = access::require_signed_in(viewer)?;
    playable(db, index, viewer, hash).await?;
    let found: Vec<(f64, i64)> = rows(
        db,
        "read media place",
        "SELECT VALUE [at, saved_ms] FROM type::record('media_place', [$user, $hash])",
        json!({ "user": me.user_key, "hash": hash }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("read media place", e))?;
    Ok(found.into_iter().next())
}

/// Keeps `at` seconds as the signed-in learner's place in file `hash`, saved on their
/// device at `saved_ms`; a save older than the kept one changes nothing.
pub async fn save_media_place(
    db: &Db,
    index: &CatalogIndex,
    viewer: &Viewer,
    hash: &str,
    at: f64,
    saved_ms: i64,
) -> Result<(), AppError> {
    let me = access::require_signed_in(viewer)?;
    if !(0.0..=MAX_MEDIA_SECONDS).contains(&at) || !at.is_finite() {
        return Err(AppError::BadRequest(
            "The place must be a number of seconds from the start.".into(),
        ));
    }
    if saved_ms <= 0 {
        return Err(AppError::BadRequest(
            "Say when the place was saved (milliseconds since 1970).".into(),
        ));
    }
    playable(db, index, viewer, hash).await?;
    execute(
        db,
        "save media place",
        "LET $id = type::record('media_place', [$user, $hash]);
         IF ($id.saved_ms ?? 0) < $ms {
            UPSERT $id SET user = type::record('user', $user), media = $hash, at = $at,
                saved_ms = $ms, updated_at = time::now();
         };",
        json!({ "user": me.user_key, "hash": hash, "at": at, "ms": saved_ms }),
    )
    .await
    .map_err(|e| AppError::internal("save media place", e))
}
