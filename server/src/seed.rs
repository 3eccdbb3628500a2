//! The demo store: a deterministic catalog and community, generated here with no network.
//!
//! Four creators, eight categories, 200 items of every kind with Chinese and English titles
//! and summaries, course outlines, bundles, membership tiers, and 500 learners whose
//! interactions follow six distinct taste groups — so that recommendations and analytics
//! have real signal to find. The same run always produces the same data.

use anyhow::Context;
use app::ssr::analytics::rfc3339;
use app::ssr::db::{execute, rows, Db};
use serde_json::{json, Value};
use std::fmt;

/// SplitMix64: a tiny, well-mixed, deterministic generator (no `rand` needed for demo data).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

struct CategorySpec {
    slug: &'static str,
    en: &'static str,
    zh: &'static str,
    topics: [(&'static str, &'static str); 6],
    tags: [&'static str; 4],
    creator: usize,
}

const CATEGORIES: [CategorySpec; 8] = [
    CategorySpec {
        slug: "programming",
        en: "Programming",
        zh: "编程开发",
        topics: [
            ("Rust", "Rust"),
            ("Async Programming", "异步编程"),
            ("WebAssembly", "WebAssembly"),
            ("Databases", "数据库"),
            ("Systems Design", "系统设计"),
            ("Python", "Python"),
        ],
        tags: ["rust", "python", "web", "backend"],
        creator: 0,
    },
    CategorySpec {
        slug: "data-science",
        en: "Data Science",
        zh: "数据科学",
        topics: [
            ("Machine Learning", "机器学习"),
            ("Statistics", "统计学"),
            ("Data Visualisation", "数据可视化"),
            ("Recommender Systems", "推荐系统"),
            ("Deep Learning", "深度学习"),
            ("SQL Analytics", "SQL数据分析"),
        ],
        tags: ["ai", "statistics", "python", "analytics"],
        creator: 0,
    },
    CategorySpec {
        slug: "design",
        en: "Design",
        zh: "设计",
        topics: [
            ("Typography", "字体排印"),
            ("Colour Theory", "色彩理论"),
            ("UX Research", "用户研究"),
            ("Interface Design", "界面设计"),
            ("Chinese Calligraphy", "中国书法"),
            ("Design Systems", "设计系统"),
        ],
        tags: ["ux", "typography", "visual", "craft"],
        creator: 1,
    },
    CategorySpec {
        slug: "psychology",
        en: "Psychology",
        zh: "心理学",
        topics: [
            ("Habits", "习惯养成"),
            ("Memory", "记忆力"),
            ("Decision Making", "决策心理"),
            ("Motivation", "动机"),
            ("Attention", "专注力"),
            ("Emotions", "情绪管理"),
        ],
        tags: ["habits", "mind", "learning", "wellbeing"],
        creator: 1,
    },
    CategorySpec {
        slug: "history",
        en: "History",
        zh: "历史人文",
        topics: [
            ("The Song Dynasty", "宋朝"),
            ("The Silk Road", "丝绸之路"),
            ("Tang Poetry", "唐诗"),
            ("The Ming Voyages", "郑和下西洋"),
            ("Ancient Philosophy", "先秦诸子"),
            ("The Printing Revolution", "印刷革命"),
        ],
        tags: ["china", "culture", "literature", "philosophy"],
        creator: 2,
    },
    CategorySpec {
        slug: "business",
        en: "Business",
        zh: "商业管理",
        topics: [
            ("Startups", "创业"),
            ("Negotiation", "谈判"),
            ("Personal Finance", "个人理财"),
            ("Product Management", "产品管理"),
            ("Marketing", "市场营销"),
            ("Leadership", "领导力"),
        ],
        tags: ["startup", "finance", "career", "management"],
        creator: 2,
    },
    CategorySpec {
        slug: "languages",
        en: "Languages",
        zh: "语言学习",
        topics: [
            ("English Writing", "英语写作"),
            ("Mandarin Tones", "普通话声调"),
            ("Japanese", "日语"),
            ("Public Speaking", "演讲表达"),
            ("Classical Chinese", "文言文"),
            ("Spanish", "西班牙语"),
        ],
        tags: ["english", "mandarin", "speaking", "writing"],
        creator: 3,
    },
    CategorySpec {
        slug: "health",
        en: "Health",
        zh: "健康生活",
        topics: [
            ("Sleep", "睡眠"),
            ("Nutrition", "营养学"),
            ("Running", "跑步"),
            ("Meditation", "冥想"),
            ("Strength Training", "力量训练"),
            ("Traditional Tea", "茶道"),
        ],
        tags: ["sleep", "fitness", "food", "wellbeing"],
        creator: 3,
    },
];

/// Tag slug → display name.
const TAGS: [(&str, &str); 31] = [
    ("rust", "Rust"),
    ("python", "Python"),
    ("web", "Web"),
    ("backend", "Backend 后端"),
    ("ai", "AI 人工智能"),
    ("statistics", "Statistics 统计"),
    ("analytics", "Analytics 分析"),
    ("ux", "UX"),
    ("typography", "Typography 字体"),
    ("visual", "Visual 视觉"),
    ("craft", "Craft 手艺"),
    ("habits", "Habits 习惯"),
    ("mind", "Mind 心智"),
    ("learning", "Learning 学习"),
    ("wellbeing", "Wellbeing 身心"),
    ("china", "China 中国"),
    ("culture", "Culture 文化"),
    ("literature", "Literature 文学"),
    ("philosophy", "Philosophy 哲学"),
    ("startup", "Startup 创业"),
    ("finance", "Finance 理财"),
    ("career", "Career 职场"),
    ("management", "Management 管理"),
    ("english", "English 英语"),
    ("mandarin", "Mandarin 普通话"),
    ("speaking", "Speaking 表达"),
    ("writing", "Writing 写作"),
    ("sleep", "Sleep 睡眠"),
    ("fitness", "Fitness 健身"),
    ("food", "Food 饮食"),
    ("beginner", "Beginner 入门"),
];

struct CreatorSpec {
    key: &'static str,
    slug: &'static str,
    name: &'static str,
    bio: &'static str,
    language: &'static str,
}

const CREATORS: [CreatorSpec; 4] = [
    CreatorSpec {
        key: "c1",
        slug: "lin-xiao",
        name: "林晓 Lin Xiao",
        bio: "软件工程师，写了十五年代码，讲编程与数据科学。Engineer and teacher of programming and data.",
        language: "zh-CN",
    },
    CreatorSpec {
        key: "c2",
        slug: "maya-chen",
        name: "Maya Chen",
        bio: "Designer and researcher writing about how people see, decide and build habits.",
        language: "en",
    },
    CreatorSpec {
        key: "c3",
        slug: "wang-jianguo",
        name: "王建国 Wang Jianguo",
        bio: "历史学者、创业者，用故事讲历史和商业。Historian and founder.",
        language: "zh-CN",
    },
    CreatorSpec {
        key: "c4",
        slug: "daniel-ortiz",
        name: "Daniel Ortiz",
        bio: "Language coach and runner. Practical lessons on speaking, writing and living well.",
        language: "en",
    },
];

/// Title templates per kind: (English, Chinese), `{}` is the topic.
const FORMATS: [(&str, &[(&str, &str)]); 5] = [
    (
        "article",
        &[
            ("{}: What Most People Get Wrong", "关于{}，多数人想错了"),
            ("Notes on {}", "{}札记"),
            ("Why {} Matters", "{}为什么重要"),
        ],
    ),
    (
        "ebook",
        &[
            ("The {} Handbook", "{}手册"),
            ("{}, Explained", "{}详解"),
            ("A Short History of {}", "{}简史"),
        ],
    ),
    (
        "audio",
        &[
            ("{} in 20 Talks", "{}二十讲"),
            ("Listening to {}", "听懂{}"),
            ("{} on the Commute", "通勤路上的{}"),
        ],
    ),
    (
        "video",
        &[
            ("{} Workshop", "{}工作坊"),
            ("{}: A Visual Guide", "{}图解"),
            ("{} Masterclass", "{}大师课"),
        ],
    ),
    (
        "course",
        &[
            ("{} for Beginners", "{}入门"),
            ("Mastering {}", "精通{}"),
            ("A Practical Course in {}", "{}实战课"),
        ],
    ),
];

/// Lower-case ASCII slug from an English title.
fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn fill(template: &str, topic: &str) -> String {
    template.replace("{}", topic)
}

/// A generated item before it is written.
struct DemoItem {
    key: String,
    slug: String,
    category: usize,
    creator: usize,
    kind: &'static str,
    title_en: String,
    title_zh: String,
    topic_en: &'static str,
    topic_zh: &'static str,
    price_minor: i64,
    tags: Vec<String>,
    published_at: String,
}

fn paragraph(text: String) -> Value {
    json!({ "kind": "paragraph", "text": text })
}

fn heading(text: String) -> Value {
    json!({ "kind": "heading", "text": text, "level": 2 })
}

fn kind_words(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "article" => ("an essay", "一篇文章"),
        "ebook" => ("a book", "一本书"),
        "audio" => ("an audio series", "一套音频"),
        "video" => ("a video lecture", "一门视频课"),
        _ => ("a course", "一门课程"),
    }
}

