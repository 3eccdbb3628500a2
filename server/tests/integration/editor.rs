//! Editing an item on its page, through the real router: drafts that learners never see,
//! publishing, scheduling, the version history and restore, two editors whose saves
//! conflict without losing either text, bad documents refused with a clear message and the
//! draft left as it was, and hostile text that stays text on the published page.

use crate::common;

use common::shop::{buy, count, learner, paid_items, query};
use common::{app, signed_in, Browser, Reply, TestApp};
use serde_json::{json, Value};

async fn open(b: &Browser, slug: &str) -> Value {
    let r = b
        .call_json("/api/editor_open", &json!({ "slug": slug }))
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    serde_json::from_str(&r.body).unwrap()
}

async fn save(b: &Browser, slug: &str, base: i64, doc: &Value) -> Reply {
    b.call_json(
        "/api/editor_save",
        &json!({ "slug": slug, "base": base, "doc": doc }),
    )
    .await
}

/// Saves and expects it to be accepted; returns the new revision.
async fn saved(b: &Browser, slug: &str, base: i64, doc: &Value) -> i64 {
    let r = save(b, slug, base, doc).await;
    assert_eq!(r.status, 200, "{r:?}");
    let v: Value = serde_json::from_str(&r.body).unwrap();
    v["Saved"]["revision"]
        .as_i64()
        .unwrap_or_else(|| panic!("not saved: {v}"))
}

async fn publish(b: &Browser, slug: &str, revision: i64) -> Reply {
    b.call_json(
        "/api/editor_publish",
        &json!({ "slug": slug, "revision": revision }),
    )
    .await
}

fn paragraph(text: &str) -> Value {
    json!({ "kind": "paragraph", "text": text, "items": [] })
}

/// The `n`th paid item of creator `creator` (each test takes its own).
async fn item_of(app: &TestApp, creator: &str, n: usize) -> String {
    paid_items(&app.db, creator).await[n].0.clone()
}

#[tokio::test]
async fn a_draft_stays_private_until_published_and_the_paid_part_stays_paid() {
    let app = app();
    let slug = item_of(app, "c3", 5).await;
    let creator = signed_in(app, "c3").await;
    let d = open(&creator, &slug).await;
    assert_eq!(d["revision"], 0);
    assert_eq!(d["live"], true);
    assert!(d["tag_choices"].as_array().unwrap().len() > 5);
    let original_title = if d["language"] == "zh-CN" {
        d["doc"]["title_zh"].as_str().unwrap().to_string()
    } else {
        d["doc"]["title_en"].as_str().unwrap().to_string()
    };
    let title_field = if d["language"] == "zh-CN" {
        "title_zh"
    } else {
        "title_en"
    };

    let mut doc = d["doc"].clone();
    doc[title_field] = json!(format!("{original_title} — revised edition"));
    doc["preview"]
        .as_array_mut()
        .unwrap()
        .push(paragraph("A new free paragraph, EDITOR-FREE-MARK."));
    doc["body"]
        .as_array_mut()
        .unwrap()
        .push(paragraph("A new paid paragraph, EDITOR-PAID-MARK."));
    let rev = saved(&creator, &slug, 0, &doc).await;
    assert_eq!(rev, 1);

    // Saved but not published: nobody else sees it, not even in the API.
    let visitor = Browser::new(app);
    let page = visitor.get(&format!("/item/{slug}")).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("revised edition"));
    assert!(!page.body.contains("EDITOR-FREE-MARK"));
    let (learner_b, _) = learner(app).await;
    let api = learner_b.fetch(&format!("/api/item?slug={slug}")).await;
    assert!(!api.body.contains("revised edition"), "{}", api.body);
    // The learner's item page has no edit switch; the creator's has.
    assert!(!learner_b
        .get(&format!("/item/{slug}"))
        .await
        .body
        .contains("data-testid=\"edit-page\""));
    assert!(creator
        .get(&format!("/item/{slug}"))
        .await
        .body
        .contains("data-testid=\"edit-page\""));

    // Who may open the draft: the creator and admins; not another creator or a learner.
    for (who, status) in [("c2", 403), ("l0110", 403), ("admin", 200)] {
        let b = signed_in(app, who).await;
        let r = b
            .call_json("/api/editor_open", &json!({ "slug": slug }))
            .await;
        assert_eq!(r.status, status, "{who}: {r:?}");
    }
    let r = visitor
        .call_json("/api/editor_open", &json!({ "slug": slug }))
        .await;
    assert_eq!(r.status, 401);

    // Published: everyone sees the new title and free paragraph; the paid one stays paid.
    let r = publish(&creator, &slug, rev).await;
    assert_eq!(r.status, 200, "{r:?}");
    let page = visitor.get(&format!("/item/{slug}")).await;
    assert!(page.body.contains("revised edition"));
    assert!(page.body.contains("EDITOR-FREE-MARK"));
    assert!(!page.body.contains("EDITOR-PAID-MARK"));
    let api = learner_b.fetch(&format!("/api/item?slug={slug}")).await;
    assert!(!api.body.contains("EDITOR-PAID-MARK"));
    // The page has its link preview (Open Graph) and is in the sitemap and robots.txt.
    assert!(page
        .body
        .contains("property=\"og:type\" content=\"article\""));
    assert!(page.body.contains("property=\"og:image\""));
    let map = visitor.get("/sitemap.xml").await;
    assert!(map.body.starts_with("<?xml"));
    assert!(map.body.contains(&format!(
        "<loc>http://shuzhai.test/item/{slug}</loc><lastmod>"
    )));
    let robots = visitor.get("/robots.txt").await;
    assert!(robots
        .body
        .contains("Sitemap: http://shuzhai.test/sitemap.xml"));
    assert!(robots.body.contains("Disallow: /admin/"));
    // The catalog (its search index) has the new title at once.
    let found = visitor.fetch("/api/catalog?query[q]=revised+edition").await;
    assert!(found.body.contains(&slug), "{}", found.body);

    // The history has the published version, by the creator.
    let r = creator
        .call_json("/api/editor_history", &json!({ "slug": slug }))
        .await;
    let history: Vec<Value> = serde_json::from_str(&r.body).unwrap();
    assert!(history
        .iter()
        .any(|v| v["kind"] == "published" && v["revision"] == 1));
    let d = open(&creator, &slug).await;
    assert_eq!(d["published_revision"], 1);
}

