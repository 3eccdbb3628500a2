//! Accounts through the real router: sign-up with mailed confirmation, sign-in and out,
//! password reset and change, sessions (rotation, forgery, revocation), consent, export,
//! deletion, cross-site refusal, attempt limits, body limits and security headers.

use crate::common;

use app::ssr::db::{rows, Db};
use common::{app, Browser, TestApp};
use serde_json::{json, Value};
use std::sync::OnceLock;

const PASSWORD: &str = "a long enough passphrase";

/// The newest outbox mail to `to`, polled briefly.
async fn last_mail(db: &Db, to: &str) -> Option<(String, String)> {
    let found: Vec<Value> = rows(
        db,
        "test outbox",
        "SELECT subject, body, created_at FROM outbox WHERE to = $to ORDER BY created_at DESC LIMIT 1",
        json!({ "to": to }),
        0,
    )
    .await
    .unwrap();
    found.first().map(|m| {
        (
            m["subject"].as_str().unwrap().to_string(),
            m["body"].as_str().unwrap().to_string(),
        )
    })
}

/// The path of the first store link in a mail body (`/signup/confirm/…`, `/reset/…`).
fn link_in(body: &str) -> String {
    let start = body.find(common::ORIGIN).expect("a link in the mail") + common::ORIGIN.len();
    body[start..].split_whitespace().next().unwrap().to_string()
}

/// A published item that stays published while these tests run (the creator-deletion test
/// unpublishes creator c4's items).
async fn published_slug(db: &Db) -> String {
    let found: Vec<Value> = rows(
        db,
        "test slug",
        "SELECT slug FROM item WHERE status = 'published' AND creator != creator:c4 LIMIT 1",
        json!({}),
        0,
    )
    .await
    .unwrap();
    found[0]["slug"].as_str().unwrap().to_string()
}

async fn count(db: &Db, sql: &str, vars: Value) -> usize {
    let v: Vec<Value> = rows(db, "test count", sql, vars, 0).await.unwrap();
    v.len()
}

/// Signs up `email` and confirms through the mailed link; the browser ends up signed in.
async fn sign_up(app: &TestApp, b: &Browser, email: &str) {
    let r = b
        .submit(
            "/api/sign_up",
            &[
                ("email", email),
                ("display_name", "Test Reader"),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 302, "{r:?}");
    assert_eq!(r.location(), "/signup?sent=1");
    let (subject, body) = last_mail(&app.db, email).await.expect("confirmation mail");
    assert!(subject.contains("Confirm"), "{subject}");
    let link = link_in(&body);
    assert!(link.starts_with("/signup/confirm/"), "{link}");
    // The link itself only shows a button (mail scanners open links).
    let page = b.get(&link).await;
    assert_eq!(page.status, 200);
    assert!(b.session().is_none());
    let token = link.trim_start_matches("/signup/confirm/");
    let r = b.submit("/api/confirm_sign_up", &[("token", token)]).await;
    assert_eq!(r.location(), "/account?welcome=1", "{r:?}");
    assert!(b.session().is_some());
}

async fn sign_in(b: &Browser, email: &str, password: &str) -> common::Reply {
    b.submit(
        "/api/sign_in",
        &[
            ("email", email),
            ("password", password),
            ("next", "/account"),
        ],
    )
    .await
}

#[tokio::test]
async fn sign_up_confirm_sign_out_and_sign_in_again() {
    let app = app();
    let b = Browser::new(app);
    sign_up(app, &b, "ada@example.com").await;

    let page = b.get("/account").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("ada@example.com"), "{}", page.body);
    assert!(page.body.contains("Chrome on Linux"));
    assert_eq!(page.header("cache-control"), "private, no-store");

    let r = b.submit("/api/sign_out", &[]).await;
    assert_eq!(r.location(), "/");
    assert_eq!(
        r.header("clear-site-data"),
        "\"cache\", \"cookies\", \"storage\""
    );
    assert!(b.session().is_none(), "the cookie is removed");
    assert_eq!(b.get("/account").await.status, 401);

    let r = sign_in(&b, "ADA@example.com ", PASSWORD).await;
    assert_eq!(r.location(), "/account", "{r:?}");
    assert_eq!(b.get("/account").await.status, 200);
    assert!(
        count(
            &app.db,
            "SELECT * FROM audit WHERE action = 'sign_in' AND user.email = 'ada@example.com'",
            json!({})
        )
        .await
            >= 1
    );
}

