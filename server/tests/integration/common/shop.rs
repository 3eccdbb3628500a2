//! Buying helpers shared by the commerce tests: a signed-in learner, the cart, checkout,
//! the receipt and the item page as JSON, and direct database reads for the checks.

use super::{Browser, Reply, TestApp};
use app::models::account::Role;
use app::ssr::db::{rows, Db};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};

pub const PASSWORD: &str = "a long enough passphrase";
pub const PAYS: &str = "4242 4242 4242 4242";
pub const DECLINED: &str = "4000 0000 0000 0002";

/// A new learner with a session; returns their browser and user key.
pub async fn learner(app: &TestApp) -> (Browser, String) {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let email = format!("buyer{n}-{}@example.com", std::process::id());
    let key = app::ssr::accounts::create_user(&app.db, &email, "Buyer", PASSWORD, &[Role::Learner])
        .await
        .unwrap();
    let b = Browser::new(app);
    let token = app::ssr::sessions::create(&app.db, &key, "test")
        .await
        .unwrap();
    b.set_session(Some(&token));
    (b, key)
}

/// Rows of a direct database query.
pub async fn query(db: &Db, sql: &str, vars: Value) -> Vec<Value> {
    rows(db, "test query", sql, vars, 0).await.unwrap()
}

/// Paid, published items of creator `creator` (never c4, whose items a deletion test
/// unpublishes), cheapest first.
pub async fn paid_items(db: &Db, creator: &str) -> Vec<(String, i64)> {
    query(
        db,
        "SELECT slug, price_minor FROM item WHERE status = 'published' AND price_minor > 0
         AND creator = type::record('creator', $c) ORDER BY price_minor, slug",
        json!({ "c": creator }),
    )
    .await
    .into_iter()
    .map(|v| {
        (
            v["slug"].as_str().unwrap().to_string(),
            v["price_minor"].as_i64().unwrap(),
        )
    })
    .collect()
}

/// The cart as the page gets it.
pub async fn cart(b: &Browser) -> Value {
    let r = b.fetch("/api/cart").await;
    assert_eq!(r.status, 200, "{r:?}");
    serde_json::from_str(&r.body).unwrap()
}

/// Adds item `slug` to the cart.
pub async fn add(b: &Browser, slug: &str) -> Reply {
    b.submit("/api/cart_add", &[("product", &format!("item:{slug}"))])
        .await
}

/// Checks out with `key` and returns the redirect target.
pub async fn checkout(b: &Browser, key: &str) -> Reply {
    b.submit("/api/checkout", &[("key", key)]).await
}

/// The order number at the end of a redirect target.
pub fn order_of(location: &str) -> String {
    location.rsplit('/').next().unwrap().to_string()
}

/// The item page as JSON.
pub async fn item(b: &Browser, slug: &str) -> Value {
    let r = b.fetch(&format!("/api/item?slug={slug}")).await;
    assert_eq!(r.status, 200, "{r:?}");
    serde_json::from_str(&r.body).unwrap()
}

/// The receipt as JSON.
pub async fn order(b: &Browser, id: &str) -> Value {
    let r = b.fetch(&format!("/api/order?id={id}")).await;
    assert_eq!(r.status, 200, "{r:?}");
    serde_json::from_str(&r.body).unwrap()
}

/// How many rows a direct query returns.
pub async fn count(db: &Db, sql: &str, vars: Value) -> usize {
    query(db, sql, vars).await.len()
}

/// Adds item `slug` to the cart, checks out with idempotency key `key` and pays with the
/// sandbox card: the item is then `b`'s.
pub async fn buy(b: &Browser, slug: &str, key: &str) {
    add(b, slug).await;
    let r = checkout(b, key).await;
    let id = order_of(r.location());
    let r = b
        .submit("/api/pay_sandbox", &[("order", &id), ("card", PAYS)])
        .await;
    assert_eq!(r.location(), format!("/orders/{id}"), "{r:?}");
}

/// Milliseconds since 1970, as devices stamp what they send.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}
