//! The item page's community section: the rating and its spread, likes, reviews by owners
//! (write, edit, delete your own), and comments with replies. Every control is an ordinary
//! form, so it all works before (and without) the wasm; user text is shown as text.

use crate::api::community::{
    DeleteComment, DeleteReview, LikeItem, PostComment, SaveReview, SendFeedback,
};
use crate::components::forms::{form_error, textarea_text, use_me, FormAlert, ServerForm};
use crate::models::community::{stars_text, CommentView, Community, ReviewRight};
use leptos::prelude::*;
use server_fn::ServerFn;

/// Ratings, reviews, likes and comments of item `slug` (the item page loads `c` with the
/// item, through `load_community`).
#[component]
pub fn CommunityView(slug: String, c: Community) -> impl IntoView {
    let t = use_me().locale;
    let next = format!("/signin?next=/item/{slug}%23community");
    let summary = match c.rating {
        Some(r) => format!(
            "★ {r:.1} · {} {}",
            c.rating_count,
            t.pick(
                if c.rating_count == 1 {
                    "rating"
                } else {
                    "ratings"
                },
                "个评分"
            )
        ),
        None => t.pick("No ratings yet", "暂无评分").to_string(),
    };
    let most = c.stars.iter().copied().max().unwrap_or(0).max(1);
    let spread = (c.rating_count > 0).then(|| {
        view! {
            <ol class="star-spread" aria-label=t.pick("Ratings by stars", "评分分布")>
                {(1..=5u8).rev().map(|s| {
                    let n = c.stars[(s - 1) as usize];
                    view! {
                        <li>
                            <span>{format!("{s} ★")}</span>
                            <meter min="0" max=most.to_string() value=n.to_string()
                                aria-label=format!("{s} ★: {n}")></meter>
                            <span class="muted">{n}</span>
                        </li>
                    }
                }).collect_view()}
            </ol>
        }
    });
    let like_error = form_error(LikeItem::PATH);
    let like_slug = slug.clone();
    let like = if c.signed_in {
        view! {
            <ServerForm action=LikeItem::PATH error=like_error class="like-form" keep_offline=true>
                <input type="hidden" name="slug" value=like_slug />
                <input type="hidden" name="on" value=(!c.liked).to_string() />
                <button type="submit" aria-pressed=c.liked.to_string() data-testid="like">
                    {if c.liked { "♥ " } else { "♡ " }}
                    {if c.liked { t.pick("Liked", "已喜欢") } else { t.pick("Like", "喜欢") }}
                    {format!(" · {}", c.likes)}
                </button>
                <FormAlert error=like_error locale=t />
            </ServerForm>
        }
        .into_any()
    } else {
        view! {
            <p class="like-form muted" data-testid="like-count">{format!("♥ {}", c.likes)}</p>
        }
        .into_any()
    };
    let review_form = match c.may_review {
        ReviewRight::Yes => view! { <ReviewForm slug=slug.clone() mine=c.mine.clone() /> }.into_any(),
        ReviewRight::SignIn => view! {
            <p><a href=next.clone()>{t.pick("Sign in to rate and review", "登录后可评分和评论")}</a></p>
        }
        .into_any(),
        ReviewRight::NotOwner => view! {
            <p class="muted" data-testid="review-owners-only">{t.pick(
                "Only learners who have this item can review it.",
                "只有拥有此内容的读者才能评价。",
            )}</p>
        }
        .into_any(),
    };
    let comment_error = form_error(PostComment::PATH);
    let comment_slug = slug.clone();
    let comment_form = if c.signed_in {
        let key = c.form_key.clone();
        view! {
            <ServerForm action=PostComment::PATH error=comment_error class="comment-form" keep_offline=true>
                <input type="hidden" name="slug" value=comment_slug />
                <input type="hidden" name="key" value=key />
                <label>
                    <span>{t.pick("Add a comment", "发表评论")}</span>
                    <textarea name="text" rows="3" maxlength="2000" required></textarea>
                </label>
                <label class="check">
                    <input type="checkbox" name="question" value="on" />
                    <span>{t.pick("This is a question for the creator", "这是向作者提的问题")}</span>
                </label>
                <button type="submit">{t.pick("Post comment", "发布评论")}</button>
                <FormAlert error=comment_error locale=t />
            </ServerForm>
        }
        .into_any()
    } else {
        view! { <p><a href=next>{t.pick("Sign in to comment", "登录后可发表评论")}</a></p> }
            .into_any()
    };
    let signed_in = c.signed_in;
    let key = c.form_key.clone();
    view! {
        <section id="community" class="community" aria-labelledby="reviews-h" data-testid="community">
            <h2 id="reviews-h">{t.pick("Ratings and reviews", "评分与评价")}</h2>
            <div class="community-head">
                <p class="rating-summary" data-testid="rating-summary">{summary}</p>
                {like}
            </div>
            {spread}
            <div id="reviews">{review_form}</div>
            <ul class="reviews" data-testid="reviews">
                {c.reviews.into_iter().map(|r| {
                    let report = (signed_in && !r.mine && !r.id.is_empty()).then(|| view! {
                        <ReportForm slug=slug.clone() kind="review" target=r.id.clone() />
                    });
                    view! {
                        <li class="review" class:mine=r.mine>
                            <p class="review-meta">
                                <span class="stars" aria-label=format!("{} / 5", r.rating)>{stars_text(r.rating)}</span>
                                " " <strong>{r.author}</strong>
                                " · " <span class="muted">{t.date(&r.updated)}</span>
                            </p>
                            <ModerationState hidden=r.hidden held=r.held />
                            <p class="review-text">{r.text}</p>
                            {report}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <h2 id="comments">{format!("{} ({})", t.pick("Comments", "评论"), c.comment_count)}</h2>
            {comment_form}
            <ol class="comments" data-testid="comments">
                {c.comments.into_iter().enumerate().map(|(i, thread)| view! {
                    <Comment slug=slug.clone() c=thread signed_in reply_key=format!("{key}r{i}") />
                }).collect_view()}
            </ol>
            {signed_in.then(|| view! { <FeedbackForm slug=slug.clone() /> })}
            {signed_in.then(|| view! {
                <div class="report-item">
                    <ReportForm slug=slug.clone() kind="item" target=String::new() />
                </div>
            })}
        </section>
    }
}

/// The owner's review form: stars and words, "Update" when they wrote one, and delete.
#[component]
fn ReviewForm(slug: String, mine: Option<crate::models::community::ReviewView>) -> impl IntoView {
    let t = use_me().locale;
    let error = form_error(SaveReview::PATH);
    let delete_error = form_error(DeleteReview::PATH);
    let current = mine.as_ref().map_or(0, |m| m.rating);
    let text = mine.as_ref().map(|m| m.text.clone()).unwrap_or_default();
    let has = mine.is_some();
    let delete_slug = slug.clone();
    view! {
        <ServerForm action=SaveReview::PATH error class="review-form" keep_offline=true>
            <input type="hidden" name="slug" value=slug />
            <fieldset class="star-input">
                <legend>{t.pick("Your rating", "你的评分")}</legend>
                {(1..=5u8).map(|s| view! {
                    <label>
                        <input type="radio" name="rating" value=s.to_string() checked=s == current required />
                        <span>{format!("{s} ★")}</span>
                    </label>
                }).collect_view()}
            </fieldset>
            <label>
                <span>{t.pick("Your review (optional)", "你的评价（可选）")}</span>
                <textarea name="text" rows="3" maxlength="4000">{textarea_text(&text)}</textarea>
            </label>
            <button type="submit">{if has { t.pick("Update review", "更新评价") } else { t.pick("Publish review", "发布评价") }}</button>
            <FormAlert error locale=t />
        </ServerForm>
        {has.then(|| view! {
            <ServerForm action=DeleteReview::PATH error=delete_error class="inline-form">
                <input type="hidden" name="slug" value=delete_slug.clone() />
                <button type="submit" class="link-button">{t.pick("Delete my review", "删除我的评价")}</button>
                <FormAlert error=delete_error locale=t />
            </ServerForm>
        })}
    }
}

/// One comment with its replies and, for signed-in people, a reply form.
#[component]
fn Comment(slug: String, c: CommentView, signed_in: bool, reply_key: String) -> impl IntoView {
    let t = use_me().locale;
    let reply_error = form_error(PostComment::PATH);
    let id = c.id.clone();
    view! {
        <li class="comment" data-testid="comment">
            <CommentBody slug=slug.clone() c=c.clone() />
            {(!c.replies.is_empty()).then(|| view! {
                <ol class="replies">
                    {c.replies.into_iter().map(|r| view! {
                        <li class="comment reply" data-testid="reply"><CommentBody slug=slug.clone() c=r /></li>
                    }).collect_view()}
                </ol>
            })}
            {signed_in.then(|| view! {
                <details class="reply-box">
                    <summary>{t.pick("Reply", "回复")}</summary>
                    <ServerForm action=PostComment::PATH error=reply_error class="comment-form" keep_offline=true>
                        <input type="hidden" name="slug" value=slug.clone() />
                        <input type="hidden" name="parent" value=id.clone() />
                        <input type="hidden" name="key" value=reply_key.clone() />
                        <label>
                            <span>{t.pick("Your reply", "你的回复")}</span>
                            <textarea name="text" rows="2" maxlength="2000" required></textarea>
                        </label>
                        <button type="submit">{t.pick("Post reply", "发布回复")}</button>
                        <FormAlert error=reply_error locale=t />
                    </ServerForm>
                </details>
            })}
        </li>
    }
}

/// A comment's author, time, text and (for its author and moderators) a delete button.
#[component]
fn CommentBody(slug: String, c: CommentView) -> impl IntoView {
    let t = use_me().locale;
    let error = form_error(DeleteComment::PATH);
    if c.deleted {
        return view! { <p class="muted">{t.pick("This comment was deleted.", "该评论已删除。")}</p> }.into_any();
    }
    view! {
        <p class="comment-meta">
            <strong>{c.author}</strong>
            {c.by_creator.then(|| view! { " " <span class="badge">{t.pick("Creator", "作者")}</span> })}
            {c.question.then(|| view! { " " <span class="badge badge-question">{t.pick("Question", "提问")}</span> })}
            {(c.question && c.answered).then(|| view! { " " <span class="badge badge-answered" data-testid="answered">{t.pick("Answered ✓", "已回答 ✓")}</span> })}
            " · " <span class="muted">{t.date_time(&c.at)}</span>
        </p>
        <ModerationState hidden=c.hidden held=c.held />
        <p class="comment-text">{c.text}</p>
        {(use_me().user.is_some() && !c.mine).then(|| view! {
            <ReportForm slug=slug.clone() kind="comment" target=c.id.clone() />
        })}
        {c.may_delete.then(|| view! {
            <ServerForm action=DeleteComment::PATH error class="inline-form">
                <input type="hidden" name="slug" value=slug />
                <input type="hidden" name="id" value=c.id />
                <button type="submit" class="link-button">{t.pick("Delete", "删除")}</button>
                <FormAlert error locale=t />
            </ServerForm>
        })}
    }
    .into_any()
}

/// "Feedback for the creator": a private message to the creator's inbox.
#[component]
fn FeedbackForm(slug: String) -> impl IntoView {
    let t = use_me().locale;
    let error = form_error(SendFeedback::PATH);
    let query = leptos_router::hooks::use_query_map();
    let sent = move || query.read().get("feedback").is_some_and(|v| v == "sent");
    view! {
        <details class="feedback" id="feedback" open=sent>
            <summary>{t.pick("Send private feedback to the creator", "给作者发送私信反馈")}</summary>
            {move || sent().then(|| view! {
                <p class="notice-ok" role="status" data-testid="feedback-sent">{t.pick(
                    "Sent. Thank you — the creator will read it in their inbox.",
                    "已发送，谢谢！作者会在收件箱中看到。",
                )}</p>
            })}
            <ServerForm action=SendFeedback::PATH error class="comment-form">
                <input type="hidden" name="slug" value=slug />
                <label>
                    <span>{t.pick("Your feedback (only the creator sees it)", "你的反馈（仅作者可见）")}</span>
                    <textarea name="text" rows="3" maxlength="4000" required></textarea>
                </label>
                <button type="submit">{t.pick("Send feedback", "发送反馈")}</button>
                <FormAlert error locale=t />
            </ServerForm>
        </details>
    }
}

/// What its author (and admins) are told about their hidden or held text.
#[component]
fn ModerationState(hidden: bool, held: bool) -> impl IntoView {
    let t = use_me().locale;
    let note = if hidden {
        Some(t.pick(
            "Hidden by a moderator: only its author and the moderators see this.",
            "已被管理员隐藏：只有作者和管理员能看到。",
        ))
    } else if held {
        Some(t.pick(
            "Waiting for a moderator: it contains a word on the store's list, so others see it once approved.",
            "等待审核：其中含有本店列表中的词语，审核通过后他人才能看到。",
        ))
    } else {
        None
    };
    note.map(|n| view! { <p class="moderation-state" data-testid="moderation-state">{n}</p> })
}

/// "Report": why (a choice) and, optionally, a few words; sent to the store's moderators.
#[component]
fn ReportForm(slug: String, kind: &'static str, target: String) -> impl IntoView {
    use crate::api::moderation::ReportContent;
    use crate::models::moderation::{Reason, REPORT_TEXT_LIMIT};
    let t = use_me().locale;
    let error = form_error(ReportContent::PATH);
    let what = match kind {
        "item" => t.pick("Report this item", "举报此内容"),
        "review" => t.pick("Report this review", "举报此评价"),
        _ => t.pick("Report", "举报"),
    };
    view! {
        <details class="report" data-testid="report">
            <summary>{what}</summary>
            <ServerForm action=ReportContent::PATH error class="report-form">
                <input type="hidden" name="slug" value=slug />
                <input type="hidden" name="kind" value=kind />
                <input type="hidden" name="target" value=target />
                <fieldset>
                    <legend>{t.pick("What is wrong with it?", "有什么问题？")}</legend>
                    {Reason::CHOSEN.into_iter().enumerate().map(|(i, r)| view! {
                        <label class="choice">
                            <input type="radio" name="reason" value=r.as_str() required=true checked=i == 0 />
                            " " {r.label(t)}
                        </label>
                    }).collect_view()}
                </fieldset>
                <label>
                    <span>{t.pick("Anything the moderators should know (optional)", "补充说明（可选）")}</span>
                    <textarea name="text" rows="2" maxlength=REPORT_TEXT_LIMIT.to_string()></textarea>
                </label>
                <button type="submit">{t.pick("Send report", "提交举报")}</button>
                <FormAlert error locale=t />
            </ServerForm>
        </details>
    }
}
