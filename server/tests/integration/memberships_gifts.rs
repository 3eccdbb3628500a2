//! Memberships and gifts through the real router: a free trial once per learner, paid
//! periods that chain, expiry and refunds closing the tier's items; gifts bought for an
//! e-mail address, mailed, claimed once by whoever holds the link, refundable until then;
//! and each bad input refused with nothing changed.

use crate::common;

use common::app;
use common::shop::{
    cart, checkout, count, item, learner, order, order_of, paid_items, query, PAYS,
};
use serde_json::{json, Value};

/// Published items of creator c1 that its membership opens.
async fn tier_items(db: &app::ssr::db::Db) -> Vec<String> {
    query(
        db,
        "SELECT VALUE slug FROM item WHERE status = 'published' AND tier = membership_tier:c1 ORDER BY slug",
        json!({}),
    )
    .await
    .into_iter()
    .map(|v| v.as_str().unwrap().to_string())
    .collect()
}

async fn membership(b: &common::Browser) -> Value {
    let r = b.fetch("/api/membership?tier=c1").await;
    assert_eq!(r.status, 200, "{r:?}");
    serde_json::from_str(&r.body).unwrap()
}

async fn buy(b: &common::Browser, product: &str, key: &str) -> String {
    let r = b.submit("/api/cart_add", &[("product", product)]).await;
    assert_eq!(r.status, 302, "{r:?}");
    let id = order_of(checkout(b, key).await.location());
    let r = b
        .submit("/api/pay_sandbox", &[("order", &id), ("card", PAYS)])
        .await;
    assert_eq!(r.location(), format!("/orders/{id}"), "{r:?}");
    assert_eq!(order(b, &id).await["status"], "fulfilled");
    id
}

/// Days from now until the RFC 3339 time `t` (rounded).
fn days_until(t: &str) -> i64 {
    let end = chrono_like_days(t);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as f64
        / 86_400.0;
    (end - now).round() as i64
}

/// Days since 1970 of an RFC 3339 UTC timestamp (`2026-11-26T05:00:00Z`).
fn chrono_like_days(t: &str) -> f64 {
    let y: i64 = t[0..4].parse().unwrap();
    let m: i64 = t[5..7].parse().unwrap();
    let d: i64 = t[8..10].parse().unwrap();
    let h: f64 = t[11..13].parse().unwrap();
    // Days from civil date (Howard Hinnant's algorithm).
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) as f64 + h / 24.0
}

