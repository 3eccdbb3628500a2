//! The catalog service: listing, filtering, searching and sorting published items.
//!
//! Listing pages are the busiest requests of the store, so they are answered from an
//! in-memory read model of the published catalog, loaded from SurrealDB at start-up and
//! reloaded after the catalog changes (and periodically, for a database shared by several
//! servers). Item pages read their preview and outline from the database on every request;
//! the paid body goes through [`super::access`].
//!
//! Search matches every term as a substring of the normalised titles and summaries (both
//! languages), so Chinese needs no spaces: `学习` finds “机器学习入门”.

use super::access::{self, ItemTerms, Viewer};
use super::db::{record_key, rows, Db, DbError};
use crate::error::AppError;
use crate::models::catalog::*;
use crate::models::money::Price;
use crate::models::profile::StoreFront;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// One published item in the read model, with what filtering and search need.
#[derive(Debug, Clone)]
pub struct IndexedItem {
    /// Record key (`item:<key>`).
    pub key: String,
    /// The card as pages show it.
    pub card: ItemCard,
    /// Tag slugs.
    pub tags: Vec<String>,
    /// Weighted interaction count.
    pub popularity: f64,
    /// RFC 3339 publication time (sorts as text).
    pub published_at: String,
    /// The membership tier that opens it (record key).
    pub tier: Option<String>,
    title_hay: String,
    text_hay: String,
}

/// The published catalog in memory.
#[derive(Debug, Default)]
pub struct CatalogIndex {
    items: Vec<IndexedItem>,
    by_slug: HashMap<String, usize>,
    categories: Vec<CategoryRef>,
    tags: Vec<TagRef>,
    creators: HashMap<String, CreatorCard>,
    bundles: Vec<IndexedBundle>,
    tiers: Vec<IndexedTier>,
    /// "Learners who bought this also liked", by item key, from the active recommendation
    /// model (reloaded with the catalog and after every training run or rollback).
    also_liked: HashMap<String, Vec<String>>,
    /// The store front's words.
    front: StoreFront,
    /// Each creator's account (who may edit their page) and profile revision, by slug.
    owners: HashMap<String, (Option<String>, i64)>,
}

/// A creator's membership tier, as the catalog keeps it.
#[derive(Debug, Clone, Deserialize)]
pub struct IndexedTier {
    /// Record key.
    pub key: String,
    /// The creator's record key.
    pub creator_key: String,
    /// The creator's slug.
    pub creator_slug: String,
    /// The creator's name.
    pub creator_name: String,
    /// Name.
    pub name: String,
    /// What members get.
    pub description: String,
    /// Price of 30 days, in minor units.
    pub price_monthly_minor: i64,
    /// Price of 365 days, in minor units.
    pub price_yearly_minor: i64,
    /// ISO 4217 currency.
    pub currency: String,
    /// Free days for a first-time member.
    pub trial_days: u32,
}

/// A published bundle, as the catalog keeps it.
#[derive(Debug, Clone, Deserialize)]
pub struct IndexedBundle {
    /// URL slug.
    pub slug: String,
    /// English title.
    pub title_en: String,
    /// Chinese title.
    pub title_zh: String,
    /// Price in minor units.
    pub price_minor: i64,
    /// ISO 4217 currency.
    pub currency: String,
    /// Record keys of its items.
    pub items: Vec<String>,
}

#[derive(Deserialize)]
struct ItemRow {
    key: String,
    slug: String,
    kind: String,
    language: String,
    title_en: String,
    title_zh: String,
    summary_en: String,
    summary_zh: String,
    price_minor: i64,
    currency: String,
    cover: String,
    tags: Vec<String>,
    published_at: Option<String>,
    creator_key: String,
    category_key: String,
    #[serde(default)]
    tier: Option<String>,
}

#[derive(Deserialize)]
struct CategoryRow {
    key: String,
    slug: String,
    name_en: String,
    name_zh: String,
}

#[derive(Deserialize)]
struct TagRow {
    slug: String,
    name: String,
}

#[derive(Deserialize)]
struct CreatorRow {
    key: String,
    slug: String,
    name: String,
    bio: String,
    avatar: String,
    owner: Option<String>,
    revision: i64,
}

