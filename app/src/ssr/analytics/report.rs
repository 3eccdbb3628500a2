//! The per-store report recomputed in the background from the roll-up's totals: weekly
//! cohorts, membership revenue movements, learner segments, the lapse forecast and item
//! revenue forecasts. Stored as `stat_report:<store>` (a creator key, or `all`).
//!
//! "Now" for a report is the end of the last week with a usual amount of activity (see
//! [`report_day`]), so that a store that was quiet for a while is not shown as if everyone
//! had just left.

use super::learn::{self, Logistic, Rng};
use super::rfc3339;
use crate::models::analytics::{
    day_string, parse_day, week_of, AtRisk, CalibrationBin, Cohort, ItemForecast, LapseModel,
    Member, MrrMonth, Report, Segment, Segmentation,
};
use crate::ssr::db::{execute, rows, Db, DbError};
use serde::Deserialize;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Weeks of history a cohort table shows.
const COHORTS: usize = 12;
/// Forecast horizon in weeks (30 days ≈ 4.3 weeks).
const HORIZON_WEEKS: i64 = 4;

/// The most segments learners are split into (k is tried from 2 up to this).
pub const MAX_SEGMENTS: usize = 6;
/// Fewest learners worth clustering.
const MIN_SEGMENT_LEARNERS: usize = 12;

#[derive(Debug, Clone, Deserialize)]
struct LearnerRow {
    user: String,
    first_day: String,
    last_day: String,
    first_purchase_day: Option<String>,
    #[serde(default)]
    events: i64,
    #[serde(default)]
    purchases: i64,
    #[serde(default)]
    spend: i64,
    #[serde(default)]
    likes: i64,
    #[serde(default)]
    started: i64,
    #[serde(default)]
    completed: i64,
    #[serde(default)]
    weeks: Vec<String>,
    #[serde(default)]
    categories: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct ProductDay {
    product: String,
    day: String,
    net: i64,
}

#[derive(Debug, Deserialize)]
struct Period {
    user: String,
    plan: String,
    starts: String,
    ends: String,
    key: String,
    totals: Option<Vec<i64>>,
}

/// One learner merged over the store(s) looked at.
#[derive(Debug, Clone)]
struct Person {
    row: LearnerRow,
    weeks: BTreeSet<i64>,
    categories: BTreeSet<String>,
}

fn creator_filter(store: &str) -> &'static str {
    if store == "all" {
        "true"
    } else {
        "creator = type::record('creator', $c)"
    }
}

async fn people(db: &Db, store: &str) -> Result<BTreeMap<String, Person>, DbError> {
    let filter = creator_filter(store);
    let vars = json!({ "c": store });
    let learners: Vec<LearnerRow> = rows(
        db,
        "read learner totals",
        &format!("SELECT user, first_day, last_day, first_purchase_day, events, purchases, spend, likes, started, completed, weeks, categories FROM stat_learner WHERE {filter}"),
        vars,
        0,
    )
    .await?;
    let mut out: BTreeMap<String, Person> = BTreeMap::new();
    for mut l in learners {
        let weeks = std::mem::take(&mut l.weeks);
        let categories = std::mem::take(&mut l.categories);
        let p = match out.get_mut(&l.user) {
            // Across stores: one person, their totals added up.
            Some(p) => {
                let r = &mut p.row;
                r.first_day = r.first_day.clone().min(l.first_day);
                r.last_day = r.last_day.clone().max(l.last_day);
                r.first_purchase_day = match (r.first_purchase_day.take(), l.first_purchase_day) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                r.events += l.events;
                r.purchases += l.purchases;
                r.spend += l.spend;
                r.likes += l.likes;
                r.started += l.started;
                r.completed += l.completed;
                p
            }
            None => out.entry(l.user.clone()).or_insert(Person {
                row: l,
                weeks: BTreeSet::new(),
                categories: BTreeSet::new(),
            }),
        };
        p.weeks.extend(weeks.iter().filter_map(|w| parse_day(w)));
        p.categories.extend(categories);
    }
    Ok(out)
}

/// Computes the report for `store` (a creator key or `all`).
pub async fn compute(db: &Db, store: &str, now_secs: i64) -> Result<Report, DbError> {
    Ok(compute_with_members(db, store, now_secs).await?.0)
}

