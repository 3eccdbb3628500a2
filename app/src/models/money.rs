//! Prices as integer minor units with a currency: no floating point anywhere near money.

use serde::{Deserialize, Serialize};

/// An amount of money in the currency's minor unit (fen, cents).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Price {
    /// Amount in minor units; 0 means the item is free.
    pub minor: i64,
    /// ISO 4217 code, e.g. `CNY`, `USD`.
    pub currency: String,
}

impl Price {
    /// Whether the item costs nothing.
    pub fn is_free(&self) -> bool {
        self.minor == 0
    }

    /// The price as shown on a card: `Free`, `¥49.00`, `$9.90`.
    ///
    /// ```
    /// use app::models::money::Price;
    /// assert_eq!(Price { minor: 4900, currency: "CNY".into() }.display(), "¥49.00");
    /// assert_eq!(Price { minor: 0, currency: "USD".into() }.display(), "Free");
    /// assert_eq!(Price { minor: 1250, currency: "SEK".into() }.display(), "SEK 12.50");
    /// ```
    pub fn display(&self) -> String {
        if self.is_free() {
            return "Free".to_string();
        }
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let amount = format!("{}.{:02}", abs / 100, abs % 100);
        match self.currency.as_str() {
            "CNY" => format!("{sign}¥{amount}"),
            "USD" => format!("{sign}${amount}"),
            "EUR" => format!("{sign}€{amount}"),
            "GBP" => format!("{sign}£{amount}"),
            other => format!("{sign}{other} {amount}"),
        }
    }
}

/// `12`, `12.5`, `12.50` → 1250 minor units; anything else (negative, three decimals,
/// letters, absurdly large) → `None`.
pub fn parse_major_units(s: &str) -> Option<i64> {
    let s = s.trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty()
        || whole.len() > 9
        || frac.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let cents = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse::<i64>().ok()?,
    };
    Some(whole.parse::<i64>().ok()? * 100 + cents)
}
