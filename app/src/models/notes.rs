//! Highlights, notes and bookmarks a learner keeps on a text. They live on the learner's
//! device first (so they work on a train) and are synced to their account when online;
//! only the learner sees them.
//!
//! A note's `id` is made on the device and is also its idempotency key: sending the same
//! change twice (a queue replayed after a lost answer) leaves one note, and of two
//! versions of a note the one edited last wins.

use super::catalog::{Block, BlockKind};
use serde::{Deserialize, Serialize};

/// The most characters of a note's own text.
pub const NOTE_TEXT_LIMIT: usize = 5_000;
/// The most characters a highlight may cover.
pub const QUOTE_LIMIT: usize = 2_000;
/// The most changes one sync may carry.
pub const SYNC_BATCH_LIMIT: usize = 200;
/// The most notes (including deleted ones) a learner keeps on one item.
pub const NOTES_PER_ITEM_LIMIT: usize = 2_000;

/// What kind of mark it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NoteKind {
    /// A highlighted passage.
    Highlight,
    /// A passage with the learner's own words about it.
    Note,
    /// A place to come back to (a whole block).
    Bookmark,
}

impl NoteKind {
    /// The name stored in the database and used in CSS classes.
    pub fn as_str(self) -> &'static str {
        match self {
            NoteKind::Highlight => "highlight",
            NoteKind::Note => "note",
            NoteKind::Bookmark => "bookmark",
        }
    }

    /// The kind named `s`, if any.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "highlight" => Some(NoteKind::Highlight),
            "note" => Some(NoteKind::Note),
            "bookmark" => Some(NoteKind::Bookmark),
            _ => None,
        }
    }
}

/// One highlight, note or bookmark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// Made on the device (8–64 letters, digits, `-` or `_`); the idempotency key.
    pub id: String,
    /// What it is.
    pub kind: NoteKind,
    /// The block it is on, counted from the first block of the free preview.
    pub block: u32,
    /// Where the passage starts and ends in the block's text, in UTF-16 code units (what
    /// the browser counts). Both 0 for a bookmark.
    pub start: u32,
    /// See `start`.
    pub end: u32,
    /// The passage (for a bookmark, the beginning of the block). Filled in by the server
    /// from the text itself: what a device sends here is ignored.
    #[serde(default)]
    pub quote: String,
    /// The learner's own words (notes only).
    #[serde(default)]
    pub text: String,
    /// When the device last changed it, ms since 1970: the newest version wins.
    pub updated_ms: i64,
    /// Deleted: kept as a marker so that an older copy arriving later cannot bring it back.
    #[serde(default)]
    pub deleted: bool,
}

/// What a sync answers: the learner's notes on the item as the account now has them
/// (deleted ones left out), and the changes refused, each with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SyncOutcome {
    /// Every live note on the item, in reading order.
    pub notes: Vec<Note>,
    /// `(note id, reason)` for each change that was not applied.
    pub rejected: Vec<(String, String)>,
}

