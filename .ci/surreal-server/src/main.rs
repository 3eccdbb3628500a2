//! `surreal start …`: the SurrealDB server with its community defaults, as the official
//! binary runs it, for the store's remote-database test.

use std::process::ExitCode;

fn main() -> ExitCode {
    surrealdb_server::init(surrealdb_server::core::CommunityComposer())
}
