//! Accounts: sign-up, sign-in and out, passwords, the account page, administration.
//!
//! Every function that changes something is a POST (the default codec), so it can be the
//! target of a plain HTML form and never of a link; the request layer refuses cross-site
//! POSTs. Each checks who is asking through `ssr::access` before doing anything.

use crate::error::AppError;
use crate::models::account::{AccountView, OutboxMail, UserSummary};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use crate::ssr::access::{viewer, Viewer};
    use crate::ssr::sessions;
    use crate::ssr::state::{app_state, AppState};
    use http::header::{HeaderName, HeaderValue, CACHE_CONTROL, SET_COOKIE, USER_AGENT};
    use leptos::prelude::*;

    /// The state and the viewer of this request.
    pub fn ctx() -> Result<(AppState, Viewer), crate::error::AppError> {
        Ok((app_state()?, viewer()))
    }

    /// Whether the request is a plain form post from a page (it takes HTML back), not a
    /// call from the hydrated app.
    pub fn from_plain_form() -> bool {
        use_context::<http::request::Parts>().is_some_and(|p| {
            p.headers
                .get(http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/html"))
        })
    }

    /// A short description of the asking browser.
    pub fn device() -> String {
        let ua = use_context::<http::request::Parts>()
            .and_then(|p| {
                p.headers
                    .get(USER_AGENT)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            })
            .unwrap_or_default();
        crate::models::account::describe_device(&ua)
    }

    fn header(name: HeaderName, value: &str) {
        if let (Some(res), Ok(v)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            HeaderValue::from_str(value),
        ) {
            res.append_header(name, v);
        }
    }

    /// Gives the browser the session cookie for `token`.
    pub fn set_session_cookie(state: &AppState, token: &str) {
        header(
            SET_COOKIE,
            &sessions::cookie(token, state.auth.secure_cookies),
        );
    }

    /// Removes the session cookie and asks the browser to forget this site's cached pages
    /// and stored data.
    pub fn end_session_in_browser(state: &AppState) {
        header(
            SET_COOKIE,
            &sessions::clear_cookie(state.auth.secure_cookies),
        );
        header(
            HeaderName::from_static("clear-site-data"),
            "\"cache\", \"cookies\", \"storage\"",
        );
    }

    /// Marks a response as personal: no shared cache may keep it.
    pub fn private() {
        header(CACHE_CONTROL, "private, no-store");
    }

    /// A path inside this site to continue to after signing in (never another site).
    pub fn safe_next(next: Option<String>) -> String {
        match next {
            Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n,
            _ => "/account".to_string(),
        }
    }
}

/// Starts a sign-up; the confirmation link goes out by mail.
#[server(prefix = "/api", endpoint = "sign_up")]
pub async fn sign_up(
    email: String,
    display_name: String,
    password: String,
    confirm: String,
) -> Result<(), AppError> {
    let (state, _) = server::ctx()?;
    crate::ssr::accounts::sign_up(
        &state.db,
        &state.auth,
        &email,
        &display_name,
        &password,
        &confirm,
        crate::ssr::access::request_locale(),
    )
    .await?;
    leptos_axum::redirect("/signup?sent=1");
    Ok(())
}

/// Confirms a sign-up from the mailed link and signs the new account in.
#[server(prefix = "/api", endpoint = "confirm_sign_up")]
pub async fn confirm_sign_up(token: String) -> Result<(), AppError> {
    let (state, _) = server::ctx()?;
    let session =
        crate::ssr::accounts::confirm_sign_up(&state.db, &token, &server::device()).await?;
    server::set_session_cookie(&state, &session);
    super::commerce::adopt_visitor_cart(&state, &session).await;
    leptos_axum::redirect("/account?welcome=1");
    Ok(())
}

/// Signs in with e-mail and password, then continues to `next` (a path on this site).
#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(
    email: String,
    password: String,
    #[server(default)] next: Option<String>,
) -> Result<(), AppError> {
    let (state, viewer) = server::ctx()?;
    let previous = viewer.user().map(|u| u.session_key.clone());
    let token = crate::ssr::accounts::sign_in(
        &state.db,
        &state.auth,
        &email,
        &password,
        &server::device(),
        previous.as_deref(),
    )
    .await?;
    server::set_session_cookie(&state, &token);
    super::commerce::adopt_visitor_cart(&state, &token).await;
    leptos_axum::redirect(&server::safe_next(next));
    Ok(())
}

/// Signs out on this device.
#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::ssr::audit::{record, Action};
    let (state, viewer) = server::ctx()?;
    if let Some(me) = viewer.user() {
        crate::ssr::sessions::delete(&state.db, &me.session_key)
            .await
            .map_err(|e| AppError::internal("sign out", e))?;
        record(&state.db, Action::SignOut, Some(&me.user_key), None, "").await;
    }
    server::end_session_in_browser(&state);
    leptos_axum::redirect("/");
    Ok(())
}

/// Signs out on every device.
#[server(prefix = "/api", endpoint = "sign_out_everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    use crate::ssr::audit::{record, Action};
    let (state, viewer) = server::ctx()?;
    let me = crate::ssr::access::require_signed_in(&viewer)?;
    crate::ssr::sessions::delete_all(&state.db, &me.user_key, None)
        .await
        .map_err(|e| AppError::internal("sign out everywhere", e))?;
    record(
        &state.db,
        Action::SignOutEverywhere,
        Some(&me.user_key),
        None,
        "",
    )
    .await;
    server::end_session_in_browser(&state);
    leptos_axum::redirect("/");
    Ok(())
}

