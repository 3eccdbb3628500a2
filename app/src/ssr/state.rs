//! The state every request shares, handed to server functions through Leptos context.

use super::accounts::AuthSettings;
use super::catalog::CatalogService;
use super::commerce::CommerceSettings;
use super::db::Db;
use crate::error::AppError;
use leptos::prelude::*;
use std::sync::Arc;

/// Database handle and services, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The catalog (an in-memory read model over the `item` table).
    pub catalog: Arc<CatalogService>,
    /// Accounts: origin for links, cookie security, attempt limits, mail.
    pub auth: Arc<AuthSettings>,
    /// Commerce: tax and the payment provider.
    pub commerce: Arc<CommerceSettings>,
    /// Recommendation training runs (started by admins, a timer or new interactions).
    pub trainer: Arc<dyn super::reco::Trainer>,
    /// Leptos' options (site root, output name).
    pub leptos_options: LeptosOptions,
    /// Where uploaded images, audio, video and files are kept.
    pub media: Arc<dyn super::media::MediaStore>,
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The state, from inside a server function or a component rendered on the server.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>()
        .ok_or_else(|| AppError::internal("app state", "AppState missing from context"))
}
