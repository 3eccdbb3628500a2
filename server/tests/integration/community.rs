//! Reviews, comments and likes through the real router: reviews only by owners and one per
//! learner (writing again edits it), the item's rating from the reviews, comments and
//! replies from anyone signed in and posted once per form, hostile text shown as text,
//! deleting by the author, the item's creator or an admin only, likes counted once, and
//! all of it in the data export and taken away with the account.

use crate::common;

use common::shop::{buy, count, learner, paid_items, query, PASSWORD};
use common::{app, Browser, Reply};
use serde_json::{json, Value};

async fn community(b: &Browser, slug: &str) -> Value {
    let r = b.fetch(&format!("/api/community?slug={slug}")).await;
    assert_eq!(r.status, 200, "{r:?}");
    serde_json::from_str(&r.body).unwrap()
}

async fn review(b: &Browser, slug: &str, rating: &str, text: &str) -> Reply {
    b.call(
        "/api/save_review",
        &[("slug", slug), ("rating", rating), ("text", text)],
    )
    .await
}

async fn comment(b: &Browser, slug: &str, text: &str, parent: Option<&str>, key: &str) -> Reply {
    let mut fields = vec![("slug", slug), ("text", text), ("key", key)];
    if let Some(p) = parent {
        fields.push(("parent", p));
    }
    b.call("/api/post_comment", &fields).await
}

fn ok(r: &Reply) {
    assert!(r.status < 400, "{r:?}");
}

