//! The item page in edit mode: the creator edits the page learners see, in place.
//!
//! Titles, summaries, description, price, tags and the content blocks (with the paywall
//! divider between the free preview and the paid body) are edited where they stand. Blocks
//! are added, moved and deleted with the mouse or the keyboard (Alt+↑/↓ moves, Ctrl+Enter
//! adds a paragraph, Backspace in an empty block deletes it, Ctrl+Z / Ctrl+Shift+Z undo and
//! redo); pasted HTML becomes our blocks and nothing else.
//!
//! The draft is saved every two seconds while it changes and when the editor loses focus,
//! and kept on the device between saves, so a dropped network or a closed tab loses nothing.
//! A save names the revision it was made from; if someone saved in between, the editor
//! shows both texts and the creator chooses (the server keeps the losing one in the
//! history either way).

use crate::api::editor::{
    draft_history, draft_version, open_draft, publish_draft, restore_version, save_draft,
    schedule_draft,
};
use crate::components::notice::ErrorNotice;
use crate::components::seo::PageMeta;
use crate::error::AppError;
use crate::models::catalog::{Block, BlockKind};
use crate::models::editor::{
    diff, doc_lines, DiffLine, DraftView, ItemDoc, SaveOutcome, VersionView,
};
use crate::models::i18n::Locale;
use crate::pages::item::Blocks;
use leptos::either::Either;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// One entry of the editor's block list: a block, or the paywall divider (`None`).
#[derive(Debug, Clone, PartialEq)]
struct Slot {
    id: u32,
    block: Option<Block>,
}

/// The document as the editor holds it: the fields, and preview and body as one list of
/// slots with the paywall among them.
#[derive(Debug, Clone, PartialEq)]
struct EditDoc {
    meta: ItemDoc,
    slots: Vec<Slot>,
    next_id: u32,
    /// A course: headings are chapters, subheadings lessons (each with its lesson key).
    course: bool,
}

impl EditDoc {
    fn from_doc(mut doc: ItemDoc) -> Self {
        let preview = std::mem::take(&mut doc.preview);
        let body = std::mem::take(&mut doc.body);
        let mut slots = Vec::with_capacity(preview.len() + body.len() + 1);
        let mut id = 0;
        for b in preview {
            id += 1;
            slots.push(Slot { id, block: Some(b) });
        }
        id += 1;
        slots.push(Slot { id, block: None });
        for b in body {
            id += 1;
            slots.push(Slot { id, block: Some(b) });
        }
        EditDoc {
            meta: doc,
            slots,
            next_id: id + 1,
            course: false,
        }
    }

    /// Gives every lesson subheading of a course that has none a new lesson key, so that
    /// the lesson keeps its identity (and learners' completion) from its first save on.
    fn key_lessons(&mut self) {
        if !self.course {
            return;
        }
        for b in self.slots.iter_mut().filter_map(|s| s.block.as_mut()) {
            if b.kind == BlockKind::Heading && b.level == Some(3) && b.lesson.is_none() {
                b.lesson = Some(new_lesson_key());
            }
        }
    }

    /// The heading level of slot `i`, if it is a heading.
    fn heading_level(&self, i: usize) -> Option<u8> {
        self.slots[i]
            .block
            .as_ref()
            .filter(|b| b.kind == BlockKind::Heading)
            .map(|b| b.level.unwrap_or(2))
    }

    /// Where the section that starts at heading `i` (of `level`) ends: at the next heading
    /// of the same or a higher rank, or the end.
    fn section_end(&self, i: usize, level: u8) -> usize {
        (i + 1..self.slots.len())
            .find(|&j| self.heading_level(j).is_some_and(|l| l <= level))
            .unwrap_or(self.slots.len())
    }

    /// Moves the chapter or lesson that heading `id` starts, with everything in it, past
    /// the one above (`-1`) or below (`1`). A lesson at the edge of its chapter moves into
    /// the neighbouring chapter. Answers whether anything moved.
    fn move_section(&mut self, id: u32, by: isize) -> bool {
        let Some(i) = self.index(id) else {
            return false;
        };
        let Some(level) = self.heading_level(i) else {
            return false;
        };
        let end = self.section_end(i, level);
        if by < 0 {
            let Some(p) = (0..i)
                .rev()
                .find(|&j| self.heading_level(j).is_some_and(|l| l <= level))
            else {
                return false;
            };
            let into_previous_chapter = self.heading_level(p).is_some_and(|l| l < level);
            if into_previous_chapter
                && !(0..p).any(|j| self.heading_level(j).is_some_and(|l| l < level))
            {
                // The first chapter's first lesson: there is no chapter above to move into.
                return false;
            }
            self.slots[p..end].rotate_left(i - p);
            true
        } else {
            if end >= self.slots.len() {
                return false;
            }
            if self.heading_level(end) == Some(level) {
                let end2 = self.section_end(end, level);
                self.slots[i..end2].rotate_left(end - i);
            } else {
                // The last lesson of a chapter becomes the first of the next one, after its
                // introduction.
                let section: Vec<Slot> = self.slots.drain(i..end).collect();
                let k = (i + 1..self.slots.len())
                    .find(|&j| self.heading_level(j).is_some())
                    .unwrap_or(self.slots.len());
                self.slots.splice(k..k, section);
            }
            true
        }
    }

    /// Moves the section of heading `id` step by step to where heading `target` is.
    fn move_section_to(&mut self, id: u32, target: u32) -> bool {
        let (Some(from), Some(to)) = (self.index(id), self.index(target)) else {
            return false;
        };
        let by = if to < from { -1 } else { 1 };
        let mut moved = false;
        for _ in 0..self.slots.len() {
            if from == to || !self.move_section(id, by) {
                break;
            }
            moved = true;
            let (Some(now), Some(t)) = (self.index(id), self.index(target)) else {
                break;
            };
            if (by < 0 && now <= t) || (by > 0 && now > t) {
                break;
            }
        }
        moved
    }

    /// The ids of the slots above the paywall (the free preview).
    fn free_ids(&self) -> Vec<u32> {
        let mut ids: Vec<u32> = self.slots[..self.paywall_at()]
            .iter()
            .map(|s| s.id)
            .collect();
        ids.sort_unstable();
        ids
    }

    /// The course outline: (slot id, heading level, text) of every heading, with the
    /// paywall as level 0.
    fn outline(&self) -> Vec<(u32, u8, String)> {
        self.slots
            .iter()
            .filter_map(|s| match &s.block {
                None => Some((s.id, 0, String::new())),
                Some(b) if b.kind == BlockKind::Heading => {
                    Some((s.id, b.level.unwrap_or(2), b.text.clone()))
                }
                Some(_) => None,
            })
            .collect()
    }

    fn to_doc(&self) -> ItemDoc {
        let mut doc = self.meta.clone();
        let wall = self.paywall_at();
        doc.preview = self.slots[..wall]
            .iter()
            .filter_map(|s| s.block.clone())
            .collect();
        doc.body = self.slots[wall..]
            .iter()
            .filter_map(|s| s.block.clone())
            .collect();
        doc
    }

    fn paywall_at(&self) -> usize {
        self.slots
            .iter()
            .position(|s| s.block.is_none())
            .unwrap_or(self.slots.len())
    }

    fn index(&self, id: u32) -> Option<usize> {
        self.slots.iter().position(|s| s.id == id)
    }

    fn block_mut(&mut self, id: u32) -> Option<&mut Block> {
        self.slots
            .iter_mut()
            .find(|s| s.id == id)
            .and_then(|s| s.block.as_mut())
    }

    /// Moves slot `id` one place up (`-1`) or down (`1`).
    fn shift(&mut self, id: u32, by: isize) -> bool {
        let Some(i) = self.index(id) else {
            return false;
        };
        let j = i as isize + by;
        if j < 0 || j as usize >= self.slots.len() {
            return false;
        }
        self.slots.swap(i, j as usize);
        true
    }

    /// Moves slot `id` to where slot `target` is (dragging one onto the other).
    fn move_to(&mut self, id: u32, target: u32) -> bool {
        let (Some(from), Some(to)) = (self.index(id), self.index(target)) else {
            return false;
        };
        if from == to {
            return false;
        }
        let slot = self.slots.remove(from);
        self.slots.insert(to, slot);
        true
    }

    /// Inserts `blocks` after slot `after` (at the end if `None`); returns the new ids.
    fn insert_after(&mut self, after: Option<u32>, blocks: Vec<Block>) -> Vec<u32> {
        let at = after
            .and_then(|a| self.index(a))
            .map_or(self.slots.len(), |i| i + 1);
        let mut ids = Vec::new();
        for (k, b) in blocks.into_iter().enumerate() {
            let id = self.next_id;
            self.next_id += 1;
            self.slots.insert(at + k, Slot { id, block: Some(b) });
            ids.push(id);
        }
        ids
    }
}

