//! `/notifications` (anyone signed in: replies to their comments, answers to their
//! questions, feedback for their store, new items from the creators they follow, and the
//! list of those creators) and `/studio/inbox` (a creator's feedback messages
//! and the questions on their items that wait for an answer).

use crate::api::community::{
    creator_inbox, load_following, load_notifications, FollowCreator, MarkFeedback,
};
use crate::components::forms::{form_error, use_me, FormAlert, ServerForm};
use crate::components::notice::ErrorNotice;
use crate::components::seo::PageMeta;
use crate::error::AppError;
use crate::models::catalog::CreatorCard;
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
    let list = crate::codec::resource(|| (), |_| load_notifications());
    let following = crate::codec::resource(|| (), |_| load_following());
    let t = use_me().locale;
    // Shown means read: the bell empties (in the browser; the server already counted 0).
    let unread = crate::components::forms::use_unread();
    Effect::new(move |_| unread.set(0));
    view! {
        <PageMeta title=crate::components::forms::use_locale().pick("Notifications", "通知") description=crate::components::forms::use_locale().pick("Replies, answers, feedback and new items from creators you follow.", "回复、回答、反馈，以及你关注的创作者的新作品。") path="/notifications" />
        <section class="notifications">
            <h1>{t.pick("Notifications", "通知")}</h1>
            <Suspense fallback=|| view! { <crate::components::notice::Loading /> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(items) if items.is_empty() => view! {
                            <p class="muted">{t.pick(
                                "Nothing yet. Replies to your comments, answers to your questions and new items from creators you follow appear here.",
                                "暂无通知。别人回复你的评论、作者回答你的提问、你关注的创作者发布新作品时，会显示在这里。",
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
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    following.await.ok().map(|creators| view! { <Following creators /> })
                })}
            </Suspense>
        </section>
    }
}

/// The creators the person follows, each with "Unfollow".
#[component]
fn Following(creators: Vec<CreatorCard>) -> impl IntoView {
    let t = use_me().locale;
    let error = form_error(FollowCreator::PATH);
    view! {
        <h2 id="following">{t.pick("Creators you follow", "你关注的创作者")}</h2>
        {if creators.is_empty() {
            view! {
                <p class="muted">{t.pick(
                    "None yet. “Follow” on a creator's page tells you here when they publish something new.",
                    "还没有。在创作者页面点“关注”，他们发布新作品时会在这里通知你。",
                )}</p>
            }.into_any()
        } else {
            view! {
                <ul class="following-list" data-testid="following">
                    {creators.into_iter().map(|c| view! {
                        <li>
                            <img class="avatar" src=c.avatar alt="" width="40" height="40" />
                            <a href=format!("/creator/{}", c.slug)>{c.name.clone()}</a>
                            <ServerForm action=FollowCreator::PATH error class="inline-form">
                                <input type="hidden" name="slug" value=c.slug.clone() />
                                <input type="hidden" name="on" value="false" />
                                <input type="hidden" name="next" value="/notifications#following" />
                                <button type="submit" class="secondary small" aria-label=format!("{} {}", t.pick("Unfollow", "取消关注"), c.name)>
                                    {t.pick("Unfollow", "取消关注")}
                                </button>
                            </ServerForm>
                        </li>
                    }).collect_view()}
                </ul>
                <FormAlert error locale=t />
            }.into_any()
        }}
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
        NotificationKind::NewItem => t.pick("published", "发布了新作品："),
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
    let inbox = crate::codec::resource(|| (), |_| creator_inbox());
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
