//! Analytics: every dashboard figure equals a direct count over the raw events and the
//! ledger; rolling up in steps gives the same totals as rolling up at once; consent
//! decides what is recorded; who may see which store; bad input gets a clear answer; CSV
//! cells cannot become formulas; deleting an account deletes what analytics kept.

use crate::common;

use app::models::analytics::{day_string, Dashboard, Figures};
use app::ssr::analytics::{now_secs, report, rollup};
use app::ssr::ratelimit::RateLimits;
use common::shop::{add, checkout, count, learner, order_of, paid_items, query, PAYS};
use common::{signed_in, Browser, TestApp};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::OnceLock;
use tokio::sync::{Mutex, MutexGuard};

/// The tests reset and roll up a server's totals, so each needs a server to itself while it
/// runs. There are two (one per test thread), each behind a lock, and a test takes whichever
/// is free first: one after the other on a single server, the module's year-long roll-ups
/// kept the other test thread waiting for most of the test run.
static SERVERS: [OnceLock<TestApp>; 2] = [OnceLock::new(), OnceLock::new()];
static TOTALS: [Mutex<()>; 2] = [Mutex::const_new(()), Mutex::const_new(())];

/// A server of this module's, for the calling test alone until the guard is dropped.
async fn server() -> (MutexGuard<'static, ()>, &'static TestApp) {
    let (guard, i) = tokio::select! {
        g = TOTALS[0].lock() => (g, 0),
        g = TOTALS[1].lock() => (g, 1),
    };
    let app = SERVERS[i].get_or_init(|| TestApp::start(RateLimits::loose_per_ip()));
    (guard, app)
}

