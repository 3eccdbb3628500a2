//! Editing the store front (admins) and a creator's page (the creator, or an admin) in
//! place. Plain forms: they work without JavaScript; each names the revision it was made
//! from, and a stale one is refused with the text left in the form.

use crate::error::AppError;
use leptos::prelude::*;

/// Saves the home page's headline and introduction in both languages, made from revision
/// `revision`; back to the home page.
#[server(prefix = "/api", endpoint = "store_front")]
pub async fn save_store_front(
    tagline_en: String,
    tagline_zh: String,
    intro_en: String,
    intro_zh: String,
    revision: i64,
) -> Result<(), AppError> {
    use super::account::server;
    let (state, viewer) = server::ctx()?;
    let text = crate::ssr::profile::FrontText {
        tagline_en: &tagline_en,
        tagline_zh: &tagline_zh,
        intro_en: &intro_en,
        intro_zh: &intro_zh,
    };
    crate::ssr::profile::save_front(&state.db, &viewer, text, revision).await?;
    state
        .catalog
        .refresh()
        .await
        .map_err(|e| AppError::internal("refresh catalog after editing the store front", e))?;
    leptos_axum::redirect("/?saved=1");
    Ok(())
}

/// Saves creator `slug`'s name, biography and picture, made from revision `revision`;
/// back to their page.
#[server(prefix = "/api", endpoint = "creator_profile")]
pub async fn save_creator_profile(
    slug: String,
    name: String,
    bio: String,
    #[server(default)] avatar: String,
    revision: i64,
) -> Result<(), AppError> {
    use super::account::server;
    let (state, viewer) = server::ctx()?;
    let text = crate::ssr::profile::ProfileText {
        name: &name,
        bio: &bio,
        avatar: &avatar,
    };
    let index = state.catalog.index();
    crate::ssr::profile::save_creator(&state.db, &index, &viewer, &slug, text, revision).await?;
    state
        .catalog
        .refresh()
        .await
        .map_err(|e| AppError::internal("refresh catalog after editing a profile", e))?;
    leptos_axum::redirect(&format!("/creator/{slug}?saved=1"));
    Ok(())
}