/// A fresh lesson key for a new lesson (`L` and 16 hex digits).
fn new_lesson_key() -> String {
    #[cfg(feature = "hydrate")]
    let (a, b) = (
        (js_sys::Math::random() * 4_294_967_296.0) as u32,
        (js_sys::Math::random() * 4_294_967_296.0) as u32,
    );
    #[cfg(not(feature = "hydrate"))]
    let (a, b) = {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(1);
        (0, NEXT.fetch_add(1, Ordering::Relaxed))
    };
    format!("L{a:08x}{b:08x}")
}

fn empty_paragraph() -> Block {
    Block::text(BlockKind::Paragraph, String::new())
}

/// A type's name in the menu: in a course, headings are chapters and subheadings lessons.
fn type_name(
    value: &str,
    en: &'static str,
    zh: &'static str,
    course: bool,
    locale: Locale,
) -> &'static str {
    match (course, value) {
        (true, "h2") => locale.pick("Chapter", "章"),
        (true, "h3") => locale.pick("Lesson", "课"),
        _ => locale.pick(en, zh),
    }
}

/// The block types the type menu offers, as (value, English, Chinese).
const TYPES: [(&str, &str, &str); 8] = [
    ("paragraph", "Paragraph", "段落"),
    ("h2", "Heading", "标题"),
    ("h3", "Subheading", "小标题"),
    ("ul", "Bulleted list", "无序列表"),
    ("ol", "Numbered list", "有序列表"),
    ("quote", "Quote", "引用"),
    ("code", "Code", "代码"),
    ("callout", "Callout", "提示"),
];

fn type_value(kind: BlockKind, level: Option<u8>) -> &'static str {
    match (kind, level) {
        (BlockKind::Paragraph, _) => "paragraph",
        (BlockKind::Heading, Some(3..)) => "h3",
        (BlockKind::Heading, _) => "h2",
        (BlockKind::List, Some(1)) => "ol",
        (BlockKind::List, _) => "ul",
        (BlockKind::Quote, _) => "quote",
        (BlockKind::Code, _) => "code",
        (BlockKind::Callout, _) => "callout",
        (BlockKind::Media, _) => "media",
    }
}

/// `block` turned into type `value`, keeping its words (list entries become lines). A
/// media block keeps its upload whatever is chosen.
fn retyped(block: &Block, value: &str) -> Block {
    if block.kind == BlockKind::Media {
        return block.clone();
    }
    let text = if block.kind == BlockKind::List {
        block.items.join("\n")
    } else {
        block.text.clone()
    };
    let (kind, level) = match value {
        "h2" => (BlockKind::Heading, Some(2)),
        "h3" => (BlockKind::Heading, Some(3)),
        "ul" => (BlockKind::List, None),
        "ol" => (BlockKind::List, Some(1)),
        "quote" => (BlockKind::Quote, None),
        "code" => (BlockKind::Code, None),
        "callout" => (BlockKind::Callout, None),
        _ => (BlockKind::Paragraph, None),
    };
    if kind == BlockKind::List {
        Block {
            level,
            items: text.lines().map(str::to_string).collect(),
            ..Block::text(kind, String::new())
        }
    } else {
        Block {
            level,
            ..Block::text(
                kind,
                if kind == BlockKind::Heading {
                    text.replace('\n', " ")
                } else {
                    text
                },
            )
        }
    }
}

fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}

/// Focuses the text of block `id` once the page has drawn it.
fn focus_block(id: u32) {
    focus_id(format!("blk-{id}"));
}

/// The document, its undo and redo stacks, and a counter of changes.
#[derive(Clone, Copy)]
struct Ed {
    doc: RwSignal<EditDoc>,
    changes: RwSignal<u64>,
    undo: StoredValue<Vec<EditDoc>>,
    redo: StoredValue<Vec<EditDoc>>,
    last_typing: StoredValue<f64>,
    /// The slot being dragged, if any.
    dragging: StoredValue<Option<u32>>,
}

impl Ed {
    fn new(doc: EditDoc) -> Self {
        Ed {
            doc: RwSignal::new(doc),
            changes: RwSignal::new(0),
            undo: StoredValue::new(Vec::new()),
            redo: StoredValue::new(Vec::new()),
            last_typing: StoredValue::new(0.0),
            dragging: StoredValue::new(None),
        }
    }

    /// Drag handlers for slot `id`: it can be picked up by its handle and dropped onto.
    fn drop_on(self, id: u32) {
        if let Some(from) = self.dragging.get_value() {
            self.dragging.set_value(None);
            self.change(true, |d| {
                d.move_to(from, id);
            });
        }
    }

    /// Applies an edit. Typing within a second of the last keystroke joins the same undo
    /// step; structural edits (add, move, delete, retype, paste) are steps of their own.
    fn change(self, structural: bool, f: impl FnOnce(&mut EditDoc)) {
        let now = now_ms();
        if structural || now - self.last_typing.get_value() > 1000.0 {
            let current = self.doc.get_untracked();
            self.undo.update_value(|u| {
                u.push(current);
                if u.len() > 200 {
                    u.remove(0);
                }
            });
            self.redo.set_value(Vec::new());
        }
        self.last_typing
            .set_value(if structural { 0.0 } else { now });
        self.doc.update(|d| {
            f(d);
            if structural {
                d.key_lessons();
            }
        });
        self.changes.update(|c| *c += 1);
    }

    /// Replaces the whole document as one undo step (it stays a course if it was one).
    fn replace(self, mut doc: EditDoc) {
        doc.course = self.doc.with_untracked(|d| d.course);
        self.change(true, |d| *d = doc);
    }

    fn step(self, back: bool) {
        let (from, to) = if back {
            (self.undo, self.redo)
        } else {
            (self.redo, self.undo)
        };
        let mut popped = None;
        from.update_value(|s| popped = s.pop());
        if let Some(prev) = popped {
            let current = self.doc.get_untracked();
            to.update_value(|s| s.push(current));
            self.doc.set(prev);
            self.changes.update(|c| *c += 1);
            self.last_typing.set_value(0.0);
        }
    }
}

/// What the save indicator says.
#[derive(Debug, Clone, PartialEq)]
enum SaveState {
    Saved(String),
    Saving,
    Offline,
    Failed(String),
    Conflict(Box<DraftView>),
}

/// Saving and publishing: the draft's revision and what was saved last.
#[derive(Clone, Copy)]
struct Session {
    slug: StoredValue<String>,
    ed: Ed,
    revision: RwSignal<i64>,
    published_revision: RwSignal<Option<i64>>,
    saved_change: RwSignal<u64>,
    failed_change: RwSignal<Option<u64>>,
    saving: RwSignal<bool>,
    state: RwSignal<SaveState>,
}

impl Session {
    fn dirty_untracked(self) -> bool {
        self.ed.changes.get_untracked() != self.saved_change.get_untracked()
    }

    fn dirty(self) -> bool {
        self.ed.changes.get() != self.saved_change.get()
    }

    /// Saves the draft if it changed; answers whether the draft on the server now holds
    /// everything the editor shows.
    async fn save(self) -> bool {
        if matches!(self.state.get_untracked(), SaveState::Conflict(_)) {
            return false;
        }
        if self.saving.get_untracked() {
            return false;
        }
        if !self.dirty_untracked() {
            return true;
        }
        let at_change = self.ed.changes.get_untracked();
        if self.failed_change.get_untracked() == Some(at_change) {
            return false;
        }
        let doc = self.ed.doc.with_untracked(EditDoc::to_doc);
        let base = self.revision.get_untracked();
        self.saving.set(true);
        self.state.set(SaveState::Saving);
        let outcome = save_draft(self.slug.get_value(), base, doc).await;
        self.saving.set(false);
        match outcome {
            Ok(SaveOutcome::Saved { revision, saved_at }) => {
                self.revision.set(revision);
                self.saved_change.set(at_change);
                self.failed_change.set(None);
                self.state.set(SaveState::Saved(saved_at));
                if !self.dirty_untracked() {
                    local::forget(&self.slug.get_value());
                }
                !self.dirty_untracked()
            }
            Ok(SaveOutcome::Conflict { theirs }) => {
                self.state.set(SaveState::Conflict(theirs));
                false
            }
            Err(AppError::Transport(_)) => {
                self.state.set(SaveState::Offline);
                false
            }
            Err(e) => {
                self.failed_change.set(Some(at_change));
                self.state.set(SaveState::Failed(e.to_string()));
                false
            }
        }
    }

    fn save_soon(self) {
        spawn_local(async move {
            self.save().await;
        });
    }

