//! The reader: the whole text of an item for those who may read it, and where the learner
//! stopped, saved from every device.

use crate::error::AppError;
use crate::models::reading::{ReaderView, ReadingPosition};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// The reader's content for `slug`: preview and body, chapters, and the signed-in learner's
/// last position. Visitors may read free items; paid ones need the item, a membership that
/// opens it, or the admin role.
#[server(prefix = "/api", endpoint = "reader", input = GetUrl)]
pub async fn load_reader(slug: String) -> Result<ReaderView, AppError> {
    use super::account::server;
    if !crate::models::catalog::is_slug(&slug) {
        return Err(AppError::NotFound("There is no such item.".into()));
    }
    let (state, viewer) = server::ctx()?;
    server::private();
    crate::ssr::reading::reader(&state.db, &state.catalog.index(), &viewer, &slug).await
}

/// Saves where the signed-in learner is in `slug`: the block at the top of the screen,
/// how far through the text (0 … 1), and the device's time of the reading (ms since 1970).
/// Returns the position kept, which is a newer one from another device if there is one.
#[server(prefix = "/api", endpoint = "reading")]
pub async fn save_reading(
    slug: String,
    block: u32,
    fraction: f64,
    saved_ms: i64,
) -> Result<ReadingPosition, AppError> {
    use super::account::server;
    if !crate::models::catalog::is_slug(&slug) {
        return Err(AppError::NotFound("There is no such item.".into()));
    }
    let (state, viewer) = server::ctx()?;
    crate::ssr::reading::save(
        &state.db,
        &state.catalog.index(),
        &viewer,
        &slug,
        block,
        fraction,
        saved_ms,
    )
    .await
}

/// Marks lesson `lesson` of course `slug` complete (`done` = `true`) or not, for the
/// signed-in learner who may read it. A plain form posts it too: it then returns to the
/// lesson in the reader (the hydrated reader calls it in the background and stays put).
#[server(prefix = "/api", endpoint = "lesson_done")]
pub async fn set_lesson_done(slug: String, lesson: String, done: String) -> Result<(), AppError> {
    use super::account::server;
    if !crate::models::catalog::is_slug(&slug) {
        return Err(AppError::NotFound("There is no such item.".into()));
    }
    let done = match done.as_str() {
        "true" | "on" => true,
        "false" | "off" => false,
        _ => return Err(AppError::BadRequest("Say done=true or done=false.".into())),
    };
    let (state, viewer) = server::ctx()?;
    crate::ssr::courses::set_done(
        &state.db,
        &state.catalog.index(),
        &viewer,
        &slug,
        &lesson,
        done,
    )
    .await?;
    if server::from_plain_form() {
        leptos_axum::redirect(&format!("/read/{slug}#lesson-{lesson}"));
    }
    Ok(())
}

/// Where the signed-in learner stopped in audio or video file `hash`: seconds and the
/// device time of that save, if they kept a place (a player on another device starts there).
#[server(prefix = "/api", endpoint = "media_place", input = GetUrl)]
pub async fn media_place(hash: String) -> Result<Option<(f64, i64)>, AppError> {
    use super::account::server;
    let (state, viewer) = server::ctx()?;
    server::private();
    crate::ssr::reading::media_place(&state.db, &state.catalog.index(), &viewer, &hash).await
}

/// Keeps `at` seconds as the signed-in learner's place in file `hash`, saved on the device
/// at `saved_ms` (ms since 1970); an older save than the kept one changes nothing.
#[server(prefix = "/api", endpoint = "media_place_save")]
pub async fn save_media_place(hash: String, at: f64, saved_ms: i64) -> Result<(), AppError> {
    use super::account::server;
    let (state, viewer) = server::ctx()?;
    crate::ssr::reading::save_media_place(
        &state.db,
        &state.catalog.index(),
        &viewer,
        &hash,
        at,
        saved_ms,
    )
    .await
}
