//! The dashboard: answered from the daily, weekly and monthly totals and the stored report
//! only (a range of a year reads at most a few hundred store-day rows, the product-month
//! rows of its whole months, the product-week rows of the whole weeks around them and the
//! product-day rows of the days left at either end), never from raw events. Who may see what: a creator their own store, an admin
//! every store and all of them together.

use super::report;
use super::rollup;
use crate::error::AppError;
use crate::models::account::Role;
use crate::models::analytics::{
    civil_from_days, csv_line, day_string, days_from_civil, decimal, week_of, Dashboard, DayPoint,
    DayRange, Figures, ProductRow, Report, SearchRow, SourceRow, StoreChoice,
};
use crate::ssr::access::{require_signed_in, Viewer};
use crate::ssr::db::{rows, Db};
use serde::Deserialize;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};

/// The store's currency (every price in the demo and the checkout is in yuan).
const CURRENCY: &str = "CNY";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Row {
    day: String,
    product: Option<String>,
    visitors: Option<i64>,
    orders: Option<i64>,
    views: i64,
    previews: i64,
    purchases: i64,
    likes: i64,
    ratings: i64,
    rating_sum: i64,
    started: i64,
    completed: i64,
    sales: i64,
    gross: i64,
    refunds: i64,
    fees: i64,
    net: i64,
}

impl Figures {
    fn add(&mut self, r: &Row) {
        if let Some(v) = r.visitors {
            *self.visitors.get_or_insert(0) += v;
        }
        if let Some(o) = r.orders {
            *self.orders.get_or_insert(0) += o;
        }
        self.views += r.views;
        self.previews += r.previews;
        self.purchases += r.purchases;
        self.likes += r.likes;
        self.ratings += r.ratings;
        self.rating_sum += r.rating_sum;
        self.started += r.started;
        self.completed += r.completed;
        self.sales += r.sales;
        self.gross += r.gross;
        self.refunds += r.refunds;
        self.fees += r.fees;
        self.net += r.net;
    }
}

/// A day's views from one traffic source.
#[derive(Deserialize)]
struct SourceViews {
    source: String,
    views: i64,
}

/// How often a search was made on a day.
#[derive(Deserialize)]
struct QueryCount {
    query: String,
    count: i64,
}

#[derive(Deserialize)]
struct Store {
    key: String,
    name: String,
}

#[derive(Deserialize)]
struct ItemOwner {
    creator: String,
    title: String,
}

fn db_err(context: &'static str) -> impl Fn(crate::ssr::db::DbError) -> AppError {
    move |e| AppError::internal(context, e)
}

/// The stores `viewer` may look at, the store chosen (`store` as asked, or their
/// default), and its name.
async fn choose_store(
    db: &Db,
    viewer: &Viewer,
    store: &str,
) -> Result<(Vec<StoreChoice>, String, String), AppError> {
    let me = require_signed_in(viewer)?;
    let store = store.trim();
    if me.has(Role::Admin) {
        let mut stores = vec![StoreChoice {
            key: "all".into(),
            name: "All stores".into(),
        }];
        let list: Vec<Store> = rows(
            db,
            "list stores",
            "SELECT record::id(id) AS key, name FROM creator ORDER BY name",
            json!({}),
            0,
        )
        .await
        .map_err(db_err("list stores"))?;
        stores.extend(list.into_iter().map(|s| StoreChoice {
            key: s.key,
            name: s.name,
        }));
        let chosen = if store.is_empty() { "all" } else { store };
        let name = stores
            .iter()
            .find(|s| s.key == chosen)
            .map(|s| s.name.clone())
            .ok_or_else(|| AppError::NotFound(format!("There is no store “{chosen}”.")))?;
        return Ok((stores, chosen.to_string(), name));
    }
    let own = crate::ssr::commerce::studio::my_storefront(db, me).await?;
    if !store.is_empty() && store != own.key {
        return Err(AppError::Forbidden);
    }
    Ok((
        vec![StoreChoice {
            key: own.key.clone(),
            name: own.name.clone(),
        }],
        own.key,
        own.name,
    ))
}