async fn dashboard(b: &Browser, args: &str) -> Dashboard {
    let r = b.fetch(&format!("/api/analytics?{args}")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    serde_json::from_str(&r.body).unwrap()
}

/// Counts everything from first principles: raw events and ledger entries of `creator`
/// (or every creator) between `from` and `to` (days, inclusive).
async fn direct(
    app: &TestApp,
    creator: Option<&str>,
    item: Option<&str>,
    from: &str,
    to: &str,
) -> Figures {
    let vars = json!({ "c": creator, "from": format!("{from}T00:00:00Z"), "to": format!("{to}T23:59:59.999999Z"), "item": item });
    let events = query(
        &app.db,
        "SELECT (IF user != NONE THEN record::id(user) END) AS user, record::id(item.creator) AS creator, item.slug AS slug,
                kind, value, source, time::format(at, '%Y-%m-%d') AS day
         FROM event WHERE item != NONE AND at >= <datetime> $from AND at <= <datetime> $to
           AND ($c = NONE OR item.creator = type::record('creator', $c)) AND ($item = NONE OR item.slug = $item)",
        vars.clone(),
    )
    .await;
    let ledger = query(
        &app.db,
        "SELECT kind, gross_minor, fee_minor, net_minor, record::id(from_order) AS order, product, time::format(at, '%Y-%m-%d') AS day
         FROM ledger WHERE at >= <datetime> $from AND at <= <datetime> $to
           AND ($c = NONE OR creator = type::record('creator', $c))
           AND ($item = NONE OR product = string::concat('item:', $item))",
        vars,
    )
    .await;
    let mut f = Figures::default();
    let mut seen = BTreeSet::new();
    let mut landings = 0;
    for e in &events {
        match e["kind"].as_str().unwrap() {
            "view" => {
                f.views += 1;
                if e["user"].is_null() && e["source"].is_string() {
                    landings += 1;
                }
            }
            "preview" => f.previews += 1,
            "purchase" => f.purchases += 1,
            "like" => f.likes += 1,
            "rating" => {
                f.ratings += 1;
                f.rating_sum += e["value"].as_f64().unwrap().round() as i64;
            }
            _ => {}
        }
        if let Some(u) = e["user"].as_str() {
            seen.insert((
                e["day"].as_str().unwrap().to_string(),
                e["creator"].as_str().unwrap().to_string(),
                u.to_string(),
            ));
        }
    }
    let mut orders = BTreeSet::new();
    for l in &ledger {
        let gross = l["gross_minor"].as_i64().unwrap();
        if l["kind"] == "sale" {
            f.sales += 1;
            f.gross += gross;
            orders.insert(l["order"].as_str().unwrap().to_string());
        } else {
            f.refunds += gross;
        }
        f.fees += l["fee_minor"].as_i64().unwrap();
        f.net += l["net_minor"].as_i64().unwrap();
    }
    if item.is_none() {
        f.visitors = Some(seen.len() as i64 + landings);
        f.orders = Some(orders.len() as i64);
    }
    f
}

/// `started` and `completed` are counted once per learner and item, on the first day;
/// this compares everything else.
fn without_progress(mut f: Figures) -> Figures {
    f.started = 0;
    f.completed = 0;
    f
}

async fn recount(app: &TestApp) {
    rollup::reset(&app.db).await.unwrap();
    rollup::roll_up_until(&app.db, now_secs() + 2, rollup::MEM_BATCH_EVENTS)
        .await
        .unwrap();
}

/// A learner who allowed analytics buys a paid item of c1; an anonymous visitor lands on
/// another from a search engine; a learner who did not allow analytics looks around.
async fn fresh_activity(app: &TestApp) -> (String, String) {
    let items = paid_items(&app.db, "c1").await;
    let (slug, _) = items[0].clone();
    let (b, key) = learner(app).await;
    b.submit("/api/set_consent", &[("analytics", "on")]).await;
    assert_eq!(b.get(&format!("/item/{slug}")).await.status, 200);
    add(&b, &slug).await;
    let id = order_of(checkout(&b, &format!("analytics-{key}")).await.location());
    let r = b
        .submit("/api/pay_sandbox", &[("order", &id), ("card", PAYS)])
        .await;
    assert_eq!(r.location(), format!("/orders/{id}"), "{r:?}");
    let anon = Browser::new(app);
    let other = &items[1].0;
    let r = anon
        .get_with(
            &format!("/item/{other}"),
            &[("referer", "https://www.zhihu.com/question/42")],
        )
        .await;
    assert_eq!(r.status, 200);
    (slug, key)
}

#[tokio::test]
async fn every_dashboard_figure_equals_a_direct_count() {
    let (_alone, app) = server().await;
    let (slug, _) = fresh_activity(app).await;
    recount(app).await;
    let creator = signed_in(app, "c1").await;
    let admin = signed_in(app, "admin").await;
    let today = day_string(now_secs().div_euclid(86_400));
    for (from, to) in [
        ("2026-01-01", today.as_str()),
        ("2026-03-01", "2026-05-31"),
        // Whole weeks and single days around a whole month, and weeks without one.
        ("2026-02-11", "2026-04-22"),
        ("2026-06-03", "2026-06-24"),
        (today.as_str(), today.as_str()),
    ] {
        let d = dashboard(&creator, &format!("from={from}&to={to}")).await;
        assert_eq!(d.store, "c1");
        let want = direct(app, Some("c1"), None, from, to).await;
        assert_eq!(without_progress(d.current.clone()), want, "c1 {from}..{to}");
        // The previous period is the same length, just before.
        let prev = direct(
            app,
            Some("c1"),
            None,
            &d.previous.from_string(),
            &d.previous.to_string_last(),
        )
        .await;
        assert_eq!(without_progress(d.prior.clone()), prev, "c1 before {from}");
        // The daily series adds up to the totals.
        assert_eq!(d.days.len() as i64, d.range.days());
        assert_eq!(d.days.iter().map(|p| p.net).sum::<i64>(), want.net);
        assert_eq!(d.days.iter().map(|p| p.views).sum::<i64>(), want.views);
        // And so do the products.
        assert_eq!(
            d.products.iter().map(|p| p.figures.gross).sum::<i64>(),
            want.gross
        );
        assert_eq!(
            d.products.iter().map(|p| p.figures.previews).sum::<i64>(),
            want.previews
        );
        assert_eq!(
            d.products.iter().map(|p| p.figures.net).sum::<i64>(),
            want.net
        );

        let all = dashboard(&admin, &format!("from={from}&to={to}")).await;
        assert_eq!(all.store, "all");
        assert_eq!(
            without_progress(all.current),
            direct(app, None, None, from, to).await,
            "all {from}..{to}"
        );
    }
    // One item.
    let d = dashboard(&creator, &format!("item={slug}&from=2026-01-01&to={today}")).await;
    assert_eq!(
        without_progress(d.current),
        direct(app, Some("c1"), Some(&slug), "2026-01-01", &today).await
    );
    // Today's fresh sale and landing are in.
    let d = dashboard(&creator, &format!("from={today}&to={today}")).await;
    assert!(
        d.current.sales >= 1 && d.current.purchases >= 1,
        "{:?}",
        d.current
    );
    assert!(
        d.sources.iter().any(|s| s.source == "zhihu.com"),
        "{:?}",
        d.sources
    );

    // Progress: each learner and item once (on the day it started), completed at 90 %.
    let pairs = query(
        &app.db,
        "SELECT user, item, math::max(value) AS best FROM event WHERE kind = 'progress' AND user != NONE GROUP BY user, item",
        json!({}),
    )
    .await;
    let all = dashboard(&admin, &format!("from=2025-01-01&to={today}")).await;
    assert_eq!(all.current.started, pairs.len() as i64);
    let done = pairs
        .iter()
        .filter(|p| p["best"].as_f64().unwrap() >= 0.9)
        .count();
    assert_eq!(all.current.completed, done as i64);
}

#[tokio::test]
async fn rolling_up_in_steps_gives_the_same_totals_as_at_once() {
    let (_alone, app) = server().await;
    recount(app).await;
    let admin = signed_in(app, "admin").await;
    let args = format!(
        "from=2026-01-01&to={}",
        day_string(now_secs().div_euclid(86_400))
    );
    let once = dashboard(&admin, &args).await;
    let learners = || {
        query(
            &app.db,
            "SELECT record::id(id) AS key, first_day, last_day, first_purchase_day, events, purchases, spend,
                likes, started, completed, array::sort(weeks) AS weeks, array::sort(categories) AS categories
             FROM stat_learner ORDER BY key",
            json!({}),
        )
    };
    let learners_once = learners().await;
    assert!(!learners_once.is_empty());
    rollup::reset(&app.db).await.unwrap();
    let before = dashboard(&admin, &args).await;
    assert!(!before.has_data, "after a reset nothing is counted yet");
    // Mid-day, then a day later, then now.
    let mid = app::ssr::analytics::parse_rfc3339("2026-06-15T13:30:00Z").unwrap();
    for until in [mid, mid + 86_400, now_secs() + 2] {
        rollup::roll_up_until(&app.db, until, rollup::MEM_BATCH_EVENTS)
            .await
            .unwrap();
    }
    let steps = dashboard(&admin, &args).await;
    assert_eq!(steps.current, once.current);
    assert_eq!(steps.days, once.days);
    assert_eq!(steps.products, once.products);
    assert_eq!(steps.sources, once.sources);
    assert_eq!(
        learners().await,
        learners_once,
        "each learner's totals, weeks and categories"
    );
}

#[tokio::test]
async fn only_consenting_learners_and_anonymous_visitors_are_recorded() {
    let (_alone, app) = server().await;
    let slug = paid_items(&app.db, "c2").await[0].0.clone();
    let events = || {
        count(
            &app.db,
            "SELECT * FROM event WHERE item.slug = $s AND at > time::now() - 1m",
            json!({ "s": slug }),
        )
    };
    let before = events().await;
    let (quiet, key) = learner(app).await;
    assert_eq!(quiet.get(&format!("/item/{slug}")).await.status, 200);
    assert_eq!(quiet.get("/catalog?q=rust").await.status, 200);
    assert_eq!(events().await, before, "no consent: nothing recorded");
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM event WHERE user = type::record('user', $k)",
            json!({ "k": key })
        )
        .await,
        0
    );

    // Anonymous: a view and a preview, with the source and without any identifier.
    let anon = Browser::new(app);
    anon.get_with(&format!("/item/{slug}?utm_source=Newsletter"), &[])
        .await;
    let rows = query(
        &app.db,
        "SELECT user, kind, source FROM event WHERE item.slug = $s AND at > time::now() - 1m ORDER BY kind DESC",
        json!({ "s": slug }),
    )
    .await;
    let fresh: Vec<&Value> = rows
        .iter()
        .filter(|r| r["source"] == "newsletter" || r["kind"] == "preview")
        .collect();
    assert!(fresh.iter().all(|r| r["user"].is_null()), "{rows:?}");
    assert!(
        fresh
            .iter()
            .any(|r| r["kind"] == "view" && r["source"] == "newsletter"),
        "{rows:?}"
    );
    assert!(
        anon.session().is_none(),
        "no session for an anonymous visitor"
    );
    // A search is recorded as text only.
    anon.get("/catalog?q=%3DHYPERLINK(1)").await;
    assert!(
        count(
            &app.db,
            "SELECT * FROM event WHERE kind = 'search' AND query = '=hyperlink(1)' AND user = NONE",
            json!({})
        )
        .await
            >= 1
    );
}

