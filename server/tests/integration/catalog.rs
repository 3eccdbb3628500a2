//! The catalog through the real router: server-rendered pages, server functions, filters,
//! search in Chinese and English, the paywall, and bad input.

use crate::common;

use app::models::catalog::{CatalogPage, ItemDetail};
use app::ssr::db::rows;
use common::{app, get, PAID_MARKERS};
use serde_json::json;

/// Calls the `catalog_page` server function with URL-encoded query fields.
async fn api_catalog(params: &str) -> (u16, String) {
    get(&format!("/api/catalog?{params}")).await
}

fn page(body: &str) -> CatalogPage {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not a catalog page ({e}): {body}"))
}

fn html_count(html: &str, needle: &str) -> usize {
    html.matches(needle).count()
}

#[tokio::test]
async fn home_is_rendered_on_the_server_with_items_and_meta() {
    let (status, html) = get("/").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<title>Knowledge from independent creators · Shuzhai 书斋</title>"),
        "{html}"
    );
    assert!(
        html.contains(r#"<link href="http://shuzhai.test/" rel="canonical">"#),
        "{html}"
    );
    assert!(html.contains(r#"name="description""#));
    assert!(html_count(&html, r#"<article class="card">"#) >= 16);
    assert!(
        html.contains("/pkg/shuzhai.js"),
        "hydration script is referenced"
    );
}

#[tokio::test]
async fn catalog_filters_by_kind_category_tag_and_price() {
    let all = page(&api_catalog("").await.1);
    assert_eq!(all.total, 200);
    assert_eq!(all.items.len(), 24);
    assert_eq!(all.pages, 9);

    let audio = page(&api_catalog("query[kind]=audio").await.1);
    assert_eq!(audio.total, 40);
    assert!(audio.items.iter().all(|i| i.kind.as_str() == "audio"));

    let design = page(
        &api_catalog("query[category]=design&query[price]=free")
            .await
            .1,
    );
    assert!(design.total > 0);
    assert!(design
        .items
        .iter()
        .all(|i| i.category_slug == "design" && i.price.is_free()));

    let paid_rust = page(&api_catalog("query[tag]=rust&query[price]=paid").await.1);
    assert!(paid_rust.total > 0);
    assert!(paid_rust
        .items
        .iter()
        .all(|i| i.tags.iter().any(|t| t.slug == "rust") && i.price.minor > 0));
}

#[tokio::test]
async fn catalog_sorts_by_price_and_newest() {
    let asc = page(
        &api_catalog("query[sort]=price-asc&query[price]=paid")
            .await
            .1,
    );
    let prices: Vec<i64> = asc.items.iter().map(|i| i.price.minor).collect();
    assert!(prices.windows(2).all(|w| w[0] <= w[1]), "{prices:?}");
    let desc = page(&api_catalog("query[sort]=price-desc").await.1);
    assert!(desc
        .items
        .windows(2)
        .all(|w| w[0].price.minor >= w[1].price.minor));
    let newest = page(&api_catalog("").await.1);
    assert!(newest
        .items
        .windows(2)
        .all(|w| w[0].published >= w[1].published));
}

#[tokio::test]
async fn chinese_search_matches_substrings_without_spaces() {
    #[derive(serde::Deserialize)]
    struct Count {
        n: u32,
    }
    let expected: Vec<Count> = rows(
        &app().db,
        "count",
        "SELECT count() AS n FROM item WHERE status = 'published' AND string::contains(title_zh, '机器学习') GROUP ALL",
        json!({}),
        0,
    )
    .await
    .expect("count");
    let expected = expected[0].n;
    assert!(expected > 0);

    let full = page(
        &api_catalog("query[q]=%E6%9C%BA%E5%99%A8%E5%AD%A6%E4%B9%A0")
            .await
            .1,
    ); // 机器学习
    assert_eq!(full.total, expected);
    assert!(full
        .items
        .iter()
        .all(|i| i.title.contains("机器学习") || i.title_alt.contains("机器学习")));
    // A fragment from the middle of the word finds the same items: no word boundaries needed.
    let middle = page(&api_catalog("query[q]=%E5%99%A8%E5%AD%A6").await.1); // 器学
    assert_eq!(middle.total, expected);
    // English, in any case, finds the same items through their English titles.
    let english = page(&api_catalog("query[q]=MACHINE+learning").await.1);
    assert_eq!(english.total, expected);
    // Full-width letters are treated as ordinary ones.
    let fullwidth = page(
        &api_catalog("query[q]=%EF%BC%B2%EF%BD%95%EF%BD%93%EF%BD%94")
            .await
            .1,
    ); // Ｒｕｓｔ
    let plain = page(&api_catalog("query[q]=rust").await.1);
    assert!(plain.total > 0);
    assert_eq!(fullwidth.total, plain.total);
}

#[tokio::test]
async fn search_without_results_says_so() {
    let (status, html) = get("/catalog?q=zzzzqqqq").await;
    assert_eq!(status, 200);
    assert!(html.contains("No items match."));
    assert!(html.contains("clear all filters"));
}

#[tokio::test]
async fn catalog_pages_link_to_each_other_and_keep_filters() {
    let (status, html) = get("/catalog?kind=article&page=2").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(r#"href="/catalog?kind=article""#),
        "previous page link keeps the filter"
    );
    assert!(html.contains("Page 2 of 2"));
    assert!(html.contains(
        r#"<link href="http://shuzhai.test/catalog?kind=article&amp;page=2" rel="canonical">"#
    ));
    assert_eq!(html_count(&html, r#"<article class="card">"#), 16);
}

#[tokio::test]
async fn paid_bodies_never_leave_the_server_but_free_ones_do() {
    let paid = page(&api_catalog("query[price]=paid").await.1);
    let free = page(&api_catalog("query[price]=free").await.1);
    for item in paid.items.iter().take(5) {
        let (status, html) = get(&format!("/item/{}", item.slug)).await;
        assert_eq!(status, 200);
        assert!(html.contains("The rest is for buyers"));
        let (status, json) = get(&format!("/api/item?slug={}", item.slug)).await;
        assert_eq!(status, 200);
        let detail: ItemDetail = serde_json::from_str(&json).expect("item detail");
        assert!(detail.body.is_none());
        assert!(detail.locked_sections > 0);
        for marker in PAID_MARKERS {
            assert!(
                !html.contains(marker),
                "paid body text in the page of {}",
                item.slug
            );
            assert!(
                !json.contains(marker),
                "paid body text in the server function response of {}",
                item.slug
            );
        }
    }
    let item = &free.items[0];
    let (_, html) = get(&format!("/item/{}", item.slug)).await;
    assert!(
        PAID_MARKERS.iter().any(|m| html.contains(m)),
        "a free item is readable in full"
    );
    assert!(
        html.contains(r#"id="section-2""#),
        "body headings carry the contents anchors"
    );
}

#[tokio::test]
async fn course_pages_show_their_outline_and_creator() {
    let courses = page(&api_catalog("query[kind]=course").await.1);
    let (status, html) = get(&format!("/item/{}", courses.items[0].slug)).await;
    assert_eq!(status, 200);
    assert!(html.contains("Course outline"));
    assert!(html.contains("Free preview"));
    assert!(html.contains(&format!("/creator/{}", courses.items[0].creator_slug)));
    let (status, html) = get(&format!("/creator/{}", courses.items[0].creator_slug)).await;
    assert_eq!(status, 200);
    assert!(html.contains("published items"));
}

#[tokio::test]
async fn unknown_addresses_are_404_pages() {
    for path in [
        "/item/no-such-thing",
        "/creator/nobody",
        "/nothing/here",
        "/item/%F0%9F%92%A5",
        "/catalog?category=nope",
    ] {
        let (status, html) = get(path).await;
        assert_eq!(status, 404, "{path}");
        assert!(html.contains("role=\"alert\""), "{path}");
        assert!(html.contains("Browse the whole catalog"), "{path}");
    }
    let (status, body) = get("/api/item?slug=no-such-thing").await;
    assert_ne!(status, 200);
    assert!(body.contains("NotFound"), "{body}");
}

#[tokio::test]
async fn bad_input_gets_clear_messages_and_no_internals() {
    let long = "字".repeat(101);
    let cases = [
        ("/catalog?page=0".to_string(), 400, "not a page number"),
        ("/catalog?page=-3".to_string(), 400, "not a page number"),
        (
            "/catalog?page=99999999999999999999999".to_string(),
            400,
            "not a page number",
        ),
        (
            "/catalog?page=9999".to_string(),
            404,
            "There is no page 9999",
        ),
        (
            "/catalog?kind=%3Cscript%3Ealert(1)%3C/script%3E".to_string(),
            400,
            "There is no kind",
        ),
        ("/catalog?sort=chaos".to_string(), 400, "not a way to sort"),
        ("/catalog?price=cheap".to_string(), 400, "free or paid"),
        (format!("/catalog?q={long}"), 400, "too long"),
    ];
    for (path, code, needle) in cases {
        let (status, html) = get(&path).await;
        assert_eq!(status, code, "{path}");
        assert!(html.contains(needle), "{path}: {needle}");
        assert!(
            !html.contains("<script>alert"),
            "{path}: user text must be escaped"
        );
        assert!(
            !html.to_lowercase().contains("surreal"),
            "{path}: no database internals"
        );
    }
    // Odd Unicode is searched, not refused.
    for q in [
        "%00%01",
        "%E2%80%8B",
        "%F0%9F%98%80%F0%9F%98%80",
        "%EF%BF%BD",
        "a%0Ab",
    ] {
        let (status, _) = get(&format!("/catalog?q={q}")).await;
        assert_eq!(status, 200, "{q}");
    }
}

#[tokio::test]
async fn covers_and_avatars_are_generated_svg() {
    let all = page(&api_catalog("").await.1);
    let response = reqwest::get(format!("{}{}", app().base, all.items[0].cover))
        .await
        .expect("cover");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/svg+xml");
    assert!(response.text().await.expect("svg").starts_with("<svg"));
    let (status, _) = get("/covers/nope.svg").await;
    assert_eq!(status, 404);
    let (status, svg) = get(&format!("/avatars/{}.svg", all.items[0].creator_slug)).await;
    assert_eq!(status, 200);
    assert!(svg.starts_with("<svg"));
}

/// Tests that train or roll back take turns: versions must follow each other.
static RECO: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Training on the demo data makes a new model version whose factor file is served,
/// cached by version, and readable; a second run replaces it and a rollback restores it.
#[tokio::test]
async fn retraining_serves_a_new_factor_file_and_rollback_restores_the_last() {
    use app::reco::factors::FactorFile;
    use server::recsys::als::AlsParams;
    use server::recsys::train::{quiet, rollback, train_and_activate};
    let _one_at_a_time = RECO.lock().await;
    let app = app();
    let b = common::Browser::new(app);
    let params = AlsParams::default()
        .factors(16)
        .iterations(6)
        .lambda(5.0)
        .alpha(1.5);
    let first = train_and_activate(&app.db, &params, "test", quiet())
        .await
        .unwrap();
    assert!(first.items >= 100 && first.users >= 400, "{first:?}");
    assert!(
        first.ndcg > first.popularity_ndcg,
        "the demo's taste groups are learnt: {first:?}"
    );
    let current: serde_json::Value =
        serde_json::from_str(&b.get("/reco/current").await.body).unwrap();
    assert_eq!(current["version"], first.version);

    let url = format!("/reco/factors/{}", first.version);
    let r = b.get(&url).await;
    assert_eq!(r.status, 200);
    assert!(r.header("cache-control").contains("immutable"));
    let etag = r.header("etag").to_string();
    let bytes = b.get_bytes(&url).await;
    let file = FactorFile::decode(&bytes).unwrap();
    assert_eq!(file.version as i64, first.version);
    assert_eq!(file.len(), first.items);
    assert_eq!(file.k, 16);
    assert!(bytes.len() * 3 < first.items * 16 * 4 + 16 * 16 * 4 * 3 + first.items * 40);
    let again = b.get_with(&url, &[("if-none-match", etag.as_str())]).await;
    assert_eq!(again.status, 304);

    let second = train_and_activate(&app.db, &params, "test", quiet())
        .await
        .unwrap();
    assert_eq!(second.version, first.version + 1);
    let current: serde_json::Value =
        serde_json::from_str(&b.get("/reco/current").await.body).unwrap();
    assert_eq!(current["version"], second.version);
    assert_eq!(rollback(&app.db).await.unwrap(), first.version);
    let current: serde_json::Value =
        serde_json::from_str(&b.get("/reco/current").await.body).unwrap();
    assert_eq!(current["version"], first.version);
    assert!(
        rollback(&app.db).await.is_err(),
        "only one step back is kept"
    );
    // Both versions stay downloadable; others are not there.
    assert_eq!(
        b.get(&format!("/reco/factors/{}", second.version))
            .await
            .status,
        200
    );
    assert_eq!(b.get("/reco/factors/999").await.status, 404);
    assert_eq!(b.get("/reco/factors/abc").await.status, 404);
}

/// A browser signed in as the demo admin.
async fn admin_browser(app: &common::TestApp) -> common::Browser {
    let b = common::Browser::new(app);
    let token = app::ssr::sessions::create(&app.db, "admin", "test")
        .await
        .unwrap();
    b.set_session(Some(&token));
    b
}

/// The admin's controls: "retrain now" runs in the background and makes a new active
/// version; the status shows it with its metrics; item pages show what buyers also bought;
/// rollback goes back; the cards the browser ranks with carry no history and mark what the
/// viewer owns.
#[tokio::test]
async fn admins_retrain_and_roll_back_and_item_pages_show_what_buyers_also_liked() {
    use app::models::reco::{RecoCards, RecoStatus};
    let app = app();
    let _one_at_a_time = RECO.lock().await;
    let admin = admin_browser(app).await;
    async fn status(b: &common::Browser) -> RecoStatus {
        let r = b.fetch("/api/reco_status").await;
        assert_eq!(r.status, 200, "{}", r.body);
        serde_json::from_str::<RecoStatus>(&r.body).unwrap()
    }
    let before = status(&admin).await;
    // Wait for any run another test started.
    let mut s = before.clone();
    for _ in 0..3000 {
        if !s.job.running {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        s = status(&admin).await;
    }
    // A version for the rollback below to go back to.
    server::recsys::train::train_and_activate(
        &app.db,
        &server::recsys::als::AlsParams::default()
            .factors(8)
            .iterations(3),
        "test",
        server::recsys::train::quiet(),
    )
    .await
    .unwrap();
    let r = admin.call("/api/reco_retrain", &[]).await;
    assert!(r.status < 400, "{} {}", r.status, r.body);
    let mut after = status(&admin).await;
    for _ in 0..3000 {
        if !after.job.running {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        after = status(&admin).await;
    }
    assert_eq!(after.job.error, None);
    let active = after
        .active
        .clone()
        .unwrap_or_else(|| panic!("a model is active: {after:?}"));
    assert_eq!(active.trigger, "manual");
    assert!(
        active.ndcg > active.popularity_ndcg,
        "the model beats popularity on held-out data: {active:?}"
    );
    assert!(
        active.items >= 100 && active.interactions > 1000,
        "{active:?}"
    );
    assert_eq!(after.history[0].version, active.version);
    let page = admin.get("/admin/recommendations").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Retrain now") && page.body.contains(&format!("{:.3}", active.ndcg))
    );

    // "Learners who bought this also liked" on an item page, from the active version.
    let with_neighbours = rows::<serde_json::Value>(
        &app.db,
        "neighbours",
        "SELECT record::id(id) AS id, items FROM reco_neighbour WHERE version = $v LIMIT 1",
        json!({ "v": active.version }),
        0,
    )
    .await
    .unwrap();
    let id = with_neighbours[0]["id"].as_str().unwrap();
    let item_key = id.split_once('_').unwrap().1;
    let index = rows::<serde_json::Value>(
        &app.db,
        "slug",
        "SELECT slug FROM type::record('item', $k)",
        json!({ "k": item_key }),
        0,
    )
    .await
    .unwrap();
    let slug = index[0]["slug"].as_str().unwrap();
    let (status_code, body) = get(&format!("/api/item?slug={slug}")).await;
    assert_eq!(status_code, 200);
    let detail: ItemDetail = serde_json::from_str(&body).unwrap();
    assert!(!detail.also_liked.is_empty());
    let stored: Vec<String> = serde_json::from_value(with_neighbours[0]["items"].clone()).unwrap();
    assert!(detail.also_liked.iter().all(|c| stored.contains(&c.key)));
    let (_, html) = get(&format!("/item/{slug}")).await;
    assert!(html.contains("Learners who bought this also liked"));

    // The cards: every published item, nothing owned for a visitor; a buyer's own items.
    let (code, body) = get("/api/reco_cards").await;
    assert_eq!(code, 200);
    let cards: RecoCards = serde_json::from_str(&body).unwrap();
    assert!(cards.cards.len() as i64 >= active.items - 1);
    assert!(cards.owned.is_empty());
    let buyer = common::Browser::new(app);
    let token = app::ssr::sessions::create(&app.db, "l0001", "test")
        .await
        .unwrap();
    buyer.set_session(Some(&token));
    let r = buyer.fetch("/api/reco_cards").await;
    assert!(r.header("cache-control").contains("private"));
    let mine: RecoCards = serde_json::from_str(&r.body).unwrap();
    let owned = rows::<String>(
        &app.db,
        "owned",
        "SELECT VALUE record::id(item) FROM entitlement WHERE user = user:l0001 AND revoked_at = NONE",
        json!({}),
        0,
    )
    .await
    .unwrap();
    assert_eq!(mine.owned.len(), owned.len());

    // A second run only while none is going on; rollback returns to the version before.
    let r = admin.call("/api/reco_rollback", &[]).await;
    assert!(r.status < 400, "{} {}", r.status, r.body);
    let rolled = status(&admin).await;
    assert_eq!(rolled.active.map(|m| m.version), after.previous);
    assert_eq!(rolled.previous, None);
    let again = admin.call("/api/reco_rollback", &[]).await;
    assert_eq!(again.status, 409, "only one step back: {}", again.body);
}

/// The timer and the event count decide when the store retrains by itself.
#[tokio::test]
async fn the_store_retrains_after_enough_new_interactions() {
    use app::models::reco::RetrainSchedule;
    use server::recsys::trainer::StoreTrainer;
    let _one_at_a_time = RECO.lock().await;
    let app = app();
    let quick = server::recsys::als::AlsParams::default()
        .factors(8)
        .iterations(3);
    let trainer = StoreTrainer::new(
        app.db.clone(),
        RetrainSchedule {
            every_hours: 0,
            after_events: 3,
        },
    )
    .with_params(quick.clone());
    if app::ssr::reco::active(&app.db).await.unwrap().is_none() {
        assert_eq!(trainer.due().await.unwrap(), Some("startup"));
    }
    server::recsys::train::train_and_activate(
        &app.db,
        &quick,
        "test",
        server::recsys::train::quiet(),
    )
    .await
    .unwrap();
    assert_eq!(trainer.due().await.unwrap(), None, "nothing new yet");
    for n in 0..3 {
        app::ssr::db::execute(
            &app.db,
            "new event",
            "CREATE event SET user = user:l0002, item = (SELECT VALUE id FROM item WHERE status = 'published' LIMIT 1)[0], kind = 'view', at = time::now() + 1s",
            json!({ "n": n }),
        )
        .await
        .unwrap();
    }
    assert_eq!(trainer.due().await.unwrap(), Some("events"));
}

#[tokio::test]
async fn pages_speak_the_browsers_language_until_the_switch_changes_it() {
    let app = app();
    let b = common::Browser::new(app);
    // Accept-Language decides first.
    let zh = b
        .get_with(
            "/catalog?price=free",
            &[
                ("accept", "text/html"),
                ("accept-language", "zh-CN,zh;q=0.9"),
            ],
        )
        .await;
    assert!(
        zh.body.contains(r#"<html lang="zh-CN""#),
        "{}",
        &zh.body[..300]
    );
    assert!(zh.body.contains("全部内容") && zh.body.contains(">免费<"));
    assert!(!zh.body.contains(">Free<"));
    let en = b.get("/catalog?price=free").await;
    assert!(en.body.contains(r#"<html lang="en""#));
    assert!(en.body.contains(">Free<") && en.body.contains("Language:"));

    // The switch remembers the choice in a cookie and goes back to the page it was on.
    let r = b
        .submit("/lang", &[("to", "zh-CN"), ("back", "/catalog?kind=audio")])
        .await;
    assert_eq!(r.status, 303, "{r:?}");
    assert_eq!(r.location(), "/catalog?kind=audio");
    assert_eq!(b.cookie("sz_lang").as_deref(), Some("zh-CN"));
    let page = b.get("/catalog?kind=audio").await;
    assert!(page.body.contains(r#"<html lang="zh-CN""#));
    assert!(page.body.contains(">音频<"));

    // Only paths on this site are followed back; an unknown language is refused.
    let r = b
        .submit("/lang", &[("to", "en"), ("back", "//evil.example/")])
        .await;
    assert_eq!((r.status, r.location()), (303, "/"));
    let r = b.submit("/lang", &[("to", "fr"), ("back", "/")]).await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("zh-CN"), "{}", r.body);
    assert_eq!(b.cookie("sz_lang").as_deref(), Some("en"));
    // A cross-site form cannot switch it.
    let r = b
        .post_raw(
            "/lang",
            &[
                ("sec-fetch-site", "cross-site"),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            "to=zh-CN&back=/".into(),
        )
        .await;
    assert_eq!(r.status, 403, "{r:?}");
    assert_eq!(b.cookie("sz_lang").as_deref(), Some("en"));
}

#[tokio::test]
async fn a_signed_in_learners_language_is_saved_to_their_account() {
    let app = app();
    let (b, key) = common::shop::learner(app).await;
    let r = b
        .submit("/lang", &[("to", "zh-CN"), ("back", "/library")])
        .await;
    assert_eq!(r.status, 303, "{r:?}");
    let saved = common::shop::query(
        &app.db,
        "SELECT VALUE locale FROM type::record('user', $key)",
        json!({ "key": key }),
    )
    .await;
    assert_eq!(saved, vec![json!("zh-CN")]);
    // The account wins over the browser's language, on another device too (no cookie).
    let other = common::Browser::new(app);
    other.set_session(b.session().as_deref());
    let page = other
        .get_with(
            "/library",
            &[("accept", "text/html"), ("accept-language", "en-US")],
        )
        .await;
    assert!(page.body.contains("我的书架"), "{}", &page.body[..400]);
}
