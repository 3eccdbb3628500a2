//! Commerce: carts, checkout, orders, payments, refunds, and the entitlements they grant.
//!
//! An order moves pending → paid → fulfilled (or → failed / cancelled / refunded). Each
//! move is one SurrealDB transaction that checks the order's current state, writes the
//! ledger entries or the entitlements that go with it, and is retried on a transaction
//! conflict. Orders are keyed by the buyer and their idempotency key, ledger entries by
//! order and line, entitlements by person, item and order, applied provider events by
//! their id: a repeated request or a replayed webhook meets the first one's record and
//! changes nothing.

pub mod gift;
pub mod membership;
pub mod payments;
pub mod pricing;
pub mod products;
pub mod stripe;
pub mod stripe_signature;
pub mod studio;

use super::access::SignedIn;
use super::db::{record_key, rows, transact, Db, DbError, TxError};
use crate::error::AppError;
use crate::models::account::Problem;
use crate::models::commerce::{
    is_idempotency_key, BundleView, CartView, Line, OrderStatus, OrderSummary, OrderView, Plan,
    Product, Totals, MAX_CART_LINES,
};
use crate::models::i18n::Locale;
use crate::models::money::Price;
use payments::{PaymentProvider, PaymentRequest, Sandbox, SandboxOutcome};
use pricing::{quote, split_fee, CouponTerms, Priced, Quote, QuoteError};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The cookie that names a visitor's cart before they sign in.
pub const CART_COOKIE: &str = "sz_cart";
/// How long a visitor's cart cookie lives.
pub const CART_COOKIE_SECS: u64 = 30 * 24 * 3600;

/// How the store sells: tax, and the provider that takes payments.
pub struct CommerceSettings {
    /// Tax included in prices, in basis points (600 = 6 %).
    pub tax_rate_bp: u32,
    /// The provider new orders are paid through.
    pub provider: Arc<dyn PaymentProvider>,
    /// The sandbox's card form (used when `provider` is the sandbox).
    pub sandbox: Sandbox,
    /// Stripe, when it is the provider (its webhook needs the signing secret).
    pub stripe: Option<stripe::Stripe>,
}

impl CommerceSettings {
    /// The default: 6 % tax included, the sandbox provider.
    pub fn sandbox(tax_rate_bp: u32) -> Self {
        CommerceSettings {
            tax_rate_bp,
            provider: Arc::new(Sandbox),
            sandbox: Sandbox,
            stripe: None,
        }
    }

    /// Payments through Stripe Checkout.
    pub fn stripe(tax_rate_bp: u32, stripe: stripe::Stripe) -> Self {
        CommerceSettings {
            tax_rate_bp,
            provider: Arc::new(stripe.clone()),
            sandbox: Sandbox,
            stripe: Some(stripe),
        }
    }
}

fn db_err(context: &'static str) -> impl Fn(DbError) -> AppError {
    move |e| AppError::internal(context, e)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// Carts -------------------------------------------------------------------------------

/// Whose cart a request works on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CartOwner {
    /// A signed-in person's cart.
    User(String),
    /// A visitor's cart, named by their cart cookie.
    Visitor(String),
}

impl CartOwner {
    /// The `cart` record key.
    pub fn key(&self) -> String {
        match self {
            CartOwner::User(u) => format!("u_{u}"),
            // The cookie's secret is not stored: the key is its hash.
            CartOwner::Visitor(token) => format!("a_{}", &hex(&Sha256::digest(token))[..40]),
        }
    }

    fn user_key(&self) -> Option<&str> {
        match self {
            CartOwner::User(u) => Some(u),
            CartOwner::Visitor(_) => None,
        }
    }
}

/// A new cart cookie secret.
pub fn new_cart_token() -> String {
    super::sessions::new_token()
}

/// The `Set-Cookie` value for a visitor's cart.
pub fn cart_cookie(token: &str, secure: bool) -> String {
    super::sessions::set_cookie(CART_COOKIE, token, CART_COOKIE_SECS, secure)
}

/// The `Set-Cookie` value that removes the visitor's cart cookie.
pub fn clear_cart_cookie(secure: bool) -> String {
    super::sessions::set_cookie(CART_COOKIE, "", 0, secure)
}

/// The cart secret from a `Cookie` header, when it looks like one of ours.
pub fn cart_token_from_cookie_header(header: &str) -> Option<&str> {
    super::sessions::cookie_value(header, CART_COOKIE)
        .filter(|v| super::sessions::plausible_token(v))
}

#[derive(Deserialize, Default)]
struct CartRow {
    #[serde(default)]
    lines: Vec<String>,
    coupon: Option<String>,
}

async fn load_cart(db: &Db, owner: &CartOwner) -> Result<CartRow, DbError> {
    Ok(rows::<CartRow>(
        db,
        "read cart",
        "SELECT lines, coupon FROM type::record('cart', $key)",
        json!({ "key": owner.key() }),
        0,
    )
    .await?
    .into_iter()
    .next()
    .unwrap_or_default())
}

async fn save_cart(db: &Db, owner: &CartOwner, cart: &CartRow) -> Result<(), DbError> {
    super::db::execute(
        db,
        "save cart",
        "UPSERT type::record('cart', $key) SET lines = $lines, coupon = $coupon, updated_at = time::now()",
        json!({ "key": owner.key(), "lines": cart.lines, "coupon": cart.coupon }),
    )
    .await
}

#[derive(Deserialize)]
struct ProductRow {
    slug: String,
    title_en: String,
    title_zh: String,
    #[serde(default)]
    language: Option<String>,
    price_minor: i64,
    currency: String,
    status: String,
    creator_key: String,
    refund_days: Option<i64>,
    #[serde(default)]
    items: Vec<String>,
}

#[derive(Deserialize)]
struct TierRow {
    key: String,
    name: String,
    price_monthly_minor: i64,
    price_yearly_minor: i64,
    currency: String,
    creator_key: String,
    refund_days: Option<i64>,
}

