//! Test helpers: real Shuzhai servers on random ports, over in-memory databases seeded with
//! the demo catalog, and a small cookie-keeping client that talks to them like a browser
//! without JavaScript (forms) or like the hydrated app (server-function calls).

#![allow(dead_code)]

pub mod shop;
pub mod uploads;
pub mod xss;

use app::ssr::accounts::AuthSettings;
use app::ssr::db::{Db, DbConfig};
use app::ssr::mail::Mailer;
use app::ssr::ratelimit::RateLimits;
use reqwest::header::{HeaderMap, ACCEPT, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use std::net::SocketAddr;
use std::sync::{Mutex, OnceLock};

/// A browser signed in as user `user` (a record key: `c1`, `admin`, a learner's key).
pub async fn signed_in(app: &TestApp, user: &str) -> Browser {
    let b = Browser::new(app);
    let token = app::ssr::sessions::create(&app.db, user, "test")
        .await
        .expect("a session for the test user");
    b.set_session(Some(&token));
    b
}

/// A running test server.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The same database the server uses.
    pub db: Db,
}

/// The public origin test servers believe they have.
pub const ORIGIN: &str = "http://shuzhai.test";

impl TestApp {
    /// Starts a server with `limits`, in a runtime of its own that outlives the tests.
    pub fn start(limits: RateLimits) -> TestApp {
        Self::start_with(limits, || {
            app::ssr::commerce::CommerceSettings::sandbox(600)
        })
    }

    /// Starts a server with `limits` and the commerce settings `commerce` makes.
    pub fn start_with(
        limits: RateLimits,
        commerce: impl FnOnce() -> app::ssr::commerce::CommerceSettings + Send + 'static,
    ) -> TestApp {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                server::telemetry::init("warn");
                // Every step's error is sent to the test, so that a failed start says why in
                // the test's own failure rather than in another thread's output.
                let started = async {
                    let db = server::startup::open_database(&database())
                        .await
                        .map_err(|e| format!("opening the database: {e:#}"))?;
                    server::seed::demo(&db)
                        .await
                        .map_err(|e| format!("seeding the demo catalog: {e:#}"))?;
                    let addr: SocketAddr = "127.0.0.1:0".parse().expect("addr");
                    let options = server::startup::leptos_options("target/site", addr);
                    let auth = AuthSettings::new(ORIGIN, limits, Mailer::Outbox);
                    let state = server::startup::build_state(db.clone(), options, auth, commerce())
                        .await
                        .map_err(|e| format!("building the state: {e:#}"))?;
                    let router = server::startup::router(state);
                    let running = server::startup::spawn(addr, router, std::future::pending())
                        .await
                        .map_err(|e| format!("listening: {e:#}"))?;
                    let app = TestApp {
                        base: format!("http://{}", running.addr),
                        db,
                    };
                    Ok::<_, String>((app, running.task))
                }
                .await;
                match started {
                    Ok((app, task)) => {
                        let _ = tx.send(Ok(app));
                        let _ = task.await;
                    }
                    Err(why) => {
                        let _ = tx.send(Err(why));
                    }
                }
            });
        });
        match rx.recv() {
            Ok(Ok(app)) => app,
            Ok(Err(why)) => panic!("the test server did not start: {why}"),
            Err(_) => panic!("the test server's thread ended before the server started"),
        }
    }
}

/// Set to `ws://HOST:PORT` of a SurrealDB server (root user `root`, password `root`), the
/// test servers keep their data there instead of in memory, each in a database of its own:
/// `.ci/test` runs the tests that way against a real SurrealDB server too.
pub const REMOTE_ENV: &str = "SHUZHAI_TEST_SURREAL_URL";

/// Where a new test server keeps its data: a fresh in-memory database, or a fresh database
/// on the SurrealDB server named by [`REMOTE_ENV`].
pub fn database() -> DbConfig {
    match std::env::var(REMOTE_ENV) {
        Ok(url) if !url.is_empty() => remote_database(&url),
        _ => DbConfig::memory(),
    }
}

