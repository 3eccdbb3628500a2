//! The language pages speak: English or Simplified Chinese.
//!
//! A signed-in person's choice wins; otherwise the browser's `Accept-Language` decides.

use serde::{Deserialize, Serialize};

/// A supported language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Locale {
    /// English.
    #[default]
    #[serde(rename = "en")]
    En,
    /// Simplified Chinese.
    #[serde(rename = "zh-CN")]
    Zh,
}

impl Locale {
    /// The BCP 47 tag, as stored and as used in `lang` attributes.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Zh => "zh-CN",
        }
    }

    /// Parses a stored tag (`en`, `zh-CN`, also `zh`).
    pub fn parse(tag: &str) -> Option<Locale> {
        let tag = tag.trim().to_ascii_lowercase();
        if tag == "en" || tag.starts_with("en-") {
            Some(Locale::En)
        } else if tag == "zh" || tag.starts_with("zh-") {
            Some(Locale::Zh)
        } else {
            None
        }
    }

    /// The best supported language for an `Accept-Language` header (English if none fits).
    pub fn from_accept_language(header: &str) -> Locale {
        let mut best: Option<(f32, Locale)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(locale) = Locale::parse(tag) {
                if best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, locale));
                }
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }

    /// Picks the English or the Chinese text.
    pub fn pick(self, en: &'static str, zh: &'static str) -> &'static str {
        match self {
            Locale::En => en,
            Locale::Zh => zh,
        }
    }
}

/// The name of the cookie that remembers a visitor's language choice (a preference, not an
/// identifier: it holds only `en` or `zh-CN`).
pub const LANG_COOKIE: &str = "sz_lang";

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl Locale {
    /// The other language (what the switch in the footer offers).
    pub fn other(self) -> Locale {
        match self {
            Locale::En => Locale::Zh,
            Locale::Zh => Locale::En,
        }
    }

    /// The language's name in itself, as a switch shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::Zh => "中文",
        }
    }

    /// A whole number with digit grouping: `12,345` (both languages group by thousands).
    ///
    /// ```
    /// use app::models::i18n::Locale;
    /// assert_eq!(Locale::En.number(1234567), "1,234,567");
    /// assert_eq!(Locale::Zh.number(-950), "-950");
    /// ```
    pub fn number(self, n: i64) -> String {
        let digits = n.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
        if n < 0 {
            out.push('-');
        }
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    }

    /// A price as this language writes it: `Free` / `免费`, `¥1,249.00`, `US$9.90` in
    /// Chinese where `$` alone would be ambiguous.
    ///
    /// ```
    /// use app::models::{i18n::Locale, money::Price};
    /// let p = |minor, c: &str| Price { minor, currency: c.into() };
    /// assert_eq!(Locale::En.price(&p(124900, "CNY")), "¥1,249.00");
    /// assert_eq!(Locale::Zh.price(&p(0, "CNY")), "免费");
    /// assert_eq!(Locale::Zh.price(&p(990, "USD")), "US$9.90");
    /// assert_eq!(Locale::En.price(&p(-500, "EUR")), "-€5.00");
    /// ```
    pub fn price(self, price: &crate::models::money::Price) -> String {
        if price.is_free() {
            return self.pick("Free", "免费").to_string();
        }
        let sign = if price.minor < 0 { "-" } else { "" };
        let abs = price.minor.unsigned_abs();
        let amount = format!("{}.{:02}", self.number((abs / 100) as i64), abs % 100);
        let symbol = match (price.currency.as_str(), self) {
            ("CNY", _) => "¥".to_string(),
            ("USD", Locale::En) => "$".to_string(),
            ("USD", Locale::Zh) => "US$".to_string(),
            ("EUR", _) => "€".to_string(),
            ("GBP", _) => "£".to_string(),
            (other, _) => format!("{other} "),
        };
        format!("{sign}{symbol}{amount}")
    }

    /// The date of an RFC 3339 timestamp (or a bare `YYYY-MM-DD`): `26 Nov 2026` /
    /// `2026年11月26日`. Text that is not a date is returned as it is.
    ///
    /// ```
    /// use app::models::i18n::Locale;
    /// assert_eq!(Locale::En.date("2026-11-26T08:00:00Z"), "26 Nov 2026");
    /// assert_eq!(Locale::Zh.date("2026-01-05"), "2026年1月5日");
    /// assert_eq!(Locale::En.date("soon"), "soon");
    /// ```
    pub fn date(self, rfc3339: &str) -> String {
        let parts = rfc3339
            .get(..10)
            .map(|d| d.split('-').map(str::parse::<u32>).collect::<Vec<_>>());
        match parts.as_deref() {
            Some([Ok(y), Ok(m), Ok(d)]) if (1..=12).contains(m) && (1..=31).contains(d) => {
                match self {
                    Locale::En => format!("{d} {} {y}", MONTHS[*m as usize - 1]),
                    Locale::Zh => format!("{y}年{m}月{d}日"),
                }
            }
            _ => rfc3339.to_string(),
        }
    }

    /// A `YYYY-MM-DD HH:MM` time (UTC) with the date in this language's form:
    /// `26 Nov 2026, 08:05 UTC` / `2026年11月26日 08:05 UTC`.
    ///
    /// ```
    /// use app::models::i18n::Locale;
    /// assert_eq!(Locale::En.date_time("2026-11-26 08:05"), "26 Nov 2026, 08:05 UTC");
    /// assert_eq!(Locale::Zh.date_time("2026-11-26 08:05"), "2026年11月26日 08:05 UTC");
    /// assert_eq!(Locale::Zh.date_time("2026-11-26"), "2026年11月26日");
    /// ```
    pub fn date_time(self, at: &str) -> String {
        let date = self.date(at);
        match at.get(11..16) {
            Some(time) if date != at => match self {
                Locale::En => format!("{date}, {time} UTC"),
                Locale::Zh => format!("{date} {time} UTC"),
            },
            _ => date,
        }
    }

    /// "N things" with the right English plural; Chinese counts need no plural.
    ///
    /// ```
    /// use app::models::i18n::Locale;
    /// assert_eq!(Locale::En.count(1, "item", "items", "件"), "1 item");
    /// assert_eq!(Locale::En.count(1200, "item", "items", "件"), "1,200 items");
    /// assert_eq!(Locale::Zh.count(3, "item", "items", "件"), "3 件");
    /// ```
    pub fn count(self, n: i64, one: &str, many: &str, zh_unit: &str) -> String {
        match self {
            Locale::En => format!("{} {}", self.number(n), if n == 1 { one } else { many }),
            Locale::Zh => format!("{} {zh_unit}", self.number(n)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_preferred_supported_language() {
        assert_eq!(
            Locale::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Locale::Zh
        );
        assert_eq!(Locale::from_accept_language("en-GB,en;q=0.9"), Locale::En);
        assert_eq!(
            Locale::from_accept_language("fr-FR,zh;q=0.5,en;q=0.4"),
            Locale::Zh
        );
        assert_eq!(Locale::from_accept_language("fr"), Locale::En);
        assert_eq!(Locale::from_accept_language(""), Locale::En);
    }
}
