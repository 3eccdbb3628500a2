//! Accounts: sign-up with e-mail confirmation, sign-in, password changes and resets,
//! preferences and consent, roles, export and deletion.
//!
//! Answers never reveal whether an e-mail address has an account: sign-up and reset say the
//! same thing either way and write a mail either way; sign-in spends the same hashing work
//! on unknown addresses.

use super::access::{client_ip, SignedIn};
use super::audit::{self, Action};
use super::db::{execute, record_key, rows, Db, DbError};
use super::mail::{Mail, Mailer};
use super::password;
use super::ratelimit::{Limit, RateLimiter, RateLimits};
use super::sessions::{self, token_key};
use crate::error::AppError;
use crate::models::account::{
    check_new_password, AccountView, DisplayName, Email, FieldError, OutboxMail, Problem, Role,
    UserSummary,
};
use crate::models::i18n::Locale;
use serde::Deserialize;
use serde_json::{json, Value};

/// Settings and shared state of the account flows.
#[derive(Debug)]
pub struct AuthSettings {
    /// The store's public origin, for links in mail (`https://shop.example`).
    pub origin: String,
    /// Whether cookies get `Secure` (served over https).
    pub secure_cookies: bool,
    /// Attempt limits.
    pub limits: RateLimits,
    /// Attempt counters.
    pub limiter: RateLimiter,
    /// Where mail goes.
    pub mailer: Mailer,
}

impl AuthSettings {
    /// Settings for a store at `origin` (cookies are `Secure` when it is https).
    pub fn new(origin: &str, limits: RateLimits, mailer: Mailer) -> Self {
        AuthSettings {
            origin: origin.trim_end_matches('/').to_string(),
            secure_cookies: origin.starts_with("https://"),
            limits,
            limiter: RateLimiter::default(),
            mailer,
        }
    }

    fn limit(&self, key: String, limit: Limit) -> Result<(), AppError> {
        self.limiter
            .hit(&key, limit)
            .map_err(|retry_after_secs| AppError::TooManyRequests { retry_after_secs })
    }

    /// Counts an attempt of `what` from the client's address.
    fn limit_ip(&self, what: &str, limit: Limit) -> Result<(), AppError> {
        let ip = client_ip().map(|ip| ip.to_string()).unwrap_or_default();
        self.limit(format!("{what}:ip:{ip}"), limit)
    }
}

fn db_err(context: &'static str) -> impl Fn(DbError) -> AppError {
    move |e| AppError::internal(context, e)
}

/// Collects field problems; `Err(AppError::Invalid)` if there are any.
#[derive(Default)]
struct Problems(Vec<FieldError>);

impl Problems {
    fn check<T>(&mut self, field: &str, result: Result<T, Problem>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(p) => {
                self.0.push(FieldError::new(field, p));
                None
            }
        }
    }
    fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(self.0))
        }
    }
}

/// Checks a new password and its repetition.
fn check_new_pair(problems: &mut Problems, password: &str, confirm: &str, email: Option<&str>) {
    if problems
        .check("password", check_new_password(password, email))
        .is_some()
        && password != confirm
    {
        problems
            .0
            .push(FieldError::new("confirm", Problem::PasswordMismatch));
    }
}

#[derive(Deserialize)]
struct UserRow {
    id: String,
    password_hash: Option<String>,
    #[serde(default)]
    suspended: bool,
}

async fn user_by_email(db: &Db, email: &Email) -> Result<Option<UserRow>, AppError> {
    let found: Vec<UserRow> = rows(
        db,
        "find user by e-mail",
        "SELECT <string> id AS id, password_hash, suspended ?? false AS suspended
         FROM user WHERE email = $email LIMIT 1",
        json!({ "email": email.as_str() }),
        0,
    )
    .await
    .map_err(db_err("find user"))?;
    Ok(found.into_iter().next())
}

/// A new random record key for a person.
fn new_user_key() -> String {
    let bytes: [u8; 8] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("u{hex}")
}

// Sign-up ---------------------------------------------------------------------------

