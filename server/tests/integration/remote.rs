//! The store on a remote SurrealDB server, reached over `ws://`: the command line migrates,
//! seeds and serves there with a root, a namespace or a database user, and a refused
//! sign-in or a missing database is a clear error and a failing exit.
//!
//! These tests need a SurrealDB server whose root user is `root` / `root`, named by
//! `SHUZHAI_TEST_SURREAL_URL` (for example `ws://127.0.0.1:8000`). `.ci/test` builds one
//! (`.ci/surreal-server`, the same SurrealDB version the store embeds), starts it, and runs
//! these tests and the other integration tests against it.

use crate::common;

use app::ssr::db::{connect, rows, AuthLevel, Db, DbConfig};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const NEEDS_SERVER: &str =
    "needs a SurrealDB server at SHUZHAI_TEST_SURREAL_URL (.ci/test starts one)";

/// The SurrealDB server's URL; these tests run only when asked for, so it must be set.
fn url() -> String {
    std::env::var(common::REMOTE_ENV)
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| panic!("{NEEDS_SERVER}"))
}

/// A namespace of its own for one test.
fn namespace(test: &str) -> String {
    format!("shuzhai_{test}_{}", std::process::id())
}

/// `server` with the remote database flags for `user` at `level`.
fn server(ns: &str, user: &str, password: &str, level: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_server"));
    cmd.env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .args(["--database-url", &url()])
        .args(["--database-namespace", ns, "--database-name", "store"])
        .args(["--database-user", user, "--database-password", password])
        .args(["--database-auth-level", level]);
    cmd
}

/// Runs `cmd`, asserts it succeeded, and returns what it printed.
fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run the server command");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `migrate` as database user `user` in `ns`, asserts that the database refused it with
/// a clear message and a failing exit (no panic), and returns what it printed.
fn refused(ns: &str, user: &str, password: &str) -> String {
    let out = server(ns, user, password, "database")
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(err.contains("the database refused us"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

/// The SurrealDB server as its root user, in namespace `ns`.
async fn root(ns: &str) -> Db {
    connect(&DbConfig {
        url: url(),
        namespace: ns.into(),
        database: "store".into(),
        username: Some("root".into()),
        password: Some("root".into()),
        auth_level: AuthLevel::Root,
    })
    .await
    .expect("sign in to the SurrealDB server as root")
}

/// How many published items the database in `ns` holds.
async fn published(db: &Db) -> i64 {
    let n: Vec<serde_json::Value> = rows(
        db,
        "count",
        "SELECT count() AS n FROM item WHERE status = 'published' GROUP ALL",
        serde_json::json!({}),
        0,
    )
    .await
    .unwrap();
    n.first()
        .and_then(|v| v.get("n"))
        .and_then(|v| v.as_i64())
        .unwrap_or(0)
}

#[test]
#[ignore = "needs a SurrealDB server at SHUZHAI_TEST_SURREAL_URL (.ci/test starts one)"]
fn a_root_user_migrates_twice_seeds_once_and_the_store_serves_from_the_remote_database() {
    let ns = namespace("root");
    let first = run_ok(server(&ns, "root", "root", "root").arg("migrate"));
    assert!(first.contains("up to date"), "{first}");
    let again = run_ok(server(&ns, "root", "root", "root").arg("migrate"));
    assert!(again.contains("up to date"), "{again}");
    let seeded = run_ok(server(&ns, "root", "root", "root").args(["seed", "--demo"]));
    assert!(seeded.contains("200 items, 500 learners"), "{seeded}");

    // The data is on the server: a second connection sees it.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(root(&ns));
    assert!(rt.block_on(published(&db)) > 100);

    // `serve` answers pages from it.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut child = server(&ns, "root", "root", "root")
        .env("RUST_LOG", "info")
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .args(["--catalog-refresh-secs", "0", "--media-dir"])
        .arg(std::env::temp_dir().join(format!("shuzhai-remote-media-{}", std::process::id())))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let started = Instant::now();
    let mut log = String::new();
    loop {
        match rx.recv_timeout(Duration::from_secs(1)) {
            Ok(line) => {
                let ready = line.contains("Shuzhai is serving on");
                log.push_str(&line);
                log.push('\n');
                if ready {
                    break;
                }
            }
            Err(_) if started.elapsed() > Duration::from_secs(120) => {
                let _ = child.kill();
                panic!("the store did not start on the remote database:\n{log}");
            }
            Err(_) => {}
        }
    }
    let base = format!("http://127.0.0.1:{port}");
    let pages = rt.block_on(async {
        let client = reqwest::Client::new();
        let mut pages = Vec::new();
        for path in [
            "/catalog?q=%E6%9C%BA%E5%99%A8%E5%AD%A6%E4%B9%A0",
            "/healthz",
        ] {
            let r = client.get(format!("{base}{path}")).send().await.unwrap();
            pages.push((r.status().as_u16(), r.text().await.unwrap()));
        }
        pages
    });
    let _ = child.kill();
    let _ = child.wait();
    log.extend(rx.try_iter().map(|line| line + "\n"));
    assert_eq!(pages[0].0, 200, "{log}");
    assert!(
        pages[0].1.contains("机器学习"),
        "no search hit in the catalog"
    );
    assert_eq!(pages[1].0, 200, "{}\n{log}", pages[1].1);
}

#[test]
#[ignore = "needs a SurrealDB server at SHUZHAI_TEST_SURREAL_URL (.ci/test starts one)"]
fn namespace_and_database_users_work_in_what_their_administrator_gave_them() {
    let ns = namespace("users");
    let rt = tokio::runtime::Runtime::new().unwrap();
    // The administrator makes the namespace, the database and two users.
    let admin = rt.block_on(root(&ns));
    rt.block_on(async {
        admin
            .query(
                "DEFINE USER shop_ns ON NAMESPACE PASSWORD 'ns-secret-pass' ROLES OWNER;
                 DEFINE USER shop_db ON DATABASE PASSWORD 'db-secret-pass' ROLES OWNER;",
            )
            .await
            .unwrap()
            .check()
            .unwrap();
    });

    // A database user migrates the database it was given; a namespace user seeds it.
    let out = run_ok(server(&ns, "shop_db", "db-secret-pass", "database").arg("migrate"));
    assert!(out.contains("up to date"), "{out}");
    let out =
        run_ok(server(&ns, "shop_ns", "ns-secret-pass", "namespace").args(["seed", "--demo"]));
    assert!(out.contains("200 items, 500 learners"), "{out}");
    assert!(rt.block_on(published(&admin)) > 100);

    // A wrong password is refused with a clear message and a failing exit, and leaks nothing.
    let err = refused(&ns, "shop_db", "not-the-password");
    assert!(!err.contains("not-the-password"), "{err}");
    // A database user pointed at a database nobody made for it is refused too.
    refused("shuzhai_nobody_made_this", "shop_db", "db-secret-pass");
}
