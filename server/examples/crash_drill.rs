//! The crash drill: proves that a server killed in the middle of selling loses and doubles
//! nothing.
//!
//! It starts the release server on a fresh on-disk database, signs in 25 demo learners and
//! lets them run 200 checkouts at once — one to three items each, some with a coupon that
//! has a usage limit, some with a membership, some gifts for someone else, some with the
//! same idempotency key sent twice at once, some paid twice at once (a replayed payment),
//! some declined. Part-way through it kills the server
//! with SIGKILL, starts it again on the same database, and the learners retry whatever
//! failed. Then it stops the server, opens the database itself and checks:
//!
//! * every checkout key made exactly one order, and every paid order was granted exactly
//!   once (one entitlement per item, no order left half-done);
//! * no order was charged twice (one payment event and one ledger sale per line);
//! * no entitlement exists without a paid order;
//! * the ledger's totals equal the orders' totals, and the coupon's use count equals the
//!   orders holding it;
//! * every membership line of a paid order added exactly one membership period, every paid
//!   gift made exactly one claimable gift (granting nothing to its buyer) and was mailed once.
//!
//! * the server never panicked (a handler that panics drops its connection, which the
//!   learners' retries would otherwise hide).
//!
//! It prints the counts and exits non-zero on any mismatch. The server's log is kept in the
//! drill's temporary directory; when the drill fails, its last lines are printed.
//!
//! With `--stripe` the server takes payments through Stripe instead of the sandbox: the
//! drill runs a fake Stripe API for the Checkout Sessions, and pays by sending signed
//! `checkout.session.completed` webhooks (declines as `checkout.session.expired`). Some
//! webhooks are sent twice at once, some again later with the same event id (a replay),
//! some followed by a second event for the same session — as Stripe does when it retries.
//!
//! ```text
//! cargo run --release -p server --example crash_drill -- target/release/server
//! cargo run --release -p server --example crash_drill -- target/release/server --stripe
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::ssr::db::{connect, rows, DbConfig};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

const LEARNERS: usize = 25;
const TRIPS_PER_LEARNER: usize = 8;
const PASSWORD: &str = "demo-learner-password";
const PAYS: &str = "4242424242424242";
const DECLINED: &str = "4000000000000002";
/// The demo coupon with a usage limit (server/src/seed.rs).
const LIMITED_COUPON: &str = "WANG20";
/// Requests that failed because the server was down and were sent again.
static RETRIED: AtomicUsize = AtomicUsize::new(0);
/// The webhook signing secret the drill's server and fake Stripe share.
const WEBHOOK_SECRET: &str = "whsec_crash_drill";
/// The drill's server log (both runs of the server append to it).
static SERVER_LOG: OnceLock<PathBuf> = OnceLock::new();

/// Prints the last `lines` lines of the server's log to stderr.
fn print_server_log_tail(lines: usize) {
    let Some(path) = SERVER_LOG.get() else {
        return;
    };
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    eprintln!(
        "--- the last {} lines of the server's log ({}) ---",
        lines.min(all.len()),
        path.display()
    );
    for line in &all[all.len().saturating_sub(lines)..] {
        eprintln!("{line}");
    }
    eprintln!("--- end of the server's log ---");
}

struct Server {
    binary: String,
    db_url: String,
    port: u16,
    /// The fake Stripe API's address, when payments go through Stripe.
    stripe: Option<String>,
    child: Option<Child>,
}

impl Server {
    fn start(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(SERVER_LOG.get().expect("the log's path is set first"))
            .expect("log file");
        let child = Command::new(&self.binary)
            .args(["--database-url", &self.db_url, "serve", "--seed-demo"])
            .args(["--addr", &format!("127.0.0.1:{}", self.port)])
            .args(["--catalog-refresh-secs", "0"])
            .args(match &self.stripe {
                Some(base) => vec![
                    "--payments".to_string(),
                    "stripe".into(),
                    "--stripe-secret-key".into(),
                    "sk_test_crash_drill".into(),
                    "--stripe-webhook-secret".into(),
                    WEBHOOK_SECRET.into(),
                    "--stripe-api-base".into(),
                    base.clone(),
                ],
                None => Vec::new(),
            })
            .stdout(Stdio::from(log.try_clone().expect("log")))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("start the server");
        self.child = Some(child);
    }

