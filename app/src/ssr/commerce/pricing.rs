//! Prices, coupons and tax, computed from the database's prices only. Pure functions:
//! the cart page, checkout and the tests all go through [`quote`].

use crate::models::account::Problem;
use crate::models::commerce::{Line, Totals};
use crate::models::money::Price;

/// The largest price of one product the store accepts (1,000,000.00 in major units).
pub const MAX_UNIT_MINOR: i64 = 100_000_000;

/// A product with its price as the database has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Priced {
    /// `item:<slug>` / `bundle:<slug>`.
    pub product: String,
    /// Title.
    pub title: String,
    /// Page.
    pub href: String,
    /// The selling creator's record key.
    pub creator_key: String,
    /// The record keys of the items it grants.
    pub item_keys: Vec<String>,
    /// Price in minor units.
    pub unit_minor: i64,
    /// ISO 4217 currency.
    pub currency: String,
    /// The creator's refund window in days.
    pub refund_days: i64,
}

/// A coupon's rules, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CouponTerms {
    /// The code.
    pub code: String,
    /// The creator whose items it discounts.
    pub creator_key: String,
    /// Percent off (1–100).
    pub percent_off: Option<i64>,
    /// Fixed amount off, in `currency`.
    pub amount_off_minor: Option<i64>,
    /// Currency of the fixed amount.
    pub currency: Option<String>,
    /// Items it is limited to (empty: all of the creator's items and bundles).
    pub item_keys: Vec<String>,
    /// Its end date has passed.
    pub expired: bool,
    /// Uses allowed.
    pub max_uses: Option<i64>,
    /// Uses taken.
    pub uses: i64,
    /// Open to everyone, or given to this buyer (a coupon for a segment of learners is
    /// usable only by its members).
    pub for_you: bool,
}

impl CouponTerms {
    /// Whether the coupon discounts `line`: the creator's items and bundles (memberships
    /// keep their price).
    fn applies_to(&self, line: &Priced) -> bool {
        line.creator_key == self.creator_key
            && line.unit_minor > 0
            && !line.product.starts_with("membership:")
            && (self.item_keys.is_empty()
                || (line.product.starts_with("item:")
                    && line.item_keys.iter().all(|k| self.item_keys.contains(k))))
            && match (&self.amount_off_minor, &self.currency) {
                (Some(_), Some(c)) => *c == line.currency,
                (Some(_), None) => false,
                _ => true,
            }
    }
}

/// A priced cart: its lines with their discounts, and the sums.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// The products and what each costs after the coupon.
    pub lines: Vec<(Priced, i64)>,
    /// Currency of every amount.
    pub currency: String,
    /// Sum of the prices.
    pub subtotal_minor: i64,
    /// Sum of the discounts.
    pub discount_minor: i64,
    /// What is paid.
    pub total_minor: i64,
    /// Tax included in the total.
    pub tax_minor: i64,
    /// Tax rate in basis points.
    pub tax_rate_bp: u32,
    /// The shortest refund window among the lines' creators.
    pub refund_days: i64,
}

/// Why a cart cannot be priced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuoteError {
    /// Nothing to price.
    Empty,
    /// Lines in more than one currency.
    MixedCurrencies,
    /// A price outside 0..=[`MAX_UNIT_MINOR`].
    PriceOutOfRange(String),
    /// The coupon cannot be used.
    Coupon(Problem),
}

/// The tax included in a tax-inclusive `total` at `rate_bp`, rounded half up.
///
/// ```
/// use app::ssr::commerce::pricing::included_tax;
/// assert_eq!(included_tax(10_600, 600), 600);
/// assert_eq!(included_tax(4_900, 600), 277);
/// assert_eq!(included_tax(4_900, 0), 0);
/// ```
pub fn included_tax(total: i64, rate_bp: u32) -> i64 {
    let rate = i128::from(rate_bp);
    let t = i128::from(total);
    ((t * rate + (10_000 + rate) / 2) / (10_000 + rate)) as i64
}