/// The learners of each segment (by segment number), kept with the report so that a
/// creator can give a coupon to a whole segment.
pub type Members = BTreeMap<usize, Vec<String>>;

async fn compute_with_members(
    db: &Db,
    store: &str,
    now_secs: i64,
) -> Result<(Report, Members), DbError> {
    let people = people(db, store).await?;
    let today = report_day(&people).unwrap_or(now_secs.div_euclid(86_400));
    let cohorts = cohorts(&people, today);
    let segments = segments(&people, today);
    let lapse = lapse(&people, today, segments.as_ref().map(|s| &s.1));
    let forecasts = forecasts(db, store, today).await?;
    let mrr = mrr(db, store, today).await?;
    let mut members = Members::new();
    if let Some((_, of_user)) = &segments {
        for (user, segment) in of_user {
            members.entry(*segment).or_default().push(user.clone());
        }
        members.values_mut().for_each(|m| m.sort());
    }
    let report = Report {
        computed_at: rfc3339(now_secs),
        cohorts,
        mrr,
        segments: segments.map(|s| s.0),
        lapse,
        forecasts,
    };
    Ok((report, members))
}

/// The members of segment `segment` in the stored report of `store` (empty when there is
/// no such segment).
pub async fn segment_members(db: &Db, store: &str, segment: usize) -> Result<Vec<String>, DbError> {
    let stored: Vec<String> = rows(
        db,
        "read segment members",
        "SELECT VALUE members FROM type::record('stat_report', $k) WHERE members != NONE",
        json!({ "k": store }),
        0,
    )
    .await?;
    let mut all: Members = stored
        .first()
        .and_then(|m| serde_json::from_str(m).ok())
        .unwrap_or_default();
    Ok(all.remove(&segment).unwrap_or_default())
}

/// Computes and stores the report of every store and of all stores together.
pub async fn compute_all(db: &Db, now_secs: i64) -> Result<usize, DbError> {
    let creators: Vec<String> = rows(
        db,
        "list stores",
        "SELECT VALUE record::id(id) FROM creator",
        json!({}),
        0,
    )
    .await?;
    let mut n = 0;
    for store in creators.iter().map(String::as_str).chain(["all"]) {
        let (report, members) = compute_with_members(db, store, now_secs).await?;
        let body = serde_json::to_string(&report).map_err(|source| DbError::Decode {
            context: "write report".into(),
            source,
        })?;
        execute(
            db,
            "store report",
            "UPSERT type::record('stat_report', $k) SET computed_at = time::now(), body = $body, members = $members",
            json!({ "k": store, "body": body, "members": serde_json::to_string(&members).unwrap_or_default() }),
        )
        .await?;
        n += 1;
    }
    Ok(n)
}

/// The stored report of `store`, if one was computed.
pub async fn stored(db: &Db, store: &str) -> Result<Option<Report>, DbError> {
    let bodies: Vec<String> = rows(
        db,
        "read report",
        "SELECT VALUE body FROM type::record('stat_report', $k)",
        json!({ "k": store }),
        0,
    )
    .await?;
    Ok(bodies
        .into_iter()
        .next()
        .and_then(|b| serde_json::from_str(&b).ok()))
}

/// The day a report is "as of": the end of the last week in which at least a quarter of a
/// typical week's learners (the median over the last year of weeks with any) were active,
/// so that a stray visit after a quiet spell does not make everyone look lapsed.
fn report_day(people: &BTreeMap<String, Person>) -> Option<i64> {
    let mut weekly: BTreeMap<i64, usize> = BTreeMap::new();
    for p in people.values() {
        for w in &p.weeks {
            *weekly.entry(*w).or_default() += 1;
        }
    }
    let last = *weekly.keys().next_back()?;
    let mut recent: Vec<usize> = weekly.range(last - 7 * 52..).map(|(_, n)| *n).collect();
    recent.sort_unstable();
    let typical = recent[recent.len() / 2];
    let week = weekly
        .iter()
        .rev()
        .find(|(_, n)| **n * 4 >= typical)
        .map(|(w, _)| *w)?;
    let latest = people
        .values()
        .filter_map(|p| parse_day(&p.row.last_day))
        .max()?;
    Some((week + 6).min(latest))
}

