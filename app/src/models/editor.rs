//! Editing an item on its own page: the document a creator edits (titles, summaries,
//! description, price, tags and the content blocks with the paywall between the free preview
//! and the paid body), its draft with a revision number, the version history, and the pure
//! pieces both sides share — the checks a document must pass, the sanitiser that turns pasted
//! HTML into our blocks, and the line diff the history shows.
//!
//! Everything a creator writes stays plain text inside structured blocks; nothing here ever
//! becomes HTML, so a pasted `<script>` is at worst a paragraph that reads "<script>".

use super::catalog::{Block, BlockKind};
use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// The most blocks a document may have (preview and body together).
pub const MAX_BLOCKS: usize = 2_000;
/// The most characters in one block (or one list entry).
pub const MAX_BLOCK_CHARS: usize = 20_000;
/// The most entries in one list.
pub const MAX_LIST_ITEMS: usize = 200;
/// The most characters in a title.
pub const MAX_TITLE_CHARS: usize = 200;
/// The most characters in a summary.
pub const MAX_SUMMARY_CHARS: usize = 500;
/// The most characters in the description.
pub const MAX_DESCRIPTION_CHARS: usize = 5_000;
/// The most tags on an item.
pub const MAX_TAGS: usize = 12;
/// The highest price, in minor units (¥1,000,000.00).
pub const MAX_PRICE_MINOR: i64 = 100_000_000;
/// The largest editor request body, in bytes (a long e-book fits; the rest of the store
/// keeps its smaller limit).
pub const EDITOR_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// What a creator edits: everything a learner sees on the item page that is the creator's
/// own words. The paywall divider is the boundary between `preview` and `body`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ItemDoc {
    /// English title.
    pub title_en: String,
    /// Chinese title.
    pub title_zh: String,
    /// English summary.
    pub summary_en: String,
    /// Chinese summary.
    pub summary_zh: String,
    /// Longer description, paragraphs separated by blank lines.
    pub description: String,
    /// Price in minor units (0 = free).
    pub price_minor: i64,
    /// Tag slugs.
    pub tags: Vec<String>,
    /// The cover picture's address: the drawn one (`/covers/<slug>.svg`) or an uploaded
    /// image (`/media/<hash>.<ext>`).
    #[serde(default)]
    pub cover: String,
    /// The free preview: everyone reads it.
    pub preview: Vec<Block>,
    /// The paid body: only buyers read it.
    pub body: Vec<Block>,
}

/// The draft of an item as the editor opens it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftView {
    /// The item's slug.
    pub slug: String,
    /// The item's own language (`zh-CN` or `en`): which title is the main one.
    pub language: String,
    /// Whether the item is live (published) at all.
    pub live: bool,
    /// Whether the item is a course: its headings are chapters, its subheadings lessons.
    #[serde(default)]
    pub course: bool,
    /// The draft's revision: every save adds one, and a save must name the revision it was
    /// made from.
    pub revision: i64,
    /// The revision that is live, if the live page was published from this draft.
    pub published_revision: Option<i64>,
    /// When the draft was last saved (RFC 3339).
    pub saved_at: String,
    /// Who saved it last.
    pub saved_by: String,
    /// The scheduled publication time (RFC 3339), if any.
    pub publish_at: Option<String>,
    /// The document.
    pub doc: ItemDoc,
    /// The tags a creator may choose from: (slug, name).
    pub tag_choices: Vec<(String, String)>,
}

impl DraftView {
    /// Whether the draft differs from what learners see.
    pub fn unpublished_changes(&self) -> bool {
        self.published_revision != Some(self.revision)
    }
}

/// The answer to a save.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SaveOutcome {
    /// Saved: the draft is now at `revision`.
    Saved {
        /// The new revision.
        revision: i64,
        /// When (RFC 3339).
        saved_at: String,
    },
    /// Someone saved a newer revision first. Nothing was overwritten: their draft is here,
    /// and the text this save carried is kept in the history as a "conflict" version.
    Conflict {
        /// The draft as it is now on the server.
        theirs: Box<DraftView>,
    },
}

/// Why a version was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VersionKind {
    /// An autosave (at most one a minute per editor).
    Autosave,
    /// What went live when the page was published.
    Published,
    /// The draft after an older version was restored.
    Restored,
    /// A save that lost a conflict with another editor, kept so that nothing is lost.
    Conflict,
}

