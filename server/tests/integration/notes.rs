//! Highlights, notes and bookmarks through the real router: kept per learner and synced
//! between devices, a replayed queue leaving each note once, the newest edit winning, a
//! delete that an older copy cannot undo, bad notes refused one by one with a reason, the
//! notes private to their author, the Markdown export, and the notes in the data export
//! and gone with the account.

use crate::common;

use common::shop::{buy, count, learner, now_ms, paid_items, query, PASSWORD};
use common::{app, Browser};
use serde_json::{json, Value};

async fn reader(b: &Browser, slug: &str) -> Value {
    let r = b.fetch(&format!("/api/reader?slug={slug}")).await;
    assert_eq!(r.status, 200, "{r:?}");
    serde_json::from_str(&r.body).unwrap()
}

async fn sync(b: &Browser, slug: &str, changes: Value) -> common::Reply {
    b.call_json("/api/notes", &json!({ "slug": slug, "changes": changes }))
        .await
}

/// The first paragraph of the reader's text with at least `min` characters: (block, text).
fn paragraph(view: &Value, min: usize) -> (u32, String) {
    view["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .find(|(_, b)| {
            b["kind"] == "paragraph" && b["text"].as_str().unwrap().chars().count() >= min
        })
        .map(|(i, b)| (i as u32, b["text"].as_str().unwrap().to_string()))
        .unwrap()
}

fn utf16_len(s: &str) -> u32 {
    s.encode_utf16().count() as u32
}

