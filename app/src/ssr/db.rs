//! The connection to SurrealDB, chosen by one URL.
//!
//! * `surrealkv://./data/shuzhai.db` — embedded, on disk (the default);
//! * `mem://` — embedded, in memory (tests);
//! * `ws://host:8000` / `wss://…` — a remote SurrealDB server, with namespace, database
//!   and credentials from the configuration.

use serde::de::DeserializeOwned;
use std::time::Duration;
use surrealdb::engine::any::Any;
use surrealdb::Surreal;

/// A connected database handle, cheap to clone: every clone shares one connection and one
/// session. (Cloning a `Surreal` itself opens a new session, which over ws:// costs a replay
/// of the sign-in per clone — and the store clones its state for every request.)
pub type Db = std::sync::Arc<Surreal<Any>>;

/// How to reach the database.
#[derive(Debug, Clone)]
pub struct DbConfig {
    /// `surrealkv://path`, `mem://`, `ws://host:port` or `wss://host:port`.
    pub url: String,
    /// Namespace to use.
    pub namespace: String,
    /// Database to use.
    pub database: String,
    /// User for a remote server (root, namespace or database user).
    pub username: Option<String>,
    /// Password for `username`.
    pub password: Option<String>,
    /// Which level `username` is defined at.
    pub auth_level: AuthLevel,
}

impl DbConfig {
    /// An in-memory database, as tests use it.
    pub fn memory() -> Self {
        DbConfig {
            url: "mem://".into(),
            namespace: "shuzhai".into(),
            database: "store".into(),
            username: None,
            password: None,
            auth_level: AuthLevel::Root,
        }
    }
}

/// The level at which a remote SurrealDB user is defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthLevel {
    /// A root user.
    Root,
    /// A namespace user.
    Namespace,
    /// A database user.
    Database,
}

/// Why the database could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL is not one we can use.
    #[error("DATABASE_URL “{0}” is not supported: use surrealkv://PATH, mem://, ws://HOST:PORT or wss://HOST:PORT")]
    UnsupportedUrl(String),
    /// The database could not be opened or reached.
    #[error("cannot open the database at {url}: {source}")]
    Connect {
        /// The URL tried.
        url: String,
        /// What went wrong.
        source: Box<surrealdb::Error>,
    },
    /// Connecting took too long.
    #[error("cannot reach the database at {0}: no answer within 10 seconds")]
    Timeout(String),
    /// Signing in or selecting namespace/database failed.
    #[error("the database refused us: {0}")]
    Auth(Box<surrealdb::Error>),
    /// A query failed.
    #[error("database query failed ({context}): {source}")]
    Query {
        /// What we were doing.
        context: String,
        /// What went wrong.
        source: Box<surrealdb::Error>,
    },
    /// Another run of the same job got there first; this one stopped without writing.
    #[error("{0}")]
    Busy(String),
    /// A row did not have the shape the code expects.
    #[error("unexpected data ({context}): {source}")]
    Decode {
        /// What we were reading.
        context: String,
        /// What was wrong with it.
        source: serde_json::Error,
    },
}