fn generate_items() -> Vec<DemoItem> {
    let mut rng = Rng(0x5EED_0001);
    let mut items = Vec::new();
    // 2026-10-31T00:00:00Z: the demo's "today"; items were published over the year before.
    let today = 1_793_404_800i64;
    for (ci, cat) in CATEGORIES.iter().enumerate() {
        for (kind, formats) in FORMATS.iter() {
            // Five items of each kind per category: distinct (topic, format) pairs.
            let mut pairs: Vec<(usize, usize)> = (0..cat.topics.len())
                .flat_map(|t| (0..formats.len()).map(move |f| (t, f)))
                .collect();
            for i in (1..pairs.len()).rev() {
                pairs.swap(i, rng.below(i + 1));
            }
            for &(t, f) in pairs.iter().take(5) {
                let (topic_en, topic_zh) = cat.topics[t];
                let (fen, fzh) = formats[f];
                let title_en = fill(fen, topic_en);
                let title_zh = fill(fzh, topic_zh);
                let n = items.len();
                let price_minor = if rng.chance(0.25) {
                    0
                } else {
                    let base = [990, 1990, 2990, 4900, 9900][rng.below(5)];
                    if *kind == "course" {
                        base * 2
                    } else {
                        base
                    }
                };
                let mut tags: Vec<String> = Vec::new();
                for _ in 0..2 {
                    let tag = cat.tags[rng.below(4)].to_string();
                    if !tags.contains(&tag) {
                        tags.push(tag);
                    }
                }
                if (*kind == "course" && title_en.contains("Beginners")) || rng.chance(0.15) {
                    tags.push("beginner".into());
                }
                let published =
                    today - 86_400 * (3 + n as i64 * 365 / 200) - rng.below(86_400) as i64;
                items.push(DemoItem {
                    key: format!("i{:03}", n + 1),
                    slug: slugify(&title_en),
                    category: ci,
                    creator: cat.creator,
                    kind,
                    title_en,
                    title_zh,
                    topic_en,
                    topic_zh,
                    price_minor,
                    tags,
                    published_at: rfc3339(published),
                });
            }
        }
    }
    items
}