#[derive(Deserialize)]
struct EventCount {
    item: Option<String>,
    kind: String,
    n: u32,
}

/// How many interactions of each kind every item has had, kept current by counting only
/// the events recorded since the last count, through the index on `at`. Counting the whole
/// history each time took 30 s at a hundred times the demo's size (2.4 M events), and the
/// catalog is reloaded every minute. Events deleted after they were counted (an account
/// deleted, raw events past their retention) stay counted until the server restarts.
#[derive(Debug, Default)]
struct Tally {
    /// Every event before this instant (Unix seconds) is counted.
    until: Option<i64>,
    /// Interactions per (item key, kind).
    counts: HashMap<(String, String), u32>,
}

impl Tally {
    /// Counts the events recorded since the last count, up to a few seconds ago (a write
    /// still in flight is counted next time rather than missed).
    async fn update(&mut self, db: &Db) -> Result<(), DbError> {
        use super::analytics::{now_secs, rfc3339, rollup::LAG_SECS};
        let until = (now_secs() - LAG_SECS).max(self.until.unwrap_or(0));
        let from = self.until.unwrap_or(0);
        if self.until.is_some() && from >= until {
            return Ok(());
        }
        // No other condition in the WHERE: `item != NONE` there makes SurrealDB read the
        // whole `item` index besides the range on `at`. The first count reads the whole
        // table, which is twice as fast without the index.
        let sql = if self.until.is_some() {
            "LET $f = <datetime> $from; LET $t = <datetime> $to;
             SELECT item, kind, count() AS n FROM event WHERE at >= $f AND at < $t GROUP BY item, kind"
        } else {
            "LET $f = <datetime> $from; LET $t = <datetime> $to;
             SELECT item, kind, count() AS n FROM event WITH NOINDEX WHERE at < $t GROUP BY item, kind"
        };
        let counts: Vec<EventCount> = rows(
            db,
            "count interactions",
            sql,
            json!({ "from": rfc3339(from), "to": rfc3339(until) }),
            2,
        )
        .await?;
        for c in counts {
            if let Some(item) = c.item {
                *self
                    .counts
                    .entry((record_key(&item).to_string(), c.kind))
                    .or_default() += c.n;
            }
        }
        self.until = Some(until);
        Ok(())
    }

    /// Each item's popularity: its interactions weighted by kind.
    fn popularity(&self) -> HashMap<String, f64> {
        let mut popularity: HashMap<String, f64> = HashMap::new();
        for ((item, kind), n) in &self.counts {
            *popularity.entry(item.clone()).or_default() +=
                interaction_weight(kind) * f64::from(*n);
        }
        popularity
    }
}

#[derive(Deserialize)]
struct RatingRow {
    item: String,
    mean: Option<f64>,
    n: u32,
}

/// How much each kind of interaction says about an item's popularity.
fn interaction_weight(kind: &str) -> f64 {
    match kind {
        "purchase" => 5.0,
        "like" => 3.0,
        "rating" | "progress" => 2.0,
        _ => 1.0,
    }
}

