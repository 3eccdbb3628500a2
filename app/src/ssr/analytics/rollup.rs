//! Folding raw events and ledger entries into daily totals, incrementally.
//!
//! The roll-up walks time forward from its cursor (`stat_cursor:rollup`) in windows of up
//! to a week that end at midnight, up to a few seconds before now (so that a write still in flight
//! is not skipped). Each window is read with an index range on `at`, summed in memory and
//! written in one transaction together with the new cursor; the transaction first checks
//! that the cursor is still where this run found it, so two runs can never add the same
//! window twice. Every table is written with one bulk `INSERT … ON DUPLICATE KEY UPDATE`
//! that adds to the totals already there. A learner counts once per day as a visitor, and
//! once per item for "started" and "completed", through small marker tables.

use super::{parse_rfc3339, rfc3339};
use crate::models::analytics::{day_string, parse_day, week_of};
use crate::ssr::db::{execute, record_key, rows, transact, Db, DbError, TxError};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Events younger than this are left for the next run.
pub const LAG_SECS: i64 = 5;

/// The longest stretch read and written at once, in days (windows end at midnight, except
/// the last one, which ends a few seconds before now).
pub const WINDOW_DAYS: i64 = 7;

/// Progress at or above this counts as completed.
pub const COMPLETE: f64 = 0.9;

/// The counters kept per day and product, and per day and store (besides `started` and
/// `completed`, which count each learner and item once).
pub const COUNTERS: [&str; 11] = [
    "views",
    "previews",
    "purchases",
    "likes",
    "ratings",
    "rating_sum",
    "sales",
    "gross",
    "refunds",
    "fees",
    "net",
];

#[derive(Debug, Default, Clone, Serialize)]
struct Counts {
    views: i64,
    previews: i64,
    purchases: i64,
    likes: i64,
    ratings: i64,
    rating_sum: i64,
    sales: i64,
    gross: i64,
    refunds: i64,
    fees: i64,
    net: i64,
    started: i64,
    completed: i64,
}

#[derive(Debug, Deserialize)]
struct EventRow {
    user: Option<String>,
    item: Option<String>,
    kind: String,
    value: Option<f64>,
    source: Option<String>,
    query: Option<String>,
    day: String,
}

#[derive(Debug, Deserialize)]
struct LedgerRow {
    product: String,
    creator: String,
    kind: String,
    gross_minor: i64,
    fee_minor: i64,
    net_minor: i64,
    day: String,
    #[serde(rename = "order")]
    order_key: String,
    buyer: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ItemInfo {
    key: String,
    slug: String,
    creator: String,
    category: String,
}

#[derive(Debug, Default, Serialize)]
struct Learner {
    creator: String,
    user: String,
    first_day: String,
    last_day: String,
    // Left out when unknown: a JSON null would reach SurrealDB as NULL, not NONE.
    #[serde(skip_serializing_if = "Option::is_none")]
    first_purchase_day: Option<String>,
    events: i64,
    purchases: i64,
    spend: i64,
    likes: i64,
    started: i64,
    completed: i64,
}

impl Learner {
    fn touch(&mut self, day: &str) {
        if self.first_day.is_empty() || day < self.first_day.as_str() {
            self.first_day = day.to_string();
        }
        if day > self.last_day.as_str() {
            self.last_day = day.to_string();
        }
    }

