//! What the cart, checkout and order pages show. Prices here are always computed by the
//! server; the browser displays them and never sends one back as a fact.

use super::catalog::ItemCard;
use super::money::Price;
use serde::{Deserialize, Serialize};

/// The longest idempotency key accepted.
pub const MAX_IDEMPOTENCY_KEY: usize = 64;
/// The most lines one cart holds.
pub const MAX_CART_LINES: usize = 50;

/// Something that can be put in the cart, as written in forms and stored in carts:
/// `item:<slug>`, `bundle:<slug>` or `membership:<tier>:<monthly|yearly>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Product {
    /// A single item.
    Item(String),
    /// Several items at one price.
    Bundle(String),
    /// A period of membership in a creator's tier (by the tier's record key).
    Membership {
        /// The tier's record key.
        tier: String,
        /// How long one purchase lasts.
        plan: Plan,
    },
}

/// How long one purchase of a membership lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Plan {
    /// 30 days.
    Monthly,
    /// 365 days.
    Yearly,
}

impl Plan {
    /// As written in product names and stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Monthly => "monthly",
            Plan::Yearly => "yearly",
        }
    }

    /// Parses [`Plan::as_str`].
    pub fn parse(s: &str) -> Option<Plan> {
        match s {
            "monthly" => Some(Plan::Monthly),
            "yearly" => Some(Plan::Yearly),
            _ => None,
        }
    }

    /// The days one purchase adds to a membership.
    pub fn days(self) -> u32 {
        match self {
            Plan::Monthly => 30,
            Plan::Yearly => 365,
        }
    }
}

impl Product {
    /// Parses `item:<slug>` / `bundle:<slug>`.
    ///
    /// ```
    /// use app::models::commerce::Product;
    /// assert_eq!(Product::parse("item:rust-intro"), Some(Product::Item("rust-intro".into())));
    /// assert_eq!(Product::parse("bundle:x").map(|p| p.to_string()), Some("bundle:x".into()));
    /// assert_eq!(Product::parse("item:../x"), None);
    /// assert_eq!(Product::parse("gift:x"), None);
    /// assert_eq!(
    ///     Product::parse("membership:c1:yearly").map(|p| p.to_string()),
    ///     Some("membership:c1:yearly".into())
    /// );
    /// assert_eq!(Product::parse("membership:c1:weekly"), None);
    /// ```
    pub fn parse(s: &str) -> Option<Product> {
        let (kind, rest) = s.trim().split_once(':')?;
        if kind == "membership" {
            let (tier, plan) = rest.split_once(':')?;
            if !super::catalog::is_slug(tier) {
                return None;
            }
            return Some(Product::Membership {
                tier: tier.to_string(),
                plan: Plan::parse(plan)?,
            });
        }
        if !super::catalog::is_slug(rest) {
            return None;
        }
        match kind {
            "item" => Some(Product::Item(rest.to_string())),
            "bundle" => Some(Product::Bundle(rest.to_string())),
            _ => None,
        }
    }

    /// The slug of the item or bundle, the key of the membership tier.
    pub fn slug(&self) -> &str {
        match self {
            Product::Item(s) | Product::Bundle(s) => s,
            Product::Membership { tier, .. } => tier,
        }
    }
}

impl std::fmt::Display for Product {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Product::Item(s) => write!(f, "item:{s}"),
            Product::Bundle(s) => write!(f, "bundle:{s}"),
            Product::Membership { tier, plan } => write!(f, "membership:{tier}:{}", plan.as_str()),
        }
    }
}

/// Whether `key` is an acceptable idempotency key: 8 to 64 letters, digits, `-` or `_`.
pub fn is_idempotency_key(key: &str) -> bool {
    (8..=MAX_IDEMPOTENCY_KEY).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Sums of a cart or an order, all in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Before discounts.
    pub subtotal: Price,
    /// Taken off by the coupon.
    pub discount: Price,
    /// What is paid.
    pub total: Price,
    /// The tax included in `total`.
    pub tax: Price,
    /// The tax rate in basis points (600 = 6 %).
    pub tax_rate_bp: u32,
}

