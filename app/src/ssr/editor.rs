//! Editing items on their page: drafts with revisions, publishing (now or at a set time),
//! the version history and restoring from it.
//!
//! Only the item's creator (while they hold the creator role) and admins open, save or
//! publish a draft. A save names the revision it was made from; if another editor saved in
//! between, nothing is overwritten: the save is refused, the text it carried is kept in the
//! history as a "conflict" version, and the editor gets the newer draft to choose from.
//! Learners never see a draft: the item page and the catalog read only what was published.

use crate::error::AppError;
use crate::models::catalog::Block;
use crate::models::editor::{
    reading_minutes, DraftView, ItemDoc, SaveOutcome, VersionKind, VersionSummary, VersionView,
};
use crate::models::media::MediaRef;
use crate::ssr::access::{self, SignedIn, Viewer};
use crate::ssr::accounts::AuthSettings;
use crate::ssr::db::{rows, transact, Db, TxError};
use serde::Deserialize;
use serde_json::{json, Value};

/// How many autosaves the history keeps per item (published, restored and conflict
/// versions are always kept).
pub const AUTOSAVES_KEPT: usize = 100;

#[derive(Deserialize)]
struct TargetRow {
    key: String,
    slug: String,
    language: String,
    status: String,
    kind: String,
    owner: Option<String>,
}

/// An item someone may edit.
struct Target {
    key: String,
    slug: String,
    language: String,
    live: bool,
    /// A course: publishing also writes its chapters and lessons.
    course: bool,
    /// The user key of the creator it belongs to.
    owner: Option<String>,
}

async fn find(db: &Db, slug: &str) -> Result<TargetRow, AppError> {
    let found: Vec<TargetRow> = rows(
        db,
        "find item to edit",
        "SELECT record::id(id) AS key, slug, language, status, kind,
                (IF creator.user THEN record::id(creator.user) END) AS owner
         FROM item WHERE slug = $slug LIMIT 1",
        json!({ "slug": slug }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("find item to edit", e))?;
    found
        .into_iter()
        .next()
        .ok_or_else(|| AppError::NotFound(format!("There is no item called “{slug}”.")))
}

/// Whether `viewer` may edit the item with key `item_key` (its creator or an admin).
pub async fn may_edit_item(db: &Db, viewer: &Viewer, item_key: &str) -> bool {
    let Some(u) = viewer.user() else {
        return false;
    };
    if !(u.has(crate::models::account::Role::Creator) || u.has(crate::models::account::Role::Admin))
    {
        return false;
    }
    let owner: Vec<Option<String>> = rows(
        db,
        "find item owner",
        "SELECT VALUE (IF creator.user THEN record::id(creator.user) END) FROM type::record('item', $key)",
        json!({ "key": item_key }),
        0,
    )
    .await
    .unwrap_or_default();
    let owner = owner.into_iter().flatten().next();
    access::may_edit_creator(viewer, owner.as_deref())
}

async fn target<'v>(
    db: &Db,
    viewer: &'v Viewer,
    slug: &str,
) -> Result<(Target, &'v SignedIn), AppError> {
    let me = access::require_signed_in(viewer)?;
    if !crate::models::catalog::is_slug(slug) {
        return Err(AppError::NotFound(format!(
            "There is no item called “{slug}”."
        )));
    }
    let row = find(db, slug).await?;
    if !access::may_edit_creator(viewer, row.owner.as_deref()) {
        return Err(AppError::Forbidden);
    }
    Ok((
        Target {
            key: row.key,
            slug: row.slug,
            language: row.language,
            live: row.status == "published",
            course: row.kind == "course",
            owner: row.owner,
        },
        me,
    ))
}

/// A block as stored: `level` only when it has one (the schema's `option<int>` refuses
/// NULL).
fn block_value(b: &Block) -> Value {
    let mut v = json!({ "kind": b.kind, "text": b.text, "items": b.items });
    if let Value::Object(map) = &mut v {
        if let Some(level) = b.level {
            map.insert("level".into(), json!(level));
        }
        if let Some(k) = &b.lesson {
            map.insert("lesson".into(), json!(k));
        }
        if let Some(m) = &b.media {
            let mut media = json!({
                "hash": m.hash, "kind": m.kind, "ext": m.ext, "name": m.name,
                "size": m.size, "widths": m.widths,
            });
            if let Value::Object(mm) = &mut media {
                if let Some(w) = m.width {
                    mm.insert("width".into(), json!(w));
                }
                if let Some(h) = m.height {
                    mm.insert("height".into(), json!(h));
                }
            }
            map.insert("media".into(), media);
        }
    }
    v
}

/// The uploads `blocks` use, by hash.
fn media_hashes<'a>(blocks: impl Iterator<Item = &'a Block>) -> Vec<String> {
    let mut hashes: Vec<String> = blocks
        .filter_map(|b| b.media.as_ref().map(|m| m.hash.clone()))
        .collect();
    hashes.sort();
    hashes.dedup();
    hashes
}

