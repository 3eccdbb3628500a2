//! Reviews, comments and likes on an item: who may write what, and the item page's view of
//! them. Reviews only from learners who own the item (one each; writing again edits it);
//! comments and likes from anyone signed in; a comment is deleted by its author, the item's
//! creator or an admin.

use crate::error::AppError;
use crate::models::community::{
    check_comment, check_feedback, check_review, excerpt, is_comment_id, CommentView, Community,
    FeedbackView, Inbox, NotificationKind, NotificationView, OpenQuestion, ReviewRight, ReviewView,
    COMMENTS_PER_MINUTE, COMMENTS_SHOWN,
};
use crate::models::i18n::Locale;
use crate::models::moderation::TargetKind;
use crate::ssr::access::{self, Viewer};
use crate::ssr::accounts::AuthSettings;
use crate::ssr::catalog::{CatalogIndex, IndexedItem};
use crate::ssr::db::{execute, rows, Db};
use crate::ssr::mail::Mail;
use serde::Deserialize;
use serde_json::json;

fn find<'a>(index: &'a CatalogIndex, slug: &str) -> Result<&'a IndexedItem, AppError> {
    index
        .item(slug)
        .ok_or_else(|| AppError::NotFound(format!("There is no item called “{slug}”.")))
}

/// Rows of one statement's answer as `T`.
fn decode<T: serde::de::DeserializeOwned>(
    v: Vec<serde_json::Value>,
    what: &str,
) -> Result<T, AppError> {
    serde_json::from_value(serde_json::Value::Array(v)).map_err(|e| AppError::internal(what, e))
}

/// Whether the signed-in viewer owns the item (what reviewing needs).
async fn owns(db: &Db, viewer: &Viewer, item: &IndexedItem) -> Result<bool, AppError> {
    Ok(
        access::entitled(db, viewer, &item.key, item.tier.as_deref())
            .await
            .map_err(|e| AppError::internal("check entitlement", e))?
            .opens(),
    )
}

/// Whether the viewer may delete any comment on the item: its creator or an admin.
async fn moderates(db: &Db, viewer: &Viewer, item: &IndexedItem) -> Result<bool, AppError> {
    if access::may_moderate(viewer) {
        return Ok(true);
    }
    let Some(me) = viewer.user() else {
        return Ok(false);
    };
    Ok(item_owner(db, item).await?.as_deref() == Some(me.user_key.as_str()))
}

/// The user key of the creator who sells the item, if their store belongs to someone.
async fn item_owner(db: &Db, item: &IndexedItem) -> Result<Option<String>, AppError> {
    let owner: Vec<Option<String>> = rows(
        db,
        "read item owner",
        "SELECT VALUE (IF creator.user THEN record::id(creator.user) END) FROM type::record('item', $item)",
        json!({ "item": item.key }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("read item owner", e))?;
    Ok(owner.into_iter().flatten().next())
}

/// What a notification is about: who did what on which item, with a link to it.
pub struct Notice<'a> {
    /// What happened.
    pub kind: NotificationKind,
    /// The display name of who did it.
    pub who: &'a str,
    /// The item's title.
    pub about: &'a str,
    /// Their words (shortened to an excerpt).
    pub text: &'a str,
    /// Where to see it (a path on this site).
    pub link: &'a str,
}

/// Tells `user` about something: a notification, one more on their unread count, and an
/// e-mail in their language when they asked for one (`email_replies` on the account page).
pub async fn notify(
    db: &Db,
    auth: &AuthSettings,
    user: &str,
    notice: Notice<'_>,
) -> Result<(), AppError> {
    let kind = notice.kind.as_str();
    let excerpt = excerpt(notice.text, 140);
    #[derive(Deserialize)]
    struct Wants {
        email: String,
        name: String,
        locale: Option<String>,
    }
    let wants: Vec<Wants> = rows(
        db,
        "notify",
        "CREATE notification SET user = type::record('user', $user), kind = $kind, who = $who,
             about = $about, text = $text, link = $link, at = time::now(), read = false;
         UPDATE type::record('user', $user) SET unread_notifications = (unread_notifications ?? 0) + 1;
         SELECT email, display_name AS name, locale FROM type::record('user', $user)
             WHERE email_replies = true;",
        json!({ "user": user, "kind": kind, "who": notice.who, "about": notice.about,
                "text": excerpt, "link": notice.link }),
        2,
    )
    .await
    .map_err(|e| AppError::internal("notify", e))?;
    if let Some(to) = wants.into_iter().next() {
        let locale = to
            .locale
            .as_deref()
            .and_then(Locale::parse)
            .unwrap_or_default();
        let mail = notification_mail(&notice, &excerpt, &to.name, &to.email, locale, &auth.origin);
        auth.mailer
            .send(db, mail)
            .await
            .map_err(|e| AppError::internal("send notification mail", e))?;
    }
    Ok(())
}