#[tokio::test]
async fn a_trial_then_paid_periods_open_the_tier_and_expiry_or_refund_closes_it() {
    let app = app();
    let (b, user) = learner(app).await;
    let slugs = tier_items(&app.db).await;
    assert!(
        slugs.len() >= 2,
        "the demo marks some of c1's items for members"
    );
    let slug = &slugs[0];

    // Not a member: the item is locked, and its page offers the membership.
    let page = item(&b, slug).await;
    assert!(page["body"].is_null());
    assert_eq!(page["tier"]["key"], "c1");
    assert_eq!(page["tier"]["monthly"]["minor"], 2900);
    assert_eq!(page["tier"]["mine"]["active"], false);
    assert_eq!(page["tier"]["mine"]["trial_available"], true);
    let m = membership(&b).await;
    assert_eq!(m["tier"]["trial_days"], 7);
    assert_eq!(m["items"].as_array().unwrap().len(), slugs.len());
    let html = b.get("/membership/c1").await;
    assert_eq!(html.status, 200);
    assert!(
        html.body.contains("Membership"),
        "the page renders without JavaScript"
    );

    // The free trial opens every item of the tier at once, for seven days.
    let r = b.submit("/api/membership_trial", &[("tier", "c1")]).await;
    assert_eq!(r.location(), "/membership/c1", "{r:?}");
    let page = item(&b, slug).await;
    assert!(page["body"].is_array(), "a trial member reads the body");
    assert_eq!(page["in_library"], false, "membership is not ownership");
    assert_eq!(page["tier"]["mine"]["on_trial"], true);
    assert_eq!(
        days_until(page["tier"]["mine"]["until"].as_str().unwrap()),
        7
    );
    assert!(item(&b, &slugs[1]).await["body"].is_array());
    // What the trial opens may be kept on the device only while it lasts: every answer
    // that carries the text says until when (the service worker deletes kept copies then).
    let until = query(
        &app.db,
        "SELECT VALUE time::unix(ends_at) FROM membership WHERE user = type::record('user', $u)",
        json!({ "u": user }),
    )
    .await[0]
        .as_i64()
        .unwrap();
    for path in [
        format!("/api/item?slug={slug}"),
        format!("/api/reader?slug={slug}"),
        format!("/item/{slug}"),
        format!("/read/{slug}"),
    ] {
        let r = if path.starts_with("/api/") {
            b.fetch(&path).await
        } else {
            b.get(&path).await
        };
        assert_eq!(r.status, 200, "{path}: {r:?}");
        assert_eq!(
            r.header("x-shuzhai-access-until"),
            until.to_string(),
            "{path}"
        );
    }
    // Someone who bought the item keeps it: no end is given.
    let (owner, _) = learner(app).await;
    common::shop::buy(&owner, slug, "member-item-bought-1").await;
    let r = owner.get(&format!("/read/{slug}")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-shuzhai-access-until"), "");
    // One trial per learner and tier, even when asked twice.
    let r = b.call("/api/membership_trial", &[("tier", "c1")]).await;
    assert_eq!(r.status, 409, "{r:?}");
    assert!(r.body.contains("first-time"), "{}", r.body);
    assert_eq!(
        membership(&b).await["tier"]["mine"]["trial_available"],
        false
    );

    // The trial runs out: the items close by themselves.
    app::ssr::db::execute(
        &app.db,
        "end trial",
        "UPDATE membership SET starts_at = time::now() - 8d, ends_at = time::now() - 1s
         WHERE user = type::record('user', $u)",
        json!({ "u": user }),
    )
    .await
    .unwrap();
    let page = item(&b, slug).await;
    assert!(
        page["body"].is_null(),
        "an expired membership opens nothing"
    );
    assert_eq!(page["tier"]["mine"]["active"], false);

    // Monthly, then yearly in the same cart: one plan per tier stays.
    b.submit("/api/cart_add", &[("product", "membership:c1:monthly")])
        .await;
    b.submit("/api/cart_add", &[("product", "membership:c1:yearly")])
        .await;
    let c = cart(&b).await;
    let lines = c["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "{c}");
    assert_eq!(lines[0]["product"], "membership:c1:yearly");
    assert_eq!(lines[0]["unit"]["minor"], 29900);
    // A store-wide coupon of the same creator leaves the membership's price alone.
    let r = b.call("/api/coupon_apply", &[("code", "LINXIAO10")]).await;
    assert_eq!(r.status, 422, "{r:?}");
    assert!(r.body.contains("CouponNotApplicable"), "{}", r.body);
    b.submit("/api/cart_remove", &[("product", "membership:c1:yearly")])
        .await;

    // Buying 30 days opens the tier again from now.
    let monthly = buy(&b, "membership:c1:monthly", "member-key-01").await;
    let page = item(&b, slug).await;
    assert!(page["body"].is_array());
    assert_eq!(
        days_until(page["tier"]["mine"]["until"].as_str().unwrap()),
        30
    );
    // A year bought on top continues from where the 30 days end.
    let yearly = buy(&b, "membership:c1:yearly", "member-key-02").await;
    let m = membership(&b).await;
    assert_eq!(
        days_until(m["tier"]["mine"]["until"].as_str().unwrap()),
        395
    );
    let periods = query(
        &app.db,
        "SELECT plan, from_order FROM membership WHERE user = type::record('user', $u) AND plan != 'trial' AND revoked_at = NONE",
        json!({ "u": user }),
    )
    .await;
    assert_eq!(periods.len(), 2, "{periods:?}");
    // Each paid period is in the creator's books.
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM ledger WHERE from_order INSIDE [type::record('orders', $a), type::record('orders', $b)] AND kind = 'sale'",
            json!({ "a": monthly, "b": yearly }),
        )
        .await,
        2
    );

    // Refunding the year takes the year back; the 30 days remain.
    let r = b.submit("/api/order_refund", &[("order", &yearly)]).await;
    assert_eq!(r.location(), format!("/orders/{yearly}"), "{r:?}");
    let m = membership(&b).await;
    assert_eq!(m["tier"]["mine"]["active"], true);
    assert_eq!(days_until(m["tier"]["mine"]["until"].as_str().unwrap()), 30);
    // Refunding the 30 days closes the items.
    b.submit("/api/order_refund", &[("order", &monthly)]).await;
    assert!(item(&b, slug).await["body"].is_null());
    assert_eq!(membership(&b).await["tier"]["mine"]["active"], false);

    // The export lists the periods, refunded ones with their date.
    let export = b.get("/account/export.json").await;
    assert_eq!(export.status, 200, "{export:?}");
    let export: Value = serde_json::from_str(&export.body).unwrap();
    let periods = export["memberships"].as_array().unwrap();
    assert_eq!(periods.len(), 3, "{periods:?}");
    assert!(periods.iter().all(|p| p["tier"] == "c1"));
    assert_eq!(periods[0]["plan"], "trial");
}

