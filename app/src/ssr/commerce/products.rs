//! What a creator sells and at what price: item prices, which items their membership tier
//! opens, the tier itself (name, prices, trial), and bundles. Every change is checked
//! against the storefront the signed-in creator runs, so nobody prices someone else's
//! items. Orders already placed keep the prices they were placed at (each order line holds
//! its own); carts are priced afresh, and a checkout whose total changed meanwhile is
//! stopped with 409 so the learner sees the new price first.

use super::super::access::SignedIn;
use super::super::db::{execute, rows, Db};
use super::pricing::MAX_UNIT_MINOR;
use super::studio::{my_storefront, parse_major_units};
use crate::error::AppError;
use crate::models::catalog::is_slug;
use crate::models::commerce::{ProductBundle, ProductItem, ProductTier, ProductsView};
use crate::models::money::Price;
use serde::Deserialize;
use serde_json::json;

/// The store's currency: every price a creator sets is in it.
pub const CURRENCY: &str = "CNY";
/// The longest free trial a tier may offer, in days.
pub const MAX_TRIAL_DAYS: u32 = 90;
/// The most items a bundle may hold.
pub const MAX_BUNDLE_ITEMS: usize = 50;

#[derive(Deserialize)]
struct ItemRow {
    slug: String,
    title_en: String,
    title_zh: String,
    language: String,
    price_minor: i64,
    currency: String,
    for_members: bool,
    status: String,
}

#[derive(Deserialize)]
struct BundleRow {
    slug: String,
    title_en: String,
    title_zh: String,
    price_minor: i64,
    currency: String,
    items: Vec<String>,
    status: String,
}

#[derive(Deserialize)]
struct TierRow {
    name: String,
    description: String,
    price_monthly_minor: i64,
    price_yearly_minor: i64,
    currency: String,
    trial_days: u32,
}

/// The products page of the storefront `me` runs.
pub async fn products(db: &Db, me: &SignedIn) -> Result<ProductsView, AppError> {
    let creator = my_storefront(db, me).await?;
    let vars = json!({ "c": creator.key });
    let err = |e| AppError::internal("read products", e);
    let items: Vec<ItemRow> = rows(
        db,
        "read products",
        "SELECT slug, title_en, title_zh, language, price_minor, currency, status,
                tier = type::record('membership_tier', $c) AS for_members
         FROM item WHERE creator = type::record('creator', $c) ORDER BY published_at DESC",
        vars.clone(),
        0,
    )
    .await
    .map_err(err)?;
    let bundles: Vec<BundleRow> = rows(
        db,
        "read bundles",
        "SELECT slug, title_en, title_zh, price_minor, currency, status, items.slug AS items
         FROM bundle WHERE creator = type::record('creator', $c) ORDER BY slug",
        vars.clone(),
        0,
    )
    .await
    .map_err(err)?;
    let tier: Vec<TierRow> = rows(
        db,
        "read tier",
        "SELECT name, description, price_monthly_minor, price_yearly_minor, currency, trial_days
         FROM type::record('membership_tier', $c)",
        vars,
        0,
    )
    .await
    .map_err(err)?;
    let categories: Vec<(String, String, String)> = rows(
        db,
        "read categories",
        "SELECT VALUE [slug, name_en, name_zh] FROM category ORDER BY position",
        json!({}),
        0,
    )
    .await
    .map_err(|e| AppError::internal("read categories", e))?;
    let p = |minor, currency: &str| Price {
        minor,
        currency: currency.to_string(),
    };
    Ok(ProductsView {
        creator_name: creator.name,
        currency: CURRENCY.into(),
        items: items
            .into_iter()
            .map(|i| ProductItem {
                title: if i.language == "zh-CN" && !i.title_zh.is_empty() || i.title_en.is_empty() {
                    i.title_zh
                } else {
                    i.title_en
                },
                slug: i.slug,
                price: p(i.price_minor, &i.currency),
                for_members: i.for_members,
                status: i.status,
            })
            .collect(),
        bundles: bundles
            .into_iter()
            .map(|b| ProductBundle {
                title: if b.title_zh.is_empty() {
                    b.title_en
                } else {
                    b.title_zh
                },
                slug: b.slug,
                price: p(b.price_minor, &b.currency),
                items: b.items,
                published: b.status == "published",
            })
            .collect(),
        tier: tier.into_iter().next().map(|t| ProductTier {
            name: t.name,
            description: t.description,
            monthly: p(t.price_monthly_minor, &t.currency),
            yearly: p(t.price_yearly_minor, &t.currency),
            trial_days: t.trial_days,
        }),
        tier_key: creator.key,
        categories,
    })
}

