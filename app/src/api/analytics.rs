//! The analytics dashboard: a creator's own store, or (admins) any store and all together.

use crate::error::AppError;
use crate::models::analytics::Dashboard;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// The dashboard of `store` (empty: the viewer's own, or all stores for an admin), or of
/// its item `item` (a slug; empty: the whole store), for `from` … `to` (`YYYY-MM-DD`;
/// empty: the last 30 days).
#[server(prefix = "/api", endpoint = "analytics", input = GetUrl)]
pub async fn analytics_dashboard(
    #[server(default)] store: String,
    #[server(default)] item: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
) -> Result<Dashboard, AppError> {
    use super::account::server;
    let (state, viewer) = server::ctx()?;
    server::private();
    crate::ssr::analytics::dashboard::load(
        &state.db,
        &viewer,
        &store,
        &item,
        &from,
        &to,
        crate::ssr::analytics::now_secs(),
    )
    .await
}