/// The e-mail for a notification, in the recipient's language, with the link to what
/// happened and to the setting that turns these e-mails off.
pub(crate) fn notification_mail(
    n: &Notice<'_>,
    excerpt: &str,
    name: &str,
    email: &str,
    locale: Locale,
    origin: &str,
) -> Mail {
    let (who, about, link) = (n.who, n.about, n.link);
    // One sentence says what happened: the subject, and (with a colon) the mail's first line.
    let subject = match (locale, n.kind) {
        (Locale::En, NotificationKind::Reply) => {
            format!("{who} replied to your comment on “{about}”")
        }
        (Locale::En, NotificationKind::Answer) => {
            format!("{who} answered your question on “{about}”")
        }
        (Locale::En, NotificationKind::Feedback) => {
            format!("{who} sent feedback about “{about}”")
        }
        (Locale::Zh, NotificationKind::Reply) => format!("{who} 回复了你在《{about}》的评论"),
        (Locale::Zh, NotificationKind::Answer) => format!("{who} 回答了你关于《{about}》的提问"),
        (Locale::Zh, NotificationKind::Feedback) => format!("{who} 发来了关于《{about}》的反馈"),
        (Locale::En, NotificationKind::NewItem) => format!("{who} published “{about}”"),
        (Locale::Zh, NotificationKind::NewItem) => format!("{who} 发布了新作品《{about}》"),
    };
    let what = format!("{subject}{}", locale.pick(":", "："));
    let body = match (locale, n.kind) {
        (Locale::En, NotificationKind::NewItem) => format!(
            "Hello {name},\n\n{what}\n\n  {excerpt}\n\nHave a look: {origin}{link}\n\n\
             You get this e-mail because you follow {who} and asked for e-mail about new items. \
             Turn it off on your account page: {origin}/account\n"
        ),
        (Locale::Zh, NotificationKind::NewItem) => format!(
            "{name}，您好：\n\n{what}\n\n  {excerpt}\n\n去看看：{origin}{link}\n\n\
             您收到这封邮件，是因为您关注了 {who}，并选择了通过邮件接收新作品通知；可以在账户页面关闭：{origin}/account\n"
        ),
        (Locale::En, _) => format!(
            "Hello {name},\n\n{what}\n\n  {excerpt}\n\nRead it and answer: {origin}{link}\n\n\
             You get this e-mail because you asked for replies by e-mail. Turn it off on your account page: {origin}/account\n"
        ),
        (Locale::Zh, _) => format!(
            "{name}，您好：\n\n{what}\n\n  {excerpt}\n\n查看并回复：{origin}{link}\n\n\
             您收到这封邮件，是因为您选择了通过邮件接收回复；可以在账户页面关闭：{origin}/account\n"
        ),
    };
    Mail {
        to: email.to_string(),
        subject,
        body,
    }
}