fn item_record(it: &DemoItem) -> Value {
    let cat = &CATEGORIES[it.category];
    let creator = &CREATORS[it.creator];
    let (kind_en, kind_zh) = kind_words(it.kind);
    let summary_en = format!(
        "{} on {} by {}: the ideas that matter, worked through with examples you can use the same day.",
        capitalise(kind_en),
        it.topic_en,
        creator.name
    );
    let summary_zh = format!(
        "{}关于{}的{}：讲清最重要的概念，配上当天就能用上的例子。",
        creator.name, it.topic_zh, kind_zh
    );
    let zh = creator.language == "zh-CN";
    let description = if zh {
        format!(
            "《{}》是{}为想真正弄懂{}的人准备的{}。\n\n不需要预备知识。每一部分都从一个真实问题出发，最后落到可以马上练习的方法。",
            it.title_zh, creator.name, it.topic_zh, kind_zh
        )
    } else {
        format!(
            "{} is {} for anyone who wants to really understand {}.\n\nNo background needed. Every part starts from a real question and ends with something you can practise straight away.",
            it.title_en, kind_en, it.topic_en
        )
    };
    let preview = if zh {
        vec![
            heading("导读".into()),
            paragraph(format!(
                "为什么要学{}？因为它会改变你看问题的方式。这一部分免费阅读。",
                it.topic_zh
            )),
            json!({ "kind": "list", "items": [
                format!("{}的核心概念", it.topic_zh),
                "常见误区与纠正方法".to_string(),
                "一套可以反复使用的练习".to_string(),
            ]}),
        ]
    } else {
        vec![
            heading("Introduction".into()),
            paragraph(format!(
                "Why learn {}? Because it changes how you see the problems in front of you. This part is free to read.",
                it.topic_en
            )),
            json!({ "kind": "list", "items": [
                format!("The core ideas of {}", it.topic_en),
                "Common mistakes and how to correct them".to_string(),
                "A practice routine you can repeat".to_string(),
            ]}),
        ]
    };
    json!({
        "key": it.key,
        "slug": it.slug,
        "creator": creator.key,
        "category": cat.slug,
        "tags": it.tags,
        "kind": it.kind,
        "language": creator.language,
        "title_en": it.title_en,
        "title_zh": it.title_zh,
        "summary_en": summary_en,
        "summary_zh": summary_zh,
        "description": description,
        "price_minor": it.price_minor,
        "currency": "CNY",
        "cover": format!("/covers/{}.svg", it.slug),
        "preview": preview,
        "published_at": it.published_at,
    })
}

/// The body: three sections. Each paragraph says it is the reader's edition, so tests can
/// tell whether a response carries paid text.
fn body_blocks(it: &DemoItem) -> Vec<Value> {
    let zh = CREATORS[it.creator].language == "zh-CN";
    let mut blocks = Vec::new();
    for n in 1..=3 {
        if zh {
            blocks.push(heading(format!("第{n}部分：{}的方法", it.topic_zh)));
            blocks.push(paragraph(format!(
                "读者版 第{n}节：《{}》。这里是完整的讲解、推导和练习，只对已获得本内容的读者开放。",
                it.title_zh
            )));
        } else {
            blocks.push(heading(format!("Part {n}: the method of {}", it.topic_en)));
            blocks.push(paragraph(format!(
                "Reader's edition, section {n} of {}. Here is the full explanation, the worked examples and the exercises, open to readers who own it.",
                it.title_en
            )));
        }
        if n == 2 {
            blocks.push(json!({ "kind": "quote", "text": if zh { "学而不思则罔，思而不学则殆。" } else { "What I cannot create, I do not understand." } }));
        }
    }
    blocks
}

/// A course's free preview (its first chapter's heading and the free lesson) and body (the
/// other lessons under their chapters). Paid paragraphs carry the reader's-edition marker,
/// like every other body, so tests can tell whether a response carries paid text.
fn course_blocks(it: &DemoItem, outline: &[(&Value, Vec<&Value>)]) -> (Vec<Value>, Vec<Value>) {
    let zh = CREATORS[it.creator].language == "zh-CN";
    let lesson_heading = |l: &Value| json!({ "kind": "heading", "text": l["title"].as_str().unwrap_or_default(), "level": 3 });
    let (mut preview, mut body) = (Vec::new(), Vec::new());
    for (c, lessons) in outline {
        let chapter = heading(c["title"].as_str().unwrap_or_default().to_string());
        let first = c["position"] == 1;
        if first {
            preview.push(chapter);
        } else {
            body.push(chapter);
        }
        for l in lessons {
            let at = format!("{}.{}", c["position"], l["position"]);
            if l["free_preview"] == true {
                preview.push(lesson_heading(l));
                preview.push(paragraph(if zh {
                    format!(
                        "免费试听课 {at}：先用十分钟弄清{}要解决什么问题，再动手做第一个练习。",
                        it.topic_zh
                    )
                } else {
                    format!(
                        "Free lesson {at}: ten minutes on what {} is for, then the first exercise.",
                        it.topic_en
                    )
                }));
                preview.push(json!({ "kind": "list", "items": if zh {
                    vec!["看一个完整的例子".to_string(), "自己做一遍".to_string(), "记下一个问题".to_string()]
                } else {
                    vec!["Watch one complete example".to_string(), "Do it yourself once".to_string(), "Write down one question".to_string()]
                }}));
            } else {
                // Every other lesson is paid, chapter 1's included: it goes to the body.
                body.push(lesson_heading(l));
                body.push(paragraph(if zh {
                    format!("读者版 第{at}课：《{}》。本课的讲解、示例和练习只对已获得本课程的读者开放。", it.title_zh)
                } else {
                    format!("Reader's edition, lesson {at} of {}. The explanation, the worked example and the exercise of this lesson, open to learners who own the course.", it.title_en)
                }));
                body.push(json!({ "kind": "callout", "text": if zh {
                    format!("练习 {at}：用今天学到的{}做一件小事，写下结果。", it.topic_zh)
                } else {
                    format!("Exercise {at}: use today's {} on one small task and write down what happened.", it.topic_en)
                }}));
            }
        }
    }
    (preview, body)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// What the demo seed wrote.
#[derive(Debug, Default)]
pub struct SeedStats {
    /// Items.
    pub items: usize,
    /// Learners.
    pub learners: usize,
    /// Interaction events.
    pub events: usize,
}

impl fmt::Display for SeedStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "demo catalog loaded: {} items, {} learners, {} interaction events",
            self.items, self.learners, self.events
        )
    }
}

