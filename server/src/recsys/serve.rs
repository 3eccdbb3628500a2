//! The factor files over HTTP. `GET /reco/current` names the active version (never cached
//! for long); `GET /reco/factors/<version>` is that version's file, which never changes, so
//! it is cached for a year and revalidated by its entity tag.

use app::ssr::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// `GET /reco/current`: `{"version": n, "url": "/reco/factors/n"}`, or 404 before any
/// model was trained.
pub async fn current(State(state): State<AppState>) -> Response {
    match super::train::active(&state.db).await {
        Ok(Some(v)) => (
            [(header::CACHE_CONTROL, "no-cache")],
            axum::Json(serde_json::json!({ "version": v, "url": format!("/reco/factors/{v}") })),
        )
            .into_response(),
        Ok(None) => (
            StatusCode::NOT_FOUND,
            "No recommendation model has been trained yet.",
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "reading the active model");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// `GET /reco/factors/<version>`: the factor file.
pub async fn factors(
    State(state): State<AppState>,
    Path(version): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Ok(version) = version.parse::<i64>() else {
        return (StatusCode::NOT_FOUND, "No such model version.").into_response();
    };
    match super::train::factor_file(&state.db, version).await {
        Ok(Some((bytes, etag))) => {
            let cached = headers
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
            let common = [
                (
                    header::CACHE_CONTROL,
                    "public, max-age=31536000, immutable".to_string(),
                ),
                (header::ETAG, etag),
            ];
            if cached {
                (StatusCode::NOT_MODIFIED, common).into_response()
            } else {
                (
                    common,
                    [(header::CONTENT_TYPE, "application/octet-stream".to_string())],
                    bytes,
                )
                    .into_response()
            }
        }
        Ok(None) => (StatusCode::NOT_FOUND, "No such model version.").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "reading a factor file");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