#[tokio::test]
async fn bad_membership_input_is_refused_and_visitors_are_asked_to_sign_in() {
    let app = app();
    let (b, user) = learner(app).await;
    for (product, status) in [
        ("membership:c1:weekly", 400),
        ("membership:c1", 400),
        ("membership:nosuch:monthly", 404),
        ("membership:C1:monthly", 400),
    ] {
        let r = b.call("/api/cart_add", &[("product", product)]).await;
        assert_eq!(r.status, status, "{product}: {r:?}");
    }
    assert!(cart(&b).await["lines"].as_array().unwrap().is_empty());
    let r = b.call("/api/membership_trial", &[("tier", "nosuch")]).await;
    assert_eq!(r.status, 404, "{r:?}");
    let r = b.fetch("/api/membership?tier=nosuch").await;
    assert_eq!(r.status, 404, "{r:?}");
    let visitor = common::Browser::new(app);
    let r = visitor
        .call("/api/membership_trial", &[("tier", "c1")])
        .await;
    assert_eq!(r.status, 401, "{r:?}");
    let m = membership(&visitor).await;
    assert!(m["tier"]["mine"].is_null(), "a visitor has no membership");
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM membership WHERE user = type::record('user', $u)",
            json!({ "u": user }),
        )
        .await,
        0
    );
}

async fn outbox_to(db: &app::ssr::db::Db, to: &str) -> Vec<Value> {
    query(
        db,
        "SELECT subject, body FROM outbox WHERE to = $to ORDER BY created_at",
        json!({ "to": to }),
    )
    .await
}

/// The claim path in a gift e-mail's body.
fn link_in(body: &str) -> String {
    let at = body.find("/gift/").unwrap();
    body[at..].split_whitespace().next().unwrap().to_string()
}

