//! Reviews, comments and likes on an item page. The writing functions answer forms (they
//! work without JavaScript) and send the browser back to the item page's section.

use crate::error::AppError;
use crate::models::community::Community;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[cfg(feature = "ssr")]
fn checked_slug(slug: &str) -> Result<(), AppError> {
    if crate::models::catalog::is_slug(slug) {
        Ok(())
    } else {
        Err(AppError::NotFound("There is no such item.".into()))
    }
}

/// Ratings, reviews, likes and comments of `slug`, as the viewer sees them.
#[server(prefix = "/api", endpoint = "community", input = GetUrl)]
pub async fn load_community(slug: String) -> Result<Community, AppError> {
    use super::account::server;
    checked_slug(&slug)?;
    let (state, viewer) = server::ctx()?;
    server::private();
    crate::ssr::community::view(&state.db, &state.catalog.index(), &viewer, &slug).await
}

/// Writes or rewrites the signed-in owner's review (1 … 5 stars, optional text).
#[server(prefix = "/api", endpoint = "save_review")]
pub async fn save_review(slug: String, rating: u8, text: String) -> Result<(), AppError> {
    use super::account::server;
    checked_slug(&slug)?;
    let (state, viewer) = server::ctx()?;
    crate::ssr::community::save_review(
        &state.db,
        &state.catalog.index(),
        &viewer,
        &slug,
        rating,
        &text,
    )
    .await?;
    leptos_axum::redirect(&format!("/item/{slug}#reviews"));
    Ok(())
}

/// Deletes the signed-in learner's review of `slug`.
#[server(prefix = "/api", endpoint = "delete_review")]
pub async fn delete_review(slug: String) -> Result<(), AppError> {
    use super::account::server;
    checked_slug(&slug)?;
    let (state, viewer) = server::ctx()?;
    crate::ssr::community::delete_review(&state.db, &state.catalog.index(), &viewer, &slug).await?;
    leptos_axum::redirect(&format!("/item/{slug}#reviews"));
    Ok(())
}

/// Posts a comment on `slug` (or a reply to `parent`); `key` (from the form) makes a
/// double submission post once.
#[server(prefix = "/api", endpoint = "post_comment")]
pub async fn post_comment(
    slug: String,
    text: String,
    parent: Option<String>,
    key: String,
) -> Result<(), AppError> {
    use super::account::server;
    checked_slug(&slug)?;
    let (state, viewer) = server::ctx()?;
    crate::ssr::community::post_comment(
        &state.db,
        &state.catalog.index(),
        &viewer,
        &slug,
        &text,
        parent.as_deref(),
        &key,
    )
    .await?;
    leptos_axum::redirect(&format!("/item/{slug}#comments"));
    Ok(())
}

/// Deletes comment `id` on `slug` (its author, the item's creator or an admin).
#[server(prefix = "/api", endpoint = "delete_comment")]
pub async fn delete_comment(slug: String, id: String) -> Result<(), AppError> {
    use super::account::server;
    checked_slug(&slug)?;
    let (state, viewer) = server::ctx()?;
    crate::ssr::community::delete_comment(&state.db, &state.catalog.index(), &viewer, &slug, &id)
        .await?;
    leptos_axum::redirect(&format!("/item/{slug}#comments"));
    Ok(())
}

/// Likes (`on = true`) or unlikes `slug`.
#[server(prefix = "/api", endpoint = "like_item")]
pub async fn like_item(slug: String, on: bool) -> Result<(), AppError> {
    use super::account::server;
    checked_slug(&slug)?;
    let (state, viewer) = server::ctx()?;
    crate::ssr::community::set_like(&state.db, &state.catalog.index(), &viewer, &slug, on).await?;
    leptos_axum::redirect(&format!("/item/{slug}#community"));
    Ok(())
}