/// A database of its own on the SurrealDB server at `url`, signed in as its root user.
pub fn remote_database(url: &str) -> DbConfig {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    DbConfig {
        url: url.to_string(),
        namespace: "shuzhai_test".into(),
        database: format!("t{}_{n}", std::process::id()),
        username: Some("root".into()),
        password: Some("root".into()),
        ..DbConfig::memory()
    }
}

/// The mail settings of a test server (mail goes into the `outbox` table), for calling
/// background work such as scheduled publishing directly.
pub fn outbox_auth() -> AuthSettings {
    AuthSettings::new(ORIGIN, RateLimits::loose_per_ip(), Mailer::Outbox)
}

/// The shared server of the test module that calls this (per-address limits loosened:
/// every test comes from 127.0.0.1). Each module (each file) gets a server and database of
/// its own, started on its first call, so that what one module's tests write (orders,
/// events, recommendation models) never shows up in another module's counts.
#[track_caller]
pub fn app() -> &'static TestApp {
    app_of(std::panic::Location::caller().file())
}

/// The shared server of the module in source file `file`.
fn app_of(file: &'static str) -> &'static TestApp {
    static APPS: Mutex<Vec<(&str, &OnceLock<TestApp>)>> = Mutex::new(Vec::new());
    let cell: &'static OnceLock<TestApp> = {
        let mut apps = APPS.lock().unwrap_or_else(|e| e.into_inner());
        match apps.iter().find(|(f, _)| *f == file) {
            Some((_, cell)) => cell,
            None => {
                let cell: &'static OnceLock<TestApp> = Box::leak(Box::default());
                apps.push((file, cell));
                cell
            }
        }
    };
    // Started outside the lock: another module's server may be starting meanwhile.
    cell.get_or_init(|| TestApp::start(RateLimits::loose_per_ip()))
}

/// GET `path` from the calling module's server, returning status and body text.
#[track_caller]
pub fn get(path: &str) -> impl std::future::Future<Output = (u16, String)> {
    let url = format!("{}{}", app().base, path);
    async move {
        let response = reqwest::get(&url).await.expect("request");
        let status = response.status().as_u16();
        (status, response.text().await.expect("body"))
    }
}

/// The marker sentences that only paid bodies contain (see `server::seed`).
pub const PAID_MARKERS: [&str; 2] = ["Reader's edition", "读者版"];

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: HeaderMap,
    /// Body text.
    pub body: String,
}

