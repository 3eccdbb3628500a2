//! The reader through the real router: the whole text only for those who may read it, the
//! place a learner stopped followed from one device to another (the newest save winning),
//! progress in the library, progress events only with consent, bad positions refused
//! without changing anything, and reading positions in the export and gone with the account.

use crate::common;

use common::shop::{buy, count, learner, now_ms, paid_items, query, PASSWORD};
use common::{app, Browser, TestApp};
use serde_json::{json, Value};

/// The first paragraph of an item's paid body, to look for in answers.
async fn body_text(app: &TestApp, slug: &str) -> String {
    let found = query(
        &app.db,
        "SELECT VALUE blocks FROM type::record('item_body', (SELECT VALUE record::id(id) FROM item WHERE slug = $s)[0])",
        json!({ "s": slug }),
    )
    .await;
    found[0]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["kind"] == "paragraph")
        .unwrap()["text"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn reader(b: &Browser, slug: &str) -> Value {
    let r = b.fetch(&format!("/api/reader?slug={slug}")).await;
    assert_eq!(r.status, 200, "{r:?}");
    serde_json::from_str(&r.body).unwrap()
}

async fn save(b: &Browser, slug: &str, block: u32, fraction: f64, ms: i64) -> common::Reply {
    b.call(
        "/api/reading",
        &[
            ("slug", slug),
            ("block", &block.to_string()),
            ("fraction", &fraction.to_string()),
            ("saved_ms", &ms.to_string()),
        ],
    )
    .await
}

async fn library(b: &Browser, sort: &str) -> Vec<Value> {
    let r = b.fetch(&format!("/api/library?sort={sort}")).await;
    assert_eq!(r.status, 200, "{r:?}");
    serde_json::from_str(&r.body).unwrap()
}

#[tokio::test]
async fn a_learner_continues_on_another_device_where_they_stopped() {
    let app = app();
    let items = paid_items(&app.db, "c2").await;
    let (slug, other) = (items[0].0.clone(), items[1].0.clone());
    let (phone, user) = learner(app).await;
    buy(&phone, &slug, "reading-buy-1").await;
    buy(&phone, &other, "reading-buy-2").await;
    // The same learner on a laptop: a second session.
    let laptop = Browser::new(app);
    let token = app::ssr::sessions::create(&app.db, &user, "laptop")
        .await
        .unwrap();
    laptop.set_session(Some(&token));

    let first = reader(&phone, &slug).await;
    assert!(first["position"].is_null(), "nothing read yet");
    let blocks = first["blocks"].as_array().unwrap().len();
    assert!(blocks > 5, "preview and body together: {blocks}");
    assert!(first["blocks"]
        .to_string()
        .contains(&body_text(app, &slug).await));

    // Read on the phone; the laptop opens at the same place.
    let t = now_ms();
    let r = save(&phone, &slug, 4, 0.42, t).await;
    assert_eq!(r.status, 200, "{r:?}");
    let on_laptop = reader(&laptop, &slug).await;
    assert_eq!(on_laptop["position"]["block"], 4);
    assert_eq!(on_laptop["position"]["fraction"], 0.42);
    assert_eq!(on_laptop["position"]["furthest"], 0.42);

    // A save made earlier that arrives late (an offline phone) does not move the place back.
    let r = save(&phone, &slug, 1, 0.1, t - 60_000).await;
    assert_eq!(r.status, 200, "{r:?}");
    let kept: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(kept["block"], 4, "the newer place is kept: {kept}");
    // The laptop reads on, then back up: the place follows, the furthest point stays.
    save(&laptop, &slug, 5, 0.7, t + 1_000).await;
    save(&laptop, &slug, 2, 0.3, t + 2_000).await;
    let back = reader(&phone, &slug).await;
    assert_eq!(back["position"]["block"], 2);
    assert_eq!(back["position"]["furthest"], 0.7);

    // The library shows how far, and puts what was read last first when asked.
    save(&phone, &other, 0, 0.05, t + 3_000).await;
    let lib = library(&phone, "").await;
    let entry = lib.iter().find(|e| e["card"]["slug"] == slug).unwrap();
    assert_eq!(entry["progress"], 0.7);
    assert!(entry["last_read"].is_string());
    let recent = library(&phone, "read").await;
    assert_eq!(recent[0]["card"]["slug"], other);
    assert_eq!(recent[1]["card"]["slug"], slug);
    let r = phone.fetch("/api/library?sort=price").await;
    assert_eq!(r.status, 400, "{r:?}");
    assert!(r.body.contains("added"), "{}", r.body);

    // The library page itself, without JavaScript: progress and a link to continue.
    let page = phone.get("/library").await;
    assert!(page.body.contains(&format!("href=\"/read/{slug}\"")));
    assert!(page.body.contains("70 %"), "progress shown");
}

#[tokio::test]
async fn progress_events_are_recorded_only_with_consent_and_once_per_tenth() {
    let app = app();
    let slug = paid_items(&app.db, "c2").await[2].0.clone();
    let (b, user) = learner(app).await;
    buy(&b, &slug, "reading-consent-1").await;
    let events = || async {
        count(
            &app.db,
            "SELECT * FROM event WHERE user = type::record('user', $u) AND kind = 'progress'",
            json!({ "u": user }),
        )
        .await
    };
    let t = now_ms();
    save(&b, &slug, 3, 0.35, t).await;
    assert_eq!(events().await, 0, "analytics consent is off by default");
    query(
        &app.db,
        "UPDATE type::record('user', $u) SET consent_analytics = true",
        json!({ "u": user }),
    )
    .await;
    save(&b, &slug, 4, 0.45, t + 1).await;
    assert_eq!(events().await, 1, "passing 40 %");
    save(&b, &slug, 4, 0.48, t + 2).await;
    save(&b, &slug, 1, 0.1, t + 3).await;
    assert_eq!(events().await, 1, "no new tenth reached");
    save(&b, &slug, 9, 0.93, t + 4).await;
    assert_eq!(events().await, 2);
    let value = query(
        &app.db,
        "SELECT VALUE value FROM event WHERE user = type::record('user', $u) AND kind = 'progress' ORDER BY value DESC LIMIT 1",
        json!({ "u": user }),
    )
    .await;
    assert_eq!(value[0], 0.93);
}

#[tokio::test]
async fn the_reader_gives_paid_text_only_to_those_who_may_read_it() {
    let app = app();
    let slug = paid_items(&app.db, "c1").await[0].0.clone();
    let secret = body_text(app, &slug).await;

    let visitor = Browser::new(app);
    let r = visitor.fetch(&format!("/api/reader?slug={slug}")).await;
    assert_eq!(r.status, 401, "{r:?}");
    assert!(!r.body.contains(&secret));
    let page = visitor.get(&format!("/read/{slug}")).await;
    assert!(!page.body.contains(&secret), "not in the HTML either");
    assert!(page.body.contains(&format!("href=\"/item/{slug}\"")));

    let (stranger, _) = learner(app).await;
    let r = stranger.fetch(&format!("/api/reader?slug={slug}")).await;
    assert_eq!(r.status, 403, "{r:?}");
    assert!(!r.body.contains(&secret));
    let r = save(&stranger, &slug, 0, 0.1, now_ms()).await;
    assert_eq!(
        r.status, 403,
        "no position for what they cannot read: {r:?}"
    );

    // A free item is readable by anyone; only a signed-in learner's place is saved.
    let free = query(
        &app.db,
        "SELECT VALUE slug FROM item WHERE status = 'published' AND price_minor = 0 ORDER BY slug LIMIT 1",
        json!({}),
    )
    .await[0]
        .as_str()
        .unwrap()
        .to_string();
    let free_text = body_text(app, &free).await;
    let page = visitor.get(&format!("/read/{free}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(&free_text),
        "the whole free text, rendered on the server"
    );
    assert!(page.body.contains("data-testid=\"reader\""));
    assert_eq!(save(&visitor, &free, 0, 0.1, now_ms()).await.status, 401);

    // The owner's reader page is rendered on the server with the whole text.
    let (owner, _) = learner(app).await;
    buy(&owner, &slug, "reading-owner-1").await;
    let page = owner.get(&format!("/read/{slug}")).await;
    assert!(page.body.contains(&secret));
    let item = owner.get(&format!("/item/{slug}")).await;
    assert!(
        item.body.contains(&format!("href=\"/read/{slug}\"")),
        "the item page links to the reader"
    );

    assert_eq!(
        visitor.fetch("/api/reader?slug=no-such-item").await.status,
        404
    );
    assert_eq!(
        visitor.fetch("/api/reader?slug=..%2Fadmin").await.status,
        404
    );
}

#[tokio::test]
async fn bad_positions_are_refused_with_a_reason_and_change_nothing() {
    let app = app();
    let slug = paid_items(&app.db, "c3").await[0].0.clone();
    let (b, user) = learner(app).await;
    buy(&b, &slug, "reading-bad-1").await;
    let blocks = reader(&b, &slug).await["blocks"].as_array().unwrap().len() as u32;
    let t = now_ms();
    for (block, fraction, ms, why) in [
        (0, 1.5, t, "between 0 and 1"),
        (0, -0.2, t, "between 0 and 1"),
        (blocks, 0.5, t, "there is no block"),
        (0, 0.5, 0, "not a real time"),
    ] {
        let r = save(&b, &slug, block, fraction, ms).await;
        assert_eq!(r.status, 400, "{block} {fraction} {ms}: {r:?}");
        assert!(r.body.contains(why), "{}", r.body);
    }
    let r = b
        .call(
            "/api/reading",
            &[
                ("slug", &slug),
                ("block", "two"),
                ("fraction", "0.1"),
                ("saved_ms", "1"),
            ],
        )
        .await;
    assert!(r.status >= 400, "{r:?}");
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM reading WHERE user = type::record('user', $u)",
            json!({ "u": user })
        )
        .await,
        0
    );
}