#[tokio::test]
async fn a_gift_is_paid_by_one_learner_mailed_and_claimed_once_by_the_recipient() {
    let app = app();
    let (giver, giver_key) = learner(app).await;
    let (friend, _) = learner(app).await;
    let (stranger, _) = learner(app).await;
    let (slug, price) = paid_items(&app.db, "c3").await[0].clone();
    let to = format!("friend-{}@example.com", std::process::id());

    let r = giver
        .fetch(&format!("/api/gift_quote?product=item:{slug}"))
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    let q: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(q["total"]["minor"], price);
    let key = q["key"].as_str().unwrap().to_string();
    let product = format!("item:{slug}");
    let form = |email: &str, message: &str, total: String| {
        vec![
            ("product".to_string(), product.clone()),
            ("email".to_string(), email.to_string()),
            ("message".to_string(), message.to_string()),
            ("key".to_string(), key.clone()),
            ("expected_total".to_string(), total),
        ]
    };
    let send = |fields: Vec<(String, String)>| {
        let giver = &giver;
        async move {
            let f: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            giver.call("/api/gift_checkout", &f).await
        }
    };

    // Bad input: each refused with its reason, no order made.
    let r = send(form("not-an-address", "", price.to_string())).await;
    assert_eq!(r.status, 422, "{r:?}");
    assert!(r.body.contains("EmailInvalid"), "{}", r.body);
    let r = send(form(&to, &"长".repeat(501), price.to_string())).await;
    assert_eq!(r.status, 422, "{r:?}");
    assert!(r.body.contains("MessageTooLong"), "{}", r.body);
    let r = send(form(&to, "", (price - 1).to_string())).await;
    assert_eq!(r.status, 409, "a tampered price: {r:?}");
    let r = giver
        .call(
            "/api/gift_checkout",
            &[
                ("product", "membership:c1:monthly"),
                ("email", &to),
                ("key", "gift-membership-1"),
            ],
        )
        .await;
    assert_eq!(r.status, 400, "{r:?}");
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM orders WHERE buyer = type::record('user', $u)",
            json!({ "u": giver_key }),
        )
        .await,
        0
    );

    // The gift is paid; the giver does not get the item, the friend gets an e-mail.
    let r = giver
        .submit(
            "/api/gift_checkout",
            &[
                ("product", &product),
                ("email", &to.to_uppercase()),
                ("message", "Happy birthday! 生日快乐"),
                ("key", &key),
                ("expected_total", &price.to_string()),
            ],
        )
        .await;
    let id = order_of(r.location());
    assert_eq!(r.location(), format!("/pay/{id}"), "{r:?}");
    // The same form sent again is the same order.
    let again = giver
        .submit(
            "/api/gift_checkout",
            &[("product", &product), ("email", &to), ("key", &key)],
        )
        .await;
    assert_eq!(again.location(), format!("/pay/{id}"), "{again:?}");
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM orders WHERE buyer = type::record('user', $u)",
            json!({ "u": giver_key }),
        )
        .await,
        1
    );
    giver
        .submit("/api/pay_sandbox", &[("order", &id), ("card", PAYS)])
        .await;
    let receipt = order(&giver, &id).await;
    assert_eq!(receipt["status"], "fulfilled");
    assert_eq!(receipt["gift"]["email"], to);
    assert!(
        item(&giver, &slug).await["body"].is_null(),
        "the giver gave it away"
    );
    let mails = outbox_to(&app.db, &to).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    let body = mails[0]["body"].as_str().unwrap();
    assert!(body.contains("Happy birthday!"), "{body}");
    let link = link_in(body);
    assert_eq!(
        receipt["gift"]["link"], link,
        "the receipt shows the same link"
    );
    let token = link.trim_start_matches("/gift/").to_string();

    // The friend opens the link: who sent it, what it is; then claims it.
    let r = friend.fetch(&format!("/api/gift?token={token}")).await;
    assert_eq!(r.status, 200, "{r:?}");
    let g: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(g["from"], "Buyer");
    assert_eq!(g["items"][0]["slug"], slug);
    assert!(g["claimed"].is_null());
    let page = friend.get(&link).await;
    assert!(
        page.body.contains("Happy birthday!"),
        "the page renders without JavaScript"
    );
    let visitor = common::Browser::new(app);
    assert_eq!(
        visitor
            .call("/api/gift_claim", &[("token", &token)])
            .await
            .status,
        401
    );
    let r = friend.submit("/api/gift_claim", &[("token", &token)]).await;
    assert_eq!(r.location(), link, "{r:?}");
    let page = item(&friend, &slug).await;
    assert!(page["body"].is_array(), "the friend reads it");
    assert_eq!(page["in_library"], true);
    // Claiming twice changes nothing; nobody else can claim it.
    assert_eq!(
        friend
            .call("/api/gift_claim", &[("token", &token)])
            .await
            .status,
        200
    );
    let r = stranger.call("/api/gift_claim", &[("token", &token)]).await;
    assert_eq!(r.status, 409, "{r:?}");
    assert!(item(&stranger, &slug).await["body"].is_null());
    // Claimed gifts belong to their recipient: no refund.
    let r = giver.call("/api/order_refund", &[("order", &id)]).await;
    assert_eq!(r.status, 409, "{r:?}");
    assert!(r.body.contains("claimed"), "{}", r.body);
    assert!(item(&friend, &slug).await["body"].is_array());
    assert!(order(&giver, &id).await["gift"]["claimed_at"].is_string());

    // Links that are not links.
    for bad in ["short", &"x".repeat(43), &format!("{token}x")] {
        let r = friend.fetch(&format!("/api/gift?token={bad}")).await;
        assert_eq!(r.status, 404, "{bad}: {r:?}");
    }
}