/// The dashboard of `store` (empty: the viewer's default) — or of one of its items, by
/// `item` slug — for the days `from` … `to` (`YYYY-MM-DD`, empty: the last 30 days).
pub async fn load(
    db: &Db,
    viewer: &Viewer,
    store: &str,
    item: &str,
    from: &str,
    to: &str,
    now_secs: i64,
) -> Result<Dashboard, AppError> {
    let (stores, store, store_name) = choose_store(db, viewer, store).await?;
    let today = now_secs.div_euclid(86_400);
    let range =
        DayRange::parse(from, to, today).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let previous = range.previous();
    let item = item.trim();
    let item = if item.is_empty() {
        None
    } else {
        let found: Vec<ItemOwner> = rows(
            db,
            "find item",
            "SELECT record::id(creator) AS creator, title_en AS title FROM item WHERE slug = $s LIMIT 1",
            json!({ "s": item }),
            0,
        )
        .await
        .map_err(db_err("find item"))?;
        match found.into_iter().next() {
            Some(o) if store == "all" || o.creator == store => Some((item.to_string(), o.title)),
            _ => {
                return Err(AppError::NotFound(format!(
                    "There is no item “{item}” in {store_name}."
                )))
            }
        }
    };
    let vars = json!({
        "c": store,
        "p": item.as_ref().map(|(slug, _)| format!("item:{slug}")),
        "from": day_string(previous.from),
        "start": day_string(range.from),
        "to": day_string(range.to),
    });
    // "All stores" reads by day alone, so that the index on `day` serves it.
    let filter = if store == "all" {
        ""
    } else {
        "creator = type::record('creator', $c) AND"
    };
    let series_sql = if item.is_some() {
        "SELECT * FROM stat_day WHERE product = $p AND day >= $from AND day <= $to".to_string()
    } else {
        format!("SELECT * FROM stat_store_day WHERE {filter} day >= $from AND day <= $to")
    };
    // Every read below is started at once, each on a task of its own, so that the two
    // cores share them: the dashboard waits for the longest, not for their sum.
    let series = spawn_rows::<Row>(db, "read daily totals", series_sql, vars.clone());
    let product_reads = if item.is_some() {
        Vec::new()
    } else {
        product_totals(db, filter, range.from, range.to, &vars)
    };
    let titles = (item.is_none()).then(|| {
        let db = db.clone();
        tokio::spawn(async move { report::product_titles(&db).await })
    });
    let source_rows = (item.is_none()).then(|| {
        spawn_rows::<SourceViews>(
            db,
            "read sources",
            format!(
                "SELECT source, views FROM stat_source WHERE {filter} day >= $start AND day <= $to"
            ),
            vars.clone(),
        )
    });
    let search_rows = spawn_rows::<QueryCount>(
        db,
        "read searches",
        "SELECT query, count FROM stat_search WHERE day >= $start AND day <= $to".into(),
        vars.clone(),
    );
    let any = spawn_rows::<String>(
        db,
        "any totals",
        format!("SELECT VALUE day FROM stat_store_day WHERE {filter} true LIMIT 1"),
        vars.clone(),
    );
    let stored_report = {
        let (db, store) = (db.clone(), store.clone());
        tokio::spawn(async move { report::stored(&db, &store).await })
    };
    let cursor = {
        let db = db.clone();
        tokio::spawn(async move { rollup::cursor(&db).await })
    };

    let series = joined(series, "read daily totals").await?;
    let start = day_string(range.from);
    let mut current = Figures::default();
    let mut prior = Figures::default();
    let mut by_day: BTreeMap<String, DayPoint> = BTreeMap::new();
    for r in &series {
        if r.day >= start {
            current.add(r);
            let p = by_day.entry(r.day.clone()).or_insert_with(|| DayPoint {
                day: r.day.clone(),
                visitors: 0,
                views: 0,
                purchases: 0,
                net: 0,
            });
            p.visitors += r.visitors.unwrap_or(0);
            p.views += r.views;
            p.purchases += r.purchases;
            p.net += r.net;
        } else {
            prior.add(r);
        }
    }
    if item.is_none() {
        // Every day of the range, including the quiet ones.
        current.visitors.get_or_insert(0);
        current.orders.get_or_insert(0);
        prior.visitors.get_or_insert(0);
        prior.orders.get_or_insert(0);
    }
    let days = (range.from..=range.to)
        .map(|d| {
            let day = day_string(d);
            by_day.remove(&day).unwrap_or(DayPoint {
                day,
                visitors: 0,
                views: 0,
                purchases: 0,
                net: 0,
            })
        })
        .collect();

    let products = if let Some(titles) = titles {
        let mut by_product: HashMap<String, Figures> = HashMap::new();
        for read in product_reads {
            for r in joined(read, "read product totals").await? {
                if let Some(p) = &r.product {
                    by_product.entry(p.clone()).or_default().add(&r);
                }
            }
        }
        let titles = joined(titles, "read product titles").await?;
        let mut products: Vec<ProductRow> = by_product
            .into_iter()
            .map(|(product, figures)| ProductRow {
                title: titles
                    .get(&product)
                    .cloned()
                    .unwrap_or_else(|| product.clone()),
                href: href_of(&product),
                product,
                figures,
            })
            .collect();
        products.sort_by(|a, b| {
            (b.figures.net, b.figures.views, &a.product).cmp(&(
                a.figures.net,
                a.figures.views,
                &b.product,
            ))
        });
        products
    } else {
        Vec::new()
    };

    let sources = match source_rows {
        None => Vec::new(),
        Some(read) => {
            let mut sums: HashMap<String, i64> = HashMap::new();
            for s in joined(read, "read sources").await? {
                *sums.entry(s.source).or_default() += s.views;
            }
            let mut sources: Vec<SourceRow> = sums
                .into_iter()
                .map(|(source, views)| SourceRow { source, views })
                .collect();
            sources.sort_by(|a, b| b.views.cmp(&a.views).then(a.source.cmp(&b.source)));
            sources
        }
    };

    let mut sums: HashMap<String, i64> = HashMap::new();
    for q in joined(search_rows, "read searches").await? {
        *sums.entry(q.query).or_default() += q.count;
    }
    let mut searches: Vec<SearchRow> = sums
        .into_iter()
        .map(|(query, count)| SearchRow { query, count })
        .collect();
    searches.sort_by(|a, b| b.count.cmp(&a.count).then(a.query.cmp(&b.query)));
    searches.truncate(10);

    let any = joined(any, "any totals").await?;
    let report = match joined(stored_report, "read report").await? {
        Some(r) => Some(with_names(db, r).await?),
        None => None,
    };
    let updated_until = joined(cursor, "read roll-up cursor").await?;
    Ok(Dashboard {
        store,
        store_name,
        stores,
        item,
        range,
        previous,
        currency: CURRENCY.into(),
        current,
        prior,
        days,
        products,
        sources,
        searches,
        report,
        has_data: !any.is_empty(),
        updated_until,
    })
}

