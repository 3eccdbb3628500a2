//! The catalog as the page sees it: item cards, filters, pages of results, item details.
//!
//! The filter parsing here is pure and shared: the server validates with it, the browser
//! builds links with it, and both agree on what a URL such as
//! `/catalog?kind=audio&tag=rust&page=2` means.

use super::money::Price;
use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// How many cards one catalog page shows.
pub const PER_PAGE: u32 = 24;
/// The highest page number we accept at all (beyond it the request is nonsense).
pub const MAX_PAGE: u32 = 10_000;
/// The longest search text accepted, in characters.
pub const MAX_SEARCH_CHARS: usize = 100;
/// The longest slug accepted for a category, tag, item or creator.
pub const MAX_SLUG_CHARS: usize = 80;

/// The five kinds of thing a creator sells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A single written piece.
    Article,
    /// A book in chapters.
    Ebook,
    /// An audio lecture or series.
    Audio,
    /// A video lecture.
    Video,
    /// A course of chapters and lessons.
    Course,
}

impl Kind {
    /// Every kind, in the order filters list them.
    pub const ALL: [Kind; 5] = [
        Kind::Article,
        Kind::Ebook,
        Kind::Audio,
        Kind::Video,
        Kind::Course,
    ];

    /// The value used in URLs and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Article => "article",
            Kind::Ebook => "ebook",
            Kind::Audio => "audio",
            Kind::Video => "video",
            Kind::Course => "course",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Article => "Article",
            Kind::Ebook => "E-book",
            Kind::Audio => "Audio",
            Kind::Video => "Video",
            Kind::Course => "Course",
        }
    }

    /// The name shown to people in `locale`.
    pub fn label_in(self, locale: crate::models::i18n::Locale) -> &'static str {
        match locale {
            crate::models::i18n::Locale::En => self.label(),
            crate::models::i18n::Locale::Zh => match self {
                Kind::Article => "文章",
                Kind::Ebook => "电子书",
                Kind::Audio => "音频",
                Kind::Video => "视频",
                Kind::Course => "课程",
            },
        }
    }

    /// Parses the URL / database value.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Free or paid items only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PriceFilter {
    /// Items that cost nothing.
    Free,
    /// Items with a price.
    Paid,
}

/// The orders the catalog can be listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Sort {
    /// Best match first (the default while searching).
    Relevance,
    /// Most recently published first (the default otherwise).
    #[default]
    Newest,
    /// Most bought, read and liked first.
    Popular,
    /// Cheapest first.
    PriceAsc,
    /// Most expensive first.
    PriceDesc,
}

impl Sort {
    /// Every order with its URL value and label, as the sort menu lists them.
    pub const OPTIONS: [(Sort, &'static str, &'static str); 5] = [
        (Sort::Relevance, "relevance", "Best match"),
        (Sort::Newest, "newest", "Newest"),
        (Sort::Popular, "popular", "Popular"),
        (Sort::PriceAsc, "price-asc", "Price: low to high"),
        (Sort::PriceDesc, "price-desc", "Price: high to low"),
    ];

    /// The Chinese labels of [`Sort::OPTIONS`], in the same order.
    pub const LABELS_ZH: [&'static str; 5] =
        ["最相关", "最新", "最热", "价格从低到高", "价格从高到低"];

    /// The value used in URLs.
    pub fn as_str(self) -> &'static str {
        Sort::OPTIONS
            .iter()
            .find(|(s, _, _)| *s == self)
            .map(|(_, v, _)| *v)
            .unwrap_or("newest")
    }
}

/// The catalog request exactly as it arrives in the URL's query string: every field is
/// optional text, so that any URL can be decoded and then judged by [`CatalogQuery::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct CatalogQuery {
    /// Search text.
    pub q: String,
    /// Category slug.
    pub category: String,
    /// Kind (`article`, `ebook`, `audio`, `video`, `course`).
    pub kind: String,
    /// Tag slug.
    pub tag: String,
    /// `free` or `paid`.
    pub price: String,
    /// `relevance`, `newest`, `popular`, `price-asc`, `price-desc`.
    pub sort: String,
    /// 1-based page number, as text so that `page=abc` reaches validation.
    pub page: String,
}

