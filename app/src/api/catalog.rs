//! Reading the catalog: lists, facets, item pages, creator pages.
//!
//! All of these only read, so they use GET (cacheable, and never a way to change state).
//! Each takes the viewer into account where it matters: only [`load_item`] can carry an
//! item's body, and only when the access rule allows it.

use crate::error::AppError;
use crate::models::catalog::{
    CatalogPage, CatalogQuery, CreatorProfile, Facets, HomeSections, ItemDetail,
};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// One page of the catalog for the filters in `query`.
#[server(prefix = "/api", endpoint = "catalog", input = GetUrl)]
pub async fn search_catalog(
    #[server(default)] query: CatalogQuery,
) -> Result<CatalogPage, AppError> {
    let filter = query.parse()?;
    crate::ssr::state::app_state()?
        .catalog
        .index()
        .page(&filter)
}

/// Categories and tags for the filter bar.
#[server(prefix = "/api", endpoint = "facets", input = GetUrl)]
pub async fn catalog_facets() -> Result<Facets, AppError> {
    Ok(crate::ssr::state::app_state()?.catalog.index().facets())
}

/// The home page's lists.
#[server(prefix = "/api", endpoint = "home", input = GetUrl)]
pub async fn load_home() -> Result<HomeSections, AppError> {
    Ok(crate::ssr::state::app_state()?.catalog.index().home())
}

/// An item page; the body is included only for a viewer who may read it.
#[server(prefix = "/api", endpoint = "item", input = GetUrl)]
pub async fn load_item(slug: String) -> Result<ItemDetail, AppError> {
    use crate::models::catalog::is_slug;
    if !is_slug(&slug) {
        return Err(AppError::NotFound("There is no such item.".into()));
    }
    let state = crate::ssr::state::app_state()?;
    let viewer = crate::ssr::access::viewer();
    let detail = state.catalog.item_detail(&slug, &viewer).await?;
    if let (Some(me), Some(item)) = (viewer.user(), state.catalog.index().item(&slug)) {
        // Only with the person's consent to analytics (checked inside).
        if let Err(e) = crate::ssr::accounts::record_event(&state.db, me, &item.key, "view").await {
            tracing::warn!(error = %e, "could not record a view");
        }
    }
    Ok(detail)
}

/// A creator's page.
#[server(prefix = "/api", endpoint = "creator", input = GetUrl)]
pub async fn load_creator(slug: String) -> Result<CreatorProfile, AppError> {
    use crate::models::catalog::is_slug;
    if !is_slug(&slug) {
        return Err(AppError::NotFound("There is no such creator.".into()));
    }
    crate::ssr::state::app_state()?
        .catalog
        .index()
        .creator(&slug)
}