/// Starts a sign-up: validates, then mails a confirmation link (or, for an address that
/// already has an account, a note saying so with the way to reset the password). The answer
/// is the same in both cases.
pub async fn sign_up(
    db: &Db,
    auth: &AuthSettings,
    email: &str,
    display_name: &str,
    password: &str,
    confirm: &str,
    locale: Locale,
) -> Result<(), AppError> {
    let mut problems = Problems::default();
    let email = problems.check("email", Email::parse(email));
    let name = problems.check("display_name", DisplayName::parse(display_name));
    check_new_pair(
        &mut problems,
        password,
        confirm,
        email.as_ref().map(Email::as_str),
    );
    problems.finish()?;
    let (Some(email), Some(name)) = (email, name) else {
        return Err(AppError::Internal);
    };
    auth.limit_ip("sign_up", auth.limits.sign_up_per_ip)?;
    // Hash in both cases, so both take as long.
    let hash = password::hash(password.to_string())
        .await
        .map_err(|e| AppError::internal("hash password", e))?;
    let existing = user_by_email(db, &email).await?;
    let mail = if existing.is_some() {
        Mail {
            to: email.as_str().to_string(),
            subject: locale
                .pick(
                    "You already have a Shuzhai account",
                    "您已经有书斋账户了",
                )
                .to_string(),
            body: format!(
                "{}\n\n{}/signin\n\n{}\n\n{}/reset\n",
                locale.pick(
                    "Someone (hopefully you) tried to sign up with this address, which already has an account. Sign in here:",
                    "有人（希望是您）用这个邮箱注册，但它已经有账户了。在这里登录：",
                ),
                auth.origin,
                locale.pick("Forgot your password? Reset it here:", "忘记密码？在这里重设："),
                auth.origin
            ),
        }
    } else {
        let token = sessions::new_token();
        execute(
            db,
            "store sign-up",
            "CREATE type::record('signup', $key) SET email = $email, display_name = $name, \
             password_hash = $hash, locale = $locale, expires_at = time::now() + 1d",
            json!({
                "key": token_key(&token),
                "email": email.as_str(),
                "name": name.as_str(),
                "hash": hash,
                "locale": locale.tag(),
            }),
        )
        .await
        .map_err(db_err("store sign-up"))?;
        Mail {
            to: email.as_str().to_string(),
            subject: locale
                .pick("Confirm your Shuzhai account", "确认您的书斋账户")
                .to_string(),
            body: format!(
                "{}\n\n{}/signup/confirm/{token}\n\n{}\n",
                locale.pick(
                    "Welcome to Shuzhai. Open this link within 24 hours to confirm your e-mail address and finish signing up:",
                    "欢迎来到书斋。请在 24 小时内打开此链接，确认邮箱并完成注册：",
                ),
                auth.origin,
                locale.pick(
                    "If you did not sign up, ignore this mail: no account is created.",
                    "如果不是您本人注册，请忽略此邮件：不会创建账户。",
                ),
            ),
        }
    };
    auth.mailer
        .send(db, mail)
        .await
        .map_err(db_err("send sign-up mail"))
}

/// Confirms a sign-up from its link: creates the account and signs it in on `device`.
/// Returns the new session's secret.
pub async fn confirm_sign_up(db: &Db, token: &str, device: &str) -> Result<String, AppError> {
    #[derive(Deserialize)]
    struct Pending {
        email: String,
        display_name: String,
        password_hash: String,
        locale: String,
    }
    let expired = || AppError::field("token", Problem::LinkExpired);
    if !sessions::plausible_token(token) {
        return Err(expired());
    }
    let key = token_key(token);
    let pending: Vec<Pending> = rows(
        db,
        "read sign-up",
        "DELETE type::record('signup', $key) WHERE expires_at > time::now() RETURN BEFORE",
        json!({ "key": key }),
        0,
    )
    .await
    .map_err(db_err("read sign-up"))?;
    let Some(p) = pending.into_iter().next() else {
        return Err(expired());
    };
    let user_key = new_user_key();
    let created = execute(
        db,
        "create user",
        "CREATE type::record('user', $key) SET email = $email, display_name = $name, \
         password_hash = $hash, locale = $locale, roles = ['learner'], created_at = time::now(), \
         password_changed_at = time::now()",
        json!({
            "key": user_key,
            "email": p.email,
            "name": p.display_name,
            "hash": p.password_hash,
            "locale": p.locale,
        }),
    )
    .await;
    if created.is_err() {
        // The address got an account meanwhile (the unique index refused a second one).
        return Err(expired());
    }
    audit::record(db, Action::SignUp, Some(&user_key), None, "").await;
    sessions::create(db, &user_key, device)
        .await
        .map_err(db_err("create session"))
}