/// A validated catalog request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CatalogFilter {
    /// Normalised search terms (lower case, half-width, no control characters); empty for none.
    pub terms: Vec<String>,
    /// Category slug.
    pub category: Option<String>,
    /// Kind.
    pub kind: Option<Kind>,
    /// Tag slug.
    pub tag: Option<String>,
    /// Free or paid.
    pub price: Option<PriceFilter>,
    /// Order.
    pub sort: Sort,
    /// 1-based page.
    pub page: u32,
}

impl CatalogQuery {
    /// Builds a query from `(key, value)` pairs such as a URL's query map.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut q = CatalogQuery::default();
        for (k, v) in pairs {
            let slot = match k {
                "q" => &mut q.q,
                "category" => &mut q.category,
                "kind" => &mut q.kind,
                "tag" => &mut q.tag,
                "price" => &mut q.price,
                "sort" => &mut q.sort,
                "page" => &mut q.page,
                _ => continue,
            };
            *slot = v.to_string();
        }
        q
    }

    /// Validates the request, with a message a visitor can act on when it is wrong.
    pub fn parse(&self) -> Result<CatalogFilter, AppError> {
        let q = self.q.trim();
        if q.chars().count() > MAX_SEARCH_CHARS {
            return Err(AppError::BadRequest(format!(
                "The search text is too long: use at most {MAX_SEARCH_CHARS} characters."
            )));
        }
        let terms = search_terms(q);
        let category = parse_slug("category", &self.category)?;
        let tag = parse_slug("tag", &self.tag)?;
        let kind = match self.kind.trim() {
            "" => None,
            k => Some(Kind::parse(k).ok_or_else(|| {
                AppError::BadRequest(format!(
                    "There is no kind “{}”: choose article, ebook, audio, video or course.",
                    shorten(k)
                ))
            })?),
        };
        let price = match self.price.trim() {
            "" => None,
            "free" => Some(PriceFilter::Free),
            "paid" => Some(PriceFilter::Paid),
            p => {
                return Err(AppError::BadRequest(format!(
                    "The price filter “{}” is not one we know: use free or paid.",
                    shorten(p)
                )))
            }
        };
        let sort = match self.sort.trim() {
            "" if !terms.is_empty() => Sort::Relevance,
            "" => Sort::Newest,
            s => Sort::OPTIONS
                .iter()
                .find(|(_, v, _)| *v == s)
                .map(|(sort, _, _)| *sort)
                .ok_or_else(|| {
                    AppError::BadRequest(format!(
                        "“{}” is not a way to sort: use newest, popular, price-asc or price-desc.",
                        shorten(s)
                    ))
                })?,
        };
        let page = match self.page.trim() {
            "" => 1,
            p => match p.parse::<u32>() {
                Ok(n) if (1..=MAX_PAGE).contains(&n) => n,
                _ => {
                    return Err(AppError::BadRequest(format!(
                        "“{}” is not a page number: pages are numbered from 1.",
                        shorten(p)
                    )))
                }
            },
        };
        Ok(CatalogFilter {
            terms,
            category,
            kind,
            tag,
            price,
            sort,
            page,
        })
    }

    /// A copy with another page number (for pagination links).
    pub fn with_page(&self, page: u32) -> Self {
        CatalogQuery {
            page: if page <= 1 {
                String::new()
            } else {
                page.to_string()
            },
            ..self.clone()
        }
    }

    /// The catalog URL for this query, with empty parameters left out.
    ///
    /// ```
    /// use app::models::catalog::CatalogQuery;
    /// let q = CatalogQuery { q: "机器 学习".into(), kind: "audio".into(), ..Default::default() };
    /// assert_eq!(q.href(), "/catalog?q=%E6%9C%BA%E5%99%A8+%E5%AD%A6%E4%B9%A0&kind=audio");
    /// assert_eq!(CatalogQuery::default().href(), "/catalog");
    /// ```
    pub fn href(&self) -> String {
        let pairs = [
            ("q", &self.q),
            ("category", &self.category),
            ("kind", &self.kind),
            ("tag", &self.tag),
            ("price", &self.price),
            ("sort", &self.sort),
            ("page", &self.page),
        ];
        let qs: Vec<String> = pairs
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| format!("{k}={}", form_encode(v.trim())))
            .collect();
        if qs.is_empty() {
            "/catalog".to_string()
        } else {
            format!("/catalog?{}", qs.join("&"))
        }
    }
}