/// Whether `id` is a usable note id.
pub fn is_note_id(id: &str) -> bool {
    (8..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The text a highlight can be made on, if the block has running text (lists do not).
pub fn block_text(block: &Block) -> Option<&str> {
    match block.kind {
        BlockKind::List | BlockKind::Media => None,
        _ => Some(&block.text),
    }
}

/// The part of `text` between UTF-16 offsets `start` and `end`, or `None` when they do
/// not fall on character boundaries inside the text.
pub fn utf16_slice(text: &str, start: u32, end: u32) -> Option<&str> {
    let (a, b) = (utf16_to_byte(text, start)?, utf16_to_byte(text, end)?);
    (a <= b).then(|| &text[a..b])
}

/// The byte index of UTF-16 offset `at` in `text`, if it is a character boundary.
fn utf16_to_byte(text: &str, at: u32) -> Option<usize> {
    let mut units = 0u32;
    for (i, c) in text.char_indices() {
        if units == at {
            return Some(i);
        }
        if units > at {
            return None;
        }
        units += c.len_utf16() as u32;
    }
    (units == at).then_some(text.len())
}

/// The first words of a block, for a bookmark's label.
fn opening(block: &Block) -> String {
    let text = match block.kind {
        BlockKind::List => block.items.first().map(String::as_str).unwrap_or(""),
        _ => &block.text,
    };
    let mut out: String = text.chars().take(80).collect();
    if text.chars().count() > 80 {
        out.push('…');
    }
    out
}

impl Note {
    /// Checks a note sent by a device against the item's `blocks`, and fills in its quote
    /// from the text. Deleted notes need only a usable id and time.
    pub fn checked(mut self, blocks: &[Block]) -> Result<Note, String> {
        if !is_note_id(&self.id) {
            return Err("A note's id must be 8 to 64 letters, digits, “-” or “_”.".into());
        }
        if !(946_684_800_000..=7_258_118_400_000).contains(&self.updated_ms) {
            return Err("The time of the note is not a real time.".into());
        }
        if self.deleted {
            self.quote.clear();
            self.text.clear();
            return Ok(self);
        }
        let block = blocks.get(self.block as usize).ok_or_else(|| {
            format!(
                "The item has {} blocks; there is no block {}.",
                blocks.len(),
                self.block
            )
        })?;
        if self.text.chars().count() > NOTE_TEXT_LIMIT {
            return Err(format!(
                "A note may be at most {NOTE_TEXT_LIMIT} characters long."
            ));
        }
        match self.kind {
            NoteKind::Bookmark => {
                self.start = 0;
                self.end = 0;
                self.text.clear();
                self.quote = opening(block);
            }
            NoteKind::Highlight | NoteKind::Note => {
                let text = block_text(block)
                    .ok_or("Passages in lists cannot be highlighted; bookmark the list instead.")?;
                if self.start >= self.end {
                    return Err("Select at least one character to highlight.".into());
                }
                let quote = utf16_slice(text, self.start, self.end).ok_or_else(|| {
                    "The passage is not in the text (was the item changed since?).".to_string()
                })?;
                if quote.chars().count() > QUOTE_LIMIT {
                    return Err(format!(
                        "A highlight may cover at most {QUOTE_LIMIT} characters."
                    ));
                }
                self.quote = quote.to_string();
                if self.kind == NoteKind::Highlight {
                    self.text.clear();
                } else if self.text.trim().is_empty() {
                    return Err("Write something in the note, or keep it as a highlight.".into());
                }
            }
        }
        Ok(self)
    }
}

/// One run of a block's text for display: its characters, and the kind of mark over it
/// (a note wins over a highlight where they overlap), if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// The characters.
    pub text: String,
    /// The mark over them.
    pub mark: Option<NoteKind>,
}

/// Splits `text` into runs at the edges of the passages marked by `notes` (those on this
/// block; bookmarks and deleted notes mark nothing). Offsets that do not fit the text are
/// ignored, so a note on an older version of the text cannot break the page.
pub fn runs(text: &str, notes: &[&Note]) -> Vec<Run> {
    let mut spans: Vec<(usize, usize, NoteKind)> = notes
        .iter()
        .filter(|n| !n.deleted && n.kind != NoteKind::Bookmark)
        .filter_map(|n| {
            let a = utf16_to_byte(text, n.start)?;
            let b = utf16_to_byte(text, n.end)?;
            (a < b).then_some((a, b, n.kind))
        })
        .collect();
    if spans.is_empty() {
        return vec![Run {
            text: text.to_string(),
            mark: None,
        }];
    }
    let mut edges: Vec<usize> = vec![0, text.len()];
    for (a, b, _) in &spans {
        edges.push(*a);
        edges.push(*b);
    }
    edges.sort_unstable();
    edges.dedup();
    spans.sort_unstable_by_key(|(a, b, _)| (*a, *b));
    let mut out: Vec<Run> = Vec::new();
    for pair in edges.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let mark = spans
            .iter()
            .filter(|(s, e, _)| *s <= a && b <= *e)
            .map(|(_, _, k)| *k)
            .max_by_key(|k| matches!(k, NoteKind::Note));
        match out.last_mut() {
            Some(last) if last.mark == mark => last.text.push_str(&text[a..b]),
            _ => out.push(Run {
                text: text[a..b].to_string(),
                mark,
            }),
        }
    }
    out
}

