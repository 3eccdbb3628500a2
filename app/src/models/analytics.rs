//! What a creator's analytics dashboard shows: figures for a date range next to the
//! period before it, daily series, items, sources, cohorts, segments and forecasts.
//! Money is in minor units (fen) of the store's currency.

use serde::{Deserialize, Serialize};

/// The longest range a dashboard answers, in days (three years).
pub const MAX_RANGE_DAYS: i64 = 3 * 366;

/// Days since 1970-01-01 of the civil date `y-m-d` (proleptic Gregorian).
///
/// ```
/// use app::models::analytics::{days_from_civil, civil_from_days};
/// assert_eq!(days_from_civil(1970, 1, 1), 0);
/// assert_eq!(civil_from_days(days_from_civil(2026, 2, 28) + 1), (2026, 3, 1));
/// ```
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of day number `z` (days since 1970-01-01).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// A day as `YYYY-MM-DD`.
pub fn day_string(z: i64) -> String {
    let (y, m, d) = civil_from_days(z);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Parses `YYYY-MM-DD` into a day number; `None` for anything else, including dates that
/// do not exist (`2026-02-30`).
///
/// ```
/// use app::models::analytics::parse_day;
/// assert!(parse_day("2026-11-26").is_some());
/// assert_eq!(parse_day("2026-02-30"), None);
/// assert_eq!(parse_day("26-11-2026"), None);
/// ```
pub fn parse_day(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = s[0..4].parse().ok()?;
    let m: u32 = s[5..7].parse().ok()?;
    let d: u32 = s[8..10].parse().ok()?;
    if !(1..=12).contains(&m) || d == 0 {
        return None;
    }
    let z = days_from_civil(y, m, d);
    (civil_from_days(z) == (y, m, d)).then_some(z)
}

/// The Monday of the week of day `z`, as a day number.
pub fn week_of(z: i64) -> i64 {
    // 1970-01-01 was a Thursday: Monday is three days before.
    z - (z + 3).rem_euclid(7)
}

/// An inclusive range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayRange {
    /// First day (day number).
    pub from: i64,
    /// Last day (day number), included.
    pub to: i64,
}

/// Why a date range was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    /// A date is not `YYYY-MM-DD` or does not exist.
    #[error("“{0}” is not a date: write it as YYYY-MM-DD, e.g. 2026-11-01.")]
    NotADate(String),
    /// The start is after the end.
    #[error("The start date {from} is after the end date {to}: swap them.")]
    Inverted {
        /// The start as typed.
        from: String,
        /// The end as typed.
        to: String,
    },
    /// Longer than [`MAX_RANGE_DAYS`].
    #[error("A range can be at most three years long; this one has {0} days.")]
    TooLong(i64),
}

impl DayRange {
    /// The range a dashboard shows for `from` and `to` as typed (either may be empty),
    /// `today` being the last day with data: by default the 30 days up to today.
    ///
    /// ```
    /// use app::models::analytics::{parse_day, DayRange};
    /// let today = parse_day("2026-11-26").unwrap();
    /// let r = DayRange::parse("", "", today).unwrap();
    /// assert_eq!((r.days(), r.to), (30, today));
    /// assert!(DayRange::parse("2026-11-20", "2026-11-01", today).is_err());
    /// assert!(DayRange::parse("2020-01-01", "2026-01-01", today).is_err());
    /// assert_eq!(DayRange::parse("2026-11-01", "2026-11-01", today).unwrap().days(), 1);
    /// ```
    pub fn parse(from: &str, to: &str, today: i64) -> Result<DayRange, RangeError> {
        let day = |s: &str| parse_day(s).ok_or_else(|| RangeError::NotADate(s.trim().to_string()));
        let to_day = if to.trim().is_empty() {
            today
        } else {
            day(to)?
        };
        let from_day = if from.trim().is_empty() {
            to_day - 29
        } else {
            day(from)?
        };
        if from_day > to_day {
            return Err(RangeError::Inverted {
                from: from.trim().to_string(),
                to: day_string(to_day),
            });
        }
        let r = DayRange {
            from: from_day,
            to: to_day,
        };
        if r.days() > MAX_RANGE_DAYS {
            return Err(RangeError::TooLong(r.days()));
        }
        Ok(r)
    }