/// Whether the database has no items yet.
pub async fn is_empty(db: &Db) -> anyhow::Result<bool> {
    let found: Vec<Value> = rows(
        db,
        "check for items",
        "SELECT VALUE id FROM item LIMIT 1",
        json!({}),
        0,
    )
    .await?;
    Ok(found.is_empty())
}

/// Number of demo learners.
pub const LEARNERS: usize = 500;

/// Taste groups: preferred categories and kinds. Learner `n` belongs to group `n % 6`.
const TASTES: [([usize; 2], [&str; 2]); 6] = [
    ([0, 1], ["course", "ebook"]),
    ([2, 3], ["video", "article"]),
    ([4, 5], ["audio", "ebook"]),
    ([6, 7], ["audio", "video"]),
    ([5, 1], ["article", "course"]),
    ([3, 7], ["article", "audio"]),
];

/// Password of the demo admin, `admin@demo.shuzhai.local` (demo data only).
pub const DEMO_ADMIN_PASSWORD: &str = "demo-admin-password";
/// Password of the demo creators, `<slug>@demo.shuzhai.local` (demo data only).
pub const DEMO_CREATOR_PASSWORD: &str = "demo-creator-password";
/// Password of the demo learners, `learner0001@demo.shuzhai.local` … (demo data only).
pub const DEMO_LEARNER_PASSWORD: &str = "demo-learner-password";

async fn demo_hash(password: &str) -> anyhow::Result<String> {
    app::ssr::password::hash(password.to_string())
        .await
        .map_err(|e| anyhow::anyhow!("hashing a demo password: {e}"))
}