impl CatalogIndex {
    /// Reads the published catalog from the database; `popularity` is each item's weighted
    /// interaction count (see [`CatalogService`]).
    async fn load(db: &Db, popularity: HashMap<String, f64>) -> Result<Self, DbError> {
        let items: Vec<ItemRow> = rows(
            db,
            "load published items",
            "SELECT record::id(id) AS key, slug, kind, language, title_en, title_zh, summary_en, summary_zh,
                    price_minor, currency, cover, tags, published_at,
                    record::id(creator) AS creator_key, record::id(category) AS category_key,
                    (IF tier THEN record::id(tier) END) AS tier
             FROM item WHERE status = 'published' AND (hidden ?? false) = false",
            json!({}),
            0,
        )
        .await?;
        let categories: Vec<CategoryRow> = rows(
            db,
            "load categories",
            "SELECT record::id(id) AS key, slug, name_en, name_zh, position FROM category ORDER BY position",
            json!({}),
            0,
        )
        .await?;
        let tags: Vec<TagRow> =
            rows(db, "load tags", "SELECT slug, name FROM tag", json!({}), 0).await?;
        let creators: Vec<CreatorRow> = rows(
            db,
            "load creators",
            "SELECT record::id(id) AS key, slug, name, bio, avatar, revision ?? 0 AS revision,
                    (IF user THEN record::id(user) END) AS owner
             FROM creator",
            json!({}),
            0,
        )
        .await?;
        let ratings: Vec<RatingRow> = rows(
            db,
            "average ratings",
            "SELECT item, math::mean(rating) AS mean, count() AS n FROM review
             WHERE (hidden ?? false) = false AND (held ?? false) = false GROUP BY item",
            json!({}),
            0,
        )
        .await?;
        let bundles: Vec<IndexedBundle> = rows(
            db,
            "load bundles",
            "SELECT slug, title_en, title_zh, price_minor, currency, items.map(|$i| record::id($i)) AS items
             FROM bundle WHERE status = 'published' ORDER BY slug",
            json!({}),
            0,
        )
        .await?;
        let tiers: Vec<IndexedTier> = rows(
            db,
            "load membership tiers",
            "SELECT record::id(id) AS key, record::id(creator) AS creator_key, creator.slug AS creator_slug,
                    creator.name AS creator_name, name, description,
                    price_monthly_minor, price_yearly_minor, currency, trial_days
             FROM membership_tier ORDER BY key",
            json!({}),
            0,
        )
        .await?;
        #[derive(Deserialize)]
        struct Neighbours {
            id: String,
            items: Vec<String>,
        }
        let neighbours: Vec<Neighbours> = rows(
            db,
            "load also liked",
            "LET $v = reco_state:current.active;
             SELECT record::id(id) AS id, items FROM reco_neighbour WHERE version = $v;",
            json!({}),
            1,
        )
        .await?;
        let front: Vec<StoreFront> = rows(
            db,
            "load store front",
            "SELECT tagline_en, tagline_zh, intro_en, intro_zh, revision FROM store_front:only",
            json!({}),
            0,
        )
        .await?;
        let owners = creators
            .iter()
            .map(|c| (c.slug.clone(), (c.owner.clone(), c.revision)))
            .collect();
        let mut index = Self::build(items, categories, tags, creators, popularity, ratings);
        index.front = front.into_iter().next().unwrap_or_default();
        index.owners = owners;
        index.bundles = bundles;
        index.tiers = tiers;
        index.also_liked = neighbours
            .into_iter()
            .filter_map(|n| Some((n.id.split_once('_')?.1.to_string(), n.items)))
            .collect();
        Ok(index)
    }

    /// A membership tier by its record key.
    pub fn tier(&self, key: &str) -> Option<&IndexedTier> {
        self.tiers.iter().find(|t| t.key == key)
    }

    /// The tiers of the creator with slug `creator_slug`.
    pub fn tiers_of<'a>(&'a self, creator_slug: &'a str) -> impl Iterator<Item = &'a IndexedTier> {
        self.tiers
            .iter()
            .filter(move |t| t.creator_slug == creator_slug)
    }

    /// The published items that membership tier `key` opens, newest first.
    pub fn tier_items<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a IndexedItem> {
        self.items
            .iter()
            .filter(move |i| i.tier.as_deref() == Some(key))
    }

    /// The published bundles that contain item `key`.
    pub fn bundles_with<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a IndexedBundle> {
        self.bundles
            .iter()
            .filter(move |b| b.items.iter().any(|k| k == key))
    }

    /// A published bundle by its slug.
    pub fn bundle(&self, slug: &str) -> Option<&IndexedBundle> {
        self.bundles.iter().find(|b| b.slug == slug)
    }