// Sign-in ---------------------------------------------------------------------------

/// Checks e-mail and password; on success starts a session on `device` (ending the session
/// `previous`, if the browser had one) and returns its secret.
pub async fn sign_in(
    db: &Db,
    auth: &AuthSettings,
    email: &str,
    password: &str,
    device: &str,
    previous: Option<&str>,
) -> Result<String, AppError> {
    let failed = || AppError::field("password", Problem::SignInFailed);
    let mut problems = Problems::default();
    let email = problems.check("email", Email::parse(email));
    if password.is_empty() {
        problems
            .0
            .push(FieldError::new("password", Problem::Required));
    }
    problems.finish()?;
    let Some(email) = email else {
        return Err(AppError::Internal);
    };
    auth.limit_ip("sign_in", auth.limits.sign_in_per_ip)?;
    auth.limit(
        format!("sign_in:acct:{}", email.as_str()),
        auth.limits.sign_in_per_account,
    )?;
    if password.len() > crate::models::account::PASSWORD_MAX_BYTES {
        return Err(failed());
    }
    let user = user_by_email(db, &email).await?;
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let ok = password::verify(password.to_string(), stored).await;
    let Some(user) = user.filter(|_| ok) else {
        if let Some(u) = user_by_email(db, &email).await? {
            audit::record(db, Action::SignInFailed, Some(record_key(&u.id)), None, "").await;
        }
        return Err(failed());
    };
    if user.suspended {
        return Err(AppError::field("password", Problem::Suspended));
    }
    let user_key = record_key(&user.id).to_string();
    if let Some(previous) = previous {
        sessions::delete(db, previous)
            .await
            .map_err(db_err("end previous session"))?;
    }
    let token = sessions::create(db, &user_key, device)
        .await
        .map_err(db_err("create session"))?;
    audit::record(db, Action::SignIn, Some(&user_key), None, device).await;
    Ok(token)
}

// Passwords -------------------------------------------------------------------------

/// Mails a single-use reset link valid for one hour, if `email` has an account. The answer
/// does not say whether it has.
pub async fn request_reset(
    db: &Db,
    auth: &AuthSettings,
    email: &str,
    locale: Locale,
) -> Result<(), AppError> {
    let email = Email::parse(email).map_err(|p| AppError::field("email", p))?;
    auth.limit_ip("reset", auth.limits.reset_per_ip)?;
    auth.limit(
        format!("reset:acct:{}", email.as_str()),
        auth.limits.reset_per_account,
    )?;
    let Some(user) = user_by_email(db, &email).await? else {
        return Ok(());
    };
    let user_key = record_key(&user.id).to_string();
    let token = sessions::new_token();
    execute(
        db,
        "store reset",
        "CREATE type::record('password_reset', $key) SET user = type::record('user', $user), \
         created_at = time::now(), expires_at = time::now() + 1h",
        json!({ "key": token_key(&token), "user": user_key }),
    )
    .await
    .map_err(db_err("store reset"))?;
    audit::record(
        db,
        Action::PasswordResetRequested,
        Some(&user_key),
        None,
        "",
    )
    .await;
    auth.mailer
        .send(
            db,
            Mail {
                to: email.as_str().to_string(),
                subject: locale
                    .pick("Reset your Shuzhai password", "重设您的书斋密码")
                    .to_string(),
                body: format!(
                    "{}\n\n{}/reset/{token}\n\n{}\n",
                    locale.pick(
                        "Open this link within one hour to choose a new password. It works once.",
                        "请在一小时内打开此链接设置新密码。链接只能使用一次。",
                    ),
                    auth.origin,
                    locale.pick(
                        "If you did not ask for this, ignore this mail: your password stays as it is.",
                        "如果不是您本人申请，请忽略此邮件：您的密码不会改变。",
                    ),
                ),
            },
        )
        .await
        .map_err(db_err("send reset mail"))
}