#[tokio::test]
async fn reading_positions_are_exported_and_leave_with_the_account() {
    let app = app();
    let slug = paid_items(&app.db, "c3").await[1].0.clone();
    let (b, user) = learner(app).await;
    buy(&b, &slug, "reading-export-1").await;
    save(&b, &slug, 2, 0.25, now_ms()).await;
    let r = b.get("/account/export.json").await;
    let doc: Value = serde_json::from_str(&r.body).unwrap();
    let kept = &doc["reading_positions"][0];
    assert_eq!(kept["block"], 2);
    assert_eq!(kept["fraction"], 0.25);
    let r = b
        .submit("/api/delete_account", &[("password", PASSWORD)])
        .await;
    assert_eq!(r.status, 302, "{r:?}");
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM reading WHERE user = type::record('user', $u)",
            json!({ "u": user })
        )
        .await,
        0
    );
}

/// A paid, published course (never creator c4's, which a deletion test unpublishes).
async fn paid_course(app: &TestApp, nth: usize) -> String {
    let found = query(
        &app.db,
        "SELECT VALUE slug FROM item WHERE kind = 'course' AND price_minor > 0 AND status = 'published'
           AND creator != creator:c4 ORDER BY slug",
        json!({}),
    )
    .await;
    found[nth].as_str().unwrap().to_string()
}

