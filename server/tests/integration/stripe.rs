//! The Stripe adapter against a local fake Stripe: checkout creates a Checkout Session with
//! the server's amount and an idempotency key; the signed webhook pays and grants the
//! order; unsigned, forged, stale, malformed, replayed and mismatched webhooks and webhooks
//! for unknown orders change nothing; refunds go to Stripe with the payment intent.

use crate::common;

use app::ssr::commerce::stripe::Stripe;
use app::ssr::commerce::stripe_signature::sign;
use app::ssr::commerce::CommerceSettings;
use app::ssr::ratelimit::RateLimits;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::Router;
use common::{Browser, TestApp};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex, OnceLock};

const SECRET: &str = "whsec_test_secret";

/// What the fake Stripe received: path, Idempotency-Key, Authorization, form body.
type Calls = Arc<Mutex<Vec<(String, String, String, String)>>>;

struct Fixture {
    app: TestApp,
    calls: Calls,
}

async fn record(State(calls): State<Calls>, path: String, headers: HeaderMap, body: String) {
    let h = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    calls
        .lock()
        .unwrap()
        .push((path, h("idempotency-key"), h("authorization"), body));
}

/// A fake Stripe API on a random port, in a runtime of its own.
fn fake_stripe() -> (String, Calls) {
    let calls: Calls = Arc::default();
    let (tx, rx) = std::sync::mpsc::channel();
    let shared = calls.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async move {
            let app = Router::new()
                .route(
                    "/v1/checkout/sessions",
                    post(|s: State<Calls>, h: HeaderMap, b: String| async move {
                        record(s, "/v1/checkout/sessions".into(), h, b).await;
                        axum::Json(json!({ "id": "cs_test_1", "url": "https://checkout.stripe.test/c/pay/cs_test_1" }))
                    }),
                )
                .route(
                    "/v1/refunds",
                    post(|s: State<Calls>, h: HeaderMap, b: String| async move {
                        record(s, "/v1/refunds".into(), h, b).await;
                        axum::Json(json!({ "id": "re_test_1", "status": "succeeded" }))
                    }),
                )
                .with_state(shared);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(format!("http://{}", listener.local_addr().unwrap()))
                .unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    (rx.recv().unwrap(), calls)
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let (base, calls) = fake_stripe();
        let app = TestApp::start_with(RateLimits::loose_per_ip(), move || {
            CommerceSettings::stripe(
                600,
                Stripe::new("sk_test_fake", SECRET, &base, common::ORIGIN),
            )
        });
        Fixture { app, calls }
    })
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

async fn paid_item(app: &TestApp, n: usize) -> (String, i64) {
    let found: Vec<Value> = app::ssr::db::rows(
        &app.db,
        "test",
        "SELECT slug, price_minor FROM item WHERE status = 'published' AND price_minor > 0 AND creator = creator:c1 ORDER BY slug",
        json!({}),
        0,
    )
    .await
    .unwrap();
    (
        found[n]["slug"].as_str().unwrap().to_string(),
        found[n]["price_minor"].as_i64().unwrap(),
    )
}

/// Puts item `n` in the cart and checks out; returns the order number and the redirect.
async fn checkout(b: &Browser, slug: &str, key: &str) -> String {
    b.submit("/api/cart_add", &[("product", &format!("item:{slug}"))])
        .await;
    let r = b.submit("/api/checkout", &[("key", key)]).await;
    assert_eq!(r.status, 302, "{r:?}");
    r.location().to_string()
}

fn event(id: &str, kind: &str, order: &str, amount: i64, currency: &str) -> String {
    json!({
        "id": id, "object": "event", "type": kind,
        "data": { "object": {
            "object": "checkout.session", "client_reference_id": order, "payment_status": "paid",
            "amount_total": amount, "currency": currency, "payment_intent": format!("pi_{id}"),
        } }
    })
    .to_string()
}

async fn webhook(app: &TestApp, signature: Option<String>, body: &str) -> common::Reply {
    let b = Browser::new(app);
    let mut headers = vec![("content-type", "application/json")];
    let sig;
    if let Some(s) = signature {
        sig = s;
        headers.push(("stripe-signature", sig.as_str()));
    }
    b.post_raw("/webhooks/stripe", &headers, body.to_string())
        .await
}

fn signed(body: &str, at: i64) -> Option<String> {
    Some(format!("t={at},v1={}", sign(SECRET, at, body.as_bytes())))
}