/// A price typed in yuan (`49`, `49.90`; empty or `0` = free), checked against the limit.
fn price_field(raw: &str, free_ok: bool) -> Result<i64, AppError> {
    let raw = raw.trim();
    let minor = if raw.is_empty() {
        Some(0)
    } else {
        parse_major_units(raw)
    }
    .filter(|m| *m <= MAX_UNIT_MINOR)
    .ok_or_else(|| {
        AppError::BadRequest(
            "Write the price in yuan, like 49 or 49.90 (at most 1,000,000.00).".into(),
        )
    })?;
    if minor == 0 && !free_ok {
        return Err(AppError::BadRequest(
            "This price must be more than zero.".into(),
        ));
    }
    Ok(minor)
}

/// Sets the price of item `slug` of `me`'s storefront (`0` or empty: free), and whether the
/// membership tier opens it (only paid items can be for members).
pub async fn set_item(
    db: &Db,
    me: &SignedIn,
    slug: &str,
    price: &str,
    for_members: bool,
) -> Result<(), AppError> {
    let creator = my_storefront(db, me).await?;
    let minor = price_field(price, true)?;
    if for_members && minor == 0 {
        return Err(AppError::BadRequest(
            "A free item is open to everyone already; give it a price to make it a members' item."
                .into(),
        ));
    }
    if for_members && !tier_exists(db, &creator.key).await? {
        return Err(AppError::BadRequest(
            "Set up your membership below before marking items for members.".into(),
        ));
    }
    let changed: Vec<String> = rows(
        db,
        "set item price",
        "UPDATE item SET price_minor = $p, currency = $cur,
            tier = IF $members THEN type::record('membership_tier', $c) ELSE NONE END
         WHERE slug = $slug AND creator = type::record('creator', $c) RETURN VALUE slug",
        json!({ "p": minor, "cur": CURRENCY, "members": for_members, "c": creator.key, "slug": slug }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("set item price", e))?;
    if changed.is_empty() {
        return Err(AppError::NotFound(
            "There is no such item in your storefront.".into(),
        ));
    }
    Ok(())
}

async fn tier_exists(db: &Db, creator_key: &str) -> Result<bool, AppError> {
    let found: Vec<String> = rows(
        db,
        "find tier",
        "SELECT VALUE record::id(id) FROM type::record('membership_tier', $c)",
        json!({ "c": creator_key }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("find tier", e))?;
    Ok(!found.is_empty())
}

/// Sets up or changes `me`'s membership tier. Members keep the time they paid for; new
/// prices apply to what is bought from now on.
pub async fn save_tier(
    db: &Db,
    me: &SignedIn,
    name: &str,
    description: &str,
    monthly: &str,
    yearly: &str,
    trial_days: &str,
) -> Result<(), AppError> {
    let creator = my_storefront(db, me).await?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::BadRequest(
            "Give the membership a name of 1 to 80 characters.".into(),
        ));
    }
    let description = description.trim();
    if description.chars().count() > 500 {
        return Err(AppError::BadRequest(
            "Keep the description to 500 characters.".into(),
        ));
    }
    let monthly = price_field(monthly, false)?;
    let yearly = price_field(yearly, false)?;
    let trial: u32 = match trial_days.trim() {
        "" => 0,
        t => t
            .parse()
            .ok()
            .filter(|d| *d <= MAX_TRIAL_DAYS)
            .ok_or_else(|| {
                AppError::BadRequest(format!("The free trial is 0 to {MAX_TRIAL_DAYS} days."))
            })?,
    };
    execute(
        db,
        "save tier",
        "UPSERT type::record('membership_tier', $c) SET creator = type::record('creator', $c),
            slug = 'members', name = $name, description = $description, price_monthly_minor = $monthly,
            price_yearly_minor = $yearly, currency = $cur, trial_days = $trial",
        json!({
            "c": creator.key, "name": name, "description": description, "monthly": monthly,
            "yearly": yearly, "cur": CURRENCY, "trial": trial,
        }),
    )
    .await
    .map_err(|e| AppError::internal("save tier", e))
}

