//! Versioned schema migrations.
//!
//! Each migration is a SurrealQL file under `migrations/`, applied once, in order, inside a
//! transaction together with the record that marks it applied — so a failing migration
//! leaves the database exactly as it was, and re-running is a no-op. A migration that was
//! edited after it was applied is refused (its checksum no longer matches).

use super::db::{rows, Db, DbError};
use serde::Deserialize;
use serde_json::json;

/// One schema change.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Position in the sequence, from 1.
    pub version: u32,
    /// Short name, for the log.
    pub name: &'static str,
    /// The SurrealQL to run.
    pub sql: &'static str,
}

/// Every migration of the product, in order.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "data model v1",
        sql: include_str!("migrations/0001_data_model_v1.surql"),
    },
    Migration {
        version: 2,
        name: "accounts",
        sql: include_str!("migrations/0002_accounts.surql"),
    },
    Migration {
        version: 3,
        name: "commerce",
        sql: include_str!("migrations/0003_commerce.surql"),
    },
    Migration {
        version: 4,
        name: "memberships and gifts",
        sql: include_str!("migrations/0004_memberships_gifts.surql"),
    },
    Migration {
        version: 5,
        name: "recommendation models",
        sql: include_str!("migrations/0005_recommendations.surql"),
    },
    Migration {
        version: 6,
        name: "recommendation neighbours",
        sql: include_str!("migrations/0006_recommendation_neighbours.surql"),
    },
    Migration {
        version: 7,
        name: "analytics",
        sql: include_str!("migrations/0007_analytics.surql"),
    },
    Migration {
        version: 8,
        name: "analytics: fewer rows",
        sql: include_str!("migrations/0008_analytics_fewer_rows.surql"),
    },
    Migration {
        version: 9,
        name: "segment coupons",
        sql: include_str!("migrations/0009_segment_coupons.surql"),
    },
    Migration {
        version: 10,
        name: "analytics: monthly totals",
        sql: include_str!("migrations/0010_analytics_months.surql"),
    },
    Migration {
        version: 11,
        name: "reading positions",
        sql: include_str!("migrations/0011_reading_positions.surql"),
    },
    Migration {
        version: 12,
        name: "highlights, notes and bookmarks",
        sql: include_str!("migrations/0012_notes.surql"),
    },
    Migration {
        version: 13,
        name: "reviews, comments and likes",
        sql: include_str!("migrations/0013_community.surql"),
    },
    Migration {
        version: 14,
        name: "questions, feedback and notifications",
        sql: include_str!("migrations/0014_questions_feedback_notifications.surql"),
    },
    Migration {
        version: 15,
        name: "e-mail for replies and answers",
        sql: include_str!("migrations/0015_reply_mail.surql"),
    },
    Migration {
        version: 16,
        name: "lesson completion",
        sql: include_str!("migrations/0016_lesson_completion.surql"),
    },
    Migration {
        version: 17,
        name: "item drafts and version history",
        sql: include_str!("migrations/0017_item_drafts.surql"),
    },
    Migration {
        version: 18,
        name: "reports, hidden content, suspensions and the word list",
        sql: include_str!("migrations/0018_moderation.surql"),
    },
    Migration {
        version: 19,
        name: "uploaded media",
        sql: include_str!("migrations/0019_media.surql"),
    },
    Migration {
        version: 20,
        name: "lesson keys in course drafts",
        sql: include_str!("migrations/0020_course_editing.surql"),
    },
    Migration {
        version: 21,
        name: "store front and creator pages edited in place",
        sql: include_str!("migrations/0021_store_and_creator_pages.surql"),
    },
    Migration {
        version: 22,
        name: "places in audio and video, kept for every device",
        sql: include_str!("migrations/0022_media_places.surql"),
    },
    Migration {
        version: 23,
        name: "following creators, and notifications of their new items",
        sql: include_str!("migrations/0023_follows.surql"),
    },
    Migration {
        version: 24,
        name: "weekly analytics totals",
        sql: include_str!("migrations/0024_analytics_weeks.surql"),
    },
];