/// The products named by `lines` as the database prices them now; lines that no longer
/// exist or are not published are left out.
async fn price_lines(db: &Db, lines: &[String], locale: Locale) -> Result<Vec<Priced>, DbError> {
    let products: Vec<Product> = lines.iter().filter_map(|l| Product::parse(l)).collect();
    let item_slugs: Vec<&str> = products
        .iter()
        .filter(|p| matches!(p, Product::Item(_)))
        .map(Product::slug)
        .collect();
    let bundle_slugs: Vec<&str> = products
        .iter()
        .filter(|p| matches!(p, Product::Bundle(_)))
        .map(Product::slug)
        .collect();
    let found_items: Vec<ProductRow> = rows(
        db,
        "price cart items",
        "SELECT slug, title_en, title_zh, language, price_minor, currency, status,
                record::id(creator) AS creator_key, creator.refund_days AS refund_days, [id] AS items
         FROM item WHERE slug INSIDE $slugs",
        json!({ "slugs": item_slugs }),
        0,
    )
    .await?;
    let found_bundles: Vec<ProductRow> = rows(
        db,
        "price cart bundles",
        "SELECT slug, title_en, title_zh, price_minor, currency, status,
                record::id(creator) AS creator_key, creator.refund_days AS refund_days, items
         FROM bundle WHERE slug INSIDE $slugs",
        json!({ "slugs": bundle_slugs }),
        0,
    )
    .await?;
    let tier_keys: Vec<&str> = products
        .iter()
        .filter(|p| matches!(p, Product::Membership { .. }))
        .map(Product::slug)
        .collect();
    let found_tiers: Vec<TierRow> = if tier_keys.is_empty() {
        Vec::new()
    } else {
        rows(
            db,
            "price cart memberships",
            "SELECT record::id(id) AS key, name, price_monthly_minor, price_yearly_minor, currency,
                    record::id(creator) AS creator_key, creator.refund_days AS refund_days
             FROM membership_tier WHERE record::id(id) INSIDE $keys",
            json!({ "keys": tier_keys }),
            0,
        )
        .await?
    };
    let mut out = Vec::new();
    for p in &products {
        let (list, prefix) = match p {
            Product::Item(_) => (&found_items, "item"),
            Product::Bundle(_) => (&found_bundles, "bundle"),
            Product::Membership { tier, plan } => {
                if let Some(t) = found_tiers.iter().find(|t| &t.key == tier) {
                    out.push(Priced {
                        product: p.to_string(),
                        title: membership::line_title(&t.name, *plan, locale),
                        href: format!("/membership/{}", t.key),
                        creator_key: t.creator_key.clone(),
                        item_keys: Vec::new(),
                        unit_minor: match plan {
                            Plan::Monthly => t.price_monthly_minor,
                            Plan::Yearly => t.price_yearly_minor,
                        },
                        currency: t.currency.clone(),
                        refund_days: t.refund_days.unwrap_or(14),
                    });
                }
                continue;
            }
        };
        let Some(row) = list
            .iter()
            .find(|r| r.slug == p.slug() && r.status == "published")
        else {
            continue;
        };
        let zh = match (&row.language, locale) {
            (Some(lang), _) => lang == "zh-CN",
            (None, l) => l == Locale::Zh,
        };
        let title = if zh && !row.title_zh.is_empty() || row.title_en.is_empty() {
            row.title_zh.clone()
        } else {
            row.title_en.clone()
        };
        out.push(Priced {
            product: p.to_string(),
            title,
            href: format!("/{prefix}/{}", row.slug),
            creator_key: row.creator_key.clone(),
            item_keys: row
                .items
                .iter()
                .map(|i| record_key(i).to_string())
                .collect(),
            unit_minor: row.price_minor,
            currency: row.currency.clone(),
            refund_days: row.refund_days.unwrap_or(14),
        });
    }
    Ok(out)
}

/// The items `user_key` may read in full because they bought or claimed them.
pub async fn owned_items(db: &Db, user_key: &str) -> Result<Vec<String>, DbError> {
    rows(
        db,
        "read library",
        "SELECT VALUE record::id(item) FROM entitlement WHERE user = type::record('user', $user) AND revoked_at = NONE",
        json!({ "user": user_key }),
        0,
    )
    .await
}

/// Whether `user_key` holds a live entitlement to item `item_key`.
pub async fn owns(db: &Db, user_key: &str, item_key: &str) -> Result<bool, DbError> {
    let found: Vec<String> = rows(
        db,
        "check entitlement",
        "SELECT VALUE record::id(id) FROM entitlement
         WHERE user = type::record('user', $user) AND item = type::record('item', $item) AND revoked_at = NONE LIMIT 1",
        json!({ "user": user_key, "item": record_key(item_key) }),
        0,
    )
    .await?;
    Ok(!found.is_empty())
}

#[derive(Deserialize)]
struct CouponRow {
    code: String,
    creator_key: String,
    percent_off: Option<i64>,
    amount_off_minor: Option<i64>,
    currency: Option<String>,
    #[serde(default)]
    items: Vec<String>,
    expired: bool,
    max_uses: Option<i64>,
    uses: i64,
    for_you: bool,
}

/// Normalises what someone typed as a coupon code: trimmed, capitals, 3–32 of A–Z, 0–9, `-`.
fn coupon_code(raw: &str) -> Result<String, Problem> {
    let code = raw.trim().to_uppercase();
    if code.is_empty() {
        return Err(Problem::Required);
    }
    if !(3..=32).contains(&code.len())
        || !code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(Problem::CouponUnknown);
    }
    Ok(code)
}

/// Coupon `code` as `owner` may use it (a segment's coupon only for its members).
async fn load_coupon(
    db: &Db,
    code: &str,
    owner: &CartOwner,
) -> Result<Option<CouponTerms>, DbError> {
    let found: Vec<CouponRow> = rows(
        db,
        "read coupon",
        "SELECT code, record::id(creator) AS creator_key, percent_off, amount_off_minor, currency,
                items.map(|$i| record::id($i)) AS items,
                (expires_at != NONE AND expires_at < time::now()) AS expired, max_uses, uses,
                (audience = NONE OR ($u != NONE AND type::record('coupon_member', [$code, $u]).id != NONE)) AS for_you
         FROM type::record('coupon', $code)",
        json!({ "code": code, "u": owner.user_key() }),
        0,
    )
    .await?;
    Ok(found.into_iter().next().map(|c| CouponTerms {
        code: c.code,
        creator_key: c.creator_key,
        percent_off: c.percent_off,
        amount_off_minor: c.amount_off_minor,
        currency: c.currency,
        item_keys: c.items,
        expired: c.expired,
        max_uses: c.max_uses,
        uses: c.uses,
        for_you: c.for_you,
    }))
}

fn quote_error(e: QuoteError) -> AppError {
    match e {
        QuoteError::Empty => AppError::BadRequest("Your cart is empty.".into()),
        QuoteError::MixedCurrencies => AppError::BadRequest(
            "Your cart holds prices in more than one currency; check them out separately.".into(),
        ),
        QuoteError::PriceOutOfRange(title) => {
            AppError::BadRequest(format!("“{title}” has a price the store cannot charge."))
        }
        QuoteError::Coupon(p) => AppError::field("code", p),
    }
}

/// Whether `owned` already holds every item `p` grants (never true of a membership, which
/// grants time rather than items and can always be extended).
fn owns_all(owned: &[String], p: &Priced) -> bool {
    !p.item_keys.is_empty() && p.item_keys.iter().all(|k| owned.contains(k))
}

/// A cart with its lines priced now: what is owned already is left out, an unusable
/// coupon is dropped with a note.
struct PricedCart {
    quote: Option<Quote>,
    coupon: Option<String>,
    note: Option<String>,
}