/// Writes the demo store. Record ids are fixed, so running it again overwrites the same records.
pub async fn demo(db: &Db) -> anyhow::Result<SeedStats> {
    let items = generate_items();
    let admin_hash = demo_hash(DEMO_ADMIN_PASSWORD).await?;
    let creator_hash = demo_hash(DEMO_CREATOR_PASSWORD).await?;
    let learner_hash = demo_hash(DEMO_LEARNER_PASSWORD).await?;
    let categories: Vec<Value> = CATEGORIES
        .iter()
        .enumerate()
        .map(|(i, c)| json!({ "slug": c.slug, "name_en": c.en, "name_zh": c.zh, "position": i }))
        .collect();
    let tags: Vec<Value> = TAGS
        .iter()
        .map(|(slug, name)| json!({ "slug": slug, "name": name }))
        .collect();
    let creators: Vec<Value> = CREATORS
        .iter()
        .map(|c| {
            json!({
                "key": c.key, "slug": c.slug, "name": c.name, "bio": c.bio, "language": c.language,
                "email": format!("{}@demo.shuzhai.local", c.slug),
                "avatar": format!("/avatars/{}.svg", c.slug),
            })
        })
        .collect();
    execute(
        db,
        "seed people and taxonomy",
        "BEGIN TRANSACTION;
         UPSERT user:admin SET email = 'admin@demo.shuzhai.local', display_name = 'Store admin', roles = ['admin', 'creator', 'learner'], password_hash = $admin_hash, locale = 'en';
         FOR $c IN $categories {
            UPSERT type::record('category', $c.slug) SET slug = $c.slug, name_en = $c.name_en, name_zh = $c.name_zh, position = $c.position;
         };
         FOR $t IN $tags { UPSERT type::record('tag', $t.slug) SET slug = $t.slug, name = $t.name; };
         FOR $c IN $creators {
            UPSERT type::record('user', $c.key) SET email = $c.email, display_name = $c.name, roles = ['creator', 'learner'], password_hash = $creator_hash,
                locale = IF $c.language = 'en' THEN 'en' ELSE 'zh-CN' END;
            UPSERT type::record('creator', $c.key) SET user = type::record('user', $c.key), slug = $c.slug, name = $c.name, bio = $c.bio, avatar = $c.avatar;
            UPSERT type::record('membership_tier', $c.key) SET creator = type::record('creator', $c.key), slug = 'members',
                name = string::concat($c.name, ' — Membership'), description = 'Every item marked for members, while you are one.',
                price_monthly_minor = 2900, price_yearly_minor = 29900, currency = 'CNY', trial_days = 7;
         };
         COMMIT TRANSACTION;",
        json!({ "categories": categories, "tags": tags, "creators": creators, "admin_hash": admin_hash, "creator_hash": creator_hash }),
    )
    .await?;

    let mut rng = Rng(0x5EED_0002);
    let records: Vec<Value> = items
        .iter()
        .map(|it| {
            let mut rec = item_record(it);
            let tier = it.price_minor > 0 && rng.chance(0.3);
            rec["tier"] = if tier {
                json!(CREATORS[it.creator].key)
            } else {
                Value::Null
            };
            rec["body"] = json!(body_blocks(it));
            rec
        })
        .collect();
    for chunk in records.chunks(50) {
        execute(
            db,
            "seed items",
            "BEGIN TRANSACTION;
             FOR $i IN $items {
                LET $id = type::record('item', $i.key);
                UPSERT $id SET slug = $i.slug, creator = type::record('creator', $i.creator),
                    category = type::record('category', $i.category), tags = $i.tags, kind = $i.kind,
                    language = $i.language, title_en = $i.title_en, title_zh = $i.title_zh,
                    summary_en = $i.summary_en, summary_zh = $i.summary_zh, description = $i.description,
                    price_minor = $i.price_minor, currency = $i.currency, status = 'published', cover = $i.cover,
                    preview = $i.preview, published_at = <datetime> $i.published_at,
                    tier = IF $i.tier THEN type::record('membership_tier', $i.tier) ELSE NONE END;
                UPSERT type::record('item_body', $i.key) SET item = $id, blocks = $i.body;
             };
             COMMIT TRANSACTION;",
            json!({ "items": chunk }),
        )
        .await?;
    }

    // Course outlines: 3–4 chapters of 3 lessons; the first lesson is a free preview.
    let mut chapters = Vec::new();
    let mut lessons = Vec::new();
    for it in items.iter().filter(|it| it.kind == "course") {
        let zh = CREATORS[it.creator].language == "zh-CN";
        for c in 1..=(3 + rng.below(2)) {
            let ch_key = format!("{}_{c}", it.key);
            let title = if zh {
                format!(
                    "第{c}章 {}：{}",
                    it.topic_zh,
                    ["基础", "进阶", "实战", "复盘"][c - 1]
                )
            } else {
                format!(
                    "Chapter {c}: {} — {}",
                    it.topic_en,
                    ["Foundations", "Going deeper", "In practice", "Review"][c - 1]
                )
            };
            chapters.push(json!({ "key": ch_key, "item": it.key, "position": c, "title": title }));
            for l in 1..=3 {
                let title = if zh {
                    format!("{c}.{l} {}练习", it.topic_zh)
                } else {
                    format!("{c}.{l} {} exercise", it.topic_en)
                };
                lessons.push(json!({
                    "key": format!("{ch_key}_{l}"), "chapter": ch_key, "position": l, "title": title,
                    "minutes": 8 + rng.below(20), "free_preview": c == 1 && l == 1,
                }));
            }
        }
    }
    execute(
        db,
        "seed course outlines",
        "BEGIN TRANSACTION;
         FOR $c IN $chapters {
            UPSERT type::record('chapter', $c.key) SET item = type::record('item', $c.item), position = $c.position, title = $c.title;
         };
         FOR $l IN $lessons {
            UPSERT type::record('lesson', $l.key) SET chapter = type::record('chapter', $l.chapter), position = $l.position,
                title = $l.title, minutes = $l.minutes, free_preview = $l.free_preview;
         };
         COMMIT TRANSACTION;",
        json!({ "chapters": chapters, "lessons": lessons }),
    )
    .await?;

    // A course's text follows its outline: a heading per chapter, a smaller one per lesson
    // (the reader ties lesson N to the N-th lesson heading), the free lesson in the preview.
    let courses: Vec<Value> = items
        .iter()
        .filter(|it| it.kind == "course")
        .map(|it| {
            let outline: Vec<(&Value, Vec<&Value>)> = chapters
                .iter()
                .filter(|c| c["item"] == it.key.as_str())
                .map(|c| {
                    let of_chapter = lessons
                        .iter()
                        .filter(|l| l["chapter"] == c["key"])
                        .collect();
                    (c, of_chapter)
                })
                .collect();
            let (preview, body) = course_blocks(it, &outline);
            // An UPDATE does not fill nested defaults: every block gets all its fields.
            let whole = |blocks: Vec<Value>| {
                blocks
                    .into_iter()
                    .map(|mut b| {
                        for (field, empty) in [("text", json!("")), ("items", json!([]))] {
                            if b.get(field).is_none() {
                                b[field] = empty;
                            }
                        }
                        b
                    })
                    .collect::<Vec<_>>()
            };
            json!({ "key": it.key, "preview": whole(preview), "body": whole(body) })
        })
        .collect();
    execute(
        db,
        "seed course texts",
        "BEGIN TRANSACTION;
         FOR $c IN $courses {
            UPDATE type::record('item', $c.key) SET preview = $c.preview;
            UPDATE type::record('item_body', $c.key) SET blocks = $c.body;
         };
         COMMIT TRANSACTION;",
        json!({ "courses": courses }),
    )
    .await?;

    // One bundle per creator: three paid items for 80% of their total.
    let mut bundles = Vec::new();
    for (ci, c) in CREATORS.iter().enumerate() {
        let picks: Vec<&DemoItem> = items
            .iter()
            .filter(|it| it.creator == ci && it.price_minor > 0)
            .take(3)
            .collect();
        let total: i64 = picks.iter().map(|it| it.price_minor).sum();
        bundles.push(json!({
            "key": c.key, "creator": c.key, "slug": format!("{}-starter-bundle", c.slug),
            "title_en": format!("{} starter bundle", c.name), "title_zh": format!("{}入门套装", c.name),
            "items": picks.iter().map(|it| it.key.clone()).collect::<Vec<_>>(), "price_minor": total * 8 / 10,
        }));
    }
    execute(
        db,
        "seed bundles",
        "FOR $b IN $bundles {
            UPSERT type::record('bundle', $b.key) SET creator = type::record('creator', $b.creator), slug = $b.slug,
                title_en = $b.title_en, title_zh = $b.title_zh, items = $b.items.map(|$k| type::record('item', $k)),
                price_minor = $b.price_minor, currency = 'CNY', status = 'published';
         };",
        json!({ "bundles": bundles }),
    )
    .await?;

    execute(
        db,
        "seed coupons",
        "UPSERT coupon:LINXIAO10 SET code = 'LINXIAO10', creator = creator:c1, percent_off = 10;
         UPSERT coupon:MAYA5 SET code = 'MAYA5', creator = creator:c2, amount_off_minor = 500, currency = 'CNY';
         UPSERT coupon:WANG20 SET code = 'WANG20', creator = creator:c3, percent_off = 20, max_uses = 100;
         UPSERT coupon:DANIEL15 SET code = 'DANIEL15', creator = creator:c4, percent_off = 15, expires_at = time::now() + 365d;",
        json!({}),
    )
    .await
    .context("writing demo coupons")?;

    let (learners, events) = learners_and_events(&items);
    for chunk in learners.chunks(250) {
        execute(
            db,
            "seed learners",
            "BEGIN TRANSACTION;
             FOR $u IN $users {
                UPSERT type::record('user', $u.key) SET email = $u.email, display_name = $u.name, roles = ['learner'],
                    password_hash = $hash, created_at = <datetime> $u.created_at, email_updates = $u.news;
             };
             COMMIT TRANSACTION;",
            json!({ "users": chunk, "hash": learner_hash }),
        )
        .await?;
    }
    for chunk in events.chunks(2000) {
        execute(
            db,
            "seed interaction events",
            "BEGIN TRANSACTION;
             FOR $e IN $events {
                UPSERT type::record('event', $e.key) SET user = type::record('user', $e.user), item = type::record('item', $e.item),
                    kind = $e.kind, value = $e.value, at = <datetime> $e.at;
             };
             COMMIT TRANSACTION;",
            json!({ "events": chunk }),
        )
        .await
        .context("writing interaction events")?;
    }
    let orders = demo_orders(&items, &events);
    for chunk in orders.chunks(500) {
        execute(
            db,
            "seed past orders",
            "BEGIN TRANSACTION;
             FOR $o IN $orders {
                LET $id = type::record('orders', $o.key);
                LET $at = <datetime> $o.at;
                LET $u = type::record('user', $o.user);
                LET $i = type::record('item', $o.item);
                LET $c = type::record('creator', $o.creator);
                UPSERT $id SET buyer = $u, status = $o.status, idempotency_key = $o.key,
                    lines = [{ product: $o.product, title: $o.title, href: $o.href, creator: $c, items: [$i],
                               unit_minor: $o.price, discount_minor: 0, total_minor: $o.price }],
                    currency = 'CNY', subtotal_minor = $o.price, discount_minor = 0, total_minor = $o.price,
                    tax_minor = $o.tax, tax_rate_bp = 600, refund_days = 14, provider = 'demo', fee_minor = $o.fee,
                    created_at = $at, paid_at = $at, fulfilled_at = $at,
                    closed_at = IF $o.refunded_at != NONE THEN <datetime> $o.refunded_at END,
                    history = [{ at: $at, status: 'paid' }, { at: $at, status: 'fulfilled' }];
                UPSERT type::record('ledger', string::concat($o.key, '_0_sale')) SET from_order = $id, line = 0, creator = $c,
                    product = $o.product, kind = 'sale', gross_minor = $o.price, fee_minor = $o.fee,
                    net_minor = $o.price - $o.fee, currency = 'CNY', at = $at;
                UPSERT type::record('entitlement', string::concat($o.user, '_', $o.item, '_', $o.key)) SET user = $u, item = $i,
                    from_order = $id, source = 'purchase', granted_at = $at,
                    revoked_at = IF $o.refunded_at != NONE THEN <datetime> $o.refunded_at END;
                IF $o.refunded_at != NONE {
                    UPSERT type::record('ledger', string::concat($o.key, '_0_refund')) SET from_order = $id, line = 0, creator = $c,
                        product = $o.product, kind = 'refund', gross_minor = -$o.price, fee_minor = 0,
                        net_minor = -$o.price, currency = 'CNY', at = <datetime> $o.refunded_at;
                };
             };
             COMMIT TRANSACTION;",
            json!({ "orders": chunk }),
        )
        .await
        .context("writing past orders")?;
    }
    let reviews = demo_reviews(&orders, &events);
    for chunk in reviews.chunks(500) {
        execute(
            db,
            "seed reviews",
            "BEGIN TRANSACTION;
             FOR $r IN $reviews {
                UPSERT type::record('review', [$r.user, $r.item]) SET user = type::record('user', $r.user),
                    item = type::record('item', $r.item), rating = $r.rating, text = $r.text,
                    created_at = <datetime> $r.at, updated_at = <datetime> $r.at;
             };
             COMMIT TRANSACTION;",
            json!({ "reviews": chunk }),
        )
        .await
        .context("writing reviews")?;
    }
    // Whatever totals existed were counted without this history: count again.
    app::ssr::analytics::rollup::reset(db)
        .await
        .context("resetting analytics totals")?;
    Ok(SeedStats {
        items: items.len(),
        learners: learners.len(),
        events: events.len(),
    })
}

