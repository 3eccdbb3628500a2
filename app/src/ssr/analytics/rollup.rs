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

/// The longest stretch read at once, in days (windows end at midnight, except the last
/// one, which ends a few seconds before now).
pub const WINDOW_DAYS: i64 = 7;

/// Sums are written once they hold this many events and ledger entries (or the run is
/// done), on the on-disk and remote engines: one large transaction there costs far less
/// than many small ones.
pub const BATCH_EVENTS: usize = 1_000_000;

/// The same for the in-memory engine (tests and demos), where a transaction's cost grows
/// with its size: the demo history (26,000 events) took 95 s written at once, 30 s in
/// batches of 5,000 and 15 s a week (about 500) at a time.
pub const MEM_BATCH_EVENTS: usize = 500;

/// The batch size that suits the database at `url`.
pub fn batch_for(url: &str) -> usize {
    if url.trim().starts_with("mem:") {
        MEM_BATCH_EVENTS
    } else {
        BATCH_EVENTS
    }
}

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

impl Counts {
    /// Adds `other` to these counts.
    fn add(&mut self, other: &Counts) {
        self.views += other.views;
        self.previews += other.previews;
        self.purchases += other.purchases;
        self.likes += other.likes;
        self.ratings += other.ratings;
        self.rating_sum += other.rating_sum;
        self.sales += other.sales;
        self.gross += other.gross;
        self.refunds += other.refunds;
        self.fees += other.fees;
        self.net += other.net;
        self.started += other.started;
        self.completed += other.completed;
    }
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
    /// The weeks (their Monday) in which they did anything with the store.
    weeks: BTreeSet<String>,
    /// The categories of the store's items they turned to.
    categories: BTreeSet<String>,
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

/// Folds everything up to `LAG_SECS` before `now_secs` into the totals, writing every
/// `batch` events (see [`batch_for`]).
pub async fn roll_up(db: &Db, now_secs: i64, batch: usize) -> Result<RollupStats, DbError> {
    roll_up_until(db, now_secs - LAG_SECS, batch).await
}

/// Folds everything before `until_secs` into the totals.
///
/// Weeks are read one at a time (an index range each) and summed in memory; the sums are
/// written, with the cursor, whenever they hold `batch` events or the run reaches
/// `until_secs`. A learner active in many of those weeks is then written once rather than
/// once a week, which is what makes the first count of a long history fast.
pub async fn roll_up_until(db: &Db, until_secs: i64, batch: usize) -> Result<RollupStats, DbError> {
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
    if found.is_none() && from >= until_secs {
        // Nothing recorded yet: start counting from now.
        expected = write(db, &expected, until_secs, json!({})).await?;
        stats.until = expected;
        return Ok(stats);
    }
    let items = item_infos(db).await?;
    let mut tally = Tally::new(from);
    while from < until_secs {
        let to = ((from.div_euclid(86_400) + WINDOW_DAYS) * 86_400).min(until_secs);
        let clock = std::time::Instant::now();
        let (events, ledger) = window(db, from, to).await?;
        stats.read_ms += clock.elapsed().as_millis() as u64;
        let clock = std::time::Instant::now();
        stats.events += events.len();
        stats.ledger += ledger.len();
        tally.add(&items, &events, &ledger);
        stats.windows += 1;
        from = to;
        if tally.size >= batch || from >= until_secs {
            expected = tally.write(db, &expected, from).await?;
            tally = Tally::new(from);
        }
        stats.write_ms += clock.elapsed().as_millis() as u64;
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

/// `a += $input.a, b += $input.b, …` (with `src` = `$input`).
fn increments(fields: &[&str], src: &str) -> String {
    fields
        .iter()
        .map(|f| format!("{f} += {src}.{f}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The transaction that writes one window, after checking the cursor. Each table gets a
/// bulk `INSERT` of its new rows and an `UPDATE` per row that exists already (see
/// [`split_existing`]), both adding to the totals there. Tables with nothing to write are
/// left out.
fn window_sql(vars: &Value) -> String {
    let has = |k: &str| vars[k].as_array().is_some_and(|a| !a.is_empty());
    let mut counters: Vec<&str> = COUNTERS.to_vec();
    counters.extend(["started", "completed"]);
    let mut day_fields = vec!["day", "product"];
    day_fields.extend(&counters);
    let mut month_fields = vec!["month", "product"];
    month_fields.extend(&counters);
    let mut week_fields = vec!["week", "product"];
    week_fields.extend(&counters);
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
    let mut learner_fields = vec![
        "user",
        "first_day",
        "last_day",
        "first_purchase_day",
        "weeks",
        "categories",
    ];
    learner_fields.extend(learner_counters);
    // How a stored row takes in a new one, `src` (`$input` or `$r`). The sets are merged
    // as "remove, then add": in SurrealDB 3.3 a stored field passed to a function such as
    // `array::union` inside ON DUPLICATE KEY UPDATE reads as NONE.
    let learner_merge = |src: &str| {
        format!(
            "first_day = IF {src}.first_day < first_day THEN {src}.first_day ELSE first_day END,
             last_day = IF {src}.last_day > last_day THEN {src}.last_day ELSE last_day END,
             first_purchase_day = IF {src}.first_purchase_day != NONE AND (first_purchase_day = NONE OR {src}.first_purchase_day < first_purchase_day)
                THEN {src}.first_purchase_day ELSE first_purchase_day END,
             weeks -= {src}.weeks, weeks += {src}.weeks,
             categories -= {src}.categories, categories += {src}.categories,
             {}",
            increments(&learner_counters, src)
        )
    };
    // For each table: the fields of a new row, whether it names a creator, and how a
    // stored row takes in a new one.
    let spec = |key: &str, src: &str| -> (Vec<&str>, bool, String) {
        match key {
            "days" => (day_fields.clone(), true, increments(&counters, src)),
            "months" => (month_fields.clone(), true, increments(&counters, src)),
            "weeks" => (week_fields.clone(), true, increments(&counters, src)),
            "stores" => (store_fields.clone(), true, increments(&store_counters, src)),
            "progress" => (vec!["user", "best"], false, format!("best = {src}.best")),
            "sources" => (
                vec!["day", "source", "views"],
                true,
                increments(&["views"], src),
            ),
            "searches" => (
                vec!["day", "query", "count"],
                false,
                increments(&["count"], src),
            ),
            _ => (learner_fields.clone(), true, learner_merge(src)),
        }
    };
    let mut sql = String::from(
        "BEGIN TRANSACTION;
         LET $at = IF stat_cursor:rollup.until != NONE THEN <string> stat_cursor:rollup.until ELSE '' END;
         IF $at != $expected { THROW 'shuzhai:moved' };\n",
    );
    if has("seen") {
        sql.push_str(
            "INSERT IGNORE INTO stat_seen $seen.map(|$r| { id: [$r.day, $r.creator, $r.user], user: $r.user });\n",
        );
    }
    for (key, table, id_fields) in TOTALS {
        let id = format!(
            "[{}]",
            id_fields
                .iter()
                .map(|f| format!("$r.{f}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        if has(key) {
            // The clause after the INSERT only matters if a row appeared since the ids
            // were read, which the cursor check rules out.
            let (fields, creator, merge) = spec(key, "$input");
            sql.push_str(&format!(
                "INSERT INTO {table} ${key}.map(|$r| {}) ON DUPLICATE KEY UPDATE {merge};\n",
                row_object(&id, &fields, creator),
            ));
        }
        let old = format!("{key}_old");
        if has(&old) {
            let (_, _, merge) = spec(key, "$r");
            sql.push_str(&format!(
                "FOR $r IN ${old} {{ UPDATE type::record('{table}', {id}) SET {merge}; }};\n"
            ));
        }
    }
    sql.push_str(
        "UPSERT stat_cursor:rollup SET until = <datetime> $until;
         COMMIT TRANSACTION;",
    );
    sql
}

async fn write(db: &Db, expected: &str, until: i64, mut vars: Value) -> Result<String, DbError> {
    let until_text = rfc3339(until);
    split_existing(db, &mut vars).await?;
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

#[derive(Debug, Deserialize)]
struct Progressed {
    key: (String, String),
    best: f64,
}

/// Ids are looked up this many at a time.
const LOOKUP_CHUNK: usize = 20_000;

/// Rows of `table` among `ids` (array record keys) that already exist. Read before the
/// transaction that writes the sums: the cursor check inside it guarantees that no other
/// run wrote in between.
async fn existing<T: serde::de::DeserializeOwned>(
    db: &Db,
    table: &str,
    fields: &str,
    ids: Vec<Value>,
) -> Result<Vec<T>, DbError> {
    let mut found = Vec::new();
    for chunk in ids.chunks(LOOKUP_CHUNK) {
        found.extend(
            rows::<T>(
                db,
                "read existing totals",
                &format!(
                    "SELECT record::id(id) AS key{fields} FROM $ids.map(|$k| type::record('{table}', $k))"
                ),
                json!({ "ids": chunk }),
                0,
            )
            .await?,
        );
    }
    Ok(found)
}

/// The totals tables the roll-up adds to: the key of their rows in the write's variables,
/// the table, and the fields of a row that make up its id.
const TOTALS: [(&str, &str, &[&str]); 8] = [
    ("days", "stat_day", &["day", "product"]),
    ("weeks", "stat_week", &["week", "product"]),
    ("months", "stat_month", &["month", "product"]),
    ("stores", "stat_store_day", &["day", "creator"]),
    ("progress", "stat_progress", &["user", "item"]),
    ("sources", "stat_source", &["day", "creator", "source"]),
    ("searches", "stat_search", &["day", "query"]),
    ("learners", "stat_learner", &["creator", "user"]),
];

/// Moves the rows of every totals table that already exist in the database from `key` to
/// `key_old` in `vars`, so that the write inserts only new rows and updates the others.
///
/// An `INSERT … ON DUPLICATE KEY UPDATE` that meets an existing row first tries to create
/// it and rolls back to a savepoint, which both storage engines do by walking the whole
/// transaction's write set: with a few hundred thousand rows in one transaction that made
/// the first count of the demo ×100 (2.4 million events) quadratic. Reading the ids first costs one index
/// lookup per row.
async fn split_existing(db: &Db, vars: &mut Value) -> Result<(), DbError> {
    #[derive(Deserialize)]
    struct Key {
        key: Vec<String>,
    }
    for (key, table, id_fields) in TOTALS {
        if vars.get(format!("{key}_old")).is_some() {
            // The caller already knows which of these exist.
            continue;
        }
        let list = match vars.get_mut(key).map(Value::take) {
            Some(Value::Array(list)) if !list.is_empty() => list,
            _ => continue,
        };
        let id_of = |row: &Value| -> Vec<String> {
            id_fields
                .iter()
                .map(|f| row[*f].as_str().unwrap_or_default().to_string())
                .collect()
        };
        let found: BTreeSet<Vec<String>> = existing::<Key>(
            db,
            table,
            "",
            list.iter().map(|r| json!(id_of(r))).collect(),
        )
        .await?
        .into_iter()
        .map(|k| k.key)
        .collect();
        let (old, new): (Vec<Value>, Vec<Value>) =
            list.into_iter().partition(|r| found.contains(&id_of(r)));
        vars[key] = Value::Array(new);
        vars[format!("{key}_old")] = Value::Array(old);
    }
    Ok(())
}

/// Per (day, product) and per (day, store): counters, plus visitors and orders per store.
#[derive(Debug, Default, Clone, Serialize)]
struct StoreCounts {
    #[serde(flatten)]
    c: Counts,
    visitors: i64,
    orders: i64,
}

/// The sums of a stretch of time from `start`, kept in memory until they are written.
struct Tally {
    start: i64,
    /// Events and ledger entries added.
    size: usize,
    days: BTreeMap<(String, String), (String, Counts)>,
    stores: BTreeMap<(String, String), (StoreCounts, BTreeSet<String>)>,
    seen: BTreeSet<(String, String, String)>,
    /// (user, item) → (first day seen, product, creator, best value).
    progress: BTreeMap<(String, String), (String, String, String, f64)>,
    sources: BTreeMap<(String, String, String), i64>,
    searches: BTreeMap<(String, String), i64>,
    learners: BTreeMap<(String, String), Learner>,
}

fn learner<'a>(
    learners: &'a mut BTreeMap<(String, String), Learner>,
    creator: &str,
    user: &str,
) -> &'a mut Learner {
    learners
        .entry((creator.to_string(), user.to_string()))
        .or_insert_with(|| Learner {
            creator: creator.to_string(),
            user: user.to_string(),
            ..Learner::default()
        })
}

fn week(day: &str) -> String {
    parse_day(day)
        .map(|d| day_string(week_of(d)))
        .unwrap_or_default()
}

impl Tally {
    fn new(start: i64) -> Self {
        Tally {
            start,
            size: 0,
            days: BTreeMap::new(),
            stores: BTreeMap::new(),
            seen: BTreeSet::new(),
            progress: BTreeMap::new(),
            sources: BTreeMap::new(),
            searches: BTreeMap::new(),
            learners: BTreeMap::new(),
        }
    }

    /// Adds one window's events and ledger entries (the windows come in time order).
    fn add(
        &mut self,
        items: &HashMap<String, ItemInfo>,
        events: &[EventRow],
        ledger: &[LedgerRow],
    ) {
        self.size += events.len() + ledger.len();
        for e in events {
            self.add_event(items, e);
        }
        for entry in ledger {
            self.add_ledger(entry);
        }
    }

    fn add_event(&mut self, items: &HashMap<String, ItemInfo>, e: &EventRow) {
        if e.kind == "search" {
            if let Some(q) = e.query.as_deref().filter(|q| !q.is_empty()) {
                *self
                    .searches
                    .entry((e.day.clone(), q.to_string()))
                    .or_default() += 1;
            }
            return;
        }
        let Some(info) = e.item.as_deref().and_then(|k| items.get(k)) else {
            return;
        };
        let product = format!("item:{}", info.slug);
        if e.kind == "progress" {
            if let Some(user) = &e.user {
                let v = e.value.unwrap_or(0.0).clamp(0.0, 1.0);
                let entry = self
                    .progress
                    .entry((user.clone(), info.key.clone()))
                    .or_insert_with(|| (e.day.clone(), product.clone(), info.creator.clone(), v));
                entry.3 = entry.3.max(v);
            }
        }
        let c = &mut self
            .days
            .entry((e.day.clone(), product))
            .or_insert_with(|| (info.creator.clone(), Counts::default()))
            .1;
        let s = self
            .stores
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
                *self
                    .sources
                    .entry((e.day.clone(), info.creator.clone(), source.clone()))
                    .or_default() += 1;
                if e.user.is_none() {
                    // An anonymous landing: one visitor (it carries no identifier).
                    s.0.visitors += 1;
                }
            }
        }
        if let Some(user) = &e.user {
            self.seen
                .insert((e.day.clone(), info.creator.clone(), user.clone()));
            let l = learner(&mut self.learners, &info.creator, user);
            l.touch(&e.day);
            l.weeks.insert(week(&e.day));
            l.categories.insert(info.category.clone());
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

    fn add_ledger(&mut self, entry: &LedgerRow) {
        let creator = record_key(&entry.creator).to_string();
        let c = &mut self
            .days
            .entry((entry.day.clone(), entry.product.clone()))
            .or_insert_with(|| (creator.clone(), Counts::default()))
            .1;
        let s = self
            .stores
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
            let l = learner(&mut self.learners, &creator, buyer);
            l.touch(&entry.day);
            l.weeks.insert(week(&entry.day));
            l.spend += entry.gross_minor;
            if sale {
                l.bought(&entry.day);
            }
        }
    }

    /// Writes the sums of `start` … `until` and moves the cursor to `until`, in one
    /// transaction that first checks the cursor is still `expected`.
    ///
    /// Started and completed count each learner and item once, against what earlier runs
    /// saw (`stat_progress`). Visitors of whole days are counted here; on a day this
    /// stretch shares with the one before or after it (it starts or ends after midnight),
    /// only those not already marked in `stat_seen` by the other.
    async fn write(mut self, db: &Db, expected: &str, until: i64) -> Result<String, DbError> {
        let before: HashMap<(String, String), f64> = existing::<Progressed>(
            db,
            "stat_progress",
            ", best",
            self.progress.keys().map(|(u, i)| json!([u, i])).collect(),
        )
        .await?
        .into_iter()
        .map(|p| (p.key, p.best))
        .collect();
        // Split into new and existing rows here, from what was just read.
        let (mut progress_new, mut progress_old) = (Vec::new(), Vec::new());
        for ((user, item), (day, product, creator, best)) in std::mem::take(&mut self.progress) {
            let was = before.get(&(user.clone(), item.clone())).copied();
            let start = i64::from(was.is_none());
            let done = i64::from(was.unwrap_or(-1.0) < COMPLETE && best >= COMPLETE);
            if start + done > 0 {
                let c = &mut self
                    .days
                    .entry((day.clone(), product.clone()))
                    .or_insert_with(|| (creator.clone(), Counts::default()))
                    .1;
                c.started += start;
                c.completed += done;
                let s = &mut self
                    .stores
                    .entry((day.clone(), creator.clone()))
                    .or_default()
                    .0
                    .c;
                s.started += start;
                s.completed += done;
                let l = learner(&mut self.learners, &creator, &user);
                l.touch(&day);
                l.started += start;
                l.completed += done;
            }
            let row = json!({ "user": user, "item": item, "best": best.max(was.unwrap_or(0.0)) });
            if was.is_some() {
                progress_old.push(row);
            } else {
                progress_new.push(row);
            }
        }

        let first =
            (self.start.rem_euclid(86_400) != 0).then(|| day_string(self.start.div_euclid(86_400)));
        let last = (until.rem_euclid(86_400) != 0).then(|| day_string(until.div_euclid(86_400)));
        let is_shared = |day: &str| first.as_deref() == Some(day) || last.as_deref() == Some(day);
        #[derive(Deserialize)]
        struct Marker {
            key: (String, String, String),
        }
        let already: BTreeSet<(String, String, String)> = existing::<Marker>(
            db,
            "stat_seen",
            "",
            self.seen
                .iter()
                .filter(|(day, _, _)| is_shared(day))
                .map(|(d, c, u)| json!([d, c, u]))
                .collect(),
        )
        .await?
        .into_iter()
        .map(|m| m.key)
        .collect();
        let mut new_markers = Vec::new();
        for (day, creator, user) in std::mem::take(&mut self.seen) {
            let shared_day = is_shared(&day);
            if shared_day && already.contains(&(day.clone(), creator.clone(), user.clone())) {
                continue;
            }
            self.stores
                .entry((day.clone(), creator.clone()))
                .or_default()
                .0
                .visitors += 1;
            if shared_day {
                new_markers.push(json!({ "day": day, "creator": creator, "user": user }));
            }
        }

        // The same sums per week and per month: the dashboard reads these for the whole
        // weeks and months of a range.
        let mut weeks: BTreeMap<(String, String), (String, Counts)> = BTreeMap::new();
        let mut months: BTreeMap<(String, String), (String, Counts)> = BTreeMap::new();
        for ((day, product), (creator, c)) in &self.days {
            for (sums, period) in [
                (&mut weeks, week(day)),
                (&mut months, day.get(..7).unwrap_or(day).to_string()),
            ] {
                sums.entry((period, product.clone()))
                    .or_insert_with(|| (creator.clone(), Counts::default()))
                    .1
                    .add(c);
            }
        }
        let vars = json!({
            "weeks": product_rows(weeks, "week"),
            "months": product_rows(months, "month"),
            "days": product_rows(self.days, "day"),
            "stores": self.stores.into_iter().map(|((day, creator), (mut c, orders))| {
                c.orders = orders.len() as i64;
                let mut row = serde_json::to_value(c).unwrap_or_default();
                row["day"] = json!(day);
                row["creator"] = json!(creator);
                row
            }).collect::<Vec<_>>(),
            "seen": new_markers,
            "progress": progress_new,
            "progress_old": progress_old,
            "sources": self.sources.into_iter().map(|((day, creator, source), n)| json!({ "day": day, "creator": creator, "source": source, "views": n })).collect::<Vec<_>>(),
            "searches": self.searches.into_iter().map(|((day, query), n)| json!({ "day": day, "query": query, "count": n })).collect::<Vec<_>>(),
            "learners": self.learners.into_values().collect::<Vec<_>>(),
        });
        if tracing::enabled!(tracing::Level::DEBUG) {
            let sizes: Vec<String> = vars
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| format!("{k} {}", v.as_array().map_or(0, Vec::len)))
                .collect();
            tracing::debug!(rows = %sizes.join(", "), "writing analytics totals");
        }
        write(db, expected, until, vars).await
    }
}

/// Rows for `stat_day`, `stat_week` or `stat_month` from sums keyed by (`period`, product).
fn product_rows(sums: BTreeMap<(String, String), (String, Counts)>, period: &str) -> Vec<Value> {
    sums.into_iter()
        .map(|((when, product), (creator, c))| {
            let mut row = serde_json::to_value(c).unwrap_or_default();
            row[period] = json!(when);
            row["product"] = json!(product);
            row["creator"] = json!(creator);
            row
        })
        .collect()
}

/// Raw events are deleted in batches of this many (each batch one index range read).
pub const PRUNE_BATCH: usize = 10_000;

/// Deletes raw events older than `retention_days` that the roll-up has already counted.
/// Returns how many were deleted.
pub async fn prune(db: &Db, retention_days: u32, now_secs: i64) -> Result<usize, DbError> {
    let Some(until) = cursor(db).await? else {
        return Ok(0);
    };
    let limit = now_secs - i64::from(retention_days) * 86_400;
    let cutoff = parse_rfc3339(&until).map_or(limit, |c| c.min(limit));
    let mut deleted = 0;
    loop {
        // Found through the index on `at`; a plain `DELETE event WHERE at < …` reads the
        // whole table even when nothing is that old.
        let n: Vec<usize> = rows(
            db,
            "delete old raw events",
            "LET $old = SELECT VALUE id FROM event WHERE at < <datetime> $cutoff LIMIT $batch;
             DELETE $old;
             RETURN array::len($old);",
            json!({ "cutoff": rfc3339(cutoff), "batch": PRUNE_BATCH }),
            2,
        )
        .await?;
        let n = n.first().copied().unwrap_or(0);
        deleted += n;
        if n < PRUNE_BATCH {
            return Ok(deleted);
        }
    }
}

/// Forgets every total and the cursor, so that the next run counts everything again
/// from the raw events and the ledger (after loading historical data).
pub async fn reset(db: &Db) -> Result<(), DbError> {
    execute(
        db,
        "reset analytics",
        "DELETE stat_day; DELETE stat_store_day; DELETE stat_seen; DELETE stat_progress; DELETE stat_source;
         DELETE stat_search; DELETE stat_learner; DELETE stat_month; DELETE stat_week;
         DELETE stat_report; DELETE stat_cursor;",
        json!({}),
    )
    .await
}