/// Sets a new password through a reset link. The link is used up, every session of the
/// account ends (whoever had it signed in is signed out).
pub async fn reset_password(
    db: &Db,
    token: &str,
    password: &str,
    confirm: &str,
) -> Result<(), AppError> {
    let mut problems = Problems::default();
    check_new_pair(&mut problems, password, confirm, None);
    problems.finish()?;
    let expired = || AppError::field("token", Problem::LinkExpired);
    if !sessions::plausible_token(token) {
        return Err(expired());
    }
    #[derive(Deserialize)]
    struct Reset {
        user: String,
    }
    let found: Vec<Reset> = rows(
        db,
        "use reset link",
        "DELETE type::record('password_reset', $key) WHERE expires_at > time::now() RETURN BEFORE",
        json!({ "key": token_key(token) }),
        0,
    )
    .await
    .map_err(db_err("use reset link"))?;
    let Some(reset) = found.into_iter().next() else {
        return Err(expired());
    };
    let user_key = record_key(&reset.user).to_string();
    let hash = password::hash(password.to_string())
        .await
        .map_err(|e| AppError::internal("hash password", e))?;
    execute(
        db,
        "set password",
        "UPDATE type::record('user', $user) SET password_hash = $hash, password_changed_at = time::now(); \
         DELETE password_reset WHERE user = type::record('user', $user);",
        json!({ "user": user_key, "hash": hash }),
    )
    .await
    .map_err(db_err("set password"))?;
    sessions::delete_all(db, &user_key, None)
        .await
        .map_err(db_err("end sessions"))?;
    audit::record(db, Action::PasswordReset, Some(&user_key), None, "").await;
    Ok(())
}

/// Changes the password of a signed-in person who knows the current one. Their other
/// sessions end; this one continues under a new id (returned: the new secret).
pub async fn change_password(
    db: &Db,
    me: &SignedIn,
    current: &str,
    password: &str,
    confirm: &str,
) -> Result<String, AppError> {
    let mut problems = Problems::default();
    if current.is_empty() {
        problems
            .0
            .push(FieldError::new("current", Problem::Required));
    }
    check_new_pair(&mut problems, password, confirm, Some(&me.email));
    problems.finish()?;
    verify_own_password(db, me, current, "current").await?;
    let hash = password::hash(password.to_string())
        .await
        .map_err(|e| AppError::internal("hash password", e))?;
    execute(
        db,
        "change password",
        "UPDATE type::record('user', $user) SET password_hash = $hash, password_changed_at = time::now()",
        json!({ "user": me.user_key, "hash": hash }),
    )
    .await
    .map_err(db_err("change password"))?;
    sessions::delete_all(db, &me.user_key, Some(&me.session_key))
        .await
        .map_err(db_err("end other sessions"))?;
    audit::record(db, Action::PasswordChange, Some(&me.user_key), None, "").await;
    rotate_current(db, me).await
}

/// Replaces the current session by a new one for the same device; returns its secret.
async fn rotate_current(db: &Db, me: &SignedIn) -> Result<String, AppError> {
    #[derive(Deserialize)]
    struct D {
        device: String,
    }
    let device: Vec<D> = rows(
        db,
        "read session device",
        "SELECT device FROM type::record('session', $key)",
        json!({ "key": me.session_key }),
        0,
    )
    .await
    .map_err(db_err("read session"))?;
    sessions::delete(db, &me.session_key)
        .await
        .map_err(db_err("end session"))?;
    let device = device
        .into_iter()
        .next()
        .map(|d| d.device)
        .unwrap_or_default();
    sessions::create(db, &me.user_key, &device)
        .await
        .map_err(db_err("create session"))
}

/// Checks the signed-in person's password (before a change or a deletion); the problem is
/// reported on `field`.
async fn verify_own_password(
    db: &Db,
    me: &SignedIn,
    password: &str,
    field: &str,
) -> Result<(), AppError> {
    if password.is_empty() {
        return Err(AppError::field(field, Problem::Required));
    }
    #[derive(Deserialize)]
    struct H {
        password_hash: Option<String>,
    }
    let found: Vec<H> = rows(
        db,
        "read password hash",
        "SELECT password_hash FROM type::record('user', $user)",
        json!({ "user": me.user_key }),
        0,
    )
    .await
    .map_err(db_err("read password"))?;
    let stored = found.into_iter().next().and_then(|h| h.password_hash);
    if password.len() <= crate::models::account::PASSWORD_MAX_BYTES
        && password::verify(password.to_string(), stored).await
    {
        Ok(())
    } else {
        Err(AppError::field(field, Problem::PasswordWrong))
    }
}

// Account page ----------------------------------------------------------------------