impl Totals {
    /// The tax rate as people read it: `6%`, `7.5%`.
    ///
    /// ```
    /// # use app::models::commerce::Totals;
    /// # use app::models::money::Price;
    /// # let p = |m| Price { minor: m, currency: "CNY".into() };
    /// let t = Totals { subtotal: p(0), discount: p(0), total: p(0), tax: p(0), tax_rate_bp: 750 };
    /// assert_eq!(t.tax_rate_label(), "7.5%");
    /// ```
    pub fn tax_rate_label(&self) -> String {
        let whole = self.tax_rate_bp / 100;
        let frac = self.tax_rate_bp % 100;
        if frac == 0 {
            format!("{whole}%")
        } else {
            format!("{whole}.{}%", format!("{frac:02}").trim_end_matches('0'))
        }
    }
}

/// One line of the cart or an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// `item:<slug>` or `bundle:<slug>`.
    pub product: String,
    /// Title.
    pub title: String,
    /// Where the product's page is.
    pub href: String,
    /// The product's own price.
    pub unit: Price,
    /// The coupon's share.
    pub discount: Price,
    /// What this line costs.
    pub total: Price,
}

/// The cart page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CartView {
    /// What is in it.
    pub lines: Vec<Line>,
    /// The coupon applied, if any.
    pub coupon: Option<String>,
    /// Sums (absent for an empty cart).
    pub totals: Option<Totals>,
    /// Something the store changed since the last visit (a coupon that stopped applying).
    pub note: Option<String>,
    /// A fresh idempotency key for the checkout form, so that submitting it twice makes
    /// one order.
    pub checkout_key: String,
}

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    /// Waiting for payment.
    Pending,
    /// Paid; the items are being granted.
    Paid,
    /// Paid and granted: the items are in the buyer's library.
    Fulfilled,
    /// The payment was declined.
    Failed,
    /// Given up before payment.
    Cancelled,
    /// Paid back; the items were taken out of the library.
    Refunded,
}

impl OrderStatus {
    /// The value stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Paid => "paid",
            OrderStatus::Fulfilled => "fulfilled",
            OrderStatus::Failed => "failed",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Refunded => "refunded",
        }
    }

    /// Parses the stored value.
    pub fn parse(s: &str) -> Option<OrderStatus> {
        [
            OrderStatus::Pending,
            OrderStatus::Paid,
            OrderStatus::Fulfilled,
            OrderStatus::Failed,
            OrderStatus::Cancelled,
            OrderStatus::Refunded,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            OrderStatus::Pending => "Awaiting payment",
            OrderStatus::Paid => "Paid",
            OrderStatus::Fulfilled => "Paid",
            OrderStatus::Failed => "Payment declined",
            OrderStatus::Cancelled => "Cancelled",
            OrderStatus::Refunded => "Refunded",
        }
    }

    /// Whether the order's items are the buyer's.
    pub fn grants_access(self) -> bool {
        matches!(self, OrderStatus::Paid | OrderStatus::Fulfilled)
    }
}

/// An order and its receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderView {
    /// The order number.
    pub id: String,
    /// Where it is.
    pub status: OrderStatus,
    /// What was bought.
    pub lines: Vec<Line>,
    /// Sums.
    pub totals: Totals,
    /// The coupon used.
    pub coupon: Option<String>,
    /// Who took the payment (`sandbox`, `stripe`, `free`).
    pub provider: String,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// When it was paid.
    pub paid_at: Option<String>,
    /// When it was refunded, cancelled or declined.
    pub closed_at: Option<String>,
    /// The last day a refund can be asked for, while that is still possible.
    pub refundable_until: Option<String>,
    /// Why a payment failed.
    pub failure: Option<String>,
    /// Where to pay while it is pending.
    pub pay_url: Option<String>,
    /// Set when the order is a gift.
    pub gift: Option<GiftNote>,
}

/// A gift order as its buyer sees it on the receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GiftNote {
    /// Who it is for.
    pub email: String,
    /// The buyer's message.
    pub message: String,
    /// The claim link (once paid), to forward if the e-mail went astray.
    pub link: Option<String>,
    /// When the recipient claimed it.
    pub claimed_at: Option<String>,
}

