//! Buying through the real router: the visitor's cart and its merge on sign-in, checkout
//! with idempotency keys, the sandbox's test cards, coupons, refunds, free claims, the
//! ledger, crash recovery, and every kind of bad input changing nothing.

use crate::common;

use app::models::account::Role;
use app::ssr::db::Db;
use common::{app, Browser};
use serde_json::{json, Value};

use common::shop::{
    add, cart, checkout, count, item, learner, order, order_of, paid_items, query, DECLINED,
    PASSWORD, PAYS,
};

#[tokio::test]
async fn a_visitors_cart_follows_them_into_their_account_and_a_paid_order_opens_the_item() {
    let app = app();
    let items = paid_items(&app.db, "c1").await;
    let (slug, price) = items[0].clone();

    // A visitor fills a cart without an account.
    let visitor = Browser::new(app);
    let r = add(&visitor, &slug).await;
    assert_eq!(r.status, 302, "{r:?}");
    assert_eq!(r.location(), "/cart");
    assert!(visitor.cookie("sz_cart").is_some(), "a cart cookie");
    let c = cart(&visitor).await;
    assert_eq!(c["lines"][0]["product"], format!("item:{slug}"));
    assert_eq!(c["totals"]["total"]["minor"], price);
    assert_eq!(c["totals"]["tax_rate_bp"], 600);
    assert_eq!(
        c["totals"]["tax"]["minor"],
        app::ssr::commerce::pricing::included_tax(price, 600)
    );
    // The cart page lists it without JavaScript; checkout asks them to sign in.
    let page = visitor.get("/cart").await;
    assert!(page.body.contains("Sign in to check out") || page.body.contains("登录后结算"));
    assert_eq!(
        visitor
            .submit("/api/checkout", &[("key", "k-visitor-1")])
            .await
            .status,
        302
    );
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM orders WHERE idempotency_key = 'k-visitor-1'",
            json!({})
        )
        .await,
        0
    );

    // They sign in: the cart comes with them and the visitor cookie goes.
    let email = format!("merge-{}@example.com", std::process::id());
    let key =
        app::ssr::accounts::create_user(&app.db, &email, "Merger", PASSWORD, &[Role::Learner])
            .await
            .unwrap();
    let r = visitor
        .submit(
            "/api/sign_in",
            &[("email", &email), ("password", PASSWORD), ("next", "/cart")],
        )
        .await;
    assert_eq!(r.location(), "/cart", "{r:?}");
    assert!(
        visitor.cookie("sz_cart").is_none(),
        "visitor cart cookie cleared"
    );
    let c = cart(&visitor).await;
    assert_eq!(c["lines"].as_array().unwrap().len(), 1);

    // Before paying, the body stays on the server.
    let before = item(&visitor, &slug).await;
    assert!(before["body"].is_null());
    assert_eq!(before["in_library"], false);

    // Checkout → the sandbox's pay page → paid.
    let r = checkout(&visitor, "checkout-key-0001").await;
    assert_eq!(r.status, 302, "{r:?}");
    assert!(r.location().starts_with("/pay/o"), "{}", r.location());
    let id = order_of(r.location());
    let page = visitor.get(r.location()).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("4242"));
    let r = visitor
        .submit("/api/pay_sandbox", &[("order", &id), ("card", PAYS)])
        .await;
    assert_eq!(r.location(), format!("/orders/{id}"), "{r:?}");

    let o = order(&visitor, &id).await;
    assert_eq!(o["status"], "fulfilled");
    assert_eq!(o["totals"]["total"]["minor"], price);
    assert!(o["refundable_until"].is_string());
    let after = item(&visitor, &slug).await;
    assert_eq!(after["access"], "Full");
    assert_eq!(after["in_library"], true);
    assert!(after["body"].is_array());
    assert!(
        cart(&visitor).await["lines"].as_array().unwrap().is_empty(),
        "bought lines leave the cart"
    );
    let receipt = visitor.get(&format!("/orders/{id}")).await;
    assert_eq!(receipt.status, 200);
    assert!(receipt.body.contains(&id));

    // Double submissions: the same key gives the same order; paying again changes nothing.
    let r = checkout(&visitor, "checkout-key-0001").await;
    assert_eq!(r.location(), format!("/orders/{id}"));
    let r = visitor
        .submit("/api/pay_sandbox", &[("order", &id), ("card", PAYS)])
        .await;
    assert_eq!(r.location(), format!("/orders/{id}"));
    let v = json!({ "u": key });
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM orders WHERE buyer = type::record('user', $u)",
            v.clone()
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM entitlement WHERE user = type::record('user', $u)",
            v.clone()
        )
        .await,
        1
    );
    let ledger = query(
        &app.db,
        "SELECT gross_minor, fee_minor, net_minor FROM ledger WHERE from_order = type::record('orders', $o)",
        json!({ "o": id }),
    )
    .await;
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0]["gross_minor"], price);
    let fee = ledger[0]["fee_minor"].as_i64().unwrap();
    assert_eq!(fee, (price * 290 + 5_000) / 10_000);
    assert_eq!(ledger[0]["net_minor"], price - fee);

    // Owned items cannot go back in the cart.
    let r = visitor
        .call("/api/cart_add", &[("product", &format!("item:{slug}"))])
        .await;
    assert_eq!(r.status, 409, "{r:?}");
    let orders: Value = serde_json::from_str(&visitor.fetch("/api/orders").await.body).unwrap();
    assert_eq!(orders[0]["id"], id.as_str());
}