/// The account page's data.
pub async fn account_view(db: &Db, me: &SignedIn) -> Result<AccountView, AppError> {
    #[derive(Deserialize)]
    struct U {
        email: String,
        display_name: String,
        roles: Vec<String>,
        locale: String,
        email_new_items: bool,
        email_updates: bool,
        #[serde(default)]
        email_replies: bool,
        consent_analytics: bool,
        consent_personalisation: bool,
        created_at: String,
    }
    let found: Vec<U> = rows(
        db,
        "read account",
        "SELECT email, display_name, roles, locale, email_new_items, email_updates, email_replies, \
         consent_analytics, consent_personalisation, <string> created_at AS created_at \
         FROM type::record('user', $user)",
        json!({ "user": me.user_key }),
        0,
    )
    .await
    .map_err(db_err("read account"))?;
    let u = found.into_iter().next().ok_or(AppError::SignInRequired)?;
    let sessions = sessions::list(db, &me.user_key, &me.session_key)
        .await
        .map_err(db_err("list sessions"))?;
    Ok(AccountView {
        email: u.email,
        display_name: u.display_name,
        roles: u.roles.iter().filter_map(|r| Role::parse(r)).collect(),
        locale: Locale::parse(&u.locale).unwrap_or_default(),
        email_new_items: u.email_new_items,
        email_updates: u.email_updates,
        email_replies: u.email_replies,
        consent_analytics: u.consent_analytics,
        consent_personalisation: u.consent_personalisation,
        sessions,
        created_at: u.created_at,
    })
}

/// Saves name, language and e-mail preferences.
pub async fn update_profile(
    db: &Db,
    me: &SignedIn,
    display_name: &str,
    locale: &str,
    email: crate::models::account::EmailChoices,
) -> Result<(), AppError> {
    let mut problems = Problems::default();
    let name = problems.check("display_name", DisplayName::parse(display_name));
    let locale = problems.check(
        "locale",
        Locale::parse(locale).ok_or(Problem::ChoiceInvalid),
    );
    problems.finish()?;
    let (Some(name), Some(locale)) = (name, locale) else {
        return Err(AppError::Internal);
    };
    execute(
        db,
        "update profile",
        "UPDATE type::record('user', $user) SET display_name = $name, locale = $locale, \
         email_new_items = $new_items, email_updates = $updates, email_replies = $replies",
        json!({
            "user": me.user_key,
            "name": name.as_str(),
            "locale": locale.tag(),
            "new_items": email.new_items,
            "updates": email.updates,
            "replies": email.replies,
        }),
    )
    .await
    .map_err(db_err("update profile"))
}

/// Saves the signed-in person's language (the footer's switch).
pub async fn set_locale(db: &Db, me: &SignedIn, locale: Locale) -> Result<(), AppError> {
    execute(
        db,
        "set language",
        "UPDATE type::record('user', $user) SET locale = $locale",
        json!({ "user": me.user_key, "locale": locale.tag() }),
    )
    .await
    .map_err(db_err("set language"))
}

/// Saves the two consents.
pub async fn set_consent(
    db: &Db,
    me: &SignedIn,
    analytics: bool,
    personalisation: bool,
) -> Result<(), AppError> {
    execute(
        db,
        "set consent",
        "UPDATE type::record('user', $user) SET consent_analytics = $a, \
         consent_personalisation = $p, consent_updated_at = time::now()",
        json!({ "user": me.user_key, "a": analytics, "p": personalisation }),
    )
    .await
    .map_err(db_err("set consent"))?;
    audit::record(
        db,
        Action::ConsentChange,
        Some(&me.user_key),
        None,
        &format!("analytics={analytics} personalisation={personalisation}"),
    )
    .await;
    Ok(())
}

/// Ends one of the person's sessions by its public id.
pub async fn revoke_session(db: &Db, me: &SignedIn, public_id: &str) -> Result<(), AppError> {
    let found = sessions::revoke(db, &me.user_key, public_id)
        .await
        .map_err(db_err("revoke session"))?;
    if !found {
        return Err(AppError::NotFound(
            "That device is no longer signed in.".into(),
        ));
    }
    audit::record(db, Action::SessionRevoked, Some(&me.user_key), None, "").await;
    Ok(())
}

// Export and deletion ---------------------------------------------------------------