async fn order_row(app: &TestApp, id: &str) -> Value {
    let found: Vec<Value> = app::ssr::db::rows(
        &app.db,
        "test",
        "SELECT status, provider_ref, total_minor FROM type::record('orders', $o)",
        json!({ "o": id }),
        0,
    )
    .await
    .unwrap();
    found.into_iter().next().unwrap_or(Value::Null)
}

#[tokio::test]
async fn checkout_goes_to_stripe_and_the_signed_webhook_pays_once() {
    let f = fixture();
    let app = &f.app;
    let (b, _) = common::shop::learner(app).await;
    let (slug, price) = paid_item(app, 0).await;
    let to = checkout(&b, &slug, "stripe-key-0001").await;
    assert_eq!(to, "https://checkout.stripe.test/c/pay/cs_test_1");
    let order = app::ssr::commerce::order_id(
        &app::ssr::db::rows::<String>(
            &app.db,
            "test",
            "SELECT VALUE record::id(buyer) FROM orders WHERE idempotency_key = 'stripe-key-0001'",
            json!({}),
            0,
        )
        .await
        .unwrap()[0],
        "stripe-key-0001",
    );
    {
        let calls = f.calls.lock().unwrap();
        let (_, idem, auth, body) = calls
            .iter()
            .find(|c| c.0 == "/v1/checkout/sessions" && c.3.contains(&order))
            .expect("a Checkout Session was created");
        assert_eq!(idem, &format!("checkout_{order}"));
        assert_eq!(auth, "Bearer sk_test_fake");
        assert!(
            body.contains(&format!(
                "line_items%5B0%5D%5Bprice_data%5D%5Bunit_amount%5D={price}"
            )),
            "{body}"
        );
        assert!(
            body.contains("line_items%5B0%5D%5Bprice_data%5D%5Bcurrency%5D=cny"),
            "{body}"
        );
        assert!(body.contains(&format!("client_reference_id={order}")));
    }
    // The same checkout again (its first answer lost) leads to the same Stripe page, asked
    // for with the same idempotency key, and makes no second order.
    let r = b
        .submit("/api/checkout", &[("key", "stripe-key-0001")])
        .await;
    assert_eq!(r.location(), to, "{r:?}");
    {
        let calls = f.calls.lock().unwrap();
        let sessions: Vec<_> = calls
            .iter()
            .filter(|c| c.0 == "/v1/checkout/sessions" && c.3.contains(&order))
            .collect();
        assert_eq!(sessions.len(), 2);
        assert_eq!(sessions[0].1, sessions[1].1, "one idempotency key");
        assert_eq!(sessions[0].3, sessions[1].3, "the same request");
    }
    // The sandbox's card form does not pay a Stripe order.
    let r = b
        .call(
            "/api/pay_sandbox",
            &[("order", &order), ("card", "4242424242424242")],
        )
        .await;
    assert_eq!(r.status, 400, "{r:?}");

    let body = event(
        "evt_paid_1",
        "checkout.session.completed",
        &order,
        price,
        "cny",
    );
    let r = webhook(app, signed(&body, now()), &body).await;
    assert_eq!(r.status, 200, "{r:?}");
    let row = order_row(app, &order).await;
    assert_eq!(row["status"], "fulfilled");
    assert_eq!(row["provider_ref"], "pi_evt_paid_1");
    let item: Value =
        serde_json::from_str(&b.fetch(&format!("/api/item?slug={slug}")).await.body).unwrap();
    assert!(item["body"].is_array());

    // The same event again, and another event for the same order: nothing more happens.
    assert_eq!(webhook(app, signed(&body, now()), &body).await.status, 200);
    let other = event(
        "evt_paid_2",
        "checkout.session.completed",
        &order,
        price,
        "cny",
    );
    assert_eq!(
        webhook(app, signed(&other, now()), &other).await.status,
        200
    );
    let counts: Vec<Value> = app::ssr::db::rows(
        &app.db,
        "test",
        "SELECT (SELECT count() FROM ledger WHERE from_order = $parent.id GROUP ALL)[0].count AS ledger,
                (SELECT count() FROM payment_event WHERE from_order = $parent.id GROUP ALL)[0].count AS events,
                (SELECT count() FROM entitlement WHERE from_order = $parent.id GROUP ALL)[0].count AS grants
         FROM type::record('orders', $o)",
        json!({ "o": order }),
        0,
    )
    .await
    .unwrap();
    assert_eq!(counts[0], json!({ "ledger": 1, "events": 1, "grants": 1 }));

    // A refund goes to Stripe with the payment intent and an idempotency key.
    let r = b.submit("/api/order_refund", &[("order", &order)]).await;
    assert_eq!(r.status, 302, "{r:?}");
    assert_eq!(order_row(app, &order).await["status"], "refunded");
    let calls = f.calls.lock().unwrap();
    let (_, idem, _, body) = calls
        .iter()
        .find(|c| c.0 == "/v1/refunds")
        .expect("a refund call");
    assert_eq!(idem, &format!("{order}_refund"));
    assert!(body.contains("payment_intent=pi_evt_paid_1"), "{body}");
    assert!(body.contains(&format!("amount={price}")));
}

