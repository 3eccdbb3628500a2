//! The authorisation matrix: every server function and every protected route, asked by
//! each kind of person, is allowed or refused exactly as this table says. A server function
//! missing from the table fails the test, so none can be added without deciding who may
//! call it.

use crate::common;

use common::{app, Browser, Reply, TestApp};

/// Who asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Persona {
    Anonymous,
    Learner,
    OtherLearner,
    Creator,
    OtherCreator,
    Admin,
}

use Persona::*;
const EVERYONE: &[Persona] = &[
    Anonymous,
    Learner,
    OtherLearner,
    Creator,
    OtherCreator,
    Admin,
];
const SIGNED_IN: &[Persona] = &[Learner, OtherLearner, Creator, OtherCreator, Admin];
const ADMINS: &[Persona] = &[Admin];
const CREATORS: &[Persona] = &[Creator, OtherCreator, Admin];

impl Persona {
    /// The demo account behind the persona.
    fn user_key(self) -> Option<&'static str> {
        match self {
            Anonymous => None,
            Learner => Some("l0101"),
            OtherLearner => Some("l0102"),
            Creator => Some("c1"),
            OtherCreator => Some("c2"),
            Admin => Some("admin"),
        }
    }
}

/// How a server function is called in the matrix: method, arguments (chosen so that an
/// allowed call is answered without changing anyone's data where possible), who may.
struct Entry {
    path: &'static str,
    get: bool,
    args: &'static [(&'static str, &'static str)],
    allowed: &'static [Persona],
}