#[tokio::test]
async fn two_editors_conflict_and_neither_text_is_lost() {
    let app = app();
    let slug = item_of(app, "c3", 6).await;
    let tab_a = signed_in(app, "c3").await;
    let tab_b = signed_in(app, "admin").await;
    let a = open(&tab_a, &slug).await;
    let b = open(&tab_b, &slug).await;
    let base = a["revision"].as_i64().unwrap();
    assert_eq!(b["revision"].as_i64().unwrap(), base);

    let mut doc_a = a["doc"].clone();
    doc_a["description"] = json!("Text from tab A.");
    let rev_a = saved(&tab_a, &slug, base, &doc_a).await;

    // B saves on the old revision: refused, with A's draft to choose from.
    let mut doc_b = b["doc"].clone();
    doc_b["description"] = json!("Text from tab B.");
    let r = save(&tab_b, &slug, base, &doc_b).await;
    assert_eq!(r.status, 200, "{r:?}");
    let v: Value = serde_json::from_str(&r.body).unwrap();
    let theirs = &v["Conflict"]["theirs"];
    assert_eq!(theirs["revision"].as_i64().unwrap(), rev_a);
    assert_eq!(theirs["doc"]["description"], "Text from tab A.");
    // A's text is the draft; B's is kept in the history.
    let now = open(&tab_a, &slug).await;
    assert_eq!(now["doc"]["description"], "Text from tab A.");
    let kept = query(
        &app.db,
        "SELECT doc.description AS d, author_name FROM item_version
         WHERE item.slug = $slug AND kind = 'conflict'",
        json!({ "slug": slug }),
    )
    .await;
    assert!(
        kept.iter().any(|k| k["d"] == "Text from tab B."),
        "{kept:?}"
    );

    // B chooses their own text: saved on top of A's revision.
    let rev_b = saved(&tab_b, &slug, rev_a, &doc_b).await;
    assert_eq!(rev_b, rev_a + 1);
    // Publishing an old revision is refused (the editor must show what goes live).
    let r = publish(&tab_a, &slug, rev_a).await;
    assert_eq!(r.status, 409, "{r:?}");
    assert!(r.body.contains("changed"), "{}", r.body);
}

