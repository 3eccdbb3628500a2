//! Moderation as the pages see it: what can be reported and why, the admins' queue, what an
//! admin can do about a report, and the word list that holds new public text back for review.

use super::i18n::Locale;
use serde::{Deserialize, Serialize};

/// The most characters of a report's own words.
pub const REPORT_TEXT_LIMIT: usize = 1_000;
/// The most reports one person files in an hour.
pub const REPORTS_PER_HOUR: usize = 20;
/// The most words on the word list.
pub const MAX_WORDS: usize = 500;
/// The longest word (or phrase) on the word list, in characters.
pub const MAX_WORD_CHARS: usize = 60;

/// What is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    /// An item page.
    Item,
    /// A comment or reply.
    Comment,
    /// A review.
    Review,
}

impl TargetKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Item => "item",
            TargetKind::Comment => "comment",
            TargetKind::Review => "review",
        }
    }

    /// The kind named `s`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "item" => Some(TargetKind::Item),
            "comment" => Some(TargetKind::Comment),
            "review" => Some(TargetKind::Review),
            _ => None,
        }
    }
}

/// Why it is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Advertising, scams, repeated posts.
    Spam,
    /// Harassment, hate, threats.
    Abuse,
    /// Against the law.
    Illegal,
    /// Someone else's work.
    Copyright,
    /// Anything else (the reporter's words say what).
    Other,
    /// Held back by the word list (not chosen by people).
    WordList,
}

impl Reason {
    /// The reasons a person can choose, in the order the form lists them.
    pub const CHOSEN: [Reason; 5] = [
        Reason::Spam,
        Reason::Abuse,
        Reason::Illegal,
        Reason::Copyright,
        Reason::Other,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Spam => "spam",
            Reason::Abuse => "abuse",
            Reason::Illegal => "illegal",
            Reason::Copyright => "copyright",
            Reason::Other => "other",
            Reason::WordList => "word_list",
        }
    }

    /// A reason a person may choose, by name.
    pub fn parse_chosen(s: &str) -> Option<Self> {
        Reason::CHOSEN.into_iter().find(|r| r.as_str() == s)
    }

    /// The label shown.
    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            Reason::Spam => locale.pick("Spam or advertising", "垃圾信息或广告"),
            Reason::Abuse => locale.pick("Harassment or hate", "骚扰或仇恨言论"),
            Reason::Illegal => locale.pick("Against the law", "违法内容"),
            Reason::Copyright => locale.pick("Someone else's work", "侵犯版权"),
            Reason::Other => locale.pick("Something else", "其他"),
            Reason::WordList => locale.pick("Matched the word list", "命中敏感词"),
        }
    }
}

/// What an admin does about the reports on one thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModAction {
    /// Nothing wrong: the reports close (held text is let through).
    Dismiss,
    /// Only its author and admins see it from now on.
    Hide,
    /// Gone: a comment is deleted, a review removed, an item taken off the store.
    Remove,
    /// Hidden, and its author's account suspended (signed out everywhere, cannot sign in).
    Suspend,
}

impl ModAction {
    /// Every action, in the order the queue offers them.
    pub const ALL: [ModAction; 4] = [
        ModAction::Dismiss,
        ModAction::Hide,
        ModAction::Remove,
        ModAction::Suspend,
    ];

    /// The name in forms and the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            ModAction::Dismiss => "dismiss",
            ModAction::Hide => "hide",
            ModAction::Remove => "remove",
            ModAction::Suspend => "suspend",
        }
    }

    /// The action named `s`.
    pub fn parse(s: &str) -> Option<Self> {
        ModAction::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The button's label.
    pub fn label(self) -> &'static str {
        match self {
            ModAction::Dismiss => "Dismiss",
            ModAction::Hide => "Hide",
            ModAction::Remove => "Remove",
            ModAction::Suspend => "Hide and suspend the author",
        }
    }
}

