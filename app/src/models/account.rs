//! Accounts on the wire: validated e-mail addresses and names, roles, the account page's
//! data, and the problems a form can have — each with its message in English and Chinese.
//!
//! The types here never carry a password hash or a session token.

use crate::models::i18n::Locale;
use serde::{Deserialize, Serialize};

/// Shortest password accepted, in characters.
pub const PASSWORD_MIN_CHARS: usize = 10;
/// Longest password accepted, in bytes (hashing cost must stay bounded).
pub const PASSWORD_MAX_BYTES: usize = 1024;

/// Passwords so common that attackers try them first; refused whatever their length.
const COMMON_PASSWORDS: &[&str] = &[
    "1234567890",
    "12345678910",
    "0123456789",
    "1111111111",
    "0000000000",
    "1q2w3e4r5t",
    "qwertyuiop",
    "1qaz2wsx3edc",
    "password12",
    "password123",
    "password1234",
    "passw0rd123",
    "iloveyou123",
    "qwerty12345",
    "qwerty123456",
    "abc1234567",
    "abcdefghij",
    "football123",
    "baseball123",
    "princess123",
    "sunshine123",
    "welcome123",
    "administrator",
    "letmein1234",
    "monkey12345",
    "dragon12345",
    "superman123",
    "trustno1234",
    "zaq12wsxcde",
    "woaini1314",
    "woaini520520",
    "5201314520",
    "1314520520",
    "a123456789",
    "aa12345678",
    "qq123456789",
    "asdfghjkl1",
    "zxcvbnm123",
    "changeme123",
    "shuzhai1234",
];

/// Something wrong with one form field, said so the person can fix it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Problem {
    /// The field was left empty.
    Required,
    /// Not an e-mail address.
    EmailInvalid,
    /// A display name longer than 80 characters or with control characters.
    NameInvalid,
    /// Fewer than [`PASSWORD_MIN_CHARS`] characters.
    PasswordTooShort,
    /// More than [`PASSWORD_MAX_BYTES`] bytes.
    PasswordTooLong,
    /// On the list of common passwords, or the same as the e-mail address.
    PasswordCommon,
    /// The two new-password fields differ.
    PasswordMismatch,
    /// The current password given to confirm a change is wrong.
    PasswordWrong,
    /// E-mail and password do not match an account (deliberately vague).
    SignInFailed,
    /// The account is suspended by a moderator (said only after the right password).
    Suspended,
    /// A reset or confirmation link that expired or was already used.
    LinkExpired,
    /// A choice outside the allowed values.
    ChoiceInvalid,
    /// No coupon has that code.
    CouponUnknown,
    /// The coupon's end date has passed.
    CouponExpired,
    /// The coupon was used as often as its creator allowed.
    CouponUsedUp,
    /// Nothing in the cart is something the coupon applies to.
    CouponNotApplicable,
    /// A coupon its creator gave to certain learners, and this buyer is not one of them.
    CouponNotForYou,
    /// A card number that is not one of the sandbox's test cards (or not a card number).
    CardInvalid,
    /// A gift message longer than [`GIFT_MESSAGE_MAX_CHARS`] characters.
    MessageTooLong,
}

/// The longest gift message accepted, in characters.
pub const GIFT_MESSAGE_MAX_CHARS: usize = 500;

impl Problem {
    /// The message, in `locale`.
    pub fn text(self, locale: Locale) -> &'static str {
        use Problem::*;
        let (en, zh) = match self {
            Required => ("Please fill this in.", "请填写此项。"),
            EmailInvalid => (
                "Please enter an e-mail address like name@example.com.",
                "请输入有效的电子邮箱，例如 name@example.com。",
            ),
            NameInvalid => (
                "Please use 1 to 80 characters, without line breaks.",
                "请使用 1 到 80 个字符，不含换行。",
            ),
            PasswordTooShort => ("Use at least 10 characters.", "密码至少需要 10 个字符。"),
            PasswordTooLong => (
                "That password is too long (at most 1024 bytes).",
                "密码过长（最多 1024 字节）。",
            ),
            PasswordCommon => (
                "That password is too easy to guess. Try a short sentence.",
                "这个密码太容易被猜到，试试一句话。",
            ),
            PasswordMismatch => (
                "The two passwords are not the same.",
                "两次输入的密码不一致。",
            ),
            PasswordWrong => ("That is not your current password.", "当前密码不正确。"),
            SignInFailed => (
                "That e-mail and password do not match an account.",
                "邮箱或密码不正确。",
            ),
            Suspended => (
                "This account is suspended by the store's moderators. Write to the store if you think this is a mistake.",
                "此账户已被管理员暂停。如认为有误，请联系本店。",
            ),
            LinkExpired => (
                "This link has expired or was already used. Ask for a new one.",
                "此链接已过期或已被使用，请重新申请。",
            ),
            ChoiceInvalid => ("Please pick one of the options.", "请选择一个选项。"),
            CouponUnknown => ("There is no coupon with that code.", "没有这个优惠码。"),
            CouponExpired => ("That coupon has expired.", "这个优惠码已过期。"),
            CouponUsedUp => (
                "That coupon has been used as often as it allows.",
                "这个优惠码的使用次数已用完。",
            ),
            CouponNotApplicable => (
                "That coupon does not apply to anything in your cart.",
                "这个优惠码不适用于购物车中的任何商品。",
            ),
            CouponNotForYou => (
                "That coupon was given to certain learners only; sign in with the account it was sent to.",
                "这个优惠码只发给了部分学员，请用收到它的账号登录。",
            ),
            CardInvalid => (
                "Use a test card: 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined.",
                "请使用测试卡：4242 4242 4242 4242 支付成功，4000 0000 0000 0002 会被拒绝。",
            ),
            MessageTooLong => (
                "Please keep the message to 500 characters.",
                "留言请不超过 500 个字符。",
            ),
        };
        match locale {
            Locale::En => en,
            Locale::Zh => zh,
        }
    }
}