#[tokio::test]
async fn bad_documents_are_refused_with_a_reason_and_the_draft_is_unchanged() {
    let app = app();
    let slug = item_of(app, "c3", 7).await;
    let creator = signed_in(app, "c3").await;
    let d = open(&creator, &slug).await;
    let rev = d["revision"].as_i64().unwrap();
    let good = d["doc"].clone();

    let with_block = |block: Value| {
        let mut doc = good.clone();
        doc["preview"].as_array_mut().unwrap().push(block);
        doc
    };
    let huge = "长".repeat(20_001);
    let mut many = good.clone();
    many["body"] = Value::Array(vec![paragraph("p"); 2_001]);
    let mut bad_price = good.clone();
    bad_price["price_minor"] = json!(-5);
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "unknown block type",
            with_block(json!({ "kind": "iframe", "text": "x", "items": [] })),
            "unknown variant",
        ),
        (
            "heading level",
            with_block(json!({ "kind": "heading", "text": "x", "level": 9, "items": [] })),
            "level",
        ),
        (
            "oversized block",
            with_block(paragraph(&huge)),
            "characters",
        ),
        ("too many blocks", many, "blocks"),
        ("negative price", bad_price, "price"),
        (
            "text that is not text",
            with_block(json!({ "kind": "paragraph", "text": 42, "items": [] })),
            "invalid",
        ),
    ];
    for (what, doc, says) in cases {
        let r = save(&creator, &slug, rev, &doc).await;
        assert_eq!(r.status, 400, "{what}: {r:?}");
        assert!(
            r.body.to_lowercase().contains(says),
            "{what}: {}",
            r.body.chars().take(300).collect::<String>()
        );
    }
    // Malformed JSON, deep nesting, a lone surrogate (invalid Unicode).
    let deep = format!(
        "{{\"slug\":\"{slug}\",\"base\":{rev},\"doc\":{}{}}}",
        "[".repeat(5_000),
        "]".repeat(5_000)
    );
    let surrogate =
        format!("{{\"slug\":\"{slug}\",\"base\":{rev},\"doc\":{{\"title_en\":\"\\ud800\"}}}}");
    for body in [
        "{\"slug\": ".to_string(),
        deep,
        surrogate,
        format!("{{\"slug\":\"{slug}\",\"base\":{rev},\"doc\":{{}}}}"),
    ] {
        let r = creator
            .post_raw(
                "/api/editor_save",
                &[
                    ("content-type", "application/json"),
                    ("accept", "application/json"),
                    ("sec-fetch-site", "same-origin"),
                ],
                body.clone(),
            )
            .await;
        assert_eq!(r.status, 400, "{}: {r:?}", &body[..body.len().min(60)]);
        assert!(r.body.contains("Invalid request"), "{}", r.body);
    }
    // More than the editor accepts in one request.
    let mut enormous = good.clone();
    enormous["body"] = Value::Array(vec![paragraph(&"x".repeat(19_000)); 120]);
    let r = save(&creator, &slug, rev, &enormous).await;
    assert_eq!(r.status, 413, "{}", r.body);

    // Nothing above changed the draft.
    let after = open(&creator, &slug).await;
    assert_eq!(after["revision"].as_i64().unwrap(), rev);
    assert_eq!(after["doc"], good);

    // A long document (larger than other requests may be) is fine.
    let mut long = good.clone();
    long["body"] = Value::Array(vec![paragraph(&"长文".repeat(2_000)); 40]);
    let rev2 = saved(&creator, &slug, rev, &long).await;

    // Publishing checks what a live page needs, and that tags exist.
    let mut untitled = long.clone();
    untitled["title_en"] = json!("");
    untitled["title_zh"] = json!("");
    let rev3 = saved(&creator, &slug, rev2, &untitled).await;
    let r = publish(&creator, &slug, rev3).await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("title"), "{}", r.body);
    let mut tagged = good.clone();
    tagged["tags"] = json!(["no-such-tag-at-all"]);
    let rev4 = saved(&creator, &slug, rev3, &tagged).await;
    let r = publish(&creator, &slug, rev4).await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("no-such-tag-at-all"), "{}", r.body);
    // The live page is still the original.
    let page = Browser::new(app).get(&format!("/item/{slug}")).await;
    let title = good["title_en"].as_str().unwrap();
    let title_zh = good["title_zh"].as_str().unwrap();
    assert!(
        page.body.contains(&title.replace('&', "&amp;"))
            || page.body.contains(&title_zh.replace('&', "&amp;"))
    );
}

