//! `POST /lang`: the language switch in every page's footer. A plain form, so it works
//! without JavaScript: it remembers the choice in a preference cookie (`sz_lang`, only
//! `en` or `zh-CN`), saves it to the account when someone is signed in, and sends the
//! browser back to the page it came from.

use app::models::i18n::{Locale, LANG_COOKIE};
use app::ssr::access::Viewer;
use app::ssr::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};

/// How long the choice is remembered: a year.
const REMEMBER_SECS: u64 = 365 * 24 * 3600;

/// The switch's form.
#[derive(serde::Deserialize)]
pub struct Switch {
    /// `en` or `zh-CN`.
    to: String,
    /// The page to return to (a path on this site).
    #[serde(default)]
    back: String,
}

/// Where to send the browser back to: a path on this site, never another host.
fn safe_back(back: &str) -> &str {
    let ok = back.starts_with('/')
        && !back.starts_with("//")
        && !back.contains('\\')
        && !back.chars().any(char::is_control);
    if ok {
        back
    } else {
        "/"
    }
}

/// Switches the language and goes back; an unknown language is a 400 with the reason.
pub async fn switch(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    Form(form): Form<Switch>,
) -> Response {
    let Some(locale) = Locale::parse(&form.to) else {
        return (
            StatusCode::BAD_REQUEST,
            "There is no such language here: choose en (English) or zh-CN (中文).",
        )
            .into_response();
    };
    if let Some(me) = viewer.as_ref().and_then(|Extension(v)| v.user()) {
        if let Err(e) = app::ssr::accounts::set_locale(&state.db, me, locale).await {
            return (e.status(), e.to_string()).into_response();
        }
    }
    let cookie = app::ssr::sessions::set_cookie(
        LANG_COOKIE,
        locale.tag(),
        REMEMBER_SECS,
        state.auth.secure_cookies,
    );
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, safe_back(&form.back).to_string()),
            (header::SET_COOKIE, cookie),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::safe_back;

    #[test]
    fn only_paths_on_this_site_are_followed_back() {
        assert_eq!(safe_back("/catalog?kind=audio"), "/catalog?kind=audio");
        assert_eq!(safe_back("//evil.example/x"), "/");
        assert_eq!(safe_back("https://evil.example"), "/");
        assert_eq!(safe_back("/\\evil.example"), "/");
        assert_eq!(safe_back(""), "/");
    }
}
