//! Editing the store front and creator pages in place, through the real router: only the
//! creator (or an admin) edits a creator page and only admins the store front; what is
//! saved is what visitors see, as text; a save made from an older copy is refused; bad
//! names, lengths and pictures are refused with a reason and change nothing.

use crate::common;

use common::shop::learner;
use common::uploads::{png, upload};
use common::{app, signed_in, Browser, Reply};
use serde_json::Value;

async fn save_profile(b: &Browser, name: &str, bio: &str, avatar: &str, revision: i64) -> Reply {
    b.call(
        "/api/creator_profile",
        &[
            ("slug", "maya-chen"),
            ("name", name),
            ("bio", bio),
            ("avatar", avatar),
            ("revision", &revision.to_string()),
        ],
    )
    .await
}

async fn creator_page(b: &Browser) -> Value {
    let r = b.fetch("/api/creator?slug=maya-chen").await;
    assert_eq!(r.status, 200, "{r:?}");
    serde_json::from_str(&r.body).unwrap()
}

#[tokio::test]
async fn a_creator_edits_their_own_page_and_nobody_else_can() {
    let app = app();
    let maya = signed_in(app, "c2").await;
    let visitor = Browser::new(app);
    let page = creator_page(&maya).await;
    assert_eq!(page["can_edit"], true);
    assert_eq!(creator_page(&visitor).await["can_edit"], false);
    assert!(maya
        .get("/creator/maya-chen")
        .await
        .body
        .contains("data-testid=\"edit-page\""));
    assert!(!visitor
        .get("/creator/maya-chen")
        .await
        .body
        .contains("data-testid=\"edit-page\""));
    let rev = page["revision"].as_i64().unwrap();

    // Her own picture, a new biography with hostile text: saved, and shown as text.
    let r = upload(&maya, "image", "me.png", png(200, 200)).await;
    assert_eq!(r.status, 201, "{r:?}");
    let hash = serde_json::from_str::<Value>(&r.body).unwrap()["hash"]
        .as_str()
        .unwrap()
        .to_string();
    let picture = format!("/media/{hash}.png");
    let bio = "Baker and teacher. <script>alert(1)</script><img src=x onerror=alert(2)>";
    let r = save_profile(&maya, "Maya Chen", bio, &picture, rev).await;
    assert_eq!(r.status, 200, "{r:?}");
    let html = visitor.get("/creator/maya-chen").await.body;
    assert!(html.contains("Baker and teacher. &lt;script&gt;"), "{html}");
    assert!(!html.contains("<script>alert(1)"));
    assert!(!html.contains("<img src=x"));
    assert!(html.contains(&picture));
    // The picture is public now: a visitor gets it.
    assert_eq!(visitor.get(&picture).await.status, 200);

    // A save from the copy before that one is refused, and changes nothing.
    let r = save_profile(&maya, "Someone else", "", "", rev).await;
    assert_eq!(r.status, 409, "{r:?}");
    assert!(r.body.contains("Someone saved this profile"), "{}", r.body);
    let now = creator_page(&visitor).await;
    assert_eq!(now["creator"]["name"], "Maya Chen");
    let rev = now["revision"].as_i64().unwrap();
    assert_eq!(rev, page["revision"].as_i64().unwrap() + 1);

    // Bad input: an empty name, a long biography, a picture from elsewhere.
    let r = save_profile(&maya, "   ", "", "", rev).await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("name cannot be empty"), "{}", r.body);
    let r = save_profile(&maya, "Maya", &"x".repeat(1_001), "", rev).await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("1001"), "{}", r.body);
    for avatar in [
        "javascript:alert(1)",
        "https://elsewhere.example/a.png",
        "/media/../../etc/passwd",
    ] {
        let r = save_profile(&maya, "Maya", "", avatar, rev).await;
        assert_eq!(r.status, 400, "{avatar}: {r:?}");
    }
    let lin = signed_in(app, "c1").await;
    let r = upload(&lin, "image", "other.png", png(120, 90)).await;
    let other_hash = serde_json::from_str::<Value>(&r.body).unwrap()["hash"]
        .as_str()
        .unwrap()
        .to_string();
    let r = save_profile(&maya, "Maya", "", &format!("/media/{other_hash}.png"), rev).await;
    assert_eq!(r.status, 400, "{r:?}");
    assert_eq!(creator_page(&visitor).await["revision"], rev);

    // Who may save: not another creator, a learner or a visitor; an admin may.
    assert_eq!(save_profile(&lin, "Maya", "", "", rev).await.status, 403);
    let (learner_b, _) = learner(app).await;
    assert_eq!(
        save_profile(&learner_b, "Maya", "", "", rev).await.status,
        403
    );
    assert_eq!(
        save_profile(&visitor, "Maya", "", "", rev).await.status,
        401
    );
    let admin = signed_in(app, "admin").await;
    let r = save_profile(&admin, "Maya Chen", "Edited by the store.", "", rev).await;
    assert_eq!(r.status, 200, "{r:?}");
    // An empty picture goes back to the drawn initial.
    assert_eq!(
        creator_page(&visitor).await["creator"]["avatar"],
        "/avatars/maya-chen.svg"
    );
}

async fn save_front(b: &Browser, tagline_en: &str, intro_zh: &str, revision: i64) -> Reply {
    b.call(
        "/api/store_front",
        &[
            ("tagline_en", tagline_en),
            ("tagline_zh", ""),
            ("intro_en", ""),
            ("intro_zh", intro_zh),
            ("revision", &revision.to_string()),
        ],
    )
    .await
}

#[tokio::test]
async fn admins_edit_the_store_front_and_visitors_see_it() {
    let app = app();
    let admin = signed_in(app, "admin").await;
    let visitor = Browser::new(app);
    assert!(admin
        .get("/")
        .await
        .body
        .contains("data-testid=\"edit-page\""));
    assert!(!visitor
        .get("/")
        .await
        .body
        .contains("data-testid=\"edit-page\""));
    let home: Value = serde_json::from_str(&visitor.fetch("/api/home").await.body).unwrap();
    let rev = home["front"]["revision"].as_i64().unwrap();

    let r = save_front(&admin, "Bread, books & <b>code</b>", "每天学一点。", rev).await;
    assert_eq!(r.status, 200, "{r:?}");
    let en = visitor
        .get_with("/", &[("accept-language", "en")])
        .await
        .body;
    assert!(
        en.contains("Bread, books &amp; &lt;b&gt;code&lt;/b&gt;"),
        "{en}"
    );
    let zh = visitor
        .get_with("/", &[("accept-language", "zh-CN")])
        .await
        .body;
    assert!(zh.contains("每天学一点。"));

    // Stale, too long, and not an admin: refused, nothing changes.
    assert_eq!(save_front(&admin, "Old copy", "", rev).await.status, 409);
    let r = save_front(&admin, &"x".repeat(121), "", rev + 1).await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("121"), "{}", r.body);
    let maya = signed_in(app, "c2").await;
    assert_eq!(save_front(&maya, "Mine now", "", rev + 1).await.status, 403);
    assert_eq!(
        save_front(&visitor, "Mine now", "", rev + 1).await.status,
        401
    );
    let home: Value = serde_json::from_str(&visitor.fetch("/api/home").await.body).unwrap();
    assert_eq!(home["front"]["tagline_en"], "Bread, books & <b>code</b>");
    assert_eq!(home["front"]["revision"], rev + 1);
}