#[tokio::test]
async fn scheduled_drafts_go_live_at_their_time_and_old_versions_can_be_restored() {
    let app = app();
    let slug = item_of(app, "c3", 8).await;
    let creator = signed_in(app, "c3").await;
    let d = open(&creator, &slug).await;
    let original = d["doc"].clone();
    let mut doc = original.clone();
    doc["description"] = json!("SCHEDULED-DESCRIPTION");
    let rev = saved(&creator, &slug, d["revision"].as_i64().unwrap(), &doc).await;

    let schedule = |at: Value| {
        let creator = &creator;
        let slug = slug.clone();
        async move {
            creator
                .call_json(
                    "/api/editor_schedule",
                    &json!({ "slug": slug, "revision": rev, "at": at }),
                )
                .await
        }
    };
    let r = schedule(json!("2001-01-01T00:00:00Z")).await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("future"), "{}", r.body);
    let r = schedule(json!("next tuesday")).await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("date and time"), "{}", r.body);
    let r = query(&app.db, "RETURN <string> (time::now() + 2s)", json!({})).await;
    let r = schedule(r[0].clone()).await;
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.body.contains('T'), "{}", r.body);
    // Not yet live.
    assert_eq!(
        app::ssr::editor::publish_due(&app.db, &common::outbox_auth())
            .await
            .unwrap(),
        0
    );
    let visitor = Browser::new(app);
    assert!(!visitor
        .get(&format!("/item/{slug}"))
        .await
        .body
        .contains("SCHEDULED-DESCRIPTION"));
    tokio::time::sleep(std::time::Duration::from_millis(2_500)).await;
    assert_eq!(
        app::ssr::editor::publish_due(&app.db, &common::outbox_auth())
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        count(
            &app.db,
            "SELECT id FROM item WHERE slug = $slug AND description = 'SCHEDULED-DESCRIPTION'",
            json!({ "slug": slug }),
        )
        .await,
        1
    );
    assert_eq!(
        app::ssr::editor::publish_due(&app.db, &common::outbox_auth())
            .await
            .unwrap(),
        0,
        "once"
    );

    // Restore the first version (the original text) from the history.
    let r = creator
        .call_json("/api/editor_history", &json!({ "slug": slug }))
        .await;
    let history: Vec<Value> = serde_json::from_str(&r.body).unwrap();
    let oldest = history.last().unwrap();
    let r = creator
        .call_json(
            "/api/editor_version",
            &json!({ "slug": slug, "id": oldest["id"] }),
        )
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    let version: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(version["doc"]["description"], "SCHEDULED-DESCRIPTION");
    // Another creator cannot read it, and a made-up id is not found.
    let other = signed_in(app, "c2").await;
    let r = other
        .call_json(
            "/api/editor_version",
            &json!({ "slug": slug, "id": oldest["id"] }),
        )
        .await;
    assert_eq!(r.status, 403);
    let r = creator
        .call_json(
            "/api/editor_version",
            &json!({ "slug": slug, "id": "nope" }),
        )
        .await;
    assert_eq!(r.status, 404);

    let mut edited = doc.clone();
    edited["description"] = json!("AFTER-SCHEDULE");
    let rev2 = saved(&creator, &slug, rev, &edited).await;
    let r = creator
        .call_json(
            "/api/editor_restore",
            &json!({ "slug": slug, "id": oldest["id"], "base": rev2 }),
        )
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    let d = open(&creator, &slug).await;
    assert_eq!(d["revision"].as_i64().unwrap(), rev2 + 1);
    assert_eq!(d["doc"]["description"], "SCHEDULED-DESCRIPTION");
    let r = creator
        .call_json("/api/editor_history", &json!({ "slug": slug }))
        .await;
    let history: Vec<Value> = serde_json::from_str(&r.body).unwrap();
    assert_eq!(history[0]["kind"], "restored");
}