/// The whole calendar months inside the days `from` … `to`: the first day of the first
/// and the last day of the last, if there is at least one.
fn whole_months(from: i64, to: i64) -> Option<(i64, i64)> {
    let next_month = |day: i64| {
        let (y, m, _) = civil_from_days(day);
        if m == 12 {
            days_from_civil(y + 1, 1, 1)
        } else {
            days_from_civil(y, m + 1, 1)
        }
    };
    let first = if civil_from_days(from).2 == 1 {
        from
    } else {
        next_month(from)
    };
    let last = if next_month(to) == to + 1 {
        to
    } else {
        let (y, m, _) = civil_from_days(to);
        days_from_civil(y, m, 1) - 1
    };
    (first <= last).then_some((first, last))
}

/// The whole weeks (Monday to Sunday) inside the days `from` … `to`: the first Monday and
/// the last Sunday, if there is at least one.
fn whole_weeks(from: i64, to: i64) -> Option<(i64, i64)> {
    let first = if week_of(from) == from {
        from
    } else {
        week_of(from) + 7
    };
    let last = week_of(to + 1) - 1;
    (first <= last).then_some((first, last))
}

/// A stretch of days the product table reads from one totals table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Span {
    /// Whole months: `stat_month`, from the month of the first day to that of the last.
    Months(i64, i64),
    /// Whole weeks: `stat_week`, from the week of the first day to that of the last.
    Weeks(i64, i64),
    /// Single days: `stat_day`.
    Days(i64, i64),
}