impl VersionKind {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            VersionKind::Autosave => "autosave",
            VersionKind::Published => "published",
            VersionKind::Restored => "restored",
            VersionKind::Conflict => "conflict",
        }
    }

    /// The label shown in the history.
    pub fn label(self, locale: super::i18n::Locale) -> &'static str {
        match self {
            VersionKind::Autosave => locale.pick("Autosave", "自动保存"),
            VersionKind::Published => locale.pick("Published", "已发布"),
            VersionKind::Restored => locale.pick("Restored", "已恢复"),
            VersionKind::Conflict => locale.pick("Kept from a conflict", "冲突时保留"),
        }
    }
}

/// One entry of the version history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionSummary {
    /// The version's id.
    pub id: String,
    /// Why it was recorded.
    pub kind: VersionKind,
    /// The draft revision it was taken at.
    pub revision: i64,
    /// When (RFC 3339).
    pub at: String,
    /// Who.
    pub author: String,
}

/// One version in full, for the diff view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionView {
    /// What the history lists about it.
    pub summary: VersionSummary,
    /// The document as it was.
    pub doc: ItemDoc,
}

// Checks ---------------------------------------------------------------------------------

/// Removes what has no place in text: carriage returns and control characters other than
/// newline and tab. (Invalid Unicode cannot arrive here: the JSON decoder refuses it.)
pub fn clean_text(s: &str) -> String {
    s.chars()
        .filter(|&c| c == '\n' || c == '\t' || !c.is_control())
        .collect()
}

fn clean_block(b: &Block) -> Block {
    Block {
        kind: b.kind,
        text: clean_text(&b.text),
        level: b.level,
        items: b.items.iter().map(|i| clean_text(i)).collect(),
        media: b
            .media
            .clone()
            .filter(|_| b.kind == BlockKind::Media)
            .map(|mut m| {
                m.name = crate::models::media::clean_name(&m.name);
                m
            }),
        lesson: b
            .lesson
            .clone()
            .filter(|k| b.kind == BlockKind::Heading && b.level == Some(3) && is_lesson_key(k)),
    }
}

/// Whether `key` can be a lesson key: 1–64 letters, digits, `_` or `-`.
pub fn is_lesson_key(key: &str) -> bool {
    (1..=64).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

// Courses --------------------------------------------------------------------------------

/// A lesson as a course's text lays it out: a level-3 heading and what follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedLesson {
    /// The lesson's key, if the heading carries one (kept lessons keep their completion).
    pub key: Option<String>,
    /// The heading's text.
    pub title: String,
    /// Above the paywall: a free lesson.
    pub free: bool,
    /// Characters of text in the lesson (for a reading-time estimate).
    pub chars: usize,
}

/// A chapter as a course's text lays it out: a level-2 heading and its lessons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedChapter {
    /// The heading's text.
    pub title: String,
    /// Its lessons in order.
    pub lessons: Vec<PlannedLesson>,
}

/// Minutes to read `chars` characters of a course in `language` (about 400 Chinese or
/// 1,000 English characters a minute), at least one.
pub fn reading_minutes(chars: usize, language: &str) -> u32 {
    let per_minute = if language == "zh-CN" { 400 } else { 1_000 };
    chars.div_ceil(per_minute).max(1) as u32
}