fn parse_slug(what: &str, raw: &str) -> Result<Option<String>, AppError> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if is_slug(s) {
        Ok(Some(s.to_string()))
    } else {
        Err(AppError::BadRequest(format!(
            "There is no {what} called “{}”.",
            shorten(s)
        )))
    }
}

/// Whether `s` is a well-formed slug: 1–80 characters of a–z, 0–9 and `-`.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_SLUG_CHARS
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Cuts user text that is quoted back in a message to a readable length.
fn shorten(s: &str) -> String {
    let mut out: String = s.chars().filter(|c| !c.is_control()).take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// Normalises text for matching: full-width ASCII to half-width, lower case, control and
/// zero-width characters removed, runs of whitespace collapsed to one space.
///
/// ```
/// use app::models::catalog::normalize_for_search;
/// assert_eq!(normalize_for_search("  Ｒｕｓｔ\u{200b} 入门\t\n"), "rust 入门");
/// ```
pub fn normalize_for_search(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        let c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        };
        if matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
            || (c.is_control() && !c.is_whitespace())
        {
            continue;
        }
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// Splits search text into terms. Chinese needs no spaces: each term is matched as a
/// substring, so `机器学习` finds “机器学习入门” and `学习` finds it too.
pub fn search_terms(q: &str) -> Vec<String> {
    let norm = normalize_for_search(q);
    let mut terms: Vec<String> = Vec::new();
    for t in norm.split(' ').filter(|t| !t.is_empty()) {
        if !terms.iter().any(|x| x == t) {
            terms.push(t.to_string());
        }
    }
    terms.truncate(8);
    terms
}

/// `application/x-www-form-urlencoded` encoding, as a GET form would produce it.
pub fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A category as a link in the filters, with how many published items it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryRef {
    /// URL slug.
    pub slug: String,
    /// English name.
    pub name: String,
    /// Chinese name.
    pub name_zh: String,
    /// Published items in it.
    pub count: u32,
}

/// A tag on an item or in the filters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagRef {
    /// URL slug.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Published items with it (0 where not counted).
    pub count: u32,
}

/// One item as a card in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemCard {
    /// Record key: stable across edits, the id in recommendation factor files.
    pub key: String,
    /// URL slug: `/item/<slug>`.
    pub slug: String,
    /// Title in the item's own language.
    pub title: String,
    /// Title in the other language, when the creator gave one.
    pub title_alt: String,
    /// Summary in the item's own language.
    pub summary: String,
    /// `zh-CN` or `en`.
    pub language: String,
    /// What it is.
    pub kind: Kind,
    /// Price.
    pub price: Price,
    /// Average rating 1–5, when anyone rated it.
    pub rating: Option<f32>,
    /// Number of ratings.
    pub rating_count: u32,
    /// Creator's display name.
    pub creator_name: String,
    /// Creator's slug: `/creator/<slug>`.
    pub creator_slug: String,
    /// Category.
    pub category_slug: String,
    /// Category name.
    pub category_name: String,
    /// Category name in Chinese.
    #[serde(default)]
    pub category_name_zh: String,
    /// Tags.
    pub tags: Vec<TagRef>,
    /// Cover image URL (same origin).
    pub cover: String,
    /// Publication date, `YYYY-MM-DD`.
    pub published: String,
}

/// One page of catalog results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogPage {
    /// The cards on this page.
    pub items: Vec<ItemCard>,
    /// Matching items in all.
    pub total: u32,
    /// This page, 1-based.
    pub page: u32,
    /// Number of pages (at least 1).
    pub pages: u32,
}

/// What the filter bar offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Facets {
    /// Every category with its item count.
    pub categories: Vec<CategoryRef>,
    /// The most used tags with their counts.
    pub tags: Vec<TagRef>,
}

/// The home page's lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HomeSections {
    /// Recently published.
    pub newest: Vec<ItemCard>,
    /// Most popular.
    pub popular: Vec<ItemCard>,
    /// Free to read now.
    pub free: Vec<ItemCard>,
    /// Categories with counts.
    pub categories: Vec<CategoryRef>,
    /// The most popular items of the largest categories: what a visitor without history
    /// (or without JavaScript) sees where "For you" would be.
    pub by_category: Vec<CategoryPicks>,
    /// The store's own tagline and introduction.
    #[serde(default)]
    pub front: super::profile::StoreFront,
}