#[tokio::test]
async fn a_declined_card_fails_the_order_and_grants_nothing() {
    let app = app();
    let (b, user) = learner(app).await;
    let (slug, _) = paid_items(&app.db, "c2").await[0].clone();
    assert_eq!(add(&b, &slug).await.status, 302);
    let id = order_of(checkout(&b, "declined-key-01").await.location());

    // Not a test card: a field error, the order stays pending.
    let r = b
        .call(
            "/api/pay_sandbox",
            &[("order", &id), ("card", "5555 5555 5555 4444")],
        )
        .await;
    assert_eq!(r.status, 422, "{r:?}");
    assert!(r.body.contains("CardInvalid"), "{}", r.body);
    assert_eq!(order(&b, &id).await["status"], "pending");

    let r = b
        .submit("/api/pay_sandbox", &[("order", &id), ("card", DECLINED)])
        .await;
    assert_eq!(r.location(), format!("/orders/{id}"));
    let o = order(&b, &id).await;
    assert_eq!(o["status"], "failed");
    assert!(o["failure"].as_str().unwrap().contains("declined"));
    assert!(item(&b, &slug).await["body"].is_null());
    let v = json!({ "u": user, "o": id });
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM entitlement WHERE user = type::record('user', $u)",
            v.clone()
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM ledger WHERE from_order = type::record('orders', $o)",
            v.clone()
        )
        .await,
        0
    );
    // A failed order cannot be paid afterwards; the cart is still there to try again.
    let r = b
        .submit("/api/pay_sandbox", &[("order", &id), ("card", PAYS)])
        .await;
    assert_eq!(r.location(), format!("/orders/{id}"));
    assert_eq!(order(&b, &id).await["status"], "failed");
    assert_eq!(cart(&b).await["lines"].as_array().unwrap().len(), 1);
    let id2 = order_of(checkout(&b, "declined-key-02").await.location());
    assert_ne!(id, id2);
    b.submit("/api/pay_sandbox", &[("order", &id2), ("card", PAYS)])
        .await;
    assert_eq!(order(&b, &id2).await["status"], "fulfilled");
}

