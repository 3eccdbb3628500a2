//! `/read/<slug>`: the reader. The whole text in comfortable type, the chapters, a font size
//! and a light, dark or sepia page (remembered on the device), and the place the learner
//! stopped — saved on the device at once and on their account a moment later, so the reader
//! opens there again on this device or any other. Without JavaScript the text is all there,
//! in the default type.

use crate::api::reading::load_reader;
use crate::components::forms::use_me;
use crate::components::notice::ErrorNotice;
use crate::components::seo::PageMeta;
use crate::models::i18n::Locale;
use crate::models::notes::{Note, NoteKind};
use crate::models::reading::{CourseState, ReaderView, Theme, DEFAULT_FONT_SIZE, FONT_SIZES};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The reader page.
#[component]
pub fn ReaderPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let view = crate::codec::resource(slug, load_reader);
    let t = use_me().locale;
    view! {
        <Suspense fallback=|| view! { <crate::components::notice::Loading /> }>
            {move || Suspend::new(async move {
                match view.await {
                    Ok(r) => Either::Left(view! { <Reader r /> }),
                    Err(error) => Either::Right(view! {
                        <PageMeta title=crate::components::forms::use_locale().pick("Reader", "阅读器") description=crate::components::forms::use_locale().pick("The reader.", "阅读器。") path=format!("/read/{}", slug()) />
                        <section class="reader-closed">
                            <ErrorNotice error />
                            <p><a href=format!("/item/{}", slug())>{t.pick("Back to the item page", "返回内容页")}</a></p>
                        </section>
                    }),
                }
            })}
        </Suspense>
    }
}

/// What the position line under the toolbar says.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SyncState {
    /// Nothing read yet in this visit.
    Idle,
    /// Saved on this device; waiting to send.
    Local,
    /// The account has it.
    Synced,
    /// Sending failed (offline): kept on this device, sent again when back online.
    Offline,
}

#[component]
fn Reader(r: ReaderView) -> impl IntoView {
    let t = use_me().locale;
    let user = use_me().user.map(|u| u.key);
    let signed_in = user.is_some();
    let size = RwSignal::new(DEFAULT_FONT_SIZE);
    let theme = RwSignal::new(Theme::default());
    let percent = RwSignal::new(r.position.map(|p| (p.fraction * 100.0).round() as u32));
    let sync = RwSignal::new(SyncState::Idle);
    let notes = RwSignal::new(r.notes.clone());
    let path = format!("/read/{}", r.slug);
    let item_path = format!("/item/{}", r.slug);
    #[cfg(feature = "hydrate")]
    client::start(&r, signed_in, size, theme, percent, sync);
    let status = move || match sync.get() {
        SyncState::Idle => String::new(),
        SyncState::Local => t.pick("Saved on this device", "已保存在本设备").to_string(),
        SyncState::Synced => t
            .pick("Position saved to your account", "阅读位置已同步")
            .to_string(),
        SyncState::Offline => t
            .pick(
                "Offline — your place is kept on this device and sent when you are back online",
                "离线：阅读位置已保存在本设备，联网后会同步",
            )
            .to_string(),
    };
    let toc = r.toc;
    let slug = r.slug.clone();
    view! {
        <PageMeta title=r.title.clone() description=format!("{} — {}", r.title, r.creator) path=path />
        // Sizes are classes, not a style attribute: the Content-Security-Policy allows no
        // inline styles.
        <div class=move || format!("reader theme-{} size-{}", theme.get().as_str(), size.get())
             data-testid="reader">
            <div class="reader-bar" role="toolbar" aria-label=t.pick("Reading settings", "阅读设置")>
                <a href=item_path>{t.pick("← Item page", "← 内容页")}</a>
                {(!toc.is_empty()).then(|| view! {
                    <details class="reader-toc">
                        <summary>{t.pick("Chapters", "目录")}</summary>
                        <ol>
                            {toc.into_iter().map(|c| view! {
                                <li class=format!("toc-l{}", c.level)><a href=format!("#{}", c.anchor)>{c.title}</a></li>
                            }).collect_view()}
                        </ol>
                    </details>
                })}
                <span class="reader-size">
                    // The visible "A−" starts the accessible name, as speech input expects.
                    <button type="button"
                        disabled=move || size.get() == 0
                        on:click=move |_| size.update(|s| *s = s.saturating_sub(1))>
                        "A−"<span class="visually-hidden">{t.pick(" Smaller text", " 缩小字号")}</span>
                    </button>
                    <button type="button"
                        disabled=move || { size.get() + 1 >= FONT_SIZES.len() }
                        on:click=move |_| size.update(|s| *s = (*s + 1).min(FONT_SIZES.len() - 1))>
                        "A+"<span class="visually-hidden">{t.pick(" Larger text", " 放大字号")}</span>
                    </button>
                </span>
                <span class="reader-themes" role="group" aria-label=t.pick("Page colour", "页面颜色")>
                    {Theme::ALL.into_iter().map(|th| view! {
                        <button type="button" class=format!("swatch swatch-{}", th.as_str())
                            aria-pressed=move || (theme.get() == th).to_string()
                            on:click=move |_| theme.set(th)>
                            {match th {
                                Theme::Light => t.pick("Light", "白天"),
                                Theme::Dark => t.pick("Dark", "夜间"),
                                Theme::Sepia => t.pick("Sepia", "护眼"),
                            }}
                        </button>
                    }).collect_view()}
                </span>
                <span class="reader-percent" data-testid="reader-percent">
                    {move || percent.get().map(|p| format!("{p} %"))}
                </span>
            </div>
            <p class="reader-sync muted" aria-live="polite" data-testid="reader-sync">{status}</p>
            {(!signed_in).then(|| view! {
                <p class="muted reader-hint">{t.pick(
                    "Your place is kept on this device. Sign in to continue on your other devices.",
                    "阅读位置保存在本设备。登录后可在其他设备上继续阅读。",
                )}</p>
            })}
            <OfflineSave slug=r.slug.clone() cover=r.cover.clone() media=offline_media(&r.blocks) />
            {r.course.map(|course| view! { <CourseLessons slug=r.slug.clone() course signed_in /> })}
            <article class="reader-text" lang=r.language id="reader-text">
                <h1>{r.title}</h1>
                <p class="muted">{r.creator}</p>
                <div class="reader-blocks" id="reader-blocks">
                    <crate::pages::item::Blocks blocks=r.blocks first_heading=0 notes />
                </div>
            </article>
            {user.map(|user| view! { <Notebook user slug notes /> })}
        </div>
    }
}