    fn build(
        items: Vec<ItemRow>,
        categories: Vec<CategoryRow>,
        tags: Vec<TagRow>,
        creators: Vec<CreatorRow>,
        popularity: HashMap<String, f64>,
        ratings: Vec<RatingRow>,
    ) -> Self {
        let rating: HashMap<String, (Option<f64>, u32)> = ratings
            .iter()
            .map(|r| (record_key(&r.item).to_string(), (r.mean, r.n)))
            .collect();
        let tag_names: HashMap<&str, &str> = tags
            .iter()
            .map(|t| (t.slug.as_str(), t.name.as_str()))
            .collect();
        let category_by_key: HashMap<&str, &CategoryRow> =
            categories.iter().map(|c| (c.key.as_str(), c)).collect();
        let creator_by_key: HashMap<&str, &CreatorRow> =
            creators.iter().map(|c| (c.key.as_str(), c)).collect();

        let mut indexed: Vec<IndexedItem> = items
            .into_iter()
            .filter_map(|row| {
                let kind = Kind::parse(&row.kind)?;
                let category = category_by_key.get(row.category_key.as_str())?;
                let creator = creator_by_key.get(row.creator_key.as_str())?;
                let zh = row.language == "zh-CN";
                let (title, title_alt) = if zh {
                    (&row.title_zh, &row.title_en)
                } else {
                    (&row.title_en, &row.title_zh)
                };
                let summary = if zh { &row.summary_zh } else { &row.summary_en };
                let (mean, rating_count) = rating.get(&row.key).copied().unwrap_or((None, 0));
                let tag_refs: Vec<TagRef> = row
                    .tags
                    .iter()
                    .map(|slug| TagRef {
                        slug: slug.clone(),
                        name: tag_names
                            .get(slug.as_str())
                            .copied()
                            .unwrap_or(slug)
                            .to_string(),
                        count: 0,
                    })
                    .collect();
                let title_hay = normalize_for_search(&format!("{} {}", row.title_en, row.title_zh));
                let text_hay = normalize_for_search(&format!(
                    "{} {} {} {} {} {}",
                    row.summary_en,
                    row.summary_zh,
                    creator.name,
                    category.name_en,
                    category.name_zh,
                    tag_refs
                        .iter()
                        .map(|t| t.name.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                ));
                let published_at = row.published_at.clone().unwrap_or_default();
                Some(IndexedItem {
                    popularity: popularity.get(&row.key).copied().unwrap_or(0.0),
                    card: ItemCard {
                        key: row.key.clone(),
                        slug: row.slug.clone(),
                        title: title.clone(),
                        title_alt: title_alt.clone(),
                        summary: summary.clone(),
                        language: row.language.clone(),
                        kind,
                        price: Price {
                            minor: row.price_minor,
                            currency: row.currency.clone(),
                        },
                        rating: mean.map(|m| (m * 10.0).round() as f32 / 10.0),
                        rating_count,
                        creator_name: creator.name.clone(),
                        creator_slug: creator.slug.clone(),
                        category_slug: category.slug.clone(),
                        category_name: category.name_en.clone(),
                        category_name_zh: category.name_zh.clone(),
                        tags: tag_refs,
                        cover: row.cover.clone(),
                        published: published_at.chars().take(10).collect(),
                    },
                    key: row.key,
                    tags: row.tags,
                    published_at,
                    tier: row.tier,
                    title_hay,
                    text_hay,
                })
            })
            .collect();
        // Newest first is the natural order; every other order starts from it.
        indexed.sort_by(|a, b| {
            b.published_at
                .cmp(&a.published_at)
                .then_with(|| a.card.slug.cmp(&b.card.slug))
        });

        let mut category_counts: HashMap<&str, u32> = HashMap::new();
        let mut tag_counts: HashMap<&str, u32> = HashMap::new();
        let mut creator_counts: HashMap<&str, u32> = HashMap::new();
        for it in &indexed {
            *category_counts.entry(&it.card.category_slug).or_default() += 1;
            *creator_counts.entry(&it.card.creator_slug).or_default() += 1;
            for t in &it.tags {
                *tag_counts.entry(t).or_default() += 1;
            }
        }
        let categories: Vec<CategoryRef> = categories
            .iter()
            .map(|c| CategoryRef {
                slug: c.slug.clone(),
                name: c.name_en.clone(),
                name_zh: c.name_zh.clone(),
                count: category_counts.get(c.slug.as_str()).copied().unwrap_or(0),
            })
            .collect();
        let mut tags: Vec<TagRef> = tags
            .iter()
            .map(|t| TagRef {
                slug: t.slug.clone(),
                name: t.name.clone(),
                count: tag_counts.get(t.slug.as_str()).copied().unwrap_or(0),
            })
            .filter(|t| t.count > 0)
            .collect();
        tags.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.slug.cmp(&b.slug)));
        let creators = creators
            .iter()
            .map(|c| {
                (
                    c.slug.clone(),
                    CreatorCard {
                        slug: c.slug.clone(),
                        name: c.name.clone(),
                        bio: c.bio.clone(),
                        avatar: c.avatar.clone(),
                        item_count: creator_counts.get(c.slug.as_str()).copied().unwrap_or(0),
                    },
                )
            })
            .collect();
        let by_slug = indexed
            .iter()
            .enumerate()
            .map(|(i, it)| (it.card.slug.clone(), i))
            .collect();
        CatalogIndex {
            items: indexed,
            by_slug,
            categories,
            tags,
            creators,
            bundles: Vec::new(),
            tiers: Vec::new(),
            also_liked: HashMap::new(),
            front: StoreFront::default(),
            owners: HashMap::new(),
        }
    }

    /// Number of published items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing is published.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// A published item by slug.
    pub fn item(&self, slug: &str) -> Option<&IndexedItem> {
        self.by_slug.get(slug).map(|&i| &self.items[i])
    }

    /// One page of the items matching `filter`.
    pub fn page(&self, filter: &CatalogFilter) -> Result<CatalogPage, AppError> {
        if let Some(c) = &filter.category {
            if !self.categories.iter().any(|x| &x.slug == c) {
                return Err(AppError::NotFound(format!("There is no category “{c}”.")));
            }
        }
        if let Some(t) = &filter.tag {
            if !self.tags.iter().any(|x| &x.slug == t) {
                return Err(AppError::NotFound(format!(
                    "No published item has the tag “{t}”."
                )));
            }
        }
        let mut hits: Vec<(u32, &IndexedItem)> = self
            .items
            .iter()
            .filter(|it| {
                filter
                    .category
                    .as_ref()
                    .is_none_or(|c| &it.card.category_slug == c)
            })
            .filter(|it| filter.kind.is_none_or(|k| it.card.kind == k))
            .filter(|it| filter.tag.as_ref().is_none_or(|t| it.tags.contains(t)))
            .filter(|it| match filter.price {
                None => true,
                Some(PriceFilter::Free) => it.card.price.is_free(),
                Some(PriceFilter::Paid) => !it.card.price.is_free(),
            })
            .filter_map(|it| relevance(it, &filter.terms).map(|score| (score, it)))
            .collect();
        match filter.sort {
            Sort::Newest => {} // already in this order
            Sort::Relevance => hits.sort_by(|a, b| {
                b.0.cmp(&a.0)
                    .then_with(|| b.1.popularity.total_cmp(&a.1.popularity))
            }),
            Sort::Popular => hits.sort_by(|a, b| b.1.popularity.total_cmp(&a.1.popularity)),
            Sort::PriceAsc => hits.sort_by_key(|h| h.1.card.price.minor),
            Sort::PriceDesc => hits.sort_by_key(|h| std::cmp::Reverse(h.1.card.price.minor)),
        }
        let total = hits.len() as u32;
        let pages = total.div_ceil(PER_PAGE).max(1);
        if filter.page > pages {
            return Err(AppError::NotFound(format!(
                "There is no page {}: these results fill {} page{}.",
                filter.page,
                pages,
                if pages == 1 { "" } else { "s" }
            )));
        }
        let start = ((filter.page - 1) * PER_PAGE) as usize;
        let items = hits
            .iter()
            .skip(start)
            .take(PER_PAGE as usize)
            .map(|(_, it)| it.card.clone())
            .collect();
        Ok(CatalogPage {
            items,
            total,
            page: filter.page,
            pages,
        })
    }

    /// Categories and the most used tags, for the filter bar.
    pub fn facets(&self) -> Facets {
        Facets {
            categories: self.categories.clone(),
            tags: self.tags.iter().take(40).cloned().collect(),
        }
    }

    /// The home page's lists.
    pub fn home(&self) -> HomeSections {
        let mut popular: Vec<&IndexedItem> = self.items.iter().collect();
        popular.sort_by(|a, b| b.popularity.total_cmp(&a.popularity));
        let mut largest = self.categories.clone();
        largest.sort_by(|a, b| b.count.cmp(&a.count).then(a.slug.cmp(&b.slug)));
        let by_category = largest
            .into_iter()
            .take(3)
            .map(|category| CategoryPicks {
                items: popular
                    .iter()
                    .filter(|it| it.card.category_slug == category.slug)
                    .take(4)
                    .map(|it| it.card.clone())
                    .collect(),
                category,
            })
            .collect();
        HomeSections {
            front: self.front.clone(),
            by_category,
            newest: self
                .items
                .iter()
                .take(8)
                .map(|it| it.card.clone())
                .collect(),
            popular: popular.iter().take(8).map(|it| it.card.clone()).collect(),
            free: self
                .items
                .iter()
                .filter(|it| it.card.price.is_free())
                .take(4)
                .map(|it| it.card.clone())
                .collect(),
            categories: self.categories.clone(),
        }
    }

    /// Popular items in the same category as `slug`, without it.
    pub fn related(&self, slug: &str, n: usize) -> Vec<ItemCard> {
        let Some(me) = self.item(slug) else {
            return Vec::new();
        };
        let mut same: Vec<&IndexedItem> = self
            .items
            .iter()
            .filter(|it| it.card.category_slug == me.card.category_slug && it.card.slug != slug)
            .collect();
        same.sort_by(|a, b| b.popularity.total_cmp(&a.popularity));
        same.into_iter().take(n).map(|it| it.card.clone()).collect()
    }

    /// A creator and their published items.
    pub fn creator(&self, slug: &str) -> Result<CreatorProfile, AppError> {
        let creator =
            self.creators.get(slug).cloned().ok_or_else(|| {
                AppError::NotFound(format!("There is no creator called “{slug}”."))
            })?;
        let items = self
            .items
            .iter()
            .filter(|it| it.card.creator_slug == slug)
            .map(|it| it.card.clone())
            .collect();
        let tiers = self
            .tiers_of(slug)
            .map(|t| super::commerce::membership::offer(self, t, None))
            .collect();
        let revision = self.owners.get(slug).map_or(0, |o| o.1);
        Ok(CreatorProfile {
            creator,
            items,
            tiers,
            revision,
            can_edit: false,
            follow: Default::default(),
        })
    }

    /// Up to `n` published items that buyers of item `key` also bought (active model).
    pub fn also_liked(&self, key: &str, n: usize) -> Vec<ItemCard> {
        self.also_liked
            .get(key)
            .into_iter()
            .flatten()
            .filter_map(|k| self.item_by_key(k).map(|it| it.card.clone()))
            .take(n)
            .collect()
    }

    /// Every published item's card, newest first.
    pub fn cards(&self) -> Vec<ItemCard> {
        self.items.iter().map(|it| it.card.clone()).collect()
    }

    /// A published item by its record key.
    pub fn item_by_key(&self, key: &str) -> Option<&IndexedItem> {
        self.items.iter().find(|it| it.key == key)
    }

    /// Every creator's slug, in no particular order.
    pub fn creator_slugs(&self) -> impl Iterator<Item = &str> {
        self.creators.keys().map(String::as_str)
    }

    /// The account that runs creator `slug`'s store, if any.
    pub fn creator_owner(&self, slug: &str) -> Option<&str> {
        self.owners.get(slug).and_then(|o| o.0.as_deref())
    }

    /// A creator's card.
    pub fn creator_card(&self, slug: &str) -> Option<CreatorCard> {
        self.creators.get(slug).cloned()
    }
}