#[tokio::test]
async fn sign_up_answers_the_same_for_a_taken_address() {
    let app = app();
    let b = Browser::new(app);
    sign_up(app, &b, "taken@example.com").await;

    let again = Browser::new(app);
    let r = again
        .submit(
            "/api/sign_up",
            &[
                ("email", "taken@example.com"),
                ("display_name", "Someone Else"),
                ("password", "another long passphrase"),
                ("confirm", "another long passphrase"),
            ],
        )
        .await;
    assert_eq!(r.status, 302);
    assert_eq!(
        r.location(),
        "/signup?sent=1",
        "same answer as a new address"
    );
    let (subject, body) = last_mail(&app.db, "taken@example.com").await.unwrap();
    assert!(subject.contains("already have"), "{subject}");
    assert!(body.contains("/reset"));
    // The original password still works; nobody took the account over.
    assert_eq!(
        sign_in(&Browser::new(app), "taken@example.com", PASSWORD)
            .await
            .location(),
        "/account"
    );
}

#[tokio::test]
async fn bad_sign_up_input_is_reported_per_field_in_the_visitors_language() {
    let app = app();
    let b = Browser::new(app);
    let r = b
        .call(
            "/api/sign_up",
            &[
                ("email", "not-an-address"),
                ("display_name", ""),
                ("password", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{r:?}");
    let e: app::error::AppError = serde_json::from_str(&r.body).unwrap();
    use app::models::account::Problem;
    assert_eq!(e.problem_on("email"), Some(Problem::EmailInvalid));
    assert_eq!(e.problem_on("display_name"), Some(Problem::Required));
    assert_eq!(e.problem_on("password"), Some(Problem::PasswordTooShort));

    // Without JavaScript: back to the form, with the error in the URL, shown by the field.
    let r = b
        .submit(
            "/api/sign_up",
            &[
                ("email", "ada@example.com"),
                ("display_name", "Ada"),
                ("password", "password123"),
                ("confirm", "password123"),
            ],
        )
        .await;
    assert_eq!(r.status, 302);
    assert!(r.location().contains("__err="), "{}", r.location());
    let back = r
        .location()
        .replace(&app.base, "")
        .replace("/form", "/signup");
    let en = b.get(&back).await;
    assert!(
        en.body.contains("That password is too easy to guess"),
        "{}",
        en.body
    );
    let http = reqwest::Client::new();
    let zh = http
        .get(format!("{}{back}", app.base))
        .header("accept-language", "zh-CN,zh;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(zh.contains("这个密码太容易被猜到"), "{zh}");
    assert!(zh.contains(r#"aria-invalid="true""#));
}

#[tokio::test]
async fn wrong_passwords_and_unknown_addresses_get_the_same_answer() {
    let app = app();
    let b = Browser::new(app);
    sign_up(app, &b, "grace@example.com").await;
    let other = Browser::new(app);
    let wrong = other
        .call(
            "/api/sign_in",
            &[
                ("email", "grace@example.com"),
                ("password", "not the password"),
            ],
        )
        .await;
    let unknown = other
        .call(
            "/api/sign_in",
            &[
                ("email", "nobody@example.com"),
                ("password", "not the password"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(wrong.body, unknown.body);
    assert!(other.session().is_none());
    assert!(
        count(
            &app.db,
            "SELECT * FROM audit WHERE action = 'sign_in_failed' AND user.email = 'grace@example.com'",
            json!({})
        )
        .await
            >= 1
    );
}

#[tokio::test]
async fn password_reset_by_mailed_link_works_once_and_signs_out_everywhere() {
    let app = app();
    let b = Browser::new(app);
    sign_up(app, &b, "reset@example.com").await;
    let old_session = b.session().unwrap();

    let anon = Browser::new(app);
    let r = anon
        .submit(
            "/api/request_password_reset",
            &[("email", "reset@example.com")],
        )
        .await;
    assert_eq!(r.location(), "/reset?sent=1");
    let unknown = anon
        .submit(
            "/api/request_password_reset",
            &[("email", "ghost@example.com")],
        )
        .await;
    assert_eq!(unknown.location(), r.location(), "no account enumeration");
    assert!(last_mail(&app.db, "ghost@example.com").await.is_none());

    let (_, body) = last_mail(&app.db, "reset@example.com").await.unwrap();
    let link = link_in(&body);
    let token = link.trim_start_matches("/reset/").to_string();
    assert_eq!(anon.get(&link).await.status, 200);

    let new = "a brand new passphrase";
    let mismatch = anon
        .call(
            "/api/reset_password",
            &[
                ("token", &token),
                ("password", new),
                ("confirm", "something else"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, 422);
    assert!(
        mismatch.body.contains("PasswordMismatch"),
        "{}",
        mismatch.body
    );

    let r = anon
        .submit(
            "/api/reset_password",
            &[("token", &token), ("password", new), ("confirm", new)],
        )
        .await;
    assert_eq!(r.location(), "/signin?reset=1", "{r:?}");

    // The old session ended; the old password is gone; the new one works.
    b.set_session(Some(&old_session));
    assert_eq!(b.get("/account").await.status, 401);
    assert!(sign_in(&anon, "reset@example.com", PASSWORD)
        .await
        .location()
        .contains("__err"));
    assert_eq!(
        sign_in(&anon, "reset@example.com", new).await.location(),
        "/account"
    );

    // The link works once.
    let again = Browser::new(app)
        .call(
            "/api/reset_password",
            &[
                ("token", &token),
                ("password", "yet another passphrase"),
                ("confirm", "yet another passphrase"),
            ],
        )
        .await;
    assert_eq!(again.status, 422);
    assert!(again.body.contains("LinkExpired"), "{}", again.body);
}

#[tokio::test]
async fn an_expired_reset_link_is_refused() {
    let app = app();
    let b = Browser::new(app);
    sign_up(app, &b, "late@example.com").await;
    b.submit(
        "/api/request_password_reset",
        &[("email", "late@example.com")],
    )
    .await;
    let (_, body) = last_mail(&app.db, "late@example.com").await.unwrap();
    let token = link_in(&body).trim_start_matches("/reset/").to_string();
    app::ssr::db::execute(
        &app.db,
        "expire",
        "UPDATE password_reset SET expires_at = time::now() - 1m WHERE user.email = 'late@example.com'",
        json!({}),
    )
    .await
    .unwrap();
    let r = b
        .call(
            "/api/reset_password",
            &[
                ("token", &token),
                ("password", "a brand new passphrase"),
                ("confirm", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("LinkExpired"));
    assert_eq!(
        sign_in(&Browser::new(app), "late@example.com", PASSWORD)
            .await
            .location(),
        "/account"
    );
}

#[tokio::test]
async fn sessions_rotate_on_sign_in_and_forged_cookies_are_dropped() {
    let app = app();
    let b = Browser::new(app);
    sign_up(app, &b, "rotate@example.com").await;
    let first = b.session().unwrap();
    sign_in(&b, "rotate@example.com", PASSWORD).await;
    let second = b.session().unwrap();
    assert_ne!(first, second, "a new id on sign-in");
    let replay = Browser::new(app);
    replay.set_session(Some(&first));
    assert_eq!(
        replay.get("/account").await.status,
        401,
        "the old id is dead"
    );
    assert!(replay.session().is_none(), "and its cookie is cleared");

    // Tampered and forged cookies: anonymous, cookie cleared, no error.
    let mut tampered = second.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    for forged in [tampered.as_str(), "forged", "x'; DROP TABLE user; --", ""] {
        let f = Browser::new(app);
        f.set_session(Some(forged));
        let r = f.get("/account").await;
        assert_eq!(r.status, 401, "{forged}");
    }
    assert_eq!(b.get("/account").await.status, 200);
}

#[tokio::test]
async fn changing_the_password_ends_other_sessions_and_keeps_this_one() {
    let app = app();
    let laptop = Browser::new(app);
    sign_up(app, &laptop, "change@example.com").await;
    let phone = Browser::new(app);
    sign_in(&phone, "change@example.com", PASSWORD).await;

    let wrong = laptop
        .call(
            "/api/change_password",
            &[
                ("current", "not it at all"),
                ("password", "the next passphrase"),
                ("confirm", "the next passphrase"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("PasswordWrong"));

    let before = laptop.session().unwrap();
    let r = laptop
        .submit(
            "/api/change_password",
            &[
                ("current", PASSWORD),
                ("password", "the next passphrase"),
                ("confirm", "the next passphrase"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/account?saved=password", "{r:?}");
    assert_ne!(laptop.session().unwrap(), before, "new session id");
    assert_eq!(laptop.get("/account").await.status, 200);
    assert_eq!(phone.get("/account").await.status, 401);
}

#[tokio::test]
async fn devices_can_be_listed_and_signed_out_one_by_one_or_everywhere() {
    let app = app();
    let laptop = Browser::new(app);
    sign_up(app, &laptop, "devices@example.com").await;
    let phone = Browser::new(app);
    sign_in(&phone, "devices@example.com", PASSWORD).await;

    let ids: Vec<Value> = rows(
        &app.db,
        "ids",
        "SELECT public_id FROM session WHERE user.email = 'devices@example.com'",
        json!({}),
        0,
    )
    .await
    .unwrap();
    assert_eq!(ids.len(), 2);
    let account: app::models::account::AccountView =
        serde_json::from_str(&laptop.fetch("/api/account").await.body).unwrap();
    assert_eq!(account.sessions.len(), 2);
    let other = account.sessions.iter().find(|s| !s.current).unwrap();

    // Someone else cannot revoke it.
    let stranger = Browser::new(app);
    sign_up(app, &stranger, "stranger@example.com").await;
    let r = stranger
        .call("/api/revoke_session", &[("id", &other.id)])
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(phone.get("/account").await.status, 200);

    let r = laptop
        .call("/api/revoke_session", &[("id", &other.id)])
        .await;
    assert!(r.status < 400, "{r:?}");
    assert_eq!(phone.get("/account").await.status, 401);

    sign_in(&phone, "devices@example.com", PASSWORD).await;
    let r = phone.submit("/api/sign_out_everywhere", &[]).await;
    assert_eq!(r.location(), "/");
    assert_eq!(laptop.get("/account").await.status, 401);
    assert_eq!(phone.get("/account").await.status, 401);
}

#[tokio::test]
async fn interactions_are_recorded_only_with_consent() {
    let app = app();
    let b = Browser::new(app);
    sign_up(app, &b, "consent@example.com").await;
    let events = || {
        count(
            &app.db,
            "SELECT * FROM event WHERE user.email = 'consent@example.com' AND kind = 'view'",
            json!({}),
        )
    };
    let slug = published_slug(&app.db).await;
    assert_eq!(b.get(&format!("/item/{slug}")).await.status, 200);
    assert_eq!(events().await, 0, "consent is off by default");

    let r = b.submit("/api/set_consent", &[("analytics", "on")]).await;
    assert_eq!(r.location(), "/account?saved=privacy");
    assert_eq!(b.get(&format!("/item/{slug}")).await.status, 200);
    assert_eq!(events().await, 1);

    b.submit("/api/set_consent", &[]).await;
    assert_eq!(b.get(&format!("/item/{slug}")).await.status, 200);
    assert_eq!(events().await, 1, "off again: nothing more is recorded");
}

#[tokio::test]
async fn export_has_everything_about_me_and_nothing_secret() {
    let app = app();
    let b = Browser::new(app);
    sign_up(app, &b, "export@example.com").await;
    let r = b.get("/account/export.json").await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-disposition").contains("attachment"));
    let doc: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(doc["profile"]["email"], "export@example.com");
    assert_eq!(doc["consents"]["analytics"], false);
    assert_eq!(doc["sessions"].as_array().unwrap().len(), 1);
    assert!(doc["security_log"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "sign_up"));
    assert!(!r.body.contains("argon2"), "no password hash");
    assert!(!r.body.contains(&b.session().unwrap()), "no session secret");
    assert!(
        count(
            &app.db,
            "SELECT * FROM audit WHERE action = 'export' AND user.email = 'export@example.com'",
            json!({})
        )
        .await
            == 1
    );
    // Not signed in: off to sign in.
    let anon = Browser::new(app).get("/account/export.json").await;
    assert_eq!(anon.status, 303);
    assert!(anon.location().starts_with("/signin"));
}

#[tokio::test]
async fn deleting_an_account_removes_personal_data_and_ends_the_session() {
    let app = app();
    let b = Browser::new(app);
    sign_up(app, &b, "leaving@example.com").await;
    b.submit("/api/set_consent", &[("analytics", "on")]).await;
    b.get(&format!("/item/{}", published_slug(&app.db).await))
        .await;
    let user: Vec<Value> = rows(
        &app.db,
        "u",
        "SELECT <string> id AS id FROM user WHERE email = 'leaving@example.com'",
        json!({}),
        0,
    )
    .await
    .unwrap();
    let user_id = user[0]["id"].as_str().unwrap().to_string();

    let wrong = b
        .call("/api/delete_account", &[("password", "not my password")])
        .await;
    assert_eq!(wrong.status, 422);
    assert_eq!(b.get("/account").await.status, 200, "nothing happened");

    let r = b
        .submit("/api/delete_account", &[("password", PASSWORD)])
        .await;
    assert_eq!(r.location(), "/?deleted=1", "{r:?}");
    assert!(r.header("clear-site-data").contains("cookies"));
    assert!(b.session().is_none());
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM user WHERE email = 'leaving@example.com'",
            json!({})
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM outbox WHERE to = 'leaving@example.com'",
            json!({})
        )
        .await,
        0
    );
    for table in ["session", "event", "audit"] {
        let sql = format!("SELECT * FROM {table} WHERE <string> user = $u");
        assert_eq!(
            count(&app.db, &sql, json!({ "u": user_id })).await,
            0,
            "{table} still names the person"
        );
    }
    assert!(
        count(
            &app.db,
            "SELECT * FROM audit WHERE action = 'delete'",
            json!({})
        )
        .await
            >= 1
    );
    assert!(sign_in(&Browser::new(app), "leaving@example.com", PASSWORD)
        .await
        .location()
        .contains("__err"));
}

#[tokio::test]
async fn a_creator_can_delete_their_account_and_their_items_leave_the_catalog() {
    let app = app();
    let b = Browser::new(app);
    let r = sign_in(
        &b,
        "daniel-ortiz@demo.shuzhai.local",
        server::seed::DEMO_CREATOR_PASSWORD,
    )
    .await;
    assert_eq!(r.location(), "/account", "{r:?}");
    let r = b
        .submit(
            "/api/delete_account",
            &[("password", server::seed::DEMO_CREATOR_PASSWORD)],
        )
        .await;
    assert_eq!(r.location(), "/?deleted=1", "{r:?}");
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM item WHERE creator = creator:c4 AND status = 'published'",
            json!({})
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM creator:c4 WHERE user = NONE",
            json!({})
        )
        .await,
        1
    );
    let page = Browser::new(app).get("/catalog?q=daniel").await;
    assert!(
        !page.body.contains("Daniel Ortiz</a>"),
        "gone from the catalog"
    );
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = app();
    let b = Browser::new(app);
    let body = common::form(&[("email", "a@example.com"), ("password", "whatever it is")]);
    for headers in [
        vec![
            ("sec-fetch-site", "cross-site"),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        vec![
            ("origin", "https://evil.example"),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
    ] {
        let r = b.post_raw("/api/sign_in", &headers, body.clone()).await;
        assert_eq!(r.status, 403, "{headers:?}");
        let r = b
            .post_raw("/api/delete_account", &headers, "password=x".into())
            .await;
        assert_eq!(r.status, 403);
    }
    // Same-origin posts go through to the function.
    let r = b
        .post_raw(
            "/api/sign_in",
            &[
                ("origin", common::ORIGIN),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            body,
        )
        .await;
    assert_eq!(r.status, 422);
}

#[tokio::test]
async fn huge_and_malformed_bodies_get_a_clear_4xx() {
    let app = app();
    let b = Browser::new(app);
    // Just over the 64 KiB limit: small enough that the client has sent it all before the
    // server answers 413 and closes the connection.
    let huge = format!("email=a%40example.com&password={}", "x".repeat(80_000));
    let r = b
        .post_raw(
            "/api/sign_in",
            &[("content-type", "application/x-www-form-urlencoded")],
            huge,
        )
        .await;
    assert_eq!(r.status, 413, "{}", r.body);

    let r = b
        .post_raw(
            "/api/sign_in",
            &[("content-type", "application/x-www-form-urlencoded")],
            "nonsense".into(),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(!r.body.to_lowercase().contains("surreal"));

    let r = b
        .post_raw(
            "/api/sign_in",
            &[("content-type", "application/json")],
            "{not json".into(),
        )
        .await;
    assert!((400..500).contains(&r.status), "{} {}", r.status, r.body);

    // An overlong password is refused before any hashing work.
    let r = b
        .call(
            "/api/sign_in",
            &[("email", "a@example.com"), ("password", &"x".repeat(2000))],
        )
        .await;
    assert_eq!(r.status, 422);
}

#[tokio::test]
async fn every_page_carries_the_security_headers() {
    let app = app();
    let b = Browser::new(app);
    let r = b.get("/").await;
    let csp = r.header("content-security-policy").to_string();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval' 'nonce-"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"));
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    for script in r.body.split("<script").skip(1) {
        assert!(
            script.starts_with(&format!(" nonce=\"{nonce}\""))
                || script.contains(&format!("nonce=\"{nonce}\"")),
            "inline script without the nonce: {script:.80}"
        );
    }
    assert_eq!(r.header("x-content-type-options"), "nosniff");
    assert_eq!(
        r.header("referrer-policy"),
        "strict-origin-when-cross-origin"
    );
    assert_eq!(r.header("x-frame-options"), "DENY");
    assert!(
        r.header("strict-transport-security").is_empty(),
        "no HSTS over http"
    );
    let api = b.fetch("/api/home").await;
    assert!(api
        .header("content-security-policy")
        .contains("default-src 'self'"));
}

/// A server with the real (strict) limits, for the flood test.
fn strict_app() -> &'static TestApp {
    static STRICT: OnceLock<TestApp> = OnceLock::new();
    STRICT.get_or_init(|| TestApp::start(app::ssr::ratelimit::RateLimits::default()))
}

#[tokio::test]
async fn a_flood_of_sign_in_attempts_is_slowed_down() {
    let app = strict_app();
    let b = Browser::new(app);
    let mut limited = None;
    for i in 0..15 {
        let r = b
            .call(
                "/api/sign_in",
                &[
                    ("email", "learner0001@demo.shuzhai.local"),
                    ("password", "guess number one"),
                ],
            )
            .await;
        if r.status == 429 {
            limited = Some((i, r));
            break;
        }
        assert_eq!(r.status, 422);
    }
    let (i, r) = limited.expect("limited");
    assert_eq!(i, 10, "ten attempts per account per ten minutes");
    let retry: u64 = r.header("retry-after").parse().unwrap();
    assert!(retry > 0 && retry <= 600);
    assert!(r.body.contains("TooManyRequests"));
    // Even the right password waits now.
    let r = b
        .call(
            "/api/sign_in",
            &[
                ("email", "learner0001@demo.shuzhai.local"),
                ("password", server::seed::DEMO_LEARNER_PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 429);
    // Another account is unaffected.
    let r = b
        .call(
            "/api/sign_in",
            &[
                ("email", "learner0002@demo.shuzhai.local"),
                ("password", server::seed::DEMO_LEARNER_PASSWORD),
            ],
        )
        .await;
    assert!(r.status < 400, "{r:?}");
}

#[tokio::test]
async fn reset_requests_and_sign_ups_are_limited_too() {
    let app = strict_app();
    let b = Browser::new(app);
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let r = b
            .call(
                "/api/request_password_reset",
                &[("email", "learner0004@demo.shuzhai.local")],
            )
            .await;
        statuses.push(r.status);
    }
    assert_eq!(
        statuses,
        [200, 200, 200, 200, 200, 429],
        "five per account per hour"
    );
    let mails: Vec<Value> = rows(
        &app.db,
        "mails",
        "SELECT * FROM outbox WHERE to = 'learner0004@demo.shuzhai.local'",
        json!({}),
        0,
    )
    .await
    .unwrap();
    assert_eq!(mails.len(), 5);

    let mut limited_at = None;
    for i in 0..25 {
        let email = format!("flood{i}@example.com");
        let r = b
            .call(
                "/api/sign_up",
                &[
                    ("email", &email),
                    ("display_name", "Flood"),
                    ("password", PASSWORD),
                    ("confirm", PASSWORD),
                ],
            )
            .await;
        if r.status == 429 {
            limited_at = Some(i);
            break;
        }
    }
    assert_eq!(limited_at, Some(20), "twenty sign-ups per address per hour");
}

#[tokio::test]
async fn a_session_idle_for_two_weeks_has_ended() {
    let app = app();
    let b = Browser::new(app);
    sign_up(app, &b, "idle@example.com").await;
    assert_eq!(b.get("/account").await.status, 200);
    app::ssr::db::execute(
        &app.db,
        "age",
        "UPDATE session SET last_seen = time::now() - 15d WHERE user.email = 'idle@example.com'",
        json!({}),
    )
    .await
    .unwrap();
    assert_eq!(b.get("/account").await.status, 401);
    assert_eq!(
        count(
            &app.db,
            "SELECT * FROM session WHERE user.email = 'idle@example.com'",
            json!({})
        )
        .await,
        0,
        "and was deleted"
    );
}