/// Newest-wins merge of two sets of notes (by id), in reading order. Deleted ones are
/// kept, so the caller decides whether to show or send them.
pub fn merge(a: Vec<Note>, b: Vec<Note>) -> Vec<Note> {
    let mut by_id: std::collections::BTreeMap<String, Note> = std::collections::BTreeMap::new();
    for n in a.into_iter().chain(b) {
        match by_id.get(&n.id) {
            Some(old) if old.updated_ms >= n.updated_ms => {}
            _ => {
                by_id.insert(n.id.clone(), n);
            }
        }
    }
    let mut all: Vec<Note> = by_id.into_values().collect();
    sort(&mut all);
    all
}

/// Puts notes in reading order (block, then place in the block, then time).
pub fn sort(notes: &mut [Note]) {
    notes.sort_by(|x, y| {
        (x.block, x.start, x.updated_ms, &x.id).cmp(&(y.block, y.start, y.updated_ms, &y.id))
    });
}

/// The notes of one item as Markdown: a heading with the title, then each mark in reading
/// order — passages as quotes, the learner's words under them, bookmarks as list entries.
pub fn markdown(title: &str, creator: &str, link: &str, notes: &[Note]) -> String {
    let mut out = format!(
        "## {}\n\n{} · <{link}>\n\n",
        escape_md(title),
        escape_md(creator)
    );
    for n in notes.iter().filter(|n| !n.deleted) {
        match n.kind {
            NoteKind::Bookmark => {
                out.push_str(&format!("- 🔖 {}\n\n", escape_md(&n.quote)));
            }
            NoteKind::Highlight | NoteKind::Note => {
                for line in n.quote.lines() {
                    out.push_str(&format!("> {}\n", escape_md(line)));
                }
                out.push('\n');
                if n.kind == NoteKind::Note {
                    out.push_str(&format!("{}\n\n", escape_md(&n.text)));
                }
            }
        }
    }
    out
}