/// The item page's community section for `slug`, as `viewer` sees it.
pub async fn view(
    db: &Db,
    index: &CatalogIndex,
    viewer: &Viewer,
    slug: &str,
) -> Result<Community, AppError> {
    let item = find(index, slug)?;
    let me = viewer.user().map(|u| u.user_key.clone());
    #[derive(Deserialize)]
    struct ReviewRow {
        user: String,
        author: Option<String>,
        rating: u8,
        text: String,
        updated: String,
        public_id: Option<String>,
        hidden: bool,
        held: bool,
    }
    #[derive(Deserialize)]
    struct CommentRow {
        id: String,
        user: Option<String>,
        author: Option<String>,
        parent: Option<String>,
        text: String,
        deleted: bool,
        at: String,
        question: bool,
        answered: bool,
        by_creator: bool,
        hidden: bool,
        held: bool,
    }
    let mut response = db
        .query(
            "LET $i = type::record('item', $item);
             SELECT record::id(user) AS user, user.display_name AS author, rating, text,
                    time::format(updated_at, '%Y-%m-%d') AS updated, public_id,
                    hidden ?? false AS hidden, held ?? false AS held
               FROM review WHERE item = $i ORDER BY updated DESC;
             SELECT record::id(id) AS id, (IF user THEN record::id(user) END) AS user,
                    (IF user THEN user.display_name END) AS author,
                    (IF parent THEN record::id(parent) END) AS parent, text, deleted,
                    time::format(created_at, '%Y-%m-%d %H:%M') AS at, created_at,
                    question ?? false AS question, answered_at != NONE AS answered,
                    by_creator ?? false AS by_creator,
                    hidden ?? false AS hidden, held ?? false AS held
               FROM comment WHERE item = $i ORDER BY created_at;
             RETURN count(SELECT id FROM item_like WHERE item = $i);
             RETURN IF $user THEN record::exists(type::record('item_like', [$user, $item])) ELSE false END;",
        )
        .bind(("item", item.key.clone()))
        .bind(("user", me.clone()))
        .await
        .map_err(|e| AppError::internal("read community", e))?;
    let mut take = |i: usize, what: &str| -> Result<Vec<serde_json::Value>, AppError> {
        response
            .take::<Vec<serde_json::Value>>(i)
            .map_err(|e| AppError::internal(what, e))
    };
    let admin = access::may_moderate(viewer);
    let reviews: Vec<ReviewRow> = decode(take(1, "read reviews")?, "read reviews")?;
    // Hidden and held reviews count for nothing and are seen only by their author and admins.
    let reviews: Vec<ReviewRow> = reviews
        .into_iter()
        .filter(|r| !(r.hidden || r.held) || admin || me.as_deref() == Some(r.user.as_str()))
        .collect();
    let comments: Vec<CommentRow> = decode(take(2, "read comments")?, "read comments")?;
    let likes = take(3, "count likes")?
        .first()
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0) as u32;
    let liked = take(4, "read like")?
        .first()
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false);

    let mut stars = [0u32; 5];
    let counted: Vec<&ReviewRow> = reviews.iter().filter(|r| !(r.hidden || r.held)).collect();
    for r in &counted {
        stars[(r.rating.clamp(1, 5) - 1) as usize] += 1;
    }
    let count = counted.len() as u32;
    let rating = (count > 0).then(|| {
        let sum: u32 = counted.iter().map(|r| r.rating as u32).sum();
        ((sum as f32 / count as f32) * 10.0).round() / 10.0
    });
    let as_view = |r: &ReviewRow| ReviewView {
        author: r.author.clone().unwrap_or_default(),
        rating: r.rating,
        text: r.text.clone(),
        updated: r.updated.clone(),
        mine: me.as_deref() == Some(r.user.as_str()),
        id: r.public_id.clone().unwrap_or_default(),
        hidden: r.hidden,
        held: r.held,
    };
    let mine = reviews
        .iter()
        .find(|r| me.as_deref() == Some(r.user.as_str()))
        .map(as_view);
    let mut shown: Vec<ReviewView> = reviews
        .iter()
        .filter(|r| !r.text.is_empty())
        .map(as_view)
        .collect();
    shown.sort_by_key(|r| !r.mine);
    let may_review = match viewer.user() {
        None => ReviewRight::SignIn,
        Some(_) if owns(db, viewer, item).await? => ReviewRight::Yes,
        Some(_) => ReviewRight::NotOwner,
    };

    let moderator = moderates(db, viewer, item).await?;
    let to_view = |c: &CommentRow| {
        let mine = me.is_some() && c.user.as_deref() == me.as_deref();
        // Hidden or held: its author and admins see it; to everyone else it is gone.
        let gone = c.deleted || ((c.hidden || c.held) && !mine && !admin);
        CommentView {
            id: c.id.clone(),
            author: if gone {
                String::new()
            } else {
                c.author.clone().unwrap_or_default()
            },
            text: if gone { String::new() } else { c.text.clone() },
            at: c.at.clone(),
            deleted: gone,
            may_delete: !gone && (moderator || mine),
            mine,
            hidden: c.hidden,
            held: c.held,
            question: c.question,
            answered: c.answered,
            by_creator: c.by_creator && !gone,
            replies: Vec::new(),
        }
    };
    let comment_count = comments
        .iter()
        .filter(|c| !c.deleted && !c.hidden && !c.held)
        .count() as u32;
    let mut threads: Vec<CommentView> = comments
        .iter()
        .filter(|c| c.parent.is_none())
        .map(to_view)
        .collect();
    for c in comments.iter().filter(|c| c.parent.is_some()) {
        if let Some(t) = threads
            .iter_mut()
            .find(|t| Some(&t.id) == c.parent.as_ref())
        {
            t.replies.push(to_view(c));
        }
    }
    // A deleted comment stays only as the head of replies that are still there.
    threads.retain(|t| !t.deleted || t.replies.iter().any(|r| !r.deleted));
    for t in &mut threads {
        t.replies.retain(|r| !r.deleted);
    }
    threads.reverse();
    threads.truncate(COMMENTS_SHOWN);
    Ok(Community {
        rating,
        rating_count: count,
        stars,
        reviews: shown,
        mine,
        may_review,
        likes,
        liked,
        comments: threads,
        comment_count,
        signed_in: me.is_some(),
        form_key: rand::random::<[u8; 8]>()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    })
}

