//! Who is asking and what they may do: one function per capability, used by every server
//! function and protected route. This is also the only module that reads an item's paid
//! body, so the rule "the body never leaves the server for someone who may not read it" is
//! kept in one place.

use super::db::{record_key, rows, Db, DbError};
use crate::error::AppError;
use crate::models::account::{Me, MeUser, Role};
use crate::models::catalog::Block;
use crate::models::i18n::Locale;
use leptos::prelude::use_context;
use serde::Deserialize;
use serde_json::json;
use std::net::IpAddr;
use std::sync::Arc;

/// The person asking, as the session layer found them for this request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Viewer {
    /// Not signed in.
    #[default]
    Anonymous,
    /// Signed in.
    User(Arc<SignedIn>),
}

/// A signed-in person and their session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    /// Their `user` record key.
    pub user_key: String,
    /// The record key of the session this request came with.
    pub session_key: String,
    /// E-mail address.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Roles.
    pub roles: Vec<Role>,
    /// Preferred language.
    pub locale: Locale,
    /// Consent to recording interactions.
    pub consent_analytics: bool,
    /// Consent to server-side personalisation.
    pub consent_personalisation: bool,
    /// Notifications not seen yet.
    pub unread: u32,
}

impl SignedIn {
    /// Whether they have `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

impl Viewer {
    /// The signed-in person, if any.
    pub fn user(&self) -> Option<&SignedIn> {
        match self {
            Viewer::User(u) => Some(u),
            Viewer::Anonymous => None,
        }
    }

    /// What the page needs to know about the viewer.
    pub fn me(&self, locale: Locale) -> Me {
        Me {
            user: self.user().map(|u| MeUser {
                key: u.user_key.clone(),
                unread: u.unread,
                display_name: u.display_name.clone(),
                roles: u.roles.clone(),
            }),
            locale,
        }
    }
}

/// The client's address, as the server saw it (set by the request layer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// The viewer of the request being handled (anonymous outside a request).
pub fn viewer() -> Viewer {
    use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<Viewer>().cloned())
        .unwrap_or_default()
}

/// The client address of the request being handled.
pub fn client_ip() -> Option<IpAddr> {
    use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<ClientIp>().map(|c| c.0))
}

/// The language for this request: the signed-in person's choice, else the visitor's
/// remembered choice (the `sz_lang` cookie), else the browser's `Accept-Language`.
pub fn request_locale() -> Locale {
    if let Some(u) = viewer().user() {
        return u.locale;
    }
    use_context::<http::request::Parts>()
        .map(|p| locale_of_headers(&p.headers))
        .unwrap_or_default()
}

/// The language a visitor who is not signed in gets, from the request's headers.
pub fn locale_of_headers(headers: &http::HeaderMap) -> Locale {
    let chosen = headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| crate::ssr::sessions::cookie_value(c, crate::models::i18n::LANG_COOKIE))
        .and_then(Locale::parse);
    chosen.unwrap_or_else(|| {
        headers
            .get(http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(Locale::from_accept_language)
            .unwrap_or_default()
    })
}

// Capabilities ------------------------------------------------------------------------

/// Anyone signed in: their own account, sign-out, export, delete.
pub fn require_signed_in(viewer: &Viewer) -> Result<&SignedIn, AppError> {
    viewer.user().ok_or(AppError::SignInRequired)
}

