//! Reports and moderation: anyone signed in reports a thing; admins work through the queue,
//! suspend and reinstate accounts, and keep the word list. Plain forms: they work without
//! JavaScript.

use crate::error::AppError;
use crate::models::moderation::ModerationView;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// Reports `target` of kind `kind` (`item`, `comment`, `review`) on item `slug`, for
/// `reason`, with the reporter's own words `text`.
#[server(prefix = "/api", endpoint = "report")]
pub async fn report_content(
    slug: String,
    kind: String,
    target: String,
    reason: String,
    #[server(default)] text: String,
) -> Result<(), AppError> {
    use super::account::server;
    if !crate::models::catalog::is_slug(&slug) {
        return Err(AppError::NotFound("There is no such item.".into()));
    }
    let (state, viewer) = server::ctx()?;
    crate::ssr::moderation::report(
        &state.db,
        &state.catalog.index(),
        &viewer,
        &slug,
        &kind,
        &target,
        &reason,
        &text,
    )
    .await?;
    leptos_axum::redirect(&format!("/item/{slug}?reported=1#community"));
    Ok(())
}

/// The moderation queue, the word list, suspended accounts and the latest actions (admins).
#[server(prefix = "/api", endpoint = "moderation", input = GetUrl)]
pub async fn moderation_queue() -> Result<ModerationView, AppError> {
    use super::account::server;
    let (state, viewer) = server::ctx()?;
    crate::ssr::moderation::queue(&state.db, &viewer).await
}

/// Acts on the reports of one thing: `action` is `dismiss`, `hide`, `remove` or `suspend`.
#[server(prefix = "/api", endpoint = "moderate")]
pub async fn moderate(kind: String, target: String, action: String) -> Result<(), AppError> {
    use super::account::server;
    let (state, viewer) = server::ctx()?;
    let catalog_changed =
        crate::ssr::moderation::act(&state.db, &viewer, &kind, &target, &action).await?;
    if catalog_changed {
        state
            .catalog
            .refresh()
            .await
            .map_err(|e| AppError::internal("refresh catalog after moderation", e))?;
    }
    leptos_axum::redirect(&format!("/admin/moderation?done={action}"));
    Ok(())
}

/// Turns the word list on (`enabled` sent) or off and replaces its words (one per line).
#[server(prefix = "/api", endpoint = "word_list")]
pub async fn set_word_list(enabled: Option<String>, words: String) -> Result<(), AppError> {
    use super::account::server;
    let (state, viewer) = server::ctx()?;
    let on = enabled.is_some_and(|v| v == "on" || v == "true");
    crate::ssr::moderation::set_words(&state.db, &viewer, on, &words).await?;
    leptos_axum::redirect("/admin/moderation?done=words");
    Ok(())
}

/// Lifts the suspension of account `user`.
#[server(prefix = "/api", endpoint = "lift_suspension")]
pub async fn lift_suspension(user: String) -> Result<(), AppError> {
    use super::account::server;
    let (state, viewer) = server::ctx()?;
    crate::ssr::moderation::lift_suspension(&state.db, &viewer, &user).await?;
    leptos_axum::redirect("/admin/moderation?done=lifted");
    Ok(())
}