/// Writes (or rewrites) the signed-in owner's review of `slug`.
pub async fn save_review(
    db: &Db,
    index: &CatalogIndex,
    viewer: &Viewer,
    slug: &str,
    rating: u8,
    text: &str,
) -> Result<(), AppError> {
    let me = access::require_signed_in(viewer)?;
    let item = find(index, slug)?;
    if !owns(db, viewer, item).await? {
        return Err(AppError::Conflict(
            "Only learners who have this item can review it.".into(),
        ));
    }
    let text = check_review(rating, text).map_err(AppError::BadRequest)?;
    let held = super::moderation::held_back(db, &text).await?;
    let public_id: Vec<String> = rows(
        db,
        "save review",
        "LET $id = type::record('review', [$user, $item]);
         UPSERT $id SET user = type::record('user', $user), item = type::record('item', $item),
             rating = $rating, text = $text, updated_at = time::now(),
             created_at = created_at ?? time::now(), held = $held,
             public_id = public_id ?? rand::string(16);
         RETURN $id.public_id;",
        json!({
            "user": me.user_key, "item": item.key, "rating": rating, "text": text,
            "held": held.is_some(),
        }),
        2,
    )
    .await
    .map_err(|e| AppError::internal("save review", e))?;
    if let (Some(word), Some(id)) = (held, public_id.first()) {
        super::moderation::hold(db, TargetKind::Review, id, &item.key, &word).await?;
    }
    if let Err(e) = super::analytics::record::rating(db, viewer, &item.key, rating as f64).await {
        tracing::warn!(error = %e, "could not record the rating event");
    }
    Ok(())
}

/// Deletes the signed-in learner's review of `slug` (nothing happens if there is none).
pub async fn delete_review(
    db: &Db,
    index: &CatalogIndex,
    viewer: &Viewer,
    slug: &str,
) -> Result<(), AppError> {
    let me = access::require_signed_in(viewer)?;
    let item = find(index, slug)?;
    execute(
        db,
        "delete review",
        "DELETE type::record('review', [$user, $item]);",
        json!({ "user": me.user_key, "item": item.key }),
    )
    .await
    .map_err(|e| AppError::internal("delete review", e))
}

