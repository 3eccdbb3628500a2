//! The creator's side of selling: their ledger (gross, fees, refunds, net per month and per
//! product — summed from the ledger entries the order transitions wrote, so it always
//! agrees with the orders), their recent orders without buyers' personal data, their
//! refund window and their coupons.

use super::super::access::SignedIn;
use super::super::catalog::CatalogIndex;
use super::super::db::{execute, rows, transact, Db, TxError};
use crate::error::AppError;
use crate::models::account::Role;
use crate::models::commerce::{CouponSummary, LedgerRow, OrderStatus, SaleRow, SalesView};
use crate::models::i18n::Locale;
use crate::models::money::Price;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

/// A storefront: its record key, name and refund window.
#[derive(Deserialize)]
pub(crate) struct CreatorRow {
    pub(crate) key: String,
    pub(crate) name: String,
    refund_days: Option<i64>,
}

/// The storefront `me` runs: creators (and admins who have one) only.
pub(crate) async fn my_storefront(db: &Db, me: &SignedIn) -> Result<CreatorRow, AppError> {
    if !me.has(Role::Creator) {
        return Err(AppError::Forbidden);
    }
    rows::<CreatorRow>(
        db,
        "find storefront",
        "SELECT record::id(id) AS key, name, refund_days FROM creator WHERE user = type::record('user', $u) LIMIT 1",
        json!({ "u": me.user_key }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("find storefront", e))?
    .into_iter()
    .next()
    .ok_or_else(|| AppError::NotFound("Your account has no storefront yet.".into()))
}

#[derive(Deserialize)]
struct Entry {
    kind: String,
    product: String,
    gross_minor: i64,
    fee_minor: i64,
    net_minor: i64,
    currency: String,
    month: String,
}

#[derive(Default, Clone, Copy)]
struct Sums {
    gross: i64,
    fees: i64,
    refunds: i64,
    net: i64,
}

impl Sums {
    fn add(&mut self, e: &Entry) {
        if e.kind == "refund" {
            self.refunds += e.gross_minor;
        } else {
            self.gross += e.gross_minor;
            self.fees += e.fee_minor;
        }
        self.net += e.net_minor;
    }

    fn row(self, label: String, currency: &str) -> LedgerRow {
        let p = |minor| Price {
            minor,
            currency: currency.to_string(),
        };
        LedgerRow {
            label,
            gross: p(self.gross),
            fees: p(self.fees),
            refunds: p(self.refunds),
            net: p(self.net),
        }
    }
}

#[derive(Deserialize)]
struct SaleOrder {
    id: String,
    status: String,
    created_at: String,
    currency: String,
    mine: Vec<SaleLine>,
}

#[derive(Deserialize)]
struct SaleLine {
    title: String,
    total_minor: i64,
}

#[derive(Deserialize)]
struct CouponDbRow {
    code: String,
    percent_off: Option<i64>,
    amount_off_minor: Option<i64>,
    currency: Option<String>,
    uses: i64,
    max_uses: Option<i64>,
    expires_at: Option<String>,
    expired: bool,
    audience: Option<String>,
}

/// The sales page of the storefront `me` runs.
pub async fn sales(db: &Db, index: &CatalogIndex, me: &SignedIn) -> Result<SalesView, AppError> {
    let creator = my_storefront(db, me).await?;
    let vars = json!({ "c": creator.key });
    let entries: Vec<Entry> = rows(
        db,
        "read ledger",
        "SELECT kind, product, gross_minor, fee_minor, net_minor, currency, time::format(at, '%Y-%m') AS month
         FROM ledger WHERE creator = type::record('creator', $c)",
        vars.clone(),
        0,
    )
    .await
    .map_err(|e| AppError::internal("read ledger", e))?;
    let currency = entries
        .first()
        .map(|e| e.currency.clone())
        .unwrap_or_else(|| "CNY".into());
    let mut total = Sums::default();
    let mut months: BTreeMap<String, Sums> = BTreeMap::new();
    let mut products: BTreeMap<String, Sums> = BTreeMap::new();
    for e in &entries {
        total.add(e);
        months.entry(e.month.clone()).or_default().add(e);
        products.entry(e.product.clone()).or_default().add(e);
    }
    let title_of = |product: &str| -> String {
        product
            .strip_prefix("item:")
            .and_then(|slug| index.item(slug))
            .map(|i| i.card.title.clone())
            .unwrap_or_else(|| product.to_string())
    };
    let mut by_product: Vec<LedgerRow> = products
        .into_iter()
        .map(|(p, s)| s.row(title_of(&p), &currency))
        .collect();
    by_product.sort_by_key(|r| std::cmp::Reverse(r.gross.minor));
    let orders: Vec<SaleOrder> = rows(
        db,
        "creator orders",
        "SELECT record::id(id) AS id, status, <string> created_at AS created_at, currency,
                lines[WHERE creator = type::record('creator', $c)] AS mine
         FROM orders WHERE lines.creator CONTAINS type::record('creator', $c)
           AND status INSIDE ['paid', 'fulfilled', 'refunded']
         ORDER BY created_at DESC LIMIT 100",
        vars.clone(),
        0,
    )
    .await
    .map_err(|e| AppError::internal("creator orders", e))?;
    let coupons: Vec<CouponDbRow> = rows(
        db,
        "creator coupons",
        "SELECT code, percent_off, amount_off_minor, currency, uses, max_uses,
                (IF expires_at THEN <string> expires_at END) AS expires_at,
                (expires_at != NONE AND expires_at < time::now()) AS expired, audience
         FROM coupon WHERE creator = type::record('creator', $c) ORDER BY code",
        vars,
        0,
    )
    .await
    .map_err(|e| AppError::internal("creator coupons", e))?;
    Ok(SalesView {
        creator_name: creator.name,
        refund_days: creator.refund_days.unwrap_or(14),
        totals: total.row("Total".into(), &currency),
        by_month: months
            .into_iter()
            .rev()
            .map(|(m, s)| s.row(m, &currency))
            .collect(),
        by_product,
        orders: orders
            .into_iter()
            .map(|o| SaleRow {
                id: o.id,
                created_at: o.created_at,
                status: OrderStatus::parse(&o.status).unwrap_or(OrderStatus::Failed),
                titles: o.mine.iter().map(|l| l.title.clone()).collect(),
                total: Price {
                    minor: o.mine.iter().map(|l| l.total_minor).sum(),
                    currency: o.currency,
                },
            })
            .collect(),
        coupons: coupons
            .into_iter()
            .map(|c| CouponSummary {
                rule: match (c.percent_off, c.amount_off_minor) {
                    (Some(p), _) => format!("{p}% off"),
                    (None, Some(a)) => format!(
                        "{} off",
                        Price {
                            minor: a,
                            currency: c.currency.unwrap_or_default()
                        }
                        .display()
                    ),
                    _ => String::new(),
                },
                ended: c.expired || c.max_uses.is_some_and(|m| c.uses >= m),
                code: c.code,
                uses: c.uses,
                max_uses: c.max_uses,
                expires_at: c.expires_at,
                audience: c.audience,
            })
            .collect(),
    })
}

/// Sets how many days after payment learners may ask for a refund (0–365). Orders keep
/// the window they were bought under.
pub async fn set_refund_days(db: &Db, me: &SignedIn, days: i64) -> Result<(), AppError> {
    let creator = my_storefront(db, me).await?;
    if !(0..=365).contains(&days) {
        return Err(AppError::BadRequest(
            "The refund window is 0 to 365 days.".into(),
        ));
    }
    execute(
        db,
        "set refund window",
        "UPDATE type::record('creator', $c) SET refund_days = $d",
        json!({ "c": creator.key, "d": days }),
    )
    .await
    .map_err(|e| AppError::internal("set refund window", e))
}

/// What a new coupon is, as the creator filled in the form.
#[derive(Debug, Clone, Default)]
pub struct NewCoupon<'a> {
    /// The code (3–32 letters, digits or dashes; stored in capitals).
    pub code: &'a str,
    /// `percent` or `amount`.
    pub kind: &'a str,
    /// 1–100 for `percent`; yuan (`5`, `12.50`) for `amount`.
    pub value: &'a str,
    /// Use limit, empty for none.
    pub max_uses: Option<&'a str>,
    /// Last day (`YYYY-MM-DD`), empty for none.
    pub expires: Option<&'a str>,
    /// A segment of the store's analytics (its number): only its members may use the code.
    pub segment: Option<&'a str>,
    /// E-mail the code to the segment's members who asked for updates.
    pub notify: bool,
}