/// `Some(score)` when every term occurs in the item's titles or texts; title hits weigh more.
fn relevance(item: &IndexedItem, terms: &[String]) -> Option<u32> {
    terms.iter().try_fold(0u32, |score, t| {
        if item.title_hay.contains(t.as_str()) {
            Some(score + 3)
        } else if item.text_hay.contains(t.as_str()) {
            Some(score + 1)
        } else {
            None
        }
    })
}

/// The catalog: the read model plus the database for item pages.
pub struct CatalogService {
    db: Db,
    index: RwLock<Arc<CatalogIndex>>,
    tally: tokio::sync::Mutex<Tally>,
}

#[derive(Deserialize)]
struct DetailRow {
    description: String,
    preview: Vec<Block>,
}

#[derive(Deserialize)]
struct ChapterRow {
    title: String,
    lessons: Vec<LessonOutline>,
}

impl CatalogService {
    /// Loads the catalog.
    pub async fn load(db: Db) -> Result<Self, DbError> {
        let mut tally = Tally::default();
        tally.update(&db).await?;
        let index = CatalogIndex::load(&db, tally.popularity()).await?;
        Ok(CatalogService {
            db,
            index: RwLock::new(Arc::new(index)),
            tally: tokio::sync::Mutex::new(tally),
        })
    }