    /// Takes `theirs` as the draft (the editor's text stays one undo step away).
    fn take(self, theirs: &DraftView) {
        self.ed.replace(EditDoc::from_doc(theirs.doc.clone()));
        self.revision.set(theirs.revision);
        self.published_revision.set(theirs.published_revision);
        self.saved_change.set(self.ed.changes.get_untracked());
        self.state.set(SaveState::Saved(theirs.saved_at.clone()));
        local::forget(&self.slug.get_value());
    }
}

/// The copy of unsaved edits kept on the device between saves.
mod local {
    use crate::models::editor::ItemDoc;
    use serde::{Deserialize, Serialize};

    /// Unsaved edits and the revision they were made on.
    #[derive(Serialize, Deserialize)]
    pub struct Kept {
        pub base: i64,
        pub doc: ItemDoc,
    }

    #[cfg(feature = "hydrate")]
    fn key(slug: &str) -> String {
        format!("shuzhai.draft.{slug}")
    }

    #[cfg(feature = "hydrate")]
    fn storage() -> Option<web_sys::Storage> {
        leptos::prelude::window().local_storage().ok().flatten()
    }

    /// Keeps `doc` (made on revision `base`) on the device.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn keep(slug: &str, base: i64, doc: &ItemDoc) {
        #[cfg(feature = "hydrate")]
        if let (Some(s), Ok(text)) = (
            storage(),
            serde_json::to_string(&Kept {
                base,
                doc: doc.clone(),
            }),
        ) {
            // A full device: the server copy is still saved every two seconds.
            let _ = s.set_item(&key(slug), &text);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (slug, base, doc);
    }

    /// The kept copy, if any (a corrupt one is dropped).
    pub fn read(slug: &str) -> Option<Kept> {
        #[cfg(feature = "hydrate")]
        {
            let s = storage()?;
            let text = s.get_item(&key(slug)).ok()??;
            let kept = serde_json::from_str(&text).ok();
            if kept.is_none() {
                let _ = s.remove_item(&key(slug));
            }
            kept
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = slug;
            None
        }
    }