#[tokio::test]
async fn hostile_text_in_every_field_and_in_pasted_html_stays_text() {
    let app = app();
    let slug = item_of(app, "c3", 9).await;
    let creator = signed_in(app, "c3").await;
    let d = open(&creator, &slug).await;
    let mut rev = d["revision"].as_i64().unwrap();
    let corpus = common::xss::corpus();
    assert!(corpus.len() >= 100, "{}", corpus.len());
    let visitor = Browser::new(app);
    // In batches, so each published page carries many payloads in every field.
    for (n, batch) in corpus.chunks(30).enumerate() {
        let joined = batch.join(" ");
        let mut doc = d["doc"].clone();
        doc["title_en"] = json!(format!("Safe {n} {}", batch[0]));
        doc["title_zh"] = json!(format!("安全 {n} {}", batch[batch.len() - 1]));
        doc["summary_en"] = json!(joined.chars().take(480).collect::<String>());
        doc["summary_zh"] = json!(batch[1]);
        doc["description"] = json!(batch.join("\n\n"));
        let mut preview: Vec<Value> = batch.iter().map(|p| paragraph(p)).collect();
        for kind in ["heading", "quote", "code", "callout"] {
            let mut b = json!({ "kind": kind, "text": batch[2], "items": [] });
            if kind == "heading" {
                b["level"] = json!(2);
            }
            preview.push(b);
        }
        preview.push(json!({ "kind": "list", "text": "", "items": batch }));
        // What a paste of the payloads as HTML turns into.
        for p in batch {
            for b in app::models::editor::html_to_blocks(p) {
                preview.push(serde_json::to_value(b).unwrap());
            }
        }
        let preview: Vec<Value> = preview
            .into_iter()
            .map(|mut b| {
                if b["level"].is_null() {
                    b.as_object_mut().unwrap().remove("level");
                }
                b
            })
            .collect();
        doc["preview"] = Value::Array(preview);
        rev = saved(&creator, &slug, rev, &doc).await;
        let r = publish(&creator, &slug, rev).await;
        assert_eq!(r.status, 200, "{r:?}");
        for path in [format!("/item/{slug}"), format!("/item/{slug}?edit=1")] {
            let page = visitor.get(&path).await;
            assert_eq!(page.status, 200);
            let found = common::xss::executable_markup(&page.body);
            assert!(found.is_empty(), "batch {n} on {path}: {found:?}");
            // The payloads are there, as text.
            assert!(page.body.contains("&lt;script") || !joined.contains("<script"));
        }
        let own = creator.get(&format!("/item/{slug}?edit=1")).await;
        assert!(common::xss::executable_markup(&own.body).is_empty());
    }
}

/// The lessons of course `slug` as the reader lists them: (key, title, done).
async fn course_lessons(b: &Browser, slug: &str) -> Vec<(String, String, bool)> {
    let r = b.fetch(&format!("/api/reader?slug={slug}")).await;
    assert_eq!(r.status, 200, "{r:?}");
    let v: Value = serde_json::from_str(&r.body).unwrap();
    v["course"]["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["key"].as_str().unwrap().to_string(),
                l["title"].as_str().unwrap().to_string(),
                l["done"].as_bool().unwrap(),
            )
        })
        .collect()
}

async fn mark_done(b: &Browser, slug: &str, lesson: &str) {
    let r = b
        .call(
            "/api/lesson_done",
            &[("slug", slug), ("lesson", lesson), ("done", "true")],
        )
        .await;
    assert!(r.status < 400, "{r:?}");
}

fn heading(level: u8, text: &str, lesson: Option<&str>) -> Value {
    let mut h = json!({ "kind": "heading", "text": text, "level": level, "items": [] });
    if let Some(k) = lesson {
        h["lesson"] = json!(k);
    }
    h
}