#[tokio::test]
async fn only_owners_review_once_each_and_the_rating_follows() {
    let app = app();
    let slug = paid_items(&app.db, "c2").await[4].0.clone();
    let before = community(&Browser::new(app), &slug).await;
    let n0 = before["rating_count"].as_u64().unwrap();

    let visitor = Browser::new(app);
    assert_eq!(review(&visitor, &slug, "5", "x").await.status, 401);
    assert_eq!(before["may_review"], "SignIn");
    let (stranger, _) = learner(app).await;
    let r = review(&stranger, &slug, "1", "Never read it").await;
    assert_eq!(r.status, 409, "{r:?}");
    assert!(
        r.body.contains("Only learners who have this item"),
        "{}",
        r.body
    );
    assert_eq!(community(&stranger, &slug).await["may_review"], "NotOwner");

    let (owner, user) = learner(app).await;
    buy(&owner, &slug, "community-review-1").await;
    assert_eq!(community(&owner, &slug).await["may_review"], "Yes");
    ok(&review(&owner, &slug, "2", "Slow start").await);
    // Writing again edits the one review.
    ok(&review(
        &owner,
        &slug,
        "5",
        "  It got much better\r\nafter chapter 2  ",
    )
    .await);
    let reviews = || async {
        count(
            &app.db,
            "SELECT * FROM review WHERE user = type::record('user', $u)",
            json!({ "u": user }),
        )
        .await
    };
    assert_eq!(reviews().await, 1);
    let after = community(&owner, &slug).await;
    assert_eq!(after["rating_count"].as_u64().unwrap(), n0 + 1);
    assert_eq!(after["mine"]["rating"], 5);
    assert_eq!(after["mine"]["text"], "It got much better\nafter chapter 2");
    assert_eq!(
        after["reviews"][0]["mine"], true,
        "the viewer's own review comes first"
    );
    let stars: Vec<u64> = after["stars"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(stars.iter().sum::<u64>(), n0 + 1);
    // The rating is the average of the reviews' stars.
    let all = query(
        &app.db,
        "SELECT VALUE rating FROM review WHERE item.slug = $s",
        json!({ "s": slug }),
    )
    .await;
    let mean = all.iter().map(|v| v.as_f64().unwrap()).sum::<f64>() / all.len() as f64;
    assert!(
        (after["rating"].as_f64().unwrap() - mean).abs() < 0.051,
        "{after} vs {mean}"
    );

    // Bad ratings are refused with a reason and change nothing.
    for bad in ["0", "6"] {
        let r = review(&owner, &slug, bad, "x").await;
        assert_eq!(r.status, 400, "{bad}: {r:?}");
        assert!(r.body.contains("1 to 5 stars"), "{}", r.body);
    }
    assert!(review(&owner, &slug, "five", "x").await.status >= 400);
    let r = review(&owner, &slug, "4", &"字".repeat(4_001)).await;
    assert_eq!(r.status, 400);
    assert_eq!(community(&owner, &slug).await["mine"]["rating"], 5);

    // The item page shows it, escaped; deleting takes it away.
    // Hostile words are text in the list and in the owner's own edit box (a textarea
    // must not be ended by them).
    let hostile = "</textarea><script>alert(1)</script> fine";
    ok(&review(&owner, &slug, "4", hostile).await);
    let page = owner.get(&format!("/item/{slug}")).await;
    assert!(page
        .body
        .contains("&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt; fine"));
    assert!(!page.body.contains("<script>alert(1)"));
    let other = stranger.get(&format!("/item/{slug}")).await;
    assert!(other.body.contains("&lt;script&gt;alert(1)"));
    assert!(!other.body.contains("<script>alert(1)"));
    ok(&owner.call("/api/delete_review", &[("slug", &slug)]).await);
    assert_eq!(reviews().await, 0);
    assert!(community(&owner, &slug).await["mine"].is_null());
}

#[tokio::test]
async fn comments_and_replies_post_once_and_are_deleted_only_by_those_who_may() {
    let app = app();
    let slug = paid_items(&app.db, "c1").await[4].0.clone();
    let visitor = Browser::new(app);
    assert_eq!(
        comment(&visitor, &slug, "hello", None, "visitorkey01")
            .await
            .status,
        401
    );
    let (alice, alice_key) = learner(app).await;
    let (bob, _) = learner(app).await;

    // Alice asks; the same form sent twice posts once.
    let hostile = "<img src=x onerror=alert(1)> Is chapter 3 in the preview?";
    ok(&comment(&alice, &slug, hostile, None, "alicekey0001").await);
    ok(&comment(&alice, &slug, hostile, None, "alicekey0001").await);
    let c = community(&bob, &slug).await;
    let threads = c["comments"].as_array().unwrap();
    let mine: Vec<&Value> = threads.iter().filter(|t| t["text"] == hostile).collect();
    assert_eq!(mine.len(), 1, "posted once: {c}");
    let id = mine[0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        mine[0]["may_delete"], false,
        "bob may not delete alice's comment"
    );
    let page = bob.get(&format!("/item/{slug}")).await;
    assert!(page.body.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(!page.body.contains("<img src=x onerror"));

    // Bob replies; a reply to the reply joins the same thread.
    ok(&comment(&bob, &slug, "Yes, it is.", Some(&id), "bobkey000001").await);
    let reply_id = community(&bob, &slug).await["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap()["replies"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    ok(&comment(&alice, &slug, "Thanks!", Some(&reply_id), "alicekey0002").await);
    let thread = community(&alice, &slug).await["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap()
        .clone();
    let replies: Vec<&str> = thread["replies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    assert_eq!(replies, ["Yes, it is.", "Thanks!"]);

    // Bad comments: empty, too long, a parent that is not there or on another item.
    let r = comment(&alice, &slug, "   ", None, "alicekey0003").await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Write something"), "{}", r.body);
    assert_eq!(
        comment(&alice, &slug, &"a".repeat(2_001), None, "alicekey0004")
            .await
            .status,
        400
    );
    assert_eq!(
        comment(&alice, &slug, "hi", Some("nope_nope"), "alicekey0005")
            .await
            .status,
        404
    );
    let other = paid_items(&app.db, "c1").await[5].0.clone();
    assert_eq!(
        comment(&alice, &other, "hi", Some(&id), "alicekey0006")
            .await
            .status,
        404
    );
    assert_eq!(
        comment(&alice, &slug, "hi", None, "bad key!").await.status,
        400
    );

    // Bob may not delete Alice's comment; the item's creator may (and it is logged); the
    // thread stays with its replies under a marker.
    let r = bob
        .call("/api/delete_comment", &[("slug", &slug), ("id", &id)])
        .await;
    assert_eq!(r.status, 403, "{r:?}");
    let creator = Browser::new(app);
    let token = app::ssr::sessions::create(&app.db, "c1", "test")
        .await
        .unwrap();
    creator.set_session(Some(&token));
    ok(&creator
        .call("/api/delete_comment", &[("slug", &slug), ("id", &id)])
        .await);
    let thread = community(&bob, &slug).await["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(thread["deleted"], true);
    assert_eq!(thread["text"], "");
    assert_eq!(thread["replies"].as_array().unwrap().len(), 2);
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM audit WHERE action = 'moderate_comment' AND user = type::record('user', $u)",
            json!({ "u": alice_key })
        )
        .await,
        1
    );
    // Alice deletes her own reply.
    let mine = thread["replies"][1]["id"].as_str().unwrap().to_string();
    ok(&alice
        .call("/api/delete_comment", &[("slug", &slug), ("id", &mine)])
        .await);
    let thread = community(&bob, &slug).await["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(thread["replies"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn too_many_comments_in_a_minute_are_refused() {
    let app = app();
    let slug = paid_items(&app.db, "c3").await[4].0.clone();
    let (b, _) = learner(app).await;
    for i in 0..6 {
        ok(&comment(
            &b,
            &slug,
            &format!("note {i}"),
            None,
            &format!("floodkey{i:04}"),
        )
        .await);
    }
    let r = comment(&b, &slug, "one more", None, "floodkey0099").await;
    assert_eq!(r.status, 429, "{r:?}");
}

#[tokio::test]
async fn likes_count_once_and_everything_leaves_with_the_account() {
    let app = app();
    let slug = paid_items(&app.db, "c3").await[5].0.clone();
    let visitor = Browser::new(app);
    assert_eq!(
        visitor
            .call("/api/like_item", &[("slug", &slug), ("on", "true")])
            .await
            .status,
        401
    );
    let likes0 = community(&visitor, &slug).await["likes"].as_u64().unwrap();
    let (b, user) = learner(app).await;
    for _ in 0..2 {
        ok(&b
            .call("/api/like_item", &[("slug", &slug), ("on", "true")])
            .await);
    }
    let c = community(&b, &slug).await;
    assert_eq!(c["likes"].as_u64().unwrap(), likes0 + 1);
    assert_eq!(c["liked"], true);
    ok(&b
        .call("/api/like_item", &[("slug", &slug), ("on", "false")])
        .await);
    assert_eq!(community(&b, &slug).await["liked"], false);
    ok(&b
        .call("/api/like_item", &[("slug", &slug), ("on", "true")])
        .await);

    buy(&b, &slug, "community-export-1").await;
    ok(&review(&b, &slug, "4", "Worth it").await);
    ok(&comment(&b, &slug, "My comment", None, "exportkey001").await);
    let doc: Value = serde_json::from_str(&b.get("/account/export.json").await.body).unwrap();
    assert_eq!(doc["reviews"][0]["text"], "Worth it");
    assert_eq!(doc["comments"][0]["text"], "My comment");
    assert_eq!(doc["likes"].as_array().unwrap().len(), 1);

    let r = b
        .submit("/api/delete_account", &[("password", PASSWORD)])
        .await;
    assert_eq!(r.status, 302, "{r:?}");
    for table in ["review", "item_like", "comment"] {
        assert_eq!(
            count(
                &app.db,
                &format!("SELECT * FROM {table} WHERE user = type::record('user', $u)"),
                json!({ "u": user })
            )
            .await,
            0,
            "{table}"
        );
    }
    let c = community(&visitor, &slug).await;
    assert_eq!(c["likes"].as_u64().unwrap(), likes0);
    assert!(!c.to_string().contains("My comment"));
}

async fn ask(b: &Browser, slug: &str, text: &str, key: &str) -> Reply {
    b.call(
        "/api/post_comment",
        &[
            ("slug", slug),
            ("text", text),
            ("question", "on"),
            ("key", key),
        ],
    )
    .await
}

async fn notifications(b: &Browser) -> Vec<Value> {
    let r = b.fetch("/api/notifications").await;
    assert_eq!(r.status, 200, "{r:?}");
    serde_json::from_str(&r.body).unwrap()
}

async fn inbox(b: &Browser) -> (u16, Value) {
    let r = b.fetch("/api/inbox").await;
    (
        r.status,
        serde_json::from_str::<Value>(&r.body).unwrap_or(Value::Null),
    )
}

fn thread<'a>(c: &'a Value, text: &str) -> &'a Value {
    c["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["text"] == text)
        .unwrap()
}

#[tokio::test]
async fn the_creator_answers_questions_and_people_are_told_once() {
    let app = app();
    let slug = paid_items(&app.db, "c2").await[6].0.clone();
    let (asker, _) = learner(app).await;
    let (other, _) = learner(app).await;
    let creator = Browser::new(app);
    let token = app::ssr::sessions::create(&app.db, "c2", "test")
        .await
        .unwrap();
    creator.set_session(Some(&token));

    let q = format!("Does it cover pricing? {}", std::process::id());
    ok(&ask(&asker, &slug, &q, "askkey000001").await);
    let c = community(&other, &slug).await;
    let head = thread(&c, &q);
    assert_eq!(
        (head["question"].clone(), head["answered"].clone()),
        (json!(true), json!(false))
    );
    let id = head["id"].as_str().unwrap().to_string();
    let (status, open) = inbox(&creator).await;
    assert_eq!(status, 200);
    assert!(
        open["questions"].to_string().contains(&q),
        "the creator sees it waiting"
    );

    // Another learner's reply is not an answer, but the asker hears about it.
    ok(&comment(&other, &slug, "Good question", Some(&id), "otherkey0001").await);
    assert!(asker
        .get(&format!("/item/{slug}"))
        .await
        .body
        .contains("class=\"bell-count\">1<"));
    // The creator's reply answers it; sending the same form again tells nobody twice.
    for _ in 0..2 {
        ok(&comment(
            &creator,
            &slug,
            "Yes, chapter 4.",
            Some(&id),
            "creatorkey01",
        )
        .await);
    }
    let c = community(&other, &slug).await;
    let head = thread(&c, &q);
    assert_eq!(head["answered"], true);
    let answer = head["replies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["text"] == "Yes, chapter 4.")
        .unwrap();
    assert_eq!(answer["by_creator"], true);
    assert_eq!(head["replies"].as_array().unwrap().len(), 2);
    let (_, open) = inbox(&creator).await;
    assert!(
        !open["questions"].to_string().contains(&q),
        "answered questions leave the inbox"
    );

    let told = notifications(&asker).await;
    let kinds: Vec<&str> = told.iter().map(|n| n["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["answer", "reply"], "{told:?}");
    assert_eq!(told[0]["text"], "Yes, chapter 4.");
    assert_eq!(told[0]["link"], format!("/item/{slug}#comments"));
    assert_eq!(told[0]["read"], false);
    // Seen now: the count is gone and the list says read.
    assert!(!asker
        .get(&format!("/item/{slug}"))
        .await
        .body
        .contains("bell-count"));
    assert_eq!(notifications(&asker).await[0]["read"], true);
    // The other learner was replied to by nobody.
    assert!(notifications(&other).await.is_empty());
}

#[tokio::test]
async fn feedback_reaches_only_the_creator() {
    let app = app();
    let slug = paid_items(&app.db, "c3").await[6].0.clone();
    let (b, _) = learner(app).await;
    let creator = Browser::new(app);
    let token = app::ssr::sessions::create(&app.db, "c3", "test")
        .await
        .unwrap();
    creator.set_session(Some(&token));

    let r = b
        .call("/api/send_feedback", &[("slug", &slug), ("text", "  ")])
        .await;
    assert_eq!(r.status, 400, "{r:?}");
    let words = format!("The audio in part 2 is quiet <b>{}</b>", std::process::id());
    ok(&b
        .call("/api/send_feedback", &[("slug", &slug), ("text", &words)])
        .await);
    let inbox: Value = serde_json::from_str(&creator.fetch("/api/inbox").await.body).unwrap();
    let f = inbox["feedback"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["text"] == words)
        .unwrap()
        .clone();
    assert_eq!(f["item"][0], slug);
    assert_eq!(f["handled"], false);
    let told = notifications(&creator).await;
    assert!(told
        .iter()
        .any(|n| n["kind"] == "feedback" && n["text"] == words));
    let page = creator.get("/studio/inbox").await;
    assert!(page.body.contains("&lt;b&gt;"), "shown as text");

    // Only the store's creator sees and handles it.
    let (learner_b, _) = learner(app).await;
    assert_eq!(learner_b.fetch("/api/inbox").await.status, 403);
    let other = Browser::new(app);
    let token = app::ssr::sessions::create(&app.db, "c2", "test")
        .await
        .unwrap();
    other.set_session(Some(&token));
    let theirs: Value = serde_json::from_str(&other.fetch("/api/inbox").await.body).unwrap();
    assert!(!theirs.to_string().contains(&words));
    let id = f["id"].as_str().unwrap();
    let r = other
        .call("/api/mark_feedback", &[("id", id), ("handled", "true")])
        .await;
    assert_eq!(r.status, 404, "{r:?}");
    ok(&creator
        .call("/api/mark_feedback", &[("id", id), ("handled", "true")])
        .await);
    let inbox: Value = serde_json::from_str(&creator.fetch("/api/inbox").await.body).unwrap();
    assert!(inbox["feedback"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["text"] == words && f["handled"] == true));
}

#[tokio::test]
async fn replies_arrive_by_email_only_for_those_who_asked_and_once() {
    let app = app();
    let slug = paid_items(&app.db, "c2").await[8].0.clone();
    let (wants, wants_key) = learner(app).await;
    let (quiet, quiet_key) = learner(app).await;
    let email_of = |key: String| async move {
        query(
            &app.db,
            "SELECT VALUE email FROM type::record('user', $key)",
            json!({ "key": key }),
        )
        .await[0]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (wants_email, quiet_email) = (email_of(wants_key).await, email_of(quiet_key).await);
    // One learner asks for replies by e-mail, in Chinese.
    let r = wants
        .call(
            "/api/update_profile",
            &[
                ("display_name", "Mail Reader"),
                ("locale", "zh-CN"),
                ("email_replies", "on"),
            ],
        )
        .await;
    ok(&r);
    let account: Value = serde_json::from_str(&wants.fetch("/api/account").await.body).unwrap();
    assert_eq!(account["email_replies"], true);
    let mails = |to: String| async move {
        query(
            &app.db,
            "SELECT subject, body FROM outbox WHERE to = $to",
            json!({ "to": to }),
        )
        .await
    };

    let mine = format!("Where do I start? {}", std::process::id());
    ok(&comment(&wants, &slug, &mine, None, "mailkey00001").await);
    let head = thread(&community(&quiet, &slug).await, &mine)["id"]
        .as_str()
        .unwrap()
        .to_string();
    for _ in 0..2 {
        ok(&comment(
            &quiet,
            &slug,
            "With chapter one.",
            Some(&head),
            "mailkey00002",
        )
        .await);
    }
    let got = mails(wants_email.clone()).await;
    assert_eq!(got.len(), 1, "one e-mail for one reply: {got:?}");
    let title = common::shop::item(&quiet, &slug).await["card"]["title"]
        .as_str()
        .unwrap()
        .to_string();
    let subject = got[0]["subject"].as_str().unwrap();
    assert_eq!(subject, format!("Buyer 回复了你在《{title}》的评论"));
    let body = got[0]["body"].as_str().unwrap();
    assert!(body.contains("With chapter one."), "{body}");
    assert!(
        body.contains(&format!("{}/item/{slug}#comments", common::ORIGIN)),
        "{body}"
    );
    assert!(body.contains("/account"), "says how to turn it off: {body}");

    // The learner who did not ask gets the bell only.
    let theirs = format!("Is there audio? {}", std::process::id());
    ok(&comment(&quiet, &slug, &theirs, None, "mailkey00003").await);
    let head = thread(&community(&quiet, &slug).await, &theirs)["id"]
        .as_str()
        .unwrap()
        .to_string();
    ok(&comment(&wants, &slug, "Not yet.", Some(&head), "mailkey00004").await);
    assert!(mails(quiet_email).await.is_empty());
    assert_eq!(notifications(&quiet).await.len(), 1);
}

async fn creator_page(b: &Browser, slug: &str) -> Value {
    let r = b.fetch(&format!("/api/creator?slug={slug}")).await;
    assert_eq!(r.status, 200, "{r:?}");
    serde_json::from_str(&r.body).unwrap()
}

async fn follow(b: &Browser, slug: &str, on: bool) -> Reply {
    b.call(
        "/api/follow_creator",
        &[("slug", slug), ("on", if on { "true" } else { "false" })],
    )
    .await
}

/// A creator writes a new article and publishes it; answers its address.
async fn publish_new_article(b: &Browser, title: &str, summary: &str) -> String {
    let r = b
        .call(
            "/api/studio_new_item",
            &[
                ("kind", "article"),
                ("category", "business"),
                ("language", "en"),
                ("title", title),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    let slug = r
        .location()
        .trim_start_matches("/item/")
        .trim_end_matches("?edit=1")
        .to_string();
    publish_again(b, &slug, summary).await;
    slug
}

/// Saves `summary` into the draft of `slug` and publishes it.
async fn publish_again(b: &Browser, slug: &str, summary: &str) {
    let r = b
        .call_json("/api/editor_open", &json!({ "slug": slug }))
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    let d: Value = serde_json::from_str(&r.body).unwrap();
    let mut doc = d["doc"].clone();
    doc["summary_en"] = json!(summary);
    doc["preview"] = json!([{ "kind": "paragraph", "text": "The first page.", "items": [] }]);
    let r = b
        .call_json(
            "/api/editor_save",
            &json!({ "slug": slug, "base": d["revision"], "doc": doc }),
        )
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    let saved: Value = serde_json::from_str(&r.body).unwrap();
    let r = b
        .call_json(
            "/api/editor_publish",
            &json!({ "slug": slug, "revision": saved["Saved"]["revision"] }),
        )
        .await;
    assert_eq!(r.status, 200, "{r:?}");
}

#[tokio::test]
async fn followers_hear_of_a_new_item_once_and_by_email_only_if_they_asked() {
    let app = app();
    let store = "lin-xiao";
    let visitor = Browser::new(app);
    assert_eq!(follow(&visitor, store, true).await.status, 401);
    let before = creator_page(&visitor, store).await["follow"]["followers"]
        .as_u64()
        .unwrap();

    let (keen, keen_key) = learner(app).await;
    let (quiet, _) = learner(app).await;
    let (stranger, _) = learner(app).await;
    ok(&keen
        .call(
            "/api/update_profile",
            &[
                ("display_name", "Keen Reader"),
                ("locale", "en"),
                ("email_new_items", "on"),
            ],
        )
        .await);
    // Following twice is following once.
    for _ in 0..2 {
        ok(&follow(&keen, store, true).await);
    }
    ok(&follow(&quiet, store, true).await);
    let page = creator_page(&keen, store).await;
    assert_eq!(page["follow"]["followers"].as_u64().unwrap(), before + 2);
    assert_eq!(page["follow"]["following"], true);
    assert_eq!(
        creator_page(&stranger, store).await["follow"]["following"],
        false
    );
    let r = follow(&keen, "no-such-creator", true).await;
    assert_eq!(r.status, 404, "{r:?}");
    // A creator does not follow their own store.
    let creator = common::signed_in(app, "c1").await;
    let r = follow(&creator, store, true).await;
    assert_eq!(r.status, 400, "{r:?}");
    assert!(r.body.contains("your own store"), "{}", r.body);
    assert_eq!(creator_page(&creator, store).await["follow"]["own"], true);

    // The creator publishes a new article: both followers are told, the stranger not.
    let title = format!("Tea Fields of Yunnan {}", std::process::id());
    let slug = publish_new_article(&creator, &title, "Where the leaves come from.").await;
    for b in [&keen, &quiet] {
        let told: Vec<Value> = notifications(b)
            .await
            .into_iter()
            .filter(|n| n["kind"] == "new_item")
            .collect();
        assert_eq!(told.len(), 1, "{told:?}");
        assert_eq!(told[0]["about"], title.as_str());
        assert_eq!(told[0]["link"], format!("/item/{slug}"));
        assert_eq!(told[0]["text"], "Where the leaves come from.");
    }
    assert!(notifications(&stranger).await.is_empty());
    // Only the follower who asked for it gets an e-mail, with the link and the way out.
    let keen_email = query(
        &app.db,
        "SELECT VALUE email FROM type::record('user', $k)",
        json!({ "k": keen_key }),
    )
    .await[0]
        .as_str()
        .unwrap()
        .to_string();
    let mails = query(
        &app.db,
        "SELECT to, subject, body FROM outbox WHERE subject CONTAINS $t",
        json!({ "t": title }),
    )
    .await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0]["to"], keen_email.as_str());
    assert_eq!(
        mails[0]["subject"],
        format!("林晓 Lin Xiao published “{title}”")
    );
    let body = mails[0]["body"].as_str().unwrap();
    assert!(
        body.contains(&format!("{}/item/{slug}", common::ORIGIN)),
        "{body}"
    );
    assert!(body.contains("/account"), "{body}");

    // Publishing it again (a correction) tells nobody a second time.
    publish_again(&creator, &slug, "Where the leaves come from, corrected.").await;
    let again: Vec<Value> = notifications(&keen)
        .await
        .into_iter()
        .filter(|n| n["kind"] == "new_item")
        .collect();
    assert_eq!(again.len(), 1, "{again:?}");
    assert_eq!(again[0]["read"], true, "the one already seen, no new one");
    assert_eq!(
        count(
            &app.db,
            "SELECT id FROM notification WHERE kind = 'new_item' AND about = $t",
            json!({ "t": title }),
        )
        .await,
        2
    );
    assert_eq!(
        query(
            &app.db,
            "SELECT VALUE id FROM outbox WHERE subject CONTAINS $t",
            json!({ "t": title }),
        )
        .await
        .len(),
        1
    );

    // The follower's list and unfollowing.
    let r = keen.fetch("/api/following").await;
    let list: Vec<Value> = serde_json::from_str(&r.body).unwrap();
    assert!(list.iter().any(|c| c["slug"] == store), "{list:?}");
    ok(&follow(&quiet, store, false).await);
    let r = quiet.fetch("/api/following").await;
    assert_eq!(r.body, "[]");
    assert_eq!(
        creator_page(&quiet, store).await["follow"]["following"],
        false
    );
    assert_eq!(visitor.fetch("/api/following").await.status, 401);

    // Who someone follows is in their export and leaves with their account.
    let doc: Value = serde_json::from_str(&keen.get("/account/export.json").await.body).unwrap();
    assert_eq!(doc["creators_followed"][0]["creator"], store);
    let r = keen
        .submit("/api/delete_account", &[("password", PASSWORD)])
        .await;
    assert_eq!(r.status, 302, "{r:?}");
    assert_eq!(
        count(
            &app.db,
            "SELECT id FROM follow WHERE user = type::record('user', $u)",
            json!({ "u": keen_key }),
        )
        .await,
        0
    );
    assert_eq!(
        creator_page(&visitor, store).await["follow"]["followers"]
            .as_u64()
            .unwrap(),
        before
    );
}
