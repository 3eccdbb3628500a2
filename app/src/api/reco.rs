//! Recommendations: the catalogue cards the browser ranks on the device, and the admin's
//! controls over the model (status, retrain, roll back).
//!
//! Nothing here receives a learner's history: ranking happens in the browser, which asks
//! only for the whole catalogue's cards and — when signed in — which items the viewer owns.

use crate::error::AppError;
use crate::models::reco::{RecoCards, RecoStatus};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// Every published item's card, and the keys of what the signed-in viewer owns, so that
/// the browser can show ranked item keys as cards and leave owned items out.
#[server(prefix = "/api", endpoint = "reco_cards", input = GetUrl)]
pub async fn recommendation_cards() -> Result<RecoCards, AppError> {
    use super::account::server;
    let (state, viewer) = server::ctx()?;
    let index = state.catalog.index();
    let owned = match viewer.user() {
        Some(me) => {
            server::private();
            crate::ssr::reco::owned_items(&state.db, &me.user_key).await?
        }
        None => Vec::new(),
    };
    Ok(RecoCards {
        cards: index.cards(),
        owned,
    })
}

/// The admin "Recommendations" page: versions, metrics, the training run; admins only.
#[server(prefix = "/api", endpoint = "reco_status", input = GetUrl)]
pub async fn recommendation_status() -> Result<RecoStatus, AppError> {
    use super::account::server;
    let (state, viewer) = server::ctx()?;
    crate::ssr::access::require_admin(&viewer)?;
    server::private();
    crate::ssr::reco::status(&state.db, state.trainer.as_ref()).await
}

/// Starts a training run now (unless one is going on); admins only.
#[server(prefix = "/api", endpoint = "reco_retrain")]
pub async fn retrain_recommendations() -> Result<(), AppError> {
    use super::account::server;
    use crate::ssr::audit::{record, Action};
    let (state, viewer) = server::ctx()?;
    let admin = crate::ssr::access::require_admin(&viewer)?;
    if !state.trainer.start("manual") {
        return Err(AppError::Conflict(
            "A training run is already going on; wait for it to finish.".into(),
        ));
    }
    record(
        &state.db,
        Action::RecoRetrain,
        None,
        Some(&admin.user_key),
        "retrain now",
    )
    .await;
    leptos_axum::redirect("/admin/recommendations");
    Ok(())
}

/// Makes the version before the active one active again; admins only.
#[server(prefix = "/api", endpoint = "reco_rollback")]
pub async fn roll_back_recommendations() -> Result<i64, AppError> {
    use super::account::server;
    use crate::ssr::audit::{record, Action};
    let (state, viewer) = server::ctx()?;
    let admin = crate::ssr::access::require_admin(&viewer)?;
    let version = crate::ssr::reco::rollback(&state.db).await?;
    if let Err(e) = state.catalog.refresh().await {
        tracing::warn!(error = %e, "catalog refresh after rollback failed");
    }
    record(
        &state.db,
        Action::RecoRollback,
        None,
        Some(&admin.user_key),
        &format!("back to version {version}"),
    )
    .await;
    leptos_axum::redirect("/admin/recommendations");
    Ok(version)
}

/// The signed-in learner's library with their reading progress, of one kind when `kind`
/// is given, newest added first or (`sort=read`) most recently read first.
#[server(prefix = "/api", endpoint = "library", input = GetUrl)]
pub async fn load_library(
    #[server(default)] kind: String,
    #[server(default)] sort: String,
) -> Result<Vec<crate::models::catalog::LibraryEntry>, AppError> {
    use super::account::server;
    use crate::models::catalog::Kind;
    let (state, viewer) = server::ctx()?;
    let me = crate::ssr::access::require_signed_in(&viewer)?;
    server::private();
    let kind = match kind.trim() {
        "" => None,
        k => Some(Kind::parse(k).ok_or_else(|| {
            AppError::BadRequest(
                "There is no such kind: choose article, ebook, audio, video or course.".into(),
            )
        })?),
    };
    let recent_first = match sort.trim() {
        "" | "added" => false,
        "read" => true,
        _ => {
            return Err(AppError::BadRequest(
                "The library can be sorted by “added” or “read”.".into(),
            ))
        }
    };
    crate::ssr::reco::library(
        &state.db,
        &state.catalog.index(),
        &me.user_key,
        kind,
        recent_first,
    )
    .await
}