async fn price_cart(
    db: &Db,
    commerce: &CommerceSettings,
    owner: &CartOwner,
    locale: Locale,
) -> Result<PricedCart, AppError> {
    let cart = load_cart(db, owner).await.map_err(db_err("read cart"))?;
    let mut priced = price_lines(db, &cart.lines, locale)
        .await
        .map_err(db_err("price cart"))?;
    if let Some(user) = owner.user_key() {
        let owned = owned_items(db, user)
            .await
            .map_err(db_err("read library"))?;
        priced.retain(|p| !owns_all(&owned, p));
    }
    if priced.is_empty() {
        return Ok(PricedCart {
            quote: None,
            coupon: cart.coupon,
            note: None,
        });
    }
    let coupon = match &cart.coupon {
        Some(code) => load_coupon(db, code, owner)
            .await
            .map_err(db_err("read coupon"))?,
        None => None,
    };
    match quote(priced.clone(), coupon.as_ref(), commerce.tax_rate_bp) {
        Ok(q) => Ok(PricedCart {
            quote: Some(q),
            coupon: coupon.map(|c| c.code),
            note: None,
        }),
        Err(QuoteError::Coupon(problem)) => {
            let q = quote(priced, None, commerce.tax_rate_bp).map_err(quote_error)?;
            // The coupon no longer applies: it leaves the cart (the note says why), so the
            // next checkout goes through at the full price the page then shows.
            let without = CartRow {
                lines: cart.lines.clone(),
                coupon: None,
            };
            save_cart(db, owner, &without)
                .await
                .map_err(db_err("save cart"))?;
            Ok(PricedCart {
                quote: Some(q),
                coupon: None,
                note: Some(format!(
                    "The coupon {} was removed: {}",
                    cart.coupon.unwrap_or_default(),
                    problem.text(locale)
                )),
            })
        }
        Err(e) => Err(quote_error(e)),
    }
}

/// The cart page for `owner` (`None`: a visitor without a cart yet).
pub async fn cart_view(
    db: &Db,
    commerce: &CommerceSettings,
    owner: Option<&CartOwner>,
    locale: Locale,
) -> Result<CartView, AppError> {
    let checkout_key = hex(&rand::random::<[u8; 16]>());
    let Some(owner) = owner else {
        return Ok(CartView {
            checkout_key,
            ..CartView::default()
        });
    };
    let priced = price_cart(db, commerce, owner, locale).await?;
    Ok(CartView {
        lines: priced
            .quote
            .as_ref()
            .map(Quote::view_lines)
            .unwrap_or_default(),
        totals: priced.quote.as_ref().map(Quote::totals),
        coupon: priced.coupon,
        note: priced.note,
        checkout_key,
    })
}

/// Puts `product` in the cart. Quantities other than one are refused: a digital item is
/// bought once.
pub async fn add_to_cart(
    db: &Db,
    owner: &CartOwner,
    product: &str,
    quantity: Option<i64>,
    locale: Locale,
) -> Result<(), AppError> {
    if quantity.is_some_and(|q| q != 1) {
        return Err(AppError::BadRequest(
            "Each item is bought once: the quantity can only be 1.".into(),
        ));
    }
    let product = Product::parse(product)
        .ok_or_else(|| AppError::BadRequest("That is not something the store sells.".into()))?;
    let found = price_lines(db, &[product.to_string()], locale)
        .await
        .map_err(db_err("price product"))?;
    let Some(new) = found.into_iter().next() else {
        return Err(AppError::NotFound(
            "That item is not for sale (any more).".into(),
        ));
    };
    if new.unit_minor == 0 {
        return Err(AppError::BadRequest(
            "This item is free: open it and choose “Add to library”.".into(),
        ));
    }
    if let Some(user) = owner.user_key() {
        let owned = owned_items(db, user)
            .await
            .map_err(db_err("read library"))?;
        if owns_all(&owned, &new) {
            return Err(AppError::Conflict(
                "You already own this; it is in your library.".into(),
            ));
        }
    }
    let mut cart = load_cart(db, owner).await.map_err(db_err("read cart"))?;
    if cart.lines.contains(&new.product) {
        return Ok(());
    }
    // One plan per tier: choosing the yearly plan replaces the monthly one, and back.
    if let Product::Membership { tier, .. } = &product {
        cart.lines.retain(|l| {
            !matches!(Product::parse(l), Some(Product::Membership { tier: t, .. }) if &t == tier)
        });
    }
    let present = price_lines(db, &cart.lines, locale)
        .await
        .map_err(db_err("price cart"))?;
    if let Some(other) = present.iter().find(|p| p.currency != new.currency) {
        return Err(AppError::Conflict(format!(
            "Your cart is priced in {}; check it out before adding something priced in {}.",
            other.currency, new.currency
        )));
    }
    if cart.lines.len() >= MAX_CART_LINES {
        return Err(AppError::BadRequest(format!(
            "A cart holds at most {MAX_CART_LINES} things."
        )));
    }
    cart.lines.push(new.product);
    save_cart(db, owner, &cart)
        .await
        .map_err(db_err("save cart"))
}

/// Takes `product` out of the cart.
pub async fn remove_from_cart(db: &Db, owner: &CartOwner, product: &str) -> Result<(), AppError> {
    let mut cart = load_cart(db, owner).await.map_err(db_err("read cart"))?;
    cart.lines.retain(|l| l != product);
    save_cart(db, owner, &cart)
        .await
        .map_err(db_err("save cart"))
}

/// Applies coupon `code` to the cart, or says next to the field why it cannot.
pub async fn apply_coupon(
    db: &Db,
    commerce: &CommerceSettings,
    owner: &CartOwner,
    code: &str,
    locale: Locale,
) -> Result<(), AppError> {
    let code = coupon_code(code).map_err(|p| AppError::field("code", p))?;
    let coupon = load_coupon(db, &code, owner)
        .await
        .map_err(db_err("read coupon"))?
        .ok_or_else(|| AppError::field("code", Problem::CouponUnknown))?;
    let mut cart = load_cart(db, owner).await.map_err(db_err("read cart"))?;
    let priced = price_lines(db, &cart.lines, locale)
        .await
        .map_err(db_err("price cart"))?;
    if priced.is_empty() {
        return Err(AppError::BadRequest("Your cart is empty.".into()));
    }
    quote(priced, Some(&coupon), commerce.tax_rate_bp).map_err(quote_error)?;
    cart.coupon = Some(code);
    save_cart(db, owner, &cart)
        .await
        .map_err(db_err("save cart"))
}

/// Takes the coupon off the cart.
pub async fn remove_coupon(db: &Db, owner: &CartOwner) -> Result<(), AppError> {
    let mut cart = load_cart(db, owner).await.map_err(db_err("read cart"))?;
    cart.coupon = None;
    save_cart(db, owner, &cart)
        .await
        .map_err(db_err("save cart"))
}

/// Moves a visitor's cart into the person's own after they sign in: lines are added (what
/// they own already is dropped when the cart is priced), the visitor's coupon is kept if
/// theirs had none, and the visitor's cart is deleted.
pub async fn merge_carts(db: &Db, visitor_token: &str, user_key: &str) -> Result<(), DbError> {
    let visitor = CartOwner::Visitor(visitor_token.to_string());
    let user = CartOwner::User(user_key.to_string());
    let from = load_cart(db, &visitor).await?;
    if from.lines.is_empty() && from.coupon.is_none() {
        return Ok(());
    }
    let mut into = load_cart(db, &user).await?;
    for line in from.lines {
        if !into.lines.contains(&line) && into.lines.len() < MAX_CART_LINES {
            into.lines.push(line);
        }
    }
    if into.coupon.is_none() {
        into.coupon = from.coupon;
    }
    save_cart(db, &user, &into).await?;
    super::db::execute(
        db,
        "delete visitor cart",
        "DELETE type::record('cart', $key)",
        json!({ "key": visitor.key() }),
    )
    .await
}