#[tokio::test]
async fn who_may_see_which_store_and_bad_input() {
    let (_alone, app) = server().await;
    let (learner_b, _) = learner(app).await;
    assert_eq!(learner_b.fetch("/api/analytics").await.status, 403);
    assert_eq!(Browser::new(app).fetch("/api/analytics").await.status, 401);
    let c1 = signed_in(app, "c1").await;
    assert_eq!(
        c1.fetch("/api/analytics?store=c2").await.status,
        403,
        "another creator's store"
    );
    assert_eq!(
        c1.fetch("/api/analytics?store=all").await.status,
        403,
        "all stores: admins only"
    );
    let c2_item = paid_items(&app.db, "c2").await[0].0.clone();
    let r = c1.fetch(&format!("/api/analytics?item={c2_item}")).await;
    assert_eq!(
        r.status, 404,
        "another creator's item is not in this store: {}",
        r.body
    );
    let r = c1.fetch("/api/analytics?item=no-such-item").await;
    assert_eq!(r.status, 404);
    assert!(r.body.contains("no-such-item"), "{}", r.body);
    let r = c1
        .fetch("/api/analytics?from=2026-11-20&to=2026-11-01")
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("after the end date"), "{}", r.body);
    let r = c1
        .fetch("/api/analytics?from=2000-01-01&to=2026-11-01")
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("three years"), "{}", r.body);
    let r = c1.fetch("/api/analytics?from=2026-02-30").await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("YYYY-MM-DD"), "{}", r.body);
    let admin = signed_in(app, "admin").await;
    assert_eq!(admin.fetch("/api/analytics?store=c2").await.status, 200);
    assert_eq!(admin.fetch("/api/analytics?store=nope").await.status, 404);

    // CSV: same rules, and no cell can start a formula.
    assert_eq!(
        learner_b
            .get("/studio/analytics.csv?table=days")
            .await
            .status,
        403
    );
    assert_eq!(c1.get("/studio/analytics.csv?table=nope").await.status, 400);
    Browser::new(app)
        .get("/catalog?q=%3Dcmd%7C%27%20%2FC%20calc%27")
        .await;
    Browser::new(app).get("/catalog?q=%40SUM(A1)").await;
    recount(app).await;
    let today = day_string(now_secs().div_euclid(86_400));
    let r = admin
        .get(&format!(
            "/studio/analytics.csv?table=searches&from={today}&to={today}"
        ))
        .await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").starts_with("text/csv"));
    assert!(r.header("content-disposition").contains("attachment"));
    let lines: Vec<&str> = r.body.lines().skip(1).collect();
    assert!(lines.iter().any(|l| l.starts_with("'=cmd")), "{}", r.body);
    assert!(lines.iter().any(|l| l.starts_with("'@sum")), "{}", r.body);
    for l in &lines {
        assert!(!l.starts_with(['=', '+', '-', '@']), "{l}");
    }
    let r = c1
        .get("/studio/analytics.csv?table=products&from=2026-01-01")
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.lines().count() > 2, "{}", r.body);
}