/// Popular items of one category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryPicks {
    /// The category.
    pub category: CategoryRef,
    /// Its most popular items.
    pub items: Vec<ItemCard>,
}

/// What a content block is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BlockKind {
    /// A paragraph of text.
    Paragraph,
    /// A heading (`level` 2–4).
    Heading,
    /// A bulleted or numbered list (`items`).
    List,
    /// A quotation.
    Quote,
    /// Preformatted code.
    Code,
    /// A highlighted note.
    Callout,
    /// An uploaded image, audio, video or file (`media`), with `text` as its caption.
    Media,
}

/// One block of an item's content. Text is plain text: it is always rendered escaped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    /// What it is.
    pub kind: BlockKind,
    /// Its text (empty for lists).
    #[serde(default)]
    pub text: String,
    /// Heading level, or 1 for a numbered list.
    #[serde(default)]
    pub level: Option<u8>,
    /// List entries.
    #[serde(default)]
    pub items: Vec<String>,
    /// The upload of a media block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<super::media::MediaRef>,
    /// In a course being edited, the key of the lesson a lesson heading (level 3) starts,
    /// so that learners' completion marks stay with it when lessons move or are renamed.
    /// Only drafts and versions carry it; the live page pairs lessons with headings in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lesson: Option<String>,
}

impl Block {
    /// A block of `kind` with `text`.
    pub fn text(kind: BlockKind, text: String) -> Self {
        Block {
            kind,
            text,
            level: None,
            items: Vec::new(),
            media: None,
            lesson: None,
        }
    }
}

/// One entry of the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TocEntry {
    /// Heading text.
    pub title: String,
    /// Heading level.
    pub level: u8,
    /// Anchor id on the page.
    pub anchor: String,
}

/// A lesson in a course outline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonOutline {
    /// Title.
    pub title: String,
    /// Length in minutes.
    pub minutes: u32,
    /// Open to everyone as a preview.
    pub free_preview: bool,
}

/// A chapter of a course outline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChapterOutline {
    /// Title.
    pub title: String,
    /// Lessons in order.
    pub lessons: Vec<LessonOutline>,
}

/// A creator as shown on item pages and their own page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatorCard {
    /// URL slug.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Short biography.
    pub bio: String,
    /// Avatar image URL.
    pub avatar: String,
    /// Published items.
    pub item_count: u32,
}

/// Whether this viewer may read the full body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Access {
    /// The whole item is readable.
    Full,
    /// Only the preview is readable; the body stays on the server.
    PreviewOnly,
}

/// An item page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemDetail {
    /// The card fields.
    pub card: ItemCard,
    /// Longer description, paragraphs separated by blank lines.
    pub description: String,
    /// Table of contents over what this viewer may read.
    pub toc: Vec<TocEntry>,
    /// Sections behind the paywall (their titles are part of the paid body and stay on the server).
    pub locked_sections: u32,
    /// The free preview.
    pub preview: Vec<Block>,
    /// The body — present only when `access` is `Full`.
    pub body: Option<Vec<Block>>,
    /// What this viewer may read.
    pub access: Access,
    /// The viewer bought or claimed it: it is in their library.
    pub in_library: bool,
    /// Bundles that contain it.
    pub bundles: Vec<super::commerce::BundleView>,
    /// The membership tier that opens it, with the viewer's membership.
    pub tier: Option<super::commerce::TierOffer>,
    /// Who made it.
    pub creator: CreatorCard,
    /// Course outline (empty for other kinds).
    pub outline: Vec<ChapterOutline>,
    /// Popular items in the same category.
    pub related: Vec<ItemCard>,
    /// "Learners who bought this also liked", from the active recommendation model.
    pub also_liked: Vec<ItemCard>,
    /// The viewer may edit this page (its creator, or an admin).
    #[serde(default)]
    pub can_edit: bool,
}

/// A creator's page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatorProfile {
    /// The creator.
    pub creator: CreatorCard,
    /// Their published items, newest first.
    pub items: Vec<ItemCard>,
    /// Their membership tiers.
    pub tiers: Vec<super::commerce::TierOffer>,
    /// The profile's revision (a save names the one it was made from).
    #[serde(default)]
    pub revision: i64,
    /// The viewer may edit this page (the creator themself, or an admin).
    #[serde(default)]
    pub can_edit: bool,
    /// Who follows the creator, and whether the viewer does.
    #[serde(default)]
    pub follow: super::community::FollowState,
}