/// Replaces each media block's reference with what the store knows about the file, and
/// refuses files that are not in the store or that someone other than `me` or the item's
/// creator uploaded.
async fn check_media(
    db: &Db,
    t: &Target,
    me: &SignedIn,
    doc: &mut ItemDoc,
) -> Result<(), AppError> {
    let cover = cover_media(&doc.cover);
    let drawn = format!("/covers/{}.svg", t.slug);
    if !doc.cover.is_empty() && doc.cover != drawn && cover.is_none() {
        return Err(AppError::BadRequest(
            "The cover must be an image uploaded here (or the drawn cover).".into(),
        ));
    }
    let mut hashes = media_hashes(doc.preview.iter().chain(&doc.body));
    hashes.extend(cover.clone());
    if hashes.is_empty() {
        return Ok(());
    }
    #[derive(Deserialize)]
    struct Known {
        #[serde(flatten)]
        media: MediaRef,
        by: Vec<String>,
    }
    let known: Vec<Known> = rows(
        db,
        "read media of a draft",
        "SELECT record::id(id) AS hash, kind, ext, name, size, width, height, widths,
                uploaders.map(|$u| record::id($u)) AS by
         FROM $hashes.map(|$h| type::record('media', $h))",
        json!({ "hashes": hashes }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("read media of a draft", e))?;
    for (n, b) in doc
        .preview
        .iter_mut()
        .chain(doc.body.iter_mut())
        .enumerate()
    {
        let Some(m) = &b.media else { continue };
        let Some(k) = known.iter().find(|k| k.media.hash == m.hash) else {
            return Err(AppError::BadRequest(format!(
                "The file of block {} is not in the store: upload it again.",
                n + 1
            )));
        };
        let mine = k.by.contains(&me.user_key);
        let owners = t.owner.as_ref().is_some_and(|o| k.by.contains(o));
        if !(mine || owners) {
            return Err(AppError::BadRequest(format!(
                "Block {} uses a file uploaded to another store: upload your own copy.",
                n + 1
            )));
        }
        b.media = Some(k.media.clone());
    }
    if let Some(hash) = cover {
        let k = known.iter().find(|k| k.media.hash == hash);
        let allowed = k.is_some_and(|k| {
            k.media.kind == crate::models::media::MediaKind::Image
                && (k.by.contains(&me.user_key)
                    || t.owner.as_ref().is_some_and(|o| k.by.contains(o)))
        });
        match k {
            Some(k) if allowed => doc.cover = k.media.url(),
            _ => {
                return Err(AppError::BadRequest(
                    "The cover must be an image uploaded to this store.".into(),
                ))
            }
        }
    }
    Ok(())
}

/// The upload a cover address names (`/media/<hash>.<ext>`), if it names one.
fn cover_media(cover: &str) -> Option<String> {
    let file = cover.strip_prefix("/media/")?;
    crate::models::media::parse_file_name(file)
        .filter(|(_, width, _)| width.is_none())
        .map(|(hash, _, _)| hash)
}

fn blocks_value(blocks: &[Block]) -> Value {
    Value::Array(blocks.iter().map(block_value).collect())
}

/// The document as stored.
fn doc_value(doc: &ItemDoc) -> Value {
    json!({
        "title_en": doc.title_en,
        "title_zh": doc.title_zh,
        "summary_en": doc.summary_en,
        "summary_zh": doc.summary_zh,
        "description": doc.description,
        "price_minor": doc.price_minor,
        "tags": doc.tags,
        "cover": doc.cover,
        "preview": blocks_value(&doc.preview),
        "body": blocks_value(&doc.body),
    })
}

#[derive(Deserialize)]
struct DraftRow {
    revision: i64,
    published_revision: Option<i64>,
    saved_at: String,
    saved_by_name: String,
    publish_at: Option<String>,
    doc: ItemDoc,
}

async fn read_draft(db: &Db, key: &str) -> Result<Option<DraftRow>, AppError> {
    let found: Vec<DraftRow> = rows(
        db,
        "read draft",
        "SELECT revision, published_revision, <string> saved_at AS saved_at, saved_by_name,
                (IF publish_at THEN <string> publish_at END) AS publish_at, doc
         FROM type::record('item_draft', $key)",
        json!({ "key": key }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("read draft", e))?;
    Ok(found.into_iter().next())
}

/// The draft of `t`, made from the live page the first time anyone opens the editor.
async fn ensure_draft(db: &Db, t: &Target) -> Result<DraftRow, AppError> {
    if let Some(d) = read_draft(db, &t.key).await? {
        return Ok(d);
    }
    #[derive(Deserialize)]
    struct LiveRow {
        title_en: String,
        title_zh: String,
        summary_en: String,
        summary_zh: String,
        description: String,
        price_minor: i64,
        tags: Vec<String>,
        cover: String,
        preview: Vec<Block>,
        body: Option<Vec<Block>>,
    }
    let live: Vec<LiveRow> = rows(
        db,
        "read live item for a draft",
        "SELECT title_en, title_zh, summary_en, summary_zh, description, price_minor, tags, cover, preview,
                type::record('item_body', $key).blocks AS body
         FROM type::record('item', $key)",
        json!({ "key": t.key }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("read live item for a draft", e))?;
    let live = live.into_iter().next().ok_or(AppError::Internal)?;
    let mut doc = ItemDoc {
        title_en: live.title_en,
        title_zh: live.title_zh,
        summary_en: live.summary_en,
        summary_zh: live.summary_zh,
        description: live.description,
        price_minor: live.price_minor,
        tags: live.tags,
        cover: live.cover,
        preview: live.preview,
        body: live.body.unwrap_or_default(),
    };
    if t.course {
        attach_lesson_keys(db, &t.key, &mut doc).await?;
    }
    // Two editors opening at once: the second CREATE fails and both read the one draft.
    let _ = rows::<Value>(
        db,
        "create draft",
        "CREATE type::record('item_draft', $key) CONTENT {
            item: type::record('item', $key), revision: 0,
            published_revision: IF $live THEN 0 END,
            saved_at: time::now(), saved_by_name: '', doc: $doc }",
        json!({ "key": t.key, "live": t.live, "doc": doc_value(&doc) }),
        0,
    )
    .await;
    read_draft(db, &t.key).await?.ok_or(AppError::Internal)
}

async fn tag_choices(db: &Db) -> Result<Vec<(String, String)>, AppError> {
    #[derive(Deserialize)]
    struct TagRow {
        slug: String,
        name: String,
    }
    let tags: Vec<TagRow> = rows(
        db,
        "list tags",
        "SELECT slug, name FROM tag ORDER BY name",
        json!({}),
        0,
    )
    .await
    .map_err(|e| AppError::internal("list tags", e))?;
    Ok(tags.into_iter().map(|t| (t.slug, t.name)).collect())
}

fn view_of(t: &Target, d: DraftRow, tag_choices: Vec<(String, String)>) -> DraftView {
    DraftView {
        slug: t.slug.clone(),
        language: t.language.clone(),
        live: t.live,
        course: t.course,
        revision: d.revision,
        published_revision: d.published_revision,
        saved_at: d.saved_at,
        saved_by: d.saved_by_name,
        publish_at: d.publish_at,
        doc: d.doc,
        tag_choices,
    }
}

/// Opens the draft of item `slug` for editing.
pub async fn open(db: &Db, viewer: &Viewer, slug: &str) -> Result<DraftView, AppError> {
    let (t, _) = target(db, viewer, slug).await?;
    let mut d = ensure_draft(db, &t).await?;
    if t.course {
        attach_lesson_keys(db, &t.key, &mut d.doc).await?;
    }
    Ok(view_of(&t, d, tag_choices(db).await?))
}

/// The lessons of course `item_key` in course order: (key, minutes).
async fn lessons_of(db: &Db, item_key: &str) -> Result<Vec<(String, u32)>, AppError> {
    #[derive(Deserialize)]
    struct Chapter {
        lessons: Vec<(String, u32)>,
    }
    let chapters: Vec<Chapter> = rows(
        db,
        "read lessons of a course",
        "SELECT position,
             (SELECT VALUE [record::id(id), minutes] FROM lesson
                WHERE chapter = $parent.id ORDER BY position) AS lessons
         FROM chapter WHERE item = type::record('item', $item) ORDER BY position",
        json!({ "item": item_key }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("read lessons of a course", e))?;
    Ok(chapters.into_iter().flat_map(|c| c.lessons).collect())
}

/// Gives a course document that has no lesson keys at all (made before lessons were
/// edited here, or restored from such a version) the keys of the live lessons, the N-th
/// subheading the N-th lesson: the pairing the live page makes.
async fn attach_lesson_keys(db: &Db, item_key: &str, doc: &mut ItemDoc) -> Result<(), AppError> {
    let is_lesson =
        |b: &Block| b.kind == crate::models::catalog::BlockKind::Heading && b.level == Some(3);
    let headings = doc.preview.iter().chain(&doc.body).filter(|b| is_lesson(b));
    if headings.clone().next().is_none() || headings.clone().any(|b| b.lesson.is_some()) {
        return Ok(());
    }
    let mut keys = lessons_of(db, item_key).await?.into_iter();
    for b in doc.preview.iter_mut().chain(doc.body.iter_mut()) {
        if is_lesson(b) {
            b.lesson = keys.next().map(|(k, _)| k);
        }
    }
    Ok(())
}

/// A new lesson key for course `item_key`.
fn new_lesson_key(item_key: &str) -> String {
    let n: u64 = rand::random();
    format!("{}-{n:016x}", &item_key[..item_key.len().min(40)])
}

/// The chapters and lessons to write when course `t` goes live with `doc`, as the
/// transaction reads them, and the keys of the lessons that stay.
async fn course_plan(db: &Db, t: &Target, doc: &ItemDoc) -> Result<(Value, Vec<String>), AppError> {
    let mut doc = doc.clone();
    attach_lesson_keys(db, &t.key, &mut doc).await?;
    let outline = doc.course_outline()?;
    let existing = lessons_of(db, &t.key).await?;
    // Keys the editor made for new lessons are used unless some other lesson has one.
    let proposed: Vec<&String> = outline
        .iter()
        .flat_map(|c| &c.lessons)
        .filter_map(|l| l.key.as_ref())
        .filter(|k| !existing.iter().any(|(e, _)| e == *k))
        .collect();
    let taken: Vec<String> = if proposed.is_empty() {
        Vec::new()
    } else {
        rows(
            db,
            "check new lesson keys",
            "SELECT VALUE record::id(id) FROM $keys.map(|$k| type::record('lesson', $k))",
            json!({ "keys": proposed }),
            0,
        )
        .await
        .map_err(|e| AppError::internal("check new lesson keys", e))?
    };
    let mut kept = Vec::new();
    let chapters: Vec<Value> = outline
        .into_iter()
        .enumerate()
        .map(|(c, chapter)| {
            let lessons: Vec<Value> = chapter
                .lessons
                .into_iter()
                .enumerate()
                .map(|(l, lesson)| {
                    // A key of one of this course's lessons keeps that lesson; a new key
                    // names the new lesson; a key of another course's lesson is replaced.
                    let estimate = reading_minutes(lesson.chars, &t.language);
                    let old = lesson
                        .key
                        .as_ref()
                        .and_then(|k| existing.iter().find(|(e, _)| e == k).cloned());
                    let (key, minutes) = match (old, lesson.key) {
                        (Some((k, m)), _) => (k, if m > 0 { m } else { estimate }),
                        (None, Some(k)) if !taken.contains(&k) => (k, estimate),
                        (None, _) => (new_lesson_key(&t.key), estimate),
                    };
                    kept.push(key.clone());
                    json!({ "key": key, "title": lesson.title, "position": l + 1,
                            "minutes": minutes, "free": lesson.free })
                })
                .collect();
            json!({ "title": chapter.title, "position": c + 1, "lessons": lessons })
        })
        .collect();
    Ok((Value::Array(chapters), kept))
}

async fn record_version(
    db: &Db,
    item_key: &str,
    kind: VersionKind,
    revision: i64,
    me: &SignedIn,
    doc: &ItemDoc,
) -> Result<(), AppError> {
    rows::<Value>(
        db,
        "record version",
        "CREATE item_version CONTENT {
            item: type::record('item', $key), kind: $kind, revision: $rev, at: time::now(),
            author: type::record('user', $user), author_name: $name, doc: $doc };
         LET $old = (SELECT VALUE at FROM item_version
            WHERE item = type::record('item', $key) AND kind = 'autosave'
            ORDER BY at DESC LIMIT 1 START $kept)[0];
         IF $old != NONE {
            DELETE item_version WHERE item = type::record('item', $key) AND kind = 'autosave' AND at <= $old;
         };",
        json!({
            "key": item_key, "kind": kind.as_str(), "rev": revision, "user": me.user_key,
            "name": me.display_name, "doc": doc_value(doc), "kept": AUTOSAVES_KEPT,
        }),
        0,
    )
    .await
    .map(|_| ())
    .map_err(|e| AppError::internal("record version", e))
}

/// Saves `doc` as the draft of `slug`, made from revision `base`. Refused (and kept in
/// the history) if the draft has moved on since `base`.
pub async fn save(
    db: &Db,
    viewer: &Viewer,
    slug: &str,
    base: i64,
    doc: ItemDoc,
) -> Result<SaveOutcome, AppError> {
    save_as(db, viewer, slug, base, doc, VersionKind::Autosave).await
}

async fn save_as(
    db: &Db,
    viewer: &Viewer,
    slug: &str,
    base: i64,
    doc: ItemDoc,
    kind: VersionKind,
) -> Result<SaveOutcome, AppError> {
    let (t, me) = target(db, viewer, slug).await?;
    let mut doc = doc.cleaned();
    doc.check_draft()?;
    check_media(db, &t, me, &mut doc).await?;
    ensure_draft(db, &t).await?;
    #[derive(Deserialize)]
    struct Saved {
        revision: i64,
        saved_at: String,
    }
    let saved: Vec<Saved> = rows(
        db,
        "save draft",
        "UPDATE type::record('item_draft', $key) SET revision = revision + 1, doc = $doc,
            saved_at = time::now(), saved_by = type::record('user', $user), saved_by_name = $name
         WHERE revision = $base
         RETURN revision, <string> saved_at AS saved_at",
        json!({ "key": t.key, "doc": doc_value(&doc), "user": me.user_key, "name": me.display_name, "base": base }),
        0,
    )
    .await
    .map_err(|e| {
        if e.to_string().to_lowercase().contains("conflict") {
            // Two saves at the same instant: the other one won; treat as a stale save.
            return AppError::Conflict("conflict".into());
        }
        AppError::internal("save draft", e)
    })
    .or_else(|e| match e {
        AppError::Conflict(_) => Ok(Vec::new()),
        other => Err(other),
    })?;
    match saved.into_iter().next() {
        Some(s) => {
            let due = kind != VersionKind::Autosave || autosave_due(db, &t.key, me).await?;
            if due {
                record_version(db, &t.key, kind, s.revision, me, &doc).await?;
            }
            Ok(SaveOutcome::Saved {
                revision: s.revision,
                saved_at: s.saved_at,
            })
        }
        None => {
            let current = read_draft(db, &t.key).await?.ok_or(AppError::Internal)?;
            record_version(
                db,
                &t.key,
                VersionKind::Conflict,
                current.revision,
                me,
                &doc,
            )
            .await?;
            let theirs = view_of(&t, current, tag_choices(db).await?);
            Ok(SaveOutcome::Conflict {
                theirs: Box::new(theirs),
            })
        }
    }
}

/// Whether `me`'s last autosave of the item is more than a minute old (or there is none).
async fn autosave_due(db: &Db, item_key: &str, me: &SignedIn) -> Result<bool, AppError> {
    let recent: Vec<String> = rows(
        db,
        "last autosave",
        "SELECT VALUE record::id(id) FROM item_version
         WHERE item = type::record('item', $key) AND kind = 'autosave'
           AND author = type::record('user', $user) AND at > time::now() - 1m LIMIT 1",
        json!({ "key": item_key, "user": me.user_key }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("last autosave", e))?;
    Ok(recent.is_empty())
}

async fn known_tags(db: &Db, doc: &ItemDoc) -> Result<(), AppError> {
    let known: Vec<String> = rows(
        db,
        "check tags",
        "SELECT VALUE slug FROM tag WHERE slug INSIDE $tags",
        json!({ "tags": doc.tags }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("check tags", e))?;
    if let Some(unknown) = doc.tags.iter().find(|t| !known.contains(t)) {
        return Err(AppError::BadRequest(format!(
            "There is no tag “{unknown}”; choose tags from the list."
        )));
    }
    Ok(())
}

/// Makes revision `revision` of the draft of `slug` the live page. The revision must be
/// the draft's current one (save first), so what goes live is what the editor showed.
/// An item published for the first time is announced to the creator's followers.
pub async fn publish(
    db: &Db,
    auth: &AuthSettings,
    viewer: &Viewer,
    slug: &str,
    revision: i64,
) -> Result<(), AppError> {
    let (t, me) = target(db, viewer, slug).await?;
    let d = ensure_draft(db, &t).await?;
    if d.revision != revision {
        return Err(AppError::Conflict(
            "The draft changed since this page loaded it (another tab or editor saved). Reload the editor, check the text and publish again.".into(),
        ));
    }
    let first = go_live(db, &t, me, &d.doc, revision).await?;
    if first {
        announce(db, auth, &t).await;
    }
    Ok(())
}

/// Tells the followers of the creator of a newly published item about it. The item is
/// live whatever happens here, so a failure is logged rather than undoing the publishing.
async fn announce(db: &Db, auth: &AuthSettings, t: &Target) {
    match super::follows::announce_new_item(db, auth, &t.key).await {
        Ok(n) => tracing::info!(item = %t.slug, followers = n, "announced a new item"),
        Err(e) => tracing::warn!(item = %t.slug, error = %e, "could not announce a new item"),
    }
}

/// Publishes `doc` as revision `revision`; answers whether the item went live for the
/// first time.
async fn go_live(
    db: &Db,
    t: &Target,
    me: &SignedIn,
    doc: &ItemDoc,
    revision: i64,
) -> Result<bool, AppError> {
    doc.check_publish(&t.language)?;
    known_tags(db, doc).await?;
    let (chapters, kept) = if t.course {
        course_plan(db, t, doc).await?
    } else {
        (json!([]), Vec::new())
    };
    // The live page carries no lesson keys: it pairs lessons with subheadings in order.
    let live = |blocks: &[Block]| -> Vec<Block> {
        doc.publishable_blocks(blocks)
            .into_iter()
            .map(|b| Block { lesson: None, ..b })
            .collect()
    };
    let preview = live(&doc.preview);
    let body = live(&doc.body);
    transact(
        db,
        "publish draft",
        "BEGIN TRANSACTION;
         LET $d = type::record('item_draft', $key);
         IF $d.revision != $rev { THROW 'shuzhai:stale' };
         UPDATE type::record('item', $key) SET
            title_en = $doc.title_en, title_zh = $doc.title_zh,
            summary_en = $doc.summary_en, summary_zh = $doc.summary_zh,
            description = $doc.description, tags = $doc.tags,
            cover = IF $doc.cover != '' THEN $doc.cover ELSE IF cover != '' THEN cover
                ELSE '/covers/' + slug + '.svg' END,
            price_minor = $doc.price_minor,
            tier = IF $doc.price_minor = 0 THEN NONE ELSE tier END,
            preview = $preview, status = 'published',
            published_at = published_at ?? time::now(), updated_at = time::now();
         UPSERT type::record('item_body', $key) SET item = type::record('item', $key), blocks = $body;
         IF $course {
            LET $item = type::record('item', $key);
            LET $old = (SELECT VALUE id FROM chapter WHERE item = $item);
            LET $gone = (SELECT VALUE id FROM lesson WHERE chapter INSIDE $old AND record::id(id) NOTINSIDE $kept);
            DELETE lesson_done WHERE lesson INSIDE $gone;
            DELETE $gone;
            DELETE $old;
            FOR $c IN $chapters {
                LET $ch = (CREATE chapter CONTENT { item: $item, position: $c.position, title: $c.title } RETURN VALUE id)[0];
                FOR $l IN $c.lessons {
                    UPSERT type::record('lesson', $l.key) SET chapter = $ch, position = $l.position,
                        title = $l.title, minutes = $l.minutes, free_preview = $l.free;
                };
            };
         };
         UPDATE $d SET published_revision = $rev, publish_at = NONE;
         CREATE item_version CONTENT {
            item: type::record('item', $key), kind: 'published', revision: $rev, at: time::now(),
            author: type::record('user', $user), author_name: $name, doc: $doc };
         COMMIT TRANSACTION;",
        json!({
            "key": t.key, "rev": revision, "doc": doc_value(doc),
            "preview": blocks_value(&preview), "body": blocks_value(&body),
            "user": me.user_key, "name": me.display_name,
            "course": t.course, "chapters": chapters, "kept": kept,
        }),
    )
    .await
    .map_err(|e| match e {
        TxError::Refused(_) => AppError::Conflict(
            "The draft changed while publishing. Reload the editor and publish again.".into(),
        ),
        TxError::Db(e) => AppError::internal("publish draft", e),
    })?;
    // Files in the free preview are public from now on; files in the paid body open to
    // whoever may read this item.
    rows::<Value>(
        db,
        "record media use",
        "UPDATE $free.map(|$h| type::record('media', $h)) SET public = true;
         UPDATE $paid.map(|$h| type::record('media', $h))
            SET items = array::union(items, [type::record('item', $key)]);",
        json!({
            "free": media_hashes(preview.iter()).into_iter().chain(cover_media(&doc.cover)).collect::<Vec<_>>(),
            "paid": media_hashes(body.iter()), "key": t.key,
        }),
        0,
    )
    .await
    .map(|_| !t.live)
    .map_err(|e| AppError::internal("record media use", e))
}

/// Publishes the draft of `slug` at `at` (RFC 3339; within a year), or cancels the
/// schedule when `at` is `None`. The draft as it is at that moment goes live; it is
/// checked now, so that a schedule does not fail later for a missing title.
pub async fn schedule(
    db: &Db,
    viewer: &Viewer,
    slug: &str,
    revision: i64,
    at: Option<&str>,
) -> Result<Option<String>, AppError> {
    let (t, _) = target(db, viewer, slug).await?;
    let d = ensure_draft(db, &t).await?;
    if d.revision != revision {
        return Err(AppError::Conflict(
            "The draft changed since this page loaded it. Reload the editor and schedule again."
                .into(),
        ));
    }
    if at.is_some() {
        d.doc.check_publish(&t.language)?;
        known_tags(db, &d.doc).await?;
    }
    #[derive(Deserialize)]
    struct When {
        at: Option<String>,
    }
    let when: Vec<When> = rows(
        db,
        "schedule publication",
        "LET $when = IF $at = NONE THEN NONE ELSE <datetime> $at END;
         IF $when != NONE AND ($when <= time::now() OR $when > time::now() + 366d) {
            THROW 'shuzhai:when';
         };
         UPDATE type::record('item_draft', $key) SET publish_at = $when
         RETURN (IF publish_at THEN <string> publish_at END) AS at;",
        json!({ "key": t.key, "at": at }),
        2,
    )
    .await
    .map_err(|e| {
        let text = e.to_string();
        if text.contains("shuzhai:when") {
            AppError::BadRequest("Choose a time in the future, within a year.".into())
        } else if text.to_lowercase().contains("datetime") {
            AppError::BadRequest(
                "Give the date and time to publish at, like 2027-01-31T09:00:00Z.".into(),
            )
        } else {
            AppError::internal("schedule publication", e)
        }
    })?;
    Ok(when.into_iter().next().and_then(|w| w.at))
}

/// Publishes every draft whose scheduled time has come; returns how many went live.
/// Run by the server every few seconds; new items are announced to followers.
pub async fn publish_due(db: &Db, auth: &AuthSettings) -> Result<usize, AppError> {
    #[derive(Deserialize)]
    struct Due {
        key: String,
        slug: String,
        language: String,
        kind: String,
        status: String,
        owner: Option<String>,
        name: String,
    }
    let due: Vec<Due> = rows(
        db,
        "find scheduled drafts",
        "SELECT record::id(item) AS key, item.slug AS slug, item.language AS language, item.kind AS kind,
                item.status AS status,
                (IF saved_by THEN record::id(saved_by) END) AS owner, saved_by_name AS name
         FROM item_draft WHERE publish_at != NONE AND publish_at <= time::now()",
        json!({}),
        0,
    )
    .await
    .map_err(|e| AppError::internal("find scheduled drafts", e))?;
    let mut published = 0;
    for d in due {
        let t = Target {
            key: d.key,
            slug: d.slug,
            language: d.language,
            live: d.status == "published",
            course: d.kind == "course",
            owner: None,
        };
        let Some(draft) = read_draft(db, &t.key).await? else {
            continue;
        };
        let me = SignedIn {
            user_key: d.owner.unwrap_or_default(),
            session_key: String::new(),
            email: String::new(),
            display_name: if d.name.is_empty() {
                "Schedule".into()
            } else {
                d.name
            },
            roles: Vec::new(),
            locale: Default::default(),
            consent_analytics: false,
            consent_personalisation: false,
            unread: 0,
        };
        match go_live(db, &t, &me, &draft.doc, draft.revision).await {
            Ok(first) => {
                published += 1;
                if first {
                    announce(db, auth, &t).await;
                }
            }
            Err(e) => {
                tracing::warn!(item = %t.slug, error = %e, "a scheduled publication failed; the schedule is cleared");
                let _ = rows::<Value>(
                    db,
                    "clear schedule",
                    "UPDATE type::record('item_draft', $key) SET publish_at = NONE",
                    json!({ "key": t.key }),
                    0,
                )
                .await;
            }
        }
    }
    Ok(published)
}

#[derive(Deserialize)]
struct VersionRow {
    id: String,
    kind: VersionKind,
    revision: i64,
    at: String,
    author_name: String,
}

impl VersionRow {
    fn summary(self) -> VersionSummary {
        VersionSummary {
            id: self.id,
            kind: self.kind,
            revision: self.revision,
            at: self.at,
            author: self.author_name,
        }
    }
}

/// The version history of `slug`, newest first (the latest 200).
pub async fn history(
    db: &Db,
    viewer: &Viewer,
    slug: &str,
) -> Result<Vec<VersionSummary>, AppError> {
    let (t, _) = target(db, viewer, slug).await?;
    let found: Vec<VersionRow> = rows(
        db,
        "read history",
        "SELECT record::id(id) AS id, kind, revision, <string> at AS at, author_name, at AS t
         FROM item_version WHERE item = type::record('item', $key) ORDER BY t DESC LIMIT 200",
        json!({ "key": t.key }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("read history", e))?;
    Ok(found.into_iter().map(VersionRow::summary).collect())
}

/// One version of `slug` in full.
pub async fn version(
    db: &Db,
    viewer: &Viewer,
    slug: &str,
    id: &str,
) -> Result<VersionView, AppError> {
    let (t, _) = target(db, viewer, slug).await?;
    read_version(db, &t, id).await
}

async fn read_version(db: &Db, t: &Target, id: &str) -> Result<VersionView, AppError> {
    #[derive(Deserialize)]
    struct Full {
        #[serde(flatten)]
        row: VersionRow,
        doc: ItemDoc,
    }
    let not_found = || AppError::NotFound("There is no such version of this item.".into());
    if id.is_empty() || id.len() > 40 || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(not_found());
    }
    let found: Vec<Full> = rows(
        db,
        "read version",
        "SELECT record::id(id) AS id, kind, revision, <string> at AS at, author_name, doc
         FROM type::record('item_version', $id) WHERE item = type::record('item', $key)",
        json!({ "id": id, "key": t.key }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("read version", e))?;
    let full = found.into_iter().next().ok_or_else(not_found)?;
    Ok(VersionView {
        summary: full.row.summary(),
        doc: full.doc,
    })
}

/// Makes version `id` the draft again (a new revision on top of `base`; the history keeps
/// everything in between).
pub async fn restore(
    db: &Db,
    viewer: &Viewer,
    slug: &str,
    id: &str,
    base: i64,
) -> Result<SaveOutcome, AppError> {
    let (t, _) = target(db, viewer, slug).await?;
    let v = read_version(db, &t, id).await?;
    save_as(db, viewer, slug, base, v.doc, VersionKind::Restored).await
}

/// The address a new item gets from its title: its Latin letters and digits in lowercase,
/// words joined by `-` (at most 50 characters); `new-<kind>` when the title has too few.
pub fn slug_from_title(title: &str, kind: &str) -> String {
    let mut slug = String::new();
    for word in title
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if slug.len() + word.len() + 1 > 50 {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(word);
    }
    if slug.len() < 3 {
        format!("new-{kind}")
    } else {
        slug
    }
}

/// Starts a new item of `kind` in `category` for the storefront `me` runs: a draft that
/// only they and admins see until they publish it from its page. A course starts with
/// one chapter and one lesson to write. Answers its address.
pub async fn create_item(
    db: &Db,
    me: &SignedIn,
    kind: &str,
    category: &str,
    language: &str,
    title: &str,
) -> Result<String, AppError> {
    use crate::models::catalog::{BlockKind, Kind};
    let store = crate::ssr::commerce::studio::my_storefront(db, me).await?;
    let kind = Kind::parse(kind).ok_or_else(|| {
        AppError::BadRequest(
            "Choose what it is: an article, e-book, audio, video or course.".into(),
        )
    })?;
    if !matches!(language, "zh-CN" | "en") {
        return Err(AppError::BadRequest(
            "Choose the language it is written in.".into(),
        ));
    }
    let title = crate::models::editor::clean_text(title)
        .replace('\n', " ")
        .trim()
        .to_string();
    if title.is_empty() {
        return Err(AppError::BadRequest("Give it a title.".into()));
    }
    let chars = title.chars().count();
    if chars > crate::models::editor::MAX_TITLE_CHARS {
        return Err(AppError::BadRequest(format!(
            "The title is {chars} characters long; the most is {}.",
            crate::models::editor::MAX_TITLE_CHARS
        )));
    }
    let known: Vec<String> = rows(
        db,
        "check category",
        "SELECT VALUE record::id(id) FROM category WHERE slug = $c",
        json!({ "c": category }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("check category", e))?;
    let Some(category_key) = known.into_iter().next() else {
        return Err(AppError::BadRequest(
            "Choose a category from the list.".into(),
        ));
    };
    let zh = language == "zh-CN";
    let starter: Vec<Block> = if kind == Kind::Course {
        vec![
            Block {
                level: Some(2),
                ..Block::text(
                    BlockKind::Heading,
                    if zh { "第一章" } else { "Chapter 1" }.into(),
                )
            },
            Block {
                level: Some(3),
                ..Block::text(
                    BlockKind::Heading,
                    if zh { "第一课" } else { "Lesson 1" }.into(),
                )
            },
            Block::text(BlockKind::Paragraph, String::new()),
        ]
    } else {
        vec![Block::text(BlockKind::Paragraph, String::new())]
    };
    let base = slug_from_title(&title, kind.as_str());
    for attempt in 0..20u32 {
        let slug = match attempt {
            0 => base.clone(),
            1..=9 => format!("{base}-{}", attempt + 1),
            _ => format!("{base}-{:06x}", rand::random::<u32>() & 0xff_ffff),
        };
        let key = format!("n{:012x}", rand::random::<u64>() & 0xffff_ffff_ffff);
        let created = rows::<Value>(
            db,
            "create item",
            "CREATE type::record('item', $key) CONTENT {
                slug: $slug, creator: type::record('creator', $creator),
                category: type::record('category', $category), tags: [], kind: $kind,
                language: $language, title_en: $title_en, title_zh: $title_zh,
                summary_en: '', summary_zh: '', description: '', price_minor: 0,
                currency: $currency, status: 'draft', cover: $cover, preview: $preview }",
            json!({
                "key": key, "slug": slug, "creator": store.key, "category": category_key,
                "kind": kind.as_str(), "language": language,
                "title_en": if zh { "" } else { title.as_str() },
                "title_zh": if zh { title.as_str() } else { "" },
                "currency": crate::ssr::commerce::products::CURRENCY,
                // The drawn cover is made when it is published (until then there is none
                // to draw: the catalog does not know the item).
                "cover": "", "preview": blocks_value(&starter),
            }),
            0,
        )
        .await;
        match created {
            Ok(_) => return Ok(slug),
            // The address is taken (the unique index refused it): try the next one.
            Err(e) if e.to_string().contains("item_slug") => continue,
            Err(e) => return Err(AppError::internal("create item", e)),
        }
    }
    Err(AppError::Conflict(
        "Could not find a free address for this title; change the title a little.".into(),
    ))
}
