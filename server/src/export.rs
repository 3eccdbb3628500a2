//! `GET /account/export.json`: everything stored about the signed-in person, as one JSON
//! download. Reading it changes nothing but the audit log, so it is a plain link.

use app::ssr::access::Viewer;
use app::ssr::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;

/// The download, or a redirect to sign-in for a visitor who is not signed in.
pub async fn download(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
) -> Response {
    let viewer = viewer.map(|Extension(v)| v).unwrap_or_default();
    let Some(me) = viewer.user() else {
        return Redirect::to("/signin?next=/account").into_response();
    };
    match app::ssr::accounts::export(&state.db, me).await {
        Ok(doc) => {
            let body = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".into());
            (
                [
                    (header::CONTENT_TYPE, "application/json; charset=utf-8"),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"shuzhai-my-data.json\"",
                    ),
                    (header::CACHE_CONTROL, "private, no-store"),
                ],
                body,
            )
                .into_response()
        }
        Err(e) => (e.status(), e.to_string()).into_response(),
    }
}

/// The query of `GET /notes.md`.
#[derive(serde::Deserialize)]
pub struct NotesQuery {
    /// One item's notes; all of them when absent.
    slug: Option<String>,
}

/// `GET /notes.md[?slug=…]`: the signed-in learner's highlights, notes and bookmarks as a
/// Markdown file (one item's, or all). Visitors are sent to sign in.
pub async fn notes(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    axum::extract::Query(q): axum::extract::Query<NotesQuery>,
) -> Response {
    let viewer = viewer.map(|Extension(v)| v).unwrap_or_default();
    let slug = q.slug.filter(|s| !s.is_empty());
    if viewer.user().is_none() {
        let back = match &slug {
            Some(s) if app::models::catalog::is_slug(s) => format!("/read/{s}"),
            _ => "/library".into(),
        };
        return Redirect::to(&format!("/signin?next={back}")).into_response();
    }
    if slug
        .as_deref()
        .is_some_and(|s| !app::models::catalog::is_slug(s))
    {
        return (axum::http::StatusCode::NOT_FOUND, "There is no such item.").into_response();
    }
    let index = state.catalog.index();
    match app::ssr::notes::markdown(
        &state.db,
        &index,
        &viewer,
        slug.as_deref(),
        &state.auth.origin,
    )
    .await
    {
        Ok(text) => {
            let name = match &slug {
                Some(s) => format!("attachment; filename=\"shuzhai-notes-{s}.md\""),
                None => "attachment; filename=\"shuzhai-notes.md\"".into(),
            };
            (
                [
                    (
                        header::CONTENT_TYPE,
                        "text/markdown; charset=utf-8".to_string(),
                    ),
                    (header::CONTENT_DISPOSITION, name),
                    (header::CACHE_CONTROL, "private, no-store".to_string()),
                ],
                text,
            )
                .into_response()
        }
        Err(e) => (e.status(), e.to_string()).into_response(),
    }
}