    fn bought(&mut self, day: &str) {
        if self.first_purchase_day.as_deref().is_none_or(|d| day < d) {
            self.first_purchase_day = Some(day.to_string());
        }
    }
}

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RollupStats {
    /// Windows written.
    pub windows: usize,
    /// Events folded in.
    pub events: usize,
    /// Ledger entries folded in.
    pub ledger: usize,
    /// The cursor afterwards (RFC 3339).
    pub until: String,
    /// Milliseconds spent reading windows.
    pub read_ms: u64,
    /// Milliseconds spent summing and writing them.
    pub write_ms: u64,
}

/// The cursor: everything before it is in the totals. `None` before the first run.
pub async fn cursor(db: &Db) -> Result<Option<String>, DbError> {
    Ok(rows::<String>(
        db,
        "read roll-up cursor",
        "SELECT VALUE <string> until FROM stat_cursor:rollup",
        json!({}),
        0,
    )
    .await?
    .into_iter()
    .next())
}

/// Folds everything up to `LAG_SECS` before `now_secs` into the totals.
pub async fn roll_up(db: &Db, now_secs: i64) -> Result<RollupStats, DbError> {
    roll_up_until(db, now_secs - LAG_SECS).await
}

/// Folds everything before `until_secs` into the totals.
pub async fn roll_up_until(db: &Db, until_secs: i64) -> Result<RollupStats, DbError> {
    let mut stats = RollupStats::default();
    let found = cursor(db).await?;
    let mut from = match &found {
        Some(c) => parse_rfc3339(c).unwrap_or(until_secs),
        None => match earliest(db).await? {
            Some(first) => first.div_euclid(86_400) * 86_400,
            None => until_secs,
        },
    };
    let mut expected = found.clone().unwrap_or_default();
    let items = item_infos(db).await?;
    if found.is_none() && from >= until_secs {
        // Nothing recorded yet: start counting from now.
        expected = write_cursor_only(db, &expected, until_secs).await?;
        stats.until = expected;
        return Ok(stats);
    }
    while from < until_secs {
        let to = ((from.div_euclid(86_400) + WINDOW_DAYS) * 86_400).min(until_secs);
        let clock = std::time::Instant::now();
        let (events, ledger) = window(db, from, to).await?;
        stats.read_ms += clock.elapsed().as_millis() as u64;
        let clock = std::time::Instant::now();
        stats.events += events.len();
        stats.ledger += ledger.len();
        let shared = Shared {
            first: (from.rem_euclid(86_400) != 0).then(|| day_string(from.div_euclid(86_400))),
            last: (to.rem_euclid(86_400) != 0).then(|| day_string(to.div_euclid(86_400))),
        };
        expected = write_window(db, &items, &expected, to, &events, &ledger, &shared).await?;
        stats.write_ms += clock.elapsed().as_millis() as u64;
        stats.windows += 1;
        from = to;
    }
    stats.until = expected;
    Ok(stats)
}

async fn earliest(db: &Db) -> Result<Option<i64>, DbError> {
    let firsts: Vec<String> = rows(
        db,
        "find the first event",
        "RETURN [
            (SELECT VALUE <string> at FROM event ORDER BY at LIMIT 1)[0],
            (SELECT VALUE <string> at FROM ledger ORDER BY at LIMIT 1)[0]
         ]",
        json!({}),
        0,
    )
    .await?;
    Ok(firsts.iter().filter_map(|t| parse_rfc3339(t)).min())
}

async fn item_infos(db: &Db) -> Result<HashMap<String, ItemInfo>, DbError> {
    let list: Vec<ItemInfo> = rows(
        db,
        "read items for analytics",
        "SELECT record::id(id) AS key, slug, record::id(creator) AS creator, record::id(category) AS category FROM item",
        json!({}),
        0,
    )
    .await?;
    Ok(list.into_iter().map(|i| (i.key.clone(), i)).collect())
}

async fn window(db: &Db, from: i64, to: i64) -> Result<(Vec<EventRow>, Vec<LedgerRow>), DbError> {
    let vars = json!({ "from": rfc3339(from), "to": rfc3339(to) });
    let events: Vec<EventRow> = rows(
        db,
        "read events to roll up",
        "LET $f = <datetime> $from; LET $t = <datetime> $to;
         SELECT (IF user != NONE THEN record::id(user) END) AS user, (IF item != NONE THEN record::id(item) END) AS item,
                kind, value, source, query, time::format(at, '%Y-%m-%d') AS day
         FROM event WHERE at >= $f AND at < $t",
        vars.clone(),
        2,
    )
    .await?;
    let ledger: Vec<LedgerRow> = rows(
        db,
        "read ledger to roll up",
        "LET $f = <datetime> $from; LET $t = <datetime> $to;
         SELECT product, record::id(creator) AS creator, kind, gross_minor, fee_minor, net_minor,
                time::format(at, '%Y-%m-%d') AS day, record::id(from_order) AS order,
                (IF from_order.buyer != NONE THEN record::id(from_order.buyer) END) AS buyer
         FROM ledger WHERE at >= $f AND at < $t",
        vars,
        2,
    )
    .await?;
    Ok((events, ledger))
}

/// The `id` and fields of one row of `table` for `INSERT`, from a JSON row `$r` whose
/// `creator` is a record key: `{ id: [..], creator: creator:⟨key⟩, field: $r.field, … }`.
fn row_object(id: &str, fields: &[&str], creator: bool) -> String {
    let mut parts = vec![format!("id: {id}")];
    if creator {
        parts.push("creator: type::record('creator', $r.creator)".into());
    }
    parts.extend(fields.iter().map(|f| format!("{f}: $r.{f}")));
    format!("{{ {} }}", parts.join(", "))
}