impl ItemDoc {
    /// The chapters and lessons of a course, read from its headings: each heading starts a
    /// chapter, each subheading a lesson of the chapter above it. A key that is not a lesson
    /// key or appears twice is dropped (that lesson starts afresh). Refused, with what to
    /// change, when a lesson comes before any chapter or there is no lesson at all.
    pub fn course_outline(&self) -> Result<Vec<PlannedChapter>, AppError> {
        let preview = self.publishable_blocks(&self.preview);
        let body = self.publishable_blocks(&self.body);
        let mut chapters: Vec<PlannedChapter> = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        for (free, b) in preview
            .iter()
            .map(|b| (true, b))
            .chain(body.iter().map(|b| (false, b)))
        {
            match (b.kind, b.level) {
                (BlockKind::Heading, Some(3)) => {
                    let Some(chapter) = chapters.last_mut() else {
                        return Err(AppError::BadRequest(format!(
                            "The lesson “{}” comes before any chapter: put a chapter heading above it.",
                            shorten(&b.text)
                        )));
                    };
                    let key = b
                        .lesson
                        .clone()
                        .filter(|k| is_lesson_key(k) && !seen.contains(k));
                    seen.extend(key.clone());
                    chapter.lessons.push(PlannedLesson {
                        key,
                        title: b.text.trim().to_string(),
                        free,
                        chars: 0,
                    });
                }
                (BlockKind::Heading, _) => chapters.push(PlannedChapter {
                    title: b.text.trim().to_string(),
                    lessons: Vec::new(),
                }),
                _ => {
                    if let Some(l) = chapters.last_mut().and_then(|c| c.lessons.last_mut()) {
                        l.chars += b.text.chars().count()
                            + b.items.iter().map(|i| i.chars().count()).sum::<usize>();
                    }
                }
            }
        }
        if chapters.iter().all(|c| c.lessons.is_empty()) {
            return Err(AppError::BadRequest(
                "A course needs at least one lesson: add a chapter heading and a lesson subheading under it.".into(),
            ));
        }
        Ok(chapters)
    }
}

impl ItemDoc {
    /// The document with control characters removed from every text.
    pub fn cleaned(&self) -> ItemDoc {
        ItemDoc {
            title_en: clean_text(&self.title_en).replace('\n', " "),
            title_zh: clean_text(&self.title_zh).replace('\n', " "),
            summary_en: clean_text(&self.summary_en),
            summary_zh: clean_text(&self.summary_zh),
            description: clean_text(&self.description),
            price_minor: self.price_minor,
            tags: self.tags.iter().map(|t| t.trim().to_string()).collect(),
            cover: self.cover.trim().to_string(),
            preview: self.preview.iter().map(clean_block).collect(),
            body: self.body.iter().map(clean_block).collect(),
        }
    }