/// A problem attached to the form field it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field's `name` attribute.
    pub field: String,
    /// What is wrong with it.
    pub problem: Problem,
}

impl FieldError {
    /// `problem` on `field`.
    pub fn new(field: &str, problem: Problem) -> Self {
        FieldError {
            field: field.to_string(),
            problem,
        }
    }
}

/// An e-mail address, trimmed and lower-cased; only constructed by [`Email::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Parses what a person typed.
    pub fn parse(raw: &str) -> Result<Self, Problem> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err(Problem::Required);
        }
        let valid = s.len() <= 254
            && !s.chars().any(|c| c.is_whitespace() || c.is_control())
            && match s.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && local.len() <= 64
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                        && !domain.contains("..")
                        && domain
                            .chars()
                            .all(|c| c.is_alphanumeric() || c == '-' || c == '.')
                }
                None => false,
            };
        if valid {
            Ok(Email(s))
        } else {
            Err(Problem::EmailInvalid)
        }
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = &'static str;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Email::parse(&s).map_err(|_| "not an e-mail address")
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

/// The name shown for a person: 1–80 characters, no control characters, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    /// Parses what a person typed.
    pub fn parse(raw: &str) -> Result<Self, Problem> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(Problem::Required);
        }
        if s.chars().count() > 80 || s.chars().any(char::is_control) {
            return Err(Problem::NameInvalid);
        }
        Ok(DisplayName(s.to_string()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DisplayName {
    type Error = &'static str;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        DisplayName::parse(&s).map_err(|_| "not a valid name")
    }
}

impl From<DisplayName> for String {
    fn from(n: DisplayName) -> String {
        n.0
    }
}

/// Checks a new password against the policy: 10 characters to 1024 bytes, not common,
/// not the e-mail address.
pub fn check_new_password(password: &str, email: Option<&str>) -> Result<(), Problem> {
    if password.is_empty() {
        return Err(Problem::Required);
    }
    if password.len() > PASSWORD_MAX_BYTES {
        return Err(Problem::PasswordTooLong);
    }
    if password.chars().count() < PASSWORD_MIN_CHARS {
        return Err(Problem::PasswordTooShort);
    }
    let lower = password.to_lowercase();
    let distinct = {
        let mut cs: Vec<char> = lower.chars().collect();
        cs.sort_unstable();
        cs.dedup();
        cs.len()
    };
    if distinct < 3
        || COMMON_PASSWORDS.contains(&lower.as_str())
        || email.is_some_and(|e| e.eq_ignore_ascii_case(password.trim()))
    {
        return Err(Problem::PasswordCommon);
    }
    Ok(())
}

/// What a person may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Buys and reads (everyone).
    Learner,
    /// Sells and edits their own items.
    Creator,
    /// Runs the store: moderates, grants roles, reads the outbox.
    Admin,
}

impl Role {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Learner => "learner",
            Role::Creator => "creator",
            Role::Admin => "admin",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "learner" => Some(Role::Learner),
            "creator" => Some(Role::Creator),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// Who is looking at the page, as the page needs to know it (header, navigation).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    /// The signed-in person, if any.
    pub user: Option<MeUser>,
    /// The language pages speak to this visitor.
    pub locale: Locale,
}

/// Which e-mails someone asked for (the account page's checkboxes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailChoices {
    /// New items from creators they bought from.
    pub new_items: bool,
    /// Occasional news about the store.
    pub updates: bool,
    /// Replies to their comments, answers to their questions, feedback to their store.
    pub replies: bool,
}

/// The signed-in part of [`Me`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeUser {
    /// Their `user` record key: names what this device keeps for them (notes, the offline
    /// queue), so that another person signing in on the same device never sees it.
    pub key: String,
    /// How many notifications they have not seen.
    #[serde(default)]
    pub unread: u32,
    /// Display name.
    pub display_name: String,
    /// Roles.
    pub roles: Vec<Role>,
}