/// The days `from` … `to` cut into as few totals rows as the tables allow: the whole
/// months, then the whole weeks of what is left at either end, then the single days.
fn spans(from: i64, to: i64) -> Vec<Span> {
    let mut out = Vec::new();
    let mut rest = Vec::new();
    match whole_months(from, to) {
        Some((first, last)) => {
            out.push(Span::Months(first, last));
            rest.extend([(from, first - 1), (last + 1, to)]);
        }
        None => rest.push((from, to)),
    }
    for (a, b) in rest.into_iter().filter(|(a, b)| a <= b) {
        match whole_weeks(a, b) {
            Some((first, last)) => {
                out.push(Span::Weeks(first, last));
                if first > a {
                    out.push(Span::Days(a, first - 1));
                }
                if last < b {
                    out.push(Span::Days(last + 1, b));
                }
            }
            None => out.push(Span::Days(a, b)),
        }
    }
    out
}

/// The fields of a totals row the product table sums.
const PRODUCT_FIELDS: &str = "product, views, previews, purchases, likes, ratings, rating_sum, started, completed, sales, gross, refunds, fees, net";

/// Per-product rows covering the days `from` … `to` (see [`spans`]), one read per span,
/// all started at once. Summing them in the database with `GROUP BY product` was no faster:
/// reading the rows is what costs, so the fewer the better.
fn product_totals(
    db: &Db,
    filter: &str,
    from: i64,
    to: i64,
    vars: &serde_json::Value,
) -> Vec<Read<Vec<Row>>> {
    spans(from, to)
        .into_iter()
        .map(|span| {
            let (table, field, first, last) = match span {
                Span::Months(a, b) => {
                    let month =
                        |day: i64| day_string(day).get(..7).unwrap_or_default().to_string();
                    ("stat_month", "month", month(a), month(b))
                }
                Span::Weeks(a, b) => (
                    "stat_week",
                    "week",
                    day_string(week_of(a)),
                    day_string(week_of(b)),
                ),
                Span::Days(a, b) => ("stat_day", "day", day_string(a), day_string(b)),
            };
            let mut vars = vars.clone();
            vars["first"] = json!(first);
            vars["last"] = json!(last);
            spawn_rows(
                db,
                "read product totals",
                format!(
                    "SELECT {PRODUCT_FIELDS} FROM {table} WHERE {filter} {field} >= $first AND {field} <= $last"
                ),
                vars,
            )
        })
        .collect()
}

/// A read running on a task of its own.
type Read<T> = tokio::task::JoinHandle<Result<T, crate::ssr::db::DbError>>;

/// Starts reading the rows of `sql` on a task of its own.
fn spawn_rows<T: serde::de::DeserializeOwned + Send + 'static>(
    db: &Db,
    context: &'static str,
    sql: String,
    vars: serde_json::Value,
) -> Read<Vec<T>> {
    let db = db.clone();
    tokio::spawn(async move { rows(&db, context, &sql, vars, 0).await })
}

/// Waits for `read`; its failure (or its task's) is an internal error logged under `context`.
async fn joined<T>(read: Read<T>, context: &'static str) -> Result<T, AppError> {
    match read.await {
        Ok(result) => result.map_err(db_err(context)),
        Err(e) => Err(AppError::internal(context, e)),
    }
}

fn href_of(product: &str) -> Option<String> {
    let (kind, rest) = product.split_once(':')?;
    match kind {
        "item" => Some(format!("/item/{rest}")),
        "bundle" => Some(format!("/bundle/{rest}")),
        "membership" => rest
            .split(':')
            .next()
            .map(|tier| format!("/membership/{tier}")),
        _ => None,
    }
}

