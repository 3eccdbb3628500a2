//! The conversation around an item: ratings and reviews (only by learners who own it, one
//! each, editable), comments with replies (any signed-in person), and likes. User text is
//! plain text, always rendered escaped.

use serde::{Deserialize, Serialize};

/// The most characters of a review.
pub const REVIEW_LIMIT: usize = 4_000;
/// The most characters of a comment.
pub const COMMENT_LIMIT: usize = 2_000;
/// The most top-level comments shown (newest first), each with all its replies.
pub const COMMENTS_SHOWN: usize = 50;
/// The most comments one person may post in a minute.
pub const COMMENTS_PER_MINUTE: usize = 6;

/// One review as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewView {
    /// The reviewer's display name.
    pub author: String,
    /// 1 … 5 stars.
    pub rating: u8,
    /// Their words (may be empty: a rating alone).
    pub text: String,
    /// Last changed, `YYYY-MM-DD`.
    pub updated: String,
    /// Whether the viewer wrote it.
    pub mine: bool,
    /// Its public id (what a report names).
    #[serde(default)]
    pub id: String,
    /// Hidden by a moderator: only its author and admins see it.
    #[serde(default)]
    pub hidden: bool,
    /// Held by the word list until a moderator looks at it.
    #[serde(default)]
    pub held: bool,
}

/// One comment as shown, with its replies (one level: a reply to a reply joins the thread).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentView {
    /// Its id, to reply to or delete it.
    pub id: String,
    /// The author's display name (empty once deleted).
    pub author: String,
    /// The text (empty once deleted).
    pub text: String,
    /// When, `YYYY-MM-DD HH:MM` (UTC).
    pub at: String,
    /// Deleted by its author, a moderator or with the author's account; kept as a marker
    /// while it has replies.
    pub deleted: bool,
    /// Whether the viewer may delete it (its author, the item's creator, admins).
    pub may_delete: bool,
    /// A question to the creator (top-level comments only).
    #[serde(default)]
    pub question: bool,
    /// A question the creator has answered.
    #[serde(default)]
    pub answered: bool,
    /// Written by the item's creator.
    #[serde(default)]
    pub by_creator: bool,
    /// Written by the viewer.
    #[serde(default)]
    pub mine: bool,
    /// Hidden by a moderator (its author and admins still see the text).
    #[serde(default)]
    pub hidden: bool,
    /// Held by the word list until a moderator looks at it.
    #[serde(default)]
    pub held: bool,
    /// Replies, oldest first.
    pub replies: Vec<CommentView>,
}

/// The most characters of a feedback message.
pub const FEEDBACK_LIMIT: usize = 4_000;

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotificationKind {
    /// Someone replied to the person's comment.
    Reply,
    /// The creator answered the person's question.
    Answer,
    /// A learner sent feedback to the person's store.
    Feedback,
    /// A creator the person follows published a new item.
    #[serde(rename = "new_item")]
    NewItem,
}

impl NotificationKind {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::Reply => "reply",
            NotificationKind::Answer => "answer",
            NotificationKind::Feedback => "feedback",
            NotificationKind::NewItem => "new_item",
        }
    }
}

/// Whether the viewer follows a creator, and how many people do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct FollowState {
    /// How many people follow the creator.
    pub followers: u32,
    /// The viewer follows them.
    pub following: bool,
    /// The viewer is signed in (and may follow).
    pub signed_in: bool,
    /// The viewer is this creator (or runs the store for them): no button for themselves.
    pub own: bool,
}

/// One notification as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationView {
    /// What it is about.
    pub kind: NotificationKind,
    /// Who did it (a display name).
    pub who: String,
    /// The item's title.
    pub about: String,
    /// The first words of what they wrote.
    pub text: String,
    /// Where to see it.
    pub link: String,
    /// When, `YYYY-MM-DD HH:MM` (UTC).
    pub at: String,
    /// Already seen.
    pub read: bool,
}

/// One feedback message in a creator's inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackView {
    /// Its id, to mark it handled.
    pub id: String,
    /// The sender's display name (empty once their account is deleted).
    pub from: String,
    /// The item it is about, as `(slug, title)`, if any.
    pub item: Option<(String, String)>,
    /// The message.
    pub text: String,
    /// When, `YYYY-MM-DD HH:MM` (UTC).
    pub at: String,
    /// Dealt with.
    pub handled: bool,
}

/// A question on one of the creator's items that has no answer yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenQuestion {
    /// The item, as `(slug, title)`.
    pub item: (String, String),
    /// Who asked.
    pub from: String,
    /// The question.
    pub text: String,
    /// When, `YYYY-MM-DD HH:MM` (UTC).
    pub at: String,
}

/// A creator's inbox: feedback (newest first) and unanswered questions (oldest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbox {
    /// The store's name.
    pub store: String,
    /// Feedback messages.
    pub feedback: Vec<FeedbackView>,
    /// Questions waiting for an answer.
    pub questions: Vec<OpenQuestion>,
}