/// Adds `factor − 1` copies of the demo learners (`s<copy>_<n>`, sharing the demo learner
/// password) with their interaction histories, each copy shifted by `copy` hours, for
/// benchmarks at scale. Returns how many learners and events were added.
pub async fn scale(db: &Db, factor: u32) -> anyhow::Result<(usize, usize)> {
    let items = generate_items();
    let (learners, events) = learners_and_events(&items);
    let hash = demo_hash(DEMO_LEARNER_PASSWORD).await?;
    let (mut added_learners, mut added_events) = (0, 0);
    for copy in 1..factor {
        let prefix = format!("s{copy:03}_");
        let users: Vec<Value> = learners
            .iter()
            .map(|u| {
                let key = u["key"].as_str().unwrap_or_default();
                json!({
                    "key": format!("{prefix}{key}"),
                    "email": format!("{prefix}{}", u["email"].as_str().unwrap_or_default()),
                    "name": format!("{} · {copy}", u["name"].as_str().unwrap_or_default()),
                })
            })
            .collect();
        execute(
            db,
            "seed scaled learners",
            "INSERT INTO user $users.map(|$u| { id: type::record('user', $u.key), email: $u.email, display_name: $u.name,
                roles: ['learner'], password_hash: $hash })",
            json!({ "users": users, "hash": hash }),
        )
        .await
        .context("writing scaled learners")?;
        added_learners += users.len();
        let shift = i64::from(copy) * 3600;
        for chunk in events.chunks(5000) {
            let rows: Vec<Value> = chunk
                .iter()
                .map(|e| {
                    let at = e["at"]
                        .as_str()
                        .and_then(app::ssr::analytics::parse_rfc3339)
                        .unwrap_or_default()
                        - shift;
                    let mut row = json!({
                        "key": format!("{prefix}{}", e["key"].as_str().unwrap_or_default()),
                        "user": format!("{prefix}{}", e["user"].as_str().unwrap_or_default()),
                        "item": e["item"], "kind": e["kind"], "at": rfc3339(at),
                    });
                    if let Some(v) = e.get("value") {
                        row["value"] = v.clone();
                    }
                    row
                })
                .collect();
            execute(
                db,
                "seed scaled events",
                "INSERT INTO event $rows.map(|$e| { id: type::record('event', $e.key), user: type::record('user', $e.user),
                    item: type::record('item', $e.item), kind: $e.kind, value: $e.value, at: <datetime> $e.at })",
                json!({ "rows": rows }),
            )
            .await
            .context("writing scaled events")?;
            added_events += rows.len();
        }
    }
    app::ssr::analytics::rollup::reset(db)
        .await
        .context("resetting analytics totals")?;
    Ok((added_learners, added_events))
}