/// Opens the database named by `config.url` and selects namespace and database.
pub async fn connect(config: &DbConfig) -> Result<Db, DbError> {
    let url = config.url.trim();
    let scheme = url.split("://").next().unwrap_or_default();
    let remote = matches!(scheme, "ws" | "wss");
    if !url.contains("://") || !matches!(scheme, "mem" | "surrealkv" | "ws" | "wss") {
        return Err(DbError::UnsupportedUrl(url.to_string()));
    }
    if scheme == "surrealkv" {
        let path = std::path::Path::new(url.trim_start_matches("surrealkv://"));
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| DbError::Connect {
                url: url.to_string(),
                source: Box::new(surrealdb::Error::configuration(
                    format!("cannot create {}: {e}", parent.display()),
                    None,
                )),
            })?;
        }
    }
    let db = tokio::time::timeout(
        Duration::from_secs(10),
        surrealdb::engine::any::connect(url),
    )
    .await
    .map_err(|_| DbError::Timeout(url.to_string()))?
    .map_err(|source| DbError::Connect {
        url: url.to_string(),
        source: Box::new(source),
    })?;

    if let (Some(user), Some(pass)) = (&config.username, &config.password) {
        use surrealdb::opt::auth::{Database, Namespace, Root};
        let (username, password) = (user.clone(), pass.clone());
        let signin = match config.auth_level {
            AuthLevel::Root => db.signin(Root { username, password }).await,
            AuthLevel::Namespace => {
                db.signin(Namespace {
                    namespace: config.namespace.clone(),
                    username,
                    password,
                })
                .await
            }
            AuthLevel::Database => {
                db.signin(Database {
                    namespace: config.namespace.clone(),
                    database: config.database.clone(),
                    username,
                    password,
                })
                .await
            }
        };
        signin.map_err(|e| DbError::Auth(Box::new(e)))?;
    }
    if !remote || config.auth_level == AuthLevel::Root {
        // Embedded databases and root users create what is missing; a namespace or
        // database user is given an existing one by its administrator.
        db.query(format!(
            "DEFINE NAMESPACE IF NOT EXISTS {ns}; USE NS {ns}; DEFINE DATABASE IF NOT EXISTS {db};",
            ns = ident(&config.namespace),
            db = ident(&config.database)
        ))
        .await
        .and_then(|r| r.check())
        .map_err(|e| DbError::Auth(Box::new(e)))?;
    }
    db.use_ns(config.namespace.clone())
        .use_db(config.database.clone())
        .await
        .map_err(|e| DbError::Auth(Box::new(e)))?;
    Ok(std::sync::Arc::new(db))
}

/// Quotes a namespace or database name as a SurrealQL identifier.
fn ident(name: &str) -> String {
    format!("`{}`", name.replace('`', ""))
}

/// Queries that take at least this long are logged at debug level with their context
/// (`RUST_LOG=app::ssr::db=debug`); with `RUST_LOG=query_time=debug` every query is logged
/// with the time it took to run and to decode, and how many rows it returned.
pub const SLOW_QUERY_MS: u128 = 50;

/// Runs a query and decodes statement `index` of its result into rows of `T`.
///
/// Rows travel as JSON (record ids become `table:key` strings, datetimes RFC 3339 text),
/// so the wire types stay plain serde types that also compile for the browser. Variables
/// that are JSON `null` stay unbound, i.e. NONE. Slow queries are logged.
pub async fn rows<T: DeserializeOwned>(
    db: &Db,
    context: &str,
    sql: &str,
    vars: serde_json::Value,
    index: usize,
) -> Result<Vec<T>, DbError> {
    let clock = std::time::Instant::now();
    let mut query = db.query(sql);
    if let serde_json::Value::Object(map) = vars {
        // A JSON null is left unbound, so the variable is NONE: SurrealDB's "no value",
        // which `option<…>` fields accept (NULL they refuse).
        for (k, v) in map.into_iter().filter(|(_, v)| !v.is_null()) {
            query = query.bind((k, v));
        }
    }
    let mut response = query.await.map_err(|source| DbError::Query {
        context: context.into(),
        source: Box::new(source),
    })?;
    let ms = clock.elapsed().as_millis();
    if ms >= SLOW_QUERY_MS {
        tracing::debug!(context, ms, "slow query");
    }
    let errors = response.take_errors();
    if let Some((_, source)) = errors.into_iter().min_by_key(|(i, _)| *i) {
        return Err(DbError::Query {
            context: context.into(),
            source: Box::new(source),
        });
    }
    // Arrays arrive element by element, a single value as one element, NONE as null.
    let list: Vec<serde_json::Value> = response.take(index).map_err(|source| DbError::Query {
        context: context.into(),
        source: Box::new(source),
    })?;
    let rows = list.len();
    let decoded = list
        .into_iter()
        .filter(|v| !v.is_null())
        .map(|v| {
            serde_json::from_value(v).map_err(|source| DbError::Decode {
                context: context.into(),
                source,
            })
        })
        .collect();
    tracing::debug!(
        target: "query_time",
        context,
        ms,
        total_ms = clock.elapsed().as_millis(),
        rows,
        "query"
    );
    decoded
}

