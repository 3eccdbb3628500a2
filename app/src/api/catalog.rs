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
    let state = crate::ssr::state::app_state()?;
    let page = state.catalog.index().page(&filter)?;
    // A search is recorded when its first page is asked for (not on every page turn).
    if !filter.terms.is_empty() && filter.page <= 1 {
        let text = query.q.as_str();
        {
            let viewer = crate::ssr::access::viewer();
            if let Err(e) = crate::ssr::analytics::record::search(&state.db, &viewer, text).await {
                tracing::warn!(error = %e, "could not record a search");
            }
        }
    }
    Ok(page)
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
    if let Some(item) = state.catalog.index().item(&slug) {
        // Consent is checked inside: nothing for a learner who did not allow analytics.
        let preview = !detail.card.price.is_free() && detail.body.is_none();
        let host = state
            .auth
            .origin
            .split_once("://")
            .map(|(_, h)| h)
            .unwrap_or(&state.auth.origin)
            .to_string();
        let source = crate::ssr::analytics::record::request_source(&host);
        if let Err(e) =
            crate::ssr::analytics::record::item_view(&state.db, &viewer, &item.key, preview, source)
                .await
        {
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
    let state = crate::ssr::state::app_state()?;
    let index = state.catalog.index();
    let mut profile = index.creator(&slug)?;
    let viewer = crate::ssr::access::viewer();
    profile.can_edit = crate::ssr::access::may_edit_creator(&viewer, index.creator_owner(&slug));
    profile.follow = crate::ssr::follows::state(&state.db, &index, &viewer, &slug).await?;
    super::account::server::private();
    Ok(profile)
}