    /// Whether the document can be stored as a draft: sizes within limits, block shapes
    /// valid. The message names the field or the block (counted from 1, the preview's
    /// first) and what to change.
    pub fn check_draft(&self) -> Result<(), AppError> {
        let too_long = |what: &str, n: usize, max: usize| {
            (n > max).then(|| {
                AppError::BadRequest(format!(
                    "{what} is {n} characters long; the most is {max}. Shorten it and save again."
                ))
            })
        };
        for (what, text, max) in [
            ("The English title", &self.title_en, MAX_TITLE_CHARS),
            ("The Chinese title", &self.title_zh, MAX_TITLE_CHARS),
            ("The English summary", &self.summary_en, MAX_SUMMARY_CHARS),
            ("The Chinese summary", &self.summary_zh, MAX_SUMMARY_CHARS),
            ("The description", &self.description, MAX_DESCRIPTION_CHARS),
        ] {
            if let Some(e) = too_long(what, text.chars().count(), max) {
                return Err(e);
            }
        }
        if !(0..=MAX_PRICE_MINOR).contains(&self.price_minor) {
            return Err(AppError::BadRequest(
                "The price must be between 0 (free) and 1,000,000.00.".into(),
            ));
        }
        if self.tags.len() > MAX_TAGS {
            return Err(AppError::BadRequest(format!(
                "An item can have at most {MAX_TAGS} tags; remove {}.",
                self.tags.len() - MAX_TAGS
            )));
        }
        if let Some(bad) = self
            .tags
            .iter()
            .find(|t| !super::catalog::is_slug(t.as_str()))
        {
            return Err(AppError::BadRequest(format!(
                "“{}” is not a tag; choose tags from the list.",
                shorten(bad)
            )));
        }
        let total = self.preview.len() + self.body.len();
        if total > MAX_BLOCKS {
            return Err(AppError::BadRequest(format!(
                "The page has {total} blocks; the most is {MAX_BLOCKS}. Split it into two items."
            )));
        }
        for (n, b) in self.preview.iter().chain(&self.body).enumerate() {
            let at = n + 1;
            let chars = b.text.chars().count();
            if chars > MAX_BLOCK_CHARS {
                return Err(AppError::BadRequest(format!(
                    "Block {at} has {chars} characters; the most is {MAX_BLOCK_CHARS}. Split it into several blocks."
                )));
            }
            match b.kind {
                BlockKind::Media => match &b.media {
                    Some(m) if crate::models::media::MediaRef::is_hash(&m.hash) => {}
                    _ => {
                        return Err(AppError::BadRequest(format!(
                            "Block {at} is a media block without its file: upload it again or delete the block."
                        )))
                    }
                },
                BlockKind::Heading if !matches!(b.level, Some(2..=3)) => {
                    return Err(AppError::BadRequest(format!(
                        "Block {at} is a heading of level {}; use level 2 (section) or 3 (subsection).",
                        b.level.map_or("none".to_string(), |l| l.to_string())
                    )));
                }
                BlockKind::List => {
                    if b.items.len() > MAX_LIST_ITEMS {
                        return Err(AppError::BadRequest(format!(
                            "The list in block {at} has {} entries; the most is {MAX_LIST_ITEMS}.",
                            b.items.len()
                        )));
                    }
                    if let Some(long) = b
                        .items
                        .iter()
                        .map(|i| i.chars().count())
                        .find(|&c| c > MAX_BLOCK_CHARS)
                    {
                        return Err(AppError::BadRequest(format!(
                            "An entry of the list in block {at} has {long} characters; the most is {MAX_BLOCK_CHARS}."
                        )));
                    }
                    if !matches!(b.level, None | Some(1)) {
                        return Err(AppError::BadRequest(format!(
                            "The list in block {at} must be bulleted or numbered."
                        )));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Whether the document can go live: a draft's checks, plus a title and a summary in
    /// the item's own `language`, and some free preview to read.
    pub fn check_publish(&self, language: &str) -> Result<(), AppError> {
        self.check_draft()?;
        let (title, summary) = if language == "zh-CN" {
            (&self.title_zh, &self.summary_zh)
        } else {
            (&self.title_en, &self.summary_en)
        };
        if title.trim().is_empty() {
            return Err(AppError::BadRequest(
                "Give the item a title before publishing.".into(),
            ));
        }
        if summary.trim().is_empty() {
            return Err(AppError::BadRequest(
                "Write a one-line summary before publishing: it is what the catalog shows.".into(),
            ));
        }
        if self.publishable_blocks(&self.preview).is_empty() {
            return Err(AppError::BadRequest(
                "Put at least one block above the paywall: learners decide from the free preview."
                    .into(),
            ));
        }
        Ok(())
    }

    /// The blocks that go live: empty paragraphs and lists left out.
    pub fn publishable_blocks(&self, blocks: &[Block]) -> Vec<Block> {
        blocks
            .iter()
            .filter(|b| match b.kind {
                BlockKind::List => b.items.iter().any(|i| !i.trim().is_empty()),
                BlockKind::Media => b.media.is_some(),
                _ => !b.text.trim().is_empty(),
            })
            .map(|b| Block {
                items: b
                    .items
                    .iter()
                    .filter(|i| !i.trim().is_empty())
                    .cloned()
                    .collect(),
                ..b.clone()
            })
            .collect()
    }
}

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().filter(|c| !c.is_control()).take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

// Paste ----------------------------------------------------------------------------------

/// Plain text as blocks: one paragraph per run of lines separated by a blank line.
pub fn text_to_blocks(text: &str) -> Vec<Block> {
    let text = clean_text(&text.replace("\r\n", "\n").replace('\r', "\n"));
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| paragraph(p.to_string()))
        .collect()
}

fn paragraph(text: String) -> Block {
    Block::text(BlockKind::Paragraph, text)
}

/// Pasted HTML as our blocks. Only the text survives: headings, paragraphs, lists, quotes
/// and code keep their shape; every other tag, every attribute, comments, and the content
/// of `script`, `style`, `template`, `svg`, `math`, `iframe`, `object` and `noscript` are
/// dropped. Character references are decoded into plain characters (which are then shown
/// as text, never parsed again).
pub fn html_to_blocks(html: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut kind = BlockKind::Paragraph;
    let mut level = None;
    let mut list: Option<(Option<u8>, Vec<String>)> = None;
    let mut in_item = false;
    let mut skip_until: Option<String> = None;
    let mut pre = false;
    let mut rest = html;

    fn flush(
        out: &mut Vec<Block>,
        text: &mut String,
        kind: BlockKind,
        level: Option<u8>,
        pre: bool,
    ) {
        let t = if pre {
            text.trim_matches('\n').to_string()
        } else {
            collapse(text)
        };
        if !t.trim().is_empty() {
            out.push(Block {
                level,
                ..Block::text(kind, t)
            });
        }
        text.clear();
    }

    while !rest.is_empty() {
        if let Some(stripped) = rest.strip_prefix("<!--") {
            rest = stripped.find("-->").map_or("", |e| &stripped[e + 3..]);
            continue;
        }
        let opens_tag = rest.starts_with('<')
            && rest[1..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!');
        if opens_tag {
            let end = tag_end(rest);
            let tag = rest[1..end].trim_end_matches('>');
            rest = &rest[end..];
            let closing = tag.starts_with('/');
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            if let Some(until) = &skip_until {
                if closing && &name == until {
                    skip_until = None;
                }
                continue;
            }
            if !closing
                && matches!(
                    name.as_str(),
                    "script"
                        | "style"
                        | "template"
                        | "svg"
                        | "math"
                        | "iframe"
                        | "object"
                        | "noscript"
                        | "title"
                        | "head"
                )
                && !tag.trim_end().ends_with('/')
            {
                skip_until = Some(name);
                continue;
            }
            match (name.as_str(), closing) {
                ("br", _) => text.push('\n'),
                ("li", false) => {
                    if in_item {
                        if let Some((_, items)) = list.as_mut() {
                            items.push(collapse(&text));
                        }
                        text.clear();
                    } else {
                        flush(&mut out, &mut text, kind, level, pre);
                    }
                    in_item = true;
                }
                ("li", true) => {
                    if let Some((_, items)) = list.as_mut() {
                        items.push(collapse(&text));
                    }
                    text.clear();
                    in_item = false;
                }
                ("ul" | "ol", false) => {
                    flush(&mut out, &mut text, kind, level, pre);
                    if list.is_none() {
                        list = Some(((name == "ol").then_some(1), Vec::new()));
                    }
                }
                ("ul" | "ol", true) => {
                    if in_item {
                        if let Some((_, items)) = list.as_mut() {
                            items.push(collapse(&text));
                        }
                        text.clear();
                        in_item = false;
                    }
                    close_list(&mut out, list.take());
                }
                ("h1" | "h2" | "h3" | "h4" | "h5" | "h6", false) => {
                    flush(&mut out, &mut text, kind, level, pre);
                    kind = BlockKind::Heading;
                    level = Some(if matches!(name.as_str(), "h1" | "h2") {
                        2
                    } else {
                        3
                    });
                }
                ("blockquote", false) => {
                    flush(&mut out, &mut text, kind, level, pre);
                    kind = BlockKind::Quote;
                    level = None;
                }
                ("pre", false) => {
                    flush(&mut out, &mut text, kind, level, pre);
                    kind = BlockKind::Code;
                    level = None;
                    pre = true;
                }
                (
                    "p" | "div" | "section" | "article" | "header" | "footer" | "table" | "tr",
                    false,
                ) if !in_item => {
                    flush(&mut out, &mut text, kind, level, pre);
                    if !matches!(kind, BlockKind::Quote) {
                        kind = BlockKind::Paragraph;
                        level = None;
                    }
                }
                (
                    "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "blockquote" | "pre" | "p" | "div"
                    | "section" | "article" | "header" | "footer" | "table" | "tr",
                    true,
                ) if !in_item => {
                    flush(&mut out, &mut text, kind, level, pre);
                    kind = BlockKind::Paragraph;
                    level = None;
                    pre = false;
                }
                ("td" | "th", true) => text.push(' '),
                _ => {}
            }
            continue;
        }
        let first = rest.chars().next().map_or(1, char::len_utf8);
        let next = rest[first..].find('<').map_or(rest.len(), |i| i + first);
        if skip_until.is_none() {
            text.push_str(&decode_entities(&rest[..next]));
        }
        rest = &rest[next..];
    }
    if in_item {
        if let Some((_, items)) = list.as_mut() {
            items.push(collapse(&text));
        }
        text.clear();
    }
    close_list(&mut out, list.take());
    flush(&mut out, &mut text, kind, level, pre);
    out.into_iter()
        .map(|b| clean_block(&b))
        .filter(|b| !b.text.trim().is_empty() || !b.items.is_empty())
        .collect()
}

/// A finished list (its non-empty entries) as a block.
fn close_list(out: &mut Vec<Block>, list: Option<(Option<u8>, Vec<String>)>) {
    if let Some((level, items)) = list {
        let items: Vec<String> = items.into_iter().filter(|i| !i.trim().is_empty()).collect();
        if !items.is_empty() {
            out.push(Block {
                level,
                items,
                ..Block::text(BlockKind::List, String::new())
            });
        }
    }
}

/// Where the tag starting at `s[0] == '<'` ends (just after its `>`), quotes respected.
fn tag_end(s: &str) -> usize {
    let mut quote = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return i + 1,
            _ => {}
        }
    }
    s.len()
}

/// Whitespace runs become one space (newlines from `<br>` are kept).
fn collapse(s: &str) -> String {
    s.split('\n')
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

/// Decodes the character references pasted HTML uses. Unknown names stay as they are.
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest[1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
            .map(|i| i + 1)
            .unwrap_or(rest.len());
        let name = &rest[1..end];
        let decoded = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            _ => name
                .strip_prefix("#x")
                .or_else(|| name.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32)
                .filter(|&c| c != '\0'),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end..];
                if rest.starts_with(';') {
                    rest = &rest[1..];
                }
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

// Diff -----------------------------------------------------------------------------------

/// The document as lines for the diff view: one line per field and per block.
pub fn doc_lines(doc: &ItemDoc) -> Vec<String> {
    let mut lines = vec![
        format!("Title (English): {}", doc.title_en),
        format!("Title (Chinese): {}", doc.title_zh),
        format!("Summary (English): {}", doc.summary_en),
        format!("Summary (Chinese): {}", doc.summary_zh),
        format!(
            "Price: {}.{:02}",
            doc.price_minor / 100,
            doc.price_minor % 100
        ),
        format!("Tags: {}", doc.tags.join(", ")),
        format!("Cover: {}", doc.cover),
    ];
    lines.extend(doc.description.split("\n\n").map(|p| format!("About: {p}")));
    let block_line = |b: &Block| match b.kind {
        BlockKind::Heading => format!("{} {}", "#".repeat(b.level.unwrap_or(2) as usize), b.text),
        BlockKind::Paragraph => b.text.clone(),
        BlockKind::List => b
            .items
            .iter()
            .map(|i| format!("• {i}"))
            .collect::<Vec<_>>()
            .join("\n"),
        BlockKind::Quote => format!("> {}", b.text),
        BlockKind::Code => format!("```\n{}\n```", b.text),
        BlockKind::Callout => format!("[!] {}", b.text),
        BlockKind::Media => match &b.media {
            Some(m) => format!("[{} {}] {}", m.kind.as_str(), m.name, b.text),
            None => format!("[media] {}", b.text),
        },
    };
    lines.extend(doc.preview.iter().map(block_line));
    lines.push("──── paywall ────".into());
    lines.extend(doc.body.iter().map(block_line));
    lines
}

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiffLine {
    /// In both.
    Same(String),
    /// Only in the older version.
    Removed(String),
    /// Only in the newer version.
    Added(String),
}

/// The lines that changed from `old` to `new` (a longest-common-subsequence diff; the
/// common start and end are matched first so that long documents with small edits stay
/// cheap).
pub fn diff(old: &[String], new: &[String]) -> Vec<DiffLine> {
    let head = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let tail = old[head..]
        .iter()
        .rev()
        .zip(new[head..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (a, b) = (&old[head..old.len() - tail], &new[head..new.len() - tail]);
    let mut out: Vec<DiffLine> = old[..head].iter().cloned().map(DiffLine::Same).collect();
    if a.len().saturating_mul(b.len()) > 4_000_000 {
        // Too many changed lines to align: show the old ones removed and the new ones added.
        out.extend(a.iter().cloned().map(DiffLine::Removed));
        out.extend(b.iter().cloned().map(DiffLine::Added));
    } else {
        let (n, m) = (a.len(), b.len());
        let mut lcs = vec![0u32; (n + 1) * (m + 1)];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i * (m + 1) + j] = if a[i] == b[j] {
                    lcs[(i + 1) * (m + 1) + j + 1] + 1
                } else {
                    lcs[(i + 1) * (m + 1) + j].max(lcs[i * (m + 1) + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && a[i] == b[j] {
                out.push(DiffLine::Same(a[i].clone()));
                i += 1;
                j += 1;
            } else if j < m && (i == n || lcs[i * (m + 1) + j + 1] >= lcs[(i + 1) * (m + 1) + j]) {
                out.push(DiffLine::Added(b[j].clone()));
                j += 1;
            } else {
                out.push(DiffLine::Removed(a[i].clone()));
                i += 1;
            }
        }
    }
    out.extend(old[old.len() - tail..].iter().cloned().map(DiffLine::Same));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> ItemDoc {
        ItemDoc {
            title_en: "Notes on Rust".into(),
            summary_en: "Short notes.".into(),
            preview: vec![paragraph("Free part.".into())],
            body: vec![paragraph("Paid part.".into())],
            ..ItemDoc::default()
        }
    }

    fn heading(level: u8, text: &str, lesson: Option<&str>) -> Block {
        Block {
            level: Some(level),
            lesson: lesson.map(str::to_string),
            ..Block::text(BlockKind::Heading, text.into())
        }
    }

    #[test]
    fn a_course_outline_is_read_from_its_headings_with_free_lessons_above_the_paywall() {
        let d = ItemDoc {
            preview: vec![
                heading(2, "Start", None),
                heading(3, "Welcome", Some("k1")),
                paragraph("1234567890".into()),
            ],
            body: vec![
                heading(3, "Tools", Some("k2")),
                heading(2, "Practice", None),
                heading(3, "Drill", Some("k1")), // a copied key: this lesson starts afresh
                heading(3, "Exam", Some("bad key!")),
            ],
            ..doc()
        };
        let outline = d.course_outline().unwrap();
        assert_eq!(outline.len(), 2);
        assert_eq!(outline[0].title, "Start");
        let keys = |c: &PlannedChapter| c.lessons.iter().map(|l| l.key.clone()).collect::<Vec<_>>();
        assert_eq!(keys(&outline[0]), [Some("k1".into()), Some("k2".into())]);
        assert_eq!(keys(&outline[1]), [None, None]);
        assert!(outline[0].lessons[0].free && !outline[0].lessons[1].free);
        assert_eq!(outline[0].lessons[0].chars, 10);
        assert_eq!(reading_minutes(10, "en"), 1);
        assert_eq!(reading_minutes(4_001, "zh-CN"), 11);
    }

    #[test]
    fn a_course_needs_a_chapter_above_its_first_lesson_and_at_least_one_lesson() {
        let mut d = doc();
        d.preview = vec![heading(3, "Orphan", None)];
        let err = d.course_outline().unwrap_err().to_string();
        assert!(err.contains("Orphan") && err.contains("chapter"), "{err}");
        d.preview = vec![heading(2, "Only a chapter", None)];
        assert!(d
            .course_outline()
            .unwrap_err()
            .to_string()
            .contains("at least one lesson"));
        // A key on anything but a lesson heading is dropped when the document is cleaned.
        let mut p = paragraph("text".into());
        p.lesson = Some("k9".into());
        d.preview = vec![p, heading(3, "L", Some("k'; DELETE"))];
        let cleaned = d.cleaned();
        assert_eq!(cleaned.preview[0].lesson, None);
        assert_eq!(cleaned.preview[1].lesson, None);
    }

    #[test]
    fn a_complete_document_passes_and_an_empty_title_does_not_publish() {
        assert!(doc().check_publish("en").is_ok());
        let mut d = doc();
        d.title_en = "  ".into();
        assert!(d.check_draft().is_ok(), "a draft may lack a title");
        let err = d.check_publish("en").unwrap_err().to_string();
        assert!(err.contains("title"), "{err}");
        // The Chinese title is the main one of a Chinese item.
        assert!(doc().check_publish("zh-CN").is_err());
    }

    #[test]
    fn oversized_and_malformed_blocks_are_refused_with_their_place() {
        let mut d = doc();
        d.body.push(paragraph("x".repeat(MAX_BLOCK_CHARS + 1)));
        let err = d.check_draft().unwrap_err().to_string();
        assert!(err.contains("Block 3"), "{err}");
        let mut d = doc();
        d.preview.push(Block {
            level: Some(9),
            ..Block::text(BlockKind::Heading, "H".into())
        });
        assert!(d.check_draft().unwrap_err().to_string().contains("level 9"));
        let mut d = doc();
        d.body = vec![paragraph("p".into()); MAX_BLOCKS];
        assert!(d.check_draft().unwrap_err().to_string().contains("blocks"));
        let mut d = doc();
        d.tags = vec!["<script>".into()];
        assert!(d
            .check_draft()
            .unwrap_err()
            .to_string()
            .contains("not a tag"));
        let mut d = doc();
        d.price_minor = -1;
        assert!(d.check_draft().is_err());
    }

    #[test]
    fn control_characters_are_removed_but_newlines_stay() {
        assert_eq!(clean_text("a\u{0}b\r\nc\u{1b}[31m"), "ab\nc[31m");
    }

    #[test]
    fn empty_blocks_do_not_go_live() {
        let d = ItemDoc {
            preview: vec![
                paragraph("  ".into()),
                Block {
                    items: vec!["".into(), "one".into()],
                    ..Block::text(BlockKind::List, String::new())
                },
            ],
            ..doc()
        };
        let live = d.publishable_blocks(&d.preview);
        assert_eq!(live.len(), 1);
        assert_eq!(live[0].items, vec!["one".to_string()]);
    }

    #[test]
    fn pasted_html_keeps_structure_and_only_text() {
        let blocks = html_to_blocks(
            "<h1 style=x>Title</h1><p>One <b>bold</b>&nbsp;word &amp; more</p>\
             <ul><li>a</li><li>b<br>c</li></ul><ol><li>first</ol>\
             <blockquote><p>Quoted</p></blockquote><pre>let x = 1;\n  y</pre>",
        );
        let shape: Vec<(BlockKind, String, Vec<String>)> = blocks
            .into_iter()
            .map(|b| (b.kind, b.text, b.items))
            .collect();
        assert_eq!(
            shape,
            vec![
                (BlockKind::Heading, "Title".into(), vec![]),
                (BlockKind::Paragraph, "One bold word & more".into(), vec![]),
                (BlockKind::List, "".into(), vec!["a".into(), "b\nc".into()]),
                (BlockKind::List, "".into(), vec!["first".into()]),
                (BlockKind::Quote, "Quoted".into(), vec![]),
                (BlockKind::Code, "let x = 1;\n  y".into(), vec![]),
            ]
        );
    }

    #[test]
    fn scripts_styles_and_comments_are_dropped_from_paste() {
        let blocks = html_to_blocks(
            "<script>alert(1)</script><p onclick=\"alert(2)\">Hi<!-- <p>hidden</p> --></p>\
             <style>p{}</style><svg><script>alert(3)</script></svg><img src=x onerror=alert(4)>\
             <a href=\"javascript:alert(5)\">link</a>",
        );
        let text: Vec<String> = blocks.into_iter().map(|b| b.text).collect();
        assert_eq!(text, vec!["Hi".to_string(), "link".to_string()]);
    }

    #[test]
    fn entities_decode_to_text_that_stays_text() {
        let blocks =
            html_to_blocks("<p>&lt;script&gt;alert(1)&lt;/script&gt; &#x4e2d;&#25991; &bogus;</p>");
        assert_eq!(blocks[0].text, "<script>alert(1)</script> 中文 &bogus;");
        // Chinese text, a bare "<" and an unfinished tag neither panic nor lose the text.
        let blocks = html_to_blocks("中文 a < b 与<p>段落<中<i");
        let text: Vec<&str> = blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(text, vec!["中文 a < b 与", "段落<中"]);
    }

    #[test]
    fn plain_text_paste_becomes_paragraphs() {
        let blocks = text_to_blocks("one\r\ntwo\r\n\r\nthree\n\n\n");
        let text: Vec<&str> = blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(text, vec!["one\ntwo", "three"]);
    }

    #[test]
    fn diff_shows_what_changed() {
        let a: Vec<String> = ["t", "a", "b", "c"].map(String::from).to_vec();
        let b: Vec<String> = ["t", "a", "x", "c", "d"].map(String::from).to_vec();
        assert_eq!(
            diff(&a, &b),
            vec![
                DiffLine::Same("t".into()),
                DiffLine::Same("a".into()),
                DiffLine::Added("x".into()),
                DiffLine::Removed("b".into()),
                DiffLine::Same("c".into()),
                DiffLine::Added("d".into()),
            ]
        );
        let lines = doc_lines(&doc());
        assert!(lines.contains(&"──── paywall ────".to_string()));
        assert!(diff(&lines, &lines)
            .iter()
            .all(|l| matches!(l, DiffLine::Same(_))));
    }
}