/// Posts a comment on `slug` — a question to the creator when `question` — or a reply to
/// comment `parent` on it. `key`, made by the page that shows the form, makes posting
/// idempotent: the same key posts once. The author of the comment replied to is notified;
/// a reply by the item's creator to a question answers it, and the asker is notified.
#[allow(clippy::too_many_arguments)]
pub async fn post_comment(
    db: &Db,
    auth: &AuthSettings,
    index: &CatalogIndex,
    viewer: &Viewer,
    slug: &str,
    text: &str,
    parent: Option<&str>,
    question: bool,
    key: &str,
) -> Result<(), AppError> {
    let me = access::require_signed_in(viewer)?;
    let item = find(index, slug)?;
    let text = check_comment(text).map_err(AppError::BadRequest)?;
    if !(8..=40).contains(&key.len()) || !key.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(AppError::BadRequest(
            "The form is out of date; reload the page and post again.".into(),
        ));
    }
    let id = format!("{}_{key}", me.user_key);
    #[derive(Deserialize)]
    struct Replied {
        item: String,
        head: String,
        user: Option<String>,
        head_user: Option<String>,
        head_question: bool,
    }
    // A reply to a reply joins the thread of the comment it answers.
    let replied = match parent.filter(|p| !p.is_empty()) {
        None => None,
        Some(p) => {
            if !is_comment_id(p) {
                return Err(AppError::NotFound("There is no such comment.".into()));
            }
            let found: Vec<Replied> = rows(
                db,
                "read comment",
                "SELECT record::id(item) AS item,
                        (IF parent THEN record::id(parent) ELSE record::id(id) END) AS head,
                        (IF user THEN record::id(user) END) AS user,
                        (IF parent THEN (IF parent.user THEN record::id(parent.user) END)
                         ELSE (IF user THEN record::id(user) END) END) AS head_user,
                        (IF parent THEN parent.question ?? false ELSE question ?? false END) AS head_question
                 FROM type::record('comment', $id)",
                json!({ "id": p }),
                0,
            )
            .await
            .map_err(|e| AppError::internal("read comment", e))?;
            match found.into_iter().next() {
                Some(f) if f.item == item.key => Some(f),
                _ => return Err(AppError::NotFound("There is no such comment.".into())),
            }
        }
    };
    let recent: Vec<usize> = rows(
        db,
        "count recent comments",
        "SELECT VALUE count() FROM comment WHERE user = type::record('user', $user)
           AND created_at > time::now() - 1m GROUP ALL",
        json!({ "user": me.user_key }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("count recent comments", e))?;
    if recent.first().copied().unwrap_or(0) >= COMMENTS_PER_MINUTE {
        return Err(AppError::TooManyRequests {
            retry_after_secs: 60,
        });
    }
    let by_creator = item_owner(db, item).await?.as_deref() == Some(me.user_key.as_str());
    let held = super::moderation::held_back(db, &text).await?;
    let answers = by_creator && held.is_none() && replied.as_ref().is_some_and(|r| r.head_question);
    let created: Vec<bool> = rows(
        db,
        "post comment",
        "LET $id = type::record('comment', $id);
         LET $new = !record::exists($id);
         IF $new {
             CREATE $id SET user = type::record('user', $user), item = type::record('item', $item),
                 parent = IF $parent THEN type::record('comment', $parent) END, text = $text,
                 deleted = false, created_at = time::now(), question = $question,
                 by_creator = $by_creator, held = $held;
         };
         IF $new AND $answers {
             UPDATE type::record('comment', $parent) SET answered_at = answered_at ?? time::now();
         };
         RETURN $new;",
        json!({
            "id": id, "user": me.user_key, "item": item.key,
            "parent": replied.as_ref().map(|r| r.head.clone()), "text": text,
            "question": question && replied.is_none(), "by_creator": by_creator, "answers": answers,
            "held": held.is_some(),
        }),
        4,
    )
    .await
    .map_err(|e| AppError::internal("post comment", e))?;
    if !created.first().copied().unwrap_or(false) {
        // The same form again: posted before, nobody is told twice.
        return Ok(());
    }
    if let Some(word) = held {
        // Waiting for a moderator: nobody is told about it yet.
        return super::moderation::hold(db, TargetKind::Comment, &id, &item.key, &word).await;
    }
    if let Some(r) = replied {
        let link = format!("/item/{slug}#comments");
        let title = &item.card.title;
        let mut told: Vec<String> = vec![me.user_key.clone()];
        if answers {
            if let Some(asker) = r.head_user.filter(|u| !told.contains(u)) {
                let notice = Notice {
                    kind: NotificationKind::Answer,
                    who: &me.display_name,
                    about: title,
                    text: &text,
                    link: &link,
                };
                notify(db, auth, &asker, notice).await?;
                told.push(asker);
            }
        }
        if let Some(author) = r.user.filter(|u| !told.contains(u)) {
            let notice = Notice {
                kind: NotificationKind::Reply,
                who: &me.display_name,
                about: title,
                text: &text,
                link: &link,
            };
            notify(db, auth, &author, notice).await?;
        }
    }
    Ok(())
}