#[tokio::test]
async fn reports_segments_and_forecasts_and_an_empty_store() {
    let (_alone, app) = server().await;
    // Before anything is counted: a clear empty state, no zeros that look like facts.
    rollup::reset(&app.db).await.unwrap();
    let c1 = signed_in(app, "c1").await;
    let d = dashboard(&c1, "").await;
    assert!(!d.has_data);
    assert!(d.report.is_none());
    let page = c1.get("/studio/analytics").await;
    assert!(
        page.body.contains("data-testid=\"no-data\""),
        "the page says so"
    );

    rollup::roll_up_until(&app.db, now_secs() + 2, rollup::MEM_BATCH_EVENTS)
        .await
        .unwrap();
    let stores = report::compute_all(&app.db, now_secs()).await.unwrap();
    assert_eq!(stores, 5, "four creators and all together");
    let d = dashboard(&c1, "from=2026-01-01").await;
    let r = d.report.expect("report");
    let seg = r.segments.expect("segments");
    assert!((2..=6).contains(&seg.k));
    assert_eq!(
        seg.segments.iter().map(|s| s.size).sum::<usize>(),
        seg.learners
    );
    assert!(seg
        .segments
        .iter()
        .all(|s| !s.name.is_empty() && !s.name_zh.is_empty()));
    let lapse = r.lapse.expect("lapse model");
    assert!(lapse.auc > 0.0 && lapse.auc <= 1.0);
    assert!(lapse.at_risk.iter().all(|a| !a.name.is_empty()));
    assert!(!r.forecasts.is_empty(), "the demo store has sales history");
    for f in &r.forecasts {
        assert!(f.low <= f.next30 && f.next30 <= f.high, "{f:?}");
    }
    assert_eq!(r.cohorts.len(), 12);
    let page = c1.get("/studio/analytics?from=2026-01-01").await;
    for id in [
        "kpi-net",
        "revenue-chart",
        "funnel",
        "products-table",
        "segments-table",
        "forecasts-table",
    ] {
        assert!(
            page.body.contains(&format!("data-testid=\"{id}\"")),
            "{id} missing"
        );
    }
}