async fn make_coupon(db: &Db, code: &str, creator: &str, fields: &str) {
    app::ssr::db::execute(
        db,
        "test coupon",
        &format!("CREATE type::record('coupon', $code) SET code = $code, creator = type::record('creator', $c), {fields}"),
        json!({ "code": code, "c": creator }),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn coupons_discount_their_creators_items_and_refuse_clearly_otherwise() {
    let app = app();
    let items = paid_items(&app.db, "c3").await;
    let (slug, price) = items.last().unwrap().clone();
    make_coupon(&app.db, "HALF", "c3", "percent_off = 50, max_uses = 1").await;
    make_coupon(&app.db, "OTHERSTORE", "c2", "percent_off = 10").await;
    make_coupon(
        &app.db,
        "OLD",
        "c3",
        "percent_off = 10, expires_at = d'2020-01-01T00:00:00Z'",
    )
    .await;
    make_coupon(
        &app.db,
        "TENOFF",
        "c3",
        "amount_off_minor = 1000, currency = 'CNY'",
    )
    .await;

    let (a, _) = learner(app).await;
    assert_eq!(add(&a, &slug).await.status, 302);
    for (code, problem) in [
        ("NOPE", "CouponUnknown"),
        ("otherstore", "CouponNotApplicable"),
        ("OLD", "CouponExpired"),
        ("", "Required"),
        ("<script>", "CouponUnknown"),
    ] {
        let r = a.call("/api/coupon_apply", &[("code", code)]).await;
        assert_eq!(r.status, 422, "{code}: {r:?}");
        assert!(r.body.contains(problem), "{code}: {}", r.body);
        assert!(cart(&a).await["coupon"].is_null());
    }
    // Lower-case input is accepted; the discount and tax are the server's.
    let r = a.submit("/api/coupon_apply", &[("code", "half")]).await;
    assert_eq!(r.location(), "/cart", "{r:?}");
    let c = cart(&a).await;
    assert_eq!(c["coupon"], "HALF");
    assert_eq!(c["totals"]["discount"]["minor"], price * 50 / 100);
    let total = price - price * 50 / 100;
    assert_eq!(c["totals"]["total"]["minor"], total);
    let id = order_of(checkout(&a, "coupon-key-0001").await.location());
    a.submit("/api/pay_sandbox", &[("order", &id), ("card", PAYS)])
        .await;
    let o = order(&a, &id).await;
    assert_eq!(o["totals"]["total"]["minor"], total);
    assert_eq!(o["coupon"], "HALF");

    // The coupon allowed one use: the next learner is told so.
    let (b, _) = learner(app).await;
    assert_eq!(add(&b, &slug).await.status, 302);
    let r = b.call("/api/coupon_apply", &[("code", "HALF")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("CouponUsedUp"), "{}", r.body);
    // A fixed amount.
    assert_eq!(
        b.submit("/api/coupon_apply", &[("code", "TENOFF")])
            .await
            .status,
        302
    );
    assert_eq!(
        cart(&b).await["totals"]["total"]["minor"],
        price - 1000.min(price)
    );

    // A declined payment gives the coupon's use back.
    make_coupon(&app.db, "ONCE", "c3", "percent_off = 20, max_uses = 1").await;
    let (c, _) = learner(app).await;
    add(&c, &slug).await;
    c.submit("/api/coupon_apply", &[("code", "ONCE")]).await;
    let id = order_of(checkout(&c, "coupon-key-0002").await.location());
    let used: Vec<Value> = query(&app.db, "SELECT VALUE uses FROM coupon:ONCE", json!({})).await;
    assert_eq!(used[0], 1);
    c.submit("/api/pay_sandbox", &[("order", &id), ("card", DECLINED)])
        .await;
    let used: Vec<Value> = query(&app.db, "SELECT VALUE uses FROM coupon:ONCE", json!({})).await;
    assert_eq!(used[0], 0);
}

#[tokio::test]
async fn tampered_input_and_other_peoples_orders_change_nothing() {
    let app = app();
    let (a, user) = learner(app).await;
    let (slug, price) = paid_items(&app.db, "c1").await[1].clone();

    for (fields, status) in [
        (
            vec![
                ("product", format!("item:{slug}")),
                ("quantity", "2".to_string()),
            ],
            400,
        ),
        (
            vec![
                ("product", format!("item:{slug}")),
                ("quantity", "-1".to_string()),
            ],
            400,
        ),
        (vec![("product", "item:no-such-item".to_string())], 404),
        (vec![("product", "gift:whatever".to_string())], 400),
        (
            vec![
                ("product", format!("item:{slug}")),
                ("quantity", "99999999999999999999".to_string()),
            ],
            400,
        ),
    ] {
        let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = a.call("/api/cart_add", &f).await;
        assert_eq!(r.status, status, "{f:?}: {r:?}");
    }
    assert!(cart(&a).await["lines"].as_array().unwrap().is_empty());
    add(&a, &slug).await;

    // A total or currency other than the server's stops the checkout.
    let price_s = price.to_string();
    for (total, currency) in [
        ("1", "CNY"),
        ("-5", "CNY"),
        (price_s.as_str(), "USD"),
        (price_s.as_str(), "XXX"),
    ] {
        let r = a
            .call(
                "/api/checkout",
                &[
                    ("key", "tamper-key-001"),
                    ("expected_total", total),
                    ("currency", currency),
                ],
            )
            .await;
        assert_eq!(r.status, 409, "{total} {currency}: {r:?}");
    }
    for key in ["", "short", "has spaces in it", &"x".repeat(65)] {
        assert_eq!(
            a.call("/api/checkout", &[("key", key)]).await.status,
            400,
            "{key}"
        );
    }
    let v = json!({ "u": user });
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM orders WHERE buyer = type::record('user', $u)",
            v.clone()
        )
        .await,
        0
    );

    // The right total goes through.
    let r = a
        .submit(
            "/api/checkout",
            &[
                ("key", "tamper-key-001"),
                ("expected_total", &price_s),
                ("currency", "CNY"),
            ],
        )
        .await;
    let id = order_of(r.location());

    // Someone else's order: not found, whatever they try.
    let (b, _) = learner(app).await;
    assert_eq!(b.fetch(&format!("/api/order?id={id}")).await.status, 404);
    assert_eq!(b.get(&format!("/orders/{id}")).await.status, 404);
    assert_eq!(b.get(&format!("/pay/{id}")).await.status, 404);
    assert_eq!(
        b.call("/api/pay_sandbox", &[("order", &id), ("card", PAYS)])
            .await
            .status,
        404
    );
    assert_eq!(
        b.call("/api/order_cancel", &[("order", &id)]).await.status,
        404
    );
    assert_eq!(
        b.call("/api/order_refund", &[("order", &id)]).await.status,
        404
    );
    assert_eq!(b.fetch("/api/order?id=../../etc").await.status, 404);
    assert_eq!(order(&a, &id).await["status"], "pending");

    // The buyer cancels; a cancelled order cannot be paid.
    assert_eq!(
        a.submit("/api/order_cancel", &[("order", &id)])
            .await
            .status,
        302
    );
    assert_eq!(order(&a, &id).await["status"], "cancelled");
    a.submit("/api/pay_sandbox", &[("order", &id), ("card", PAYS)])
        .await;
    assert_eq!(order(&a, &id).await["status"], "cancelled");
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM entitlement WHERE user = type::record('user', $u)",
            v
        )
        .await,
        0
    );
}