/// Sends the signed-in learner's feedback about `slug` to its creator's inbox, and tells
/// the creator. At most 5 messages an hour from one person.
pub async fn send_feedback(
    db: &Db,
    auth: &AuthSettings,
    index: &CatalogIndex,
    viewer: &Viewer,
    slug: &str,
    text: &str,
) -> Result<(), AppError> {
    let me = access::require_signed_in(viewer)?;
    let item = find(index, slug)?;
    let text = check_feedback(text).map_err(AppError::BadRequest)?;
    let recent: Vec<usize> = rows(
        db,
        "count recent feedback",
        "SELECT VALUE count() FROM feedback WHERE user = type::record('user', $user)
           AND at > time::now() - 1h GROUP ALL",
        json!({ "user": me.user_key }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("count recent feedback", e))?;
    if recent.first().copied().unwrap_or(0) >= 5 {
        return Err(AppError::TooManyRequests {
            retry_after_secs: 3_600,
        });
    }
    execute(
        db,
        "send feedback",
        "LET $i = type::record('item', $item);
         LET $c = $i.creator;
         CREATE feedback SET user = type::record('user', $user), creator = $c, item = $i,
             text = $text, at = time::now(), handled = false;",
        json!({ "user": me.user_key, "item": item.key, "text": text }),
    )
    .await
    .map_err(|e| AppError::internal("send feedback", e))?;
    if let Some(owner) = item_owner(db, item).await? {
        let notice = Notice {
            kind: NotificationKind::Feedback,
            who: &me.display_name,
            about: &item.card.title,
            text: &text,
            link: "/studio/inbox",
        };
        notify(db, auth, &owner, notice).await?;
    }
    Ok(())
}

/// The signed-in person's notifications, newest first (at most 50); seeing them marks
/// them read.
pub async fn notifications(db: &Db, viewer: &Viewer) -> Result<Vec<NotificationView>, AppError> {
    let me = access::require_signed_in(viewer)?;
    let found: Vec<NotificationView> = rows(
        db,
        "read notifications",
        "LET $u = type::record('user', $user);
         LET $list = (SELECT kind, who, about, text, link, time::format(at, '%Y-%m-%d %H:%M') AS at,
                             read, at AS t FROM notification WHERE user = $u ORDER BY t DESC LIMIT 50);
         UPDATE notification SET read = true WHERE user = $u AND read = false;
         UPDATE $u SET unread_notifications = 0;
         RETURN $list;",
        json!({ "user": me.user_key }),
        4,
    )
    .await
    .map_err(|e| AppError::internal("read notifications", e))?;
    Ok(found)
}

/// The creator's inbox: feedback for their store and the questions on their items that
/// wait for an answer.
pub async fn inbox(db: &Db, index: &CatalogIndex, viewer: &Viewer) -> Result<Inbox, AppError> {
    let me = access::require_signed_in(viewer)?;
    #[derive(Deserialize)]
    struct Store {
        key: String,
        name: String,
    }
    let stores: Vec<Store> = rows(
        db,
        "find store",
        "SELECT record::id(id) AS key, name FROM creator WHERE user = type::record('user', $user)",
        json!({ "user": me.user_key }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("find store", e))?;
    let Some(store) = stores.into_iter().next() else {
        return Err(AppError::Forbidden);
    };
    #[derive(Deserialize)]
    struct F {
        id: String,
        from: Option<String>,
        item: Option<String>,
        text: String,
        at: String,
        handled: bool,
    }
    #[derive(Deserialize)]
    struct Q {
        item: String,
        from: Option<String>,
        text: String,
        at: String,
    }
    let mut response = db
        .query(
            "LET $c = type::record('creator', $creator);
             LET $items = (SELECT VALUE id FROM item WHERE creator = $c);
             SELECT record::id(id) AS id, (IF user THEN user.display_name END) AS from,
                    (IF item THEN record::id(item) END) AS item, text,
                    time::format(at, '%Y-%m-%d %H:%M') AS at, handled, at AS t
               FROM feedback WHERE creator = $c ORDER BY t DESC LIMIT 100;
             SELECT record::id(item) AS item, (IF user THEN user.display_name END) AS from, text,
                    time::format(created_at, '%Y-%m-%d %H:%M') AS at, created_at
               FROM comment WHERE item INSIDE $items AND question = true AND answered_at = NONE
               AND deleted = false ORDER BY created_at LIMIT 100;",
        )
        .bind(("creator", store.key.clone()))
        .await
        .map_err(|e| AppError::internal("read inbox", e))?;
    let feedback: Vec<F> = decode(
        response
            .take::<Vec<serde_json::Value>>(2)
            .map_err(|e| AppError::internal("read feedback", e))?,
        "read feedback",
    )?;
    let questions: Vec<Q> = decode(
        response
            .take::<Vec<serde_json::Value>>(3)
            .map_err(|e| AppError::internal("read questions", e))?,
        "read questions",
    )?;
    let named = |key: &str| {
        index
            .item_by_key(key)
            .map(|i| (i.card.slug.clone(), i.card.title.clone()))
    };
    Ok(Inbox {
        store: store.name,
        feedback: feedback
            .into_iter()
            .map(|f| FeedbackView {
                id: f.id,
                from: f.from.unwrap_or_default(),
                item: f.item.as_deref().and_then(named),
                text: f.text,
                at: f.at,
                handled: f.handled,
            })
            .collect(),
        questions: questions
            .into_iter()
            .filter_map(|q| {
                Some(OpenQuestion {
                    item: named(&q.item)?,
                    from: q.from.unwrap_or_default(),
                    text: q.text,
                    at: q.at,
                })
            })
            .collect(),
    })
}

/// Marks feedback `id` in the signed-in creator's inbox handled (or not).
pub async fn mark_feedback(
    db: &Db,
    viewer: &Viewer,
    id: &str,
    handled: bool,
) -> Result<(), AppError> {
    let me = access::require_signed_in(viewer)?;
    if !is_comment_id(id) {
        return Err(AppError::NotFound("There is no such message.".into()));
    }
    let changed: Vec<serde_json::Value> = rows(
        db,
        "mark feedback",
        "UPDATE type::record('feedback', $id) SET handled = $handled
         WHERE creator.user = type::record('user', $user) RETURN id;",
        json!({ "id": id, "user": me.user_key, "handled": handled }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("mark feedback", e))?;
    if changed.is_empty() {
        return Err(AppError::NotFound(
            "There is no such message in your inbox.".into(),
        ));
    }
    Ok(())
}

/// Deletes comment `id` on `slug`: by its author, the item's creator or an admin.
pub async fn delete_comment(
    db: &Db,
    index: &CatalogIndex,
    viewer: &Viewer,
    slug: &str,
    id: &str,
) -> Result<(), AppError> {
    let me = access::require_signed_in(viewer)?;
    let item = find(index, slug)?;
    if !is_comment_id(id) {
        return Err(AppError::NotFound("There is no such comment.".into()));
    }
    #[derive(Deserialize)]
    struct C {
        item: String,
        user: Option<String>,
    }
    let found: Vec<C> = rows(
        db,
        "read comment",
        "SELECT record::id(item) AS item, (IF user THEN record::id(user) END) AS user
         FROM type::record('comment', $id) WHERE deleted = false",
        json!({ "id": id }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("read comment", e))?;
    let Some(c) = found.into_iter().next().filter(|c| c.item == item.key) else {
        return Err(AppError::NotFound("There is no such comment.".into()));
    };
    if c.user.as_deref() != Some(me.user_key.as_str()) && !moderates(db, viewer, item).await? {
        return Err(AppError::Forbidden);
    }
    execute(
        db,
        "delete comment",
        "UPDATE type::record('comment', $id) SET deleted = true, text = '';",
        json!({ "id": id }),
    )
    .await
    .map_err(|e| AppError::internal("delete comment", e))?;
    if c.user.as_deref() != Some(me.user_key.as_str()) {
        super::audit::record(
            db,
            super::audit::Action::ModerateComment,
            c.user.as_deref(),
            Some(&me.user_key),
            &format!("comment {id} on {slug}"),
        )
        .await;
    }
    Ok(())
}

/// Likes (`on`) or unlikes `slug` for the signed-in person.
pub async fn set_like(
    db: &Db,
    index: &CatalogIndex,
    viewer: &Viewer,
    slug: &str,
    on: bool,
) -> Result<(), AppError> {
    let me = access::require_signed_in(viewer)?;
    let item = find(index, slug)?;
    let sql = if on {
        "LET $id = type::record('item_like', [$user, $item]);
         IF !record::exists($id) {
             CREATE $id SET user = type::record('user', $user), item = type::record('item', $item), at = time::now();
         };"
    } else {
        "DELETE type::record('item_like', [$user, $item]);"
    };
    execute(
        db,
        "like",
        sql,
        json!({ "user": me.user_key, "item": item.key }),
    )
    .await
    .map_err(|e| AppError::internal("like", e))?;
    if on {
        if let Err(e) = super::analytics::record::like(db, viewer, &item.key).await {
            tracing::warn!(error = %e, "could not record the like event");
        }
    }
    Ok(())
}