/// Everything stored about the person, as one JSON document.
pub async fn export(db: &Db, me: &SignedIn) -> Result<Value, AppError> {
    let mut response = db
        .query(
            "SELECT email, display_name, roles, locale, email_new_items, email_updates, email_replies, \
               <string> created_at AS created_at FROM type::record('user', $user); \
             SELECT consent_analytics AS analytics, consent_personalisation AS personalisation, \
               (IF consent_updated_at THEN <string> consent_updated_at END) AS updated_at FROM type::record('user', $user); \
             SELECT device, <string> created_at AS created_at, <string> last_seen AS last_seen, \
               <string> expires_at AS expires_at FROM session WHERE user = type::record('user', $user); \
             SELECT (IF item != NONE THEN <string> item END) AS item, kind, value, query, <string> at AS at FROM event \
               WHERE user = type::record('user', $user) ORDER BY at; \
             SELECT action, detail, <string> at AS at FROM audit \
               WHERE user = type::record('user', $user) ORDER BY at; \
             SELECT slug, name, bio FROM creator WHERE user = type::record('user', $user); \
             SELECT to, subject, <string> created_at AS created_at FROM outbox WHERE to = $email; \
             SELECT record::id(id) AS number, status, lines.map(|$l| { product: $l.product, title: $l.title, total_minor: $l.total_minor }) AS lines, \
               total_minor, tax_minor, currency, coupon, provider, <string> created_at AS created_at, \
               (IF paid_at THEN <string> paid_at END) AS paid_at, (IF closed_at THEN <string> closed_at END) AS closed_at, \
               (IF gift THEN { to: gift.email, message: gift.message } END) AS gift \
               FROM orders WHERE buyer = type::record('user', $user) ORDER BY created_at; \
             SELECT record::id(item) AS item, source, <string> granted_at AS granted_at, \
               (IF revoked_at THEN <string> revoked_at END) AS revoked_at FROM entitlement WHERE user = type::record('user', $user); \
             SELECT lines, coupon FROM type::record('cart', string::concat('u_', $user)); \
             SELECT record::id(tier) AS tier, plan, <string> starts_at AS starts_at, <string> ends_at AS ends_at, \
               (IF revoked_at THEN <string> revoked_at END) AS revoked_at FROM membership \
               WHERE user = type::record('user', $user) ORDER BY starts_at; \
             SELECT record::id(from_order) AS order, <string> claimed_at AS claimed_at FROM gift \
               WHERE claimed_by = type::record('user', $user); \
             SELECT record::id(item) AS item, block, fraction, furthest, <string> updated_at AS updated_at \
               FROM reading WHERE user = type::record('user', $user); \
             SELECT record::id(id)[1] AS id, record::id(item) AS item, kind, block, span_start, span_end, \
               quote, text, updated_ms, deleted FROM note WHERE user = type::record('user', $user); \
             SELECT record::id(item) AS item, rating, text, <string> created_at AS created_at, \
               <string> updated_at AS updated_at FROM review WHERE user = type::record('user', $user); \
             SELECT record::id(id) AS id, record::id(item) AS item, text, \
               (IF parent THEN record::id(parent) END) AS reply_to, <string> created_at AS created_at \
               FROM comment WHERE user = type::record('user', $user) AND deleted = false; \
             SELECT record::id(item) AS item, <string> at AS at FROM item_like WHERE user = type::record('user', $user); \
             SELECT (IF item THEN record::id(item) END) AS item, text, <string> at AS at FROM feedback \
               WHERE user = type::record('user', $user); \
             SELECT kind, who, about, text, link, <string> at AS at, read FROM notification \
               WHERE user = type::record('user', $user); \
             SELECT record::id(item) AS item, record::id(lesson) AS lesson, <string> at AS at \
               FROM lesson_done WHERE user = type::record('user', $user); \
             SELECT media, at, saved_ms, <string> updated_at AS updated_at \
               FROM media_place WHERE user = type::record('user', $user); \
             SELECT creator.slug AS creator, <string> at AS at FROM follow \
               WHERE user = type::record('user', $user) ORDER BY at;",
        )
        .bind(("user", me.user_key.clone()))
        .bind(("email", me.email.clone()))
        .await
        .map_err(|e| AppError::internal("export", e))?;
    let mut take = |i: usize| -> Result<Value, AppError> {
        let v: Vec<Value> = response
            .take(i)
            .map_err(|e| AppError::internal("export", e))?;
        Ok(Value::Array(v))
    };
    let profile = take(0)?;
    let consents = take(1)?;
    let sessions = take(2)?;
    let events = take(3)?;
    let audit_log = take(4)?;
    let creator = take(5)?;
    let mail = take(6)?;
    let orders = take(7)?;
    let library = take(8)?;
    let cart = take(9)?;
    let memberships = take(10)?;
    let gifts_received = take(11)?;
    let reading = take(12)?;
    let notes = take(13)?;
    let reviews = take(14)?;
    let comments = take(15)?;
    let likes = take(16)?;
    let feedback = take(17)?;
    let notifications = take(18)?;
    let lessons = take(19)?;
    let media_places = take(20)?;
    let following = take(21)?;
    audit::record(db, Action::Export, Some(&me.user_key), None, "").await;
    Ok(json!({
        "format": "shuzhai-export-1",
        "profile": profile.get(0).cloned().unwrap_or(Value::Null),
        "consents": consents.get(0).cloned().unwrap_or(Value::Null),
        "sessions": sessions,
        "events": events,
        "security_log": audit_log,
        "creator_profile": creator.get(0).cloned().unwrap_or(Value::Null),
        "mail": mail,
        "orders": orders,
        "library": library,
        "cart": cart.get(0).cloned().unwrap_or(Value::Null),
        "memberships": memberships,
        "gifts_received": gifts_received,
        "reading_positions": reading,
        "notes": notes,
        "reviews": reviews,
        "comments": comments,
        "likes": likes,
        "feedback_sent": feedback,
        "notifications": notifications,
        "lessons_completed": lessons,
        "places_in_audio_and_video": media_places,
        "creators_followed": following,
    }))
}