/// Checks a feedback message: not empty, at most [`FEEDBACK_LIMIT`] characters.
pub fn check_feedback(text: &str) -> Result<String, String> {
    let text = clean(text);
    if text.is_empty() {
        return Err("Write your feedback first.".into());
    }
    if text.chars().count() > FEEDBACK_LIMIT {
        return Err(format!(
            "Feedback may be at most {FEEDBACK_LIMIT} characters long."
        ));
    }
    Ok(text)
}

/// The first `n` characters of `text` on one line, with an ellipsis when cut.
pub fn excerpt(text: &str, n: usize) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = line.chars().take(n).collect();
    if line.chars().count() > n {
        out.push('…');
    }
    out
}

/// Whether the viewer may review the item, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReviewRight {
    /// Signed in and owning the item (bought, claimed, a gift, a membership that opens it).
    Yes,
    /// A visitor: sign in first.
    SignIn,
    /// Signed in without the item.
    NotOwner,
}

/// Everything the item page shows below the text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Community {
    /// Average of the reviews' stars, one decimal, when there is any review.
    pub rating: Option<f32>,
    /// How many reviews.
    pub rating_count: u32,
    /// How many reviews gave 1, 2, 3, 4 and 5 stars.
    pub stars: [u32; 5],
    /// Reviews with text, newest first (the viewer's own first).
    pub reviews: Vec<ReviewView>,
    /// The viewer's own review, to edit.
    pub mine: Option<ReviewView>,
    /// Whether the viewer may review.
    pub may_review: ReviewRight,
    /// How many people like the item.
    pub likes: u32,
    /// Whether the viewer does.
    pub liked: bool,
    /// Comments, newest thread first.
    pub comments: Vec<CommentView>,
    /// All comments and replies not deleted.
    pub comment_count: u32,
    /// Whether the viewer is signed in (and may comment and like).
    pub signed_in: bool,
    /// A fresh key for this page's comment forms: a form sent twice posts once.
    pub form_key: String,
}

/// Checks a review: 1 … 5 stars and at most [`REVIEW_LIMIT`] characters. Returns the text
/// trimmed.
pub fn check_review(rating: u8, text: &str) -> Result<String, String> {
    if !(1..=5).contains(&rating) {
        return Err("Choose from 1 to 5 stars.".into());
    }
    let text = clean(text);
    if text.chars().count() > REVIEW_LIMIT {
        return Err(format!(
            "A review may be at most {REVIEW_LIMIT} characters long."
        ));
    }
    Ok(text)
}

/// Checks a comment: not empty, at most [`COMMENT_LIMIT`] characters. Returns the text
/// trimmed.
pub fn check_comment(text: &str) -> Result<String, String> {
    let text = clean(text);
    if text.is_empty() {
        return Err("Write something first.".into());
    }
    if text.chars().count() > COMMENT_LIMIT {
        return Err(format!(
            "A comment may be at most {COMMENT_LIMIT} characters long."
        ));
    }
    Ok(text)
}

/// Trims `text`, keeps line breaks and tabs, drops other control characters, and
/// normalises Windows line ends.
fn clean(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect::<String>()
        .trim()
        .to_string()
}

/// Whether `id` looks like a comment id (what the server makes: letters, digits, `_`).
pub fn is_comment_id(id: &str) -> bool {
    (1..=80).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The stars as text: `★★★★☆` for 4.
pub fn stars_text(rating: u8) -> String {
    let r = rating.min(5) as usize;
    format!("{}{}", "★".repeat(r), "☆".repeat(5 - r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reviews_need_one_to_five_stars_and_a_bounded_text() {
        assert_eq!(
            check_review(5, "  Great\r\nbook \u{0007} "),
            Ok("Great\nbook".into())
        );
        assert_eq!(
            check_review(3, ""),
            Ok(String::new()),
            "a rating alone is fine"
        );
        assert!(check_review(0, "x").is_err());
        assert!(check_review(6, "x").is_err());
        assert!(check_review(4, &"字".repeat(REVIEW_LIMIT + 1)).is_err());
        assert!(check_review(4, &"字".repeat(REVIEW_LIMIT)).is_ok());
    }

    #[test]
    fn comments_must_say_something() {
        assert!(check_comment("   \n ").is_err());
        assert_eq!(
            check_comment(" <b>hi</b> "),
            Ok("<b>hi</b>".into()),
            "kept as text"
        );
        assert!(check_comment(&"a".repeat(COMMENT_LIMIT + 1)).is_err());
    }

    #[test]
    fn feedback_and_excerpts() {
        assert!(check_feedback(" \n ").is_err());
        assert!(check_feedback(&"x".repeat(FEEDBACK_LIMIT + 1)).is_err());
        assert_eq!(check_feedback(" Thanks! "), Ok("Thanks!".into()));
        assert_eq!(excerpt("a  b\nc", 10), "a b c");
        assert_eq!(excerpt("一二三四五", 3), "一二三…");
    }

    #[test]
    fn ids_and_stars() {
        assert!(is_comment_id("l0001_1a2b"));
        assert!(!is_comment_id("x:y"));
        assert!(!is_comment_id(""));
        assert_eq!(stars_text(4), "★★★★☆");
        assert_eq!(stars_text(9), "★★★★★");
    }
}