#[tokio::test]
async fn a_refund_within_the_window_takes_the_item_back_and_books_it() {
    let app = app();
    let (a, _) = learner(app).await;
    let (slug, price) = paid_items(&app.db, "c2").await[1].clone();
    add(&a, &slug).await;
    let id = order_of(checkout(&a, "refund-key-0001").await.location());
    a.submit("/api/pay_sandbox", &[("order", &id), ("card", PAYS)])
        .await;
    assert!(item(&a, &slug).await["body"].is_array());

    let r = a.submit("/api/order_refund", &[("order", &id)]).await;
    assert_eq!(r.location(), format!("/orders/{id}"), "{r:?}");
    let o = order(&a, &id).await;
    assert_eq!(o["status"], "refunded");
    assert!(o["refundable_until"].is_null());
    let after = item(&a, &slug).await;
    assert!(after["body"].is_null(), "access ends with the refund");
    assert_eq!(after["in_library"], false);
    // Twice is once.
    assert_eq!(
        a.submit("/api/order_refund", &[("order", &id)])
            .await
            .status,
        302
    );
    let ledger = query(
        &app.db,
        "SELECT kind, gross_minor, net_minor FROM ledger WHERE from_order = type::record('orders', $o) ORDER BY kind",
        json!({ "o": id }),
    )
    .await;
    assert_eq!(ledger.len(), 2, "{ledger:?}");
    assert_eq!(ledger[0]["kind"], "refund");
    assert_eq!(ledger[0]["gross_minor"], -price);
    assert_eq!(ledger[1]["gross_minor"], price);

    // Outside the window (here: a creator with a zero-day window, paid yesterday).
    let (b, _) = learner(app).await;
    add(&b, &slug).await;
    let id = order_of(checkout(&b, "refund-key-0002").await.location());
    b.submit("/api/pay_sandbox", &[("order", &id), ("card", PAYS)])
        .await;
    app::ssr::db::execute(
        &app.db,
        "age order",
        "UPDATE type::record('orders', $o) SET paid_at = time::now() - 15d",
        json!({ "o": id }),
    )
    .await
    .unwrap();
    let r = b.call("/api/order_refund", &[("order", &id)]).await;
    assert_eq!(r.status, 409, "{r:?}");
    assert!(r.body.contains("refund window"), "{}", r.body);
    assert!(item(&b, &slug).await["body"].is_array());
}

