//! Reports and moderation through the real router: reports counted once per person, the
//! admins' queue, hiding (only the author and admins still see it), removing, suspending
//! (signed out everywhere, no sign-in until lifted), items taken off the store, the word
//! list holding new text back until an admin lets it through, and bad reports refused with
//! a reason. Every action is in the audit log.

use crate::common;

use common::shop::{buy, count, learner, paid_items, query, PASSWORD};
use common::{app, signed_in, Browser, Reply};
use serde_json::{json, Value};

async fn community(b: &Browser, slug: &str) -> Value {
    let r = b.fetch(&format!("/api/community?slug={slug}")).await;
    assert_eq!(r.status, 200, "{r:?}");
    serde_json::from_str(&r.body).unwrap()
}

async fn comment(b: &Browser, slug: &str, text: &str, key: &str) -> String {
    let r = b
        .call(
            "/api/post_comment",
            &[("slug", slug), ("text", text), ("key", key)],
        )
        .await;
    assert!(r.status < 400, "{r:?}");
    let c = community(b, slug).await;
    c["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["text"] == text)
        .unwrap_or_else(|| panic!("comment not shown to its author: {c}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn report(
    b: &Browser,
    slug: &str,
    kind: &str,
    target: &str,
    reason: &str,
    text: &str,
) -> Reply {
    b.call(
        "/api/report",
        &[
            ("slug", slug),
            ("kind", kind),
            ("target", target),
            ("reason", reason),
            ("text", text),
        ],
    )
    .await
}

async fn queue(admin: &Browser) -> Value {
    let r = admin.fetch("/api/moderation").await;
    assert_eq!(r.status, 200, "{r:?}");
    serde_json::from_str(&r.body).unwrap()
}

fn entry<'a>(q: &'a Value, target: &str) -> Option<&'a Value> {
    q["queue"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["target"] == target)
}

async fn moderate(admin: &Browser, kind: &str, target: &str, action: &str) -> Reply {
    admin
        .call(
            "/api/moderate",
            &[("kind", kind), ("target", target), ("action", action)],
        )
        .await
}

fn shown(c: &Value, text: &str) -> bool {
    c["comments"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["text"] == text)
}

#[tokio::test]
async fn a_reported_comment_is_counted_once_per_person_and_hidden_for_all_but_its_author() {
    let app = app();
    let slug = paid_items(&app.db, "c2").await[6].0.clone();
    let (author, _) = learner(app).await;
    let text = "Buy cheap watches at example dot com";
    let id = comment(&author, &slug, text, "moderation0001").await;
    let (b, _) = learner(app).await;
    let (c, _) = learner(app).await;
    assert!(
        report(&b, &slug, "comment", &id, "spam", "An advert")
            .await
            .status
            < 400
    );
    // Reporting again replaces the first report: still one per person.
    assert!(
        report(&b, &slug, "comment", &id, "abuse", "An advert, twice")
            .await
            .status
            < 400
    );
    assert!(report(&c, &slug, "comment", &id, "spam", "").await.status < 400);
    // Plain form: back to the item with a thank-you.
    let r = c
        .submit(
            "/api/report",
            &[
                ("slug", &slug),
                ("kind", "comment"),
                ("target", &id),
                ("reason", "spam"),
            ],
        )
        .await;
    assert_eq!(r.location(), format!("/item/{slug}?reported=1#community"));

    // Only admins see the queue.
    assert_eq!(b.fetch("/api/moderation").await.status, 403);
    assert_eq!(
        signed_in(app, "c2")
            .await
            .fetch("/api/moderation")
            .await
            .status,
        403
    );
    let admin = signed_in(app, "admin").await;
    let q = queue(&admin).await;
    let e = entry(&q, &id).unwrap();
    assert_eq!(e["reporters"], 2, "{e}");
    assert_eq!(e["kind"], "comment");
    assert_eq!(e["text"], text);
    assert_eq!(e["item_slug"], slug);
    let reasons: Vec<&str> = e["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        reasons.contains(&"abuse") && reasons.contains(&"spam"),
        "{reasons:?}"
    );
    assert!(e["notes"]
        .as_array()
        .unwrap()
        .contains(&json!("An advert, twice")));

    let r = moderate(&admin, "comment", &id, "hide").await;
    assert!(r.status < 400, "{r:?}");
    // Gone for everyone else, on the page too; its author and admins still see it, marked.
    assert!(!shown(&community(&Browser::new(app), &slug).await, text));
    assert!(!shown(&community(&b, &slug).await, text));
    assert!(!Browser::new(app)
        .get(&format!("/item/{slug}"))
        .await
        .body
        .contains("cheap watches"));
    let own = community(&author, &slug).await;
    let mine = own["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["text"] == text)
        .unwrap();
    assert_eq!(mine["hidden"], true);
    assert!(shown(&community(&admin, &slug).await, text));
    // The reports are closed and the action is in the audit log.
    assert!(entry(&queue(&admin).await, &id).is_none());
    let q = queue(&admin).await;
    assert!(q["log"].as_array().unwrap().iter().any(|l| l["detail"]
        .as_str()
        .unwrap()
        .contains(&format!("hide comment {id}"))));
}

#[tokio::test]
async fn suspending_an_author_signs_them_out_and_keeps_them_out_until_lifted() {
    let app = app();
    let slug = paid_items(&app.db, "c2").await[7].0.clone();
    let (author, user) = learner(app).await;
    let email: String = query(
        &app.db,
        "SELECT VALUE email FROM type::record('user', $u)",
        json!({ "u": user }),
    )
    .await[0]
        .as_str()
        .unwrap()
        .to_string();
    let id = comment(&author, &slug, "Threatening words", "moderation0002").await;
    let (reporter, _) = learner(app).await;
    assert!(
        report(&reporter, &slug, "comment", &id, "abuse", "")
            .await
            .status
            < 400
    );
    let admin = signed_in(app, "admin").await;
    assert!(moderate(&admin, "comment", &id, "suspend").await.status < 400);

    // The session is gone, and the password no longer signs in (said plainly).
    assert_eq!(
        author.fetch("/api/notifications").await.status,
        401,
        "the suspended session must be over"
    );
    let fresh = Browser::new(app);
    let r = fresh
        .call("/api/sign_in", &[("email", &email), ("password", PASSWORD)])
        .await;
    assert!(r.status >= 400, "{r:?}");
    assert!(r.body.contains("Suspended"), "{}", r.body);
    assert!(fresh.session().is_none());
    assert!(!shown(
        &community(&reporter, &slug).await,
        "Threatening words"
    ));
    let q = queue(&admin).await;
    assert!(q["suspended"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["key"] == user));

    // Lifted: the same password works again.
    let r = admin.call("/api/lift_suspension", &[("user", &user)]).await;
    assert!(r.status < 400, "{r:?}");
    let r = fresh
        .call("/api/sign_in", &[("email", &email), ("password", PASSWORD)])
        .await;
    assert!(r.status < 400, "{r:?}");
    assert!(fresh.session().is_some());
    let r = admin.call("/api/lift_suspension", &[("user", &user)]).await;
    assert_eq!(r.status, 404, "not suspended any more");
}

#[tokio::test]
async fn reviews_can_be_removed_and_items_taken_off_the_store() {
    let app = app();
    let items = paid_items(&app.db, "c2").await;
    let slug = items[8].0.clone();
    let (owner, _) = learner(app).await;
    buy(&owner, &slug, "moderation-buy-0001").await;
    let r = owner
        .call(
            "/api/save_review",
            &[
                ("slug", &slug),
                ("rating", "1"),
                ("text", "Rude words about the author"),
            ],
        )
        .await;
    assert!(r.status < 400, "{r:?}");
    let c = community(&Browser::new(app), &slug).await;
    let review = c["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["text"] == "Rude words about the author")
        .unwrap();
    let id = review["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 16);
    let count_before = c["rating_count"].as_u64().unwrap();
    let (reporter, _) = learner(app).await;
    assert!(
        report(&reporter, &slug, "review", &id, "abuse", "")
            .await
            .status
            < 400
    );
    let admin = signed_in(app, "admin").await;
    assert!(moderate(&admin, "review", &id, "remove").await.status < 400);
    let c = community(&Browser::new(app), &slug).await;
    assert_eq!(c["rating_count"].as_u64().unwrap(), count_before - 1);
    assert_eq!(
        count(
            &app.db,
            "SELECT id FROM review WHERE public_id = $id",
            json!({ "id": id }),
        )
        .await,
        0
    );

    // An item: reported, hidden — off the catalog and its page for everyone.
    let target = items[9].0.clone();
    assert!(
        report(
            &reporter,
            &target,
            "item",
            "",
            "copyright",
            "Copied from my book"
        )
        .await
        .status
            < 400
    );
    let q = queue(&admin).await;
    let e = q["queue"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "item" && e["item_slug"] == target)
        .unwrap()
        .clone();
    assert!(
        moderate(&admin, "item", e["target"].as_str().unwrap(), "hide")
            .await
            .status
            < 400
    );
    assert_eq!(
        Browser::new(app)
            .get(&format!("/item/{target}"))
            .await
            .status,
        404
    );
    let words: Vec<&str> = target.split('-').take(3).collect();
    let found = Browser::new(app)
        .fetch(&format!("/api/catalog?query[q]={}", words.join("+")))
        .await;
    assert_eq!(found.status, 200);
    assert!(
        !found.body.contains(&format!("\"{target}\"")),
        "{}",
        found.body
    );
    // Nor in the sitemap, which still lists the store's other items.
    let map = Browser::new(app).get("/sitemap.xml").await;
    assert_eq!(map.status, 200);
    assert!(!map.body.contains(&format!("/item/{target}<")));
    assert!(map.body.contains(&format!("/item/{slug}<")));
}

#[tokio::test]
async fn the_word_list_holds_new_text_until_an_admin_lets_it_through() {
    let app = app();
    let slug = paid_items(&app.db, "c2").await[10].0.clone();
    let admin = signed_in(app, "admin").await;
    // Bad lists are refused, and a list cannot be on without words.
    let long = "x".repeat(61);
    let r = admin
        .call("/api/word_list", &[("enabled", "on"), ("words", &long)])
        .await;
    assert_eq!(r.status, 400, "{r:?}");
    let r = admin
        .call("/api/word_list", &[("enabled", "on"), ("words", " ")])
        .await;
    assert_eq!(r.status, 400, "{r:?}");
    let r = admin
        .call(
            "/api/word_list",
            &[("enabled", "on"), ("words", "casino\n免费领取")],
        )
        .await;
    assert!(r.status < 400, "{r:?}");

    let (author, _) = learner(app).await;
    let held = "Great ＣＡＳＩＮＯ bonus here";
    let id = comment(&author, &slug, held, "moderation0003").await;
    let fine = "A thoughtful remark";
    comment(&author, &slug, fine, "moderation0004").await;
    let visitor = Browser::new(app);
    let c = community(&visitor, &slug).await;
    assert!(!shown(&c, held));
    assert!(shown(&c, fine));
    let own = community(&author, &slug).await;
    assert!(own["comments"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["text"] == held && c["held"] == true));
    let q = queue(&admin).await;
    let e = entry(&q, &id).unwrap();
    assert_eq!(e["held"], true);
    assert_eq!(e["reporters"], 0);
    assert_eq!(e["reasons"], json!(["word_list"]));
    assert!(q["words_enabled"].as_bool().unwrap());

    // Let through: everyone sees it.
    assert!(moderate(&admin, "comment", &id, "dismiss").await.status < 400);
    assert!(shown(&community(&visitor, &slug).await, held));

    // Off again: nothing is held.
    let r = admin
        .call("/api/word_list", &[("words", "casino\n免费领取")])
        .await;
    assert!(r.status < 400, "{r:?}");
    comment(&author, &slug, "casino again", "moderation0005").await;
    assert!(shown(&community(&visitor, &slug).await, "casino again"));
}

#[tokio::test]
async fn bad_reports_are_refused_with_a_reason() {
    let app = app();
    let items = paid_items(&app.db, "c3").await;
    let slug = items[0].0.clone();
    let other = items[1].0.clone();
    let (author, _) = learner(app).await;
    let id = comment(&author, &other, "On another item", "moderation0006").await;
    let (b, _) = learner(app).await;
    let visitor = Browser::new(app);
    assert_eq!(
        report(&visitor, &slug, "item", "", "spam", "").await.status,
        401
    );
    let r = report(&b, &slug, "item", "", "because", "").await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Choose why"), "{}", r.body);
    let r = report(&b, &slug, "item", "", "word_list", "").await;
    assert_eq!(r.status, 400, "people cannot file word-list reports");
    let r = report(&b, &slug, "user", "x", "spam", "").await;
    assert_eq!(r.status, 400);
    let r = report(&b, &slug, "comment", &id, "spam", "").await;
    assert_eq!(r.status, 404, "a comment of another item: {r:?}");
    let r = report(&b, &slug, "comment", "nope'; DELETE report; --", "spam", "").await;
    assert_eq!(r.status, 404);
    let r = report(&b, &slug, "item", "", "spam", &"x".repeat(1_001)).await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("1000"), "{}", r.body);
    let admin = signed_in(app, "admin").await;
    let r = moderate(&admin, "comment", &id, "destroy").await;
    assert_eq!(r.status, 400);
    let r = moderate(&admin, "comment", "nosuchcomment", "hide").await;
    assert_eq!(r.status, 404);
    // At most 20 reports an hour from one person.
    let mut statuses = Vec::new();
    for (s, _) in items.iter().take(21) {
        statuses.push(report(&b, s, "item", "", "other", "").await.status);
    }
    assert!(statuses[..20].iter().all(|&s| s < 400), "{statuses:?}");
    assert_eq!(statuses[20], 429);
}