/// A course's lessons above its text: how many are complete, a link to where each starts,
/// and — for a signed-in learner — "Mark complete" on each. Without JavaScript that is a
/// plain form (the page comes back at the lesson); with it the mark changes at once and is
/// sent in the background, and taken back with the reason if the store refuses it.
#[component]
fn CourseLessons(slug: String, course: CourseState, signed_in: bool) -> impl IntoView {
    use crate::api::reading::SetLessonDone;
    use server_fn::ServerFn;
    let t = use_me().locale;
    let total = course.lessons.len();
    let flags: Vec<RwSignal<bool>> = course
        .lessons
        .iter()
        .map(|l| RwSignal::new(l.done))
        .collect();
    let count = {
        let flags = flags.clone();
        move || flags.iter().filter(|f| f.get()).count()
    };
    let summary = {
        let count = count.clone();
        move || match t {
            Locale::En => format!("Lessons: {} of {total} complete", count()),
            Locale::Zh => format!("课时：已完成 {} / {total}", count()),
        }
    };
    let problem = RwSignal::new(None::<String>);
    // Whose device queue keeps marks made offline.
    let keeper = use_me().user.map(|u| u.key);
    let mut chapter = String::new();
    let items = course
        .lessons
        .into_iter()
        .zip(flags)
        .map(|(l, done)| {
            let heading = (l.chapter != chapter).then(|| {
                chapter = l.chapter.clone();
                view! { <li class="lesson-chapter">{l.chapter.clone()}</li> }
            });
            let (call_slug, call_key) = (slug.clone(), l.key.clone());
            let keeper = keeper.clone();
            let on_submit = move |ev: leptos::ev::SubmitEvent| {
                #[cfg(feature = "hydrate")]
                {
                    ev.prevent_default();
                    let now = !done.get_untracked();
                    done.set(now);
                    problem.set(None);
                    let (slug, key) = (call_slug.clone(), call_key.clone());
                    let keeper = keeper.clone();
                    leptos::task::spawn_local(async move {
                        let sent = if crate::offline::online() {
                            crate::api::reading::set_lesson_done(slug.clone(), key.clone(), now.to_string())
                                .await
                                .map_err(|e| e.to_string())
                        } else {
                            Err(String::new())
                        };
                        let Err(reason) = sent else { return };
                        // Offline: the mark is kept on the device and sent when back online.
                        if let Some(user) = keeper.filter(|_| !crate::offline::online()) {
                            use crate::models::catalog::form_encode;
                            let form = crate::formqueue::QueuedForm {
                                action: SetLessonDone::PATH.to_string(),
                                body: format!(
                                    "slug={}&lesson={}&done={now}",
                                    form_encode(&slug),
                                    form_encode(&key)
                                ),
                            };
                            if crate::formqueue::push(&user, form).await.is_ok() {
                                problem.set(Some(
                                    t.pick(
                                        "Saved on this device: it will be sent when you are back online.",
                                        "已保存在本设备，联网后会自动发送。",
                                    )
                                    .to_string(),
                                ));
                                return;
                            }
                        }
                        done.set(!now);
                        problem.set(Some(if reason.is_empty() {
                            t.pick(
                                "You are offline and the mark could not be kept on this device. Try again when you are back online.",
                                "您已离线，且无法保存在本设备。请联网后再试。",
                            )
                            .to_string()
                        } else {
                            reason
                        }));
                    });
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = (&ev, &call_slug, &call_key, &keeper);
            };
            let form = signed_in.then(|| {
                view! {
                    <form method="post" action=SetLessonDone::PATH class="inline-form" on:submit=on_submit>
                        <input type="hidden" name="slug" value=slug.clone() />
                        <input type="hidden" name="lesson" value=l.key.clone() />
                        <input type="hidden" name="done" value=move || (!done.get()).to_string() />
                        <button type="submit" class="link-button" data-testid="lesson-toggle">
                            {move || if done.get() { t.pick("✓ Complete — undo", "✓ 已完成 — 撤销") } else { t.pick("Mark complete", "标记为完成") }}
                        </button>
                    </form>
                }
            });
            let minutes = format!("{} {}", l.minutes, t.pick("min", "分钟"));
            view! {
                {heading}
                <li id=format!("lesson-{}", l.key) class="lesson" class:done=move || done.get() data-testid="lesson">
                    {match l.anchor {
                        Some(a) => Either::Left(view! { <a href=format!("#{a}")>{l.title}</a> }),
                        None => Either::Right(view! { <span>{l.title}</span> }),
                    }}
                    " " <span class="muted">{minutes}</span> " "
                    {form}
                </li>
            }
        })
        .collect_view();
    view! {
        <details class="course-lessons" open data-testid="course-lessons">
            <summary data-testid="course-progress">{summary}</summary>
            <progress max=total.to_string() value=move || count().to_string()
                aria-label=t.pick("Course progress", "课程进度")></progress>
            <p class="form-alert" role="alert">{move || problem.get()}</p>
            <ol class="lesson-list">{items}</ol>
        </details>
    }
}

/// A passage the learner selected in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Selected {
    block: u32,
    start: u32,
    end: u32,
    quote: String,
}

