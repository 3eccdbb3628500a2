//! Gifts: a learner buys an item or a bundle for someone known by e-mail address. The
//! order is paid like any other; when it is fulfilled a `gift` record is made, keyed by
//! the hash of a secret, and the recipient gets a link with that secret. Whoever opens the
//! link signed in claims the items into their own library, once. The buyer sees the link
//! on their receipt too, and may refund the gift until it is claimed.

use super::super::access::{SignedIn, Viewer};
use super::super::accounts::AuthSettings;
use super::super::catalog::CatalogIndex;
use super::super::db::{record_key, rows, transact, Db, TxError};
use super::super::mail::Mail;
use super::super::sessions;
use super::pricing::{quote, Priced};
use super::{db_err, place_order, price_lines, quote_error, CommerceSettings, GiftTo};
use crate::error::AppError;
use crate::models::account::{Email, Problem, GIFT_MESSAGE_MAX_CHARS};
use crate::models::commerce::{is_idempotency_key, GiftQuote, GiftView, Product};
use crate::models::i18n::Locale;
use serde::Deserialize;
use serde_json::json;

/// A fresh claim secret.
pub fn new_token() -> String {
    sessions::new_token()
}

/// The `gift` record key for claim secret `token`.
pub fn key_of(token: &str) -> String {
    sessions::token_key(token)[..40].to_string()
}

