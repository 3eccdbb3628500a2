//! Reviews, comments and likes on an item page. The writing functions answer forms (they
//! work without JavaScript) and send the browser back to the item page's section.

use crate::error::AppError;
use crate::models::catalog::CreatorCard;
use crate::models::community::{Community, Inbox, NotificationView};
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

/// Posts a comment on `slug` (a question to the creator when `question` is sent, or a
/// reply to `parent`); `key` (from the form) makes a double submission post once.
#[server(prefix = "/api", endpoint = "post_comment")]
pub async fn post_comment(
    slug: String,
    text: String,
    parent: Option<String>,
    question: Option<String>,
    key: String,
) -> Result<(), AppError> {
    use super::account::server;
    checked_slug(&slug)?;
    let (state, viewer) = server::ctx()?;
    crate::ssr::community::post_comment(
        &state.db,
        &state.auth,
        &state.catalog.index(),
        &viewer,
        &slug,
        &text,
        parent.as_deref(),
        question.is_some_and(|q| q == "on" || q == "true"),
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

/// Sends feedback about `slug` to its creator's inbox.
#[server(prefix = "/api", endpoint = "send_feedback")]
pub async fn send_feedback(slug: String, text: String) -> Result<(), AppError> {
    use super::account::server;
    checked_slug(&slug)?;
    let (state, viewer) = server::ctx()?;
    crate::ssr::community::send_feedback(
        &state.db,
        &state.auth,
        &state.catalog.index(),
        &viewer,
        &slug,
        &text,
    )
    .await?;
    leptos_axum::redirect(&format!("/item/{slug}?feedback=sent#feedback"));
    Ok(())
}

/// The signed-in person's notifications, newest first; opening them marks them read.
#[server(prefix = "/api", endpoint = "notifications", input = GetUrl)]
pub async fn load_notifications() -> Result<Vec<NotificationView>, AppError> {
    use super::account::server;
    let (state, viewer) = server::ctx()?;
    server::private();
    crate::ssr::community::notifications(&state.db, &viewer).await
}

/// The signed-in creator's inbox: feedback and unanswered questions.
#[server(prefix = "/api", endpoint = "inbox", input = GetUrl)]
pub async fn creator_inbox() -> Result<Inbox, AppError> {
    use super::account::server;
    let (state, viewer) = server::ctx()?;
    server::private();
    crate::ssr::community::inbox(&state.db, &state.catalog.index(), &viewer).await
}

/// Marks feedback `id` in the signed-in creator's inbox handled (`handled = true`) or not.
#[server(prefix = "/api", endpoint = "mark_feedback")]
pub async fn mark_feedback(id: String, handled: bool) -> Result<(), AppError> {
    use super::account::server;
    let (state, viewer) = server::ctx()?;
    crate::ssr::community::mark_feedback(&state.db, &viewer, &id, handled).await?;
    leptos_axum::redirect("/studio/inbox");
    Ok(())
}

/// Follows (`on = true`) or stops following the creator `slug`, then goes back to `next`
/// (a path on this site; the creator's page when absent).
#[server(prefix = "/api", endpoint = "follow_creator")]
pub async fn follow_creator(
    slug: String,
    on: bool,
    #[server(default)] next: Option<String>,
) -> Result<(), AppError> {
    use super::account::server;
    let (state, viewer) = server::ctx()?;
    crate::ssr::follows::set(&state.db, &state.catalog.index(), &viewer, &slug, on).await?;
    let to = match next {
        Some(n) => server::safe_next(Some(n)),
        None => format!("/creator/{slug}#follow"),
    };
    leptos_axum::redirect(&to);
    Ok(())
}

/// The creators the signed-in person follows, the latest followed first.
#[server(prefix = "/api", endpoint = "following", input = GetUrl)]
pub async fn load_following() -> Result<Vec<CreatorCard>, AppError> {
    use super::account::server;
    let (state, viewer) = server::ctx()?;
    server::private();
    crate::ssr::follows::following(&state.db, &state.catalog.index(), &viewer).await
}
