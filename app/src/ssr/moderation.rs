//! Reports, the admins' queue and what they do about it, suspensions, and the word list.
//!
//! A report names a thing on an item (the item itself, a comment, a review) and a reason;
//! one person reports a thing once (a second report replaces the first). Admins see every
//! reported or held thing once, with how many people reported it and why, and act on all
//! its reports together: dismiss, hide (then only its author and admins see it), remove,
//! or hide and suspend its author. Every action is written to the audit log.
//!
//! The word list, when an admin turns it on, holds new comments and reviews that contain
//! one of its words until an admin lets them through; meanwhile only their author and
//! admins see them.

use crate::error::AppError;
use crate::models::moderation::{
    matched_word, parse_words, LoggedAction, ModAction, ModerationView, QueueEntry, Reason,
    SuspendedUser, TargetKind, REPORTS_PER_HOUR, REPORT_TEXT_LIMIT,
};
use crate::ssr::access::{self, Viewer};
use crate::ssr::audit::{self, Action};
use crate::ssr::catalog::CatalogIndex;
use crate::ssr::db::{execute, rows, Db};
use serde::Deserialize;
use serde_json::json;

fn no_such(kind: TargetKind) -> AppError {
    AppError::NotFound(match kind {
        TargetKind::Item => "There is no such item.".into(),
        TargetKind::Comment => "There is no such comment.".into(),
        TargetKind::Review => "There is no such review.".into(),
    })
}