/// Fills in the current display names of the learners a report lists; a learner whose
/// account is gone is left out.
async fn with_names(db: &Db, mut report: Report) -> Result<Report, AppError> {
    #[derive(Deserialize)]
    struct Name {
        key: String,
        name: String,
    }
    let mut keys: Vec<String> = Vec::new();
    if let Some(l) = &report.lapse {
        keys.extend(l.at_risk.iter().map(|a| a.user.clone()));
    }
    if let Some(s) = &report.segments {
        keys.extend(
            s.segments
                .iter()
                .flat_map(|g| g.members.iter().map(|m| m.user.clone())),
        );
    }
    if keys.is_empty() {
        return Ok(report);
    }
    let names: Vec<Name> = rows(
        db,
        "read names",
        "SELECT record::id(id) AS key, display_name AS name FROM $ids.map(|$k| type::record('user', $k))",
        json!({ "ids": keys }),
        0,
    )
    .await
    .map_err(db_err("read names"))?;
    let names: HashMap<String, String> = names.into_iter().map(|n| (n.key, n.name)).collect();
    if let Some(l) = report.lapse.as_mut() {
        l.at_risk.retain_mut(|a| match names.get(&a.user) {
            Some(n) => {
                a.name = n.clone();
                true
            }
            None => false,
        });
    }
    if let Some(s) = report.segments.as_mut() {
        for g in s.segments.iter_mut() {
            g.members.retain_mut(|m| match names.get(&m.user) {
                Some(n) => {
                    m.name = n.clone();
                    true
                }
                None => false,
            });
        }
    }
    Ok(report)
}

/// The tables a dashboard can be downloaded as.
pub const CSV_TABLES: [&str; 7] = [
    "days",
    "products",
    "sources",
    "searches",
    "cohorts",
    "segments",
    "forecasts",
];