    /// How many days it has.
    pub fn days(&self) -> i64 {
        self.to - self.from + 1
    }

    /// The range of the same length just before it.
    pub fn previous(&self) -> DayRange {
        DayRange {
            from: self.from - self.days(),
            to: self.from - 1,
        }
    }

    /// First day as `YYYY-MM-DD`.
    pub fn from_string(&self) -> String {
        day_string(self.from)
    }

    /// Last day as `YYYY-MM-DD`.
    pub fn to_string_last(&self) -> String {
        day_string(self.to)
    }
}

/// Counts and money over a range. Behaviour counts include only learners who allowed
/// analytics and anonymous visitors; money comes from the books and includes every sale.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    /// Visitors per day, summed (a learner once a day, an anonymous landing once). `None`
    /// for a single item.
    pub visitors: Option<i64>,
    /// Item page views.
    pub views: i64,
    /// Views of a paid item's free preview by someone who did not own it.
    pub previews: i64,
    /// Items bought (behaviour events).
    pub purchases: i64,
    /// Likes.
    pub likes: i64,
    /// Ratings given.
    pub ratings: i64,
    /// Sum of the stars given.
    pub rating_sum: i64,
    /// Learners who started reading, listening or watching (progress recorded).
    pub started: i64,
    /// Of those, how many reached 90 % or more.
    pub completed: i64,
    /// Order lines sold.
    pub sales: i64,
    /// Orders. `None` for a single item.
    pub orders: Option<i64>,
    /// Sales before fees and refunds.
    pub gross: i64,
    /// Refunded (zero or negative).
    pub refunds: i64,
    /// Payment fees.
    pub fees: i64,
    /// What the creator keeps: gross − fees + refunds.
    pub net: i64,
}

impl Figures {
    /// Purchases per preview: how often a preview became a sale.
    pub fn conversion(&self) -> Option<f64> {
        (self.previews > 0).then(|| self.purchases as f64 / self.previews as f64)
    }

    /// Average order value (gross per order).
    pub fn average_order(&self) -> Option<i64> {
        match self.orders {
            Some(n) if n > 0 => Some(self.gross / n),
            _ => None,
        }
    }

    /// Mean stars.
    pub fn rating_mean(&self) -> Option<f64> {
        (self.ratings > 0).then(|| self.rating_sum as f64 / self.ratings as f64)
    }

    /// Share of starts that were finished.
    pub fn completion(&self) -> Option<f64> {
        (self.started > 0).then(|| self.completed as f64 / self.started as f64)
    }

    /// Whether anything at all happened.
    pub fn is_empty(&self) -> bool {
        self.visitors.unwrap_or(0) == 0
            && self.views == 0
            && self.previews == 0
            && self.purchases == 0
            && self.likes == 0
            && self.ratings == 0
            && self.started == 0
            && self.sales == 0
            && self.gross == 0
            && self.refunds == 0
    }
}

/// One day of the series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayPoint {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Visitors (store only).
    pub visitors: i64,
    /// Item page views.
    pub views: i64,
    /// Purchases.
    pub purchases: i64,
    /// Net revenue.
    pub net: i64,
}

/// One product's figures over the range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductRow {
    /// `item:<slug>`, `bundle:<slug>`, `membership:<tier>:<plan>`.
    pub product: String,
    /// Its title.
    pub title: String,
    /// Its page, when it has one.
    pub href: Option<String>,
    /// Its figures.
    pub figures: Figures,
}

/// Landings from one source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRow {
    /// A referrer's domain, a `utm_source`, or `direct`.
    pub source: String,
    /// Landings.
    pub views: i64,
}