    /// Reloads the read model from the database (after the catalog changed).
    pub async fn refresh(&self) -> Result<(), DbError> {
        let popularity = {
            let mut tally = self.tally.lock().await;
            tally.update(&self.db).await?;
            tally.popularity()
        };
        let fresh = Arc::new(CatalogIndex::load(&self.db, popularity).await?);
        match self.index.write() {
            Ok(mut guard) => *guard = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
        }
        Ok(())
    }

    /// The current read model.
    pub fn index(&self) -> Arc<CatalogIndex> {
        match self.index.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// An item page for `viewer`: the body only if they may read it.
    pub async fn item_detail(&self, slug: &str, viewer: &Viewer) -> Result<ItemDetail, AppError> {
        let index = self.index();
        let item = index
            .item(slug)
            .ok_or_else(|| AppError::NotFound(format!("There is no item called “{slug}”.")))?;
        let detail: Vec<DetailRow> = rows(
            &self.db,
            "read item page",
            "SELECT description, preview FROM type::record('item', $key)",
            json!({ "key": item.key }),
            0,
        )
        .await
        .map_err(|e| AppError::internal("read item page", e))?;
        let detail = detail
            .into_iter()
            .next()
            .ok_or_else(|| AppError::NotFound(format!("There is no item called “{slug}”.")))?;
        let terms = ItemTerms {
            price_minor: item.card.price.minor,
        };
        let holding = access::entitled(&self.db, viewer, &item.key, item.tier.as_deref())
            .await
            .map_err(|e| AppError::internal("check entitlement", e))?;
        let in_library = holding.owned;
        let tier = match &item.tier {
            Some(t) => super::commerce::membership::tier_offer(&self.db, &index, viewer, t).await?,
            None => None,
        };
        let body = access::body_for(&self.db, viewer, &item.key, terms, holding.opens())
            .await
            .map_err(|e| AppError::internal("read item body", e))?;
        let locked_sections = if body.is_some() {
            0
        } else {
            access::locked_section_count(&self.db, &item.key)
                .await
                .map_err(|e| AppError::internal("count locked sections", e))?
        };
        let outline = if item.card.kind == Kind::Course {
            let chapters: Vec<ChapterRow> = rows(
                &self.db,
                "read course outline",
                "SELECT position, title,
                        (SELECT title, minutes, free_preview, position FROM lesson WHERE chapter = $parent.id ORDER BY position) AS lessons
                 FROM chapter WHERE item = type::record('item', $key) ORDER BY position",
                json!({ "key": item.key }),
                0,
            )
            .await
            .map_err(|e| AppError::internal("read course outline", e))?;
            chapters
                .into_iter()
                .map(|c| ChapterOutline {
                    title: c.title,
                    lessons: c.lessons,
                })
                .collect()
        } else {
            Vec::new()
        };
        let toc = table_of_contents(&[&detail.preview, body.as_deref().unwrap_or_default()]);
        let creator = index
            .creator_card(&item.card.creator_slug)
            .ok_or(AppError::Internal)?;
        Ok(ItemDetail {
            card: item.card.clone(),
            description: detail.description,
            toc,
            locked_sections,
            preview: detail.preview,
            access: if body.is_some() {
                Access::Full
            } else {
                Access::PreviewOnly
            },
            body,
            in_library,
            tier,
            bundles: super::commerce::bundles_containing(
                &index,
                &item.key,
                super::access::request_locale(),
            ),
            creator,
            outline,
            related: index.related(slug, 4),
            also_liked: index.also_liked(&item.key, 4),
            can_edit: super::editor::may_edit_item(&self.db, viewer, &item.key).await,
        })
    }
}