/// Creates or changes bundle `slug` of `me`'s storefront: a title, a price, two or more of
/// their own items, on sale or not. A slug another creator's bundle uses is refused.
pub async fn save_bundle(
    db: &Db,
    me: &SignedIn,
    slug: &str,
    title: &str,
    price: &str,
    items: &[String],
    published: bool,
) -> Result<(), AppError> {
    let creator = my_storefront(db, me).await?;
    let slug = slug.trim();
    if !is_slug(slug) {
        return Err(AppError::BadRequest(
            "The address is lower-case letters, digits and dashes, like reading-pack.".into(),
        ));
    }
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 120 {
        return Err(AppError::BadRequest(
            "Give the bundle a title of 1 to 120 characters.".into(),
        ));
    }
    let minor = price_field(price, false)?;
    let mut wanted: Vec<&str> = items.iter().map(|s| s.trim()).collect();
    wanted.sort_unstable();
    wanted.dedup();
    if wanted.len() < 2 || wanted.len() > MAX_BUNDLE_ITEMS {
        return Err(AppError::BadRequest(format!(
            "A bundle holds 2 to {MAX_BUNDLE_ITEMS} of your items."
        )));
    }
    #[derive(Deserialize)]
    struct Found {
        key: String,
        slug: String,
    }
    let mine: Vec<Found> = rows(
        db,
        "check bundle items",
        "SELECT record::id(id) AS key, slug FROM item WHERE slug INSIDE $slugs AND creator = type::record('creator', $c)",
        json!({ "slugs": wanted, "c": creator.key }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("check bundle items", e))?;
    if mine.len() != wanted.len() {
        return Err(AppError::BadRequest(
            "A bundle can only hold items of your own storefront.".into(),
        ));
    }
    // Keep the order the creator's list has them in (newest first), not the form's.
    let keys: Vec<&str> = wanted
        .iter()
        .filter_map(|w| mine.iter().find(|m| m.slug == *w).map(|m| m.key.as_str()))
        .collect();
    #[derive(Deserialize)]
    struct Existing {
        key: String,
        creator: String,
    }
    let existing: Vec<Existing> = rows(
        db,
        "check bundle address",
        "SELECT record::id(id) AS key, record::id(creator) AS creator FROM bundle WHERE slug = $slug",
        json!({ "slug": slug }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("check bundle address", e))?;
    if existing.iter().any(|e| e.creator != creator.key) {
        return Err(AppError::Conflict(format!(
            "The address {slug} is taken by another bundle; choose another."
        )));
    }
    let key = existing
        .first()
        .map(|e| e.key.clone())
        .unwrap_or_else(|| format!("{}_{slug}", creator.key));
    execute(
        db,
        "save bundle",
        "UPSERT type::record('bundle', $key) SET creator = type::record('creator', $c), slug = $slug,
            title_en = $title, title_zh = $title, price_minor = $p, currency = $cur,
            items = $items.map(|$k| type::record('item', $k)), status = $status",
        json!({
            "key": key, "slug": slug, "c": creator.key, "title": title, "p": minor, "cur": CURRENCY,
            "items": keys, "status": if published { "published" } else { "draft" },
        }),
    )
    .await
    .map_err(|e| AppError::internal("save bundle", e))
}