#[tokio::test]
async fn course_lessons_are_completed_once_each_by_those_who_may_read_them() {
    let app = app();
    let slug = paid_course(app, 0).await;
    let (b, _) = learner(app).await;
    // Before buying: the paid lessons' text is not on the item page, and marking is refused.
    let page = b.get(&format!("/item/{slug}")).await.body;
    assert!(common::PAID_MARKERS.iter().all(|m| !page.contains(m)));
    let r = b
        .call(
            "/api/lesson_done",
            &[("slug", &slug), ("lesson", "x"), ("done", "true")],
        )
        .await;
    assert_eq!(r.status, 404, "an unknown lesson: {r:?}");
    buy(&b, &slug, "course-buy-1").await;

    let view = reader(&b, &slug).await;
    let lessons = view["course"]["lessons"].as_array().unwrap().clone();
    let in_db = count(
        &app.db,
        "SELECT id FROM lesson WHERE chapter.item.slug = $s",
        json!({ "s": slug }),
    )
    .await;
    assert_eq!(lessons.len(), in_db);
    assert!(lessons.len() >= 9);
    // Every lesson starts at a heading of the text, in order.
    let blocks = view["blocks"].as_array().unwrap();
    let mut last = None;
    for l in &lessons {
        let at = l["block"].as_u64().unwrap() as usize;
        assert_eq!(blocks[at]["kind"], "heading");
        assert_eq!(blocks[at]["text"], l["title"]);
        assert!(l["anchor"].as_str().unwrap().starts_with("section-"));
        assert!(last < Some(at));
        last = Some(at);
        assert_eq!(l["done"], false);
    }

    // Marked twice: complete once. Undone: not complete.
    let second = lessons[1]["key"].as_str().unwrap().to_string();
    for _ in 0..2 {
        let r = b
            .call(
                "/api/lesson_done",
                &[("slug", &slug), ("lesson", &second), ("done", "true")],
            )
            .await;
        assert_eq!(r.status, 200, "{r:?}");
    }
    let done = |v: &Value| {
        v["course"]["lessons"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["done"] == true)
            .map(|l| l["key"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(done(&reader(&b, &slug).await), vec![second.clone()]);
    let library: Value = serde_json::from_str(&b.fetch("/api/library").await.body).unwrap();
    let entry = library
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["card"]["slug"] == slug.as_str())
        .unwrap()
        .clone();
    assert_eq!(entry["lessons"], json!([1, lessons.len()]));
    // Without JavaScript the form comes back to the lesson in the reader.
    let third = lessons[2]["key"].as_str().unwrap();
    let r = b
        .submit(
            "/api/lesson_done",
            &[("slug", &slug), ("lesson", third), ("done", "on")],
        )
        .await;
    assert_eq!(r.status, 302, "{r:?}");
    assert_eq!(r.location(), format!("/read/{slug}#lesson-{third}"));
    let r = b
        .call(
            "/api/lesson_done",
            &[("slug", &slug), ("lesson", &second), ("done", "false")],
        )
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(done(&reader(&b, &slug).await), vec![third.to_string()]);
    let html = b.get(&format!("/read/{slug}")).await.body;
    assert!(
        html.contains("1 of") && html.contains("complete"),
        "the reader says how far"
    );

    // Bad input changes nothing: a lesson of another course, a bad mark, a non-course.
    let other = paid_course(app, 1).await;
    let foreign = first_lesson_of(app, &other).await;
    let r = b
        .call(
            "/api/lesson_done",
            &[("slug", &slug), ("lesson", &foreign), ("done", "true")],
        )
        .await;
    assert_eq!(r.status, 404, "{r:?}");
    let r = b
        .call(
            "/api/lesson_done",
            &[("slug", &slug), ("lesson", third), ("done", "maybe")],
        )
        .await;
    assert_eq!(r.status, 400, "{r:?}");
    let ebook = paid_items(&app.db, "c1").await[0].0.clone();
    let r = b
        .call(
            "/api/lesson_done",
            &[("slug", &ebook), ("lesson", third), ("done", "true")],
        )
        .await;
    assert!(r.status == 400 || r.status == 404, "{r:?}");
    assert_eq!(done(&reader(&b, &slug).await), vec![third.to_string()]);

    // Someone who does not have the course, and a visitor, may not mark it.
    let (other_learner, _) = learner(app).await;
    let r = other_learner
        .call(
            "/api/lesson_done",
            &[("slug", &slug), ("lesson", third), ("done", "true")],
        )
        .await;
    assert_eq!(r.status, 403, "{r:?}");
    let r = Browser::new(app)
        .call(
            "/api/lesson_done",
            &[("slug", &slug), ("lesson", third), ("done", "true")],
        )
        .await;
    assert_eq!(r.status, 401, "{r:?}");

    // In the export; gone with the account.
    let export: Value = serde_json::from_str(&b.get("/account/export.json").await.body).unwrap();
    assert_eq!(export["lessons_completed"][0]["lesson"], third);
    let r = b
        .call("/api/delete_account", &[("password", PASSWORD)])
        .await;
    assert!(r.status < 400, "{r:?}");
    assert_eq!(
        count(
            &app.db,
            "SELECT id FROM lesson_done WHERE lesson = type::record('lesson', $l)",
            json!({ "l": third }),
        )
        .await,
        0
    );
}

/// The key of the first lesson of course `slug`.
async fn first_lesson_of(app: &TestApp, slug: &str) -> String {
    let found = query(
        &app.db,
        "SELECT VALUE record::id(id) FROM lesson WHERE chapter.item.slug = $s ORDER BY id LIMIT 1",
        json!({ "s": slug }),
    )
    .await;
    found[0].as_str().unwrap().to_string()
}

async fn place(b: &Browser, hash: &str) -> Value {
    let r = b.fetch(&format!("/api/media_place?hash={hash}")).await;
    assert_eq!(r.status, 200, "{r:?}");
    serde_json::from_str(&r.body).unwrap()
}

async fn keep_place(b: &Browser, hash: &str, at: &str, ms: i64) -> common::Reply {
    b.call(
        "/api/media_place_save",
        &[("hash", hash), ("at", at), ("saved_ms", &ms.to_string())],
    )
    .await
}

#[tokio::test]
async fn the_place_in_an_audio_file_follows_the_learner_to_another_device() {
    let app = app();
    // An audio file in a published free preview, and one nobody has published.
    let (public, private) = ("a1".repeat(32), "b2".repeat(32));
    for (hash, open) in [(&public, true), (&private, false)] {
        query(
            &app.db,
            "CREATE type::record('media', $h) CONTENT { kind: 'audio', mime: 'audio/mpeg', ext: 'mp3',
                name: 'talk.mp3', size: 1000, at: time::now(), public: $open }",
            json!({ "h": hash, "open": open }),
        )
        .await;
    }
    let (phone, user) = learner(app).await;
    let laptop = Browser::new(app);
    let token = app::ssr::sessions::create(&app.db, &user, "laptop")
        .await
        .unwrap();
    laptop.set_session(Some(&token));
    assert_eq!(place(&laptop, &public).await, Value::Null);

    let t = now_ms();
    assert_eq!(keep_place(&phone, &public, "95.5", t).await.status, 200);
    assert_eq!(place(&laptop, &public).await, json!([95.5, t]));
    // A save made earlier on another device (sent late) does not move it back.
    assert_eq!(
        keep_place(&laptop, &public, "10", t - 1_000).await.status,
        200
    );
    assert_eq!(place(&phone, &public).await, json!([95.5, t]));
    assert_eq!(
        keep_place(&laptop, &public, "120", t + 1_000).await.status,
        200
    );
    assert_eq!(place(&phone, &public).await, json!([120.0, t + 1_000]));
    // Someone else's place is their own.
    let (other, _) = learner(app).await;
    assert_eq!(place(&other, &public).await, Value::Null);

    // Refused, changing nothing: a place that is not a time, no device time, a file that is
    // not there or not theirs to play, and a visitor.
    for at in ["-1", "NaN", "inf", "999999999"] {
        let r = keep_place(&phone, &public, at, t + 5_000).await;
        assert_eq!(r.status, 400, "{at}: {r:?}");
    }
    assert_eq!(keep_place(&phone, &public, "5", 0).await.status, 400);
    assert_eq!(keep_place(&phone, "zz", "5", t).await.status, 404);
    assert_eq!(keep_place(&phone, &private, "5", t).await.status, 404);
    assert_eq!(
        phone
            .fetch(&format!("/api/media_place?hash={private}"))
            .await
            .status,
        404
    );
    let visitor = Browser::new(app);
    assert_eq!(keep_place(&visitor, &public, "5", t).await.status, 401);
    assert_eq!(place(&phone, &public).await, json!([120.0, t + 1_000]));

    // In the export, and gone with the account.
    let doc: Value = serde_json::from_str(&phone.get("/account/export.json").await.body).unwrap();
    assert_eq!(
        doc["places_in_audio_and_video"][0]["media"],
        public.as_str()
    );
    let r = phone
        .submit("/api/delete_account", &[("password", PASSWORD)])
        .await;
    assert_eq!(r.status, 302, "{r:?}");
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM media_place WHERE user = type::record('user', $u)",
            json!({ "u": user })
        )
        .await,
        0
    );
}