impl Reply {
    /// The `Location` header.
    pub fn location(&self) -> &str {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// A header's value ("" if absent).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// A browser stand-in: keeps the session cookie, does not follow redirects.
pub struct Browser {
    base: String,
    http: reqwest::Client,
    /// Cookies by name (the session's and the visitor's cart).
    cookies: Mutex<std::collections::BTreeMap<String, String>>,
}

/// Percent-encodes form fields.
pub fn form(fields: &[(&str, &str)]) -> String {
    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

impl Browser {
    /// A fresh browser for `app`, with no cookies.
    pub fn new(app: &TestApp) -> Browser {
        Browser {
            base: app.base.clone(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .user_agent("Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0 Safari/537.36")
                .build()
                .expect("client"),
            cookies: Mutex::new(Default::default()),
        }
    }

    /// The session cookie's value, if the browser holds one.
    pub fn session(&self) -> Option<String> {
        self.cookie("sz_session")
    }

    /// The value of cookie `name`, if the browser holds it.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().unwrap().get(name).cloned()
    }

    /// Replaces the session cookie (to forge or replay one).
    pub fn set_session(&self, value: Option<&str>) {
        let mut jar = self.cookies.lock().unwrap();
        match value {
            Some(v) => jar.insert("sz_session".into(), v.to_string()),
            None => jar.remove("sz_session"),
        };
    }

    /// The `Cookie` header this browser sends (empty when it holds none).
    /// The `Cookie` header this browser sends.
    pub fn cookie_header(&self) -> String {
        self.cookies
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Reply {
        let jar = self.cookie_header();
        let req = if jar.is_empty() {
            req
        } else {
            req.header(COOKIE, jar)
        };
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        for sc in headers.get_all(SET_COOKIE) {
            let sc = sc.to_str().unwrap_or("");
            if let Some((name, rest)) = sc.split_once('=') {
                let value = rest.split(';').next().unwrap_or("");
                let mut jar = self.cookies.lock().unwrap();
                if value.is_empty() || sc.contains("Max-Age=0") {
                    jar.remove(name);
                } else {
                    jar.insert(name.to_string(), value.to_string());
                }
            }
        }
        let body = res.text().await.unwrap_or_default();
        Reply {
            status,
            headers,
            body,
        }
    }

    /// GET `path`.
    pub async fn get(&self, path: &str) -> Reply {
        self.send(
            self.http
                .get(format!("{}{path}", self.base))
                .header(ACCEPT, "text/html"),
        )
        .await
    }

    /// GET `path` with extra request headers.
    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        let mut req = self.http.get(format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req).await
    }

    /// `HEAD path`: the answer's status and headers without its body (what the service
    /// worker asks to learn whether a file kept on the device may still be opened).
    pub async fn head(&self, path: &str) -> Reply {
        self.send(self.http.head(format!("{}{path}", self.base)))
            .await
    }

    /// The raw bytes at `path` (for binary files), with this browser's cookies.
    pub async fn get_bytes(&self, path: &str) -> Vec<u8> {
        let jar = self.cookie_header();
        self.http
            .get(format!("{}{path}", self.base))
            .header(COOKIE, jar)
            .send()
            .await
            .expect("request")
            .bytes()
            .await
            .expect("body")
            .to_vec()
    }

    /// GET a server function at `path` as the hydrated app does.
    pub async fn fetch(&self, path: &str) -> Reply {
        self.send(
            self.http
                .get(format!("{}{path}", self.base))
                .header(ACCEPT, "application/json"),
        )
        .await
    }

    /// Submits a form to `path` as a browser without JavaScript does (same-origin).
    pub async fn submit(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        self.send(
            self.http
                .post(format!("{}{path}", self.base))
                .header(ACCEPT, "text/html")
                .header("sec-fetch-site", "same-origin")
                .header("referer", format!("{}/form", self.base))
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form(fields)),
        )
        .await
    }

    /// Calls a server function at `path` as the hydrated app does (same-origin).
    pub async fn call(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        self.send(
            self.http
                .post(format!("{}{path}", self.base))
                .header(ACCEPT, "application/json")
                .header("sec-fetch-site", "same-origin")
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form(fields)),
        )
        .await
    }

    /// POSTs raw `bytes` (an upload), same-origin, as the page's script does.
    pub async fn post_bytes(&self, path: &str, content_type: &str, bytes: Vec<u8>) -> Reply {
        self.send_bytes(reqwest::Method::POST, path, content_type, bytes)
            .await
    }

    /// Sends raw `bytes` with `method` (a piece of an upload with PUT), same-origin.
    pub async fn send_bytes(
        &self,
        method: reqwest::Method,
        path: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Reply {
        self.send(
            self.http
                .request(method, format!("{}{path}", self.base))
                .header(ACCEPT, "application/json")
                .header("sec-fetch-site", "same-origin")
                .header(CONTENT_TYPE, content_type)
                .body(bytes),
        )
        .await
    }

    /// Calls a server function that takes a JSON body, as the hydrated app does.
    pub async fn call_json(&self, path: &str, body: &serde_json::Value) -> Reply {
        self.post_raw(
            path,
            &[
                ("content-type", "application/json"),
                ("accept", "application/json"),
                ("sec-fetch-site", "same-origin"),
            ],
            body.to_string(),
        )
        .await
    }

    /// A raw POST with the given extra headers and body.
    pub async fn post_raw(&self, path: &str, headers: &[(&str, &str)], body: String) -> Reply {
        let mut req = self.http.post(format!("{}{path}", self.base)).body(body);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req).await
    }
}
