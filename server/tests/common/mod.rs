//! Test helpers: one real Shuzhai server per test binary, on a random port, over an
//! in-memory database seeded with the demo catalog.

#![allow(dead_code)]

use app::ssr::db::{Db, DbConfig};
use std::net::SocketAddr;
use std::sync::OnceLock;

/// A running test server.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The same database the server uses.
    pub db: Db,
}

static APP: OnceLock<TestApp> = OnceLock::new();

/// The shared server (started on first use, in a runtime of its own that outlives tests).
pub fn app() -> &'static TestApp {
    APP.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                server::telemetry::init("warn");
                let db = server::startup::open_database(&DbConfig::memory())
                    .await
                    .expect("database");
                server::seed::demo(&db).await.expect("seed");
                let addr: SocketAddr = "127.0.0.1:0".parse().expect("addr");
                let options = server::startup::leptos_options("target/site", addr);
                let state = server::startup::build_state(db.clone(), options)
                    .await
                    .expect("state");
                let router = server::startup::router(state, "http://shuzhai.test".into());
                let running = server::startup::spawn(addr, router, std::future::pending())
                    .await
                    .expect("serve");
                tx.send(TestApp {
                    base: format!("http://{}", running.addr),
                    db,
                })
                .expect("send");
                let _ = running.task.await;
            });
        });
        rx.recv().expect("test server started")
    })
}

/// GET `path`, returning status and body text.
pub async fn get(path: &str) -> (u16, String) {
    let url = format!("{}{}", app().base, path);
    let response = reqwest::get(&url).await.expect("request");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

/// The marker sentences that only paid bodies contain (see `server::seed`).
pub const PAID_MARKERS: [&str; 2] = ["Reader's edition", "读者版"];