#[tokio::test]
async fn free_items_are_claimed_into_the_library_and_paid_ones_are_not() {
    let app = app();
    let (a, user) = learner(app).await;
    let free: Vec<Value> = query(
        &app.db,
        "SELECT VALUE slug FROM item WHERE status = 'published' AND price_minor = 0 AND creator != creator:c4 LIMIT 1",
        json!({}),
    )
    .await;
    let free = free[0].as_str().unwrap();
    assert_eq!(item(&a, free).await["in_library"], false);
    let r = a.submit("/api/claim", &[("slug", free)]).await;
    assert_eq!(r.location(), format!("/item/{free}"));
    assert_eq!(item(&a, free).await["in_library"], true);
    a.submit("/api/claim", &[("slug", free)]).await;
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM entitlement WHERE user = type::record('user', $u)",
            json!({ "u": user })
        )
        .await,
        1
    );
    let (paid, _) = paid_items(&app.db, "c1").await[0].clone();
    assert_eq!(a.call("/api/claim", &[("slug", &paid)]).await.status, 400);
    assert!(item(&a, &paid).await["body"].is_null());
    // Free items do not go through the cart.
    let r = a
        .call("/api/cart_add", &[("product", &format!("item:{free}"))])
        .await;
    assert_eq!(r.status, 400, "free items are claimed, not bought: {r:?}");
}

#[tokio::test]
async fn the_same_checkout_sent_many_times_at_once_makes_one_order_and_one_grant() {
    let app = app();
    let (a, user) = learner(app).await;
    let items = paid_items(&app.db, "c2").await;
    for (slug, _) in items.iter().skip(2).take(2) {
        add(&a, slug).await;
    }
    let replies = all_at_once(
        &a,
        6,
        |b| async move { checkout(b, "burst-key-00001").await },
    )
    .await;
    let targets: std::collections::BTreeSet<String> =
        replies.iter().map(|r| r.location().to_string()).collect();
    assert_eq!(targets.len(), 1, "{replies:?}");
    let id = order_of(targets.iter().next().unwrap());
    let pays = all_at_once(&a, 6, |b| {
        let id = id.clone();
        async move {
            b.submit("/api/pay_sandbox", &[("order", &id), ("card", PAYS)])
                .await
        }
    })
    .await;
    assert!(pays.iter().all(|r| r.status == 302), "{pays:?}");
    let v = json!({ "u": user, "o": id });
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM orders WHERE buyer = type::record('user', $u)",
            v.clone()
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM entitlement WHERE user = type::record('user', $u)",
            v.clone()
        )
        .await,
        2
    );
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM ledger WHERE from_order = type::record('orders', $o)",
            v.clone()
        )
        .await,
        2
    );
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM payment_event WHERE from_order = type::record('orders', $o)",
            v
        )
        .await,
        1
    );
}