    /// SIGKILL: no shutdown, no flush, nothing.
    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    base: String,
    session: String,
}

/// One HTTP answer.
struct Answer {
    status: u16,
    location: String,
    body: String,
    session: Option<String>,
}

impl Client {
    /// POSTs a server function as the hydrated app does; retries while the server is down.
    async fn call(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", v.replace(' ', "+")))
            .collect::<Vec<_>>()
            .join("&");
        send_retrying(|| {
            self.http
                .post(format!("{}{path}", self.base))
                .header("accept", "application/json")
                .header("sec-fetch-site", "same-origin")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", format!("sz_session={}", self.session))
                .body(body.clone())
        })
        .await
    }
}

impl Client {
    /// GETs a server function's JSON answer; retries while the server is down.
    async fn fetch(&self, path: &str) -> Answer {
        send_retrying(|| {
            self.http
                .get(format!("{}{path}", self.base))
                .header("accept", "application/json")
                .header("cookie", format!("sz_session={}", self.session))
        })
        .await
    }

    /// Delivers a Stripe event as Stripe does: signed, and again until it is answered.
    async fn webhook(&self, event: &Value) -> Answer {
        let payload = event.to_string();
        send_retrying(|| {
            // Signed afresh on every attempt, as Stripe does for each delivery.
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs() as i64;
            let sig =
                app::ssr::commerce::stripe_signature::sign(WEBHOOK_SECRET, now, payload.as_bytes());
            self.http
                .post(format!("{}/webhooks/stripe", self.base))
                .header("stripe-signature", format!("t={now},v1={sig}"))
                .header("content-type", "application/json")
                .body(payload.clone())
        })
        .await
    }
}