/// A new coupon for the storefront `me` runs: `percent` (1–100) or `amount` (minor units,
/// in CNY, the store's currency), optionally limited in uses and by an end date
/// (`YYYY-MM-DD`, the coupon works through that day, UTC), optionally only for the
/// learners of one segment of the store's analytics — who can then be sent the code.
/// Returns how many learners it was e-mailed to.
pub async fn create_coupon(
    db: &Db,
    auth: &crate::ssr::accounts::AuthSettings,
    me: &SignedIn,
    new: &NewCoupon<'_>,
) -> Result<usize, AppError> {
    use crate::models::account::Problem;
    let NewCoupon {
        code,
        kind,
        value,
        max_uses,
        expires,
        ..
    } = *new;
    let creator = my_storefront(db, me).await?;
    let value = match kind {
        "amount" => parse_major_units(value),
        _ => value.trim().parse::<i64>().ok(),
    }
    .ok_or_else(|| {
        AppError::BadRequest("Write the discount as a number, e.g. 10 or 5.50.".into())
    })?;
    let max_uses = match max_uses.map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => Some(m.parse::<i64>().map_err(|_| {
            AppError::BadRequest("The use limit is a whole number, or empty for none.".into())
        })?),
        None => None,
    };
    let code = code.trim().to_uppercase();
    if !(3..=32).contains(&code.len())
        || !code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(AppError::BadRequest(
            "A code is 3 to 32 letters, digits or dashes.".into(),
        ));
    }
    let (percent, amount) = match kind {
        "percent" if (1..=100).contains(&value) => (Some(value), None),
        "amount" if (1..=super::pricing::MAX_UNIT_MINOR).contains(&value) => (None, Some(value)),
        "percent" | "amount" => {
            return Err(AppError::BadRequest(
                "A percentage is 1 to 100; an amount is more than zero and at most 1,000,000.00."
                    .into(),
            ))
        }
        _ => return Err(AppError::field("kind", Problem::ChoiceInvalid)),
    };
    if max_uses.is_some_and(|m| !(1..=1_000_000).contains(&m)) {
        return Err(AppError::BadRequest(
            "The use limit is 1 to 1,000,000 (or empty for no limit).".into(),
        ));
    }
    let expires = match expires.map(str::trim).filter(|e| !e.is_empty()) {
        Some(d) => {
            let ok = d.len() == 10
                && d.bytes().enumerate().all(|(i, b)| {
                    if i == 4 || i == 7 {
                        b == b'-'
                    } else {
                        b.is_ascii_digit()
                    }
                });
            if !ok {
                return Err(AppError::BadRequest(
                    "The end date is written YYYY-MM-DD.".into(),
                ));
            }
            Some(format!("{d}T23:59:59Z"))
        }
        None => None,
    };
    let (audience, members) = match new.segment.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => {
            let n = s
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=crate::ssr::analytics::report::MAX_SEGMENTS).contains(n))
                .ok_or_else(|| {
                    AppError::BadRequest("A segment is a number from the analytics page.".into())
                })?;
            let members = crate::ssr::analytics::report::segment_members(db, &creator.key, n)
                .await
                .map_err(|e| AppError::internal("read segment members", e))?;
            if members.is_empty() {
                return Err(AppError::BadRequest(format!(
                    "Segment {n} of your analytics has no learners now; open the analytics page again and pick a segment from it."
                )));
            }
            (
                Some(format!("Segment {n} · {} learners", members.len())),
                members,
            )
        }
        None => (None, Vec::new()),
    };
    let created = transact(
        db,
        "create coupon",
        "BEGIN TRANSACTION;
         CREATE type::record('coupon', $code) SET code = $code, creator = type::record('creator', $c),
            percent_off = $percent, amount_off_minor = $amount, currency = IF $amount THEN 'CNY' END,
            max_uses = $max, expires_at = IF $expires THEN <datetime> $expires END, created_at = time::now(),
            audience = $audience;
         INSERT INTO coupon_member $members.map(|$u| { id: [$code, $u], coupon: $code, user: $u });
         COMMIT TRANSACTION;",
        json!({
            "code": code, "c": creator.key, "percent": percent, "amount": amount,
            "max": max_uses, "expires": expires, "audience": audience, "members": members,
        }),
    )
    .await
    .map_err(|e| match e {
        TxError::Db(e) => e.to_string(),
        TxError::Refused(r) => r,
    });
    match created {
        Ok(()) if new.notify && !members.is_empty() => {
            send_coupon(db, auth, &creator.name, &code, &members).await
        }
        Ok(()) => Ok(0),
        Err(e) if e.to_string().contains("already exists") => Err(AppError::Conflict(format!(
            "The code {code} is taken; choose another."
        ))),
        Err(e) if e.to_string().to_lowercase().contains("datetime") => Err(AppError::BadRequest(
            "That end date does not exist; it is written YYYY-MM-DD.".into(),
        )),
        Err(e) => Err(AppError::internal("create coupon", e)),
    }
}

