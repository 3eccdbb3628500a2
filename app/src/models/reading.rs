//! Reading: the reader page's content and where a learner stopped, kept per learner and
//! item so that another device opens at the same place.

use super::catalog::{Block, Kind, TocEntry};
use serde::{Deserialize, Serialize};

/// Where a learner is in an item.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReadingPosition {
    /// The block (paragraph, heading, …) at the top of the screen, counted from the first
    /// block of the free preview.
    pub block: u32,
    /// How far through the whole text, 0 … 1.
    pub fraction: f64,
    /// The furthest the learner has been, 0 … 1 (what the library's progress shows).
    pub furthest: f64,
    /// When the device recorded it, in milliseconds since 1970: the newest position wins
    /// when two devices (or a queued save) disagree.
    pub saved_ms: i64,
}

impl ReadingPosition {
    /// Checks a position sent by a device for an item of `blocks` blocks.
    pub fn check(block: u32, fraction: f64, saved_ms: i64, blocks: usize) -> Result<(), String> {
        if !(fraction.is_finite() && (0.0..=1.0).contains(&fraction)) {
            return Err("The reading position must be between 0 and 1.".into());
        }
        if blocks == 0 || block as usize >= blocks {
            return Err(format!(
                "The item has {blocks} blocks; there is no block {block}."
            ));
        }
        // Years 2000 … 2200: anything else is a broken clock or a forged request.
        if !(946_684_800_000..=7_258_118_400_000).contains(&saved_ms) {
            return Err("The time of the reading position is not a real time.".into());
        }
        Ok(())
    }
}

/// Reader themes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// Dark text on white.
    #[default]
    Light,
    /// Light text on near-black.
    Dark,
    /// Brown text on warm paper.
    Sepia,
}

impl Theme {
    /// Every theme, in menu order.
    pub const ALL: [Theme; 3] = [Theme::Light, Theme::Dark, Theme::Sepia];

    /// The name stored on the device and used as a CSS class suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::Sepia => "sepia",
        }
    }

    /// The theme called `s`, if any.
    pub fn parse(s: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// Reader font sizes in pixels, smallest first (`.reader.size-N` in `style/main.css`).
pub const FONT_SIZES: [u8; 6] = [15, 17, 19, 21, 24, 28];

/// The index into [`FONT_SIZES`] a reader starts with.
pub const DEFAULT_FONT_SIZE: usize = 2;

/// What the reader page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReaderView {
    /// The item's slug.
    pub slug: String,
    /// Its title.
    pub title: String,
    /// Its language (`zh-CN` or `en`), for the `lang` attribute.
    pub language: String,
    /// Its kind.
    pub kind: Kind,
    /// Who made it.
    pub creator: String,
    /// Its cover image's address.
    pub cover: String,
    /// The whole text: the free preview's blocks, then the body's.
    pub blocks: Vec<Block>,
    /// The chapters (headings) of the whole text.
    pub toc: Vec<TocEntry>,
    /// Where the learner stopped last, on any device (`None` for visitors and first reads).
    pub position: Option<ReadingPosition>,
    /// The signed-in learner's highlights, notes and bookmarks on it, in reading order.
    #[serde(default)]
    pub notes: Vec<super::notes::Note>,
    /// For a course: its lessons, where each starts in the text, and which are complete.
    #[serde(default)]
    pub course: Option<CourseState>,
}

/// One lesson of a course, as the reader shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonState {
    /// The lesson's key (what `set_lesson_done` takes).
    pub key: String,
    /// Its chapter's title.
    pub chapter: String,
    /// Its title.
    pub title: String,
    /// How long it takes, in minutes.
    pub minutes: u32,
    /// The anchor of its heading in the text (`None` when the text has no heading for it).
    pub anchor: Option<String>,
    /// The index of that heading's block in the text.
    pub block: Option<usize>,
    /// Whether the learner marked it complete.
    pub done: bool,
}

/// A course's lessons and the learner's completion of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseState {
    /// Every lesson, in course order.
    pub lessons: Vec<LessonState>,
}

impl CourseState {
    /// How many lessons are complete.
    pub fn done(&self) -> usize {
        self.lessons.iter().filter(|l| l.done).count()
    }

    /// Whole per cent complete (0 for a course without lessons).
    ///
    /// ```
    /// use app::models::reading::{CourseState, LessonState};
    /// let l = |done| LessonState { key: "k".into(), chapter: "c".into(), title: "t".into(),
    ///     minutes: 5, anchor: None, block: None, done };
    /// let c = CourseState { lessons: vec![l(true), l(false), l(false)] };
    /// assert_eq!((c.done(), c.percent()), (1, 33));
    /// assert_eq!(CourseState::default().percent(), 0);
    /// ```
    pub fn percent(&self) -> u32 {
        if self.lessons.is_empty() {
            return 0;
        }
        (self.done() * 100 / self.lessons.len()) as u32
    }

    /// The lesson the text at `block` belongs to: the last one starting at or before it.
    pub fn lesson_at(&self, block: usize) -> Option<&LessonState> {
        self.lessons
            .iter()
            .filter(|l| l.block.is_some_and(|b| b <= block))
            .max_by_key(|l| l.block)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_000_000_000;

    #[test]
    fn positions_inside_the_text_are_accepted() {
        assert!(ReadingPosition::check(0, 0.0, NOW, 1).is_ok());
        assert!(ReadingPosition::check(9, 1.0, NOW, 10).is_ok());
    }

    #[test]
    fn positions_outside_the_text_are_refused_with_a_reason() {
        assert!(ReadingPosition::check(10, 0.5, NOW, 10)
            .unwrap_err()
            .contains("no block 10"));
        assert!(ReadingPosition::check(0, 1.5, NOW, 10).is_err());
        assert!(ReadingPosition::check(0, f64::NAN, NOW, 10).is_err());
        assert!(ReadingPosition::check(0, -0.1, NOW, 10).is_err());
        assert!(ReadingPosition::check(0, 0.5, 12, 10).is_err());
        assert!(ReadingPosition::check(0, 0.5, NOW, 0).is_err());
    }

    #[test]
    fn every_font_size_has_its_class_in_the_stylesheet() {
        let css = include_str!("../../../style/main.css");
        for (n, px) in FONT_SIZES.iter().enumerate() {
            let rule = format!(".reader.size-{n} {{ --reader-size: {px}px; }}");
            assert!(css.contains(&rule), "missing {rule}");
        }
    }

    #[test]
    fn themes_round_trip_through_their_names() {
        for t in Theme::ALL {
            assert_eq!(Theme::parse(t.as_str()), Some(t));
        }
        assert_eq!(Theme::parse("neon"), None);
    }
}