impl MeUser {
    /// Whether the person has `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// Everything the account page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountView {
    /// E-mail address.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Roles.
    pub roles: Vec<Role>,
    /// Preferred language.
    pub locale: Locale,
    /// Mail about new items from the creators the person follows.
    pub email_new_items: bool,
    /// Occasional mail about the store itself.
    pub email_updates: bool,
    /// Mail when someone replies to the person's comment, answers their question or sends
    /// feedback to their store (the bell shows these either way).
    #[serde(default)]
    pub email_replies: bool,
    /// Consent to recording what the person views and does (analytics).
    pub consent_analytics: bool,
    /// Consent to using that record for recommendations computed on the server.
    pub consent_personalisation: bool,
    /// Signed-in devices.
    pub sessions: Vec<SessionInfo>,
    /// When the account was created (RFC 3339).
    pub created_at: String,
}

/// One signed-in device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// Identifier used to revoke it (not the cookie's secret).
    pub id: String,
    /// "Firefox on Android", from the browser's User-Agent.
    pub device: String,
    /// When it signed in (RFC 3339).
    pub created_at: String,
    /// When it was last used (RFC 3339).
    pub last_seen: String,
    /// Whether it is the device asking.
    pub current: bool,
}

/// A person as the admin's user list shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    /// Record key.
    pub key: String,
    /// E-mail.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Roles.
    pub roles: Vec<Role>,
}

/// One mail in the outbox (kept when no SMTP server is configured).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMail {
    /// Recipient.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// When it was written (RFC 3339).
    pub created_at: String,
}

/// A short device description from a User-Agent header.
pub fn describe_device(user_agent: &str) -> String {
    let ua = user_agent;
    let browser = if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else if ua.is_empty() {
        "Unknown browser"
    } else {
        "Other browser"
    };
    let os = if ua.contains("Android") {
        "Android"
    } else if ua.contains("iPhone") || ua.contains("iPad") {
        "iOS"
    } else if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        "macOS"
    } else if ua.contains("Linux") {
        "Linux"
    } else {
        "an unknown system"
    };
    format!("{browser} on {os}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Ada@Example.COM ").unwrap().as_str(),
            "ada@example.com"
        );
        for bad in [
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a da@example.com",
            "ada@@example.com",
            "ada@exa mple.com",
            "ada@.example.com",
            "ada@example..com",
        ] {
            assert_eq!(Email::parse(bad), Err(Problem::EmailInvalid), "{bad}");
        }
        assert_eq!(Email::parse("   "), Err(Problem::Required));
        assert!(serde_json::from_str::<Email>("\"nope\"").is_err());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(DisplayName::parse(" 李白 ").unwrap().as_str(), "李白");
        assert_eq!(DisplayName::parse(""), Err(Problem::Required));
        assert_eq!(
            DisplayName::parse(&"x".repeat(81)),
            Err(Problem::NameInvalid)
        );
        assert_eq!(DisplayName::parse("a\nb"), Err(Problem::NameInvalid));
    }

    #[test]
    fn password_policy() {
        assert_eq!(check_new_password("", None), Err(Problem::Required));
        assert_eq!(
            check_new_password("short", None),
            Err(Problem::PasswordTooShort)
        );
        assert_eq!(
            check_new_password(&"ab".repeat(600), None),
            Err(Problem::PasswordTooLong)
        );
        assert_eq!(
            check_new_password("Password123", None),
            Err(Problem::PasswordCommon)
        );
        assert_eq!(
            check_new_password("aaaaaaaaaaaa", None),
            Err(Problem::PasswordCommon)
        );
        assert_eq!(
            check_new_password("ada@example.com", Some("ada@example.com")),
            Err(Problem::PasswordCommon)
        );
        // Ten characters of Chinese are ten characters, not thirty bytes' worth of length.
        assert!(check_new_password("读书破万卷下笔如有神", None).is_ok());
        assert!(check_new_password("correct horse battery", None).is_ok());
    }

    #[test]
    fn every_problem_speaks_both_languages() {
        use Problem::*;
        for p in [
            Required,
            EmailInvalid,
            NameInvalid,
            PasswordTooShort,
            PasswordTooLong,
            PasswordCommon,
            PasswordMismatch,
            PasswordWrong,
            SignInFailed,
            Suspended,
            LinkExpired,
            ChoiceInvalid,
            CouponUnknown,
            CouponExpired,
            CouponUsedUp,
            CouponNotApplicable,
            CouponNotForYou,
            CardInvalid,
            MessageTooLong,
        ] {
            assert_ne!(p.text(Locale::En), p.text(Locale::Zh));
        }
    }

    #[test]
    fn devices_are_described_plainly() {
        assert_eq!(
            describe_device("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36"),
            "Chrome on Android"
        );
        assert_eq!(
            describe_device(
                "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
            ),
            "Firefox on Linux"
        );
        assert_eq!(describe_device(""), "Unknown browser on an unknown system");
    }
}