/// Prices `lines` with `coupon`; prices include tax at `tax_rate_bp`.
pub fn quote(
    lines: Vec<Priced>,
    coupon: Option<&CouponTerms>,
    tax_rate_bp: u32,
) -> Result<Quote, QuoteError> {
    let first = lines.first().ok_or(QuoteError::Empty)?;
    let currency = first.currency.clone();
    if lines.iter().any(|l| l.currency != currency) {
        return Err(QuoteError::MixedCurrencies);
    }
    if let Some(bad) = lines
        .iter()
        .find(|l| !(0..=MAX_UNIT_MINOR).contains(&l.unit_minor))
    {
        return Err(QuoteError::PriceOutOfRange(bad.title.clone()));
    }
    let mut discounts = vec![0i64; lines.len()];
    if let Some(c) = coupon {
        if c.expired {
            return Err(QuoteError::Coupon(Problem::CouponExpired));
        }
        if c.max_uses.is_some_and(|m| c.uses >= m) {
            return Err(QuoteError::Coupon(Problem::CouponUsedUp));
        }
        if !c.for_you {
            return Err(QuoteError::Coupon(Problem::CouponNotForYou));
        }
        let eligible: Vec<usize> = (0..lines.len())
            .filter(|&i| c.applies_to(&lines[i]))
            .collect();
        if eligible.is_empty() {
            return Err(QuoteError::Coupon(Problem::CouponNotApplicable));
        }
        if let Some(pct) = c.percent_off {
            for &i in &eligible {
                discounts[i] = lines[i].unit_minor * pct.clamp(0, 100) / 100;
            }
        } else if let Some(off) = c.amount_off_minor {
            // A fixed amount is shared in proportion to the eligible prices (rounded
            // down); what rounding left over goes to the lines that still have room, so
            // the shares sum exactly to the amount and no line goes below zero.
            let base: i64 = eligible.iter().map(|&i| lines[i].unit_minor).sum();
            let off = off.clamp(0, base);
            for &i in &eligible {
                discounts[i] =
                    (i128::from(off) * i128::from(lines[i].unit_minor) / i128::from(base)) as i64;
            }
            let mut left = off - eligible.iter().map(|&i| discounts[i]).sum::<i64>();
            for &i in &eligible {
                let room = lines[i].unit_minor - discounts[i];
                let take = room.min(left);
                discounts[i] += take;
                left -= take;
            }
        }
    }
    let subtotal_minor: i64 = lines.iter().map(|l| l.unit_minor).sum();
    let discount_minor: i64 = discounts.iter().sum();
    let total_minor = subtotal_minor - discount_minor;
    let refund_days = lines.iter().map(|l| l.refund_days).min().unwrap_or(0);
    Ok(Quote {
        lines: lines.into_iter().zip(discounts).collect(),
        currency,
        subtotal_minor,
        discount_minor,
        total_minor,
        tax_minor: included_tax(total_minor, tax_rate_bp),
        tax_rate_bp,
        refund_days,
    })
}

impl Quote {
    /// The sums as the page shows them.
    pub fn totals(&self) -> Totals {
        let p = |minor| Price {
            minor,
            currency: self.currency.clone(),
        };
        Totals {
            subtotal: p(self.subtotal_minor),
            discount: p(self.discount_minor),
            total: p(self.total_minor),
            tax: p(self.tax_minor),
            tax_rate_bp: self.tax_rate_bp,
        }
    }

    /// The lines as the page shows them.
    pub fn view_lines(&self) -> Vec<Line> {
        self.lines
            .iter()
            .map(|(l, discount)| {
                let p = |minor| Price {
                    minor,
                    currency: l.currency.clone(),
                };
                Line {
                    product: l.product.clone(),
                    title: l.title.clone(),
                    href: l.href.clone(),
                    unit: p(l.unit_minor),
                    discount: p(*discount),
                    total: p(l.unit_minor - discount),
                }
            })
            .collect()
    }
}