#[tokio::test]
async fn deleting_an_account_deletes_what_analytics_kept_about_them() {
    let (_alone, app) = server().await;
    let (_, key) = fresh_activity(app).await;
    recount(app).await;
    let kept = |table: &str| {
        let sql = format!("SELECT * FROM {table} WHERE user = $k");
        let vars = json!({ "k": key.clone() });
        async move { count(&app.db, &sql, vars).await }
    };
    assert!(kept("stat_learner").await >= 1);
    assert!(kept("stat_seen").await >= 1);
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM stat_learner WHERE user = $k AND array::len(weeks) = 1 AND array::len(categories) = 1",
            json!({ "k": key.clone() }),
        )
        .await,
        1,
        "the learner's one active week and one category are on their row"
    );
    let b = signed_in(app, &key).await;
    let r = b
        .submit(
            "/api/delete_account",
            &[("password", common::shop::PASSWORD)],
        )
        .await;
    assert_eq!(r.location(), "/?deleted=1", "{r:?}");
    for table in ["stat_learner", "stat_seen", "stat_progress"] {
        assert_eq!(kept(table).await, 0, "{table}");
    }
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM event WHERE user = type::record('user', $k)",
            json!({ "k": key })
        )
        .await,
        0
    );
}

#[tokio::test]
async fn raw_events_past_their_retention_are_deleted_in_batches_and_no_others() {
    let (_alone, app) = server().await;
    recount(app).await;
    let item = paid_items(&app.db, "c3").await[0].0.clone();
    let old: Vec<Value> = (0..rollup::PRUNE_BATCH + 5)
        .map(|i| json!({ "at": format!("2020-01-0{}T10:00:00Z", 1 + i % 9) }))
        .collect();
    app::ssr::db::execute(
        &app.db,
        "old events",
        "LET $it = (SELECT VALUE id FROM item WHERE slug = $s)[0];
         INSERT INTO event $old.map(|$e| { item: $it, kind: 'view', at: <datetime> $e.at })",
        json!({ "old": old, "s": item }),
    )
    .await
    .unwrap();
    let all = "SELECT VALUE id FROM event";
    let before = count(&app.db, all, json!({})).await;
    // Nothing of the demo history is 2,000 days old; the events of 2020 are.
    let deleted = rollup::prune(&app.db, 2_000, now_secs()).await.unwrap();
    assert_eq!(deleted, rollup::PRUNE_BATCH + 5);
    assert_eq!(
        count(&app.db, all, json!({})).await,
        before - deleted,
        "only the old events are gone"
    );
    assert_eq!(
        count(
            &app.db,
            "SELECT VALUE id FROM event WHERE at < d'2021-01-01'",
            json!({})
        )
        .await,
        0
    );
    assert_eq!(rollup::prune(&app.db, 2_000, now_secs()).await.unwrap(), 0);
}

/// A c1 item that `user` does not own yet.
async fn unowned_item(app: &TestApp, user: &str) -> String {
    let owned: Vec<Value> = query(
        &app.db,
        "SELECT VALUE item.slug FROM entitlement WHERE user = type::record('user', $u)",
        json!({ "u": user }),
    )
    .await;
    paid_items(&app.db, "c1")
        .await
        .into_iter()
        .map(|(slug, _)| slug)
        .find(|s| !owned.iter().any(|o| o == s))
        .expect("an item they do not own")
}