/// `a += $input.a, b += $input.b, …`
fn increments(fields: &[&str]) -> String {
    fields
        .iter()
        .map(|f| format!("{f} += $input.{f}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The transaction that writes one window: every table in one bulk `INSERT … ON DUPLICATE
/// KEY UPDATE` (adding to the totals already there), after checking the cursor. Tables
/// with nothing to write are left out.
fn window_sql(vars: &Value) -> String {
    let has = |k: &str| vars[k].as_array().is_some_and(|a| !a.is_empty());
    let mut counters: Vec<&str> = COUNTERS.to_vec();
    counters.extend(["started", "completed"]);
    let mut day_fields = vec!["day", "product"];
    day_fields.extend(&counters);
    let mut store_fields = vec!["day", "visitors", "orders"];
    store_fields.extend(&counters);
    let mut store_counters = counters.clone();
    store_counters.extend(["visitors", "orders"]);
    let learner_counters = [
        "events",
        "purchases",
        "spend",
        "likes",
        "started",
        "completed",
    ];
    let mut learner_fields = vec!["user", "first_day", "last_day", "first_purchase_day"];
    learner_fields.extend(learner_counters);
    let mut sql = String::from(
        "BEGIN TRANSACTION;
         LET $at = IF stat_cursor:rollup.until != NONE THEN <string> stat_cursor:rollup.until ELSE '' END;
         IF $at != $expected { THROW 'shuzhai:moved' };\n",
    );
    let mut add = |key: &str, statement: String| {
        if has(key) {
            sql.push_str(&statement);
            sql.push_str(";\n");
        }
    };
    add(
        "days",
        format!(
            "INSERT INTO stat_day $days.map(|$r| {}) ON DUPLICATE KEY UPDATE {}",
            row_object("[$r.day, $r.product]", &day_fields, true),
            increments(&counters)
        ),
    );
    add(
        "stores",
        format!(
            "INSERT INTO stat_store_day $stores.map(|$r| {}) ON DUPLICATE KEY UPDATE {}",
            row_object("[$r.day, $r.creator]", &store_fields, true),
            increments(&store_counters)
        ),
    );
    add(
        "seen",
        "INSERT IGNORE INTO stat_seen $seen.map(|$r| { id: [$r.day, $r.creator, $r.user], user: $r.user })".into(),
    );
    add(
        "progress",
        "INSERT INTO stat_progress $progress.map(|$r| { id: [$r.user, $r.item], user: $r.user, best: $r.best })
         ON DUPLICATE KEY UPDATE best = $input.best"
            .into(),
    );
    add(
        "sources",
        format!(
            "INSERT INTO stat_source $sources.map(|$r| {}) ON DUPLICATE KEY UPDATE views += $input.views",
            row_object("[$r.day, $r.creator, $r.source]", &["day", "source", "views"], true)
        ),
    );
    add(
        "searches",
        format!(
            "INSERT INTO stat_search $searches.map(|$r| {}) ON DUPLICATE KEY UPDATE count += $input.count",
            row_object("[$r.day, $r.query]", &["day", "query", "count"], false)
        ),
    );
    add(
        "learners",
        format!(
            "INSERT INTO stat_learner $learners.map(|$r| {}) ON DUPLICATE KEY UPDATE
               first_day = IF $input.first_day < first_day THEN $input.first_day ELSE first_day END,
               last_day = IF $input.last_day > last_day THEN $input.last_day ELSE last_day END,
               first_purchase_day = IF $input.first_purchase_day != NONE AND (first_purchase_day = NONE OR $input.first_purchase_day < first_purchase_day)
                  THEN $input.first_purchase_day ELSE first_purchase_day END,
               {}",
            row_object("[$r.creator, $r.user]", &learner_fields, true),
            increments(&learner_counters)
        ),
    );
    add(
        "categories",
        format!(
            "INSERT INTO stat_learner_category $categories.map(|$r| {}) ON DUPLICATE KEY UPDATE count += $input.count",
            row_object("[$r.creator, $r.user, $r.category]", &["user", "category", "count"], true)
        ),
    );
    add(
        "weeks",
        format!(
            "INSERT IGNORE INTO stat_learner_week $weeks.map(|$r| {})",
            row_object("[$r.creator, $r.user, $r.week]", &["user", "week"], true)
        ),
    );
    sql.push_str(
        "UPSERT stat_cursor:rollup SET until = <datetime> $until;
         COMMIT TRANSACTION;",
    );
    sql
}

async fn write_cursor_only(db: &Db, expected: &str, until: i64) -> Result<String, DbError> {
    write(db, expected, until, json!({})).await
}

async fn write(db: &Db, expected: &str, until: i64, mut vars: Value) -> Result<String, DbError> {
    let until_text = rfc3339(until);
    let sql = window_sql(&vars);
    vars["expected"] = json!(expected);
    vars["until"] = json!(until_text);
    match transact(db, "roll up analytics", &sql, vars).await {
        Ok(()) => {}
        Err(TxError::Refused(_)) => {
            return Err(DbError::Busy(
                "another roll-up moved the cursor; this run stopped without writing".into(),
            ))
        }
        Err(TxError::Db(e)) => return Err(e),
    }
    // The cursor as SurrealDB writes it back (its own datetime text).
    Ok(cursor(db).await?.unwrap_or(until_text))
}

/// The days a window shares with its neighbours: the first when it starts after midnight
/// (the window before counted part of it), the last when it ends before midnight (the next
/// one will count the rest). Only on these days are visitors checked against and recorded
/// in `stat_seen`; on the others a learner is counted once in memory.
struct Shared {
    first: Option<String>,
    last: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Progressed {
    key: (String, String),
    best: f64,
}

/// Rows of `table` among `ids` (array record keys) that already exist. Read before the
/// window's transaction: the cursor check inside it guarantees that no other run wrote
/// in between.
async fn existing<T: serde::de::DeserializeOwned>(
    db: &Db,
    table: &str,
    fields: &str,
    ids: Vec<Value>,
) -> Result<Vec<T>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    rows(
        db,
        "read roll-up markers",
        &format!(
            "SELECT record::id(id) AS key{fields} FROM $ids.map(|$k| type::record('{table}', $k))"
        ),
        json!({ "ids": ids }),
        0,
    )
    .await
}

/// Per (day, product) and per (day, store): counters, plus visitors and orders per store.
#[derive(Debug, Default, Clone, Serialize)]
struct StoreCounts {
    #[serde(flatten)]
    c: Counts,
    visitors: i64,
    orders: i64,
}

async fn write_window(
    db: &Db,
    items: &HashMap<String, ItemInfo>,
    expected: &str,
    until: i64,
    events: &[EventRow],
    ledger: &[LedgerRow],
    shared: &Shared,
) -> Result<String, DbError> {
    let mut days: BTreeMap<(String, String), (String, Counts)> = BTreeMap::new();
    let mut stores: BTreeMap<(String, String), (StoreCounts, BTreeSet<String>)> = BTreeMap::new();
    let mut seen: BTreeSet<(String, String, String)> = BTreeSet::new();
    // (user, item) → (first day in the window, product, creator, best value).
    let mut progress: BTreeMap<(String, String), (String, String, String, f64)> = BTreeMap::new();
    let mut sources: BTreeMap<(String, String, String), i64> = BTreeMap::new();
    let mut searches: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut learners: BTreeMap<(String, String), Learner> = BTreeMap::new();
    let mut categories: BTreeMap<(String, String, String), i64> = BTreeMap::new();
    let mut weeks: BTreeSet<(String, String, String)> = BTreeSet::new();
    let week = |day: &str| {
        parse_day(day)
            .map(|d| day_string(week_of(d)))
            .unwrap_or_default()
    };

    for e in events {
        if e.kind == "search" {
            if let Some(q) = e.query.as_deref().filter(|q| !q.is_empty()) {
                *searches.entry((e.day.clone(), q.to_string())).or_default() += 1;
            }
            continue;
        }
        let Some(info) = e.item.as_deref().and_then(|k| items.get(k)) else {
            continue;
        };
        let product = format!("item:{}", info.slug);
        if e.kind == "progress" {
            if let Some(user) = &e.user {
                let v = e.value.unwrap_or(0.0).clamp(0.0, 1.0);
                let entry = progress
                    .entry((user.clone(), info.key.clone()))
                    .or_insert_with(|| (e.day.clone(), product.clone(), info.creator.clone(), v));
                entry.3 = entry.3.max(v);
            }
        }
        let c = &mut days
            .entry((e.day.clone(), product.clone()))
            .or_insert_with(|| (info.creator.clone(), Counts::default()))
            .1;
        let s = stores
            .entry((e.day.clone(), info.creator.clone()))
            .or_default();
        for counts in [c, &mut s.0.c] {
            match e.kind.as_str() {
                "view" => counts.views += 1,
                "preview" => counts.previews += 1,
                "purchase" => counts.purchases += 1,
                "like" => counts.likes += 1,
                "rating" => {
                    counts.ratings += 1;
                    counts.rating_sum += e.value.unwrap_or(0.0).round() as i64;
                }
                _ => {}
            }
        }
        if e.kind == "view" {
            if let Some(source) = &e.source {
                *sources
                    .entry((e.day.clone(), info.creator.clone(), source.clone()))
                    .or_default() += 1;
                if e.user.is_none() {
                    // An anonymous landing: one visitor (it carries no identifier).
                    s.0.visitors += 1;
                }
            }
        }
        if let Some(user) = &e.user {
            seen.insert((e.day.clone(), info.creator.clone(), user.clone()));
            weeks.insert((info.creator.clone(), user.clone(), week(&e.day)));
            *categories
                .entry((info.creator.clone(), user.clone(), info.category.clone()))
                .or_default() += 1;
            let l = learners
                .entry((info.creator.clone(), user.clone()))
                .or_insert_with(|| Learner {
                    creator: info.creator.clone(),
                    user: user.clone(),
                    ..Learner::default()
                });
            l.touch(&e.day);
            l.events += 1;
            match e.kind.as_str() {
                "purchase" => {
                    l.purchases += 1;
                    l.bought(&e.day);
                }
                "like" => l.likes += 1,
                _ => {}
            }
        }
    }

    for entry in ledger {
        let creator = record_key(&entry.creator).to_string();
        let c = &mut days
            .entry((entry.day.clone(), entry.product.clone()))
            .or_insert_with(|| (creator.clone(), Counts::default()))
            .1;
        let s = stores
            .entry((entry.day.clone(), creator.clone()))
            .or_default();
        let sale = entry.kind == "sale";
        for counts in [c, &mut s.0.c] {
            if sale {
                counts.sales += 1;
                counts.gross += entry.gross_minor;
            } else {
                counts.refunds += entry.gross_minor;
            }
            counts.fees += entry.fee_minor;
            counts.net += entry.net_minor;
        }
        if sale {
            s.1.insert(entry.order_key.clone());
        }
        if let Some(buyer) = &entry.buyer {
            weeks.insert((creator.clone(), buyer.clone(), week(&entry.day)));
            let l = learners
                .entry((creator.clone(), buyer.clone()))
                .or_insert_with(|| Learner {
                    creator: creator.clone(),
                    user: buyer.clone(),
                    ..Learner::default()
                });
            l.touch(&entry.day);
            l.spend += entry.gross_minor;
            if sale {
                l.bought(&entry.day);
            }
        }
    }

    // Started and completed: once per learner and item, against what earlier windows saw.
    let before: HashMap<(String, String), f64> = existing::<Progressed>(
        db,
        "stat_progress",
        ", best",
        progress.keys().map(|(u, i)| json!([u, i])).collect(),
    )
    .await?
    .into_iter()
    .map(|p| (p.key, p.best))
    .collect();
    let mut progress_rows = Vec::with_capacity(progress.len());
    for ((user, item), (day, product, creator, best)) in progress {
        let was = before.get(&(user.clone(), item.clone())).copied();
        let start = i64::from(was.is_none());
        let done = i64::from(was.unwrap_or(-1.0) < COMPLETE && best >= COMPLETE);
        if start + done > 0 {
            let c = &mut days
                .entry((day.clone(), product.clone()))
                .or_insert_with(|| (creator.clone(), Counts::default()))
                .1;
            c.started += start;
            c.completed += done;
            let s = &mut stores
                .entry((day.clone(), creator.clone()))
                .or_default()
                .0
                .c;
            s.started += start;
            s.completed += done;
            let l = learners
                .entry((creator.clone(), user.clone()))
                .or_insert_with(|| Learner {
                    creator: creator.clone(),
                    user: user.clone(),
                    ..Learner::default()
                });
            l.touch(&day);
            l.started += start;
            l.completed += done;
        }
        progress_rows
            .push(json!({ "user": user, "item": item, "best": best.max(was.unwrap_or(0.0)) }));
    }

    // Visitors of whole days are counted here; on a day shared with another window, only
    // those not already marked by it.
    let is_shared =
        |day: &str| shared.first.as_deref() == Some(day) || shared.last.as_deref() == Some(day);
    let marked: Vec<(String, String, String)> = seen
        .iter()
        .filter(|(day, _, _)| is_shared(day))
        .cloned()
        .collect();
    #[derive(Deserialize)]
    struct Marker {
        key: (String, String, String),
    }
    let already: BTreeSet<(String, String, String)> = existing::<Marker>(
        db,
        "stat_seen",
        "",
        marked.iter().map(|(d, c, u)| json!([d, c, u])).collect(),
    )
    .await?
    .into_iter()
    .map(|m| m.key)
    .collect();
    let mut new_markers = Vec::new();
    for (day, creator, user) in seen {
        let shared_day = is_shared(&day);
        if shared_day && already.contains(&(day.clone(), creator.clone(), user.clone())) {
            continue;
        }
        stores
            .entry((day.clone(), creator.clone()))
            .or_default()
            .0
            .visitors += 1;
        if shared_day {
            new_markers.push(json!({ "day": day, "creator": creator, "user": user }));
        }
    }

    let vars = json!({
        "days": days.into_iter().map(|((day, product), (creator, c))| {
            let mut row = serde_json::to_value(c).unwrap_or_default();
            row["day"] = json!(day);
            row["product"] = json!(product);
            row["creator"] = json!(creator);
            row
        }).collect::<Vec<_>>(),
        "stores": stores.into_iter().map(|((day, creator), (mut c, orders))| {
            c.orders = orders.len() as i64;
            let mut row = serde_json::to_value(c).unwrap_or_default();
            row["day"] = json!(day);
            row["creator"] = json!(creator);
            row
        }).collect::<Vec<_>>(),
        "seen": new_markers,
        "progress": progress_rows,
        "sources": sources.into_iter().map(|((day, creator, source), n)| json!({ "day": day, "creator": creator, "source": source, "views": n })).collect::<Vec<_>>(),
        "searches": searches.into_iter().map(|((day, query), n)| json!({ "day": day, "query": query, "count": n })).collect::<Vec<_>>(),
        "learners": learners.into_values().collect::<Vec<_>>(),
        "categories": categories.into_iter().map(|((creator, user, category), n)| json!({ "creator": creator, "user": user, "category": category, "count": n })).collect::<Vec<_>>(),
        "weeks": weeks.into_iter().map(|(creator, user, week)| json!({ "creator": creator, "user": user, "week": week })).collect::<Vec<_>>(),
    });
    write(db, expected, until, vars).await
}

/// Deletes raw events older than `retention_days` that the roll-up has already counted.
pub async fn prune(db: &Db, retention_days: u32, now_secs: i64) -> Result<(), DbError> {
    let Some(until) = cursor(db).await? else {
        return Ok(());
    };
    let limit = now_secs - i64::from(retention_days) * 86_400;
    let cutoff = parse_rfc3339(&until).map_or(limit, |c| c.min(limit));
    execute(
        db,
        "delete old raw events",
        "DELETE event WHERE at < <datetime> $cutoff",
        json!({ "cutoff": rfc3339(cutoff) }),
    )
    .await
}

/// Forgets every total and the cursor, so that the next run counts everything again
/// from the raw events and the ledger (after loading historical data).
pub async fn reset(db: &Db) -> Result<(), DbError> {
    execute(
        db,
        "reset analytics",
        "DELETE stat_day; DELETE stat_store_day; DELETE stat_seen; DELETE stat_progress; DELETE stat_source;
         DELETE stat_search; DELETE stat_learner; DELETE stat_learner_category; DELETE stat_learner_week;
         DELETE stat_report; DELETE stat_cursor;",
        json!({}),
    )
    .await
}

/// Removes what the totals know about one learner (their account is being deleted); the
/// anonymous daily counts stay.
pub async fn forget_learner(db: &Db, user_key: &str) -> Result<(), DbError> {
    execute(
        db,
        "forget a learner's analytics",
        "DELETE stat_seen WHERE user = $u; DELETE stat_progress WHERE user = $u; DELETE stat_learner WHERE user = $u;
         DELETE stat_learner_category WHERE user = $u; DELETE stat_learner_week WHERE user = $u;",
        json!({ "u": user_key }),
    )
    .await
}