/// Splits `fee` over amounts in proportion (the last takes the remainder), so the parts
/// sum exactly to `fee`.
pub fn split_fee(fee: i64, amounts: &[i64]) -> Vec<i64> {
    let base: i64 = amounts.iter().sum();
    let mut left = fee;
    amounts
        .iter()
        .enumerate()
        .map(|(n, &a)| {
            let part = if n + 1 == amounts.len() {
                left
            } else if base == 0 {
                0
            } else {
                (i128::from(fee) * i128::from(a) / i128::from(base)) as i64
            };
            left -= part;
            part
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(slug: &str, creator: &str, minor: i64) -> Priced {
        Priced {
            product: format!("item:{slug}"),
            title: slug.into(),
            href: format!("/item/{slug}"),
            creator_key: creator.into(),
            item_keys: vec![slug.into()],
            unit_minor: minor,
            currency: "CNY".into(),
            refund_days: 14,
        }
    }

    fn coupon() -> CouponTerms {
        CouponTerms {
            code: "SAVE".into(),
            creator_key: "c1".into(),
            percent_off: Some(25),
            amount_off_minor: None,
            currency: None,
            item_keys: vec![],
            expired: false,
            max_uses: None,
            uses: 0,
            for_you: true,
        }
    }

    #[test]
    fn a_percent_coupon_discounts_only_its_creators_items() {
        let q = quote(
            vec![item("a", "c1", 4900), item("b", "c2", 1000)],
            Some(&coupon()),
            600,
        )
        .unwrap();
        assert_eq!(q.lines[0].1, 1225);
        assert_eq!(q.lines[1].1, 0);
        assert_eq!(q.subtotal_minor, 5900);
        assert_eq!(q.discount_minor, 1225);
        assert_eq!(q.total_minor, 4675);
        assert_eq!(q.tax_minor, included_tax(4675, 600));
    }

    #[test]
    fn a_fixed_coupon_is_shared_exactly_and_never_exceeds_the_price() {
        let mut c = coupon();
        c.percent_off = None;
        c.amount_off_minor = Some(1000);
        c.currency = Some("CNY".into());
        let q = quote(
            vec![
                item("a", "c1", 333),
                item("b", "c1", 667),
                item("c", "c1", 1),
            ],
            Some(&c),
            0,
        )
        .unwrap();
        assert_eq!(q.discount_minor, 1000);
        assert!(q.lines.iter().all(|(l, d)| *d <= l.unit_minor));
        c.amount_off_minor = Some(50_000);
        let q = quote(vec![item("a", "c1", 300)], Some(&c), 0).unwrap();
        assert_eq!(
            q.total_minor, 0,
            "a fixed coupon never makes a total negative"
        );
        c.currency = Some("USD".into());
        assert_eq!(
            quote(vec![item("a", "c1", 300)], Some(&c), 0),
            Err(QuoteError::Coupon(Problem::CouponNotApplicable))
        );
    }

    #[test]
    fn coupons_that_cannot_be_used_say_why() {
        let mut c = coupon();
        c.expired = true;
        assert_eq!(
            quote(vec![item("a", "c1", 100)], Some(&c), 0),
            Err(QuoteError::Coupon(Problem::CouponExpired))
        );
        let mut c = coupon();
        c.max_uses = Some(2);
        c.uses = 2;
        assert_eq!(
            quote(vec![item("a", "c1", 100)], Some(&c), 0),
            Err(QuoteError::Coupon(Problem::CouponUsedUp))
        );
        assert_eq!(
            quote(vec![item("a", "c2", 100)], Some(&coupon()), 0),
            Err(QuoteError::Coupon(Problem::CouponNotApplicable))
        );
        let mut c = coupon();
        c.item_keys = vec!["b".into()];
        assert_eq!(
            quote(vec![item("a", "c1", 100)], Some(&c), 0),
            Err(QuoteError::Coupon(Problem::CouponNotApplicable))
        );
    }

    #[test]
    fn mixed_currencies_and_absurd_prices_are_refused() {
        let mut b = item("b", "c1", 100);
        b.currency = "USD".into();
        assert_eq!(
            quote(vec![item("a", "c1", 100), b], None, 0),
            Err(QuoteError::MixedCurrencies)
        );
        assert!(matches!(
            quote(vec![item("a", "c1", -1)], None, 0),
            Err(QuoteError::PriceOutOfRange(_))
        ));
        assert!(matches!(
            quote(vec![item("a", "c1", MAX_UNIT_MINOR + 1)], None, 0),
            Err(QuoteError::PriceOutOfRange(_))
        ));
        assert_eq!(quote(vec![], None, 0), Err(QuoteError::Empty));
    }

    #[test]
    fn fees_split_to_the_last_unit() {
        let parts = split_fee(143, &[4900, 100, 0]);
        assert_eq!(parts.iter().sum::<i64>(), 143);
        assert_eq!(split_fee(0, &[]), Vec::<i64>::new());
    }
}