/// Deletes the account after checking the password: sessions, links, mail and the person's
/// record go, with their library, memberships and cart, and their address on gifts sent
/// to them; orders stay in the creators' books without the link to the person, and so do
/// audit entries; their interaction events, reading positions, places in audio and video, notes, completed lessons, reviews, likes, the creators they follow and the text of their comments and what analytics kept about them as a
/// person are deleted (the anonymous daily counts stay); a creator's storefront stays (orders point at its
/// items) but is unpublished and no longer belongs to anyone.
pub async fn delete_account(db: &Db, me: &SignedIn, password: &str) -> Result<(), AppError> {
    verify_own_password(db, me, password, "password").await?;
    execute(
        db,
        "delete account",
        "BEGIN; \
         LET $u = type::record('user', $user); \
         DELETE session WHERE user = $u; \
         DELETE password_reset WHERE user = $u; \
         DELETE outbox WHERE to = $email; \
         DELETE signup WHERE email = $email; \
         DELETE event WHERE user = $u; \
         DELETE reading WHERE user = $u; \
         DELETE note WHERE user = $u; \
         DELETE lesson_done WHERE user = $u; \
         DELETE media_place WHERE user = $u; \
         DELETE review WHERE user = $u; \
         DELETE item_like WHERE user = $u; \
         DELETE follow WHERE user = $u; \
         UPDATE comment SET user = NONE, text = '', deleted = true WHERE user = $u; \
         DELETE notification WHERE user = $u; \
         DELETE feedback WHERE user = $u; \
         DELETE stat_seen WHERE user = $user; \
         DELETE stat_progress WHERE user = $user; \
         DELETE stat_learner WHERE user = $user; \
         DELETE coupon_member WHERE user = $user; \
         DELETE entitlement WHERE user = $u; \
         DELETE membership WHERE user = $u; \
         UPDATE gift SET claimed_by = NONE WHERE claimed_by = $u; \
         UPDATE gift SET email = '' WHERE email = $email; \
         UPDATE orders SET gift.email = '' WHERE gift.email = $email; \
         DELETE type::record('cart', string::concat('u_', $user)); \
         UPDATE orders SET buyer = NONE WHERE buyer = $u; \
         UPDATE audit SET user = NONE WHERE user = $u; \
         UPDATE audit SET actor = NONE WHERE actor = $u; \
         LET $creators = (SELECT VALUE id FROM creator WHERE user = $u); \
         UPDATE item SET status = 'draft' WHERE creator INSIDE $creators; \
         UPDATE creator SET user = NONE, bio = '' WHERE id INSIDE $creators; \
         DELETE $u; \
         COMMIT;",
        json!({ "user": me.user_key, "email": me.email }),
    )
    .await
    .map_err(db_err("delete account"))?;
    audit::record(db, Action::Delete, None, None, "account deleted").await;
    Ok(())
}