/// One table of the dashboard as CSV (every text cell guarded against formulas).
pub fn csv(d: &Dashboard, table: &str) -> Result<String, AppError> {
    let mut out = String::new();
    let pct = |v: Option<f64>| v.map(|v| format!("{:.4}", v)).unwrap_or_default();
    match table {
        "days" => {
            out += &csv_line(&["day", "visitors", "views", "purchases", "net"]);
            for p in &d.days {
                out += &csv_line(&[
                    p.day.clone(),
                    p.visitors.to_string(),
                    p.views.to_string(),
                    p.purchases.to_string(),
                    decimal(p.net),
                ]);
            }
        }
        "products" => {
            out += &csv_line(&[
                "product",
                "title",
                "views",
                "previews",
                "purchases",
                "conversion",
                "sales",
                "gross",
                "refunds",
                "fees",
                "net",
                "ratings",
                "rating_mean",
                "started",
                "completed",
            ]);
            for p in &d.products {
                let f = &p.figures;
                out += &csv_line(&[
                    p.product.clone(),
                    p.title.clone(),
                    f.views.to_string(),
                    f.previews.to_string(),
                    f.purchases.to_string(),
                    pct(f.conversion()),
                    f.sales.to_string(),
                    decimal(f.gross),
                    decimal(f.refunds),
                    decimal(f.fees),
                    decimal(f.net),
                    f.ratings.to_string(),
                    f.rating_mean()
                        .map(|m| format!("{m:.2}"))
                        .unwrap_or_default(),
                    f.started.to_string(),
                    f.completed.to_string(),
                ]);
            }
        }
        "sources" => {
            out += &csv_line(&["source", "landings"]);
            for s in &d.sources {
                out += &csv_line(&[s.source.clone(), s.views.to_string()]);
            }
        }
        "searches" => {
            out += &csv_line(&["search", "count"]);
            for s in &d.searches {
                out += &csv_line(&[s.query.clone(), s.count.to_string()]);
            }
        }
        "cohorts" => {
            out += &csv_line(&["week", "learners", "active_by_week"]);
            for c in d.report.iter().flat_map(|r| &r.cohorts) {
                let active = c
                    .active
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(" ");
                out += &csv_line(&[c.week.clone(), c.size.to_string(), active]);
            }
        }
        "segments" => {
            out += &csv_line(&["segment", "name", "learners", "revenue"]);
            for s in d
                .report
                .iter()
                .flat_map(|r| &r.segments)
                .flat_map(|s| &s.segments)
            {
                out += &csv_line(&[
                    s.id.to_string(),
                    s.name.clone(),
                    s.size.to_string(),
                    decimal(s.revenue),
                ]);
            }
        }
        "forecasts" => {
            out += &csv_line(&[
                "product",
                "title",
                "last_30_days",
                "next_30_days",
                "low",
                "high",
                "backtest_error",
            ]);
            for f in d.report.iter().flat_map(|r| &r.forecasts) {
                out += &csv_line(&[
                    f.product.clone(),
                    f.title.clone(),
                    decimal(f.last30),
                    decimal(f.next30),
                    decimal(f.low),
                    decimal(f.high),
                    decimal(f.backtest_error),
                ]);
            }
        }
        other => {
            return Err(AppError::BadRequest(format!(
                "There is no table “{other}”: choose one of {}.",
                CSV_TABLES.join(", ")
            )))
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::analytics::parse_day;

    fn months(from: &str, to: &str) -> Option<(String, String)> {
        let day = |s: &str| parse_day(s).expect("a day");
        whole_months(day(from), day(to)).map(|(a, b)| (day_string(a), day_string(b)))
    }

    #[test]
    fn whole_months_are_found_inside_a_range() {
        let pair = |a: &str, b: &str| Some((a.to_string(), b.to_string()));
        assert_eq!(
            months("2025-11-01", "2026-10-31"),
            pair("2025-11-01", "2026-10-31")
        );
        assert_eq!(
            months("2025-11-02", "2026-10-30"),
            pair("2025-12-01", "2026-09-30")
        );
        assert_eq!(
            months("2025-12-15", "2026-03-01"),
            pair("2026-01-01", "2026-02-28")
        );
        assert_eq!(
            months("2024-02-01", "2024-02-29"),
            pair("2024-02-01", "2024-02-29")
        );
        assert_eq!(months("2026-10-02", "2026-10-31"), None);
        assert_eq!(months("2026-09-15", "2026-10-14"), None);
    }

    #[test]
    fn a_range_is_cut_into_months_weeks_and_days_that_cover_it_once() {
        let day = |s: &str| parse_day(s).expect("a day");
        // 30 days from Wednesday 2026-10-28 to Thursday 2026-11-26: no whole month; three
        // whole weeks (from Monday 2 November), five days before them, four after.
        assert_eq!(
            spans(day("2026-10-28"), day("2026-11-26")),
            vec![
                Span::Weeks(day("2026-11-02"), day("2026-11-22")),
                Span::Days(day("2026-10-28"), day("2026-11-01")),
                Span::Days(day("2026-11-23"), day("2026-11-26")),
            ]
        );
        // A year: eleven whole months, then weeks and days at either end.
        assert_eq!(
            spans(day("2025-11-27"), day("2026-11-26")),
            vec![
                Span::Months(day("2025-12-01"), day("2026-10-31")),
                Span::Days(day("2025-11-27"), day("2025-11-30")),
                Span::Weeks(day("2026-11-02"), day("2026-11-22")),
                Span::Days(day("2026-11-01"), day("2026-11-01")),
                Span::Days(day("2026-11-23"), day("2026-11-26")),
            ]
        );
        assert_eq!(
            spans(day("2026-11-26"), day("2026-11-26")),
            vec![Span::Days(day("2026-11-26"), day("2026-11-26"))]
        );
        // Every range of up to 400 days starting on any weekday of 2026: each day is in
        // exactly one span, each span is whole, and few single days are read.
        for from in day("2026-01-01")..day("2026-01-15") {
            for to in from..from + 400 {
                let mut covered = Vec::new();
                for span in spans(from, to) {
                    let (a, b) = match span {
                        Span::Months(a, b) => {
                            assert_eq!(civil_from_days(a).2, 1, "{span:?}");
                            assert_eq!(civil_from_days(b + 1).2, 1, "{span:?}");
                            (a, b)
                        }
                        Span::Weeks(a, b) => {
                            assert_eq!((week_of(a), week_of(b + 1)), (a, b + 1), "{span:?}");
                            (a, b)
                        }
                        Span::Days(a, b) => {
                            // At most six days beside a whole week, or twelve
                            // (Tuesday to the Saturday after next) where there is none.
                            assert!(b - a <= 11, "{span:?} in {from}..{to}");
                            (a, b)
                        }
                    };
                    covered.extend(a..=b);
                }
                covered.sort_unstable();
                assert_eq!(covered, (from..=to).collect::<Vec<_>>(), "{from}..{to}");
            }
        }
    }
}