#[tokio::test]
async fn notes_follow_the_learner_and_a_replayed_queue_leaves_each_once() {
    let app = app();
    let slug = paid_items(&app.db, "c2").await[3].0.clone();
    let (phone, user) = learner(app).await;
    buy(&phone, &slug, "notes-buy-1").await;
    let laptop = Browser::new(app);
    let token = app::ssr::sessions::create(&app.db, &user, "laptop")
        .await
        .unwrap();
    laptop.set_session(Some(&token));

    let view = reader(&phone, &slug).await;
    assert_eq!(view["notes"], json!([]));
    let (block, text) = paragraph(&view, 12);
    let first_ten: String = text.chars().take(10).collect();
    let t = now_ms();
    let note = json!({
        "id": "note-phone-0001", "kind": "note", "block": block,
        "start": 0, "end": utf16_len(&first_ten),
        "quote": "whatever the device says", "text": "Read this again 再读一遍",
        "updated_ms": t, "deleted": false,
    });
    let bookmark = json!({
        "id": "mark-phone-0001", "kind": "bookmark", "block": 0, "start": 3, "end": 9,
        "updated_ms": t, "deleted": false,
    });
    let r = sync(&phone, &slug, json!([note, bookmark])).await;
    assert_eq!(r.status, 200, "{r:?}");
    let out: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(out["rejected"], json!([]));
    assert_eq!(out["notes"].as_array().unwrap().len(), 2);
    let kept = out["notes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "note-phone-0001")
        .unwrap();
    assert_eq!(
        kept["quote"], first_ten,
        "the quote comes from the text, not from the device"
    );
    let mark = out["notes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "bookmark")
        .unwrap();
    assert_eq!(
        (mark["start"].clone(), mark["end"].clone()),
        (json!(0), json!(0))
    );

    // The phone lost the answer and sends the same queue again, twice: still one of each.
    for _ in 0..2 {
        let r = sync(&phone, &slug, json!([note, bookmark])).await;
        assert_eq!(r.status, 200, "{r:?}");
    }
    let stored = || async {
        count(
            &app.db,
            "SELECT * FROM note WHERE user = type::record('user', $u)",
            json!({ "u": user }),
        )
        .await
    };
    assert_eq!(stored().await, 2, "a replayed queue applies nothing twice");

    // The laptop sees them with the text.
    let on_laptop = reader(&laptop, &slug).await;
    assert_eq!(on_laptop["notes"].as_array().unwrap().len(), 2);
    // An edit on the laptop, then an older edit from the phone arriving late: the newer wins.
    let mut newer = note.clone();
    newer["text"] = json!("Edited on the laptop");
    newer["updated_ms"] = json!(t + 5_000);
    assert_eq!(sync(&laptop, &slug, json!([newer])).await.status, 200);
    let mut older = note.clone();
    older["text"] = json!("Stale phone edit");
    older["updated_ms"] = json!(t + 1_000);
    let r = sync(&phone, &slug, json!([older])).await;
    let out: Value = serde_json::from_str(&r.body).unwrap();
    let kept = out["notes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "note-phone-0001")
        .unwrap();
    assert_eq!(kept["text"], "Edited on the laptop");

    // Deleted on the phone; the laptop's older copy sent afterwards does not bring it back.
    let mut gone = bookmark.clone();
    gone["deleted"] = json!(true);
    gone["updated_ms"] = json!(t + 9_000);
    let r = sync(&phone, &slug, json!([gone])).await;
    let out: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(out["notes"].as_array().unwrap().len(), 1);
    let r = sync(&laptop, &slug, json!([bookmark])).await;
    let out: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(out["notes"].as_array().unwrap().len(), 1, "{out}");
    assert_eq!(
        reader(&laptop, &slug).await["notes"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // The Markdown export: the passage as a quote, the learner's words, a link back.
    let md = phone.get(&format!("/notes.md?slug={slug}")).await;
    assert_eq!(md.status, 200, "{md:?}");
    assert!(md.header("content-type").starts_with("text/markdown"));
    assert!(md.header("content-disposition").contains("attachment"));
    assert!(md.body.contains("Edited on the laptop"), "{}", md.body);
    assert!(md.body.contains(&format!("/read/{slug}>")), "{}", md.body);
    assert!(!md.body.contains("Stale phone edit"));
    let all = phone.get("/notes.md").await;
    assert!(all.body.contains("Edited on the laptop"));
}

#[tokio::test]
async fn bad_notes_are_refused_one_by_one_and_the_good_ones_kept() {
    let app = app();
    let slug = paid_items(&app.db, "c3").await[2].0.clone();
    let (b, user) = learner(app).await;
    buy(&b, &slug, "notes-bad-1").await;
    let view = reader(&b, &slug).await;
    let (block, text) = paragraph(&view, 4);
    let blocks = view["blocks"].as_array().unwrap().len();
    let t = now_ms();
    let base = json!({
        "id": "good-note-0001", "kind": "highlight", "block": block, "start": 0, "end": 2,
        "updated_ms": t, "deleted": false,
    });
    let with = |changes: &[(&str, Value)]| {
        let mut n = base.clone();
        for (k, v) in changes {
            n[*k] = v.clone();
        }
        n
    };
    let bad = [
        (
            with(&[("id", json!("bad-0001")), ("block", json!(blocks))]),
            "there is no block",
        ),
        (
            with(&[
                ("id", json!("bad-0002")),
                ("end", json!(utf16_len(&text) + 5)),
            ]),
            "not in the text",
        ),
        (
            with(&[("id", json!("bad-0003")), ("start", json!(2))]),
            "at least one character",
        ),
        (
            with(&[
                ("id", json!("bad-0004")),
                ("kind", json!("note")),
                ("text", json!("  ")),
            ]),
            "Write something",
        ),
        (
            with(&[("id", json!("bad-0005")), ("updated_ms", json!(12))]),
            "not a real time",
        ),
        (with(&[("id", json!("no"))]), "8 to 64"),
        (
            with(&[
                ("id", json!("bad-0006")),
                ("kind", json!("note")),
                ("text", json!("x".repeat(5_001))),
            ]),
            "at most",
        ),
    ];
    let mut changes: Vec<Value> = bad.iter().map(|(n, _)| n.clone()).collect();
    changes.push(base.clone());
    let r = sync(&b, &slug, Value::Array(changes)).await;
    assert_eq!(r.status, 200, "{r:?}");
    let out: Value = serde_json::from_str(&r.body).unwrap();
    let rejected = out["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), bad.len(), "{out}");
    for ((n, why), got) in bad.iter().zip(rejected) {
        assert_eq!(got[0], n["id"]);
        assert!(
            got[1].as_str().unwrap().contains(why),
            "{got} should say {why}"
        );
    }
    assert_eq!(
        out["notes"].as_array().unwrap().len(),
        1,
        "the good one is kept"
    );

    // An unknown kind or a malformed body is refused as a whole, and nothing changes.
    let r = sync(
        &b,
        &slug,
        json!([with(&[
            ("id", json!("bad-0007")),
            ("kind", json!("script"))
        ])]),
    )
    .await;
    assert!(r.status >= 400, "{r:?}");
    let r = b
        .post_raw(
            "/api/notes",
            &[
                ("content-type", "application/json"),
                ("sec-fetch-site", "same-origin"),
            ],
            "{\"slug\": \"x\", \"changes\": [{".into(),
        )
        .await;
    assert!(r.status >= 400, "{r:?}");
    let too_many: Vec<Value> = (0..201)
        .map(|i| with(&[("id", json!(format!("many-note-{i:04}")))]))
        .collect();
    let r = sync(&b, &slug, Value::Array(too_many)).await;
    assert_eq!(r.status, 400, "{r:?}");
    assert!(r.body.contains("at most 200"), "{}", r.body);
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM note WHERE user = type::record('user', $u)",
            json!({ "u": user })
        )
        .await,
        1
    );
}

#[tokio::test]
async fn notes_are_private_and_need_the_text() {
    let app = app();
    let slug = paid_items(&app.db, "c1").await[2].0.clone();
    let (owner, _) = learner(app).await;
    buy(&owner, &slug, "notes-private-1").await;
    let view = reader(&owner, &slug).await;
    let (block, _) = paragraph(&view, 4);
    let t = now_ms();
    let secret = json!({
        "id": "private-note-01", "kind": "note", "block": block, "start": 0, "end": 3,
        "text": "My private thought", "updated_ms": t, "deleted": false,
    });
    assert_eq!(sync(&owner, &slug, json!([secret])).await.status, 200);

    // A visitor must sign in; a learner without the item cannot note on it.
    let visitor = Browser::new(app);
    assert_eq!(sync(&visitor, &slug, json!([secret])).await.status, 401);
    let r = visitor.get(&format!("/notes.md?slug={slug}")).await;
    assert_eq!(r.status, 303, "{r:?}");
    assert!(r.location().starts_with("/signin"));
    let (stranger, _) = learner(app).await;
    assert_eq!(sync(&stranger, &slug, json!([secret])).await.status, 403);
    // Another learner never sees the owner's notes, even on a free item they both read,
    // and reusing the owner's note id makes the stranger their own note.
    let r = stranger.get(&format!("/notes.md?slug={slug}")).await;
    assert!(!r.body.contains("My private thought"), "{}", r.body);
    let free = query(
        &app.db,
        "SELECT VALUE slug FROM item WHERE status = 'published' AND price_minor = 0 ORDER BY slug LIMIT 1",
        json!({}),
    )
    .await[0]
        .as_str()
        .unwrap()
        .to_string();
    let fview = reader(&stranger, &free).await;
    let (fblock, _) = paragraph(&fview, 4);
    let mine = json!({
        "id": "private-note-01", "kind": "highlight", "block": fblock, "start": 0, "end": 2,
        "updated_ms": t, "deleted": false,
    });
    let r = sync(&stranger, &free, json!([mine])).await;
    let out: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(out["notes"].as_array().unwrap().len(), 1);
    assert!(!r.body.contains("My private thought"));
    assert_eq!(
        reader(&owner, &slug).await["notes"][0]["text"],
        "My private thought"
    );
    // The same id on another item of the same learner is refused, not moved.
    let r = sync(&owner, &free, json!([mine])).await;
    let out: Value = serde_json::from_str(&r.body).unwrap();
    assert!(
        out["rejected"][0][1]
            .as_str()
            .unwrap()
            .contains("another item"),
        "{out}"
    );
    // The owner's reader page shows the note's passage marked, without JavaScript.
    let page = owner.get(&format!("/read/{slug}")).await;
    assert!(
        page.body.contains("class=\"mark-note\""),
        "marked in the HTML"
    );
}

#[tokio::test]
async fn notes_are_exported_and_leave_with_the_account() {
    let app = app();
    let slug = paid_items(&app.db, "c3").await[3].0.clone();
    let (b, user) = learner(app).await;
    buy(&b, &slug, "notes-export-1").await;
    let view = reader(&b, &slug).await;
    let (block, _) = paragraph(&view, 4);
    let n = json!({
        "id": "export-note-01", "kind": "note", "block": block, "start": 0, "end": 3,
        "text": "Kept in my export", "updated_ms": now_ms(), "deleted": false,
    });
    assert_eq!(sync(&b, &slug, json!([n])).await.status, 200);
    let r = b.get("/account/export.json").await;
    let doc: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(doc["notes"][0]["text"], "Kept in my export");
    let r = b
        .submit("/api/delete_account", &[("password", PASSWORD)])
        .await;
    assert_eq!(r.status, 302, "{r:?}");
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM note WHERE user = type::record('user', $u)",
            json!({ "u": user })
        )
        .await,
        0
    );
}