/// Learners from this one on bought what their purchase events say, through orders with
/// ledger entries and library entries; the learners before it own nothing, so that the
/// walkthroughs and tests that buy start from an empty library.
pub const FIRST_DEMO_BUYER: usize = 51;

/// The orders behind the demo purchase events of learners from [`FIRST_DEMO_BUYER`] on:
/// paid and fulfilled at the event's time, every 20th refunded two days later.
fn demo_orders(items: &[DemoItem], events: &[Value]) -> Vec<Value> {
    let by_key: std::collections::HashMap<&str, &DemoItem> =
        items.iter().map(|it| (it.key.as_str(), it)).collect();
    let first_buyer = format!("l{FIRST_DEMO_BUYER:04}");
    let mut out = Vec::new();
    for e in events.iter().filter(|e| e["kind"] == "purchase") {
        let (Some(user), Some(item), Some(at)) =
            (e["user"].as_str(), e["item"].as_str(), e["at"].as_str())
        else {
            continue;
        };
        let Some(it) = by_key.get(item) else { continue };
        if user < first_buyer.as_str() || it.price_minor == 0 {
            continue;
        }
        let key = format!("demo_{}", e["key"].as_str().unwrap_or_default());
        let refunded = out.len() % 20 == 19;
        let refunded_at = refunded.then(|| {
            let secs = app::ssr::analytics::parse_rfc3339(at).unwrap_or_default() + 2 * 86_400;
            rfc3339(secs)
        });
        let mut order = json!({
            "key": key, "user": user, "item": item, "creator": CREATORS[it.creator].key,
            "product": format!("item:{}", it.slug), "title": it.title_en, "href": format!("/item/{}", it.slug),
            "price": it.price_minor, "fee": it.price_minor * 3 / 100,
            "tax": app::ssr::commerce::pricing::included_tax(it.price_minor, 600),
            "status": if refunded { "refunded" } else { "fulfilled" }, "at": at,
        });
        // Absent (NONE in SurrealQL) unless refunded; a JSON null would be NULL.
        if let Some(r) = refunded_at {
            order["refunded_at"] = json!(r);
        }
        out.push(order);
    }
    out
}

/// Reviews: each demo rating of an item its learner bought (and kept), with words for
/// two ratings in three, in the item's language pair.
fn demo_reviews(orders: &[Value], events: &[Value]) -> Vec<Value> {
    const WORDS: [(&str, &str); 5] = [
        (
            "Too basic for me; I stopped halfway.",
            "对我来说太基础了，读到一半就放下了。",
        ),
        ("Not what the summary promised.", "和简介说的不太一样。"),
        (
            "Some good ideas, but uneven.",
            "有些好想法，但质量不太稳定。",
        ),
        (
            "Very useful; a few chapters could be shorter.",
            "很有用，个别章节可以再精简。",
        ),
        (
            "Clear, practical and worth every minute.",
            "清晰实用，每一分钟都值得。",
        ),
    ];
    let kept: std::collections::HashSet<(&str, &str)> = orders
        .iter()
        .filter(|o| o.get("refunded_at").is_none())
        .filter_map(|o| Some((o["user"].as_str()?, o["item"].as_str()?)))
        .collect();
    let mut out = Vec::new();
    for e in events.iter().filter(|e| e["kind"] == "rating") {
        let (Some(user), Some(item), Some(at), Some(stars)) = (
            e["user"].as_str(),
            e["item"].as_str(),
            e["at"].as_str(),
            e["value"].as_f64(),
        ) else {
            continue;
        };
        if !kept.contains(&(user, item)) {
            continue;
        }
        let rating = (stars.round() as usize).clamp(1, 5);
        let (en, zh) = WORDS[rating - 1];
        let text = match out.len() % 3 {
            0 => en,
            1 => zh,
            _ => "",
        };
        out.push(json!({ "user": user, "item": item, "rating": rating, "text": text, "at": at }));
    }
    out
}