/// Why migrating stopped.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// The database could not be read or written.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A migration's statements failed; nothing of it was applied.
    #[error("migration {version:04} ({name}) failed and was rolled back, the database is unchanged: {reason}")]
    Failed {
        /// Its version.
        version: u32,
        /// Its name.
        name: &'static str,
        /// The database's message.
        reason: String,
    },
    /// An applied migration's text changed since.
    #[error("migration {version:04} ({name}) was changed after it was applied; add a new migration instead")]
    Changed {
        /// Its version.
        version: u32,
        /// Its name.
        name: &'static str,
    },
    /// The database has migrations this build does not know.
    #[error("the database is at schema version {found}, newer than this build knows ({known}); run a newer Shuzhai")]
    TooNew {
        /// Highest applied version.
        found: u32,
        /// Highest version this build has.
        known: u32,
    },
}

#[derive(Deserialize)]
struct Applied {
    version: u32,
    checksum: String,
}

/// FNV-1a, 64 bit: enough to notice an edited migration file.
fn checksum(sql: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in sql.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Applies the product's migrations; returns the versions applied now.
pub async fn run(db: &Db) -> Result<Vec<u32>, MigrateError> {
    run_list(db, MIGRATIONS).await
}

/// Applies `migrations` (in order) that the database has not recorded yet.
pub async fn run_list(db: &Db, migrations: &[Migration]) -> Result<Vec<u32>, MigrateError> {
    super::db::execute(
        db,
        "create migration table",
        "DEFINE TABLE IF NOT EXISTS migration SCHEMAFULL;
         DEFINE FIELD IF NOT EXISTS version ON migration TYPE int;
         DEFINE FIELD IF NOT EXISTS name ON migration TYPE string;
         DEFINE FIELD IF NOT EXISTS checksum ON migration TYPE string;
         DEFINE FIELD IF NOT EXISTS applied_at ON migration TYPE datetime;",
        json!({}),
    )
    .await?;
    let applied: Vec<Applied> = rows(
        db,
        "read applied migrations",
        "SELECT version, checksum FROM migration ORDER BY version",
        json!({}),
        0,
    )
    .await?;
    let known = migrations.iter().map(|m| m.version).max().unwrap_or(0);
    if let Some(found) = applied
        .iter()
        .map(|a| a.version)
        .max()
        .filter(|v| *v > known)
    {
        return Err(MigrateError::TooNew { found, known });
    }
    let mut done = Vec::new();
    for m in migrations {
        if let Some(a) = applied.iter().find(|a| a.version == m.version) {
            if a.checksum != checksum(m.sql) {
                return Err(MigrateError::Changed {
                    version: m.version,
                    name: m.name,
                });
            }
            continue;
        }
        let sql = format!(
            "BEGIN TRANSACTION;\n{}\n;CREATE type::record('migration', $version) SET version = $version, name = $name, checksum = $checksum, applied_at = time::now();\nCOMMIT TRANSACTION;",
            m.sql
        );
        let mut response = db
            .query(sql)
            .bind(("version", i64::from(m.version)))
            .bind(("name", m.name))
            .bind(("checksum", checksum(m.sql)))
            .await
            .map_err(|e| MigrateError::Failed {
                version: m.version,
                name: m.name,
                reason: e.to_string(),
            })?;
        let errors = response.take_errors();
        if let Some((_, e)) = errors.into_iter().min_by_key(|(i, _)| *i) {
            // Statements after the failing one report "not executed"; the first error is the cause.
            let reason = e.to_string();
            return Err(MigrateError::Failed {
                version: m.version,
                name: m.name,
                reason,
            });
        }
        tracing::info!(version = m.version, name = m.name, "applied migration");
        done.push(m.version);
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::db::{connect, DbConfig};

    /// Every migration's version from `first` on: what a database at `first - 1` still needs.
    fn versions_from(first: u32) -> Vec<u32> {
        MIGRATIONS
            .iter()
            .map(|m| m.version)
            .filter(|&v| v >= first)
            .collect()
    }

    async fn mem() -> Db {
        connect(&DbConfig::memory()).await.expect("mem db")
    }

    #[tokio::test]
    async fn migrations_apply_once() {
        let db = mem().await;
        let first = run(&db).await.expect("first run");
        let all: Vec<u32> = MIGRATIONS.iter().map(|m| m.version).collect();
        assert_eq!(first, all);
        let second = run(&db).await.expect("second run");
        assert!(second.is_empty(), "re-running must be a no-op");
    }

    #[tokio::test]
    async fn a_failing_migration_leaves_the_database_unchanged() {
        let db = mem().await;
        let list = [
            Migration {
                version: 1,
                name: "ok",
                sql: "DEFINE TABLE a SCHEMAFULL; DEFINE FIELD n ON a TYPE int;",
            },
            Migration {
                version: 2,
                name: "broken",
                sql: "DEFINE TABLE b SCHEMAFULL; CREATE a:1 SET n = 'not a number';",
            },
        ];
        let err = run_list(&db, &list).await.expect_err("must fail");
        assert!(err.to_string().contains("0002 (broken) failed"), "{err}");
        let tables: Vec<serde_json::Value> = rows(
            &db,
            "info",
            "RETURN object::keys((INFO FOR DB).tables)",
            json!({}),
            0,
        )
        .await
        .expect("info");
        let names: Vec<String> = tables
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect();
        assert!(names.contains(&"a".to_string()), "{names:?}");
        assert!(
            !names.contains(&"b".to_string()),
            "table b must have been rolled back: {names:?}"
        );
        let applied: Vec<serde_json::Value> = rows(
            &db,
            "applied",
            "SELECT version FROM migration",
            json!({}),
            0,
        )
        .await
        .expect("applied");
        assert_eq!(applied.len(), 1);
    }

    #[tokio::test]
    async fn an_edited_migration_is_refused() {
        let db = mem().await;
        let v1 = [Migration {
            version: 1,
            name: "a",
            sql: "DEFINE TABLE a SCHEMALESS;",
        }];
        run_list(&db, &v1).await.expect("apply");
        let edited = [Migration {
            version: 1,
            name: "a",
            sql: "DEFINE TABLE a SCHEMAFULL;",
        }];
        assert!(matches!(
            run_list(&db, &edited).await,
            Err(MigrateError::Changed { .. })
        ));
    }

    /// Totals counted before migration 8 keep their weeks and categories.
    #[tokio::test]
    async fn analytics_weeks_and_categories_move_onto_the_learner_row() {
        let db = mem().await;
        run_list(&db, &MIGRATIONS[..7]).await.expect("up to 7");
        crate::ssr::db::execute(
            &db,
            "old totals",
            "CREATE stat_learner:[creator:c1, 'l1'] SET creator = creator:c1, user = 'l1', first_day = '2026-01-05', last_day = '2026-01-20';
             CREATE stat_learner:[creator:c2, 'l1'] SET creator = creator:c2, user = 'l1', first_day = '2026-01-05', last_day = '2026-01-05';
             CREATE stat_learner_week:[creator:c1, 'l1', '2026-01-05'] SET creator = creator:c1, user = 'l1', week = '2026-01-05';
             CREATE stat_learner_week:[creator:c1, 'l1', '2026-01-19'] SET creator = creator:c1, user = 'l1', week = '2026-01-19';
             CREATE stat_learner_week:[creator:c2, 'l1', '2026-01-05'] SET creator = creator:c2, user = 'l1', week = '2026-01-05';
             CREATE stat_learner_category:[creator:c1, 'l1', 'history'] SET creator = creator:c1, user = 'l1', category = 'history', count = 3;",
            serde_json::json!({}),
        )
        .await
        .expect("old totals");
        assert_eq!(run(&db).await.expect("the rest"), versions_from(8));
        #[derive(Deserialize, Debug, PartialEq)]
        struct Row {
            creator: String,
            weeks: Vec<String>,
            categories: Vec<String>,
        }
        let mut got: Vec<Row> = rows(
            &db,
            "moved",
            "SELECT record::id(creator) AS creator, weeks, categories FROM stat_learner ORDER BY creator",
            json!({}),
            0,
        )
        .await
        .expect("read");
        got.iter_mut().for_each(|r| r.weeks.sort());
        assert_eq!(
            got,
            vec![
                Row {
                    creator: "c1".into(),
                    weeks: vec!["2026-01-05".into(), "2026-01-19".into()],
                    categories: vec!["history".into()],
                },
                Row {
                    creator: "c2".into(),
                    weeks: vec!["2026-01-05".into()],
                    categories: vec![],
                },
            ]
        );
    }

    /// One period's summed totals as the migration tests compare them: the key (period,
    /// product), the store, and views, likes, sales and net.
    type Summed = ((String, String), String, [i64; 4]);

    /// Applies the migrations before `version`, writes the old daily totals `days`
    /// (SurrealQL), applies the rest and reads back what they were summed into: `table`'s
    /// rows in key order. Each row's `period` field must repeat its key's first part.
    async fn daily_totals_summed_by(
        version: u32,
        days: &str,
        table: &str,
        period: &str,
    ) -> Vec<Summed> {
        let db = mem().await;
        let before = MIGRATIONS
            .iter()
            .take_while(|m| m.version < version)
            .count();
        run_list(&db, &MIGRATIONS[..before])
            .await
            .expect("the earlier migrations");
        crate::ssr::db::execute(&db, "old totals", days, json!({}))
            .await
            .expect("old totals");
        assert_eq!(run(&db).await.expect("the rest"), versions_from(version));
        #[derive(Deserialize)]
        struct Row {
            key: (String, String),
            period: String,
            creator: String,
            views: i64,
            likes: i64,
            sales: i64,
            net: i64,
        }
        let sql = format!(
            "SELECT record::id(id) AS key, {period} AS period, record::id(creator) AS creator, \
             views, likes, sales, net FROM {table} ORDER BY key"
        );
        let got: Vec<Row> = rows(&db, "summed", &sql, json!({}), 0).await.expect("read");
        got.into_iter()
            .map(|r| {
                assert_eq!(r.period, r.key.0, "the {period} field of {:?}", r.key);
                (r.key, r.creator, [r.views, r.likes, r.sales, r.net])
            })
            .collect()
    }

    /// The expected row for `period`, `product` and `store`.
    fn summed(period: &str, product: &str, store: &str, totals: [i64; 4]) -> Summed {
        ((period.into(), product.into()), store.into(), totals)
    }

    /// Daily totals counted before migration 24 are summed into weekly ones (Monday to
    /// Sunday).
    #[tokio::test]
    async fn daily_totals_are_summed_into_weeks() {
        // 2026-01-05 was a Monday, 2026-01-11 a Sunday, 2026-01-04 a Sunday.
        let days = "CREATE stat_day:['2026-01-04', 'item:a'] SET day = '2026-01-04', product = 'item:a', creator = creator:c1, views = 1;
             CREATE stat_day:['2026-01-05', 'item:a'] SET day = '2026-01-05', product = 'item:a', creator = creator:c1, views = 3, net = 100;
             CREATE stat_day:['2026-01-11', 'item:a'] SET day = '2026-01-11', product = 'item:a', creator = creator:c1, views = 2, sales = 1;
             CREATE stat_day:['2026-01-12', 'item:a'] SET day = '2026-01-12', product = 'item:a', creator = creator:c1, views = 7;
             CREATE stat_day:['2026-01-08', 'item:b'] SET day = '2026-01-08', product = 'item:b', creator = creator:c2, likes = 1;";
        assert_eq!(
            daily_totals_summed_by(24, days, "stat_week", "week").await,
            vec![
                summed("2025-12-29", "item:a", "c1", [1, 0, 0, 0]),
                summed("2026-01-05", "item:a", "c1", [5, 0, 1, 100]),
                summed("2026-01-05", "item:b", "c2", [0, 1, 0, 0]),
                summed("2026-01-12", "item:a", "c1", [7, 0, 0, 0]),
            ]
        );
    }

    /// Daily totals counted before migration 10 are summed into monthly ones.
    #[tokio::test]
    async fn daily_totals_are_summed_into_months() {
        let days = "CREATE stat_day:['2026-01-05', 'item:a'] SET day = '2026-01-05', product = 'item:a', creator = creator:c1, views = 3, net = 100;
             CREATE stat_day:['2026-01-31', 'item:a'] SET day = '2026-01-31', product = 'item:a', creator = creator:c1, views = 2, sales = 1;
             CREATE stat_day:['2026-02-01', 'item:a'] SET day = '2026-02-01', product = 'item:a', creator = creator:c1, views = 7;
             CREATE stat_day:['2026-01-05', 'item:b'] SET day = '2026-01-05', product = 'item:b', creator = creator:c2, likes = 1;";
        assert_eq!(
            daily_totals_summed_by(10, days, "stat_month", "month").await,
            vec![
                summed("2026-01", "item:a", "c1", [5, 0, 1, 100]),
                summed("2026-01", "item:b", "c2", [0, 1, 0, 0]),
                summed("2026-02", "item:a", "c1", [7, 0, 0, 0]),
            ]
        );
    }
}
