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