/// Where the learner's notes stand on this device.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
struct NoteSync {
    /// Changes kept on the device, not yet on the account.
    waiting: usize,
    /// The last problem, in words.
    problem: Option<String>,
    /// Whether the last sending reached the account.
    synced: bool,
}

/// The learner's highlights, notes and bookmarks on this text: the bar that appears when a
/// passage is selected (highlight, add a note), the note editor, "Bookmark this place",
/// and the list of everything with edit, delete, go-to and the Markdown export. Changes
/// are kept on the device first and sent to the account when it can be reached.
#[component]
fn Notebook(user: String, slug: String, notes: RwSignal<Vec<Note>>) -> impl IntoView {
    let t = use_me().locale;
    let selection = RwSignal::new(None::<Selected>);
    let editing = RwSignal::new(None::<Note>);
    let draft = RwSignal::new(String::new());
    let state = RwSignal::new(NoteSync::default());
    #[cfg(feature = "hydrate")]
    let change = Callback::new(client::notebook(
        user.clone(),
        slug.clone(),
        notes,
        selection,
        state,
    ));
    #[cfg(not(feature = "hydrate"))]
    let change = {
        let _ = &user;
        Callback::new(|_: Note| {})
    };
    let now = || {
        #[cfg(feature = "hydrate")]
        {
            js_sys::Date::now() as i64
        }
        #[cfg(not(feature = "hydrate"))]
        0
    };
    let make = move |kind: NoteKind| {
        selection.get_untracked().map(|s| Note {
            id: new_id(),
            kind,
            block: s.block,
            start: s.start,
            end: s.end,
            quote: s.quote,
            text: String::new(),
            updated_ms: now(),
            deleted: false,
        })
    };
    let highlight = move |_| {
        if let Some(n) = make(NoteKind::Highlight) {
            change.run(n);
            selection.set(None);
        }
    };
    let add_note = move |_| {
        if let Some(n) = make(NoteKind::Note) {
            draft.set(String::new());
            editing.set(Some(n));
        }
    };
    let bookmark = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some((block, _)) = client::measure() {
            let quote = client::block_opening(block);
            change.run(Note {
                id: new_id(),
                kind: NoteKind::Bookmark,
                block,
                start: 0,
                end: 0,
                quote,
                text: String::new(),
                updated_ms: now(),
                deleted: false,
            });
        }
    };
    let save_note = move |_| {
        let text = draft.get_untracked();
        if text.trim().is_empty() {
            state.update(|s| {
                s.problem = Some(
                    t.pick("Write something in the note first.", "请先写下笔记内容。")
                        .into(),
                )
            });
            return;
        }
        if let Some(mut n) = editing.get_untracked() {
            n.text = text;
            n.updated_ms = now();
            change.run(n);
        }
        editing.set(None);
        selection.set(None);
    };
    let live = move || {
        notes.with(|all| {
            all.iter()
                .filter(|n| !n.deleted)
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let count = move || notes.with(|all| all.iter().filter(|n| !n.deleted).count());
    let export = format!("/notes.md?slug={slug}");
    view! {
        <button type="button" class="bookmark-here" on:click=bookmark
            data-testid="bookmark-here">{t.pick("🔖 Bookmark this place", "🔖 在此处加书签")}</button>
        {move || selection.get().filter(|_| editing.with(Option::is_none)).map(|s| view! {
            // Pressing a button must not drop the selection it acts on.
            <div class="note-bar" role="toolbar" aria-label=t.pick("Selected passage", "所选段落")
                data-testid="note-bar" on:mousedown=|e| e.prevent_default()>
                <span class="note-bar-quote muted">{short(&s.quote, 40)}</span>
                <button type="button" on:click=highlight>{t.pick("Highlight", "划线")}</button>
                <button type="button" on:click=add_note>{t.pick("Add note", "写笔记")}</button>
            </div>
        })}
        {move || editing.get().map(|n| view! {
            <div class="note-editor" role="dialog" aria-label=t.pick("Note", "笔记") data-testid="note-editor">
                <blockquote>{short(&n.quote, 300)}</blockquote>
                <label>
                    <span>{t.pick("Your note", "我的笔记")}</span>
                    <textarea rows="4" maxlength="5000" prop:value=move || draft.get()
                        on:input=move |e| draft.set(event_target_value(&e))></textarea>
                </label>
                <div class="note-editor-actions">
                    <button type="button" on:click=save_note>{t.pick("Save note", "保存笔记")}</button>
                    <button type="button" class="link-button" on:click=move |_| editing.set(None)>
                        {t.pick("Cancel", "取消")}
                    </button>
                </div>
            </div>
        })}
        <details class="reader-notes" data-testid="reader-notes">
            <summary>{move || format!("{} ({})", t.pick("My notes", "我的笔记"), count())}</summary>
            <p class="muted" aria-live="polite" data-testid="notes-sync">{move || {
                let s = state.get();
                if let Some(p) = s.problem {
                    p
                } else if s.waiting > 0 {
                    format!("{}{}", t.pick(
                        "Kept on this device, sent when you are back online: ",
                        "保存在本设备，联网后同步：",
                    ), s.waiting)
                } else if s.synced {
                    t.pick("Saved to your account.", "已同步到你的账号。").to_string()
                } else {
                    t.pick("Only you can see your notes.", "笔记仅你自己可见。").to_string()
                }
            }}</p>
            <ol class="notes-list">
                <For each=live key=|n| (n.id.clone(), n.updated_ms) let:n>
                    <NoteEntry n=n.clone() editing draft change />
                </For>
            </ol>
            <p><a href=export download>{t.pick("Export my notes as Markdown", "导出笔记（Markdown）")}</a></p>
        </details>
    }
}

/// One entry in the notes list.
#[component]
fn NoteEntry(
    n: Note,
    editing: RwSignal<Option<Note>>,
    draft: RwSignal<String>,
    change: Callback<Note>,
) -> impl IntoView {
    let t = use_me().locale;
    let block = n.block;
    let label = match n.kind {
        NoteKind::Highlight => t.pick("Highlight", "划线"),
        NoteKind::Note => t.pick("Note", "笔记"),
        NoteKind::Bookmark => t.pick("Bookmark", "书签"),
    };
    let edit = {
        let n = n.clone();
        move |_| {
            draft.set(n.text.clone());
            editing.set(Some(n.clone()));
        }
    };
    let delete = {
        let n = n.clone();
        move |_| {
            let mut gone = n.clone();
            gone.deleted = true;
            #[cfg(feature = "hydrate")]
            {
                gone.updated_ms = (js_sys::Date::now() as i64).max(n.updated_ms + 1);
            }
            change.run(gone);
        }
    };
    view! {
        <li class=format!("note-entry note-{}", n.kind.as_str()) data-testid="note-entry">
            <span class="note-kind">{label}</span>
            <blockquote>{short(&n.quote, 300)}</blockquote>
            {(!n.text.is_empty()).then(|| view! { <p class="note-text">{n.text.clone()}</p> })}
            <span class="note-actions">
                <button type="button" class="link-button" on:click=move |_| {
                    #[cfg(feature = "hydrate")]
                    client::scroll_to_block(block);
                    #[cfg(not(feature = "hydrate"))]
                    let _ = block;
                }>{t.pick("Go to", "跳转")}</button>
                {(n.kind == NoteKind::Note).then(|| view! {
                    <button type="button" class="link-button" on:click=edit.clone()>{t.pick("Edit", "编辑")}</button>
                })}
                <button type="button" class="link-button" on:click=delete>{t.pick("Delete", "删除")}</button>
            </span>
        </li>
    }
}

/// At most `n` characters of `s`, with an ellipsis when cut.
fn short(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out
}

/// A new note id (made in the browser; the server never makes one).
fn new_id() -> String {
    #[cfg(feature = "hydrate")]
    {
        crate::outbox::new_id()
    }
    #[cfg(not(feature = "hydrate"))]
    String::new()
}

/// The files of `blocks` that "Download for offline" keeps: the audio, video, pictures and
/// attachments of the text, each once, in reading order.
fn offline_media(blocks: &[crate::models::catalog::Block]) -> Vec<String> {
    let mut urls: Vec<String> = Vec::new();
    for url in blocks
        .iter()
        .filter_map(|b| b.media.as_ref().map(|m| m.offline_url()))
    {
        if !urls.contains(&url) {
            urls.push(url);
        }
    }
    urls
}

/// "Download for offline": saves the reader page, its data, the item page, the cover and
/// the text's audio, video and pictures (`media`) on the device with a progress bar, says
/// how much the store uses on the device, and removes them again. Shown once the page runs
/// in the browser (it needs the browser's storage).
#[component]
fn OfflineSave(slug: String, cover: String, media: Vec<String>) -> impl IntoView {
    let t = use_me().locale;
    let mut urls = vec![
        format!("/read/{slug}"),
        format!("/api/reader?slug={slug}"),
        format!("/item/{slug}"),
        cover,
    ];
    urls.extend(media);
    urls.push("/library".to_string());
    // The last one, the library, is shared by every item and stays when one is removed.
    let own = urls.len() - 1;
    let saved = RwSignal::new(None::<bool>);
    let progress = RwSignal::new(None::<usize>);
    let used = RwSignal::new(None::<(String, String)>);
    let failed = RwSignal::new(None::<String>);
    let total = urls.len();
    #[cfg(feature = "hydrate")]
    let refresh = move || {
        leptos::task::spawn_local(async move {
            used.set(
                crate::offline::storage_estimate()
                    .await
                    .map(|(u, q)| (crate::offline::size_text(u), crate::offline::size_text(q))),
            )
        })
    };
    #[cfg(feature = "hydrate")]
    Effect::new({
        let urls = urls.clone();
        move |_| {
            let urls = urls.clone();
            leptos::task::spawn_local(async move {
                saved.set(Some(crate::offline::saved(&urls).await));
            });
            refresh();
        }
    });
    let download = {
        let urls = urls.clone();
        move |_| {
            #[cfg(feature = "hydrate")]
            {
                let urls = urls.clone();
                failed.set(None);
                progress.set(Some(0));
                leptos::task::spawn_local(async move {
                    match crate::offline::save(&urls, |n| progress.set(Some(n))).await {
                        Ok(()) => saved.set(Some(true)),
                        Err(e) => failed.set(Some(e)),
                    }
                    progress.set(None);
                    refresh();
                });
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = &urls;
        }
    };
    let remove = {
        let urls = urls[..own].to_vec();
        move |_| {
            #[cfg(feature = "hydrate")]
            {
                let urls = urls.clone();
                leptos::task::spawn_local(async move {
                    match crate::offline::remove(&urls).await {
                        Ok(()) => saved.set(Some(false)),
                        Err(e) => failed.set(Some(e)),
                    }
                    refresh();
                });
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = &urls;
        }
    };
    move || {
        saved.get().map(|is_saved| {
            view! {
                <section class="offline-save" aria-label=t.pick("Offline reading", "离线阅读") data-testid="offline-save">
                    {if is_saved {
                        Either::Left(view! {
                            <span data-testid="offline-ready">{t.pick("✓ Available offline on this device", "✓ 已下载，可离线阅读")}</span>
                            " " <button type="button" class="link-button" on:click=remove.clone()>{t.pick("Remove from this device", "从本设备删除")}</button>
                        })
                    } else {
                        Either::Right(view! {
                            <button type="button" on:click=download.clone() disabled=move || progress.get().is_some()>
                                {t.pick("Download for offline", "下载以离线阅读")}
                            </button>
                        })
                    }}
                    {move || progress.get().map(|n| view! {
                        " " <progress max=total.to_string() value=n.to_string()
                            aria-label=t.pick("Downloading", "下载进度")>{format!("{n}/{total}")}</progress>
                    })}
                    {move || used.get().map(|(u, q)| view! {
                        <span class="muted">{format!("{} {u} / {q}", t.pick("Stored on this device:", "本设备已用："))}</span>
                    })}
                    {move || failed.get().map(|e| view! {
                        <p class="form-error" role="alert">{format!("{} {e}", t.pick(
                            "Could not save for offline reading (what was saved stays):",
                            "无法完成离线下载（已下载的部分会保留）：",
                        ))}</p>
                    })}
                </section>
            }
        })
    }
}

/// The browser half: settings on the device, finding the block at the top of the screen,
/// saving the place locally at once and to the account after a pause, and opening at the
/// newer of the device's and the account's place.
#[cfg(feature = "hydrate")]
mod client {
    use super::{NoteSync, Selected, SyncState};
    use crate::api::reading::save_reading;
    use crate::models::notes::{merge, Note};
    use crate::models::reading::{
        ReaderView, ReadingPosition, Theme, DEFAULT_FONT_SIZE, FONT_SIZES,
    };
    use leptos::prelude::*;
    use serde::{Deserialize, Serialize};
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::JsCast;

    const SETTINGS_KEY: &str = "shuzhai.reader";
    /// Quiet time after scrolling before the place is sent to the account.
    const SEND_AFTER_MS: u32 = 1500;

    #[derive(Serialize, Deserialize)]
    struct Settings {
        size: usize,
        theme: Theme,
    }

    fn storage() -> Option<web_sys::Storage> {
        window().local_storage().ok().flatten()
    }

    fn place_key(slug: &str) -> String {
        format!("shuzhai.place.{slug}")
    }

    fn read_json<T: for<'de> Deserialize<'de>>(key: &str) -> Option<T> {
        serde_json::from_str(&storage()?.get_item(key).ok()??).ok()
    }

    fn write_json<T: Serialize>(key: &str, value: &T) {
        if let (Some(s), Ok(text)) = (storage(), serde_json::to_string(value)) {
            // A full device keeps the previous value: the account still gets the new one.
            let _ = s.set_item(key, &text);
        }
    }

    /// The blocks' container: its children are the blocks, in order.
    fn blocks() -> Option<web_sys::Element> {
        document().get_element_by_id("reader-blocks")
    }

    /// The block at the top of the screen and how far through the text the screen's bottom is.
    pub fn measure() -> Option<(u32, f64)> {
        let container = blocks()?;
        let children = container.children();
        let n = children.length();
        if n == 0 {
            return None;
        }
        let mut top = n - 1;
        for i in 0..n {
            if children.item(i)?.get_bounding_client_rect().bottom() > 60.0 {
                top = i;
                break;
            }
        }
        let rect = document()
            .get_element_by_id("reader-text")?
            .get_bounding_client_rect();
        let seen = window().inner_height().ok()?.as_f64()? - rect.top();
        let fraction = if rect.height() <= 0.0 {
            0.0
        } else {
            (seen / rect.height()).clamp(0.0, 1.0)
        };
        Some((top, (fraction * 1000.0).round() / 1000.0))
    }

    /// Scrolls so that block `block` is at the top, under the toolbar.
    pub fn scroll_to_block(block: u32) {
        let Some(el) = blocks().and_then(|c| c.children().item(block)) else {
            return;
        };
        let y = el.get_bounding_client_rect().top() + window().scroll_y().unwrap_or(0.0) - 70.0;
        window().scroll_to_with_x_and_y(0.0, y.max(0.0));
    }

    /// Sets everything going once the page is in the browser.
    pub fn start(
        r: &ReaderView,
        signed_in: bool,
        size: RwSignal<usize>,
        theme: RwSignal<Theme>,
        percent: RwSignal<Option<u32>>,
        sync: RwSignal<SyncState>,
    ) {
        let slug = r.slug.clone();
        let from_account = r.position;
        // The device's settings, then remember every change.
        Effect::new(move |first: Option<()>| {
            if first.is_none() {
                if let Some(s) = read_json::<Settings>(SETTINGS_KEY) {
                    size.set(s.size.min(FONT_SIZES.len() - 1));
                    theme.set(s.theme);
                }
            }
            let (size, theme) = (size.get(), theme.get());
            if first.is_some() || size != DEFAULT_FONT_SIZE || theme != Theme::default() {
                write_json(SETTINGS_KEY, &Settings { size, theme });
            }
        });
        // Pending: the newest place not yet on the account.
        let pending: Rc<RefCell<Option<ReadingPosition>>> = Rc::new(RefCell::new(None));
        let timer: Rc<RefCell<Option<gloo::timers::callback::Timeout>>> = Rc::default();
        let send = {
            let (slug, pending) = (slug.clone(), pending.clone());
            move || {
                let Some(p) = *pending.borrow() else {
                    return;
                };
                let (slug, pending) = (slug.clone(), pending.clone());
                leptos::task::spawn_local(async move {
                    match save_reading(slug, p.block, p.fraction, p.saved_ms).await {
                        Ok(_) => {
                            // Only clear what was sent: a newer place may have come meanwhile.
                            let mut slot = pending.borrow_mut();
                            if slot.is_some_and(|q| q.saved_ms == p.saved_ms) {
                                *slot = None;
                            }
                            sync.set(SyncState::Synced);
                        }
                        Err(e) => {
                            leptos::logging::warn!("could not save the reading position: {e}");
                            sync.set(SyncState::Offline);
                        }
                    }
                });
            }
        };
        // Open at the newer place; a newer one from this device is sent to the account.
        Effect::new({
            let (slug, pending, send) = (slug.clone(), pending.clone(), send.clone());
            move |_| {
                let local = read_json::<ReadingPosition>(&place_key(&slug));
                let newest = match (local, from_account) {
                    (Some(l), Some(a)) if l.saved_ms > a.saved_ms => {
                        if signed_in {
                            *pending.borrow_mut() = Some(l);
                            send();
                        }
                        Some(l)
                    }
                    (Some(l), None) => {
                        if signed_in {
                            *pending.borrow_mut() = Some(l);
                            send();
                        }
                        Some(l)
                    }
                    (_, a) => a,
                };
                if let Some(p) = newest {
                    percent.set(Some((p.fraction * 100.0).round() as u32));
                    if p.block > 0 {
                        // After the browser has laid the text out.
                        gloo::timers::callback::Timeout::new(0, move || scroll_to_block(p.block))
                            .forget();
                    }
                }
            }
        });
        let on_scroll = {
            let send = send.clone();
            move || {
                let Some((block, fraction)) = measure() else {
                    return;
                };
                percent.set(Some((fraction * 100.0).round() as u32));
                let furthest = read_json::<ReadingPosition>(&place_key(&slug))
                    .map_or(0.0, |p| p.furthest)
                    .max(fraction);
                let p = ReadingPosition {
                    block,
                    fraction,
                    furthest,
                    saved_ms: js_sys::Date::now() as i64,
                };
                write_json(&place_key(&slug), &p);
                if !signed_in {
                    sync.set(SyncState::Local);
                    return;
                }
                *pending.borrow_mut() = Some(p);
                if sync.get_untracked() != SyncState::Offline {
                    sync.set(SyncState::Local);
                }
                let send = send.clone();
                *timer.borrow_mut() =
                    Some(gloo::timers::callback::Timeout::new(SEND_AFTER_MS, send));
            }
        };
        let scroll = window_event_listener(leptos::ev::scroll, move |_| on_scroll());
        let online = window_event_listener(leptos::ev::online, move |_| send());
        on_cleanup(move || {
            scroll.remove();
            online.remove();
        });
    }

    /// The first words of block `block` as shown, for a bookmark made on this device (the
    /// server fills in its own from the text).
    pub fn block_opening(block: u32) -> String {
        let text = blocks()
            .and_then(|c| c.children().item(block))
            .and_then(|el| el.text_content())
            .unwrap_or_default();
        super::short(text.trim(), 80)
    }

    /// The passage selected in the text, if it lies within one block with running text:
    /// its block and where it starts and ends in UTF-16 code units (what the server checks).
    fn current_selection() -> Option<Selected> {
        let selection = window().get_selection().ok()??;
        if selection.is_collapsed() || selection.range_count() == 0 {
            return None;
        }
        let range = selection.get_range_at(0).ok()?;
        let container = blocks()?;
        let block_of = |node: web_sys::Node| -> Option<(u32, web_sys::Element)> {
            let mut el = match node.dyn_into::<web_sys::Element>() {
                Ok(el) => el,
                Err(node) => node.parent_element()?,
            };
            loop {
                let parent = el.parent_element()?;
                if parent.is_same_node(Some(&container)) {
                    let children = parent.children();
                    let index = (0..children.length())
                        .find(|&i| children.item(i).is_some_and(|c| c.is_same_node(Some(&el))))?;
                    return Some((index, el));
                }
                el = parent;
            }
        };
        let (block, el) = block_of(range.start_container().ok()?)?;
        let (last, _) = block_of(range.end_container().ok()?)?;
        if block != last || matches!(el.tag_name().as_str(), "UL" | "OL") {
            return None;
        }
        let before = document().create_range().ok()?;
        before.set_start(&el, 0).ok()?;
        before
            .set_end(&range.start_container().ok()?, range.start_offset().ok()?)
            .ok()?;
        let start = before.to_string().length();
        let quote = range.to_string();
        let end = start + quote.length();
        let quote = String::from(quote);
        (!quote.trim().is_empty()).then_some(Selected {
            block,
            start,
            end,
            quote,
        })
    }

    thread_local! {
        /// Where the selection goes: the open reader's signal, if a reader is open.
        static SELECTION: std::cell::RefCell<Option<RwSignal<Option<Selected>>>> =
            const { std::cell::RefCell::new(None) };
        static LISTENING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    /// Follows the selection in the text into `selection` while this reader is open (one
    /// listener for the page's life; it writes to whichever reader is open).
    fn follow_selection(selection: RwSignal<Option<Selected>>) {
        SELECTION.with(|s| *s.borrow_mut() = Some(selection));
        on_cleanup(|| SELECTION.with(|s| *s.borrow_mut() = None));
        if LISTENING.with(|l| l.replace(true)) {
            return;
        }
        let on_change = wasm_bindgen::closure::Closure::<dyn Fn()>::new(|| {
            let Some(sink) = SELECTION.with(|s| *s.borrow()) else {
                return;
            };
            let now = current_selection();
            // A collapsed selection (a tap elsewhere) clears the bar; pressing one of its
            // buttons keeps the selection (the bar prevents that mousedown).
            if sink.try_get_untracked().flatten() != now {
                sink.try_set(now);
            }
        });
        let _ = document().add_event_listener_with_callback(
            "selectionchange",
            on_change.as_ref().unchecked_ref(),
        );
        on_change.forget();
    }

    /// Starts the notebook: opens with the account's notes and this device's unsent
    /// changes, follows the selection, sends the queue now and whenever the browser comes
    /// back online. Returns what to call with each new, edited or deleted note.
    pub fn notebook(
        user: String,
        slug: String,
        notes: RwSignal<Vec<Note>>,
        selection: RwSignal<Option<Selected>>,
        state: RwSignal<NoteSync>,
    ) -> impl Fn(Note) + Send + Sync + 'static {
        use crate::outbox;
        follow_selection(selection);
        let flush = {
            let (user, slug) = (user.clone(), slug.clone());
            move || {
                let (user, slug) = (user.clone(), slug.clone());
                leptos::task::spawn_local(async move {
                    let waiting =
                        |queue: &[outbox::Queued]| queue.iter().filter(|q| q.slug == slug).count();
                    if !crate::offline::online() {
                        let queue = outbox::pending(&user).await.unwrap_or_default();
                        state.try_update(|s| s.waiting = waiting(&queue));
                        return;
                    }
                    match outbox::flush(&user).await {
                        Ok(done) => {
                            if let Some((_, kept)) =
                                done.notes.into_iter().find(|(s, _)| *s == slug)
                            {
                                notes.try_set(kept);
                            }
                            let queue = outbox::pending(&user).await.unwrap_or_default();
                            let left = waiting(&queue);
                            let problem = done.refused.first().map(|(_, why)| why.clone());
                            state.try_set(NoteSync {
                                waiting: left,
                                problem,
                                synced: done.sent > 0 && left == 0,
                            });
                        }
                        Err(e) => {
                            state.try_update(|s| s.problem = Some(e));
                        }
                    }
                });
            }
        };
        // Open with the account's notes plus what this device has not sent yet (offline,
        // with what the device last knew, since the page itself may be an old copy).
        Effect::new({
            let (user, slug, flush) = (user.clone(), slug.clone(), flush.clone());
            move |_| {
                let (user, slug, flush) = (user.clone(), slug.clone(), flush.clone());
                leptos::task::spawn_local(async move {
                    let queued: Vec<Note> = outbox::pending(&user)
                        .await
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|q| q.slug == slug)
                        .map(|q| q.note)
                        .collect();
                    let base = notes.get_untracked();
                    let merged = if crate::offline::online() {
                        merge(base, queued.clone())
                    } else {
                        merge(base, outbox::local(&user, &slug).await.unwrap_or_default())
                    };
                    if let Err(e) = outbox::keep(&user, &slug, &merged).await {
                        state.try_update(|s| s.problem = Some(e));
                    }
                    notes.try_set(merged);
                    state.try_update(|s| s.waiting = queued.len());
                    flush();
                });
            }
        });
        let online = window_event_listener(leptos::ev::online, {
            let flush = flush.clone();
            move |_| flush()
        });
        on_cleanup(move || online.remove());
        move |note: Note| {
            notes.update(|all| *all = merge(std::mem::take(all), vec![note.clone()]));
            state.update(|s| s.problem = None);
            let (user, slug, flush) = (user.clone(), slug.clone(), flush.clone());
            leptos::task::spawn_local(async move {
                match outbox::record(&user, &slug, note).await {
                    Ok(_) => flush(),
                    Err(e) => {
                        state.try_update(|s| {
                            s.problem = Some(format!("Could not keep the note on this device: {e}"))
                        });
                    }
                }
            });
        }
    }
}
