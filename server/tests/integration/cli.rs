//! The `server` command line: migrations on the on-disk engine, seeding, and clear failures.

use std::process::Command;

fn server() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_server"));
    cmd.env_remove("DATABASE_URL").env("RUST_LOG", "warn");
    cmd
}

/// Runs `server ARGS`, asserts it succeeded, and returns what it printed.
fn run_ok(args: &[&str]) -> String {
    let out = server().args(args).output().expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn migrate_on_disk_is_repeatable_and_seed_refuses_a_filled_database() {
    let dir = std::env::temp_dir().join(format!("shuzhai-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let url = format!("surrealkv://{}", dir.join("db").display());
    for _ in 0..2 {
        assert!(run_ok(&["--database-url", &url, "migrate"]).contains("up to date"));
    }
    assert!(run_ok(&["--database-url", &url, "seed", "--demo"]).contains("200 items, 500 learners"));
    let again = server()
        .args(["--database-url", &url, "seed", "--demo"])
        .output()
        .expect("run");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already has items"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unreachable_database_is_a_clear_error_and_a_failing_exit() {
    let out = server()
        .args(["--database-url", "ws://127.0.0.1:9", "migrate"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot open the database at ws://127.0.0.1:9")
            || err.contains("cannot reach"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");

    let out = server()
        .args(["--database-url", "mysql://x", "migrate"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not supported"));
}

#[test]
fn help_lists_the_commands_and_settings() {
    let out = server().arg("--help").output().expect("run");
    let help = String::from_utf8_lossy(&out.stdout);
    for needle in ["serve", "migrate", "seed", "--database-url", "DATABASE_URL"] {
        assert!(help.contains(needle), "{needle} missing from --help");
    }
}

#[test]
fn admin_create_makes_an_admin_who_can_sign_in_and_refuses_bad_input() {
    let dir = std::env::temp_dir().join(format!("shuzhai-admin-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let url = format!("surrealkv://{}", dir.join("db").display());
    let create = |email: &str, password: &str| {
        server()
            .args(["--database-url", &url, "admin", "create", "--email", email])
            .env("SHUZHAI_ADMIN_PASSWORD", password)
            .output()
            .expect("run")
    };
    let out = create("Owner@Example.com", "password123");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("too easy to guess"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = create("not-an-address", "a good long passphrase");
    assert!(String::from_utf8_lossy(&out.stderr).contains("e-mail address"));

    let out = create("Owner@Example.com", "a good long passphrase");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("owner@example.com"));
    let again = create("owner@example.com", "another long passphrase");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already has an account"));

    // The account is an admin with a working password.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        use app::ssr::db::{connect, rows, DbConfig};
        let db = connect(&DbConfig {
            url: url.clone(),
            ..DbConfig::memory()
        })
        .await
        .unwrap();
        let found: Vec<serde_json::Value> = rows(
            &db,
            "admin",
            "SELECT roles, password_hash FROM user WHERE email = 'owner@example.com'",
            serde_json::json!({}),
            0,
        )
        .await
        .unwrap();
        assert_eq!(found.len(), 1);
        assert!(found[0]["roles"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("admin")));
        let hash = found[0]["password_hash"].as_str().unwrap().to_string();
        assert!(app::ssr::password::verify("a good long passphrase".into(), Some(hash)).await);
    });
    let _ = std::fs::remove_dir_all(&dir);
}