    /// Drops the kept copy (it is saved).
    pub fn forget(slug: &str) {
        #[cfg(feature = "hydrate")]
        if let Some(s) = storage() {
            let _ = s.remove_item(&key(slug));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = slug;
    }
}

/// `/item/<slug>?edit=1` for the item's creator or an admin: the page, editable.
#[component]
pub fn ItemEditor(slug: String) -> impl IntoView {
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
    let path = format!("/item/{slug}");
    let draft = LocalResource::new(move || open_draft(slug.clone()));
    view! {
        <PageMeta title=t("Editing", "编辑中") description=t("Editing this page.", "正在编辑此页面。") path=path />
        <Suspense fallback=move || view! { <p class="loading">{t("Opening the editor…", "正在打开编辑器…")}</p> }>
            {move || Suspend::new(async move {
                match draft.await {
                    Ok(d) => Either::Left(view! { <EditorLoaded d /> }),
                    Err(error) => Either::Right(view! { <ErrorNotice error /> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EditorLoaded(d: DraftView) -> impl IntoView {
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
    let zh_item = d.language == "zh-CN";
    let ed = Ed::new(EditDoc {
        course: d.course,
        ..EditDoc::from_doc(d.doc.clone())
    });
    ed.doc.update_untracked(EditDoc::key_lessons);
    let session = Session {
        slug: StoredValue::new(d.slug.clone()),
        ed,
        revision: RwSignal::new(d.revision),
        published_revision: RwSignal::new(d.published_revision),
        saved_change: RwSignal::new(0),
        failed_change: RwSignal::new(None),
        saving: RwSignal::new(false),
        state: RwSignal::new(SaveState::Saved(d.saved_at.clone())),
    };
    let restored_local = RwSignal::new(false);
    // Unsaved edits this device kept (the tab was closed, the network was down).
    if let Some(kept) = local::read(&d.slug) {
        if kept.doc != d.doc {
            ed.replace(EditDoc::from_doc(kept.doc));
            restored_local.set(true);
            if kept.base != d.revision {
                // Made on an older revision: both texts, and the creator chooses.
                session.state.set(SaveState::Conflict(Box::new(d.clone())));
            }
        } else {
            local::forget(&d.slug);
        }
    }
    let tag_choices = StoredValue::new(d.tag_choices.clone());
    let previewing = RwSignal::new(false);
    let history_open = RwSignal::new(false);
    let publish_at = RwSignal::new(d.publish_at.clone());
    let message = RwSignal::new(None::<(bool, String)>);
    let slug = d.slug.clone();
    // "Done" goes back to the live page, or to the studio while the item was never published.
    let live_path = if d.live {
        format!("/item/{slug}")
    } else {
        "/studio/products".to_string()
    };

    // Autosave: every two seconds while there are changes, and the copy on the device.
    #[cfg(feature = "hydrate")]
    {
        let handle = set_interval_with_handle(
            move || {
                if session.dirty_untracked() {
                    local::keep(
                        &session.slug.get_value(),
                        session.revision.get_untracked(),
                        &session.ed.doc.with_untracked(EditDoc::to_doc),
                    );
                    session.save_soon();
                }
            },
            std::time::Duration::from_millis(2000),
        );
        if let Ok(h) = handle {
            on_cleanup(move || h.clear());
        }
        let before_unload = window_event_listener(leptos::ev::beforeunload, move |ev| {
            if session.dirty_untracked() {
                local::keep(
                    &session.slug.get_value(),
                    session.revision.get_untracked(),
                    &session.ed.doc.with_untracked(EditDoc::to_doc),
                );
                ev.prevent_default();
                ev.set_return_value("unsaved");
            }
        });
        on_cleanup(move || before_unload.remove());
        let online = window_event_listener(leptos::ev::online, move |_| session.save_soon());
        on_cleanup(move || online.remove());
    }

    let status = move || {
        let s = session.state.get();
        let dirty = session.dirty();
        match s {
            SaveState::Saving => ("saving", t("Saving…", "正在保存…").to_string()),
            SaveState::Offline => (
                "offline",
                t(
                    "Offline — will save when back online",
                    "离线——联网后自动保存",
                )
                .to_string(),
            ),
            SaveState::Failed(msg) => ("failed", format!("{} {msg}", t("Not saved:", "未保存："))),
            SaveState::Conflict(_) => (
                "conflict",
                t(
                    "Someone else saved a newer version — see below",
                    "有人保存了更新的版本——见下方",
                )
                .to_string(),
            ),
            SaveState::Saved(_) if dirty => (
                "pending",
                t("Editing — saves in a moment", "编辑中——稍后自动保存").to_string(),
            ),
            SaveState::Saved(at) => (
                "saved",
                format!("{} {}", t("Saved", "已保存"), locale.date_time(&at)),
            ),
        }
    };
    let unpublished =
        move || session.published_revision.get() != Some(session.revision.get()) || session.dirty();

    let publish = move |_| {
        message.set(None);
        spawn_local(async move {
            if !session.save().await {
                message.set(Some((
                    false,
                    t(
                        "Publish waits until the draft is saved (see the status above).",
                        "草稿保存后才能发布（见上方状态）。",
                    )
                    .into(),
                )));
                return;
            }
            let revision = session.revision.get_untracked();
            match publish_draft(session.slug.get_value(), revision).await {
                Ok(()) => {
                    session.published_revision.set(Some(revision));
                    publish_at.set(None);
                    message.set(Some((
                        true,
                        t(
                            "Published. Learners see this version now.",
                            "已发布，读者现在看到的就是这个版本。",
                        )
                        .into(),
                    )));
                }
                Err(e) => message.set(Some((false, e.to_string()))),
            }
        });
    };
    let schedule_input = NodeRef::<leptos::html::Input>::new();
    let schedule = move |cancel: bool| {
        message.set(None);
        #[cfg(feature = "hydrate")]
        let at = if cancel {
            None
        } else {
            let raw = schedule_input.get().map(|i| i.value()).unwrap_or_default();
            if raw.is_empty() {
                message.set(Some((
                    false,
                    t(
                        "Choose the date and time to publish at.",
                        "请选择发布的日期和时间。",
                    )
                    .into(),
                )));
                return;
            }
            // The field is in the creator's own time zone; the server takes UTC.
            let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(&raw));
            if date.get_time().is_nan() {
                message.set(Some((
                    false,
                    t("That is not a date and time.", "这不是有效的日期和时间。").into(),
                )));
                return;
            }
            Some(String::from(date.to_iso_string()))
        };
        #[cfg(not(feature = "hydrate"))]
        let at: Option<String> = {
            let _ = (cancel, schedule_input);
            None
        };
        spawn_local(async move {
            if !session.save().await {
                message.set(Some((
                    false,
                    t(
                        "Scheduling waits until the draft is saved.",
                        "草稿保存后才能定时发布。",
                    )
                    .into(),
                )));
                return;
            }
            match schedule_draft(
                session.slug.get_value(),
                session.revision.get_untracked(),
                at,
            )
            .await
            {
                Ok(when) => {
                    let text = match &when {
                        Some(w) => format!(
                            "{} {}",
                            t(
                                "Scheduled: the draft as it is then goes live at",
                                "已定时：届时的草稿将于此时发布："
                            ),
                            locale.date_time(w)
                        ),
                        None => t("The schedule is cancelled.", "已取消定时发布。").into(),
                    };
                    publish_at.set(when);
                    message.set(Some((true, text)));
                }
                Err(e) => message.set(Some((false, e.to_string()))),
            }
        });
    };

    let on_keys = move |ev: leptos::ev::KeyboardEvent| {
        let mod_key = ev.ctrl_key() || ev.meta_key();
        if mod_key && !ev.alt_key() && (ev.key() == "z" || ev.key() == "Z") {
            ev.prevent_default();
            ed.step(!ev.shift_key());
        } else if mod_key && ev.key() == "y" {
            ev.prevent_default();
            ed.step(false);
        } else if mod_key && ev.key() == "s" {
            ev.prevent_default();
            session.save_soon();
        }
    };

    let title_field = if zh_item { "title_zh" } else { "title_en" };
    let alt_field = if zh_item { "title_en" } else { "title_zh" };
    let summary_field = if zh_item { "summary_zh" } else { "summary_en" };
    let alt_summary_field = if zh_item { "summary_en" } else { "summary_zh" };
    let lang = d.language.clone();
    let alt_lang = if zh_item { "en" } else { "zh-CN" };
    let course = d.course;

    view! {
        <div class="editor" on:keydown=on_keys on:focusout=move |_| session.save_soon() data-testid="editor">
            <div class="editor-bar" role="toolbar" aria-label=t("Editor", "编辑器")>
                <p class="save-state" role="status" aria-live="polite" data-testid="save-state" data-state=move || status().0>
                    {move || status().1}
                </p>
                <button type="button" on:click=move |_| ed.step(true) disabled=move || ed.changes.get() == 0 && ed.undo.with_value(Vec::is_empty)>
                    {t("Undo", "撤销")}
                </button>
                <button type="button" on:click=move |_| ed.step(false)>{t("Redo", "重做")}</button>
                <button type="button" aria-pressed=move || previewing.get().to_string() on:click=move |_| previewing.update(|p| *p = !*p) data-testid="preview-as-learner">
                    {t("Preview as learner", "以读者身份预览")}
                </button>
                <button type="button" aria-pressed=move || history_open.get().to_string() on:click=move |_| history_open.update(|h| *h = !*h) data-testid="history-toggle">
                    {t("History", "历史版本")}
                </button>
                <button type="button" class="button primary" on:click=publish data-testid="publish">
                    {t("Publish", "发布")}
                </button>
                <span class="muted" data-testid="publish-state">
                    {move || if unpublished() { t("Unpublished changes", "有未发布的修改") } else { t("Live", "已是线上版本") }}
                </span>
                <a class="button" href=live_path.clone() rel="external" data-testid="done-editing">{t("Done", "完成")}</a>
            </div>
            {move || message.get().map(|(ok, text)| view! {
                <p class=if ok { "notice-ok" } else { "notice-warn" } role="alert" data-testid="editor-message">
                    {text}
                    {ok.then(|| view! { " " <a href=format!("/item/{}", session.slug.get_value()) rel="external">{t("View the live page", "查看线上页面")}</a> })}
                </p>
            })}
            {move || restored_local.get().then(|| view! {
                <p class="notice-warn" data-testid="restored-local">
                    {t("Your unsaved changes from this device were restored.", "已恢复本设备上未保存的修改。")}
                </p>
            })}
            <ConflictPanel session />
            <div class="schedule">
                <label for="publish-at">{t("Publish at", "定时发布于")}</label>
                " "
                <input id="publish-at" type="datetime-local" node_ref=schedule_input />
                " "
                <button type="button" on:click=move |_| schedule(false) data-testid="schedule">{t("Schedule", "定时发布")}</button>
                {move || publish_at.get().map(|w| view! {
                    " " <span data-testid="scheduled-at">{format!("{} {}", t("Scheduled for", "定于"), locale.date_time(&w))}</span>
                    " " <button type="button" on:click=move |_| schedule(true)>{t("Cancel schedule", "取消定时")}</button>
                })}
            </div>
            {move || history_open.get().then(|| view! { <HistoryPanel session /> })}
            {move || if previewing.get() {
                Either::Left(view! { <LearnerPreview ed zh_item /> })
            } else {
                Either::Right(view! {
                    <article class="item editing">
                        <header class="item-head">
                            <CoverField ed />
                            <div>
                                <TextField ed field=title_field class="edit-title" label=t("Title", "标题") lang=lang.clone() single_line=true />
                                <TextField ed field=alt_field class="item-alt" label=t("Title in the other language", "另一种语言的标题") lang=alt_lang.to_string() single_line=true />
                                <TextField ed field=summary_field class="item-summary" label=t("Summary", "摘要") lang=lang.clone() single_line=false />
                                <TextField ed field=alt_summary_field class="item-summary" label=t("Summary in the other language", "另一种语言的摘要") lang=alt_lang.to_string() single_line=false />
                                <PriceField ed />
                                <TagsField ed choices=tag_choices />
                            </div>
                        </header>
                        <section class="description">
                            <h2>{t("About", "简介")}</h2>
                            <TextField ed field="description" class="edit-description" label=t("About (paragraphs separated by a blank line)", "简介（段落之间空一行）") lang=lang.clone() single_line=false />
                        </section>
                        {course.then(|| view! { <CourseOutline ed /> })}
                        <section class="edit-blocks" aria-label=t("Content", "正文")>
                            <h2>{t("Content", "正文")}</h2>
                            <For
                                each=move || ed.doc.with(|d| d.slots.iter().map(|s| s.id).collect::<Vec<_>>())
                                key=|id| *id
                                children=move |id| view! { <SlotEdit ed id /> }
                            />
                            <button type="button" class="add-block" on:click=move |_| {
                                let mut new_id = Vec::new();
                                ed.change(true, |d| new_id = d.insert_after(None, vec![empty_paragraph()]));
                                if let Some(id) = new_id.first() { focus_block(*id); }
                            }>{t("+ Add a paragraph at the end", "+ 在末尾添加段落")}</button>
                            <MediaAdder ed />
                        </section>
                    </article>
                })
            }}
        </div>
    }
}

/// Focuses the element with id `dom_id` once the page has drawn it.
fn focus_id(dom_id: String) {
    #[cfg(feature = "hydrate")]
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        if let Some(el) = document()
            .get_element_by_id(&dom_id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = dom_id;
}

/// A course's chapters and lessons: each moves with all its text (buttons, Alt+↑/↓, or
/// dragging one onto another), and new ones are added at the end.
#[component]
fn CourseOutline(ed: Ed) -> impl IntoView {
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
    let entries = Memo::new(move |_| ed.doc.with(EditDoc::outline));
    // Set when a move changed what is above the paywall.
    let crossed = RwSignal::new(false);
    let move_by = move |id: u32, by: isize| {
        let mut changed = false;
        ed.change(true, |d| {
            let before = d.free_ids();
            if d.move_section(id, by) {
                changed = before != d.free_ids();
            }
        });
        crossed.set(changed);
        focus_id(format!("outline-{id}"));
    };
    let add = move |chapter: bool| {
        let mut blocks = Vec::new();
        if chapter {
            blocks.push(Block {
                level: Some(2),
                ..Block::text(BlockKind::Heading, String::new())
            });
        }
        blocks.push(Block {
            level: Some(3),
            ..Block::text(BlockKind::Heading, String::new())
        });
        blocks.push(empty_paragraph());
        let mut ids = Vec::new();
        ed.change(true, |d| ids = d.insert_after(None, blocks));
        if let Some(id) = ids.first() {
            focus_block(*id);
        }
    };
    view! {
        <nav class="course-outline" aria-labelledby="outline-title" data-testid="course-outline">
            <h2 id="outline-title">{t("Chapters and lessons", "章节与课程")}</h2>
            <p class="muted">
                {t("Each heading is a chapter and each subheading under it a lesson. A lesson keeps learners' completion when it moves or is renamed.",
                   "每个标题是一章，其下的小标题是一课。课程移动或改名后，学员的完成记录仍然保留。")}
            </p>
            <ol>
                <For each=move || entries.get() key=|e| e.clone() children=move |(id, level, title)| {
                    if level == 0 {
                        return view! {
                            <li class="outline-paywall" data-testid="outline-paywall">{t("— Paywall: free above, paid below —", "—— 付费分隔线：上方免费，下方付费 ——")}</li>
                        }.into_any();
                    }
                    let what = if level == 2 { t("chapter", "章") } else { t("lesson", "课") };
                    let name = if title.trim().is_empty() { t("(untitled)", "（未命名）").to_string() } else { title.clone() };
                    let up = format!("{} {what} “{name}” {}", t("Move", "将"), t("up", "上移"));
                    let down = format!("{} {what} “{name}” {}", t("Move", "将"), t("down", "下移"));
                    view! {
                        <li class=if level == 2 { "outline-chapter" } else { "outline-lesson" } data-testid="outline-entry"
                            on:dragover=move |ev: leptos::ev::DragEvent| ev.prevent_default()
                            on:drop=move |ev: leptos::ev::DragEvent| {
                                ev.prevent_default();
                                if let Some(from) = ed.dragging.get_value() {
                                    ed.dragging.set_value(None);
                                    let mut changed = false;
                                    ed.change(true, |d| {
                                        let before = d.free_ids();
                                        if d.move_section_to(from, id) {
                                            changed = before != d.free_ids();
                                        }
                                    });
                                    crossed.set(changed);
                                }
                            }>
                            <span class="drag-handle" draggable="true" aria-hidden="true"
                                on:dragstart=move |_| ed.dragging.set_value(Some(id))
                                on:dragend=move |_| ed.dragging.set_value(None)>"⠿"</span>
                            <button type="button" class="outline-go" id=format!("outline-{id}")
                                title=t("Go to it; Alt+Up or Alt+Down moves it", "跳转；Alt+上/下 移动")
                                on:click=move |_| focus_block(id)
                                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                                    if ev.alt_key() && (ev.key() == "ArrowUp" || ev.key() == "ArrowDown") {
                                        ev.prevent_default();
                                        move_by(id, if ev.key() == "ArrowUp" { -1 } else { 1 });
                                    }
                                }>{name}</button>
                            <button type="button" aria-label=up on:click=move |_| move_by(id, -1)>"↑"</button>
                            <button type="button" aria-label=down on:click=move |_| move_by(id, 1)>"↓"</button>
                        </li>
                    }.into_any()
                } />
            </ol>
            {move || crossed.get().then(|| view! {
                <p class="notice-warn" role="status" data-testid="outline-paywall-moved">
                    {t("That move changed what is free to read: check where the paywall is before publishing.",
                       "这次移动改变了免费试读的内容：发布前请检查付费分隔线的位置。")}
                </p>
            })}
            <p>
                <button type="button" on:click=move |_| add(false) data-testid="add-lesson">{t("+ Add a lesson at the end", "+ 在末尾添加一课")}</button>
                " "
                <button type="button" on:click=move |_| add(true) data-testid="add-chapter">{t("+ Add a chapter", "+ 添加一章")}</button>
            </p>
        </nav>
    }
}

/// A text field of the document's header (titles, summaries, description).
#[component]
fn TextField(
    ed: Ed,
    field: &'static str,
    class: &'static str,
    label: &'static str,
    lang: String,
    single_line: bool,
) -> impl IntoView {
    let value = move || {
        ed.doc.with(|d| match field {
            "title_en" => d.meta.title_en.clone(),
            "title_zh" => d.meta.title_zh.clone(),
            "summary_en" => d.meta.summary_en.clone(),
            "summary_zh" => d.meta.summary_zh.clone(),
            _ => d.meta.description.clone(),
        })
    };
    let on_input = move |ev: leptos::ev::Event| {
        let mut text = event_target_value(&ev);
        if single_line {
            text = text.replace('\n', " ");
        }
        ed.change(false, |d| {
            let slot = match field {
                "title_en" => &mut d.meta.title_en,
                "title_zh" => &mut d.meta.title_zh,
                "summary_en" => &mut d.meta.summary_en,
                "summary_zh" => &mut d.meta.summary_zh,
                _ => &mut d.meta.description,
            };
            *slot = text;
        });
    };
    let id = format!("field-{field}");
    view! {
        <label class="edit-label" for=id.clone()>{label}</label>
        <textarea id=id class=format!("edit-text {class}") lang=lang rows="1" prop:value=value on:input=on_input data-testid=format!("field-{field}")></textarea>
    }
}

#[component]
fn PriceField(ed: Ed) -> impl IntoView {
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
    let shown = ed.doc.with_untracked(|d| {
        let m = d.meta.price_minor;
        format!("{}.{:02}", m / 100, m % 100)
    });
    let error = RwSignal::new(false);
    let on_change = move |ev: leptos::ev::Event| {
        let raw = event_target_value(&ev);
        let raw = if raw.trim().is_empty() {
            "0".to_string()
        } else {
            raw
        };
        match crate::models::money::parse_major_units(&raw) {
            Some(minor) if minor <= crate::models::editor::MAX_PRICE_MINOR => {
                error.set(false);
                ed.change(true, |d| d.meta.price_minor = minor);
            }
            _ => error.set(true),
        }
    };
    view! {
        <p class="edit-price">
            <label for="field-price">{t("Price in yuan (0 = free)", "价格（元，0 为免费）")}</label>
            " "
            <input id="field-price" inputmode="decimal" value=shown on:change=on_change aria-invalid=move || error.get().to_string() aria-describedby="price-error" data-testid="field-price" />
            <span id="price-error" class="field-error" role="alert">
                {move || error.get().then(|| t("Write the price in yuan, like 49 or 49.90; the price was not changed.", "请用元填写价格，例如 49 或 49.90；价格未改动。"))}
            </span>
        </p>
    }
}

/// The cover picture, and "Change cover" (an uploaded image).
#[component]
fn CoverField(ed: Ed) -> impl IntoView {
    use crate::components::upload::UploadChoice;
    use crate::models::media::MediaKind;
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
    let cover = move || ed.doc.with(|d| d.meta.cover.clone());
    let done = Callback::new(move |media: crate::models::media::MediaRef| {
        ed.change(true, |d| d.meta.cover = media.url());
    });
    view! {
        <div class="edit-cover">
            {move || {
                let src = cover();
                if src.is_empty() {
                    Either::Left(view! {
                        <div class="item-cover no-cover" data-testid="edit-cover">
                            {t("A cover is drawn from the title when this is published; or upload one.", "发布时会根据标题绘制封面；也可以上传一张。")}
                        </div>
                    })
                } else {
                    Either::Right(view! { <img class="item-cover" src=src alt="" width="240" height="320" data-testid="edit-cover" /> })
                }
            }}
            <UploadChoice kind=MediaKind::Image label=t("Change cover", "更换封面") testid="upload-cover" done />
        </div>
    }
}

#[component]
fn TagsField(ed: Ed, choices: StoredValue<Vec<(String, String)>>) -> impl IntoView {
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
    let shown = ed.doc.with_untracked(|d| d.meta.tags.join(", "));
    let unknown = RwSignal::new(Vec::<String>::new());
    let on_change = move |ev: leptos::ev::Event| {
        let tags: Vec<String> = event_target_value(&ev)
            .split([',', '，'])
            .map(|t| t.trim().trim_start_matches('#').to_lowercase())
            .filter(|t| !t.is_empty())
            .collect();
        unknown.set(
            tags.iter()
                .filter(|t| !choices.with_value(|c| c.iter().any(|(s, _)| s == *t)))
                .cloned()
                .collect(),
        );
        ed.change(true, |d| d.meta.tags = tags);
    };
    view! {
        <p class="edit-tags">
            <label for="field-tags">{t("Tags, separated by commas", "标签，用逗号分隔")}</label>
            " "
            <input id="field-tags" list="tag-choices" value=shown on:change=on_change aria-describedby="tags-error" data-testid="field-tags" />
            <datalist id="tag-choices">
                {choices.get_value().into_iter().map(|(slug, name)| view! { <option value=slug>{name}</option> }).collect_view()}
            </datalist>
            <span id="tags-error" class="field-error" role="alert">
                {move || {
                    let u = unknown.get();
                    (!u.is_empty()).then(|| format!("{} {}", t("Not in the tag list (publishing will ask you to change them):", "不在标签列表中（发布前需修改）："), u.join(", ")))
                }}
            </span>
        </p>
    }
}

/// One slot of the block list: a block with its tools, or the paywall divider.
#[component]
fn SlotEdit(ed: Ed, id: u32) -> impl IntoView {
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
    // Only the block's type: typing does not redraw the block (which would lose the caret).
    let shape = Memo::new(move |_| {
        ed.doc.with(|d| {
            d.slots
                .iter()
                .find(|s| s.id == id)
                .map(|s| s.block.as_ref().map(|b| (b.kind, b.level)))
        })
    });
    let position = Memo::new(move |_| ed.doc.with(|d| d.index(id).map_or(0, |i| i + 1)));
    let shift = move |by: isize| {
        ed.change(true, |d| {
            d.shift(id, by);
        });
    };
    view! {
        {move || match shape.get() {
            None => ().into_any(),
            Some(None) => view! {
                <div class="paywall-divider" role="separator" tabindex="0" id=format!("blk-{id}") data-testid="paywall-divider"
                    draggable="true"
                    on:dragstart=move |_| ed.dragging.set_value(Some(id))
                    on:dragend=move |_| ed.dragging.set_value(None)
                    on:dragover=move |ev: leptos::ev::DragEvent| ev.prevent_default()
                    on:drop=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); ed.drop_on(id); }
                    aria-label=t("Paywall: above is the free preview, below is for buyers. Alt+Up or Alt+Down moves it.", "付费分隔线：上方为免费试读，下方购买后可读。Alt+上/下 可移动。")
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                        if ev.alt_key() && (ev.key() == "ArrowUp" || ev.key() == "ArrowDown") {
                            ev.prevent_default();
                            shift(if ev.key() == "ArrowUp" { -1 } else { 1 });
                            focus_block(id);
                        }
                    }>
                    <span>{t("Free preview above · paid below", "上方免费试读 · 下方付费内容")}</span>
                    <button type="button" aria-label=t("Move the paywall up", "分隔线上移") on:click=move |_| shift(-1)>"↑"</button>
                    <button type="button" aria-label=t("Move the paywall down", "分隔线下移") on:click=move |_| shift(1)>"↓"</button>
                </div>
            }.into_any(),
            Some(Some((kind, level))) => view! { <BlockEdit ed id kind level position shift /> }.into_any(),
        }}
    }
}

#[component]
fn BlockEdit(
    ed: Ed,
    id: u32,
    kind: BlockKind,
    level: Option<u8>,
    position: Memo<usize>,
    shift: impl Fn(isize) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
    let current = type_value(kind, level);
    let text = move || {
        ed.doc.with(|d| {
            d.slots
                .iter()
                .find(|s| s.id == id)
                .and_then(|s| s.block.as_ref())
                .map(|b| {
                    if b.kind == BlockKind::List {
                        b.items.join("\n")
                    } else {
                        b.text.clone()
                    }
                })
                .unwrap_or_default()
        })
    };
    let on_input = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        ed.change(false, |d| {
            if let Some(b) = d.block_mut(id) {
                if b.kind == BlockKind::List {
                    b.items = value.split('\n').map(str::to_string).collect();
                } else if b.kind == BlockKind::Heading {
                    b.text = value.replace('\n', " ");
                } else {
                    b.text = value;
                }
            }
        });
    };
    let add_below = move || {
        let mut new_id = Vec::new();
        ed.change(true, |d| {
            new_id = d.insert_after(Some(id), vec![empty_paragraph()])
        });
        if let Some(n) = new_id.first() {
            focus_block(*n);
        }
    };
    let delete = move || {
        let mut focus = None;
        ed.change(true, |d| {
            if let Some(i) = d.index(id) {
                d.slots.remove(i);
                focus = d.slots[..i.min(d.slots.len())]
                    .iter()
                    .rev()
                    .find(|s| s.block.is_some())
                    .map(|s| s.id);
            }
        });
        if let Some(f) = focus {
            focus_block(f);
        }
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let key = ev.key();
        if ev.alt_key() && (key == "ArrowUp" || key == "ArrowDown") {
            ev.prevent_default();
            shift(if key == "ArrowUp" { -1 } else { 1 });
            focus_block(id);
        } else if (ev.ctrl_key() || ev.meta_key()) && key == "Enter" {
            ev.prevent_default();
            add_below();
        } else if key == "Backspace" && text().is_empty() {
            ev.prevent_default();
            delete();
        }
    };
    let on_paste = move |ev: leptos::ev::ClipboardEvent| {
        #[cfg(feature = "hydrate")]
        {
            let Some(data) = ev.clipboard_data() else {
                return;
            };
            let html = data.get_data("text/html").unwrap_or_default();
            let plain = data.get_data("text/plain").unwrap_or_default();
            let blocks = if !html.trim().is_empty() {
                crate::models::editor::html_to_blocks(&html)
            } else {
                crate::models::editor::text_to_blocks(&plain)
            };
            // One paragraph of text pastes as typing does; anything with structure
            // becomes blocks after this one (replacing it if it is empty).
            let structured = blocks.len() > 1
                || blocks
                    .first()
                    .is_some_and(|b| b.kind != BlockKind::Paragraph);
            if !structured {
                if !html.trim().is_empty() && plain.is_empty() {
                    ev.prevent_default();
                }
                return;
            }
            ev.prevent_default();
            let replace = text().trim().is_empty();
            let mut ids = Vec::new();
            ed.change(true, |d| {
                ids = d.insert_after(Some(id), blocks);
                if replace {
                    if let Some(i) = d.index(id) {
                        d.slots.remove(i);
                    }
                }
            });
            if let Some(last) = ids.last() {
                focus_block(*last);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let class = match kind {
        BlockKind::Heading if level.unwrap_or(2) >= 3 => "edit-text edit-h4",
        BlockKind::Heading => "edit-text edit-h3",
        BlockKind::Paragraph => "edit-text edit-p",
        BlockKind::List => "edit-text edit-list",
        BlockKind::Quote => "edit-text edit-quote",
        BlockKind::Code => "edit-text edit-code",
        BlockKind::Callout => "edit-text edit-callout callout",
        BlockKind::Media => "edit-text edit-caption",
    };
    let course = ed.doc.with_untracked(|d| d.course);
    let label = move || {
        let name = TYPES
            .iter()
            .find(|(v, _, _)| *v == current)
            .map_or(t("Media", "媒体"), |(v, en, zh)| {
                type_name(v, en, zh, course, locale)
            });
        match locale {
            Locale::En => format!("Block {}: {name}", position.get()),
            Locale::Zh => format!("第 {} 块：{name}", position.get()),
        }
    };
    let media = ed.doc.with_untracked(|d| {
        d.slots
            .iter()
            .find(|s| s.id == id)
            .and_then(|s| s.block.as_ref())
            .and_then(|b| b.media.clone())
    });
    let is_media = kind == BlockKind::Media;
    let preview = media.clone().map(|m| view! { <MediaPreview m /> });
    let media_label = media.as_ref().map(|m| media_name(m.kind, locale));
    view! {
        <div class="edit-block" data-kind=current data-testid="edit-block"
            on:dragover=move |ev: leptos::ev::DragEvent| ev.prevent_default()
            on:drop=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); ed.drop_on(id); }>
            <div class="block-tools" role="toolbar" aria-label=label>
                <span class="drag-handle" draggable="true" title=t("Drag to move (or Alt+Up / Alt+Down)", "拖动以移动（或 Alt+上 / Alt+下）")
                    aria-hidden="true"
                    on:dragstart=move |_| ed.dragging.set_value(Some(id))
                    on:dragend=move |_| ed.dragging.set_value(None)>"⠿"</span>
                {media_label.map(|l| view! { <span class="media-label">{l}</span> })}
                <select aria-label=t("Block type", "块类型") hidden=is_media on:change=move |ev| {
                    let value = event_target_value(&ev);
                    ed.change(true, |d| {
                        if let Some(b) = d.block_mut(id) {
                            *b = retyped(b, &value);
                        }
                    });
                    focus_block(id);
                }>
                    {TYPES.iter().map(|(v, en, zh)| view! {
                        <option value=*v selected=*v == current>{type_name(v, en, zh, course, locale)}</option>
                    }).collect_view()}
                </select>
                <button type="button" aria-label=t("Move up (Alt+Up)", "上移（Alt+上）") on:click=move |_| shift(-1)>"↑"</button>
                <button type="button" aria-label=t("Move down (Alt+Down)", "下移（Alt+下）") on:click=move |_| shift(1)>"↓"</button>
                <button type="button" aria-label=t("Add a paragraph below (Ctrl+Enter)", "在下方添加段落（Ctrl+Enter）") on:click=move |_| add_below()>"+"</button>
                <button type="button" aria-label=t("Delete this block", "删除此块") on:click=move |_| delete()>"×"</button>
            </div>
            {preview}
            <textarea id=format!("blk-{id}") class=class rows="1" aria-label=label
                prop:value=text on:input=on_input on:keydown=on_keydown on:paste=on_paste
                placeholder=match kind {
                    BlockKind::List => t("One entry per line", "每行一项"),
                    BlockKind::Media => t("Caption (for images, also what a screen reader says)", "说明文字（图片的说明也会被读屏软件读出）"),
                    _ => "",
                }></textarea>
        </div>
    }
}

fn media_name(kind: crate::models::media::MediaKind, locale: Locale) -> &'static str {
    use crate::models::media::MediaKind;
    match kind {
        MediaKind::Image => locale.pick("Image", "图片"),
        MediaKind::Audio => locale.pick("Audio", "音频"),
        MediaKind::Video => locale.pick("Video", "视频"),
        MediaKind::File => locale.pick("File", "文件"),
    }
}

/// What a media block holds, small, in the editor.
#[component]
fn MediaPreview(m: crate::models::media::MediaRef) -> impl IntoView {
    use crate::models::media::MediaKind;
    let url = m.url();
    match m.kind {
        MediaKind::Image => view! { <img class="edit-media" src=m.widths.first().map_or(url, |w| m.url_at(*w)) alt="" /> }.into_any(),
        MediaKind::Audio => view! { <audio class="edit-media" controls=true preload="none" src=url></audio> }.into_any(),
        MediaKind::Video => view! { <video class="edit-media" controls=true preload="none" src=url></video> }.into_any(),
        MediaKind::File => view! { <p class="edit-media">{format!("{} ({})", m.name, m.size_text())}</p> }.into_any(),
    }
}

/// "Add an image, audio, video or file": each kind's limit is shown before choosing; the
/// upload shows its progress; a large one goes in pieces and resumes after a dropped
/// connection (or when the same file is chosen again).
#[component]
fn MediaAdder(ed: Ed) -> impl IntoView {
    use crate::models::media::{human_size, MediaKind};
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
    let progress = RwSignal::new(None::<(String, f64)>);
    let error = RwSignal::new(None::<String>);
    view! {
        <div class="media-adder" data-testid="media-adder">
            <p>{t("Add an image, audio, video or file at the end:", "在末尾添加图片、音频、视频或文件：")}</p>
            <div class="row">
                {MediaKind::ALL.into_iter().map(|kind| {
                    let on_change = move |ev: leptos::ev::Event| {
                        #[cfg(feature = "hydrate")]
                        crate::components::upload::chosen(ev, kind, progress, error, locale, move |media| {
                            let block = Block {
                                media: Some(media),
                                ..Block::text(BlockKind::Media, String::new())
                            };
                            let mut ids = Vec::new();
                            ed.change(true, |d| ids = d.insert_after(None, vec![block]));
                            if let Some(id) = ids.first() {
                                focus_block(*id);
                            }
                        });
                        #[cfg(not(feature = "hydrate"))]
                        let _ = (ev, kind, progress, error, ed);
                    };
                    view! {
                        <label class="button secondary upload-choice">
                            {format!("{} ({} {})", media_name(kind, locale), t("up to", "最大"), human_size(kind.limit()))}
                            <input type="file" class="visually-hidden" accept=kind.accept()
                                data-testid=format!("upload-{}", kind.as_str()) on:change=on_change />
                        </label>
                    }
                }).collect_view()}
            </div>
            {move || progress.get().map(|(name, share)| view! {
                <p class="upload-progress" role="status" data-testid="upload-progress">
                    <label>
                        {format!("{} {name}: {:.0}%", t("Uploading", "正在上传"), share * 100.0)}
                        " " <progress max="1" value=share.to_string()></progress>
                    </label>
                </p>
            })}
            {move || error.get().map(|e| view! { <p class="notice-warn" role="alert" data-testid="upload-error">{e}</p> })}
        </div>
    }
}

/// The draft as a learner who has not bought the item would see it.
#[component]
fn LearnerPreview(ed: Ed, zh_item: bool) -> impl IntoView {
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
    let doc = ed.doc.with_untracked(EditDoc::to_doc);
    let (title, summary) = if zh_item {
        (doc.title_zh.clone(), doc.summary_zh.clone())
    } else {
        (doc.title_en.clone(), doc.summary_en.clone())
    };
    let preview = doc.publishable_blocks(&doc.preview);
    let locked = doc
        .publishable_blocks(&doc.body)
        .iter()
        .filter(|b| b.kind == BlockKind::Heading)
        .count();
    view! {
        <article class="item learner-preview" data-testid="learner-preview">
            <p class="notice">{t("This is how a learner who has not bought the item sees the draft.", "这是未购买的读者看到的草稿样子。")}</p>
            <h1>{title}</h1>
            <p class="item-summary">{summary}</p>
            <section class="description">
                <h2>{t("About", "简介")}</h2>
                {doc.description.split("\n\n").filter(|p| !p.trim().is_empty()).map(|p| view! { <p>{p.to_string()}</p> }).collect_view()}
            </section>
            <section class="preview">
                <h2>{t("Free preview", "免费试读")}</h2>
                <Blocks blocks=preview first_heading=0 />
            </section>
            <aside class="paywall">
                <h2>{t("The rest is for buyers", "其余内容购买后可读")}</h2>
                {(locked > 0).then(|| view! { <p class="muted">{match locale {
                    Locale::En => format!("+ {locked} more section{} for buyers", if locked == 1 { "" } else { "s" }),
                    Locale::Zh => format!("另有 {locked} 节，购买后可读"),
                }}</p> })}
            </aside>
        </article>
    }
}

/// Line-by-line differences, removed lines struck through and added ones marked.
#[component]
fn DiffView(old: ItemDoc, new: ItemDoc) -> impl IntoView {
    let lines = diff(&doc_lines(&old), &doc_lines(&new));
    let changed = lines
        .iter()
        .filter(|l| !matches!(l, DiffLine::Same(_)))
        .count();
    let locale = crate::components::forms::use_locale();
    view! {
        <p class="muted">{match locale {
            Locale::En => format!("{changed} line{} differ.", if changed == 1 { "" } else { "s" }),
            Locale::Zh => format!("{changed} 行不同。"),
        }}</p>
        <ol class="diff" data-testid="diff">
            {lines.into_iter().map(|l| match l {
                DiffLine::Same(s) => view! { <li class="same">{s}</li> }.into_any(),
                DiffLine::Removed(s) => view! { <li class="removed"><del>{s}</del></li> }.into_any(),
                DiffLine::Added(s) => view! { <li class="added"><ins>{s}</ins></li> }.into_any(),
            }).collect_view()}
        </ol>
    }
}

/// Shown when another editor saved first: both texts, and the choice.
#[component]
fn ConflictPanel(session: Session) -> impl IntoView {
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
    move || match session.state.get() {
        SaveState::Conflict(theirs) => {
            let mine = session.ed.doc.with_untracked(EditDoc::to_doc);
            let who = if theirs.saved_by.is_empty() {
                t("Someone", "有人").to_string()
            } else {
                theirs.saved_by.clone()
            };
            let theirs_doc = theirs.doc.clone();
            let keep_theirs = theirs.clone();
            let their_revision = theirs.revision;
            let their_saved_at = theirs.saved_at.clone();
            Some(view! {
                <section class="conflict" role="alert" data-testid="conflict">
                    <h2>{t("This page was changed in another editor", "此页面已在别处被修改")}</h2>
                    <p>{match locale {
                        Locale::En => format!("{who} saved a newer version ({}) after you opened this one. Nothing is lost: your text stays here and is also kept in the history. Below, their version is struck through where yours differs.", locale.date_time(&theirs.saved_at)),
                        Locale::Zh => format!("{who}在你打开之后保存了更新的版本（{}）。没有内容丢失：你的文字仍在这里，也保存在历史版本中。下方划线的是对方版本中与你不同的部分。", locale.date_time(&theirs.saved_at)),
                    }}</p>
                    <DiffView old=theirs_doc new=mine />
                    <p>
                        <button type="button" class="button primary" data-testid="keep-mine" on:click=move |_| {
                            // Mine goes on top of theirs: a new save from their revision.
                            session.revision.set(their_revision);
                            session.failed_change.set(None);
                            session.state.set(SaveState::Saved(their_saved_at.clone()));
                            session.ed.changes.update(|c| *c += 1);
                            session.save_soon();
                        }>{t("Keep my version", "保留我的版本")}</button>
                        " "
                        <button type="button" class="button" data-testid="take-theirs" on:click=move |_| session.take(&keep_theirs)>
                            {t("Use their version", "使用对方的版本")}
                        </button>
                    </p>
                </section>
            })
        }
        _ => None,
    }
}

/// The version history: what was saved and published when, a diff with the current draft,
/// and restore.
#[component]
fn HistoryPanel(session: Session) -> impl IntoView {
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
    let refresh = RwSignal::new(0u32);
    let list = LocalResource::new(move || {
        refresh.track();
        draft_history(session.slug.get_value())
    });
    let compared = RwSignal::new(None::<VersionView>);
    let problem = RwSignal::new(None::<String>);
    let compare = move |id: String| {
        spawn_local(async move {
            match draft_version(session.slug.get_value(), id).await {
                Ok(v) => compared.set(Some(v)),
                Err(e) => problem.set(Some(e.to_string())),
            }
        });
    };
    let restore = move |id: String| {
        spawn_local(async move {
            let version = match draft_version(session.slug.get_value(), id.clone()).await {
                Ok(v) => v,
                Err(e) => return problem.set(Some(e.to_string())),
            };
            // Unsaved typing goes into the history first, so restoring never loses it.
            session.save().await;
            match restore_version(
                session.slug.get_value(),
                id,
                session.revision.get_untracked(),
            )
            .await
            {
                Ok(SaveOutcome::Saved { revision, saved_at }) => {
                    session.ed.replace(EditDoc::from_doc(version.doc));
                    session.revision.set(revision);
                    session.saved_change.set(session.ed.changes.get_untracked());
                    session.state.set(SaveState::Saved(saved_at));
                    compared.set(None);
                    refresh.update(|r| *r += 1);
                }
                Ok(SaveOutcome::Conflict { theirs }) => {
                    session.state.set(SaveState::Conflict(theirs))
                }
                Err(e) => problem.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <section class="history" aria-labelledby="history-h" data-testid="history">
            <h2 id="history-h">{t("Version history", "历史版本")}</h2>
            {move || problem.get().map(|p| view! { <p class="notice-warn" role="alert">{p}</p> })}
            <Suspense fallback=move || view! { <p class="loading">{t("Loading…", "加载中…")}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(versions) if versions.is_empty() => Either::Left(view! {
                            <p class="muted">{t("No versions yet: they appear as you save and publish.", "还没有版本：保存和发布后会出现在这里。")}</p>
                        }.into_any()),
                        Ok(versions) => Either::Left(view! {
                            <ol class="versions">
                                {versions.into_iter().map(|v| {
                                    let (a, b) = (v.id.clone(), v.id.clone());
                                    view! {
                                        <li data-testid="version">
                                            <strong>{v.kind.label(locale)}</strong>
                                            " · " {locale.date_time(&v.at)}
                                            " · " {v.author}
                                            " · " <span class="muted">{format!("r{}", v.revision)}</span>
                                            " " <button type="button" on:click=move |_| compare(a.clone())>{t("Compare with the draft", "与草稿比较")}</button>
                                            " " <button type="button" data-testid="restore" on:click=move |_| restore(b.clone())>{t("Restore", "恢复")}</button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                        }.into_any()),
                        Err(error) => Either::Right(view! { <ErrorNotice error /> }),
                    }
                })}
            </Suspense>
            {move || compared.get().map(|v| {
                let current = session.ed.doc.with_untracked(EditDoc::to_doc);
                view! {
                    <h3>{format!("{} {} → {}", t("Changes from", "变化："), locale.date_time(&v.summary.at), t("the draft", "当前草稿"))}</h3>
                    <DiffView old=v.doc new=current />
                }
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(text: &str) -> Block {
        Block {
            text: text.into(),
            ..empty_paragraph()
        }
    }

    #[test]
    fn the_paywall_divides_preview_and_body_wherever_it_is_moved() {
        let doc = ItemDoc {
            preview: vec![block("a"), block("b")],
            body: vec![block("c")],
            ..ItemDoc::default()
        };
        let mut e = EditDoc::from_doc(doc.clone());
        assert_eq!(e.to_doc(), doc);
        let wall = e.slots[e.paywall_at()].id;
        assert!(e.shift(wall, -1));
        let moved = e.to_doc();
        assert_eq!(moved.preview, vec![block("a")]);
        assert_eq!(moved.body, vec![block("b"), block("c")]);
        let first = e.slots[0].id;
        assert!(!e.shift(first, -1), "the first block cannot move up");
    }

    fn course() -> EditDoc {
        let h = |level, text: &str| Block {
            level: Some(level),
            ..Block::text(BlockKind::Heading, text.into())
        };
        let mut e = EditDoc::from_doc(ItemDoc {
            preview: vec![h(2, "Ch1"), h(3, "L1"), block("l1 text")],
            body: vec![
                h(3, "L2"),
                block("l2 text"),
                h(2, "Ch2"),
                block("intro"),
                h(3, "L3"),
            ],
            ..ItemDoc::default()
        });
        e.course = true;
        e.key_lessons();
        e
    }

    fn texts(e: &EditDoc) -> Vec<String> {
        e.slots
            .iter()
            .map(|s| s.block.as_ref().map_or("|".into(), |b| b.text.clone()))
            .collect()
    }

    fn id_of(e: &EditDoc, text: &str) -> u32 {
        e.slots
            .iter()
            .find(|s| s.block.as_ref().is_some_and(|b| b.text == text))
            .unwrap()
            .id
    }

    #[test]
    fn chapters_and_lessons_move_with_their_text_and_keep_their_keys() {
        let mut e = course();
        let lessons = |e: &EditDoc| -> Vec<String> {
            let d = e.to_doc();
            d.preview
                .iter()
                .chain(&d.body)
                .filter_map(|b| b.lesson.clone())
                .collect()
        };
        assert_eq!(lessons(&e).len(), 3, "every lesson has a key");
        // Chapter 2 above chapter 1, with its introduction and lesson.
        assert!(e.move_section(id_of(&e, "Ch2"), -1));
        assert_eq!(
            texts(&e),
            ["Ch2", "intro", "L3", "Ch1", "L1", "l1 text", "|", "L2", "l2 text"]
        );
        let mut e = course();
        let keys = lessons(&e);
        // A lesson swaps with the one below, taking the paywall it contains along.
        assert!(e.move_section(id_of(&e, "L1"), 1));
        assert_eq!(
            texts(&e),
            ["Ch1", "L2", "l2 text", "L1", "l1 text", "|", "Ch2", "intro", "L3"]
        );
        // The last lesson of a chapter becomes the first of the next, after its introduction.
        let l1 = id_of(&e, "L1");
        assert!(e.move_section(l1, 1));
        assert_eq!(
            texts(&e),
            ["Ch1", "L2", "l2 text", "Ch2", "intro", "L1", "l1 text", "|", "L3"]
        );
        // And back up into chapter 1 as its last lesson.
        assert!(e.move_section(l1, -1));
        assert_eq!(
            texts(&e),
            ["Ch1", "L2", "l2 text", "L1", "l1 text", "|", "Ch2", "intro", "L3"]
        );
        // The very first lesson cannot leave the first chapter upwards; the first chapter
        // cannot go higher.
        let l2 = id_of(&e, "L2");
        assert!(!e.move_section(l2, -1));
        assert!(!e.move_section(id_of(&e, "Ch1"), -1));
        // Dragging a lesson onto another puts it in that one's place.
        let l3 = id_of(&e, "L3");
        assert!(e.move_section_to(l3, l2));
        assert_eq!(
            e.outline().iter().map(|o| o.2.as_str()).collect::<Vec<_>>(),
            ["Ch1", "L3", "L2", "L1", "", "Ch2"]
        );
        let after = lessons(&e);
        assert_eq!(after.len(), 3);
        assert!(
            keys.iter().all(|k| after.contains(k)),
            "moving keeps every key"
        );
    }

    #[test]
    fn dragging_a_block_onto_another_puts_it_in_its_place() {
        let doc = ItemDoc {
            preview: vec![block("a"), block("b"), block("c")],
            ..ItemDoc::default()
        };
        let mut e = EditDoc::from_doc(doc);
        let (a, c) = (e.slots[0].id, e.slots[2].id);
        assert!(e.move_to(a, c));
        assert_eq!(e.to_doc().preview, vec![block("b"), block("c"), block("a")]);
        assert!(!e.move_to(a, a));
        let wall = e.slots[e.paywall_at()].id;
        assert!(e.move_to(wall, e.slots[0].id));
        assert!(
            e.to_doc().preview.is_empty(),
            "the paywall dragged to the top"
        );
    }

    #[test]
    fn retyping_keeps_the_words() {
        let list = retyped(&block("one\ntwo"), "ol");
        assert_eq!(list.items, vec!["one".to_string(), "two".to_string()]);
        assert_eq!(list.level, Some(1));
        let back = retyped(&list, "h2");
        assert_eq!(back.text, "one two");
        assert_eq!(type_value(back.kind, back.level), "h2");
    }
}
