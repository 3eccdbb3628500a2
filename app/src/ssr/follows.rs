//! Following creators. A learner follows a creator's store from its page; when the store
//! publishes a new item, everyone who follows it finds it in their notifications and, if
//! they asked for e-mail about new items on their account page, in their mail. One item is
//! announced once, however often it is published again.

use crate::error::AppError;
use crate::models::catalog::CreatorCard;
use crate::models::community::{excerpt, FollowState, NotificationKind};
use crate::models::i18n::Locale;
use crate::ssr::access::{self, Viewer};
use crate::ssr::accounts::AuthSettings;
use crate::ssr::catalog::CatalogIndex;
use crate::ssr::community::{notification_mail, Notice};
use crate::ssr::db::{execute, rows, Db};
use serde::Deserialize;
use serde_json::json;

/// The creator with `slug`, or a clear 404.
fn known(index: &CatalogIndex, slug: &str) -> Result<(), AppError> {
    if crate::models::catalog::is_slug(slug) && index.creator_card(slug).is_some() {
        Ok(())
    } else {
        Err(AppError::NotFound("There is no such creator.".into()))
    }
}

/// How many people follow the creator `slug`, and whether `viewer` does.
pub async fn state(
    db: &Db,
    index: &CatalogIndex,
    viewer: &Viewer,
    slug: &str,
) -> Result<FollowState, AppError> {
    known(index, slug)?;
    #[derive(Deserialize)]
    struct Row {
        followers: u32,
        following: bool,
    }
    let me = viewer.user();
    let found: Vec<Row> = rows(
        db,
        "read follow state",
        "LET $c = (SELECT VALUE id FROM creator WHERE slug = $slug)[0];
         RETURN {
            followers: (SELECT count() AS n FROM follow WHERE creator = $c GROUP ALL)[0].n ?? 0,
            following: IF $user THEN record::exists(type::record('follow', [$user, record::id($c)])) ELSE false END,
         };",
        json!({ "slug": slug, "user": me.map(|u| u.user_key.clone()) }),
        1,
    )
    .await
    .map_err(|e| AppError::internal("read follow state", e))?;
    let row = found.into_iter().next().unwrap_or(Row {
        followers: 0,
        following: false,
    });
    Ok(FollowState {
        followers: row.followers,
        following: row.following,
        signed_in: me.is_some(),
        own: me.is_some_and(|u| index.creator_owner(slug) == Some(u.user_key.as_str())),
    })
}

/// Follows (`on = true`) or stops following the creator `slug`. Following twice is
/// following once; a creator cannot follow their own store.
pub async fn set(
    db: &Db,
    index: &CatalogIndex,
    viewer: &Viewer,
    slug: &str,
    on: bool,
) -> Result<(), AppError> {
    let me = access::require_signed_in(viewer)?;
    known(index, slug)?;
    if on && index.creator_owner(slug) == Some(me.user_key.as_str()) {
        return Err(AppError::BadRequest(
            "This is your own store: your new items reach your followers, not you.".into(),
        ));
    }
    let sql = if on {
        "LET $c = (SELECT VALUE id FROM creator WHERE slug = $slug)[0];
         LET $id = type::record('follow', [$user, record::id($c)]);
         IF !record::exists($id) {
             CREATE $id SET user = type::record('user', $user), creator = $c, at = time::now();
         };"
    } else {
        "LET $c = (SELECT VALUE id FROM creator WHERE slug = $slug)[0];
         DELETE type::record('follow', [$user, record::id($c)]);"
    };
    execute(
        db,
        "follow creator",
        sql,
        json!({ "slug": slug, "user": me.user_key }),
    )
    .await
    .map_err(|e| AppError::internal("follow creator", e))
}

/// The creators the signed-in person follows, the latest followed first.
pub async fn following(
    db: &Db,
    index: &CatalogIndex,
    viewer: &Viewer,
) -> Result<Vec<CreatorCard>, AppError> {
    let me = access::require_signed_in(viewer)?;
    #[derive(Deserialize)]
    struct Row {
        slug: String,
    }
    let found: Vec<Row> = rows(
        db,
        "read followed creators",
        "SELECT creator.slug AS slug, at FROM follow WHERE user = type::record('user', $user)
         ORDER BY at DESC",
        json!({ "user": me.user_key }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("read followed creators", e))?;
    Ok(found
        .into_iter()
        .filter_map(|r| index.creator_card(&r.slug))
        .collect())
}

/// Tells everyone who follows the creator of item `item_key` that it has been published:
/// a notification each (once per item, however often it goes live) and an e-mail to those
/// who asked for mail about new items. Answers how many were told.
pub async fn announce_new_item(
    db: &Db,
    auth: &AuthSettings,
    item_key: &str,
) -> Result<usize, AppError> {
    #[derive(Deserialize)]
    struct Item {
        who: String,
        about: String,
        text: String,
        link: String,
        fans: Vec<String>,
    }
    let item: Vec<Item> = rows(
        db,
        "find followers",
        "LET $i = type::record('item', $item);
         LET $zh = $i.language = 'zh-CN';
         RETURN {
            who: $i.creator.name,
            about: IF $zh THEN $i.title_zh ELSE $i.title_en END,
            text: IF $zh THEN $i.summary_zh ELSE $i.summary_en END,
            link: '/item/' + $i.slug,
            fans: (SELECT VALUE record::id(user) FROM follow
                   WHERE creator = $i.creator AND user != $i.creator.user),
         };",
        json!({ "item": item_key }),
        2,
    )
    .await
    .map_err(|e| AppError::internal("find followers", e))?;
    let Some(item) = item.into_iter().next() else {
        return Ok(0);
    };
    if item.fans.is_empty() {
        return Ok(0);
    }
    let text = excerpt(&item.text, 140);
    #[derive(Deserialize)]
    struct Told {
        email: String,
        name: String,
        locale: Option<String>,
        mail: bool,
    }
    // Each follower's notification has its id from the item, so a second announcement
    // (a republished item, two publishing at once) finds it there and tells nobody twice.
    let told: Vec<Told> = rows(
        db,
        "notify followers",
        "LET $new = $fans.filter(|$u| !record::exists(type::record('notification', [$u, 'new_item', $item])));
         FOR $u IN $new {
             LET $id = type::record('notification', [$u, 'new_item', $item]);
             IF !record::exists($id) {
                 CREATE $id SET user = type::record('user', $u), kind = 'new_item', who = $who,
                     about = $about, text = $text, link = $link, at = time::now(), read = false;
                 UPDATE type::record('user', $u) SET unread_notifications = (unread_notifications ?? 0) + 1;
             };
         };
         SELECT email, display_name AS name, locale, email_new_items = true AS mail
         FROM $new.map(|$u| type::record('user', $u));",
        json!({ "fans": item.fans, "item": item_key, "who": item.who, "about": item.about,
                "text": text, "link": item.link }),
        2,
    )
    .await
    .map_err(|e| AppError::internal("notify followers", e))?;
    let notice = Notice {
        kind: NotificationKind::NewItem,
        who: &item.who,
        about: &item.about,
        text: &text,
        link: &item.link,
    };
    for to in told.iter().filter(|t| t.mail) {
        let locale = to
            .locale
            .as_deref()
            .and_then(Locale::parse)
            .unwrap_or_default();
        let mail = notification_mail(&notice, &text, &to.name, &to.email, locale, &auth.origin);
        if let Err(e) = auth.mailer.send(db, mail).await {
            tracing::warn!(error = %e, "could not send a new-item e-mail");
        }
    }
    Ok(told.len())
}