// Administration --------------------------------------------------------------------

/// Creates an account with `roles` directly (the command line's `admin create`, the demo
/// seed). Fails if the address already has an account.
pub async fn create_user(
    db: &Db,
    email: &str,
    display_name: &str,
    password: &str,
    roles: &[Role],
) -> Result<String, AppError> {
    let mut problems = Problems::default();
    let email = problems.check("email", Email::parse(email));
    let name = problems.check("display_name", DisplayName::parse(display_name));
    problems.check(
        "password",
        check_new_password(password, email.as_ref().map(Email::as_str)),
    );
    problems.finish()?;
    let (Some(email), Some(name)) = (email, name) else {
        return Err(AppError::Internal);
    };
    if user_by_email(db, &email).await?.is_some() {
        return Err(AppError::BadRequest(format!(
            "{} already has an account.",
            email.as_str()
        )));
    }
    let hash = password::hash(password.to_string())
        .await
        .map_err(|e| AppError::internal("hash password", e))?;
    let key = new_user_key();
    execute(
        db,
        "create user",
        "CREATE type::record('user', $key) SET email = $email, display_name = $name, \
         password_hash = $hash, roles = $roles, locale = 'en', created_at = time::now(), \
         password_changed_at = time::now()",
        json!({
            "key": key,
            "email": email.as_str(),
            "name": name.as_str(),
            "hash": hash,
            "roles": roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        }),
    )
    .await
    .map_err(db_err("create user"))?;
    Ok(key)
}

/// Grants (`on`) or removes a role of `user_key`. The person's sessions get new ids on
/// their next request. An admin cannot remove their own admin role (someone must remain).
pub async fn set_role(
    db: &Db,
    admin: &SignedIn,
    user_key: &str,
    role: Role,
    on: bool,
) -> Result<(), AppError> {
    if role == Role::Learner {
        return Err(AppError::BadRequest(
            "Everyone is a learner; that role cannot change.".into(),
        ));
    }
    if role == Role::Admin && !on && user_key == admin.user_key {
        return Err(AppError::BadRequest(
            "You cannot remove your own admin role.".into(),
        ));
    }
    let changed: Vec<Value> = rows(
        db,
        "set role",
        "UPDATE type::record('user', $user) SET roles = IF $on THEN array::union(roles, [$role]) \
         ELSE array::complement(roles, [$role]) END WHERE id != NONE RETURN AFTER",
        json!({ "user": user_key, "role": role.as_str(), "on": on }),
        0,
    )
    .await
    .map_err(db_err("set role"))?;
    if changed.is_empty() {
        return Err(AppError::NotFound("There is no such person.".into()));
    }
    sessions::mark_for_rotation(db, user_key)
        .await
        .map_err(db_err("rotate sessions"))?;
    audit::record(
        db,
        Action::RoleChange,
        Some(user_key),
        Some(&admin.user_key),
        &format!(
            "{} {}",
            if on { "granted" } else { "removed" },
            role.as_str()
        ),
    )
    .await;
    Ok(())
}

/// People matching `query` (e-mail or name), for the admin's user list.
pub async fn list_users(db: &Db, query: &str) -> Result<Vec<UserSummary>, AppError> {
    #[derive(Deserialize)]
    struct U {
        id: String,
        email: String,
        display_name: String,
        roles: Vec<String>,
    }
    let q = query.trim().to_lowercase();
    let found: Vec<U> = rows(
        db,
        "list users",
        "SELECT <string> id AS id, email, display_name, roles FROM user \
         WHERE $q = '' OR string::contains(email, $q) OR string::contains(string::lowercase(display_name), $q) \
         ORDER BY email LIMIT 50",
        json!({ "q": q }),
        0,
    )
    .await
    .map_err(db_err("list users"))?;
    Ok(found
        .into_iter()
        .map(|u| UserSummary {
            key: record_key(&u.id).to_string(),
            email: u.email,
            display_name: u.display_name,
            roles: u.roles.iter().filter_map(|r| Role::parse(r)).collect(),
        })
        .collect())
}

/// The newest mail in the outbox.
pub async fn outbox(db: &Db) -> Result<Vec<OutboxMail>, AppError> {
    super::mail::outbox(db, None, 100)
        .await
        .map_err(db_err("read outbox"))
}