/// How a transaction ended when it did not commit.
#[derive(Debug, thiserror::Error)]
pub enum TxError {
    /// The transaction's own `THROW "shuzhai:<reason>"` fired: a rule of the data said no
    /// (the order is no longer pending, the coupon is used up). Nothing was written.
    #[error("refused: {0}")]
    Refused(String),
    /// Any other failure (also a conflict that persisted through every retry).
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The marker our transactions put before the reason of a `THROW`.
pub const REFUSAL: &str = "shuzhai:";

/// Runs `sql` — a `BEGIN TRANSACTION; …; COMMIT TRANSACTION;` block — and retries it when
/// SurrealDB reports a transaction conflict (the SDK does not retry by itself), up to
/// eight times with a growing, jittered pause. A `THROW` of [`REFUSAL`]-prefixed text
/// becomes [`TxError::Refused`] with the reason.
pub async fn transact(
    db: &Db,
    context: &str,
    sql: &str,
    vars: serde_json::Value,
) -> Result<(), TxError> {
    let mut attempt = 0u32;
    loop {
        let mut query = db.query(sql);
        if let serde_json::Value::Object(map) = vars.clone() {
            for (k, v) in map.into_iter().filter(|(_, v)| !v.is_null()) {
                query = query.bind((k, v));
            }
        }
        let outcome = match query.await {
            Ok(mut response) => {
                let mut errors: Vec<(usize, surrealdb::Error)> =
                    response.take_errors().into_iter().collect();
                errors.sort_by_key(|(i, _)| *i);
                // In a failed transaction every statement reports an error; the cause is
                // the one that is not "not executed because the transaction failed".
                let cause = errors
                    .iter()
                    .position(|(_, e)| !is_collateral(&e.to_string()))
                    .or(if errors.is_empty() { None } else { Some(0) });
                match cause {
                    None => return Ok(()),
                    Some(i) => errors.swap_remove(i).1,
                }
            }
            Err(e) => e,
        };
        let text = outcome.to_string();
        if let Some(at) = text.find(REFUSAL) {
            let reason = text[at + REFUSAL.len()..]
                .split(['\'', '"', '`'])
                .next()
                .unwrap_or_default()
                .trim()
                .to_string();
            return Err(TxError::Refused(reason));
        }
        let conflict = outcome.query_details()
            == Some(&surrealdb::types::QueryError::TransactionConflict)
            || text.to_lowercase().contains("conflict");
        if conflict && attempt < 8 {
            attempt += 1;
            let jitter: u64 = rand::random::<u64>() % 20;
            tokio::time::sleep(Duration::from_millis(5 * 2u64.pow(attempt.min(6)) + jitter)).await;
            continue;
        }
        return Err(TxError::Db(DbError::Query {
            context: context.into(),
            source: Box::new(outcome),
        }));
    }
}

fn is_collateral(text: &str) -> bool {
    let t = text.to_lowercase();
    t.contains("not executed")
        || t.contains("cancelled transaction")
        || t.contains("failed transaction")
}

/// Runs statements whose results are not needed, failing on the first statement error.
pub async fn execute(
    db: &Db,
    context: &str,
    sql: &str,
    vars: serde_json::Value,
) -> Result<(), DbError> {
    rows::<serde_json::Value>(db, context, sql, vars, 0)
        .await
        .map(|_| ())
}

/// The key part of a record id as JSON renders it: `item:i0001` → `i0001`,
/// `tag:⟨machine-learning⟩` → `machine-learning`.
pub fn record_key(id: &str) -> &str {
    let key = id.split_once(':').map(|(_, k)| k).unwrap_or(id);
    key.trim_start_matches(['⟨', '`'])
        .trim_end_matches(['⟩', '`'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_keys_are_unwrapped() {
        assert_eq!(record_key("item:i0001"), "i0001");
        assert_eq!(record_key("tag:⟨machine-learning⟩"), "machine-learning");
        assert_eq!(record_key("plain"), "plain");
    }

    #[tokio::test]
    async fn unsupported_urls_are_refused_with_a_clear_message() {
        let cfg = DbConfig {
            url: "postgres://x".into(),
            ..DbConfig::memory()
        };
        let err = connect(&cfg)
            .await
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("is not supported"), "{err}");
    }
}