/// A search and how often it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchRow {
    /// The words searched.
    pub query: String,
    /// Times.
    pub count: i64,
}

/// A store the viewer may look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreChoice {
    /// Creator key, or `all`.
    pub key: String,
    /// Its name.
    pub name: String,
}

/// A weekly cohort: learners whose first purchase fell in `week`, and how many of them were
/// active in each week after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cohort {
    /// The cohort's Monday, `YYYY-MM-DD`.
    pub week: String,
    /// Learners in it.
    pub size: i64,
    /// Active learners in week 0, 1, 2, … after (as far as weeks have passed).
    pub active: Vec<i64>,
}

/// One month of membership revenue movements, in minor units per month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MrrMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// Monthly recurring revenue at the end of the month.
    pub mrr: i64,
    /// From members who were not members the month before.
    pub new: i64,
    /// From members who pay more than before.
    pub expansion: i64,
    /// From members who pay less than before (negative).
    pub contraction: i64,
    /// From members who left (negative).
    pub churned: i64,
    /// Members at the end of the month.
    pub members: i64,
    /// Members who left during the month.
    pub left: i64,
}

/// A group of learners who behave alike.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// 1, 2, …
    pub id: usize,
    /// Named by its strongest features, e.g. "recent · big spenders".
    pub name: String,
    /// The same in Chinese.
    pub name_zh: String,
    /// Learners in it.
    pub size: usize,
    /// Their spend with the store (minor units).
    pub revenue: i64,
    /// Its centre, each feature in standard deviations from the store's mean.
    pub centre: Vec<(String, f64)>,
    /// Its biggest spenders (at most 20).
    pub members: Vec<Member>,
}

/// A learner in a segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    /// Their `user` record key.
    pub user: String,
    /// Their display name (filled in when the dashboard is read).
    pub name: String,
    /// Their spend with the store.
    pub spend: i64,
    /// Their last active day.
    pub last_day: String,
}

/// The learners of a store split into segments by k-means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segmentation {
    /// The number of segments chosen.
    pub k: usize,
    /// Its mean silhouette (−1 … 1; higher is better separated).
    pub silhouette: f64,
    /// Every k tried with its silhouette.
    pub tried: Vec<(usize, f64)>,
    /// The segments, largest first.
    pub segments: Vec<Segment>,
    /// Learners clustered.
    pub learners: usize,
}

/// One bucket of the lapse model's calibration: predicted against observed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationBin {
    /// Mean predicted probability.
    pub predicted: f64,
    /// Share that really lapsed.
    pub observed: f64,
    /// Learners in the bucket.
    pub n: usize,
}

/// A learner likely to lapse.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AtRisk {
    /// Their `user` record key.
    pub user: String,
    /// Their display name (looked up when the dashboard is read, so a deleted account
    /// disappears at once).
    pub name: String,
    /// Probability of no activity in the next 30 days.
    pub probability: f64,
    /// Their last active day.
    pub last_day: String,
    /// Their spend with the store.
    pub spend: i64,
    /// Their segment's id.
    pub segment: usize,
}

/// The lapse forecast: a logistic regression on the store's own history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LapseModel {
    /// Area under the ROC curve on held-out learners.
    pub auc: f64,
    /// Log loss on held-out learners, and that of always predicting the base rate.
    pub log_loss: f64,
    /// The constant baseline's log loss.
    pub baseline_log_loss: f64,
    /// Learners trained on and held out.
    pub trained: usize,
    /// Held-out learners.
    pub held_out: usize,
    /// Calibration in five buckets.
    pub calibration: Vec<CalibrationBin>,
    /// Active learners most likely to lapse, most likely first.
    pub at_risk: Vec<AtRisk>,
}