#[tokio::test]
async fn an_unclaimed_gift_can_be_refunded_and_then_no_longer_claimed() {
    let app = app();
    let (giver, _) = learner(app).await;
    let (friend, _) = learner(app).await;
    let (slug, _) = paid_items(&app.db, "c2").await[2].clone();
    let to = format!("later-{}@example.com", std::process::id());
    let r = giver
        .submit(
            "/api/gift_checkout",
            &[
                ("product", &format!("item:{slug}")),
                ("email", &to),
                ("key", "gift-refund-key-1"),
            ],
        )
        .await;
    let id = order_of(r.location());
    giver
        .submit("/api/pay_sandbox", &[("order", &id), ("card", PAYS)])
        .await;
    let link = link_in(outbox_to(&app.db, &to).await[0]["body"].as_str().unwrap());
    let token = link.trim_start_matches("/gift/");

    let r = giver.submit("/api/order_refund", &[("order", &id)]).await;
    assert_eq!(r.location(), format!("/orders/{id}"), "{r:?}");
    assert_eq!(order(&giver, &id).await["status"], "refunded");
    let r = friend.call("/api/gift_claim", &[("token", token)]).await;
    assert_eq!(r.status, 409, "{r:?}");
    assert!(r.body.contains("refunded"), "{}", r.body);
    let g: Value =
        serde_json::from_str(&friend.fetch(&format!("/api/gift?token={token}")).await.body)
            .unwrap();
    assert_eq!(g["revoked"], true);
    assert!(item(&friend, &slug).await["body"].is_null());
}

/// A browser signed in as the creator whose account key is `key`.
async fn creator(app: &common::TestApp, key: &str) -> common::Browser {
    let b = common::Browser::new(app);
    let token = app::ssr::sessions::create(&app.db, key, "test")
        .await
        .unwrap();
    b.set_session(Some(&token));
    b
}