/// Escapes characters Markdown would read as markup (and `<`, so that no HTML passes
/// through a Markdown renderer).
fn escape_md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn para(text: &str) -> Block {
        Block::text(BlockKind::Paragraph, text.into())
    }

    fn note(kind: NoteKind, block: u32, start: u32, end: u32) -> Note {
        Note {
            id: "note-0001".into(),
            kind,
            block,
            start,
            end,
            quote: "sent by the device".into(),
            text: "my words".into(),
            updated_ms: 1_760_000_000_000,
            deleted: false,
        }
    }

    #[test]
    fn the_quote_comes_from_the_text_counted_in_utf16() {
        // "学习 🎓 notes": the emoji is two UTF-16 units.
        let blocks = [para("学习 🎓 notes")];
        let n = note(NoteKind::Highlight, 0, 3, 5).checked(&blocks).unwrap();
        assert_eq!(n.quote, "🎓");
        assert_eq!(n.text, "", "a highlight keeps no words");
        let n = note(NoteKind::Note, 0, 0, 2).checked(&blocks).unwrap();
        assert_eq!((n.quote.as_str(), n.text.as_str()), ("学习", "my words"));
        // Half an emoji is not a passage.
        assert!(note(NoteKind::Highlight, 0, 3, 4).checked(&blocks).is_err());
        assert!(note(NoteKind::Highlight, 0, 2, 2).checked(&blocks).is_err());
        assert!(note(NoteKind::Highlight, 0, 0, 99)
            .checked(&blocks)
            .is_err());
        assert!(note(NoteKind::Highlight, 1, 0, 1).checked(&blocks).is_err());
    }

    #[test]
    fn bad_notes_are_refused_with_a_reason() {
        let blocks = [para("Hello world")];
        let mut n = note(NoteKind::Note, 0, 0, 5);
        n.text = "   ".into();
        assert!(n.checked(&blocks).unwrap_err().contains("Write something"));
        let mut n = note(NoteKind::Note, 0, 0, 5);
        n.text = "x".repeat(NOTE_TEXT_LIMIT + 1);
        assert!(n.checked(&blocks).unwrap_err().contains("at most"));
        let mut n = note(NoteKind::Highlight, 0, 0, 5);
        n.id = "short".into();
        assert!(n.checked(&blocks).is_err());
        let mut n = note(NoteKind::Highlight, 0, 0, 5);
        n.id = "has space in it".into();
        assert!(n.checked(&blocks).is_err());
        let mut n = note(NoteKind::Highlight, 0, 0, 5);
        n.updated_ms = 5;
        assert!(n.checked(&blocks).is_err());
        let list = Block {
            items: vec!["first entry".into()],
            ..Block::text(BlockKind::List, String::new())
        };
        assert!(note(NoteKind::Highlight, 0, 0, 1)
            .checked(std::slice::from_ref(&list))
            .is_err());
        let b = note(NoteKind::Bookmark, 0, 4, 9).checked(&[list]).unwrap();
        assert_eq!((b.start, b.end, b.quote.as_str()), (0, 0, "first entry"));
    }

    #[test]
    fn runs_split_the_text_at_marks_and_notes_win_overlaps() {
        let h = note(NoteKind::Highlight, 0, 0, 5);
        let n = note(NoteKind::Note, 0, 3, 8);
        let r = runs("abcdefghij", &[&h, &n]);
        let got: Vec<(&str, Option<NoteKind>)> =
            r.iter().map(|r| (r.text.as_str(), r.mark)).collect();
        assert_eq!(
            got,
            vec![
                ("abc", Some(NoteKind::Highlight)),
                ("defgh", Some(NoteKind::Note)),
                ("ij", None)
            ]
        );
        // Offsets beyond the text (an edited item) are ignored.
        let stale = note(NoteKind::Highlight, 0, 4, 50);
        assert_eq!(runs("abc", &[&stale]).len(), 1);
        let joined: String = runs("学习 🎓 notes", &[&note(NoteKind::Highlight, 0, 3, 5)])
            .into_iter()
            .map(|r| r.text)
            .collect();
        assert_eq!(joined, "学习 🎓 notes");
    }

    #[test]
    fn merge_keeps_the_newest_version_of_each_note() {
        let mut old = note(NoteKind::Note, 0, 0, 5);
        old.text = "old".into();
        let mut new = old.clone();
        new.text = "new".into();
        new.updated_ms += 1;
        let other = Note {
            id: "note-0002".into(),
            ..old.clone()
        };
        let merged = merge(vec![new.clone(), other.clone()], vec![old.clone()]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged.iter().find(|n| n.id == old.id).unwrap().text, "new");
        let merged = merge(vec![old], vec![new]);
        assert_eq!(merged[0].text, "new");
    }

    #[test]
    fn markdown_quotes_passages_and_escapes_markup() {
        let mut n = note(NoteKind::Note, 0, 0, 5);
        n.quote = "line one\nline <two>".into();
        n.text = "see *this* [link](javascript:x)".into();
        let mut b = note(NoteKind::Bookmark, 1, 0, 0);
        b.quote = "Chapter 2".into();
        let mut gone = note(NoteKind::Highlight, 2, 0, 1);
        gone.deleted = true;
        gone.quote = "deleted passage".into();
        let md = markdown("Title # 1", "Lin", "http://x/read/a", &[n, b, gone]);
        assert!(md.starts_with("## Title \\# 1\n"));
        assert!(md.contains("> line one\n> line \\<two\\>\n"));
        assert!(md.contains("see \\*this\\* \\[link\\](javascript:x)"));
        assert!(md.contains("- 🔖 Chapter 2"));
        assert!(!md.contains("deleted passage"));
    }
}