/// Mails a password reset link, if the address has an account (the answer does not say).
#[server(prefix = "/api", endpoint = "request_password_reset")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    let (state, _) = server::ctx()?;
    crate::ssr::accounts::request_reset(
        &state.db,
        &state.auth,
        &email,
        crate::ssr::access::request_locale(),
    )
    .await?;
    leptos_axum::redirect("/reset?sent=1");
    Ok(())
}

/// Sets a new password through a reset link.
#[server(prefix = "/api", endpoint = "reset_password")]
pub async fn reset_password(
    token: String,
    password: String,
    confirm: String,
) -> Result<(), AppError> {
    let (state, _) = server::ctx()?;
    crate::ssr::accounts::reset_password(&state.db, &token, &password, &confirm).await?;
    leptos_axum::redirect("/signin?reset=1");
    Ok(())
}

/// Changes the password of the signed-in person.
#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(
    current: String,
    password: String,
    confirm: String,
) -> Result<(), AppError> {
    let (state, viewer) = server::ctx()?;
    let me = crate::ssr::access::require_signed_in(&viewer)?;
    let token =
        crate::ssr::accounts::change_password(&state.db, me, &current, &password, &confirm).await?;
    server::set_session_cookie(&state, &token);
    leptos_axum::redirect("/account?saved=password");
    Ok(())
}

/// The account page's data.
#[server(prefix = "/api", endpoint = "account", input = GetUrl)]
pub async fn load_account() -> Result<AccountView, AppError> {
    let (state, viewer) = server::ctx()?;
    let me = crate::ssr::access::require_signed_in(&viewer)?;
    server::private();
    crate::ssr::accounts::account_view(&state.db, me).await
}

/// Saves name, language and e-mail preferences (checkboxes send "on" when ticked).
#[server(prefix = "/api", endpoint = "update_profile")]
pub async fn update_profile(
    display_name: String,
    locale: String,
    #[server(default)] email_new_items: Option<String>,
    #[server(default)] email_updates: Option<String>,
    #[server(default)] email_replies: Option<String>,
) -> Result<(), AppError> {
    let (state, viewer) = server::ctx()?;
    let me = crate::ssr::access::require_signed_in(&viewer)?;
    crate::ssr::accounts::update_profile(
        &state.db,
        me,
        &display_name,
        &locale,
        crate::models::account::EmailChoices {
            new_items: email_new_items.is_some(),
            updates: email_updates.is_some(),
            replies: email_replies.is_some(),
        },
    )
    .await?;
    leptos_axum::redirect("/account?saved=profile");
    Ok(())
}

/// Saves consent to analytics and to personalisation (checkboxes).
#[server(prefix = "/api", endpoint = "set_consent")]
pub async fn set_consent(
    #[server(default)] analytics: Option<String>,
    #[server(default)] personalisation: Option<String>,
) -> Result<(), AppError> {
    let (state, viewer) = server::ctx()?;
    let me = crate::ssr::access::require_signed_in(&viewer)?;
    crate::ssr::accounts::set_consent(
        &state.db,
        me,
        analytics.is_some(),
        personalisation.is_some(),
    )
    .await?;
    leptos_axum::redirect("/account?saved=privacy");
    Ok(())
}

/// Signs out one of the person's devices.
#[server(prefix = "/api", endpoint = "revoke_session")]
pub async fn revoke_session(id: String) -> Result<(), AppError> {
    let (state, viewer) = server::ctx()?;
    let me = crate::ssr::access::require_signed_in(&viewer)?;
    crate::ssr::accounts::revoke_session(&state.db, me, &id).await?;
    leptos_axum::redirect("/account?saved=sessions");
    Ok(())
}

/// Deletes the signed-in person's account (confirmed with their password).
#[server(prefix = "/api", endpoint = "delete_account")]
pub async fn delete_account(password: String) -> Result<(), AppError> {
    let (state, viewer) = server::ctx()?;
    let me = crate::ssr::access::require_signed_in(&viewer)?;
    crate::ssr::accounts::delete_account(&state.db, me, &password).await?;
    server::end_session_in_browser(&state);
    if let Err(e) = state.catalog.refresh().await {
        tracing::warn!(error = %e, "catalog refresh after an account deletion failed");
    }
    leptos_axum::redirect("/?deleted=1");
    Ok(())
}

/// People, for the admin (matching `q` in e-mail or name).
#[server(prefix = "/api", endpoint = "admin_users", input = GetUrl)]
pub async fn admin_users(#[server(default)] q: String) -> Result<Vec<UserSummary>, AppError> {
    let (state, viewer) = server::ctx()?;
    crate::ssr::access::require_admin(&viewer)?;
    server::private();
    crate::ssr::accounts::list_users(&state.db, &q).await
}

/// Grants (`on` = "true") or removes a role; admins only.
#[server(prefix = "/api", endpoint = "admin_set_role")]
pub async fn admin_set_role(user: String, role: String, on: String) -> Result<(), AppError> {
    use crate::models::account::Role;
    let (state, viewer) = server::ctx()?;
    let admin = crate::ssr::access::require_admin(&viewer)?;
    let role = Role::parse(&role)
        .ok_or_else(|| AppError::BadRequest(format!("There is no role called “{role}”.")))?;
    crate::ssr::accounts::set_role(&state.db, admin, &user, role, on == "true").await?;
    leptos_axum::redirect("/admin/users");
    Ok(())
}

/// The mail outbox; admins only.
#[server(prefix = "/api", endpoint = "admin_outbox", input = GetUrl)]
pub async fn admin_outbox() -> Result<Vec<OutboxMail>, AppError> {
    let (state, viewer) = server::ctx()?;
    crate::ssr::access::require_admin(&viewer)?;
    server::private();
    crate::ssr::accounts::outbox(&state.db).await
}