fn plausible_id(id: &str) -> bool {
    (1..=80).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The item key that comment or review `target` is on (`None`: there is no such thing).
async fn item_of(db: &Db, kind: TargetKind, target: &str) -> Result<Option<String>, AppError> {
    if !plausible_id(target) {
        return Ok(None);
    }
    let sql = match kind {
        TargetKind::Item => "SELECT VALUE record::id(id) FROM type::record('item', $t)",
        TargetKind::Comment => {
            "SELECT VALUE record::id(item) FROM type::record('comment', $t) WHERE deleted = false"
        }
        TargetKind::Review => "SELECT VALUE record::id(item) FROM review WHERE public_id = $t",
    };
    let found: Vec<String> = rows(db, "find reported thing", sql, json!({ "t": target }), 0)
        .await
        .map_err(|e| AppError::internal("find reported thing", e))?;
    Ok(found.into_iter().next())
}

/// Files the signed-in person's report of `target` (a comment id, a review's public id, or
/// for an item anything: the item of `slug` is meant) on item `slug`.
#[allow(clippy::too_many_arguments)]
pub async fn report(
    db: &Db,
    index: &CatalogIndex,
    viewer: &Viewer,
    slug: &str,
    kind: &str,
    target: &str,
    reason: &str,
    text: &str,
) -> Result<(), AppError> {
    let me = access::require_signed_in(viewer)?;
    let kind = TargetKind::parse(kind)
        .ok_or_else(|| AppError::BadRequest("Report an item, a comment or a review.".into()))?;
    let reason = Reason::parse_chosen(reason)
        .ok_or_else(|| AppError::BadRequest("Choose why you are reporting it.".into()))?;
    let text = crate::models::editor::clean_text(text.trim());
    if text.chars().count() > REPORT_TEXT_LIMIT {
        return Err(AppError::BadRequest(format!(
            "Say it in at most {REPORT_TEXT_LIMIT} characters."
        )));
    }
    let item = index.item(slug).ok_or_else(|| no_such(TargetKind::Item))?;
    let target = match kind {
        TargetKind::Item => item.key.clone(),
        _ => target.to_string(),
    };
    if item_of(db, kind, &target).await?.as_deref() != Some(item.key.as_str()) {
        return Err(no_such(kind));
    }
    let recent: Vec<usize> = rows(
        db,
        "count recent reports",
        "SELECT VALUE count() FROM report WHERE reporter = type::record('user', $u)
           AND at > time::now() - 1h GROUP ALL",
        json!({ "u": me.user_key }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("count recent reports", e))?;
    if recent.first().copied().unwrap_or(0) >= REPORTS_PER_HOUR {
        return Err(AppError::TooManyRequests {
            retry_after_secs: 3600,
        });
    }
    execute(
        db,
        "file report",
        "UPSERT type::record('report', [$u, $kind, $target]) SET target_kind = $kind,
            target = $target, item = type::record('item', $item), reporter = type::record('user', $u),
            reason = $reason, text = $text, at = time::now(), closed_at = NONE, resolution = NONE",
        json!({
            "u": me.user_key, "kind": kind.as_str(), "target": target, "item": item.key,
            "reason": reason.as_str(), "text": text,
        }),
    )
    .await
    .map_err(|e| AppError::internal("file report", e))
}

/// The word list's verdict on new public text: the word it matched, if the list is on
/// and the text contains one of its words.
pub async fn held_back(db: &Db, text: &str) -> Result<Option<String>, AppError> {
    let (enabled, words) = word_list(db).await?;
    if !enabled {
        return Ok(None);
    }
    Ok(matched_word(&words, text).map(str::to_string))
}

/// Files the word list's report on comment or review `target` of item `item_key`.
pub async fn hold(
    db: &Db,
    kind: TargetKind,
    target: &str,
    item_key: &str,
    word: &str,
) -> Result<(), AppError> {
    execute(
        db,
        "file word-list report",
        "UPSERT type::record('report', ['word_list', $kind, $target]) SET target_kind = $kind,
            target = $target, item = type::record('item', $item), reporter = NONE,
            reason = 'word_list', text = $text, at = time::now(), closed_at = NONE, resolution = NONE",
        json!({
            "kind": kind.as_str(), "target": target, "item": item_key,
            "text": format!("Matched “{word}”."),
        }),
    )
    .await
    .map_err(|e| AppError::internal("file word-list report", e))
}

async fn word_list(db: &Db) -> Result<(bool, Vec<String>), AppError> {
    #[derive(Deserialize)]
    struct Settings {
        enabled: bool,
        words: Vec<String>,
    }
    let found: Vec<Settings> = rows(
        db,
        "read word list",
        "SELECT enabled, words FROM moderation_settings:only",
        json!({}),
        0,
    )
    .await
    .map_err(|e| AppError::internal("read word list", e))?;
    Ok(found
        .into_iter()
        .next()
        .map_or((false, Vec::new()), |s| (s.enabled, s.words)))
}

/// Turns the word list on or off and replaces its words (admins).
pub async fn set_words(
    db: &Db,
    viewer: &Viewer,
    enabled: bool,
    text: &str,
) -> Result<(), AppError> {
    let me = access::require_admin(viewer)?;
    let words = parse_words(text).map_err(AppError::BadRequest)?;
    if enabled && words.is_empty() {
        return Err(AppError::BadRequest(
            "Add at least one word before turning the list on.".into(),
        ));
    }
    execute(
        db,
        "save word list",
        "UPSERT moderation_settings:only SET enabled = $enabled, words = $words",
        json!({ "enabled": enabled, "words": words }),
    )
    .await
    .map_err(|e| AppError::internal("save word list", e))?;
    audit::record(
        db,
        Action::Moderation,
        None,
        Some(&me.user_key),
        &format!(
            "word list {} with {} words",
            if enabled { "on" } else { "off" },
            words.len()
        ),
    )
    .await;
    Ok(())
}

#[derive(Deserialize)]
struct OpenGroup {
    target_kind: TargetKind,
    target: String,
    reasons: Vec<Reason>,
    notes: Vec<String>,
    people: Vec<Option<String>>,
    ats: Vec<String>,
}

#[derive(Deserialize)]
struct Thing {
    slug: String,
    title: String,
    author: Option<String>,
    author_key: Option<String>,
    text: String,
    hidden: bool,
    held: bool,
}

/// What `target` is: its item, author and text (`None` if it is gone).
async fn thing(db: &Db, kind: TargetKind, target: &str) -> Result<Option<Thing>, AppError> {
    let sql = match kind {
        TargetKind::Item => {
            "SELECT slug, title_en AS title, creator.name AS author,
                    (IF creator.user THEN record::id(creator.user) END) AS author_key,
                    title_en + ' / ' + title_zh + ' — ' + summary_en AS text,
                    hidden ?? false AS hidden, false AS held
             FROM type::record('item', $t)"
        }
        TargetKind::Comment => {
            "SELECT item.slug AS slug, item.title_en AS title,
                    (IF user THEN user.display_name END) AS author,
                    (IF user THEN record::id(user) END) AS author_key,
                    text, hidden ?? false AS hidden, held ?? false AS held
             FROM type::record('comment', $t) WHERE deleted = false"
        }
        TargetKind::Review => {
            "SELECT item.slug AS slug, item.title_en AS title, user.display_name AS author,
                    record::id(user) AS author_key,
                    '★' + <string> rating + ' ' + text AS text,
                    hidden ?? false AS hidden, held ?? false AS held
             FROM review WHERE public_id = $t"
        }
    };
    let found: Vec<Thing> = rows(db, "read reported thing", sql, json!({ "t": target }), 0)
        .await
        .map_err(|e| AppError::internal("read reported thing", e))?;
    Ok(found.into_iter().next())
}

/// The admins' moderation page.
pub async fn queue(db: &Db, viewer: &Viewer) -> Result<ModerationView, AppError> {
    access::require_admin(viewer)?;
    let groups: Vec<OpenGroup> = rows(
        db,
        "read open reports",
        "SELECT target_kind, target, record::id(item) AS item,
                array::distinct(array::group(reason)) AS reasons,
                array::group(text) AS notes,
                array::group(IF reporter THEN record::id(reporter) END) AS people,
                array::group(<string> at) AS ats
         FROM report WHERE closed_at = NONE GROUP BY target_kind, target, item",
        json!({}),
        0,
    )
    .await
    .map_err(|e| AppError::internal("read open reports", e))?;
    let mut queue = Vec::new();
    for g in groups {
        let Some(t) = thing(db, g.target_kind, &g.target).await? else {
            // Gone since (deleted by its author): its reports close.
            close(db, g.target_kind, &g.target, "gone").await?;
            continue;
        };
        let mut notes: Vec<(String, String)> = g
            .notes
            .into_iter()
            .zip(g.ats.iter().cloned())
            .filter(|(n, _)| !n.is_empty())
            .collect();
        notes.sort_by(|a, b| b.1.cmp(&a.1));
        queue.push(QueueEntry {
            kind: g.target_kind,
            target: g.target,
            item_slug: t.slug,
            item_title: t.title,
            author: t.author.unwrap_or_default(),
            text: t.text,
            hidden: t.hidden,
            held: t.held,
            reporters: g.people.iter().flatten().count() as u32,
            reasons: g.reasons,
            notes: notes.into_iter().map(|(n, _)| n).collect(),
            first_at: g.ats.iter().min().cloned().unwrap_or_default(),
        });
    }
    queue.sort_by(|a, b| {
        b.reporters
            .cmp(&a.reporters)
            .then(a.first_at.cmp(&b.first_at))
    });
    let (words_enabled, words) = word_list(db).await?;
    let suspended: Vec<SuspendedUser> = rows(
        db,
        "list suspended accounts",
        "SELECT record::id(id) AS key, display_name AS name, email FROM user WHERE suspended = true",
        json!({}),
        0,
    )
    .await
    .map_err(|e| AppError::internal("list suspended accounts", e))?;
    let log: Vec<LoggedAction> = rows(
        db,
        "read moderation log",
        "SELECT <string> at AS at, (IF actor THEN actor.display_name ELSE '' END) AS actor, detail, at AS t
         FROM audit WHERE action INSIDE ['moderation', 'moderate_comment'] ORDER BY t DESC LIMIT 30",
        json!({}),
        0,
    )
    .await
    .map_err(|e| AppError::internal("read moderation log", e))?;
    Ok(ModerationView {
        queue,
        words_enabled,
        words,
        suspended,
        log,
    })
}

async fn close(db: &Db, kind: TargetKind, target: &str, resolution: &str) -> Result<(), AppError> {
    execute(
        db,
        "close reports",
        "UPDATE report SET closed_at = time::now(), resolution = $r
         WHERE target_kind = $kind AND target = $t AND closed_at = NONE",
        json!({ "kind": kind.as_str(), "t": target, "r": resolution }),
    )
    .await
    .map_err(|e| AppError::internal("close reports", e))
}

/// Acts on the open reports of `target` (admins). Answers whether the catalog changed (an
/// item was hidden or taken off the store), so that the caller refreshes it.
pub async fn act(
    db: &Db,
    viewer: &Viewer,
    kind: &str,
    target: &str,
    action: &str,
) -> Result<bool, AppError> {
    let me = access::require_admin(viewer)?;
    let kind = TargetKind::parse(kind).ok_or_else(|| no_such(TargetKind::Item))?;
    let action = ModAction::parse(action)
        .ok_or_else(|| AppError::BadRequest("Choose what to do about it.".into()))?;
    if !plausible_id(target) {
        return Err(no_such(kind));
    }
    let t = thing(db, kind, target)
        .await?
        .ok_or_else(|| no_such(kind))?;
    let (table, key_field) = match kind {
        TargetKind::Item => ("item", "id"),
        TargetKind::Comment => ("comment", "id"),
        TargetKind::Review => ("review", "public_id"),
    };
    let selector = if key_field == "id" {
        format!("type::record('{table}', $t)")
    } else {
        format!("{table} WHERE public_id = $t")
    };
    let sql = match (action, kind) {
        (ModAction::Dismiss, TargetKind::Item) => String::new(),
        (ModAction::Dismiss, _) => format!("UPDATE {selector} SET held = false"),
        (ModAction::Hide | ModAction::Suspend, _) => format!("UPDATE {selector} SET hidden = true"),
        (ModAction::Remove, TargetKind::Item) => {
            format!("UPDATE {selector} SET status = 'draft', hidden = true")
        }
        (ModAction::Remove, TargetKind::Comment) => {
            format!("UPDATE {selector} SET deleted = true, text = ''")
        }
        (ModAction::Remove, TargetKind::Review) => format!("DELETE {selector}"),
    };
    if !sql.is_empty() {
        execute(db, "moderate", &sql, json!({ "t": target }))
            .await
            .map_err(|e| AppError::internal("moderate", e))?;
    }
    if action == ModAction::Suspend {
        if let Some(author) = &t.author_key {
            suspend(db, author).await?;
        }
    }
    close(db, kind, target, action.as_str()).await?;
    audit::record(
        db,
        Action::Moderation,
        t.author_key.as_deref(),
        Some(&me.user_key),
        &format!(
            "{} {} {target} on {}",
            action.as_str(),
            kind.as_str(),
            t.slug
        ),
    )
    .await;
    Ok(kind == TargetKind::Item && action != ModAction::Dismiss)
}

async fn suspend(db: &Db, user_key: &str) -> Result<(), AppError> {
    execute(
        db,
        "suspend account",
        "UPDATE type::record('user', $u) SET suspended = true",
        json!({ "u": user_key }),
    )
    .await
    .map_err(|e| AppError::internal("suspend account", e))?;
    super::sessions::delete_all(db, user_key, None)
        .await
        .map_err(|e| AppError::internal("end sessions of a suspended account", e))
}

/// Lifts the suspension of account `user` (admins).
pub async fn lift_suspension(db: &Db, viewer: &Viewer, user: &str) -> Result<(), AppError> {
    let me = access::require_admin(viewer)?;
    if !plausible_id(user) {
        return Err(AppError::NotFound("There is no such account.".into()));
    }
    let lifted: Vec<String> = rows(
        db,
        "lift suspension",
        "UPDATE type::record('user', $u) SET suspended = false WHERE suspended = true RETURN VALUE record::id(id)",
        json!({ "u": user }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("lift suspension", e))?;
    if lifted.is_empty() {
        return Err(AppError::NotFound(
            "There is no suspended account with that id.".into(),
        ));
    }
    audit::record(
        db,
        Action::Moderation,
        Some(user),
        Some(&me.user_key),
        "lifted suspension",
    )
    .await;
    Ok(())
}