/// Whether `s` has the shape of a claim secret (so anything else is turned away before
/// the database is asked).
pub fn is_token(s: &str) -> bool {
    s.len() == 43
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What giving `product` costs now, for the gift form.
pub async fn quote_for(
    db: &Db,
    commerce: &CommerceSettings,
    product: &str,
    locale: Locale,
) -> Result<GiftQuote, AppError> {
    let product = giftable(product)?;
    let priced = price_lines(db, &[product.to_string()], locale)
        .await
        .map_err(db_err("price gift"))?;
    let line = for_sale(&priced)?.clone();
    let q = quote(priced, None, commerce.tax_rate_bp).map_err(quote_error)?;
    Ok(GiftQuote {
        product: line.product,
        title: line.title,
        href: line.href,
        total: q.totals().total,
        key: super::hex(&rand::random::<[u8; 16]>()),
    })
}

fn giftable(product: &str) -> Result<Product, AppError> {
    match Product::parse(product) {
        Some(p @ (Product::Item(_) | Product::Bundle(_))) => Ok(p),
        Some(Product::Membership { .. }) => Err(AppError::BadRequest(
            "A membership cannot be given as a gift; give an item or a bundle.".into(),
        )),
        None => Err(AppError::BadRequest(
            "That is not something the store sells.".into(),
        )),
    }
}

fn for_sale(priced: &[Priced]) -> Result<&Priced, AppError> {
    let Some(line) = priced.first() else {
        return Err(AppError::NotFound(
            "That item is not for sale (any more).".into(),
        ));
    };
    if line.unit_minor == 0 {
        return Err(AppError::BadRequest(
            "This item is free: send its link instead of a gift.".into(),
        ));
    }
    Ok(line)
}

/// Checks out `product` as a gift for `email` with `message`, at its list price (coupons
/// belong to the buyer's own cart). Returns where the buyer pays. Same rules as the cart's
/// checkout: an idempotency key, and the price the page showed must still be the price.
#[allow(clippy::too_many_arguments)]
pub async fn checkout(
    db: &Db,
    commerce: &CommerceSettings,
    me: &SignedIn,
    product: &str,
    email: &str,
    message: &str,
    idempotency_key: &str,
    expected_total: Option<i64>,
) -> Result<String, AppError> {
    if !is_idempotency_key(idempotency_key) {
        return Err(AppError::BadRequest(
            "The gift form is out of date; reload it and try again.".into(),
        ));
    }
    if let Some(next) = super::existing_order(db, commerce, me, idempotency_key).await? {
        return Ok(next);
    }
    let email = Email::parse(email).map_err(|p| AppError::field("email", p))?;
    let message = message.trim();
    if message.chars().count() > GIFT_MESSAGE_MAX_CHARS {
        return Err(AppError::field("message", Problem::MessageTooLong));
    }
    let product = giftable(product)?;
    let priced = price_lines(db, &[product.to_string()], me.locale)
        .await
        .map_err(db_err("price gift"))?;
    for_sale(&priced)?;
    let q = quote(priced, None, commerce.tax_rate_bp).map_err(quote_error)?;
    if let Some(t) = expected_total {
        if t != q.total_minor {
            return Err(AppError::Conflict(format!(
                "The price is now {}, not what the page showed. Please look again.",
                q.totals().total.display()
            )));
        }
    }
    place_order(
        db,
        commerce,
        me,
        idempotency_key,
        &q,
        None,
        Some(GiftTo {
            email: email.as_str(),
            message,
        }),
    )
    .await
}

#[derive(Deserialize)]
struct GiftRow {
    from_name: Option<String>,
    message: String,
    items: Vec<String>,
    claimed_by: Option<String>,
    revoked: bool,
}

async fn load(db: &Db, token: &str) -> Result<Option<GiftRow>, AppError> {
    if !is_token(token) {
        return Ok(None);
    }
    let found: Vec<GiftRow> = rows(
        db,
        "read gift",
        "SELECT from_order.buyer.display_name AS from_name, from_order.gift.message AS message,
                array::flatten(from_order.lines.items).map(|$i| record::id($i)) AS items,
                (IF claimed_by THEN record::id(claimed_by) END) AS claimed_by,
                revoked_at != NONE AS revoked
         FROM type::record('gift', $key)",
        json!({ "key": key_of(token) }),
        0,
    )
    .await
    .map_err(db_err("read gift"))?;
    Ok(found.into_iter().next())
}

/// The claim page of the gift with secret `token`, as `viewer` sees it.
pub async fn view(
    db: &Db,
    index: &CatalogIndex,
    viewer: &Viewer,
    token: &str,
) -> Result<GiftView, AppError> {
    let gift = load(db, token).await?.ok_or_else(|| {
        AppError::NotFound("This gift link is not valid. Check that it was copied whole.".into())
    })?;
    Ok(GiftView {
        from: gift
            .from_name
            .unwrap_or_else(|| "A former member of the store".into()),
        message: gift.message,
        items: gift
            .items
            .iter()
            .filter_map(|k| index.item_by_key(record_key(k)))
            .map(|i| i.card.clone())
            .collect(),
        claimed: gift
            .claimed_by
            .map(|by| viewer.user().is_some_and(|u| u.user_key == by)),
        revoked: gift.revoked,
    })
}

/// `me` claims the gift with secret `token`: its items go into their library. Claiming a
/// gift one already claimed changes nothing; a gift someone else claimed, or one that was
/// refunded, cannot be claimed.
pub async fn claim(db: &Db, me: &SignedIn, token: &str) -> Result<(), AppError> {
    let not_found = || {
        AppError::NotFound("This gift link is not valid. Check that it was copied whole.".into())
    };
    if !is_token(token) {
        return Err(not_found());
    }
    let result = transact(
        db,
        "claim gift",
        "BEGIN TRANSACTION;
         LET $g = type::record('gift', $key);
         LET $u = type::record('user', $user);
         IF $g.from_order = NONE { THROW 'shuzhai:unknown' };
         IF $g.claimed_by = $u { THROW 'shuzhai:same' };
         IF $g.claimed_by != NONE { THROW 'shuzhai:taken' };
         IF $g.revoked_at != NONE { THROW 'shuzhai:revoked' };
         LET $o = $g.from_order;
         IF $o.status != 'fulfilled' { THROW 'shuzhai:revoked' };
         FOR $i IN array::flatten($o.lines.items) {
            UPSERT type::record('entitlement', string::concat($user, '_', record::id($i), '_', record::id($o)))
               SET user = $u, item = $i, from_order = $o, source = 'gift', granted_at = time::now(), revoked_at = NONE;
         };
         UPDATE $g SET claimed_by = $u, claimed_at = time::now();
         COMMIT TRANSACTION;",
        json!({ "key": key_of(token), "user": me.user_key }),
    )
    .await;
    match result {
        Ok(()) => Ok(()),
        Err(TxError::Refused(r)) => match r.as_str() {
            "same" => Ok(()),
            "unknown" => Err(not_found()),
            "taken" => Err(AppError::Conflict(
                "This gift was already claimed by someone else.".into(),
            )),
            _ => Err(AppError::Conflict(
                "This gift was refunded by the person who sent it and can no longer be claimed."
                    .into(),
            )),
        },
        Err(TxError::Db(e)) => Err(AppError::internal("claim gift", e)),
    }
}

#[derive(Deserialize)]
struct Unsent {
    email: String,
    from_name: Option<String>,
    message: String,
    token: String,
    titles: Vec<String>,
    zh: bool,
}

/// Sends the claim e-mail of every fulfilled gift that has not had one yet. Each gift is
/// marked as mailed before its message goes out, so two servers (or a retry) never send
/// the same gift twice; should sending fail, the buyer still has the link on the receipt.
/// Returns how many were sent.
pub async fn deliver(db: &Db, auth: &AuthSettings) -> Result<usize, AppError> {
    let pending: Vec<String> = rows(
        db,
        "find unmailed gifts",
        "SELECT VALUE record::id(id) FROM gift WHERE mailed_at = NONE AND revoked_at = NONE LIMIT 100",
        json!({}),
        0,
    )
    .await
    .map_err(db_err("find unmailed gifts"))?;
    let mut sent = 0;
    for key in pending {
        let taken: Vec<Unsent> = rows(
            db,
            "take gift for mailing",
            "UPDATE type::record('gift', $key) SET mailed_at = time::now() WHERE mailed_at = NONE
             RETURN email, from_order.buyer.display_name AS from_name, from_order.gift.message AS message,
                    from_order.gift.token AS token, from_order.lines.title AS titles,
                    from_order.buyer.locale = 'zh-CN' AS zh",
            json!({ "key": key }),
            0,
        )
        .await
        .map_err(db_err("take gift for mailing"))?;
        let Some(g) = taken.into_iter().next() else {
            continue;
        };
        let locale = if g.zh { Locale::Zh } else { Locale::En };
        auth.mailer
            .send(db, gift_mail(&auth.origin, &g, locale))
            .await
            .map_err(db_err("send gift mail"))?;
        sent += 1;
    }
    Ok(sent)
}

fn gift_mail(origin: &str, g: &Unsent, locale: Locale) -> Mail {
    let from = g.from_name.as_deref().unwrap_or("Someone");
    let link = format!("{origin}/gift/{}", g.token);
    let titles = g.titles.join("\n  ");
    let note = if g.message.is_empty() {
        String::new()
    } else {
        format!("\n“{}”\n", g.message)
    };
    let (subject, body) = match locale {
        Locale::Zh => (
            format!("{from} 送你一份书斋礼物"),
            format!(
                "{from} 在书斋为你购买了：\n  {titles}\n{note}\n打开下面的链接，登录或注册后即可领取到你的书架：\n{link}\n"
            ),
        ),
        Locale::En => (
            format!("{from} sent you a gift on Shuzhai"),
            format!(
                "{from} bought this for you on Shuzhai:\n  {titles}\n{note}\nOpen this link, sign in or create an account, and it goes into your library:\n{link}\n"
            ),
        ),
    };
    Mail {
        to: g.email.clone(),
        subject,
        body,
    }
}