const MATRIX: &[Entry] = &[
    // Catalog: public reads.
    Entry {
        path: "/api/catalog",
        get: true,
        args: &[],
        allowed: EVERYONE,
    },
    Entry {
        path: "/api/facets",
        get: true,
        args: &[],
        allowed: EVERYONE,
    },
    Entry {
        path: "/api/home",
        get: true,
        args: &[],
        allowed: EVERYONE,
    },
    Entry {
        path: "/api/item",
        get: true,
        args: &[("slug", "no-such-item")],
        allowed: EVERYONE,
    },
    Entry {
        path: "/api/creator",
        get: true,
        args: &[("slug", "lin-xiao")],
        allowed: EVERYONE,
    },
    // Accounts: open to everyone (they identify the person themselves).
    Entry {
        path: "/api/sign_up",
        get: false,
        args: &[
            ("email", ""),
            ("display_name", ""),
            ("password", ""),
            ("confirm", ""),
        ],
        allowed: EVERYONE,
    },
    Entry {
        path: "/api/confirm_sign_up",
        get: false,
        args: &[("token", "not-a-token")],
        allowed: EVERYONE,
    },
    Entry {
        path: "/api/sign_in",
        get: false,
        args: &[("email", ""), ("password", "")],
        allowed: EVERYONE,
    },
    Entry {
        path: "/api/sign_out",
        get: false,
        args: &[],
        allowed: EVERYONE,
    },
    Entry {
        path: "/api/request_password_reset",
        get: false,
        args: &[("email", "not-an-address")],
        allowed: EVERYONE,
    },
    Entry {
        path: "/api/reset_password",
        get: false,
        args: &[("token", "x"), ("password", ""), ("confirm", "")],
        allowed: EVERYONE,
    },
    // Accounts: the signed-in person's own.
    Entry {
        path: "/api/account",
        get: true,
        args: &[],
        allowed: SIGNED_IN,
    },
    Entry {
        path: "/api/sign_out_everywhere",
        get: false,
        args: &[],
        allowed: SIGNED_IN,
    },
    Entry {
        path: "/api/change_password",
        get: false,
        args: &[("current", ""), ("password", ""), ("confirm", "")],
        allowed: SIGNED_IN,
    },
    Entry {
        path: "/api/update_profile",
        get: false,
        args: &[("display_name", ""), ("locale", "xx")],
        allowed: SIGNED_IN,
    },
    Entry {
        path: "/api/set_consent",
        get: false,
        args: &[],
        allowed: SIGNED_IN,
    },
    Entry {
        path: "/api/revoke_session",
        get: false,
        args: &[("id", "no-such-device")],
        allowed: SIGNED_IN,
    },
    Entry {
        path: "/api/delete_account",
        get: false,
        args: &[("password", "")],
        allowed: SIGNED_IN,
    },
    // Commerce: the cart is anyone's (a visitor's by cookie); orders are their buyer's.
    Entry {
        path: "/api/cart",
        get: true,
        args: &[],
        allowed: EVERYONE,
    },
    Entry {
        path: "/api/bundle",
        get: true,
        args: &[("slug", "no-such-bundle")],
        allowed: EVERYONE,
    },
    Entry {
        path: "/api/cart_add",
        get: false,
        args: &[("product", "item:no-such-item")],
        allowed: EVERYONE,
    },
    Entry {
        path: "/api/cart_remove",
        get: false,
        args: &[("product", "item:no-such-item")],
        allowed: EVERYONE,
    },
    Entry {
        path: "/api/coupon_apply",
        get: false,
        args: &[("code", "")],
        allowed: EVERYONE,
    },
    Entry {
        path: "/api/coupon_remove",
        get: false,
        args: &[],
        allowed: EVERYONE,
    },
    Entry {
        path: "/api/checkout",
        get: false,
        args: &[("key", "")],
        allowed: SIGNED_IN,
    },
    Entry {
        path: "/api/orders",
        get: true,
        args: &[],
        allowed: SIGNED_IN,
    },
    Entry {
        path: "/api/order",
        get: true,
        args: &[("id", "o000000000000000000000000")],
        allowed: SIGNED_IN,
    },
    Entry {
        path: "/api/pay_sandbox",
        get: false,
        args: &[("order", "o000000000000000000000000"), ("card", "")],
        allowed: SIGNED_IN,
    },
    Entry {
        path: "/api/order_cancel",
        get: false,
        args: &[("order", "o000000000000000000000000")],
        allowed: SIGNED_IN,
    },
    Entry {
        path: "/api/order_refund",
        get: false,
        args: &[("order", "o000000000000000000000000")],
        allowed: SIGNED_IN,
    },
    Entry {
        path: "/api/claim",
        get: false,
        args: &[("slug", "no-such-item")],
        allowed: SIGNED_IN,
    },
    // Memberships: the page is public, a trial is for a signed-in learner.
    Entry {
        path: "/api/membership",
        get: true,
        args: &[("tier", "no-such-tier")],
        allowed: EVERYONE,
    },
    Entry {
        path: "/api/membership_trial",
        get: false,
        args: &[("tier", "no-such-tier")],
        allowed: SIGNED_IN,
    },
    // Gifts: anyone may price one or open a link; buying and claiming need an account.
    Entry {
        path: "/api/gift_quote",
        get: true,
        args: &[("product", "item:no-such-item")],
        allowed: EVERYONE,
    },
    Entry {
        path: "/api/gift_checkout",
        get: false,
        args: &[("product", "item:no-such-item"), ("email", ""), ("key", "")],
        allowed: SIGNED_IN,
    },
    Entry {
        path: "/api/gift",
        get: true,
        args: &[("token", "not-a-gift")],
        allowed: EVERYONE,
    },
    Entry {
        path: "/api/gift_claim",
        get: false,
        args: &[("token", "not-a-gift")],
        allowed: SIGNED_IN,
    },
    // A creator's sales, refund window and coupons (admins without a storefront get 404).
    Entry {
        path: "/api/studio_sales",
        get: true,
        args: &[],
        allowed: CREATORS,
    },
    Entry {
        path: "/api/studio_refund_window",
        get: false,
        args: &[("days", "-1")],
        allowed: CREATORS,
    },
    Entry {
        path: "/api/studio_coupon",
        get: false,
        args: &[("code", "x"), ("kind", "percent"), ("value", "10")],
        allowed: CREATORS,
    },
    // A creator's products: item prices, the membership tier, bundles.
    Entry {
        path: "/api/studio_products",
        get: true,
        args: &[],
        allowed: CREATORS,
    },
    Entry {
        path: "/api/studio_item",
        get: false,
        args: &[("slug", "no-such-item"), ("price", "1")],
        allowed: CREATORS,
    },
    Entry {
        path: "/api/studio_new_item",
        get: false,
        args: &[
            ("kind", "article"),
            ("category", "no-such-category"),
            ("language", "en"),
            ("title", "T"),
        ],
        allowed: CREATORS,
    },
    Entry {
        path: "/api/media_place",
        get: true,
        args: &[("hash", "no-such-file")],
        allowed: SIGNED_IN,
    },
    Entry {
        path: "/api/media_place_save",
        get: false,
        args: &[("hash", "no-such-file"), ("at", "1"), ("saved_ms", "1")],
        allowed: SIGNED_IN,
    },
    Entry {
        path: "/api/creator_profile",
        get: false,
        args: &[
            ("slug", "lin-xiao"),
            ("name", ""),
            ("bio", ""),
            ("revision", "-1"),
        ],
        allowed: &[Creator, Admin],
    },
    Entry {
        path: "/api/store_front",
        get: false,
        args: &[
            ("tagline_en", ""),
            ("tagline_zh", ""),
            ("intro_en", ""),
            ("intro_zh", ""),
            ("revision", "-1"),
        ],
        allowed: &[Admin],
    },
    Entry {
        path: "/api/studio_tier",
        get: false,
        args: &[("name", ""), ("monthly", "1"), ("yearly", "1")],
        allowed: CREATORS,
    },
    Entry {
        path: "/api/studio_bundle",
        get: false,
        args: &[("slug", ""), ("title", ""), ("price", "1")],
        allowed: CREATORS,
    },
    // Editing an item on its page: its creator (c1 owns ITEM) and admins only. Saves and
    // publications name revision -1, which never exists: an allowed call is answered (a
    // conflict) without changing the page.
    Entry {
        path: "/api/editor_open",
        get: false,
        args: &[("json", r#"{"slug":"ITEM"}"#)],
        allowed: &[Creator, Admin],
    },
    Entry {
        path: "/api/editor_save",
        get: false,
        args: &[(
            "json",
            r#"{"slug":"ITEM","base":-1,"doc":{"title_en":"","title_zh":"","summary_en":"","summary_zh":"","description":"","price_minor":0,"tags":[],"preview":[],"body":[]}}"#,
        )],
        allowed: &[Creator, Admin],
    },
    Entry {
        path: "/api/editor_publish",
        get: false,
        args: &[("json", r#"{"slug":"ITEM","revision":-1}"#)],
        allowed: &[Creator, Admin],
    },
    Entry {
        path: "/api/editor_schedule",
        get: false,
        args: &[("json", r#"{"slug":"ITEM","revision":-1,"at":null}"#)],
        allowed: &[Creator, Admin],
    },
    Entry {
        path: "/api/editor_history",
        get: false,
        args: &[("json", r#"{"slug":"ITEM"}"#)],
        allowed: &[Creator, Admin],
    },
    Entry {
        path: "/api/editor_version",
        get: false,
        args: &[("json", r#"{"slug":"ITEM","id":"nosuchversion"}"#)],
        allowed: &[Creator, Admin],
    },
    Entry {
        path: "/api/editor_restore",
        get: false,
        args: &[("json", r#"{"slug":"ITEM","id":"nosuchversion","base":-1}"#)],
        allowed: &[Creator, Admin],
    },
    // Reports: anyone signed in (what may be reported is tested in moderation.rs).
    Entry {
        path: "/api/report",
        get: false,
        args: &[
            ("slug", "no-such-item"),
            ("kind", "item"),
            ("target", ""),
            ("reason", "spam"),
        ],
        allowed: SIGNED_IN,
    },
    // Moderation: admins. The calls name nothing that exists, or a word list that is too
    // long, so an allowed call changes nothing.
    Entry {
        path: "/api/moderation",
        get: true,
        args: &[],
        allowed: ADMINS,
    },
    Entry {
        path: "/api/moderate",
        get: false,
        args: &[
            ("kind", "comment"),
            ("target", "nosuchcomment"),
            ("action", "hide"),
        ],
        allowed: ADMINS,
    },
    Entry {
        path: "/api/word_list",
        get: false,
        args: &[(
            "words",
            "a-word-list-entry-that-is-far-too-long-to-be-accepted-by-the-store",
        )],
        allowed: ADMINS,
    },
    Entry {
        path: "/api/lift_suspension",
        get: false,
        args: &[("user", "nosuchuser")],
        allowed: ADMINS,
    },
    // Administration.
    Entry {
        path: "/api/admin_users",
        get: true,
        args: &[],
        allowed: ADMINS,
    },
    Entry {
        path: "/api/admin_set_role",
        get: false,
        args: &[("user", "l0101"), ("role", "no-such-role"), ("on", "true")],
        allowed: ADMINS,
    },
    Entry {
        path: "/api/admin_outbox",
        get: true,
        args: &[],
        allowed: ADMINS,
    },
    // Recommendations: the catalogue's cards for ranking on the device are public (the
    // owned list is the viewer's own); the model is the admins'.
    Entry {
        path: "/api/reco_cards",
        get: true,
        args: &[],
        allowed: EVERYONE,
    },
    Entry {
        path: "/api/library",
        get: true,
        args: &[],
        allowed: SIGNED_IN,
    },
    // Reader: the text under the item page's rule (tested in reading.rs); the place is saved
    // for signed-in learners only.
    Entry {
        path: "/api/reader",
        get: true,
        args: &[("slug", "no-such-item")],
        allowed: EVERYONE,
    },
    Entry {
        path: "/api/reading",
        get: false,
        args: &[
            ("slug", "no-such-item"),
            ("block", "0"),
            ("fraction", "0.5"),
            ("saved_ms", "1795000000000"),
        ],
        allowed: SIGNED_IN,
    },
    // Lessons: marked by learners who may read the course (who may is tested in reading.rs).
    Entry {
        path: "/api/lesson_done",
        get: false,
        args: &[("slug", "no-such-item"), ("lesson", "l1"), ("done", "true")],
        allowed: SIGNED_IN,
    },
    // Notes: the learner's own, on what they may read (privacy tested in notes.rs). The
    // body is JSON: an args list of one ("json", body) is sent as it is.
    Entry {
        path: "/api/notes",
        get: false,
        args: &[("json", r#"{"slug":"no-such-item","changes":[]}"#)],
        allowed: SIGNED_IN,
    },
    // Community: anyone reads; writing needs an account (owner-only reviews and who may
    // delete a comment are tested in community.rs).
    Entry {
        path: "/api/community",
        get: true,
        args: &[("slug", "no-such-item")],
        allowed: EVERYONE,
    },
    Entry {
        path: "/api/save_review",
        get: false,
        args: &[("slug", "no-such-item"), ("rating", "5"), ("text", "")],
        allowed: SIGNED_IN,
    },
    Entry {
        path: "/api/delete_review",
        get: false,
        args: &[("slug", "no-such-item")],
        allowed: SIGNED_IN,
    },
    Entry {
        path: "/api/post_comment",
        get: false,
        args: &[
            ("slug", "no-such-item"),
            ("text", "x"),
            ("key", "matrixkey01"),
        ],
        allowed: SIGNED_IN,
    },
    Entry {
        path: "/api/delete_comment",
        get: false,
        args: &[("slug", "no-such-item"), ("id", "x")],
        allowed: SIGNED_IN,
    },
    Entry {
        path: "/api/like_item",
        get: false,
        args: &[("slug", "no-such-item"), ("on", "true")],
        allowed: SIGNED_IN,
    },
    Entry {
        path: "/api/send_feedback",
        get: false,
        args: &[("slug", "no-such-item"), ("text", "x")],
        allowed: SIGNED_IN,
    },
    Entry {
        path: "/api/notifications",
        get: true,
        args: &[],
        allowed: SIGNED_IN,
    },
    Entry {
        path: "/api/follow_creator",
        get: false,
        args: &[("slug", "no-such-creator"), ("on", "true")],
        allowed: SIGNED_IN,
    },
    Entry {
        path: "/api/following",
        get: true,
        args: &[],
        allowed: SIGNED_IN,
    },
    // The inbox is a store's: people without one (learners, admins) are refused.
    Entry {
        path: "/api/inbox",
        get: true,
        args: &[],
        allowed: &[Creator, OtherCreator],
    },
    Entry {
        path: "/api/mark_feedback",
        get: false,
        args: &[("id", "nosuchmessage"), ("handled", "true")],
        allowed: SIGNED_IN,
    },
    Entry {
        path: "/api/reco_status",
        get: true,
        args: &[],
        allowed: ADMINS,
    },
    Entry {
        path: "/api/reco_retrain",
        get: false,
        args: &[],
        allowed: ADMINS,
    },
    Entry {
        path: "/api/reco_rollback",
        get: false,
        args: &[],
        allowed: ADMINS,
    },
    // Analytics: a creator's own store (the function picks it), admins any.
    Entry {
        path: "/api/analytics",
        get: true,
        args: &[],
        allowed: CREATORS,
    },
];

/// Protected routes that are not server functions: path and who may.
const ROUTES: &[(&str, &[Persona])] = &[
    ("/account", SIGNED_IN),
    ("/account/export.json", SIGNED_IN),
    ("/notes.md", SIGNED_IN),
    ("/orders", SIGNED_IN),
    ("/library", SIGNED_IN),
    ("/admin/users", ADMINS),
    ("/admin/outbox", ADMINS),
    ("/admin/recommendations", ADMINS),
    ("/admin/moderation", ADMINS),
    ("/studio/analytics.csv?table=days", CREATORS),
];

/// A browser signed in as `persona` with a session of its own (made directly in the
/// database: the matrix is about authorisation, not about passwords).
async fn browser_as(app: &TestApp, persona: Persona) -> Browser {
    let b = Browser::new(app);
    if let Some(key) = persona.user_key() {
        let token = app::ssr::sessions::create(&app.db, key, "matrix")
            .await
            .unwrap();
        b.set_session(Some(&token));
    }
    b
}

fn refused(r: &Reply) -> bool {
    matches!(r.status, 401 | 403) || (r.status == 303 && r.location().starts_with("/signin"))
}

#[tokio::test]
async fn every_server_function_is_in_the_matrix() {
    let registered: std::collections::BTreeSet<String> = server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_string())
        .collect();
    let listed: std::collections::BTreeSet<String> =
        MATRIX.iter().map(|e| e.path.to_string()).collect();
    let missing: Vec<_> = registered.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&registered).collect();
    assert!(
        missing.is_empty(),
        "server functions without a matrix entry: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "matrix entries for functions that do not exist: {stale:?}"
    );
}

#[tokio::test]
async fn every_server_function_allows_and_refuses_as_the_matrix_says() {
    let app = app();
    // An item of creator c1 (the matrix's Creator), for the editor's entries.
    let c1_item = common::shop::paid_items(&app.db, "c1").await[0].0.clone();
    let mut wrong = Vec::new();
    for entry in MATRIX {
        for &persona in EVERYONE {
            let b = browser_as(app, persona).await;
            let r = if entry.get {
                let q = common::form(entry.args);
                b.fetch(&format!("{}?{q}", entry.path)).await
            } else if let [("json", body)] = entry.args {
                b.post_raw(
                    entry.path,
                    &[
                        ("content-type", "application/json"),
                        ("accept", "application/json"),
                        ("sec-fetch-site", "same-origin"),
                    ],
                    body.replace("ITEM", &c1_item),
                )
                .await
            } else {
                b.call(entry.path, entry.args).await
            };
            let allowed = entry.allowed.contains(&persona);
            if allowed == refused(&r) || r.status >= 500 {
                wrong.push(format!(
                    "{} as {persona:?}: {} {}",
                    entry.path,
                    r.status,
                    r.body.chars().take(120).collect::<String>()
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[tokio::test]
async fn protected_routes_allow_and_refuse_as_the_matrix_says() {
    let app = app();
    let mut wrong = Vec::new();
    for (path, allowed) in ROUTES {
        for &persona in EVERYONE {
            let r = browser_as(app, persona).await.get(path).await;
            let ok = allowed.contains(&persona);
            if ok != (r.status == 200) || (!ok && !refused(&r)) {
                wrong.push(format!("{path} as {persona:?}: {}", r.status));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[tokio::test]
async fn granting_a_role_takes_effect_on_the_next_request_under_a_new_session_id() {
    let app = app();
    // Learners of their own, so that the matrix test's sign-outs do not touch them.
    let learner = Browser::new(app);
    let token = app::ssr::sessions::create(&app.db, "l0105", "matrix")
        .await
        .unwrap();
    learner.set_session(Some(&token));
    let before = learner.session().unwrap();
    assert_eq!(learner.fetch("/api/admin_users").await.status, 403);

    let admin = browser_as(app, Persona::Admin).await;
    let r = admin
        .call(
            "/api/admin_set_role",
            &[("user", "l0103"), ("role", "admin"), ("on", "true")],
        )
        .await;
    assert!(r.status < 400, "{r:?}");
    let promoted = Browser::new(app);
    let token = app::ssr::sessions::create(&app.db, "l0103", "matrix")
        .await
        .unwrap();
    promoted.set_session(Some(&token));
    // A session that existed before the grant gets a new id on its next request.
    let old = Browser::new(app);
    let old_token = app::ssr::sessions::create(&app.db, "l0104", "matrix")
        .await
        .unwrap();
    old.set_session(Some(&old_token));
    let r = admin
        .call(
            "/api/admin_set_role",
            &[("user", "l0104"), ("role", "creator"), ("on", "true")],
        )
        .await;
    assert!(r.status < 400);
    assert_eq!(old.get("/account").await.status, 200);
    assert_ne!(old.session().unwrap(), old_token, "rotated");
    let replay = Browser::new(app);
    replay.set_session(Some(&old_token));
    assert_eq!(
        replay.get("/account").await.status,
        401,
        "the old id is dead"
    );
    assert_eq!(promoted.fetch("/api/admin_users").await.status, 200);

    // Admins cannot remove their own admin role; learners cannot grant anything.
    let r = admin
        .call(
            "/api/admin_set_role",
            &[("user", "admin"), ("role", "admin"), ("on", "false")],
        )
        .await;
    assert_eq!(r.status, 400);
    let r = learner
        .call(
            "/api/admin_set_role",
            &[("user", "l0105"), ("role", "admin"), ("on", "true")],
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(learner.session().unwrap(), before);
    let audit: Vec<serde_json::Value> = app::ssr::db::rows(
        &app.db,
        "audit",
        "SELECT * FROM audit WHERE action = 'role_change' AND actor = user:admin",
        serde_json::json!({}),
        0,
    )
    .await
    .unwrap();
    assert!(audit.len() >= 2);
}