#[tokio::test]
async fn a_creator_sets_prices_their_membership_and_bundles_and_nobody_else_can() {
    let app = app();
    let daniel = creator(app, "c4").await;
    let r = daniel.fetch("/api/studio_products").await;
    assert_eq!(r.status, 200, "{r:?}");
    let p: Value = serde_json::from_str(&r.body).unwrap();
    let slugs: Vec<String> = p["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["status"] == "published")
        .map(|i| i["slug"].as_str().unwrap().to_string())
        .collect();
    assert!(slugs.len() >= 4);
    assert_eq!(p["tier_key"], "c4");
    let page = daniel.get("/studio/products").await;
    assert!(
        page.body.contains("Products and prices"),
        "renders without JavaScript"
    );

    // A learner put the item in their cart at the old price.
    let (learner_b, _) = learner(app).await;
    let (x, y) = (&slugs[0], &slugs[1]);
    learner_b
        .submit("/api/cart_add", &[("product", &format!("item:{y}"))])
        .await;
    let old_total = cart(&learner_b).await["totals"]["total"]["minor"]
        .as_i64()
        .unwrap();

    // Prices in yuan; a members' item needs a price.
    let r = daniel
        .submit(
            "/api/studio_item",
            &[("slug", x), ("price", "12.34"), ("for_members", "on")],
        )
        .await;
    assert_eq!(r.location(), "/studio/products?saved=item", "{r:?}");
    let page = item(&learner_b, x).await;
    assert_eq!(page["card"]["price"]["minor"], 1234);
    assert_eq!(page["tier"]["key"], "c4");
    let r = daniel
        .submit("/api/studio_item", &[("slug", y), ("price", "77")])
        .await;
    assert_eq!(r.status, 302, "{r:?}");
    assert_ne!(old_total, 7700);
    // The learner's checkout with the page's old total is stopped; the cart shows the new one.
    let r = learner_b
        .call(
            "/api/checkout",
            &[
                ("key", "old-price-key-1"),
                ("expected_total", &old_total.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 409, "{r:?}");
    assert_eq!(cart(&learner_b).await["totals"]["total"]["minor"], 7700);
    for (price, members, status) in [
        ("-1", None, 400),
        ("1.234", None, 400),
        ("ten", None, 400),
        ("10000001", None, 400),
        ("0", Some("on"), 400),
    ] {
        let mut f = vec![("slug", x.as_str()), ("price", price)];
        if let Some(m) = members {
            f.push(("for_members", m));
        }
        let r = daniel.call("/api/studio_item", &f).await;
        assert_eq!(r.status, status, "{price}: {r:?}");
    }
    assert_eq!(item(&learner_b, x).await["card"]["price"]["minor"], 1234);
    // Someone else's item, a learner, a visitor.
    let lin_item = paid_items(&app.db, "c1").await[0].0.clone();
    let r = daniel
        .call("/api/studio_item", &[("slug", &lin_item), ("price", "1")])
        .await;
    assert_eq!(r.status, 404, "{r:?}");
    let r = learner_b
        .call("/api/studio_item", &[("slug", x), ("price", "1")])
        .await;
    assert_eq!(r.status, 403, "{r:?}");
    assert_eq!(item(&learner_b, x).await["card"]["price"]["minor"], 1234);

    // The membership: new name and prices, no trial.
    let r = daniel
        .submit(
            "/api/studio_tier",
            &[
                ("name", "Daniel's circle"),
                ("description", "Everything I write for members."),
                ("monthly", "19"),
                ("yearly", "190.50"),
                ("trial_days", "0"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/studio/products?saved=tier", "{r:?}");
    let m: Value =
        serde_json::from_str(&learner_b.fetch("/api/membership?tier=c4").await.body).unwrap();
    assert_eq!(m["tier"]["name"], "Daniel's circle");
    assert_eq!(m["tier"]["yearly"]["minor"], 19050);
    assert_eq!(m["tier"]["mine"]["trial_available"], false);
    assert!(m["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["slug"] == x.as_str()));
    let r = learner_b
        .call("/api/membership_trial", &[("tier", "c4")])
        .await;
    assert_eq!(r.status, 400, "no trial offered: {r:?}");
    for (field, bad) in [("trial_days", "91"), ("monthly", "0"), ("name", "")] {
        let mut f = vec![
            ("name", "Circle"),
            ("monthly", "19"),
            ("yearly", "190"),
            ("trial_days", "7"),
        ];
        f.retain(|(k, _)| *k != field);
        f.push((field, bad));
        let r = daniel.call("/api/studio_tier", &f).await;
        assert_eq!(r.status, 400, "{field}={bad}: {r:?}");
    }

    // A bundle of two of their items.
    let r = daniel
        .submit(
            "/api/studio_bundle",
            &[
                ("slug", "daniel-duo"),
                ("title", "The Daniel duo"),
                ("price", "30"),
                ("items[]", x),
                ("items[]", y),
                ("published", "on"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/studio/products?saved=bundle", "{r:?}");
    let b: Value =
        serde_json::from_str(&learner_b.fetch("/api/bundle?slug=daniel-duo").await.body).unwrap();
    assert_eq!(b["price"]["minor"], 3000);
    assert_eq!(b["items"].as_array().unwrap().len(), 2);
    let seeded_bundle: String = query(
        &app.db,
        "SELECT VALUE slug FROM bundle WHERE creator != creator:c4 LIMIT 1",
        json!({}),
    )
    .await[0]
        .as_str()
        .unwrap()
        .to_string();
    for (fields, status) in [
        (vec![("slug", "daniel-one"), ("items[]", x.as_str())], 400),
        (
            vec![
                ("slug", "daniel-mix"),
                ("items[]", x.as_str()),
                ("items[]", lin_item.as_str()),
            ],
            400,
        ),
        (
            vec![
                ("slug", "Bad Slug"),
                ("items[]", x.as_str()),
                ("items[]", y.as_str()),
            ],
            400,
        ),
        (
            vec![
                ("slug", seeded_bundle.as_str()),
                ("items[]", x.as_str()),
                ("items[]", y.as_str()),
            ],
            409,
        ),
    ] {
        let mut f = fields.clone();
        f.push(("title", "T"));
        f.push(("price", "20"));
        let r = daniel.call("/api/studio_bundle", &f).await;
        assert_eq!(r.status, status, "{fields:?}: {r:?}");
    }
    // Taken off sale, it disappears from the store.
    daniel
        .submit(
            "/api/studio_bundle",
            &[
                ("slug", "daniel-duo"),
                ("title", "The Daniel duo"),
                ("price", "30"),
                ("items[]", x),
                ("items[]", y),
            ],
        )
        .await;
    assert_eq!(
        learner_b.fetch("/api/bundle?slug=daniel-duo").await.status,
        404
    );
}
