//! The security audit log: sign-ins (and failed ones), password changes, role changes,
//! exports, deletions. Admins read it; each person finds their own entries in their export.

use super::db::{execute, Db};
use serde_json::json;

/// A security event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A sign-up was confirmed.
    SignUp,
    /// A successful sign-in.
    SignIn,
    /// A wrong password for an existing account.
    SignInFailed,
    /// Signed out on one device.
    SignOut,
    /// Signed out on every device.
    SignOutEverywhere,
    /// Password changed while signed in.
    PasswordChange,
    /// A reset link was asked for.
    PasswordResetRequested,
    /// The password was set through a reset link.
    PasswordReset,
    /// An admin granted or removed a role.
    RoleChange,
    /// A device was signed out from the account page.
    SessionRevoked,
    /// Analytics or personalisation consent changed.
    ConsentChange,
    /// The person downloaded their data.
    Export,
    /// The person deleted their account.
    Delete,
    /// An admin started a recommendation training run.
    RecoRetrain,
    /// An admin rolled the recommendation model back.
    RecoRollback,
    /// A comment was deleted by the item's creator or an admin (not its author).
    ModerateComment,
    /// An admin acted on reports (dismissed, hid, removed, suspended) or on the word list.
    Moderation,
}

impl Action {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::SignUp => "sign_up",
            Action::SignIn => "sign_in",
            Action::SignInFailed => "sign_in_failed",
            Action::SignOut => "sign_out",
            Action::SignOutEverywhere => "sign_out_everywhere",
            Action::PasswordChange => "password_change",
            Action::PasswordResetRequested => "password_reset_requested",
            Action::PasswordReset => "password_reset",
            Action::RoleChange => "role_change",
            Action::SessionRevoked => "session_revoked",
            Action::ConsentChange => "consent_change",
            Action::Export => "export",
            Action::Delete => "delete",
            Action::RecoRetrain => "reco_retrain",
            Action::RecoRollback => "reco_rollback",
            Action::ModerateComment => "moderate_comment",
            Action::Moderation => "moderation",
        }
    }
}

/// Records `action` concerning `user`, done by `actor` (when someone else did it). A failure
/// to write is logged and does not undo what happened.
pub async fn record(
    db: &Db,
    action: Action,
    user: Option<&str>,
    actor: Option<&str>,
    detail: &str,
) {
    let result = execute(
        db,
        "write audit log",
        "CREATE audit SET action = $action, detail = $detail, at = time::now(), \
         user = IF $user THEN type::record('user', $user) ELSE NONE END, \
         actor = IF $actor THEN type::record('user', $actor) ELSE NONE END",
        json!({ "action": action.as_str(), "user": user, "actor": actor, "detail": detail }),
    )
    .await;
    if let Err(e) = result {
        tracing::error!(error = %e, action = action.as_str(), "audit log write failed");
    }
}