/// Anchor id for the `n`th heading of an item's content.
pub fn heading_anchor(n: usize) -> String {
    format!("section-{}", n + 1)
}

/// Builds the table of contents from the headings of the blocks a viewer may read.
pub fn table_of_contents(readable: &[&[Block]]) -> Vec<TocEntry> {
    readable
        .iter()
        .flat_map(|blocks| blocks.iter())
        .filter(|b| b.kind == BlockKind::Heading)
        .enumerate()
        .map(|(n, b)| TocEntry {
            title: b.text.clone(),
            level: b.level.unwrap_or(2),
            anchor: heading_anchor(n),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> CatalogQuery {
        CatalogQuery::from_pairs(pairs.iter().copied())
    }

    #[test]
    fn empty_query_is_newest_first_page() {
        let f = q(&[]).parse().unwrap();
        assert_eq!(f.page, 1);
        assert_eq!(f.sort, Sort::Newest);
        assert!(f.terms.is_empty());
    }

    #[test]
    fn searching_defaults_to_relevance() {
        let f = q(&[("q", "机器学习")]).parse().unwrap();
        assert_eq!(f.sort, Sort::Relevance);
        assert_eq!(f.terms, vec!["机器学习".to_string()]);
    }

    #[test]
    fn bad_values_get_messages_naming_them() {
        for (pairs, needle) in [
            (vec![("page", "0")], "page number"),
            (vec![("page", "abc")], "“abc”"),
            (vec![("page", "99999999999999999999")], "page number"),
            (vec![("kind", "podcast")], "podcast"),
            (vec![("price", "cheap")], "cheap"),
            (vec![("sort", "random")], "random"),
            (vec![("category", "../etc")], "category"),
            (vec![("tag", "Ab C")], "tag"),
        ] {
            match q(&pairs).parse() {
                Err(AppError::BadRequest(msg)) => assert!(msg.contains(needle), "{msg}"),
                other => panic!("{pairs:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn over_long_search_is_refused_not_cut() {
        let long = "字".repeat(MAX_SEARCH_CHARS + 1);
        assert!(matches!(
            q(&[("q", &long)]).parse(),
            Err(AppError::BadRequest(_))
        ));
        let ok = "字".repeat(MAX_SEARCH_CHARS);
        assert!(q(&[("q", &ok)]).parse().is_ok());
    }

    #[test]
    fn odd_unicode_is_normalised() {
        assert_eq!(
            search_terms("\u{0}ＲＵＳＴ\u{feff}   rust 编程"),
            vec!["rust", "编程"]
        );
        assert!(search_terms("\u{200b}\u{200b}").is_empty());
    }

    #[test]
    fn href_round_trips_through_parse() {
        let query = q(&[("q", "a&b=c"), ("tag", "rust"), ("page", "3")]);
        let href = query.href();
        assert_eq!(href, "/catalog?q=a%26b%3Dc&tag=rust&page=3");
        assert_eq!(query.with_page(1).href(), "/catalog?q=a%26b%3Dc&tag=rust");
    }

    #[test]
    fn toc_numbers_headings_across_preview_and_body() {
        let h = |t: &str| Block {
            level: Some(2),
            ..Block::text(BlockKind::Heading, t.into())
        };
        let toc = table_of_contents(&[&[h("Intro")], &[h("Deep dive")]]);
        assert_eq!(toc.len(), 2);
        assert_eq!(toc[1].anchor, "section-2");
        assert_eq!(toc[1].title, "Deep dive");
    }
}

/// One item in a learner's library.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LibraryEntry {
    /// The item.
    pub card: ItemCard,
    /// How it came: `purchase`, `claim` (a free item added) or `gift`.
    pub source: String,
    /// When it came, `YYYY-MM-DD`.
    pub since: String,
    /// The furthest the learner has read, 0 … 1 (`None` before they open the reader).
    #[serde(default)]
    pub progress: Option<f64>,
    /// When they last read it, `YYYY-MM-DD HH:MM:SS` UTC (`None` if never).
    #[serde(default)]
    pub last_read: Option<String>,
    /// For a course: lessons complete and lessons in all.
    #[serde(default)]
    pub lessons: Option<(u32, u32)>,
}