/// Runs `n` copies of `f` on the same browser concurrently.
async fn all_at_once<'a, F, Fut>(b: &'a Browser, n: usize, f: F) -> Vec<common::Reply>
where
    F: Fn(&'a Browser) -> Fut,
    Fut: std::future::Future<Output = common::Reply> + 'a,
{
    futures::future::join_all((0..n).map(|_| f(b))).await
}

#[tokio::test]
async fn a_paid_order_interrupted_before_granting_is_granted_at_start_up() {
    let app = app();
    let (a, user) = learner(app).await;
    let (slug, _) = paid_items(&app.db, "c3").await[0].clone();
    add(&a, &slug).await;
    let id = order_of(checkout(&a, "crash-key-00001").await.location());
    // The payment is recorded, then the server "stops" before fulfilling.
    app::ssr::commerce::mark_paid(&app.db, &id, "sandbox", "sbx_crash", "sbx_crash", 10)
        .await
        .unwrap();
    assert_eq!(order(&a, &id).await["status"], "paid");
    let v = json!({ "u": user });
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM entitlement WHERE user = type::record('user', $u)",
            v.clone()
        )
        .await,
        0
    );
    // A replay of the same provider event changes nothing.
    assert_eq!(
        app::ssr::commerce::mark_paid(&app.db, &id, "sandbox", "sbx_crash", "sbx_crash", 10)
            .await
            .unwrap(),
        app::ssr::commerce::Applied::Already
    );
    app::ssr::commerce::reconcile(&app.db).await.unwrap();
    assert_eq!(order(&a, &id).await["status"], "fulfilled");
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM entitlement WHERE user = type::record('user', $u)",
            v
        )
        .await,
        1
    );
}

#[tokio::test]
async fn deleting_an_account_keeps_its_orders_in_the_books_without_the_person() {
    let app = app();
    let (a, user) = learner(app).await;
    let (slug, _) = paid_items(&app.db, "c1").await[2].clone();
    add(&a, &slug).await;
    let id = order_of(checkout(&a, "delete-key-0001").await.location());
    a.submit("/api/pay_sandbox", &[("order", &id), ("card", PAYS)])
        .await;
    let export: Value = serde_json::from_str(&a.get("/account/export.json").await.body).unwrap();
    assert_eq!(export["orders"][0]["number"], id.as_str());
    assert_eq!(export["library"].as_array().unwrap().len(), 1);

    let r = a
        .call("/api/delete_account", &[("password", PASSWORD)])
        .await;
    assert!(r.status < 400, "{r:?}");
    let o = query(
        &app.db,
        "SELECT buyer, status, total_minor FROM type::record('orders', $o)",
        json!({ "o": id }),
    )
    .await;
    assert_eq!(o.len(), 1);
    assert!(o[0]["buyer"].is_null());
    assert_eq!(o[0]["status"], "fulfilled");
    let v = json!({ "u": user });
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM entitlement WHERE user = type::record('user', $u)",
            v
        )
        .await,
        0
    );
}