/// Running the store: granting roles, reading the outbox and the user list.
pub fn require_admin(viewer: &Viewer) -> Result<&SignedIn, AppError> {
    let user = require_signed_in(viewer)?;
    if user.has(Role::Admin) {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Moderating comments, reviews and reports: admins.
pub fn may_moderate(viewer: &Viewer) -> bool {
    viewer.user().is_some_and(|u| u.has(Role::Admin))
}

/// Editing the items and page of the creator owned by user `owner_key`: that creator
/// (while they hold the creator role) and admins.
pub fn may_edit_creator(viewer: &Viewer, owner_key: Option<&str>) -> bool {
    viewer.user().is_some_and(|u| {
        u.has(Role::Admin) || (u.has(Role::Creator) && owner_key == Some(u.user_key.as_str()))
    })
}

/// What the access rule needs to know about an item.
#[derive(Debug, Clone, Copy)]
pub struct ItemTerms {
    /// Price in minor units (0 = free).
    pub price_minor: i64,
}

/// Whether `viewer` may read the whole of an item sold on `terms`, given whether what they
/// hold opens it (`entitled`: bought, claimed, a gift, a current membership; see [`entitled`]).
pub fn may_read_body(viewer: &Viewer, terms: ItemTerms, entitled: bool) -> bool {
    terms.price_minor == 0 || entitled || viewer.user().is_some_and(|u| u.has(Role::Admin))
}

/// What a viewer holds that opens an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub struct Holding {
    /// A live entitlement: bought, claimed or received as a gift (it is in their library).
    pub owned: bool,
    /// A membership period of the item's tier covers the present moment.
    pub member: bool,
    /// When the latest such period ends (Unix seconds).
    #[serde(default)]
    pub member_until: Option<i64>,
}

impl Holding {
    /// Whether this opens the item.
    pub fn opens(self) -> bool {
        self.owned || self.member
    }

    /// When the viewer's access ends, if it comes only from a membership (Unix seconds);
    /// `None` for what they own (and for what they cannot open).
    pub fn ends(self) -> Option<i64> {
        if self.owned || !self.member {
            None
        } else {
            self.member_until
        }
    }
}

/// The response header that says until when (Unix seconds) a response with paid content
/// may be kept on the device: only while the membership that opened it lasts. The service
/// worker (`public/sw.js`) stops serving a kept copy after that moment, offline too.
pub const ACCESS_UNTIL: &str = "x-shuzhai-access-until";

/// Marks the response being made (a page or a server function) with [`ACCESS_UNTIL`] when
/// `holding` opens an item only through a membership. Outside Leptos (the media handler
/// sets the header itself) this does nothing.
fn mark_access_until(holding: Holding) {
    let (Some(until), Some(response)) = (
        holding.ends(),
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    // The earliest end wins when one response carries several items.
    let kept = response.0.read().ok().and_then(|parts| {
        parts
            .headers
            .get(ACCESS_UNTIL)
            .and_then(|v| v.to_str().ok()?.parse::<i64>().ok())
    });
    if kept.is_none_or(|k| until < k) {
        response.insert_header(
            http::HeaderName::from_static(ACCESS_UNTIL),
            http::HeaderValue::from(until),
        );
    }
}

/// What the signed-in `viewer` holds that opens item `item_key`, marked for membership
/// tier `tier_key` (one query over two indexes; nothing for visitors). A refunded order
/// revokes its entitlements, and a membership that ran out or was refunded no longer
/// covers the present, so both close the item at once.
pub async fn entitled(
    db: &Db,
    viewer: &Viewer,
    item_key: &str,
    tier_key: Option<&str>,
) -> Result<Holding, DbError> {
    let Some(u) = viewer.user() else {
        return Ok(Holding::default());
    };
    let found: Vec<Holding> = rows(
        db,
        "check entitlement",
        "LET $u = type::record('user', $user);
         LET $ends = IF $tier = NONE THEN [] ELSE (SELECT VALUE ends_at FROM membership
                WHERE user = $u AND tier = type::record('membership_tier', $tier) AND revoked_at = NONE
                AND starts_at <= time::now() AND ends_at > time::now()) END;
         RETURN {
            owned: array::len((SELECT VALUE id FROM entitlement
                WHERE user = $u AND item = type::record('item', $item) AND revoked_at = NONE LIMIT 1)) > 0,
            member: array::len($ends) > 0,
            member_until: IF array::len($ends) > 0 THEN time::unix(array::max($ends)) END,
         };",
        json!({ "user": u.user_key, "item": record_key(item_key), "tier": tier_key }),
        2,
    )
    .await?;
    let holding = found.into_iter().next().unwrap_or_default();
    mark_access_until(holding);
    Ok(holding)
}

#[derive(Deserialize)]
struct BodyRow {
    blocks: Vec<Block>,
}

/// The body of item `item_key` if `viewer` may read it; `None` (and no read of the body)
/// if not. `entitled` comes from [`entitled`].
pub async fn body_for(
    db: &Db,
    viewer: &Viewer,
    item_key: &str,
    terms: ItemTerms,
    entitled: bool,
) -> Result<Option<Vec<Block>>, DbError> {
    if !may_read_body(viewer, terms, entitled) {
        return Ok(None);
    }
    let found: Vec<BodyRow> = rows(
        db,
        "read item body",
        "SELECT blocks FROM type::record('item_body', $key)",
        json!({ "key": record_key(item_key) }),
        0,
    )
    .await?;
    Ok(Some(
        found
            .into_iter()
            .next()
            .map(|b| b.blocks)
            .unwrap_or_default(),
    ))
}

/// How many sections (headings) the body has: shown to viewers who cannot read it, as
/// "N more sections", without their titles.
pub async fn locked_section_count(db: &Db, item_key: &str) -> Result<u32, DbError> {
    #[derive(Deserialize)]
    struct Count {
        n: u32,
    }
    let found: Vec<Count> = rows(
        db,
        "count locked sections",
        "SELECT array::len(blocks[WHERE kind = 'heading']) AS n FROM type::record('item_body', $key)",
        json!({ "key": record_key(item_key) }),
        0,
    )
    .await?;
    Ok(found.first().map(|c| c.n).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_visitors_read_only_free_items_in_full() {
        assert!(may_read_body(
            &Viewer::Anonymous,
            ItemTerms { price_minor: 0 },
            false
        ));
        assert!(!may_read_body(
            &Viewer::Anonymous,
            ItemTerms { price_minor: 1 },
            false
        ));
        assert!(may_read_body(
            &Viewer::Anonymous,
            ItemTerms { price_minor: 1 },
            true
        ));
    }
}