/// The gift form: what is given and what it costs now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GiftQuote {
    /// `item:<slug>` or `bundle:<slug>`.
    pub product: String,
    /// Title.
    pub title: String,
    /// Its page.
    pub href: String,
    /// What the gift costs (tax included).
    pub total: Price,
    /// A fresh idempotency key for the form.
    pub key: String,
}

/// The claim page of a gift, as its recipient sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GiftView {
    /// Who sent it (their display name).
    pub from: String,
    /// Their message.
    pub message: String,
    /// What it contains.
    pub items: Vec<ItemCard>,
    /// Someone already claimed it (`Some(true)`: the viewer did).
    pub claimed: Option<bool>,
    /// It was refunded and can no longer be claimed.
    pub revoked: bool,
}

/// A creator's membership tier: every item marked for it, while the membership lasts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierOffer {
    /// The tier's record key (its page is `/membership/<key>`).
    pub key: String,
    /// Name.
    pub name: String,
    /// What members get.
    pub description: String,
    /// The creator's name.
    pub creator_name: String,
    /// The creator's slug.
    pub creator_slug: String,
    /// Price of 30 days.
    pub monthly: Price,
    /// Price of 365 days.
    pub yearly: Price,
    /// Free days for a first-time member (0: no trial).
    pub trial_days: u32,
    /// How many published items it opens.
    pub item_count: u32,
    /// The viewer's membership, if they are signed in.
    pub mine: Option<MembershipState>,
}

impl TierOffer {
    /// What a year costs against twelve months, in whole percent (0 when it saves nothing).
    ///
    /// ```
    /// # use app::models::commerce::TierOffer;
    /// # use app::models::money::Price;
    /// # let p = |m| Price { minor: m, currency: "CNY".into() };
    /// let t = TierOffer { key: "c1".into(), name: "M".into(), description: String::new(),
    ///     creator_name: String::new(), creator_slug: String::new(), monthly: p(2900),
    ///     yearly: p(29900), trial_days: 7, item_count: 3, mine: None };
    /// assert_eq!(t.yearly_saving_percent(), 14);
    /// ```
    pub fn yearly_saving_percent(&self) -> u32 {
        let twelve = self.monthly.minor * 12;
        if twelve <= 0 || self.yearly.minor >= twelve {
            return 0;
        }
        ((twelve - self.yearly.minor) * 100 / twelve) as u32
    }
}

/// A learner's membership in one tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipState {
    /// Paid or trial time covers now.
    pub active: bool,
    /// The current period is the free trial.
    pub on_trial: bool,
    /// The end of the last period bought or granted (RFC 3339), past or future.
    pub until: Option<String>,
    /// They may still start the free trial.
    pub trial_available: bool,
}

/// The membership page: the tier and the items it opens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MembershipView {
    /// The tier.
    pub tier: TierOffer,
    /// The items members read in full.
    pub items: Vec<ItemCard>,
}

/// A row of the orders list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSummary {
    /// The order number.
    pub id: String,
    /// Where it is.
    pub status: OrderStatus,
    /// What was paid.
    pub total: Price,
    /// Titles of what was bought.
    pub titles: Vec<String>,
    /// When it was made (RFC 3339).
    pub created_at: String,
}

/// The date part of an RFC 3339 timestamp: `2026-11-26`.
pub fn date_of(rfc3339: &str) -> &str {
    rfc3339.get(..10).unwrap_or(rfc3339)
}