#[tokio::test]
async fn a_creators_ledger_sums_to_their_orders_and_they_set_coupons_and_refund_window() {
    let app = app();
    // Creator c2's storefront, as its owner sees it.
    let creator = Browser::new(app);
    let token = app::ssr::sessions::create(&app.db, "c2", "test")
        .await
        .unwrap();
    creator.set_session(Some(&token));

    // A sale and a refunded sale of c2's items.
    let items = paid_items(&app.db, "c2").await;
    let (b, _) = learner(app).await;
    add(&b, &items[3].0).await;
    let id = order_of(checkout(&b, "ledger-key-0001").await.location());
    b.submit("/api/pay_sandbox", &[("order", &id), ("card", PAYS)])
        .await;
    let (c, _) = learner(app).await;
    add(&c, &items[4].0).await;
    let id2 = order_of(checkout(&c, "ledger-key-0002").await.location());
    c.submit("/api/pay_sandbox", &[("order", &id2), ("card", PAYS)])
        .await;
    c.submit("/api/order_refund", &[("order", &id2)]).await;

    let r = creator.fetch("/api/studio_sales").await;
    assert_eq!(r.status, 200, "{r:?}");
    let s: Value = serde_json::from_str(&r.body).unwrap();
    // The ledger agrees with the orders. Other tests sell c2's items concurrently, so the
    // two sums are read again until no sale landed between the reads.
    let mut agree = false;
    for _ in 0..10 {
        let ledger: Vec<Value> = query(
            &app.db,
            "SELECT VALUE math::sum(gross_minor) FROM ledger WHERE creator = creator:c2 AND kind = 'sale' GROUP ALL",
            json!({}),
        )
        .await;
        let orders: Vec<Value> = query(
            &app.db,
            "SELECT VALUE math::sum(lines[WHERE creator = creator:c2].total_minor) FROM orders
             WHERE status INSIDE ['paid', 'fulfilled', 'refunded']",
            json!({}),
        )
        .await;
        let sold: i64 = orders.iter().filter_map(Value::as_i64).sum();
        if ledger.first().and_then(Value::as_i64) == Some(sold) {
            agree = true;
            break;
        }
    }
    assert!(agree, "the ledger's gross differs from the orders' totals");
    let t = &s["totals"];
    let gross = t["gross"]["minor"].as_i64().unwrap();
    assert!(gross >= items[3].1 + items[4].1, "{t}");
    let fees = t["fees"]["minor"].as_i64().unwrap();
    let refunds = t["refunds"]["minor"].as_i64().unwrap();
    assert_eq!(t["net"]["minor"].as_i64().unwrap(), gross - fees + refunds);
    let months: i64 = s["by_month"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["gross"]["minor"].as_i64().unwrap())
        .sum();
    let products: i64 = s["by_product"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["gross"]["minor"].as_i64().unwrap())
        .sum();
    assert_eq!(months, gross);
    assert_eq!(products, gross);
    assert!(refunds <= -items[4].1, "{t}");
    let listed: Vec<&str> = s["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert!(listed.contains(&id.as_str()) && listed.contains(&id2.as_str()));
    assert!(
        !r.body.contains("@example.com"),
        "no buyer e-mail on the creator's page"
    );
    let page = creator.get("/studio/sales").await;
    assert_eq!(page.status, 200);

    // Coupons: made by the creator, refused with a clear message when wrong.
    for (fields, status) in [
        (
            vec![
                ("code", "c2-new-10"),
                ("kind", "percent"),
                ("value", "10"),
                ("max_uses", ""),
                ("expires", ""),
            ],
            302,
        ),
        (
            vec![("code", "C2-NEW-10"), ("kind", "percent"), ("value", "10")],
            409,
        ),
        (
            vec![
                ("code", "C2FIXED"),
                ("kind", "amount"),
                ("value", "5.50"),
                ("max_uses", "3"),
                ("expires", "2099-12-31"),
            ],
            302,
        ),
        (
            vec![("code", "C2BAD1"), ("kind", "percent"), ("value", "101")],
            400,
        ),
        (
            vec![("code", "C2BAD2"), ("kind", "amount"), ("value", "-5")],
            400,
        ),
        (
            vec![("code", "C2BAD3"), ("kind", "free"), ("value", "5")],
            422,
        ),
        (
            vec![
                ("code", "C2BAD4"),
                ("kind", "percent"),
                ("value", "5"),
                ("expires", "2099-02-30"),
            ],
            400,
        ),
        (
            vec![
                ("code", "C2BAD5"),
                ("kind", "percent"),
                ("value", "5"),
                ("max_uses", "lots"),
            ],
            400,
        ),
        (
            vec![("code", "x y"), ("kind", "percent"), ("value", "5")],
            400,
        ),
    ] {
        let r = if status == 302 {
            creator.submit("/api/studio_coupon", &fields).await
        } else {
            creator.call("/api/studio_coupon", &fields).await
        };
        assert_eq!(r.status, status, "{fields:?}: {r:?}");
    }
    let fixed = query(&app.db, "SELECT * FROM coupon:C2FIXED", json!({})).await;
    assert_eq!(fixed[0]["amount_off_minor"], 550);
    assert_eq!(fixed[0]["max_uses"], 3);
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM coupon WHERE code CONTAINS 'C2BAD'",
            json!({})
        )
        .await,
        0
    );
    // A learner cannot make coupons.
    assert_eq!(
        b.call(
            "/api/studio_coupon",
            &[("code", "MINE"), ("kind", "percent"), ("value", "90")]
        )
        .await
        .status,
        403
    );

    // The refund window (creator c3, whose items no other test refunds): 0 days closes
    // refunds for new orders.
    let c3 = Browser::new(app);
    let token = app::ssr::sessions::create(&app.db, "c3", "test")
        .await
        .unwrap();
    c3.set_session(Some(&token));
    assert_eq!(
        c3.call("/api/studio_refund_window", &[("days", "400")])
            .await
            .status,
        400
    );
    assert_eq!(
        c3.submit("/api/studio_refund_window", &[("days", "0")])
            .await
            .status,
        302
    );
    let (d, _) = learner(app).await;
    add(&d, &paid_items(&app.db, "c3").await[5].0).await;
    let id3 = order_of(checkout(&d, "ledger-key-0003").await.location());
    d.submit("/api/pay_sandbox", &[("order", &id3), ("card", PAYS)])
        .await;
    let r = d.call("/api/order_refund", &[("order", &id3)]).await;
    assert_eq!(r.status, 409, "{r:?}");
    c3.submit("/api/studio_refund_window", &[("days", "14")])
        .await;
}