/// Sends the request `build` makes, again and again while the server is down (for up to
/// two minutes), as a client retrying after a crash would.
async fn send_retrying(build: impl Fn() -> reqwest::RequestBuilder) -> Answer {
    let started = Instant::now();
    loop {
        match build().send().await {
            Ok(r) => return answer(r).await,
            Err(_) if started.elapsed() < Duration::from_secs(120) => {
                RETRIED.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("the server stayed unreachable: {e}"),
        }
    }
}

/// A Stripe event about the Checkout Session of `order`.
fn stripe_event(id: &str, kind: &str, order: &str, total: i64, currency: &str) -> Value {
    json!({
        "id": id, "object": "event", "type": kind,
        "data": { "object": {
            "id": format!("cs_{order}"), "object": "checkout.session",
            "client_reference_id": order, "payment_status": if kind == "checkout.session.completed" { "paid" } else { "unpaid" },
            "amount_total": total, "currency": currency.to_lowercase(),
            "payment_intent": format!("pi_{order}"),
        } }
    })
}

/// A fake Stripe API: Checkout Sessions and refunds, always created.
async fn fake_stripe() -> String {
    use axum::routing::post;
    let app = axum::Router::new()
        .route(
            "/v1/checkout/sessions",
            post(|| async {
                axum::Json(json!({ "id": "cs_drill", "url": "https://checkout.stripe.test/c/pay/cs_drill" }))
            }),
        )
        .route(
            "/v1/refunds",
            post(|| async { axum::Json(json!({ "id": "re_drill", "status": "succeeded" })) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

async fn answer(r: reqwest::Response) -> Answer {
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("sz_session="))
        .map(|c| c.split(';').next().unwrap_or_default().to_string());
    let body = r.text().await.unwrap_or_default();
    Answer {
        status,
        location,
        body,
        session,
    }
}

/// What a learner's trip ended as, from the learner's side.
#[derive(Debug, Clone)]
struct Trip {
    order: Option<String>,
    expect_paid: bool,
}

fn rand_below(seed: &mut u64, n: usize) -> usize {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    (*seed % n as u64) as usize
}

async fn shop(
    client: Client,
    learner: usize,
    items: Arc<Vec<String>>,
    done: Arc<AtomicUsize>,
    stripe: bool,
) -> Vec<Trip> {
    let user_key = format!("l{:04}", 1 + learner);
    let mut seed = 0x9E37_79B9_7F4A_7C15u64 ^ ((learner as u64 + 1) * 0x1000_0001);
    let mut trips = Vec::new();
    for trip in 0..TRIPS_PER_LEARNER {
        let n = 1 + rand_below(&mut seed, 3);
        for _ in 0..n {
            let slug = &items[rand_below(&mut seed, items.len())];
            // 409 (already owned) and duplicates are fine: the cart decides.
            client
                .call("/api/cart_add", &[("product", &format!("item:{slug}"))])
                .await;
        }
        if trip % 5 == 4 {
            let plan = if learner.is_multiple_of(2) {
                "monthly"
            } else {
                "yearly"
            };
            client
                .call(
                    "/api/cart_add",
                    &[(
                        "product",
                        &format!("membership:c{}:{plan}", 1 + learner % 4),
                    )],
                )
                .await;
        }
        if trip % 3 == 0 {
            client
                .call("/api/coupon_apply", &[("code", LIMITED_COUPON)])
                .await;
        }
        let key = format!("drill-{learner:02}-{trip:02}");
        // Every third learner's sixth trip is a gift for a friend instead of the cart.
        let gift = learner.is_multiple_of(3) && trip == 5;
        let friend = format!("friend-{learner:02}@drill.test");
        let gift_item = format!("item:{}", items[rand_below(&mut seed, items.len())]);
        let checkout_fields: Vec<(&str, &str)> = if gift {
            vec![
                ("key", key.as_str()),
                ("product", gift_item.as_str()),
                ("email", friend.as_str()),
                ("message", "From the crash drill"),
            ]
        } else {
            vec![("key", key.as_str())]
        };
        let path = if gift {
            "/api/gift_checkout"
        } else {
            "/api/checkout"
        };
        let checkout = || client.call(path, &checkout_fields);
        // Every fourth checkout is sent twice at once (a double click).
        let answers = if trip % 4 == 1 {
            let (a, b) = tokio::join!(checkout(), checkout());
            vec![a, b]
        } else {
            vec![checkout().await]
        };
        let order = if stripe {
            // Stripe's pay page is elsewhere: the order number follows from the buyer and
            // the key, and the order exists if checkout sent them to Stripe (a checkout
            // repeated after a lost answer is sent to the same page).
            answers
                .iter()
                .any(|a| a.location.starts_with("https://checkout.stripe.test/"))
                .then(|| app::ssr::commerce::order_id(&user_key, &key))
        } else {
            answers.iter().find_map(|a| {
                a.location
                    .rsplit('/')
                    .next()
                    .filter(|id| id.starts_with('o') && id.len() == 25)
                    .map(str::to_string)
            })
        };
        let Some(order) = order else {
            // An empty cart (everything picked was owned already) makes no order.
            trips.push(Trip {
                order: None,
                expect_paid: false,
            });
            done.fetch_add(1, Ordering::SeqCst);
            continue;
        };
        let declined = trip % 7 == 3;
        if stripe {
            let receipt = client.fetch(&format!("/api/order?id={order}")).await;
            let receipt: Value = serde_json::from_str(&receipt.body).unwrap_or_default();
            let total = receipt["totals"]["total"]["minor"].as_i64().unwrap_or(-1);
            let currency = receipt["totals"]["total"]["currency"]
                .as_str()
                .unwrap_or("CNY")
                .to_string();
            let kind = if declined {
                "checkout.session.expired"
            } else {
                "checkout.session.completed"
            };
            let event = stripe_event(&format!("evt_{order}"), kind, &order, total, &currency);
            // Every third event is delivered twice at once (Stripe's retries overlap).
            if trip % 3 == 2 {
                tokio::join!(client.webhook(&event), client.webhook(&event));
            } else {
                client.webhook(&event).await;
            }
            // Delivered again later (a replay), and for some a second event for the same
            // session with its own id.
            client.webhook(&event).await;
            if trip % 5 == 0 {
                let again = stripe_event(&format!("evt_{order}_2"), kind, &order, total, &currency);
                client.webhook(&again).await;
            }
            trips.push(Trip {
                order: Some(order),
                expect_paid: !declined,
            });
            done.fetch_add(1, Ordering::SeqCst);
            continue;
        }
        let card = if declined { DECLINED } else { PAYS };
        let pay_fields = [("order", order.as_str()), ("card", card)];
        let pay = || client.call("/api/pay_sandbox", &pay_fields);
        // Every third payment is sent twice at once (a replay).
        if trip % 3 == 2 {
            tokio::join!(pay(), pay());
        } else {
            pay().await;
        }
        // A payment cut off by the crash is retried: the order's own state decides.
        pay().await;
        trips.push(Trip {
            order: Some(order),
            expect_paid: !declined,
        });
        done.fetch_add(1, Ordering::SeqCst);
    }
    trips
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stripe = args.iter().any(|a| a == "--stripe");
    let binary = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| "target/release/server".into());
    let stripe_base = if stripe {
        Some(fake_stripe().await)
    } else {
        None
    };
    let dir = std::env::temp_dir().join(format!("shuzhai-crash-drill-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db_path = dir.join("drill.db");
    SERVER_LOG.set(dir.join("server.log")).unwrap();
    // A failed request or assertion shows what the server said about it.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        default_hook(info);
        print_server_log_tail(80);
    }));
    let port = 20_000 + (std::process::id() % 20_000) as u16;
    let mut server = Server {
        binary,
        db_url: format!("surrealkv://{}", db_path.display()),
        port,
        stripe: stripe_base,
        child: None,
    };
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    server.start();
    wait_healthy(&http, &server.base()).await;

    // Paid items on sale in every category (read from the catalog pages, as a visitor sees
    // them), so that every creator's items and coupons take part.
    let mut items = Vec::new();
    for category in [
        "programming",
        "data-science",
        "design",
        "psychology",
        "history",
        "business",
        "languages",
        "health",
    ] {
        let html = http
            .get(format!(
                "{}/catalog?price=paid&category={category}",
                server.base()
            ))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for part in html.split("href=\"/item/").skip(1).take(12) {
            let slug = part.split('"').next().unwrap_or_default().to_string();
            if !slug.is_empty() && !items.contains(&slug) {
                items.push(slug);
            }
        }
    }
    assert!(items.len() > 20, "found only {} paid items", items.len());
    let items = Arc::new(items);

    let mut clients = Vec::new();
    for n in 0..LEARNERS {
        let probe = Client {
            http: http.clone(),
            base: server.base(),
            session: String::new(),
        };
        let email = format!("learner{:04}@demo.shuzhai.local", 1 + n);
        let a = probe
            .call("/api/sign_in", &[("email", &email), ("password", PASSWORD)])
            .await;
        let session = a
            .session
            .unwrap_or_else(|| panic!("sign-in of {email} failed: {} {}", a.status, a.body));
        clients.push(Client { session, ..probe });
    }

    let total = LEARNERS * TRIPS_PER_LEARNER;
    println!(
        "crash drill: {total} checkouts by {LEARNERS} learners over {} paid items, paid {}",
        items.len(),
        if stripe {
            "through Stripe (a fake API and signed webhooks)"
        } else {
            "in the sandbox"
        }
    );
    let done = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let handles: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(n, c)| tokio::spawn(shop(c, n, items.clone(), done.clone(), stripe)))
        .collect();

    // Kill the server once about a third of the checkouts are through.
    while done.load(Ordering::SeqCst) < total / 3 && started.elapsed() < Duration::from_secs(120) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let at = done.load(Ordering::SeqCst);
    server.kill();
    println!(
        "killed the server (SIGKILL) after {at} of {total} checkouts, {:.1} s in",
        started.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    server.start();
    wait_healthy(&http, &server.base()).await;
    println!("restarted on the same database; clients retry");

    let mut trips = Vec::new();
    for h in handles {
        trips.extend(h.await.expect("a learner's task panicked"));
    }
    println!(
        "all {} checkouts finished in {:.1} s; {} requests cut off by the crash were sent again",
        trips.len(),
        started.elapsed().as_secs_f64(),
        RETRIED.load(Ordering::SeqCst)
    );
    server.kill();

    let mut failures = verify(&db_path.display().to_string(), &trips).await;
    let log = std::fs::read_to_string(SERVER_LOG.get().unwrap()).unwrap_or_default();
    let panics = log.matches(" panicked at ").count();
    println!(
        "  {} server panics: {panics} (expected 0)",
        if panics == 0 { "ok  " } else { "FAIL" }
    );
    if panics > 0 {
        failures += 1;
        print_server_log_tail(120);
    }
    if failures > 0 {
        eprintln!(
            "crash drill FAILED: {failures} mismatch(es); the drill's files are kept in {}",
            dir.display()
        );
        std::process::exit(1);
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("crash drill passed");
}

async fn wait_healthy(http: &reqwest::Client, base: &str) {
    let started = Instant::now();
    loop {
        if let Ok(r) = http.get(format!("{base}/healthz")).send().await {
            if r.status().is_success() {
                return;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "the server did not come up"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn count(db: &app::ssr::db::Db, sql: &str) -> i64 {
    let found: Vec<Value> = rows(db, "drill count", sql, json!({}), 0).await.expect(sql);
    found
        .first()
        .and_then(|v| v.as_i64().or_else(|| v.get("n").and_then(Value::as_i64)))
        .unwrap_or(0)
}

async fn verify(db_path: &str, trips: &[Trip]) -> usize {
    let db = connect(&DbConfig {
        url: format!("surrealkv://{db_path}"),
        ..DbConfig::memory()
    })
    .await
    .expect("open the drill's database");
    let mut failures = 0;
    let mut check = |what: &str, got: i64, want: i64| {
        let ok = got == want;
        println!(
            "  {} {what}: {got} (expected {want})",
            if ok { "ok  " } else { "FAIL" }
        );
        if !ok {
            failures += 1;
        }
    };

    // The demo store comes with the past orders of learners 51–500 (provider `demo`): they
    // are not the drill's, so they go before counting. The drill's learners (1–25) own
    // nothing before it starts.
    db.query(
        "DELETE ledger WHERE from_order.provider = 'demo'; DELETE entitlement WHERE from_order.provider = 'demo';
         DELETE orders WHERE provider = 'demo';",
    )
    .await
    .expect("set the demo's past orders aside");
    let orders = count(&db, "SELECT count() AS n FROM orders GROUP ALL").await;
    let keys = trips.iter().filter(|t| t.order.is_some()).count() as i64;
    check(
        "orders (one per checkout key that had something to buy)",
        orders,
        keys,
    );
    let distinct: std::collections::BTreeSet<_> =
        trips.iter().filter_map(|t| t.order.clone()).collect();
    check(
        "distinct order numbers the learners saw",
        distinct.len() as i64,
        keys,
    );

    let paid = count(
        &db,
        "SELECT count() AS n FROM orders WHERE status INSIDE ['paid', 'fulfilled'] GROUP ALL",
    )
    .await;
    let expected_paid = trips
        .iter()
        .filter(|t| t.order.is_some() && t.expect_paid)
        .count() as i64;
    check("paid orders", paid, expected_paid);
    check(
        "paid orders left ungranted",
        count(
            &db,
            "SELECT count() AS n FROM orders WHERE status = 'paid' GROUP ALL",
        )
        .await,
        0,
    );
    check(
        "orders still pending",
        count(
            &db,
            "SELECT count() AS n FROM orders WHERE status = 'pending' GROUP ALL",
        )
        .await,
        0,
    );

    let per_order: Vec<Value> = rows(
        &db,
        "drill items sold",
        "SELECT VALUE array::len(array::flatten(lines.items)) FROM orders WHERE status = 'fulfilled' AND gift = NONE",
        json!({}),
        0,
    )
    .await
    .expect("items sold");
    let items_sold: i64 = per_order.iter().filter_map(Value::as_i64).sum();
    let granted = count(
        &db,
        "SELECT count() AS n FROM entitlement WHERE source = 'purchase' GROUP ALL",
    )
    .await;
    check(
        "entitlements granted (one per item of each paid order)",
        granted,
        items_sold,
    );
    check(
        "entitlements without a paid order",
        count(&db, "SELECT count() AS n FROM entitlement WHERE source = 'purchase' AND from_order.status NOTINSIDE ['paid', 'fulfilled'] GROUP ALL").await,
        0,
    );
    let membership_lines = count(
        &db,
        "SELECT math::sum(array::len(lines[WHERE string::starts_with(product, 'membership:')])) AS n
         FROM orders WHERE status = 'fulfilled' GROUP ALL",
    )
    .await;
    check(
        "membership periods (one per membership line of each paid order)",
        count(
            &db,
            "SELECT count() AS n FROM membership WHERE plan != 'trial' GROUP ALL",
        )
        .await,
        membership_lines,
    );
    check(
        "membership periods without a paid order",
        count(&db, "SELECT count() AS n FROM membership WHERE plan != 'trial' AND from_order.status NOTINSIDE ['paid', 'fulfilled'] GROUP ALL").await,
        0,
    );
    let paid_gifts = count(
        &db,
        "SELECT count() AS n FROM orders WHERE gift != NONE AND status = 'fulfilled' GROUP ALL",
    )
    .await;
    check(
        "claimable gifts (one per paid gift order)",
        count(&db, "SELECT count() AS n FROM gift GROUP ALL").await,
        paid_gifts,
    );
    check(
        "entitlements from gift orders before anyone claimed them",
        count(
            &db,
            "SELECT count() AS n FROM entitlement WHERE from_order.gift != NONE GROUP ALL",
        )
        .await,
        0,
    );
    check(
        "gifts not yet mailed",
        count(
            &db,
            "SELECT count() AS n FROM gift WHERE mailed_at = NONE GROUP ALL",
        )
        .await,
        0,
    );
    let gift_mails = count(
        &db,
        "SELECT count() AS n FROM outbox WHERE string::ends_with(to, '@drill.test') GROUP ALL",
    )
    .await;
    check(
        "gift e-mails sent twice",
        (gift_mails - paid_gifts).max(0),
        0,
    );
    println!(
        "  (membership periods bought: {membership_lines}; gifts paid: {paid_gifts}, e-mails: {gift_mails})"
    );
    check(
        "memberships and gifts both bought (so both were exercised)",
        i64::from(membership_lines > 0 && paid_gifts > 0),
        1,
    );
    check(
        "people holding the same item twice",
        count(&db, "SELECT count() AS n FROM (SELECT user, item, count() AS c FROM entitlement GROUP BY user, item) WHERE c > 1 GROUP ALL").await,
        0,
    );
    check(
        "payment events (one per paid order: none charged twice)",
        count(&db, "SELECT count() AS n FROM payment_event GROUP ALL").await,
        paid,
    );
    check(
        "ledger sale entries (one per line of each paid order)",
        count(&db, "SELECT count() AS n FROM ledger WHERE kind = 'sale' GROUP ALL").await,
        count(&db, "SELECT math::sum(array::len(lines)) AS n FROM orders WHERE status INSIDE ['paid', 'fulfilled'] GROUP ALL").await,
    );
    check(
        "ledger gross = paid order totals (minor units)",
        count(&db, "SELECT math::sum(gross_minor) AS n FROM ledger WHERE kind = 'sale' GROUP ALL").await,
        count(&db, "SELECT math::sum(total_minor) AS n FROM orders WHERE status INSIDE ['paid', 'fulfilled'] GROUP ALL").await,
    );
    check(
        "orders whose ledger differs from their total",
        count(
            &db,
            "SELECT count() AS n FROM orders WHERE status INSIDE ['paid', 'fulfilled']
               AND total_minor != math::sum((SELECT VALUE gross_minor FROM ledger WHERE from_order = $parent.id)) GROUP ALL",
        )
        .await,
        0,
    );
    check(
        "ledger net = gross − fees",
        count(
            &db,
            "SELECT count() AS n FROM ledger WHERE net_minor != gross_minor - fee_minor GROUP ALL",
        )
        .await,
        0,
    );
    check(
        &format!("coupon {LIMITED_COUPON} uses = orders holding it"),
        count(&db, &format!("SELECT VALUE uses FROM coupon:{LIMITED_COUPON}")).await,
        count(
            &db,
            &format!("SELECT count() AS n FROM orders WHERE coupon = '{LIMITED_COUPON}' AND status INSIDE ['pending', 'paid', 'fulfilled'] GROUP ALL"),
        )
        .await,
    );
    let with_coupon = count(
        &db,
        &format!("SELECT count() AS n FROM orders WHERE coupon = '{LIMITED_COUPON}' GROUP ALL"),
    )
    .await;
    println!("  (orders that used coupon {LIMITED_COUPON}: {with_coupon})");
    if with_coupon == 0 {
        println!("  FAIL no order used the coupon, so its use count was not exercised");
        failures += 1;
    }
    failures
}