/// Whether `card` (digits, spaces allowed) passes the Luhn check.
///
/// ```
/// use app::models::commerce::luhn_ok;
/// assert!(luhn_ok("4242 4242 4242 4242"));
/// assert!(luhn_ok("4000000000000002"));
/// assert!(!luhn_ok("4242 4242 4242 4241"));
/// assert!(!luhn_ok("abc"));
/// ```
pub fn luhn_ok(card: &str) -> bool {
    let digits: Vec<u32> = card
        .chars()
        .filter(|c| *c != ' ')
        .map(|c| c.to_digit(10).unwrap_or(99))
        .collect();
    if digits.len() < 12 || digits.len() > 19 || digits.iter().any(|d| *d > 9) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// One row of a creator's ledger summary: a month, a product, or the total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerRow {
    /// `2026-11`, a product's title, or `Total`.
    pub label: String,
    /// Sales before fees.
    pub gross: Price,
    /// The payment provider's fees.
    pub fees: Price,
    /// Money paid back (a negative amount).
    pub refunds: Price,
    /// What the creator keeps: gross − fees + refunds.
    pub net: Price,
}

/// An order as its creator sees it: only their lines, no buyer's name or e-mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleRow {
    /// The order number.
    pub id: String,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// Where it is.
    pub status: OrderStatus,
    /// This creator's products in it.
    pub titles: Vec<String>,
    /// This creator's share of the order.
    pub total: Price,
}

/// A coupon as its creator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponSummary {
    /// The code.
    pub code: String,
    /// `10% off`, `¥5.00 off`.
    pub rule: String,
    /// Uses taken (by pending and paid orders).
    pub uses: i64,
    /// Uses allowed.
    pub max_uses: Option<i64>,
    /// The last day it works (RFC 3339).
    pub expires_at: Option<String>,
    /// It stopped working (expired or used up).
    pub ended: bool,
    /// Who may use it when not everyone: `Segment 2 · 130 learners`.
    pub audience: Option<String>,
}

/// A creator's sales page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesView {
    /// The storefront's name.
    pub creator_name: String,
    /// Days after payment within which learners may ask for a refund.
    pub refund_days: i64,
    /// Everything, summed.
    pub totals: LedgerRow,
    /// Per month, newest first.
    pub by_month: Vec<LedgerRow>,
    /// Per product, by gross.
    pub by_product: Vec<LedgerRow>,
    /// Recent orders with this creator's products.
    pub orders: Vec<SaleRow>,
    /// Their coupons.
    pub coupons: Vec<CouponSummary>,
}

/// A bundle: several items at one price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleView {
    /// URL slug: `/bundle/<slug>`.
    pub slug: String,
    /// Title.
    pub title: String,
    /// The bundle's price.
    pub price: Price,
    /// What its items cost one by one.
    pub worth: Price,
    /// The items in it (those on sale).
    pub items: Vec<ItemCard>,
}

impl BundleView {
    /// What buying the bundle saves against buying its items one by one.
    pub fn saving(&self) -> Price {
        Price {
            minor: (self.worth.minor - self.price.minor).max(0),
            currency: self.price.currency.clone(),
        }
    }
}

/// One of a creator's items as the products page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductItem {
    /// URL slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Its price (0: free).
    pub price: Price,
    /// Members of the creator's tier read it.
    pub for_members: bool,
    /// `published` or `draft`.
    pub status: String,
}

/// One of a creator's bundles as the products page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductBundle {
    /// URL slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Its price.
    pub price: Price,
    /// Slugs of its items.
    pub items: Vec<String>,
    /// On sale.
    pub published: bool,
}

/// A creator's membership tier as they edit it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductTier {
    /// Name.
    pub name: String,
    /// What members get.
    pub description: String,
    /// Price of 30 days.
    pub monthly: Price,
    /// Price of 365 days.
    pub yearly: Price,
    /// Free days for a first-time member.
    pub trial_days: u32,
}

/// `/studio/products`: what a creator sells and at what price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductsView {
    /// The storefront's name.
    pub creator_name: String,
    /// The store's currency.
    pub currency: String,
    /// Their items.
    pub items: Vec<ProductItem>,
    /// Their bundles.
    pub bundles: Vec<ProductBundle>,
    /// Their membership tier, once set up.
    pub tier: Option<ProductTier>,
    /// Its record key (`/membership/<key>`).
    pub tier_key: String,
    /// The store's categories, for a new item: (slug, English name, Chinese name).
    #[serde(default)]
    pub categories: Vec<(String, String, String)>,
}