#[tokio::test]
async fn a_bundle_is_bought_at_its_own_price_and_opens_every_item_in_it() {
    let app = app();
    let bundle: Vec<Value> = query(
        &app.db,
        "SELECT slug, price_minor, items.map(|$i| record::id($i)) AS items FROM bundle WHERE creator = creator:c1",
        json!({}),
    )
    .await;
    let slug = bundle[0]["slug"].as_str().unwrap().to_string();
    let price = bundle[0]["price_minor"].as_i64().unwrap();
    let keys: Vec<String> = bundle[0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    let slugs: Vec<String> = query(
        &app.db,
        "SELECT VALUE slug FROM item WHERE record::id(id) INSIDE $keys",
        json!({ "keys": keys }),
    )
    .await
    .into_iter()
    .map(|v| v.as_str().unwrap().to_string())
    .collect();

    // Its page and the pages of its items show it, with what it saves.
    let (b, user) = learner(app).await;
    let r = b.fetch(&format!("/api/bundle?slug={slug}")).await;
    assert_eq!(r.status, 200, "{r:?}");
    let view: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(view["price"]["minor"], price);
    assert_eq!(view["items"].as_array().unwrap().len(), keys.len());
    assert!(view["worth"]["minor"].as_i64().unwrap() > price);
    assert_eq!(b.get(&format!("/bundle/{slug}")).await.status, 200);
    assert_eq!(b.get("/bundle/no-such-bundle").await.status, 404);
    assert_eq!(
        item(&b, &slugs[0]).await["bundles"][0]["slug"],
        slug.as_str()
    );

    let r = b
        .submit("/api/cart_add", &[("product", &format!("bundle:{slug}"))])
        .await;
    assert_eq!(r.location(), "/cart", "{r:?}");
    let c = cart(&b).await;
    assert_eq!(c["totals"]["total"]["minor"], price);
    let id = order_of(checkout(&b, "bundle-key-0001").await.location());
    b.submit("/api/pay_sandbox", &[("order", &id), ("card", PAYS)])
        .await;
    for s in &slugs {
        assert!(item(&b, s).await["body"].is_array(), "{s} opens");
    }
    let v = json!({ "u": user, "o": id });
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM entitlement WHERE user = type::record('user', $u)",
            v.clone()
        )
        .await,
        keys.len()
    );
    let ledger = query(
        &app.db,
        "SELECT gross_minor FROM ledger WHERE from_order = type::record('orders', $o)",
        v,
    )
    .await;
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0]["gross_minor"], price);
    // Owning every item, the bundle cannot be bought again.
    let r = b
        .call("/api/cart_add", &[("product", &format!("bundle:{slug}"))])
        .await;
    assert_eq!(r.status, 409, "{r:?}");
}