/// E-mails coupon `code` of store `store_name` to those of `members` who asked for updates
/// by e-mail, each in their own language. Returns how many were sent.
async fn send_coupon(
    db: &Db,
    auth: &crate::ssr::accounts::AuthSettings,
    store_name: &str,
    code: &str,
    members: &[String],
) -> Result<usize, AppError> {
    use crate::ssr::mail::Mail;
    #[derive(Deserialize)]
    struct Recipient {
        email: String,
        name: String,
        locale: String,
    }
    let recipients: Vec<Recipient> = rows(
        db,
        "read coupon recipients",
        "SELECT email, display_name AS name, locale FROM $ids.map(|$k| type::record('user', $k))
         WHERE email_updates = true",
        json!({ "ids": members }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("read coupon recipients", e))?;
    let origin = &auth.origin;
    for r in &recipients {
        let name = &r.name;
        let (subject, body) = match Locale::parse(&r.locale).unwrap_or(Locale::En) {
            Locale::Zh => (
                format!("{store_name} 送您一个优惠码：{code}"),
                format!(
                    "{name}，您好：\n\n{store_name} 为您准备了优惠码 {code}。在购物车中输入即可使用（仅限您的账号）：\n{origin}/cart\n\n您收到这封邮件，是因为您在账户设置中选择了接收更新邮件；随时可以在那里关闭：{origin}/account\n"
                ),
            ),
            Locale::En => (
                format!("A coupon from {store_name}: {code}"),
                format!(
                    "Hello {name},\n\n{store_name} has a coupon for you: {code}. Enter it in your cart; it works with your account only:\n{origin}/cart\n\nYou get this because you asked for updates by e-mail; you can turn them off at any time: {origin}/account\n"
                ),
            ),
        };
        let mail = Mail {
            to: r.email.clone(),
            subject,
            body,
        };
        auth.mailer
            .send(db, mail)
            .await
            .map_err(|e| AppError::internal("send coupon mail", e))?;
    }
    Ok(recipients.len())
}

pub use crate::models::money::parse_major_units;

#[cfg(test)]
mod tests {
    use super::parse_major_units;

    #[test]
    fn amounts_in_yuan_become_fen_exactly() {
        assert_eq!(parse_major_units("5"), Some(500));
        assert_eq!(parse_major_units("12.5"), Some(1250));
        assert_eq!(parse_major_units(" 0.07 "), Some(7));
        for bad in ["", "-1", "1.234", "abc", "1e3", "1,000", "9999999999", ".5"] {
            assert_eq!(parse_major_units(bad), None, "{bad}");
        }
    }
}