#[tokio::test]
async fn a_course_is_reorganised_on_its_page_and_learners_keep_their_completed_lessons() {
    let app = app();
    let courses = query(
        &app.db,
        "SELECT VALUE slug FROM item WHERE kind = 'course' AND status = 'published' AND price_minor > 0
         AND creator = creator:c2 ORDER BY slug",
        json!({}),
    )
    .await;
    let slug = courses[0].as_str().unwrap().to_string();
    let other = courses[1].as_str().unwrap().to_string();
    let (learner_b, _) = learner(app).await;
    buy(&learner_b, &slug, "course-edit-1").await;
    let before = course_lessons(&learner_b, &slug).await;
    assert!(before.len() >= 4, "{before:?}");
    let (kept, dropped) = (before[1].0.clone(), before[2].0.clone());
    mark_done(&learner_b, &slug, &kept).await;
    mark_done(&learner_b, &slug, &dropped).await;

    // The editor opens the course with each lesson subheading carrying its lesson's key.
    let creator = signed_in(app, "c2").await;
    let d = open(&creator, &slug).await;
    assert_eq!(d["course"], true);
    let blocks = |doc: &Value| -> Vec<Value> {
        doc["preview"]
            .as_array()
            .unwrap()
            .iter()
            .chain(doc["body"].as_array().unwrap())
            .cloned()
            .collect()
    };
    let keys: Vec<String> = blocks(&d["doc"])
        .iter()
        .filter(|b| b["level"] == 3)
        .map(|b| b["lesson"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(keys, before.iter().map(|l| l.0.clone()).collect::<Vec<_>>());

    // Move the second lesson (with its text) to the very end under a new name, delete the
    // third, and add a chapter with a new lesson.
    let mut doc = d["doc"].clone();
    let take_section = |list: &mut Vec<Value>, key: &str| -> Option<Vec<Value>> {
        let start = list.iter().position(|b| b["lesson"] == key)?;
        let end = (start + 1..list.len())
            .find(|&j| list[j]["kind"] == "heading")
            .unwrap_or(list.len());
        Some(list.drain(start..end).collect())
    };
    let mut preview: Vec<Value> = doc["preview"].as_array().unwrap().clone();
    let mut body: Vec<Value> = doc["body"].as_array().unwrap().clone();
    let mut moved = take_section(&mut body, &kept)
        .or_else(|| take_section(&mut preview, &kept))
        .unwrap();
    moved[0]["text"] = json!("Renamed lesson, moved to the end");
    take_section(&mut body, &dropped)
        .or_else(|| take_section(&mut preview, &dropped))
        .unwrap();
    body.push(heading(2, "A new chapter", None));
    body.push(heading(3, "A brand-new lesson", Some("Lnew000000000001")));
    body.push(paragraph("What the new lesson says."));
    // A key of another course's lesson is not taken over: that lesson starts afresh.
    let foreign = query(
        &app.db,
        "SELECT VALUE record::id(id) FROM lesson WHERE chapter.item.slug = $s LIMIT 1",
        json!({ "s": other }),
    )
    .await[0]
        .as_str()
        .unwrap()
        .to_string();
    body.push(heading(3, "A lesson with a borrowed key", Some(&foreign)));
    body.extend(moved);
    doc["preview"] = json!(preview);
    doc["body"] = json!(body);
    let rev = saved(&creator, &slug, d["revision"].as_i64().unwrap(), &doc).await;
    let r = publish(&creator, &slug, rev).await;
    assert_eq!(r.status, 200, "{r:?}");

    let after = course_lessons(&learner_b, &slug).await;
    assert_eq!(after.len(), before.len() + 1, "{after:?}");
    let last = after.last().unwrap();
    assert_eq!(
        (last.0.as_str(), last.1.as_str(), last.2),
        (kept.as_str(), "Renamed lesson, moved to the end", true),
        "the moved lesson keeps its key and its completion"
    );
    assert!(
        after.iter().all(|l| l.0 != dropped),
        "the deleted lesson is gone"
    );
    assert!(after.iter().any(|l| l.0 == "Lnew000000000001" && !l.2));
    let borrowed = after
        .iter()
        .find(|l| l.1 == "A lesson with a borrowed key")
        .unwrap();
    assert_ne!(borrowed.0, foreign);
    // The deleted lesson's completion went with it; the other course still has its lesson.
    assert_eq!(
        count(
            &app.db,
            "SELECT id FROM lesson_done WHERE lesson = type::record('lesson', $l)",
            json!({ "l": dropped }),
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app.db,
            "SELECT id FROM lesson WHERE chapter.item.slug = $s AND record::id(id) = $k",
            json!({ "s": other, "k": foreign }),
        )
        .await,
        1
    );
    // The item page's outline has the new chapter; the library counts 1 of N.
    let page = Browser::new(app).get(&format!("/item/{slug}")).await;
    assert!(page.body.contains("A new chapter"));
    let lib = learner_b.fetch("/api/library?sort=").await;
    assert_eq!(lib.status, 200, "{lib:?}");
    let lib: Vec<Value> = serde_json::from_str(&lib.body).unwrap();
    let entry = lib
        .iter()
        .find(|e| e["card"]["slug"] == slug.as_str())
        .unwrap();
    assert_eq!(entry["lessons"], json!([1, after.len()]));

    // A lesson above every chapter is refused with what to do; nothing changes.
    let d = open(&creator, &slug).await;
    let mut doc = d["doc"].clone();
    doc["preview"]
        .as_array_mut()
        .unwrap()
        .insert(0, heading(3, "Stray lesson", None));
    let rev = saved(&creator, &slug, d["revision"].as_i64().unwrap(), &doc).await;
    let r = publish(&creator, &slug, rev).await;
    assert_eq!(r.status, 400, "{r:?}");
    assert!(
        r.body.contains("Stray lesson") && r.body.contains("chapter"),
        "{}",
        r.body
    );
    assert_eq!(course_lessons(&learner_b, &slug).await, after);
}

#[tokio::test]
async fn a_creator_starts_a_new_item_as_a_draft_that_only_they_see_until_it_is_published() {
    let app = app();
    let creator = signed_in(app, "c2").await;
    let category = query(
        &app.db,
        "SELECT VALUE slug FROM category ORDER BY position LIMIT 1",
        json!({}),
    )
    .await[0]
        .as_str()
        .unwrap()
        .to_string();
    async fn new_item(b: &Browser, category: &str, kind: &str, title: &str) -> Reply {
        b.call(
            "/api/studio_new_item",
            &[
                ("kind", kind),
                ("category", category),
                ("language", "en"),
                ("title", title),
            ],
        )
        .await
    }
    let new = |b, kind, title| new_item(b, &category, kind, title);
    let r = new(
        &creator,
        "course",
        "Practical Sourdough: from Starter to Loaf",
    )
    .await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        r.location(),
        "/item/practical-sourdough-from-starter-to-loaf?edit=1"
    );
    let slug = "practical-sourdough-from-starter-to-loaf";
    // The same title again gets an address of its own.
    let again = new(
        &creator,
        "article",
        "Practical sourdough — from starter to loaf",
    )
    .await;
    assert_eq!(again.location(), format!("/item/{slug}-2?edit=1"));

    // Nobody else sees the draft: not the page, the API, the sitemap or a search.
    let visitor = Browser::new(app);
    assert_eq!(visitor.get(&format!("/item/{slug}")).await.status, 404);
    assert_eq!(
        visitor
            .fetch(&format!("/api/item?slug={slug}"))
            .await
            .status,
        404
    );
    assert!(!visitor.get("/sitemap.xml").await.body.contains(slug));
    assert!(!visitor
        .get("/catalog?q=Sourdough")
        .await
        .body
        .contains(slug));
    let other = signed_in(app, "c3").await;
    let r = other
        .call_json("/api/editor_open", &json!({ "slug": slug }))
        .await;
    assert_eq!(r.status, 403, "{r:?}");

    // Its creator opens it: a course with a first chapter and lesson to write.
    let d = open(&creator, slug).await;
    assert_eq!(
        (d["course"].clone(), d["live"].clone()),
        (json!(true), json!(false))
    );
    let mut doc = d["doc"].clone();
    assert_eq!(doc["title_en"], "Practical Sourdough: from Starter to Loaf");
    assert_eq!(doc["preview"][0]["text"], "Chapter 1");
    assert_eq!(doc["preview"][1]["text"], "Lesson 1");
    // Publishing without a summary is refused with what is missing.
    let rev = d["revision"].as_i64().unwrap();
    let r = publish(&creator, slug, rev).await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("summary"), "{}", r.body);
    doc["summary_en"] = json!("Bake bread at home, one lesson a day.");
    doc["preview"][2] = paragraph("Feed the starter twice a day.");
    let rev = saved(&creator, slug, rev, &doc).await;
    let r = publish(&creator, slug, rev).await;
    assert_eq!(r.status, 200, "{r:?}");
    let page = visitor.get(&format!("/item/{slug}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Feed the starter twice a day."));
    // Its cover is drawn from the title once it is published.
    let cover = query(
        &app.db,
        "SELECT VALUE cover FROM item WHERE slug = $s",
        json!({ "s": slug }),
    )
    .await;
    assert_eq!(cover[0], format!("/covers/{slug}.svg"));
    assert_eq!(
        visitor.get(&format!("/covers/{slug}.svg")).await.status,
        200
    );
    assert_eq!(
        count(
            &app.db,
            "SELECT id FROM lesson WHERE chapter.item.slug = $s AND title = 'Lesson 1' AND free_preview = true",
            json!({ "s": slug }),
        )
        .await,
        1
    );

    // Bad input is refused with a reason, and learners cannot start items.
    let r = new(&creator, "article", "   ").await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("title"), "{}", r.body);
    let r = new(&creator, "podcast", "A title").await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("article"), "{}", r.body);
    let (learner_b, _) = learner(app).await;
    assert_eq!(new(&learner_b, "article", "Mine").await.status, 403);
}