/// One reported thing in the admins' queue, with all its open reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueEntry {
    /// What it is.
    pub kind: TargetKind,
    /// Its id (item key, comment id, review public id).
    pub target: String,
    /// The item it is on (or is), by slug, and its title.
    pub item_slug: String,
    /// The item's title.
    pub item_title: String,
    /// Who wrote it (the creator, for an item).
    pub author: String,
    /// The reported text (an item: its title and summary).
    pub text: String,
    /// Already hidden.
    pub hidden: bool,
    /// Held back by the word list.
    pub held: bool,
    /// How many people reported it.
    pub reporters: u32,
    /// The reasons given, each once.
    pub reasons: Vec<Reason>,
    /// The reporters' own words (non-empty ones, newest first).
    pub notes: Vec<String>,
    /// When it was first reported (RFC 3339).
    pub first_at: String,
}

/// An account that is suspended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuspendedUser {
    /// The user's key.
    pub key: String,
    /// Their display name.
    pub name: String,
    /// Their e-mail address.
    pub email: String,
}

/// A recorded moderation action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedAction {
    /// When (RFC 3339).
    pub at: String,
    /// Which admin (or creator).
    pub actor: String,
    /// What was done to what.
    pub detail: String,
}

/// The admins' moderation page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModerationView {
    /// Reported and held things, most reported first.
    pub queue: Vec<QueueEntry>,
    /// Whether the word list holds new text back.
    pub words_enabled: bool,
    /// The words (one per line in the form).
    pub words: Vec<String>,
    /// Suspended accounts.
    pub suspended: Vec<SuspendedUser>,
    /// The latest moderation actions.
    pub log: Vec<LoggedAction>,
}

/// The word list as entered (one per line or comma-separated): trimmed, lower-cased, each
/// once; an error names the first problem.
pub fn parse_words(text: &str) -> Result<Vec<String>, String> {
    let mut words: Vec<String> = Vec::new();
    for w in text.split(['\n', ',', '，']) {
        let w = w.trim().to_lowercase();
        if w.is_empty() || words.contains(&w) {
            continue;
        }
        if w.chars().count() > MAX_WORD_CHARS {
            return Err(format!(
                "“{}…” is longer than {MAX_WORD_CHARS} characters.",
                w.chars().take(20).collect::<String>()
            ));
        }
        if w.chars().any(char::is_control) {
            return Err("The list contains control characters.".into());
        }
        words.push(w);
    }
    if words.len() > MAX_WORDS {
        return Err(format!(
            "The list has {} entries; the most is {MAX_WORDS}.",
            words.len()
        ));
    }
    Ok(words)
}

/// The first word of `words` that `text` contains (case and full-width letters ignored),
/// if any.
pub fn matched_word<'w>(words: &'w [String], text: &str) -> Option<&'w str> {
    let hay = super::catalog::normalize_for_search(text);
    words
        .iter()
        .find(|w| hay.contains(&super::catalog::normalize_for_search(w)))
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_list_is_cleaned_and_matches_regardless_of_case_and_width() {
        let words = parse_words("Casino\n 免费领取 ,casino,, spam link").unwrap();
        assert_eq!(words, vec!["casino", "免费领取", "spam link"]);
        assert_eq!(
            matched_word(&words, "Visit our ＣＡＳＩＮＯ now"),
            Some("casino")
        );
        assert_eq!(matched_word(&words, "点击免费领取礼品"), Some("免费领取"));
        assert_eq!(matched_word(&words, "A thoughtful comment."), None);
        assert!(parse_words(&"x".repeat(61)).is_err());
    }

    #[test]
    fn only_people_reasons_are_chosen() {
        assert_eq!(Reason::parse_chosen("spam"), Some(Reason::Spam));
        assert_eq!(Reason::parse_chosen("word_list"), None);
        assert_eq!(ModAction::parse("suspend"), Some(ModAction::Suspend));
        assert_eq!(TargetKind::parse("user"), None);
    }
}