fn cohorts(people: &BTreeMap<String, Person>, today: i64) -> Vec<Cohort> {
    let this_week = week_of(today);
    let first = this_week - 7 * (COHORTS as i64 - 1);
    let mut by_week: BTreeMap<i64, Vec<&Person>> = BTreeMap::new();
    for p in people.values() {
        if let Some(w) = p
            .row
            .first_purchase_day
            .as_deref()
            .and_then(parse_day)
            .map(week_of)
        {
            if w >= first && w <= this_week {
                by_week.entry(w).or_default().push(p);
            }
        }
    }
    (0..COHORTS as i64)
        .map(|i| first + 7 * i)
        .map(|w| {
            let members = by_week.get(&w).map(Vec::as_slice).unwrap_or(&[]);
            let weeks_since = ((this_week - w) / 7) as usize;
            Cohort {
                week: day_string(w),
                size: members.len() as i64,
                active: (0..=weeks_since)
                    .map(|k| {
                        let target = w + 7 * k as i64;
                        members.iter().filter(|p| p.weeks.contains(&target)).count() as i64
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The features a learner is clustered on, and their names (English, Chinese) for the
/// high and the low side.
const FEATURES: [(&str, [&str; 4]); 6] = [
    ("recency", ["lapsing", "recent", "久未回访", "近期活跃"]),
    ("activity", ["very active", "occasional", "高频", "偶尔来"]),
    ("spend", ["big spenders", "non-buyers", "高消费", "未购买"]),
    ("completion", ["finishers", "samplers", "学完型", "浅尝型"]),
    ("breadth", ["explorers", "one-topic", "兴趣广", "专注一类"]),
    ("likes", ["enthusiasts", "quiet", "爱点赞", "少互动"]),
];

fn features(p: &Person, today: i64) -> Vec<f64> {
    let last = parse_day(&p.row.last_day).unwrap_or(today);
    let r = &p.row;
    vec![
        (today - last).max(0) as f64,
        (1.0 + r.events as f64).ln() + (1.0 + p.weeks.len() as f64).ln(),
        (1.0 + r.spend.max(0) as f64 / 100.0).ln(),
        if r.started > 0 {
            r.completed as f64 / r.started as f64
        } else {
            0.0
        },
        p.categories.len() as f64,
        (1.0 + r.likes as f64).ln(),
    ]
}

fn segments(
    people: &BTreeMap<String, Person>,
    today: i64,
) -> Option<(Segmentation, HashMap<String, usize>)> {
    if people.len() < MIN_SEGMENT_LEARNERS {
        return None;
    }
    let keys: Vec<&String> = people.keys().collect();
    let mut x: Vec<Vec<f64>> = people.values().map(|p| features(p, today)).collect();
    learn::standardise(&mut x);
    let mut rng = Rng::new(0x5E6_0001);
    let mut tried = Vec::new();
    let mut best: Option<(usize, f64, learn::Clusters)> = None;
    for k in 2..=MAX_SEGMENTS.min(people.len() - 1) {
        let c = learn::kmeans(&x, k, 3, &mut rng);
        let s = learn::silhouette(&x, &c.assignment, k, 600);
        tried.push((k, (s * 1000.0).round() / 1000.0));
        if best.as_ref().is_none_or(|b| s > b.1) {
            best = Some((k, s, c));
        }
    }
    let (k, score, clusters) = best?;
    let mut segments: Vec<Segment> = (0..k)
        .map(|c| {
            let members: Vec<usize> = (0..x.len())
                .filter(|&i| clusters.assignment[i] == c)
                .collect();
            let centre = &clusters.centres[c];
            let mut strongest: Vec<(usize, f64)> = centre.iter().copied().enumerate().collect();
            strongest.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
            let label = |lang: usize| {
                strongest
                    .iter()
                    .take(2)
                    .map(|&(f, z)| FEATURES[f].1[lang * 2 + usize::from(z < 0.0)])
                    .collect::<Vec<_>>()
                    .join(" · ")
            };
            let mut members_by_spend: Vec<Member> = members
                .iter()
                .map(|&i| {
                    let r = &people[keys[i]].row;
                    Member {
                        user: r.user.clone(),
                        name: String::new(),
                        spend: r.spend,
                        last_day: r.last_day.clone(),
                    }
                })
                .collect();
            members_by_spend
                .sort_by(|a, b| b.spend.cmp(&a.spend).then(b.last_day.cmp(&a.last_day)));
            members_by_spend.truncate(20);
            Segment {
                members: members_by_spend,
                id: c + 1,
                name: label(0),
                name_zh: label(1),
                size: members.len(),
                revenue: members.iter().map(|&i| people[keys[i]].row.spend).sum(),
                centre: FEATURES
                    .iter()
                    .zip(centre)
                    .map(|((n, _), z)| (n.to_string(), (z * 100.0).round() / 100.0))
                    .collect(),
            }
        })
        .collect();
    segments.sort_by_key(|s| std::cmp::Reverse(s.size));
    // Renumber so that segment 1 is the largest.
    let renumber: HashMap<usize, usize> = segments
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id - 1, i + 1))
        .collect();
    for s in segments.iter_mut() {
        s.id = renumber[&(s.id - 1)];
    }
    let of_user = keys
        .iter()
        .zip(&clusters.assignment)
        .map(|(k, a)| ((*k).clone(), renumber[a]))
        .collect();
    Some((
        Segmentation {
            k,
            silhouette: (score * 1000.0).round() / 1000.0,
            tried,
            segments,
            learners: people.len(),
        },
        of_user,
    ))
}

/// Features of a learner as seen at the end of week `at` (weeks after it unknown).
fn lapse_features(p: &Person, at: i64) -> Option<Vec<f64>> {
    let past: Vec<i64> = p.weeks.range(..=at).copied().collect();
    let last = *past.last()?;
    let first = past[0];
    let recent = |weeks: i64| past.iter().filter(|&&w| w > at - 7 * weeks).count() as f64;
    Some(vec![
        ((at - last) / 7) as f64,
        recent(4),
        recent(12),
        ((at - first) / 7) as f64,
        (1.0 + past.len() as f64).ln(),
    ])
}

fn held_out(user: &str) -> bool {
    // A stable split: the same learner is always on the same side.
    user.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    }) % 10
        < 3
}

fn lapse(
    people: &BTreeMap<String, Person>,
    today: i64,
    segment_of: Option<&HashMap<String, usize>>,
) -> Option<LapseModel> {
    let now = week_of(today);
    let cutoff = now - 7 * HORIZON_WEEKS;
    // Learners active in the 12 weeks before the cutoff; lapsed = no activity in the
    // four weeks after it.
    let mut train = (Vec::new(), Vec::new());
    let mut test = (Vec::new(), Vec::new());
    for (user, p) in people {
        let Some(f) = lapse_features(p, cutoff) else {
            continue;
        };
        if f[0] > 12.0 {
            continue;
        }
        let lapsed = p.weeks.range(cutoff + 1..=now).next().is_none();
        let side = if held_out(user) {
            &mut test
        } else {
            &mut train
        };
        side.0.push(f);
        side.1.push(lapsed);
    }
    if train.0.len() < 20 || test.0.len() < 10 {
        return None;
    }
    // Standardise with the training set's statistics.
    let (mean, sd) = learn::standardise(&mut train.0);
    let scale = |f: &[f64]| -> Vec<f64> {
        f.iter()
            .zip(&mean)
            .zip(&sd)
            .map(|((x, m), s)| if *s > 1e-12 { (x - m) / s } else { 0.0 })
            .collect()
    };
    let model = Logistic::fit(&train.0, &train.1, 500);
    let test_x: Vec<Vec<f64>> = test.0.iter().map(|f| scale(f)).collect();
    let p: Vec<f64> = test_x.iter().map(|r| model.predict(r)).collect();
    let base = train.1.iter().filter(|v| **v).count() as f64 / train.1.len() as f64;
    let auc = learn::auc(&p, &test.1)?;
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let calibration = order
        .chunks(order.len().div_ceil(5))
        .map(|bin| CalibrationBin {
            predicted: bin.iter().map(|&i| p[i]).sum::<f64>() / bin.len() as f64,
            observed: bin.iter().filter(|&&i| test.1[i]).count() as f64 / bin.len() as f64,
            n: bin.len(),
        })
        .collect();
    // Today's learners active in the last 12 weeks, most at risk first.
    let mut at_risk: Vec<AtRisk> = people
        .iter()
        .filter_map(|(user, person)| {
            let f = lapse_features(person, now)?;
            (f[0] <= 12.0).then(|| AtRisk {
                user: user.clone(),
                name: String::new(),
                probability: (model.predict(&scale(&f)) * 1000.0).round() / 1000.0,
                last_day: person.row.last_day.clone(),
                spend: person.row.spend,
                segment: segment_of.and_then(|s| s.get(user).copied()).unwrap_or(0),
            })
        })
        .collect();
    at_risk.sort_by(|a, b| {
        b.probability
            .total_cmp(&a.probability)
            .then(b.spend.cmp(&a.spend))
    });
    at_risk.truncate(10);
    Some(LapseModel {
        auc: (auc * 1000.0).round() / 1000.0,
        log_loss: (learn::log_loss(&p, &test.1) * 1000.0).round() / 1000.0,
        baseline_log_loss: (learn::log_loss(&vec![base; test.1.len()], &test.1) * 1000.0).round()
            / 1000.0,
        trained: train.1.len(),
        held_out: test.1.len(),
        calibration,
        at_risk,
    })
}

async fn forecasts(db: &Db, store: &str, today: i64) -> Result<Vec<ItemForecast>, DbError> {
    let weeks = 26i64;
    let end = week_of(today) + 6;
    let start = end - 7 * weeks + 1;
    let filter = creator_filter(store);
    let list: Vec<ProductDay> = rows(
        db,
        "read product revenue",
        &format!("SELECT product, day, net FROM stat_day WHERE {filter} AND day >= $from AND day <= $to AND (net != 0 OR sales > 0)"),
        json!({ "c": store, "from": day_string(start), "to": day_string(end) }),
        0,
    )
    .await?;
    let mut series: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut last30: HashMap<String, i64> = HashMap::new();
    for r in &list {
        let Some(d) = parse_day(&r.day) else { continue };
        let w = ((d - start) / 7) as usize;
        let s = series
            .entry(r.product.clone())
            .or_insert_with(|| vec![0.0; weeks as usize]);
        if let Some(v) = s.get_mut(w) {
            *v += r.net as f64;
        }
        if d > today - 30 && d <= today {
            *last30.entry(r.product.clone()).or_default() += r.net;
        }
    }
    let titles = product_titles(db).await?;
    let per_30 = 30.0 / (7.0 * HORIZON_WEEKS as f64);
    let mut out: Vec<ItemForecast> = series
        .into_iter()
        .filter(|(_, s)| s.iter().filter(|v| **v != 0.0).count() >= 2)
        .map(|(product, s)| {
            let (a, b) = learn::fit_holt(&s);
            let next = learn::holt_sum(&s, HORIZON_WEEKS as usize, a, b) * per_30;
            // One-step errors give the spread; the interval widens with the horizon.
            let errors: Vec<f64> = (2..s.len())
                .map(|t| {
                    let (l, tr) = learn::holt(&s[..t], a, b);
                    s[t] - (l + tr)
                })
                .collect();
            let sd =
                (errors.iter().map(|e| e * e).sum::<f64>() / errors.len().max(1) as f64).sqrt();
            let half = 1.2816 * sd * (HORIZON_WEEKS as f64).sqrt() * per_30;
            let cut = s.len() - HORIZON_WEEKS as usize;
            let (ba, bb) = learn::fit_holt(&s[..cut]);
            let back = learn::holt_sum(&s[..cut], HORIZON_WEEKS as usize, ba, bb);
            let actual: f64 = s[cut..].iter().sum();
            ItemForecast {
                title: titles
                    .get(&product)
                    .cloned()
                    .unwrap_or_else(|| product.clone()),
                last30: last30.get(&product).copied().unwrap_or(0),
                next30: next.round() as i64,
                low: (next - half).max(0.0).round() as i64,
                high: (next + half).round() as i64,
                backtest_error: (back - actual).abs().round() as i64,
                product,
            }
        })
        .collect();
    out.sort_by_key(|f| std::cmp::Reverse(f.next30 - f.last30));
    out.truncate(10);
    Ok(out)
}

/// Titles of every product by its product string.
pub async fn product_titles(db: &Db) -> Result<HashMap<String, String>, DbError> {
    #[derive(Deserialize)]
    struct Titled {
        product: String,
        title: String,
    }
    let list: Vec<Titled> = rows(
        db,
        "read product titles",
        "RETURN array::concat(
            (SELECT string::concat('item:', slug) AS product, title_en AS title FROM item),
            (SELECT string::concat('bundle:', slug) AS product, title_en AS title FROM bundle),
            (SELECT string::concat('membership:', record::id(id), ':monthly') AS product, string::concat(name, ' (30 days)') AS title FROM membership_tier),
            (SELECT string::concat('membership:', record::id(id), ':yearly') AS product, string::concat(name, ' (year)') AS title FROM membership_tier)
         )",
        json!({}),
        0,
    )
    .await?;
    Ok(list.into_iter().map(|t| (t.product, t.title)).collect())
}

async fn mrr(db: &Db, store: &str, today: i64) -> Result<Vec<MrrMonth>, DbError> {
    let filter = if store == "all" {
        "true"
    } else {
        "tier.creator = type::record('creator', $c)"
    };
    let periods: Vec<Period> = rows(
        db,
        "read membership periods",
        &format!(
            "SELECT record::id(user) AS user, plan, <string> starts_at AS starts, <string> ends_at AS ends,
                    record::id(id) AS key, (IF from_order != NONE THEN from_order.lines.total_minor END) AS totals
             FROM membership WHERE revoked_at = NONE AND {filter}"
        ),
        json!({ "c": store }),
        0,
    )
    .await?;
    let monthly = |p: &Period| -> i64 {
        // A bought period is keyed `<order>_<line>`: its price is that line's total.
        let line = p
            .key
            .rsplit('_')
            .next()
            .and_then(|n| n.parse::<usize>().ok());
        let total = match (&p.totals, line) {
            (Some(t), Some(l)) => t.get(l).copied().unwrap_or(0),
            _ => 0,
        };
        match p.plan.as_str() {
            "monthly" => total,
            "yearly" => total / 12,
            _ => 0,
        }
    };
    let (y, m, _) = crate::models::analytics::civil_from_days(today);
    let mut out = Vec::new();
    let mut before: HashMap<&str, i64> = HashMap::new();
    for back in (0..=12).rev() {
        let months = y * 12 + i64::from(m) - 1 - back;
        let (yy, mm) = (months.div_euclid(12), months.rem_euclid(12) as u32 + 1);
        // The instant the month ends: the first day of the next month.
        let end_day = crate::models::analytics::days_from_civil(
            (months + 1).div_euclid(12),
            (months + 1).rem_euclid(12) as u32 + 1,
            1,
        )
        .min(today + 1);
        let end = rfc3339(end_day * 86_400 - 1);
        let mut now: HashMap<&str, i64> = HashMap::new();
        for p in &periods {
            if p.starts.as_str() <= end.as_str() && p.ends.as_str() > end.as_str() {
                *now.entry(p.user.as_str()).or_default() += monthly(p);
            }
        }
        if back < 12 {
            let mut month = MrrMonth {
                month: format!("{yy:04}-{mm:02}"),
                mrr: now.values().sum(),
                new: 0,
                expansion: 0,
                contraction: 0,
                churned: 0,
                members: now.len() as i64,
                left: 0,
            };
            let users: BTreeSet<&str> = before.keys().chain(now.keys()).copied().collect();
            for u in users {
                let (a, b) = (before.get(u).copied(), now.get(u).copied());
                match (a, b) {
                    (None, Some(b)) => month.new += b,
                    (Some(a), None) => {
                        month.churned -= a;
                        month.left += 1;
                    }
                    (Some(a), Some(b)) if b > a => month.expansion += b - a,
                    (Some(a), Some(b)) if b < a => month.contraction -= a - b,
                    _ => {}
                }
            }
            out.push(month);
        }
        before = now;
    }
    Ok(out)
}
