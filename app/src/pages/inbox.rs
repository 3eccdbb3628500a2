//! `/notifications` (anyone signed in: replies to their comments, answers to their
//! questions, feedback for their store) and `/studio/inbox` (a creator's feedback messages
//! and the questions on their items that wait for an answer).

use crate::api::community::{creator_inbox, load_notifications, MarkFeedback};
use crate::components::forms::{form_error, use_me, FormAlert, ServerForm};
use crate::components::notice::ErrorNotice;
use crate::components::seo::PageMeta;
use crate::error::AppError;
use crate::models::community::{Inbox, NotificationKind, NotificationView};
use leptos::prelude::*;
use server_fn::ServerFn;

/// A "sign in" notice that comes back to `path`.
fn sign_in_first(path: &'static str) -> AnyView {
    let t = use_me().locale;
    view! {
        <section class="notice" role="alert">
            <p><a class="button" href=format!("/signin?next={path}")>{t.pick("Sign in", "登录")}</a></p>
        </section>
    }
    .into_any()
}

/// `/notifications`.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| load_notifications());
    let t = use_me().locale;
    // Shown means read: the bell empties (in the browser; the server already counted 0).
    let unread = crate::components::forms::use_unread();
    Effect::new(move |_| unread.set(0));
    view! {
        <PageMeta title=crate::components::forms::use_locale().pick("Notifications", "通知") description=crate::components::forms::use_locale().pick("Replies, answers and feedback.", "回复、回答和反馈。") path="/notifications" />
        <section class="notifications">
            <h1>{t.pick("Notifications", "通知")}</h1>
            <Suspense fallback=|| view! { <crate::components::notice::Loading /> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(items) if items.is_empty() => view! {
                            <p class="muted">{t.pick(
                                "Nothing yet. Replies to your comments and answers to your questions appear here.",
                                "暂无通知。别人回复你的评论、作者回答你的问题时会显示在这里。",
                            )}</p>
                        }.into_any(),
                        Ok(items) => view! {
                            <ol class="notification-list" data-testid="notifications">
                                {items.into_iter().map(|n| view! { <Notification n /> }).collect_view()}
                            </ol>
                        }.into_any(),
                        Err(AppError::SignInRequired) => sign_in_first("/notifications"),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Notification(n: NotificationView) -> impl IntoView {
    let t = use_me().locale;
    let what = match n.kind {
        NotificationKind::Reply => {
            t.pick("replied to your comment on", "回复了你在以下内容的评论：")
        }
        NotificationKind::Answer => {
            t.pick("answered your question on", "回答了你关于以下内容的提问：")
        }
        NotificationKind::Feedback => t.pick("sent feedback about", "发来了关于以下内容的反馈："),
    };
    view! {
        <li class="notification" class:unread=!n.read>
            <p>
                <strong>{n.who}</strong> " " {what} " " <a href=n.link>{format!("“{}”", n.about)}</a>
                " · " <span class="muted">{t.date_time(&n.at)}</span>
            </p>
            <p class="comment-text">{n.text}</p>
        </li>
    }
}

/// `/studio/inbox`.
#[component]
pub fn InboxPage() -> impl IntoView {
    let inbox = Resource::new(|| (), |_| creator_inbox());
    view! {
        <PageMeta title=crate::components::forms::use_locale().pick("Inbox", "收件箱") description=crate::components::forms::use_locale().pick("Feedback and questions from learners.", "读者的反馈和提问。") path="/studio/inbox" />
        <Suspense fallback=|| view! { <crate::components::notice::Loading /> }>
            {move || Suspend::new(async move {
                match inbox.await {
                    Ok(i) => view! { <InboxView i /> }.into_any(),
                    Err(AppError::SignInRequired) => sign_in_first("/studio/inbox"),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn InboxView(i: Inbox) -> impl IntoView {
    let t = use_me().locale;
    let open = i.feedback.iter().filter(|f| !f.handled).count();
    view! {
        <section class="studio inbox">
            <h1>{t.pick("Inbox", "收件箱")} " — " {i.store}</h1>
            <h2>{format!("{} ({})", t.pick("Questions waiting for your answer", "待回答的问题"), i.questions.len())}</h2>
            {i.questions.is_empty().then(|| view! { <p class="muted">{t.pick("No open questions.", "没有待回答的问题。")}</p> })}
            <ol class="inbox-list" data-testid="open-questions">
                {i.questions.into_iter().map(|q| view! {
                    <li>
                        <p><strong>{q.from}</strong> " · " <a href=format!("/item/{}#comments", q.item.0)>{q.item.1}</a>
                           " · " <span class="muted">{t.date_time(&q.at)}</span></p>
                        <p class="comment-text">{q.text}</p>
                    </li>
                }).collect_view()}
            </ol>
            <h2>{format!("{} ({} {})", t.pick("Feedback", "反馈"), open, t.pick("open", "条未处理"))}</h2>
            {i.feedback.is_empty().then(|| view! { <p class="muted">{t.pick("No feedback yet.", "还没有反馈。")}</p> })}
            <ol class="inbox-list" data-testid="feedback-list">
                {i.feedback.into_iter().map(|f| {
                    let error = form_error(MarkFeedback::PATH);
                    view! {
                        <li class:handled=f.handled>
                            <p>
                                <strong>{f.from}</strong>
                                {f.item.map(|(slug, title)| view! { " · " <a href=format!("/item/{slug}")>{title}</a> })}
                                " · " <span class="muted">{t.date_time(&f.at)}</span>
                            </p>
                            <p class="comment-text">{f.text}</p>
                            <ServerForm action=MarkFeedback::PATH error class="inline-form">
                                <input type="hidden" name="id" value=f.id />
                                <input type="hidden" name="handled" value=(!f.handled).to_string() />
                                <button type="submit" class="link-button">{if f.handled {
                                    t.pick("Mark as open", "标记为未处理")
                                } else {
                                    t.pick("Mark as handled", "标记为已处理")
                                }}</button>
                                <FormAlert error locale=t />
                            </ServerForm>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}
