//! Courses: their lessons as the reader shows them, and each learner's completion.
//!
//! A course's text has a heading per chapter and a smaller heading per lesson; the N-th
//! lesson heading (level 3 or deeper) is where lesson N starts, in course order. A learner
//! who may read the course marks lessons complete (once each, whatever is sent twice) and
//! sees the course's progress in the reader and the library.

use crate::error::AppError;
use crate::models::catalog::{heading_anchor, Block, BlockKind, Kind};
use crate::models::reading::{CourseState, LessonState};
use crate::ssr::access::{self, Viewer};
use crate::ssr::catalog::CatalogIndex;
use crate::ssr::db::{execute, rows, Db};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

#[derive(Deserialize)]
struct LessonRow {
    key: String,
    title: String,
    minutes: Option<u32>,
}

#[derive(Deserialize)]
struct ChapterRow {
    title: String,
    lessons: Vec<LessonRow>,
}

/// The lessons of course `item_key` with `user`'s completion, placed in `blocks` (the
/// course's text as the reader shows it).
pub async fn state(
    db: &Db,
    user: Option<&str>,
    item_key: &str,
    blocks: &[Block],
) -> Result<CourseState, AppError> {
    let chapters: Vec<ChapterRow> = rows(
        db,
        "read course lessons",
        "SELECT title, position,
             (SELECT record::id(id) AS key, title, minutes, position FROM lesson
                WHERE chapter = $parent.id ORDER BY position) AS lessons
         FROM chapter WHERE item = type::record('item', $item) ORDER BY position",
        json!({ "item": item_key }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("read course lessons", e))?;
    let done: Vec<String> = match user {
        Some(user) => rows(
            db,
            "read completed lessons",
            "SELECT VALUE record::id(lesson) FROM lesson_done
             WHERE user = type::record('user', $user) AND item = type::record('item', $item)",
            json!({ "user": user, "item": item_key }),
            0,
        )
        .await
        .map_err(|e| AppError::internal("read completed lessons", e))?,
        None => Vec::new(),
    };
    // Where each lesson heading is: (its anchor, its block).
    let mut headings = 0;
    let mut starts = Vec::new();
    for (i, b) in blocks.iter().enumerate() {
        if b.kind == BlockKind::Heading {
            if b.level.unwrap_or(2) >= 3 {
                starts.push((heading_anchor(headings), i));
            }
            headings += 1;
        }
    }
    let mut starts = starts.into_iter();
    let lessons = chapters
        .into_iter()
        .flat_map(|c| {
            let chapter = c.title;
            c.lessons.into_iter().map(move |l| (chapter.clone(), l))
        })
        .map(|(chapter, l)| {
            let (anchor, block) = starts.next().unzip();
            LessonState {
                done: done.contains(&l.key),
                key: l.key,
                chapter,
                title: l.title,
                minutes: l.minutes.unwrap_or(0),
                anchor,
                block,
            }
        })
        .collect();
    Ok(CourseState { lessons })
}

/// Whether `key` can be a lesson key (letters, digits, `_` and `-`), checked before any
/// database read.
fn plausible_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 64
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Marks lesson `lesson` of course `slug` complete (`done`) or not for the signed-in
/// learner, who must be able to read the course. Sending the same mark again changes
/// nothing.
pub async fn set_done(
    db: &Db,
    index: &CatalogIndex,
    viewer: &Viewer,
    slug: &str,
    lesson: &str,
    done: bool,
) -> Result<(), AppError> {
    let me = access::require_signed_in(viewer)?;
    let item = index
        .item(slug)
        .ok_or_else(|| AppError::NotFound(format!("There is no item called “{slug}”.")))?;
    if item.card.kind != Kind::Course {
        return Err(AppError::BadRequest(
            "Only courses have lessons to complete.".into(),
        ));
    }
    let no_lesson = || AppError::NotFound("This course has no such lesson.".into());
    if !plausible_key(lesson) {
        return Err(no_lesson());
    }
    let owner: Vec<String> = rows(
        db,
        "find lesson",
        "SELECT VALUE record::id(chapter.item) FROM type::record('lesson', $lesson)",
        json!({ "lesson": lesson }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("find lesson", e))?;
    if owner.first() != Some(&item.key) {
        return Err(no_lesson());
    }
    let holding = access::entitled(db, viewer, &item.key, item.tier.as_deref())
        .await
        .map_err(|e| AppError::internal("check entitlement", e))?;
    if !holding.opens() && !item.card.price.is_free() {
        return Err(AppError::Forbidden);
    }
    let sql = if done {
        "UPSERT type::record('lesson_done', [$user, $lesson]) SET user = type::record('user', $user),
             item = type::record('item', $item), lesson = type::record('lesson', $lesson),
             at = at ?? time::now();"
    } else {
        "DELETE type::record('lesson_done', [$user, $lesson]);"
    };
    execute(
        db,
        "mark lesson",
        sql,
        json!({ "user": me.user_key, "item": item.key, "lesson": lesson }),
    )
    .await
    .map_err(|e| AppError::internal("mark lesson", e))
}

/// For each of `items` that is a course: (lessons `user` completed, lessons in all).
pub async fn progress(
    db: &Db,
    user: &str,
    items: &[String],
) -> Result<HashMap<String, (u32, u32)>, AppError> {
    if items.is_empty() {
        return Ok(HashMap::new());
    }
    #[derive(Deserialize)]
    struct Count {
        item: String,
        n: u32,
    }
    let totals: Vec<Count> = rows(
        db,
        "count course lessons",
        // Through the chapter and lesson indexes: the courses' chapters, then their lessons.
        "LET $ids = $items.map(|$k| type::record('item', $k));
         LET $chapters = (SELECT VALUE id FROM chapter WHERE item INSIDE $ids);
         SELECT record::id(item) AS item, count() AS n FROM
             (SELECT chapter.item AS item FROM lesson WHERE chapter INSIDE $chapters)
         GROUP BY item",
        json!({ "items": items }),
        2,
    )
    .await
    .map_err(|e| AppError::internal("count course lessons", e))?;
    let done: Vec<Count> = rows(
        db,
        "count completed lessons",
        "SELECT record::id(item) AS item, count() AS n FROM lesson_done
         WHERE user = type::record('user', $user) GROUP BY item",
        json!({ "user": user }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("count completed lessons", e))?;
    let done: HashMap<String, u32> = done.into_iter().map(|c| (c.item, c.n)).collect();
    Ok(totals
        .into_iter()
        .map(|t| {
            let d = done.get(&t.item).copied().unwrap_or(0).min(t.n);
            (t.item, (d, t.n))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::plausible_key;

    #[test]
    fn lesson_keys_are_checked_before_the_database() {
        assert!(plausible_key("i0042_2_3"));
        assert!(!plausible_key(""));
        assert!(!plausible_key("a'; DELETE lesson;"));
        assert!(!plausible_key(&"x".repeat(65)));
    }
}
