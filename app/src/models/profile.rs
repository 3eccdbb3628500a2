//! The words a store shows about itself: the store front's tagline and introduction (edited
//! by the store's admins on the home page) and each creator's name, biography and picture
//! (edited by the creator on their own page). Each carries a revision number, so that a
//! save made from an older copy is refused instead of overwriting someone else's.

use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// The most characters in a tagline.
pub const MAX_TAGLINE_CHARS: usize = 120;
/// The most characters in the store's introduction.
pub const MAX_INTRO_CHARS: usize = 600;
/// The most characters in a creator's name.
pub const MAX_NAME_CHARS: usize = 80;
/// The most characters in a creator's biography.
pub const MAX_BIO_CHARS: usize = 1_000;

/// The home page's own words, in both languages (empty: the built-in ones are shown).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreFront {
    /// The headline, English.
    pub tagline_en: String,
    /// The headline, Chinese.
    pub tagline_zh: String,
    /// The paragraph under it, English.
    pub intro_en: String,
    /// The paragraph under it, Chinese.
    pub intro_zh: String,
    /// Goes up by one with every save.
    pub revision: i64,
}

/// `text` with control characters removed and surrounding space trimmed, or a message
/// naming `what` when it is longer than `max` characters (or empty while `required`).
pub fn checked(what: &str, text: &str, max: usize, required: bool) -> Result<String, AppError> {
    let clean = super::editor::clean_text(text).trim().to_string();
    let n = clean.chars().count();
    if required && n == 0 {
        return Err(AppError::BadRequest(format!("{what} cannot be empty.")));
    }
    if n > max {
        return Err(AppError::BadRequest(format!(
            "{what} is {n} characters long; the most is {max}."
        )));
    }
    Ok(clean)
}

/// The refusal of a save made from revision `base` of something now at a newer one.
pub fn stale(what: &str) -> AppError {
    AppError::Conflict(format!(
        "Someone saved {what} after you opened it. Your text is still in the form: copy what you want to keep, reload to see their version, and save again."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_trimmed_cleaned_and_limited_with_a_clear_message() {
        assert_eq!(
            checked("The name", "  Maya\u{7}  ", 80, true).unwrap(),
            "Maya"
        );
        let err = checked("The name", "   ", 80, true)
            .unwrap_err()
            .to_string();
        assert!(err.contains("The name cannot be empty"), "{err}");
        assert_eq!(checked("The intro", "", 10, false).unwrap(), "");
        let err = checked("The tagline", &"字".repeat(121), 120, false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("121") && err.contains("120"), "{err}");
    }
}