/// Learners and their interaction histories, shaped by taste group.
fn learners_and_events(items: &[DemoItem]) -> (Vec<Value>, Vec<Value>) {
    let mut rng = Rng(0x5EED_0003);
    let today = 1_793_404_800i64;
    let mut learners = Vec::with_capacity(LEARNERS);
    let mut events = Vec::new();
    for n in 0..LEARNERS {
        let key = format!("l{:04}", n + 1);
        let ([c1, c2], kinds) = TASTES[n % TASTES.len()];
        let joined = today - 86_400 * (30 + rng.below(330) as i64);
        learners.push(json!({
            "key": key, "email": format!("learner{:04}@demo.shuzhai.local", n + 1),
            "name": format!("Learner {:04}", n + 1), "created_at": rfc3339(joined),
            // Every third learner with a purchase history asked for store news by e-mail.
            "news": n + 1 >= FIRST_DEMO_BUYER && n % 3 == 0,
        }));
        let preferred: Vec<usize> = (0..items.len())
            .filter(|&i| items[i].category == c1 || items[i].category == c2)
            .flat_map(|i| {
                let weight = if kinds.contains(&items[i].kind) { 3 } else { 1 };
                std::iter::repeat_n(i, weight)
            })
            .collect();
        let visits = 12 + rng.below(24);
        let mut seen: Vec<usize> = Vec::new();
        for _ in 0..visits {
            let i = if rng.chance(0.85) {
                preferred[rng.below(preferred.len())]
            } else {
                rng.below(items.len())
            };
            if seen.contains(&i) {
                continue;
            }
            seen.push(i);
            let it = &items[i];
            let likes_it = it.category == c1 || it.category == c2;
            let fit = likes_it && kinds.contains(&it.kind);
            let mut at = today - 86_400 * rng.below(300) as i64 - rng.below(86_400) as i64;
            let mut push = |kind: &str, value: Option<f64>, at: i64| {
                let mut e = json!({
                    "key": format!("{key}_{}", events.len()), "user": key, "item": it.key, "kind": kind, "at": rfc3339(at),
                });
                if let Some(v) = value {
                    e["value"] = json!(v);
                }
                events.push(e);
            };
            push("view", None, at);
            if rng.chance(0.4) {
                at += 60;
                push("preview", None, at);
            }
            let owned = if it.price_minor == 0 {
                true
            } else if rng.chance(if fit {
                0.45
            } else if likes_it {
                0.2
            } else {
                0.03
            }) {
                at += 300;
                push("purchase", None, at);
                true
            } else {
                false
            };
            if owned {
                at += 3_600;
                let progress = if likes_it {
                    0.4 + rng.unit() * 0.6
                } else {
                    rng.unit() * 0.5
                };
                push("progress", Some((progress * 100.0).round() / 100.0), at);
                if rng.chance(0.4) {
                    at += 86_400;
                    let stars = if fit {
                        4 + rng.below(2)
                    } else if likes_it {
                        3 + rng.below(2)
                    } else {
                        1 + rng.below(3)
                    };
                    push("rating", Some(stars as f64), at);
                }
            }
            if rng.chance(if fit {
                0.35
            } else if likes_it {
                0.15
            } else {
                0.03
            }) {
                push("like", None, at + 30);
            }
        }
    }
    (learners, events)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_catalog_is_complete_and_deterministic() {
        let a = generate_items();
        let b = generate_items();
        assert_eq!(a.len(), 200);
        assert_eq!(
            a.iter().map(|i| &i.slug).collect::<Vec<_>>(),
            b.iter().map(|i| &i.slug).collect::<Vec<_>>()
        );
        let mut slugs: Vec<&String> = a.iter().map(|i| &i.slug).collect();
        slugs.sort();
        slugs.dedup();
        assert_eq!(slugs.len(), 200, "slugs must be unique");
        for kind in ["article", "ebook", "audio", "video", "course"] {
            assert_eq!(a.iter().filter(|i| i.kind == kind).count(), 40, "{kind}");
        }
        assert!(a.iter().any(|i| i.price_minor == 0) && a.iter().any(|i| i.price_minor > 0));
        assert!(a.iter().all(|i| app::models::catalog::is_slug(&i.slug)));
    }

    #[test]
    fn dates_are_formatted_correctly() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_793_404_800), "2026-10-31T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn taste_groups_leave_a_signal() {
        let items = generate_items();
        let (learners, events) = learners_and_events(&items);
        assert_eq!(learners.len(), LEARNERS);
        // Learners of group 0 buy mostly programming and data science.
        let group0: Vec<&Value> = events
            .iter()
            .filter(|e| e["kind"] == "purchase")
            .filter(|e| {
                e["user"]
                    .as_str()
                    .and_then(|u| u[1..].parse::<usize>().ok())
                    .is_some_and(|n| (n - 1) % 6 == 0)
            })
            .collect();
        let in_taste = group0
            .iter()
            .filter(|e| {
                let key = e["item"].as_str().unwrap_or_default();
                items
                    .iter()
                    .find(|i| i.key == key)
                    .is_some_and(|i| i.category <= 1)
            })
            .count();
        assert!(group0.len() > 100, "{}", group0.len());
        assert!(
            in_taste * 10 > group0.len() * 8,
            "{in_taste} of {}",
            group0.len()
        );
    }
}