#[tokio::test]
async fn bad_webhooks_are_refused_and_change_nothing() {
    let f = fixture();
    let app = &f.app;
    let (b, _) = common::shop::learner(app).await;
    let (slug, price) = paid_item(app, 1).await;
    checkout(&b, &slug, "stripe-key-0002").await;
    let order: String = app::ssr::db::rows::<String>(
        &app.db,
        "test",
        "SELECT VALUE record::id(id) FROM orders WHERE idempotency_key = 'stripe-key-0002'",
        json!({}),
        0,
    )
    .await
    .unwrap()[0]
        .clone();
    let good = event(
        "evt_bad_1",
        "checkout.session.completed",
        &order,
        price,
        "cny",
    );
    let cases: Vec<(&str, Option<String>, String, u16)> = vec![
        ("unsigned", None, good.clone(), 400),
        ("garbage header", Some("nonsense".into()), good.clone(), 400),
        (
            "signed with another secret",
            Some(format!(
                "t={},v1={}",
                now(),
                sign("whsec_other", now(), good.as_bytes())
            )),
            good.clone(),
            400,
        ),
        (
            "stale (a replay from long ago)",
            signed(&good, now() - 400),
            good.clone(),
            400,
        ),
        (
            "body changed after signing",
            signed(&good, now()),
            good.replace("evt_bad_1", "evt_bad_X"),
            400,
        ),
        (
            "not JSON",
            signed("{not json", now()),
            "{not json".into(),
            400,
        ),
        (
            "wrong amount",
            signed(
                &event(
                    "evt_bad_2",
                    "checkout.session.completed",
                    &order,
                    price - 1,
                    "cny",
                ),
                now(),
            ),
            event(
                "evt_bad_2",
                "checkout.session.completed",
                &order,
                price - 1,
                "cny",
            ),
            400,
        ),
        (
            "wrong currency",
            signed(
                &event(
                    "evt_bad_3",
                    "checkout.session.completed",
                    &order,
                    price,
                    "usd",
                ),
                now(),
            ),
            event(
                "evt_bad_3",
                "checkout.session.completed",
                &order,
                price,
                "usd",
            ),
            400,
        ),
        (
            "unknown order",
            signed(
                &event(
                    "evt_bad_4",
                    "checkout.session.completed",
                    "o000000000000000000000000",
                    price,
                    "cny",
                ),
                now(),
            ),
            event(
                "evt_bad_4",
                "checkout.session.completed",
                "o000000000000000000000000",
                price,
                "cny",
            ),
            404,
        ),
        (
            "no order reference",
            signed(
                &event(
                    "evt_bad_5",
                    "checkout.session.completed",
                    "../etc",
                    price,
                    "cny",
                ),
                now(),
            ),
            event(
                "evt_bad_5",
                "checkout.session.completed",
                "../etc",
                price,
                "cny",
            ),
            400,
        ),
    ];
    for (what, sig, body, status) in cases {
        let r = webhook(app, sig, &body).await;
        assert_eq!(r.status, status, "{what}: {r:?}");
        assert_eq!(order_row(app, &order).await["status"], "pending", "{what}");
    }
    let events: Vec<Value> = app::ssr::db::rows(
        &app.db,
        "test",
        "SELECT * FROM payment_event WHERE from_order = type::record('orders', $o)",
        json!({ "o": order }),
        0,
    )
    .await
    .unwrap();
    assert!(events.is_empty());
    // Events the store does not act on are acknowledged and ignored.
    let other = event("evt_other", "customer.created", &order, price, "cny");
    assert_eq!(
        webhook(app, signed(&other, now()), &other).await.status,
        200
    );
    // An expired session cancels the pending order.
    let expired = event(
        "evt_expired",
        "checkout.session.expired",
        &order,
        price,
        "cny",
    );
    assert_eq!(
        webhook(app, signed(&expired, now()), &expired).await.status,
        200
    );
    assert_eq!(order_row(app, &order).await["status"], "cancelled");
}