// Orders ------------------------------------------------------------------------------

/// The order number for `user_key`'s checkout with `idempotency_key`: the same pair always
/// names the same order.
pub fn order_id(user_key: &str, idempotency_key: &str) -> String {
    let digest = Sha256::digest(format!("{user_key}\n{idempotency_key}"));
    format!("o{}", &hex(&digest)[..24])
}

/// Whether `s` looks like an order number.
pub fn is_order_id(s: &str) -> bool {
    s.len() == 25
        && s.starts_with('o')
        && s[1..]
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

#[derive(Deserialize, Clone)]
struct OrderLineRow {
    product: String,
    title: String,
    href: String,
    creator: String,
    items: Vec<String>,
    unit_minor: i64,
    discount_minor: i64,
    total_minor: i64,
}

#[derive(Deserialize, Clone)]
struct OrderRow {
    id: String,
    buyer: Option<String>,
    status: String,
    lines: Vec<OrderLineRow>,
    currency: String,
    subtotal_minor: i64,
    discount_minor: i64,
    total_minor: i64,
    tax_minor: i64,
    tax_rate_bp: u32,
    coupon: Option<String>,
    provider: String,
    provider_ref: Option<String>,
    failure: Option<String>,
    created_at: String,
    paid_at: Option<String>,
    closed_at: Option<String>,
    refundable_until: Option<String>,
    refund_open: bool,
    #[serde(default)]
    gift: Option<GiftRow>,
    #[serde(default)]
    gift_claimed_at: Option<String>,
}

/// A gift order's recipient, message and claim secret.
#[derive(Deserialize, Clone)]
struct GiftRow {
    email: String,
    message: String,
    token: String,
}

const ORDER_FIELDS: &str = "record::id(id) AS id, (IF buyer THEN record::id(buyer) END) AS buyer, status, lines, currency,
    subtotal_minor, discount_minor, total_minor, tax_minor, tax_rate_bp, coupon, provider, provider_ref, failure,
    <string> created_at AS created_at, (IF paid_at THEN <string> paid_at END) AS paid_at,
    (IF closed_at THEN <string> closed_at END) AS closed_at,
    (IF paid_at THEN <string> (paid_at + <duration> string::concat(<string> refund_days, 'd')) END) AS refundable_until,
    (paid_at != NONE AND time::now() <= paid_at + <duration> string::concat(<string> refund_days, 'd')) AS refund_open,
    gift, (IF gift THEN (SELECT VALUE <string> claimed_at FROM gift WHERE from_order = $parent.id AND claimed_at != NONE)[0] END) AS gift_claimed_at";

async fn load_order(db: &Db, id: &str) -> Result<Option<OrderRow>, DbError> {
    Ok(rows::<OrderRow>(
        db,
        "read order",
        &format!("SELECT {ORDER_FIELDS} FROM type::record('orders', $id)"),
        json!({ "id": id }),
        0,
    )
    .await?
    .into_iter()
    .next())
}

/// The order `id` if `me` bought it (admins see every order); otherwise "not found", so
/// that order numbers reveal nothing about other people.
async fn order_for(db: &Db, me: &SignedIn, id: &str) -> Result<OrderRow, AppError> {
    let not_found = || AppError::NotFound("There is no such order in your account.".into());
    if !is_order_id(id) {
        return Err(not_found());
    }
    let order = load_order(db, id)
        .await
        .map_err(db_err("read order"))?
        .ok_or_else(not_found)?;
    let mine = order.buyer.as_deref() == Some(me.user_key.as_str());
    if mine || me.has(crate::models::account::Role::Admin) {
        Ok(order)
    } else {
        Err(not_found())
    }
}

fn view_of(order: OrderRow) -> OrderView {
    let status = OrderStatus::parse(&order.status).unwrap_or(OrderStatus::Failed);
    let p = |minor| Price {
        minor,
        currency: order.currency.clone(),
    };
    let refundable = status.grants_access()
        && order.refund_open
        && order.total_minor > 0
        && order.gift_claimed_at.is_none();
    OrderView {
        pay_url: (status == OrderStatus::Pending && order.provider == "sandbox")
            .then(|| format!("/pay/{}", order.id)),
        id: order.id.clone(),
        status,
        lines: order
            .lines
            .iter()
            .map(|l| Line {
                product: l.product.clone(),
                title: l.title.clone(),
                href: l.href.clone(),
                unit: p(l.unit_minor),
                discount: p(l.discount_minor),
                total: p(l.total_minor),
            })
            .collect(),
        totals: Totals {
            subtotal: p(order.subtotal_minor),
            discount: p(order.discount_minor),
            total: p(order.total_minor),
            tax: p(order.tax_minor),
            tax_rate_bp: order.tax_rate_bp,
        },
        coupon: order.coupon,
        provider: order.provider,
        created_at: order.created_at,
        paid_at: order.paid_at,
        closed_at: order.closed_at,
        refundable_until: if refundable {
            order.refundable_until
        } else {
            None
        },
        failure: order.failure,
        gift: order.gift.map(|g| crate::models::commerce::GiftNote {
            link: (status == OrderStatus::Fulfilled).then(|| format!("/gift/{}", g.token)),
            email: g.email,
            message: g.message,
            claimed_at: order.gift_claimed_at,
        }),
    }
}

/// An order's receipt, for its buyer or an admin.
pub async fn order_view(db: &Db, me: &SignedIn, id: &str) -> Result<OrderView, AppError> {
    order_for(db, me, id).await.map(view_of)
}

/// The person's orders, newest first.
pub async fn orders_of(db: &Db, me: &SignedIn) -> Result<Vec<OrderSummary>, AppError> {
    let found: Vec<OrderRow> = rows(
        db,
        "list orders",
        &format!(
            "SELECT {ORDER_FIELDS} FROM orders WHERE buyer = type::record('user', $user) ORDER BY created_at DESC LIMIT 200"
        ),
        json!({ "user": me.user_key }),
        0,
    )
    .await
    .map_err(db_err("list orders"))?;
    Ok(found
        .into_iter()
        .map(|o| OrderSummary {
            status: OrderStatus::parse(&o.status).unwrap_or(OrderStatus::Failed),
            total: Price {
                minor: o.total_minor,
                currency: o.currency.clone(),
            },
            titles: o.lines.iter().map(|l| l.title.clone()).collect(),
            created_at: o.created_at,
            id: o.id,
        })
        .collect())
}

/// Turns a cart into an order and returns where the buyer goes next: the provider's pay
/// page, or the receipt when nothing is to be paid.
///
/// `idempotency_key` names this checkout: the same key returns the same order, however
/// often it is sent. `expected_total` is what the page showed; if the server's price
/// differs (a price changed, or someone edited the form), nothing is created and the
/// buyer is asked to look again.
pub async fn checkout(
    db: &Db,
    commerce: &CommerceSettings,
    me: &SignedIn,
    idempotency_key: &str,
    expected_total: Option<i64>,
    expected_currency: Option<&str>,
) -> Result<String, AppError> {
    if !is_idempotency_key(idempotency_key) {
        return Err(AppError::BadRequest(
            "The checkout form is out of date; reload the cart and try again.".into(),
        ));
    }
    if let Some(next) = existing_order(db, commerce, me, idempotency_key).await? {
        return Ok(next);
    }
    let owner = CartOwner::User(me.user_key.clone());
    let priced = price_cart(db, commerce, &owner, me.locale).await?;
    let q = priced
        .quote
        .ok_or_else(|| AppError::BadRequest("Your cart is empty.".into()))?;
    if let Some(note) = priced.note {
        return Err(AppError::Conflict(note));
    }
    if let Some(c) = expected_currency {
        if c != q.currency {
            return Err(AppError::Conflict(format!(
                "Your cart is priced in {}, not {c}. Please check the cart again.",
                q.currency
            )));
        }
    }
    if let Some(t) = expected_total {
        if t != q.total_minor {
            return Err(AppError::Conflict(format!(
                "The total is now {}, not what the page showed. Please check the cart again.",
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
        priced.coupon.as_deref(),
        None,
    )
    .await
}

/// Where the buyer goes next if `idempotency_key` already made them an order: a repeated
/// checkout leads to the first one, whatever else changed since. When the first answer was
/// lost (a dropped connection, a restart) while the order waits for an outside provider,
/// the provider is asked again for its pay page — the same one, as it is asked for the
/// same order.
async fn existing_order(
    db: &Db,
    commerce: &CommerceSettings,
    me: &SignedIn,
    idempotency_key: &str,
) -> Result<Option<String>, AppError> {
    let id = order_id(&me.user_key, idempotency_key);
    let Some(o) = load_order(db, &id).await.map_err(db_err("read order"))? else {
        return Ok(None);
    };
    if o.status == "pending" && o.provider != "sandbox" && o.provider == commerce.provider.name() {
        let titles: Vec<&str> = o.lines.iter().map(|l| l.title.as_str()).collect();
        return start_payment(commerce, &o.id, o.total_minor, &o.currency, &titles)
            .await
            .map(Some);
    }
    Ok(Some(next_step(&o)))
}

/// A new order's recipient when it is a gift.
pub(crate) struct GiftTo<'a> {
    /// Their e-mail address.
    pub email: &'a str,
    /// The buyer's message.
    pub message: &'a str,
}

/// Creates the order for quote `q` (taking a use of `coupon`) and starts its payment;
/// returns where the buyer goes next. The order's key comes from the buyer and
/// `idempotency_key`, so a second request with the same key leads to the first order.
async fn place_order(
    db: &Db,
    commerce: &CommerceSettings,
    me: &SignedIn,
    idempotency_key: &str,
    q: &Quote,
    coupon: Option<&str>,
    gift: Option<GiftTo<'_>>,
) -> Result<String, AppError> {
    let id = order_id(&me.user_key, idempotency_key);
    let lines: Vec<serde_json::Value> = q
        .lines
        .iter()
        .map(|(l, discount)| {
            json!({
                "product": l.product, "title": l.title, "href": l.href, "creator": l.creator_key,
                "items": l.item_keys, "unit_minor": l.unit_minor, "discount_minor": discount,
                "total_minor": l.unit_minor - discount,
            })
        })
        .collect();
    let free = q.total_minor == 0;
    let provider = if free {
        "free"
    } else {
        commerce.provider.name()
    };
    let created = transact(
        db,
        "create order",
        "BEGIN TRANSACTION;
         IF $coupon != NONE {
            LET $c = type::record('coupon', $coupon);
            IF $c.max_uses != NONE AND $c.uses >= $c.max_uses { THROW 'shuzhai:coupon-used-up' };
            UPDATE $c SET uses += 1;
         };
         CREATE type::record('orders', $id) SET buyer = type::record('user', $user), status = 'pending',
            idempotency_key = $idem, currency = $currency, subtotal_minor = $subtotal, discount_minor = $discount,
            total_minor = $total, tax_minor = $tax, tax_rate_bp = $tax_rate, coupon = $coupon, refund_days = $refund_days,
            provider = $provider, gift = $gift, created_at = time::now(), history = [{ at: time::now(), status: 'pending' }],
            lines = $lines.map(|$l| {
                product: $l.product, title: $l.title, href: $l.href, creator: type::record('creator', $l.creator),
                items: $l.items.map(|$i| type::record('item', $i)), unit_minor: $l.unit_minor,
                discount_minor: $l.discount_minor, total_minor: $l.total_minor
            });
         COMMIT TRANSACTION;",
        json!({
            "id": id, "user": me.user_key, "idem": idempotency_key, "currency": q.currency,
            "subtotal": q.subtotal_minor, "discount": q.discount_minor, "total": q.total_minor,
            "tax": q.tax_minor, "tax_rate": q.tax_rate_bp, "coupon": coupon,
            "refund_days": q.refund_days, "provider": provider, "lines": lines,
            "gift": gift.map(|g| json!({ "email": g.email, "message": g.message, "token": gift::new_token() })),
        }),
    )
    .await;
    match created {
        Ok(()) => {}
        Err(TxError::Refused(reason)) if reason == "coupon-used-up" => {
            return Err(AppError::field("code", Problem::CouponUsedUp));
        }
        Err(e) => {
            // The same key sent twice at once: the other request made the order.
            if let Some(next) = existing_order(db, commerce, me, idempotency_key).await? {
                return Ok(next);
            }
            return Err(AppError::internal("create order", e));
        }
    }
    if free {
        let reference = format!("free_{id}");
        mark_paid(db, &id, "free", &reference, &reference, 0).await?;
        fulfil(db, &id).await?;
        return Ok(format!("/orders/{id}"));
    }
    let titles: Vec<&str> = q.lines.iter().map(|(l, _)| l.title.as_str()).collect();
    start_payment(commerce, &id, q.total_minor, &q.currency, &titles).await
}

/// Asks the provider for the page where order `id` is paid. The provider's own idempotency
/// key is the order number, so asking again for the same order gets the same page.
async fn start_payment(
    commerce: &CommerceSettings,
    id: &str,
    amount_minor: i64,
    currency: &str,
    titles: &[&str],
) -> Result<String, AppError> {
    let request = PaymentRequest {
        order_id: id.to_string(),
        amount_minor,
        currency: currency.to_string(),
        description: titles.join(", "),
        return_url: format!("/orders/{id}"),
    };
    commerce
        .provider
        .start(&request)
        .await
        .map_err(|e| AppError::internal("start payment", e))
}

fn next_step(order: &OrderRow) -> String {
    if order.status == "pending" && order.provider == "sandbox" {
        format!("/pay/{}", order.id)
    } else {
        format!("/orders/{}", order.id)
    }
}

/// What a payment attempt did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// This call made the change.
    Now,
    /// The change had been made before (a repeated request or a replayed event).
    Already,
}

/// pending → paid: records the payment `reference` (the provider's event `event_id` is
/// remembered so a replay changes nothing) and writes the ledger's sale entries, all in
/// one transaction.
pub async fn mark_paid(
    db: &Db,
    order: &str,
    provider: &str,
    event_id: &str,
    reference: &str,
    fee_minor: i64,
) -> Result<Applied, AppError> {
    let row = load_order(db, order)
        .await
        .map_err(db_err("read order"))?
        .ok_or_else(|| AppError::NotFound("There is no such order.".into()))?;
    let fees = split_fee(
        fee_minor,
        &row.lines.iter().map(|l| l.total_minor).collect::<Vec<_>>(),
    );
    let ledger: Vec<serde_json::Value> = row
        .lines
        .iter()
        .zip(fees)
        .enumerate()
        .map(|(n, (l, fee))| {
            json!({
                "key": format!("{order}_{n}_sale"), "line": n, "creator": record_key(&l.creator),
                "product": l.product, "gross": l.total_minor, "fee": fee, "net": l.total_minor - fee,
            })
        })
        .collect();
    let event_key = format!("{provider}_{}", sanitize_event_id(event_id));
    let result = transact(
        db,
        "mark order paid",
        "BEGIN TRANSACTION;
         LET $o = type::record('orders', $id);
         LET $s = $o.status;
         IF $s = NONE { THROW 'shuzhai:unknown-order' };
         IF type::record('payment_event', $event).id != NONE { THROW 'shuzhai:replay' };
         IF $s != 'pending' { THROW string::concat('shuzhai:state-', $s) };
         CREATE type::record('payment_event', $event) SET provider = $provider, from_order = $o, kind = 'paid', received_at = time::now();
         UPDATE $o SET status = 'paid', paid_at = time::now(), provider_ref = $reference, fee_minor = $fee,
            history += { at: time::now(), status: 'paid' };
         FOR $l IN $ledger {
            CREATE type::record('ledger', $l.key) SET from_order = $o, line = $l.line, creator = type::record('creator', $l.creator),
               product = $l.product, kind = 'sale', gross_minor = $l.gross, fee_minor = $l.fee, net_minor = $l.net,
               currency = $currency, at = time::now();
         };
         COMMIT TRANSACTION;",
        json!({
            "id": order, "event": event_key, "provider": provider, "reference": reference,
            "fee": fee_minor, "ledger": ledger, "currency": row.currency,
        }),
    )
    .await;
    match result {
        Ok(()) => Ok(Applied::Now),
        Err(TxError::Refused(r))
            if r == "replay" || r == "state-paid" || r == "state-fulfilled" =>
        {
            Ok(Applied::Already)
        }
        Err(TxError::Refused(r)) if r == "unknown-order" => {
            Err(AppError::NotFound("There is no such order.".into()))
        }
        Err(TxError::Refused(r)) => Err(AppError::Conflict(format!(
            "This order can no longer be paid ({}).",
            r.trim_start_matches("state-")
        ))),
        Err(TxError::Db(e)) => Err(AppError::internal("mark order paid", e)),
    }
}

fn sanitize_event_id(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .take(100)
        .collect()
}

/// paid → fulfilled: grants every item of the order to the buyer and takes the bought
/// products out of their cart, in one transaction (with a `purchase` event per item when
/// the buyer allowed analytics). Granting twice is impossible: the
/// entitlement's key is the person, the item and the order.
pub async fn fulfil(db: &Db, order: &str) -> Result<Applied, AppError> {
    let row = load_order(db, order)
        .await
        .map_err(db_err("read order"))?
        .ok_or_else(|| AppError::NotFound("There is no such order.".into()))?;
    let Some(buyer) = row.buyer.clone() else {
        // The buyer deleted their account: there is no one to grant to.
        return Ok(Applied::Already);
    };
    // A gift's items wait for whoever claims it; the buyer's own order grants at once.
    let mut grants: Vec<serde_json::Value> = Vec::new();
    let mut periods: Vec<serde_json::Value> = Vec::new();
    for (n, l) in row.lines.iter().enumerate() {
        if let Some(Product::Membership { tier, plan }) = Product::parse(&l.product) {
            periods.push(json!({
                "key": format!("{order}_{n}"), "tier": tier, "plan": plan.as_str(),
                "length": format!("{}d", plan.days()),
            }));
            continue;
        }
        if row.gift.is_some() {
            continue;
        }
        for item in &l.items {
            let item = record_key(item);
            grants.push(json!({ "key": format!("{buyer}_{item}_{order}"), "item": item }));
        }
    }
    let gift_key = row.gift.as_ref().map(|g| gift::key_of(&g.token));
    let products: Vec<&str> = if row.gift.is_some() {
        Vec::new()
    } else {
        row.lines.iter().map(|l| l.product.as_str()).collect()
    };
    let result = transact(
        db,
        "fulfil order",
        "BEGIN TRANSACTION;
         LET $o = type::record('orders', $id);
         LET $s = $o.status;
         LET $u = type::record('user', $buyer);
         IF $s != 'paid' { THROW string::concat('shuzhai:state-', <string> $s) };
         FOR $g IN $grants {
            CREATE type::record('entitlement', $g.key) SET user = $u,
               item = type::record('item', $g.item), from_order = $o, source = 'purchase', granted_at = time::now();
         };
         IF $u.consent_analytics = true {
            FOR $g IN $grants {
               CREATE event SET user = $u, item = type::record('item', $g.item), kind = 'purchase', at = time::now();
            };
         };
         FOR $m IN $periods {
            LET $t = type::record('membership_tier', $m.tier);
            LET $last = (SELECT ends_at FROM membership WHERE user = $u AND tier = $t AND revoked_at = NONE
               ORDER BY ends_at DESC LIMIT 1)[0].ends_at;
            LET $from = IF $last != NONE AND $last > time::now() THEN $last ELSE time::now() END;
            CREATE type::record('membership', $m.key) SET user = $u, tier = $t, plan = $m.plan, from_order = $o,
               starts_at = $from, ends_at = $from + <duration> $m.length;
         };
         IF $gift != NONE {
            CREATE type::record('gift', $gift) SET from_order = $o, email = $o.gift.email, created_at = time::now();
         };
         UPDATE $o SET status = 'fulfilled', fulfilled_at = time::now(), history += { at: time::now(), status: 'fulfilled' };
         UPDATE type::record('cart', $cart) SET lines = array::complement(lines, $products), coupon = NONE
            WHERE id != NONE AND array::len($products) > 0;
         COMMIT TRANSACTION;",
        json!({
            "id": order, "buyer": buyer, "grants": grants, "periods": periods, "products": products,
            "gift": gift_key, "cart": CartOwner::User(buyer.clone()).key(),
        }),
    )
    .await;
    match result {
        Ok(()) => Ok(Applied::Now),
        Err(TxError::Refused(r)) if r == "state-fulfilled" => Ok(Applied::Already),
        Err(TxError::Refused(r)) => Err(AppError::Conflict(format!(
            "This order cannot be fulfilled ({}).",
            r.trim_start_matches("state-")
        ))),
        Err(TxError::Db(e)) => Err(AppError::internal("fulfil order", e)),
    }
}

/// pending → failed (a declined payment) or → cancelled (the buyer gave up): the coupon's
/// use is given back.
async fn close_unpaid(
    db: &Db,
    order: &str,
    status: OrderStatus,
    failure: Option<&str>,
) -> Result<Applied, AppError> {
    let result = transact(
        db,
        "close unpaid order",
        "BEGIN TRANSACTION;
         LET $o = type::record('orders', $id);
         LET $s = $o.status;
         IF $s = $status { THROW 'shuzhai:same' };
         IF $s != 'pending' { THROW string::concat('shuzhai:state-', <string> $s) };
         UPDATE $o SET status = $status, failure = $failure, closed_at = time::now(),
            history += { at: time::now(), status: $status };
         IF $o.coupon != NONE { UPDATE type::record('coupon', $o.coupon) SET uses -= 1 WHERE uses > 0 };
         COMMIT TRANSACTION;",
        json!({ "id": order, "status": status.as_str(), "failure": failure }),
    )
    .await;
    match result {
        Ok(()) => Ok(Applied::Now),
        Err(TxError::Refused(r)) if r == "same" => Ok(Applied::Already),
        Err(TxError::Refused(r)) => Err(AppError::Conflict(format!(
            "This order is already {}.",
            OrderStatus::parse(r.trim_start_matches("state-"))
                .map(|s| s.label().to_lowercase())
                .unwrap_or(r)
        ))),
        Err(TxError::Db(e)) => Err(AppError::internal("close order", e)),
    }
}

/// The buyer pays a pending order on the sandbox's pay page with `card`. Paying an order
/// that is already paid changes nothing and leads to its receipt.
pub async fn sandbox_pay(
    db: &Db,
    commerce: &CommerceSettings,
    me: &SignedIn,
    order: &str,
    card: &str,
) -> Result<String, AppError> {
    let row = order_for(db, me, order).await?;
    if row.buyer.as_deref() != Some(me.user_key.as_str()) {
        return Err(AppError::NotFound(
            "There is no such order in your account.".into(),
        ));
    }
    if row.status != "pending" {
        return Ok(format!("/orders/{order}"));
    }
    if row.provider != "sandbox" {
        return Err(AppError::BadRequest(
            "This order is paid with another provider.".into(),
        ));
    }
    match commerce
        .sandbox
        .charge(order, card)
        .map_err(|p| AppError::field("card", p))?
    {
        SandboxOutcome::Paid { reference } => {
            let fee = commerce.sandbox_fee(row.total_minor);
            mark_paid(db, order, "sandbox", &reference, &reference, fee).await?;
            fulfil(db, order).await?;
        }
        SandboxOutcome::Declined { reason } => {
            close_unpaid(db, order, OrderStatus::Failed, Some(&reason)).await?;
        }
    }
    Ok(format!("/orders/{order}"))
}

impl CommerceSettings {
    fn sandbox_fee(&self, amount: i64) -> i64 {
        PaymentProvider::fee(&self.sandbox, amount)
    }
}

/// The buyer gives up on a pending order.
pub async fn cancel(db: &Db, me: &SignedIn, order: &str) -> Result<(), AppError> {
    let row = order_for(db, me, order).await?;
    close_unpaid(db, &row.id, OrderStatus::Cancelled, None)
        .await
        .map(|_| ())
}

/// The buyer asks for their money back within the refund window: the provider pays it
/// back, then one transaction marks the order refunded, books the refund and takes the
/// items out of the library.
pub async fn refund(
    db: &Db,
    commerce: &CommerceSettings,
    me: &SignedIn,
    order: &str,
) -> Result<Applied, AppError> {
    let row = order_for(db, me, order).await?;
    let status = OrderStatus::parse(&row.status).unwrap_or(OrderStatus::Failed);
    if status == OrderStatus::Refunded {
        return Ok(Applied::Already);
    }
    if !status.grants_access() || row.total_minor == 0 {
        return Err(AppError::Conflict(
            "Only a paid order can be refunded.".into(),
        ));
    }
    if row.gift_claimed_at.is_some() {
        return Err(gift_claimed());
    }
    if !row.refund_open {
        return Err(AppError::Conflict(format!(
            "The refund window for this order closed on {}.",
            row.refundable_until
                .as_deref()
                .map(crate::models::commerce::date_of)
                .unwrap_or("its purchase day")
        )));
    }
    if row.provider == commerce.provider.name() {
        let reference = row.provider_ref.clone().unwrap_or_default();
        commerce
            .provider
            .refund(&reference, row.total_minor, &format!("{order}_refund"))
            .await
            .map_err(|e| AppError::internal("refund payment", e))?;
    } else if row.provider != "sandbox" {
        return Err(AppError::Conflict(
            "This order was paid through a provider the store no longer uses; ask the creator."
                .into(),
        ));
    }
    let ledger: Vec<serde_json::Value> = row
        .lines
        .iter()
        .enumerate()
        .map(|(n, l)| {
            json!({
                "key": format!("{order}_{n}_refund"), "line": n, "creator": record_key(&l.creator),
                "product": l.product, "gross": -l.total_minor,
            })
        })
        .collect();
    let result = transact(
        db,
        "refund order",
        "BEGIN TRANSACTION;
         LET $o = type::record('orders', $id);
         LET $s = $o.status;
         IF $s = 'refunded' { THROW 'shuzhai:same' };
         IF $s != 'paid' AND $s != 'fulfilled' { THROW string::concat('shuzhai:state-', <string> $s) };
         IF array::len((SELECT VALUE id FROM gift WHERE from_order = $o AND claimed_at != NONE)) > 0 {
            THROW 'shuzhai:gift-claimed'
         };
         UPDATE $o SET status = 'refunded', closed_at = time::now(), history += { at: time::now(), status: 'refunded' };
         FOR $l IN $ledger {
            CREATE type::record('ledger', $l.key) SET from_order = $o, line = $l.line, creator = type::record('creator', $l.creator),
               product = $l.product, kind = 'refund', gross_minor = $l.gross, fee_minor = 0, net_minor = $l.gross,
               currency = $currency, at = time::now();
         };
         UPDATE entitlement SET revoked_at = time::now() WHERE from_order = $o AND revoked_at = NONE;
         UPDATE membership SET revoked_at = time::now() WHERE from_order = $o AND revoked_at = NONE;
         UPDATE gift SET revoked_at = time::now() WHERE from_order = $o AND revoked_at = NONE;
         COMMIT TRANSACTION;",
        json!({ "id": order, "ledger": ledger, "currency": row.currency }),
    )
    .await;
    match result {
        Ok(()) => Ok(Applied::Now),
        Err(TxError::Refused(r)) if r == "same" => Ok(Applied::Already),
        Err(TxError::Refused(r)) if r == "gift-claimed" => Err(gift_claimed()),
        Err(TxError::Refused(r)) => Err(AppError::Conflict(format!(
            "This order cannot be refunded ({}).",
            r.trim_start_matches("state-")
        ))),
        Err(TxError::Db(e)) => Err(AppError::internal("refund order", e)),
    }
}

fn gift_claimed() -> AppError {
    AppError::Conflict(
        "This gift was already claimed: it belongs to its recipient now and cannot be refunded."
            .into(),
    )
}

/// Adds a free item to the person's library.
pub async fn claim_free(db: &Db, me: &SignedIn, slug: &str) -> Result<(), AppError> {
    let found = price_lines(db, &[format!("item:{slug}")], me.locale)
        .await
        .map_err(db_err("read item"))?;
    let item = found
        .into_iter()
        .next()
        .ok_or_else(|| AppError::NotFound("There is no such item.".into()))?;
    if item.unit_minor != 0 {
        return Err(AppError::BadRequest(
            "This item is not free: add it to your cart to buy it.".into(),
        ));
    }
    let item_key = item.item_keys.first().cloned().unwrap_or_default();
    super::db::execute(
        db,
        "claim item",
        "UPSERT type::record('entitlement', $key) SET user = type::record('user', $user),
            item = type::record('item', $item), source = 'claim', granted_at = time::now(), revoked_at = NONE",
        json!({ "key": format!("{}_{item_key}_claim", me.user_key), "user": me.user_key, "item": item_key }),
    )
    .await
    .map_err(db_err("claim item"))
}

/// Finishes what a crash interrupted: orders that were paid but not yet granted are
/// fulfilled. Runs at start-up; returns how many it fulfilled.
pub async fn reconcile(db: &Db) -> Result<usize, AppError> {
    let paid: Vec<String> = rows(
        db,
        "find paid orders",
        "SELECT VALUE record::id(id) FROM orders WHERE status = 'paid'",
        json!({}),
        0,
    )
    .await
    .map_err(db_err("find paid orders"))?;
    let mut done = 0;
    for id in paid {
        if fulfil(db, &id).await? == Applied::Now {
            done += 1;
        }
    }
    Ok(done)
}

// Stripe's webhook ---------------------------------------------------------------------

/// What the webhook endpoint answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookReply {
    /// 200: applied.
    Applied(String),
    /// 200: already applied before (a replay) or not an event the store acts on.
    Ignored(String),
    /// 400: unsigned, badly signed, too old, malformed, or not matching the order.
    Rejected(String),
    /// 404: no such order, or Stripe is not the store's provider.
    Unknown(String),
}

/// Handles a Stripe webhook: verifies `Stripe-Signature` over the raw `payload` at time
/// `now`, then applies `checkout.session.completed` (the order is paid and granted; the
/// amount and currency must be the order's) and `checkout.session.expired` (cancelled).
/// A replayed event changes nothing.
pub async fn stripe_webhook(
    db: &Db,
    commerce: &CommerceSettings,
    signature: Option<&str>,
    payload: &[u8],
    now: i64,
) -> WebhookReply {
    let Some(stripe) = &commerce.stripe else {
        return WebhookReply::Unknown("Stripe is not this store's payment provider.".into());
    };
    let Some(signature) = signature else {
        return WebhookReply::Rejected("Missing Stripe-Signature header.".into());
    };
    let event = match stripe.event(signature, payload, now) {
        Ok(e) => e,
        Err(e) => return WebhookReply::Rejected(e.to_string()),
    };
    let session = &event.data.object;
    let order_id = session.client_reference_id.clone().unwrap_or_default();
    let applies = matches!(
        event.kind.as_str(),
        "checkout.session.completed"
            | "checkout.session.async_payment_succeeded"
            | "checkout.session.expired"
    );
    if !applies {
        return WebhookReply::Ignored(format!("{} is not acted on.", event.kind));
    }
    if !is_order_id(&order_id) {
        return WebhookReply::Rejected("The session names no order of this store.".into());
    }
    let order = match load_order(db, &order_id).await {
        Ok(Some(o)) => o,
        Ok(None) => return WebhookReply::Unknown(format!("There is no order {order_id}.")),
        Err(e) => {
            tracing::error!(error = %e, "webhook: read order");
            return WebhookReply::Rejected("The order could not be read; try again.".into());
        }
    };
    if order.provider != "stripe" {
        return WebhookReply::Rejected(format!("Order {order_id} is not paid through Stripe."));
    }
    if event.kind == "checkout.session.expired" {
        return match close_unpaid(db, &order_id, OrderStatus::Cancelled, None).await {
            Ok(Applied::Now) => WebhookReply::Applied(format!("Order {order_id} cancelled.")),
            Ok(Applied::Already) => WebhookReply::Ignored("Already cancelled.".into()),
            Err(e) => WebhookReply::Ignored(e.to_string()),
        };
    }
    if session.payment_status.as_deref() != Some("paid") {
        return WebhookReply::Ignored("The payment is not complete yet.".into());
    }
    let currency = session.currency.clone().unwrap_or_default().to_uppercase();
    if session.amount_total != Some(order.total_minor) || currency != order.currency {
        tracing::error!(order = %order_id, event = %event.id, "webhook amount does not match the order");
        return WebhookReply::Rejected(format!(
            "The amount paid does not match order {order_id}; nothing was changed."
        ));
    }
    let reference = session
        .payment_intent
        .clone()
        .unwrap_or_else(|| event.id.clone());
    let fee = stripe.fee(order.total_minor);
    match mark_paid(db, &order_id, "stripe", &event.id, &reference, fee).await {
        Ok(applied) => {
            if let Err(e) = fulfil(db, &order_id).await {
                tracing::error!(error = %e, "webhook: fulfil");
            }
            match applied {
                Applied::Now => WebhookReply::Applied(format!("Order {order_id} paid.")),
                Applied::Already => WebhookReply::Ignored("Already applied.".into()),
            }
        }
        Err(AppError::Conflict(m)) => WebhookReply::Rejected(m),
        Err(AppError::NotFound(m)) => WebhookReply::Unknown(m),
        Err(e) => WebhookReply::Rejected(e.to_string()),
    }
}

// Bundles -----------------------------------------------------------------------------

fn bundle_view(
    b: &super::catalog::IndexedBundle,
    index: &super::catalog::CatalogIndex,
    locale: Locale,
) -> BundleView {
    let items: Vec<crate::models::catalog::ItemCard> = b
        .items
        .iter()
        .filter_map(|k| index.item_by_key(k))
        .map(|it| it.card.clone())
        .collect();
    let worth = items.iter().map(|c| c.price.minor).sum();
    BundleView {
        title: if locale == Locale::Zh && !b.title_zh.is_empty() {
            b.title_zh.clone()
        } else {
            b.title_en.clone()
        },
        slug: b.slug.clone(),
        price: Price {
            minor: b.price_minor,
            currency: b.currency.clone(),
        },
        worth: Price {
            minor: worth,
            currency: b.currency.clone(),
        },
        items,
    }
}

/// The published bundles that contain item `item_key` (from the catalog in memory).
pub fn bundles_containing(
    index: &super::catalog::CatalogIndex,
    item_key: &str,
    locale: Locale,
) -> Vec<BundleView> {
    index
        .bundles_with(item_key)
        .map(|b| bundle_view(b, index, locale))
        .collect()
}

/// A published bundle's page.
pub fn bundle(
    index: &super::catalog::CatalogIndex,
    slug: &str,
    locale: Locale,
) -> Result<BundleView, AppError> {
    index
        .bundle(slug)
        .map(|b| bundle_view(b, index, locale))
        .ok_or_else(|| AppError::NotFound(format!("There is no bundle called “{slug}”.")))
}