/// Next-30-day revenue of one item, by exponential smoothing of its weekly revenue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemForecast {
    /// Product.
    pub product: String,
    /// Title.
    pub title: String,
    /// Net revenue in the last 30 days.
    pub last30: i64,
    /// Forecast for the next 30 days.
    pub next30: i64,
    /// 80 % interval, low end.
    pub low: i64,
    /// 80 % interval, high end.
    pub high: i64,
    /// Mean absolute error of the same model forecasting the last 30 days from the days
    /// before them.
    pub backtest_error: i64,
}

/// What is recomputed in the background for a store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// When (RFC 3339).
    pub computed_at: String,
    /// Weekly cohorts, oldest first (the last 12).
    pub cohorts: Vec<Cohort>,
    /// Membership revenue movements, oldest first (the last 12 months).
    pub mrr: Vec<MrrMonth>,
    /// Learner segments, when there are enough learners.
    pub segments: Option<Segmentation>,
    /// The lapse model, when there is enough history.
    pub lapse: Option<LapseModel>,
    /// Item revenue forecasts, rising first.
    pub forecasts: Vec<ItemForecast>,
}

/// The dashboard for a store (or one item of it) and a range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    /// The store: creator key, or `all` (admins).
    pub store: String,
    /// Its name.
    pub store_name: String,
    /// The stores the viewer may switch to.
    pub stores: Vec<StoreChoice>,
    /// The item looked at, if one: (slug, title).
    pub item: Option<(String, String)>,
    /// The range.
    pub range: DayRange,
    /// The range before it, of the same length.
    pub previous: DayRange,
    /// ISO currency of the money figures.
    pub currency: String,
    /// Figures for the range.
    pub current: Figures,
    /// Figures for the range before.
    pub prior: Figures,
    /// One point per day of the range.
    pub days: Vec<DayPoint>,
    /// Products, by net revenue then views.
    pub products: Vec<ProductRow>,
    /// Landings by source, most first.
    pub sources: Vec<SourceRow>,
    /// The most frequent searches in the range (whole store front).
    pub searches: Vec<SearchRow>,
    /// Background results, once computed.
    pub report: Option<Report>,
    /// Whether anything was ever recorded for this store.
    pub has_data: bool,
    /// The last day the figures include (the roll-up's position).
    pub updated_until: Option<String>,
}

/// A CSV cell that a spreadsheet will show as text: cells starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return get a leading `'` (no formula runs), and cells with
/// commas, quotes or line breaks are quoted.
///
/// ```
/// use app::models::analytics::csv_cell;
/// assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
/// assert_eq!(csv_cell("-12"), "'-12");
/// assert_eq!(csv_cell("Rust, fast"), "\"Rust, fast\"");
/// assert_eq!(csv_cell("plain"), "plain");
/// ```
pub fn csv_cell(s: &str) -> String {
    let guarded = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// A CSV line from cells (escaped with [`csv_cell`]).
pub fn csv_line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut line = cells
        .iter()
        .map(|c| csv_cell(c.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// Minor units as a plain decimal (`-1250` → `-12.50`), for CSV. Negative numbers are
/// numbers, not formulas, so they are not guarded.
pub fn decimal(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", minor.abs() / 100, minor.abs() % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_over_centuries() {
        for z in (-200_000..200_000).step_by(37) {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
            assert_eq!(parse_day(&day_string(z)), Some(z));
        }
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2026-11-23 is a Monday; 2026-11-29 a Sunday.
        let monday = parse_day("2026-11-23").unwrap();
        for d in monday..monday + 7 {
            assert_eq!(week_of(d), monday);
        }
        assert_eq!(week_of(monday - 1), monday - 7);
    }

    #[test]
    fn the_previous_range_has_the_same_length_and_touches() {
        let r = DayRange { from: 100, to: 129 };
        let p = r.previous();
        assert_eq!((p.from, p.to, p.days()), (70, 99, 30));
    }

    #[test]
    fn formula_prefixes_are_guarded() {
        for bad in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(
                csv_cell(bad).trim_start_matches('"').starts_with('\''),
                "{bad}"
            );
        }
        assert_eq!(decimal(-5), "-0.05");
    }
}