#[tokio::test]
async fn a_coupon_for_a_segment_reaches_its_learners_and_only_they_can_use_it() {
    let (_alone, app) = server().await;
    recount(app).await;
    report::compute_all(&app.db, now_secs()).await.unwrap();
    let one = report::segment_members(&app.db, "c1", 1).await.unwrap();
    let two = report::segment_members(&app.db, "c1", 2).await.unwrap();
    assert!(!one.is_empty() && !two.is_empty());
    assert!(
        one.iter().all(|u| !two.contains(u)),
        "segments do not overlap"
    );
    let d = dashboard(&signed_in(app, "c1").await, "").await;
    let sizes: Vec<usize> = d
        .report
        .unwrap()
        .segments
        .unwrap()
        .segments
        .iter()
        .map(|s| s.size)
        .collect();
    assert_eq!(
        sizes[0],
        one.len(),
        "the members are the segment the dashboard shows"
    );
    // One member asked for store news by e-mail, another did not.
    let (member, quiet, outsider) = (&one[0], &one[1], &two[0]);
    app::ssr::db::execute(
        &app.db,
        "news",
        "UPDATE type::record('user', $a) SET email_updates = true; UPDATE type::record('user', $b) SET email_updates = false;",
        json!({ "a": member, "b": quiet }),
    )
    .await
    .unwrap();

    let c1 = signed_in(app, "c1").await;
    let form = c1.get("/studio/sales?segment=1").await;
    assert!(
        form.body.contains("name=\"segment\""),
        "the form carries the segment"
    );
    let r = c1
        .submit(
            "/api/studio_coupon",
            &[
                ("code", "SEG1-THANKS"),
                ("kind", "percent"),
                ("value", "20"),
                ("segment", "1"),
                ("notify", "on"),
            ],
        )
        .await;
    let sent: usize = r
        .location()
        .split("sent=")
        .nth(1)
        .and_then(|s| s.split('#').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{r:?}"));
    let asked = count(
        &app.db,
        "SELECT id FROM $ids.map(|$k| type::record('user', $k)) WHERE email_updates = true",
        json!({ "ids": one }),
    )
    .await;
    assert_eq!(
        sent, asked,
        "every member who asked for news, and no one else"
    );
    let mail = |user: &str| {
        query(
            &app.db,
            "SELECT VALUE body FROM outbox WHERE to = type::record('user', $u).email AND body CONTAINS 'SEG1-THANKS'",
            json!({ "u": user }),
        )
    };
    assert_eq!(mail(member).await.len(), 1);
    assert!(mail(quiet).await.is_empty(), "no news for who did not ask");
    assert!(mail(outsider).await.is_empty());
    let sales = c1.get("/studio/sales").await;
    assert!(sales
        .body
        .contains(&format!("Segment 1 · {} learners", one.len())));

    // A member gets the discount; someone outside the segment is told it is not for them.
    for (user, allowed) in [(member, true), (outsider, false)] {
        let b = signed_in(app, user).await;
        assert_eq!(add(&b, &unowned_item(app, user).await).await.status, 302);
        let r = b
            .call("/api/coupon_apply", &[("code", "seg1-thanks")])
            .await;
        if allowed {
            assert!(r.status < 400, "{r:?}");
        } else {
            assert_eq!(r.status, 422, "{r:?}");
            assert!(r.body.contains("CouponNotForYou"), "{}", r.body);
        }
    }
    // A visitor who is not signed in cannot use it either.
    let visitor = Browser::new(app);
    assert_eq!(
        add(&visitor, &unowned_item(app, "nobody").await)
            .await
            .status,
        302
    );
    let r = visitor
        .call("/api/coupon_apply", &[("code", "SEG1-THANKS")])
        .await;
    assert!(r.body.contains("CouponNotForYou"), "{}", r.body);

    // Bad input: no such segment, a segment that is not a number.
    for segment in ["9", "one"] {
        let r = c1
            .call(
                "/api/studio_coupon",
                &[
                    ("code", "SEG-BAD"),
                    ("kind", "percent"),
                    ("value", "20"),
                    ("segment", segment),
                ],
            )
            .await;
        assert_eq!(r.status, 400, "{segment}: {r:?}");
        assert!(r.body.contains("segment"), "{}", r.body);
    }
    assert_eq!(
        count(&app.db, "SELECT id FROM coupon:⟨SEG-BAD⟩", json!({})).await,
        0
    );
}
