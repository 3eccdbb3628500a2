//! A creator's page.

use crate::api::catalog::load_creator;
use crate::api::community::FollowCreator;
use crate::api::profile::SaveCreatorProfile;
use crate::components::cards::ItemGrid;
use crate::components::forms::{form_error, Field, FormAlert, ServerForm};
use crate::components::notice::ErrorNotice;
use crate::components::seo::PageMeta;
use crate::components::upload::UploadChoice;
use crate::models::catalog::CreatorCard;
use crate::models::community::FollowState;
use crate::models::i18n::Locale;
use crate::models::media::MediaKind;
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use server_fn::ServerFn;

/// `/creator/<slug>`: who they are and everything they publish.
#[component]
pub fn CreatorPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let profile = crate::codec::resource(slug, load_creator);
    let query = use_query_map();
    // `?edit=1`: the page's own edit mode, for the creator and admins.
    let editing = move || query.read().get("edit").is_some_and(|v| v == "1");
    let saved = move || query.read().get("saved").is_some();
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t("Loading…", "加载中…")}</p> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(p) if p.can_edit && editing() => EitherOf3::A(view! {
                        <PageMeta title=p.creator.name.clone() description=p.creator.bio.clone() path=format!("/creator/{}", p.creator.slug) />
                        <CreatorEdit c=p.creator revision=p.revision />
                    }),
                    Ok(p) => {
                        let c = p.creator;
                        let can_edit = p.can_edit;
                        let edit_path = format!("/creator/{}?edit=1", c.slug);
                        let count = locale.count(c.item_count.into(), "published item", "published items", "件已发布内容");
                        EitherOf3::B(view! {
                            <PageMeta title=c.name.clone() description=c.bio.clone() path=format!("/creator/{}", c.slug) />
                            {saved().then(|| view! { <p class="notice-ok" role="status">{t("Saved: this is the page learners see.", "已保存：读者现在看到的就是这个页面。")}</p> })}
                            {can_edit.then(|| view! {
                                <p class="edit-switch"><a class="button secondary" href=edit_path rel="external" data-testid="edit-page">{t("Edit this page", "编辑此页面")}</a></p>
                            })}
                            <section class="creator-head">
                                <img class="avatar" src=c.avatar alt="" width="96" height="96" />
                                <div>
                                    <h1>{c.name}</h1>
                                    <p>{c.bio}</p>
                                    <p class="muted">{count}</p>
                                    <Follow slug=c.slug.clone() f=p.follow />
                                    {p.tiers.into_iter().map(|tier| view! {
                                        <p class="tier-link">
                                            <a class="button secondary" href=format!("/membership/{}", tier.key)>{tier.name.clone()}</a>
                                            " " <span class="muted">{match locale {
                                                Locale::En => format!("{} items for members · {} / 30 days", tier.item_count, locale.price(&tier.monthly)),
                                                Locale::Zh => format!("会员可读 {} 件 · {} / 30 天", tier.item_count, locale.price(&tier.monthly)),
                                            }}</span>
                                        </p>
                                    }).collect_view()}
                                </div>
                            </section>
                            <ItemGrid items=p.items />
                        })
                    }
                    Err(error) => EitherOf3::C(view! {
                        <PageMeta title=t("Creator not found", "找不到这位创作者") description=t("No creator at this address.", "这个地址上没有创作者。") path=format!("/creator/{}", slug()) />
                        <ErrorNotice error />
                    }),
                }
            })}
        </Suspense>
    }
}

/// "Follow" on a creator's page, with how many follow them. Signed out, it leads to
/// signing in and back; a creator sees only the count on their own page.
#[component]
fn Follow(slug: String, f: FollowState) -> impl IntoView {
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
    let count = locale.count(f.followers.into(), "follower", "followers", "位关注者");
    let error = form_error(FollowCreator::PATH);
    if f.own {
        EitherOf3::A(view! { <p id="follow" class="muted" data-testid="followers">{count}</p> })
    } else if !f.signed_in {
        let next = format!("/signin?next=/creator/{slug}%23follow");
        EitherOf3::B(view! {
            <p id="follow" class="follow">
                <a class="button" href=next data-testid="follow">{t("Follow", "关注")}</a>
                " " <span class="muted" data-testid="followers">{count}</span>
            </p>
        })
    } else {
        EitherOf3::C(view! {
            <div id="follow">
            <ServerForm action=FollowCreator::PATH error class="follow">
                <input type="hidden" name="slug" value=slug />
                <input type="hidden" name="on" value=(!f.following).to_string() />
                <button type="submit" class=if f.following { "secondary" } else { "primary" }
                    aria-pressed=f.following.to_string() data-testid="follow">
                    {if f.following { t("Following ✓", "已关注 ✓") } else { t("Follow", "关注") }}
                </button>
                " " <span class="muted" data-testid="followers">{count}</span>
                <p class="muted small">{if f.following {
                    t("New items from this store appear in your notifications.", "这家店铺的新作品会出现在你的通知里。")
                } else {
                    t("Follow to hear when a new item comes out.", "关注后，有新作品时会通知你。")
                }}</p>
                <FormAlert error locale />
            </ServerForm>
            </div>
        })
    }
}

/// The creator page in edit mode: name, biography and picture edited where they stand.
#[component]
fn CreatorEdit(c: CreatorCard, revision: i64) -> impl IntoView {
    let locale = crate::components::forms::use_locale();
    let t = move |en, zh| locale.pick(en, zh);
    let error = form_error(SaveCreatorProfile::PATH);
    let avatar = RwSignal::new(c.avatar.clone());
    let dirty = RwSignal::new(false);
    let done = Callback::new(move |m: crate::models::media::MediaRef| {
        avatar.set(m.url());
        dirty.set(true);
    });
    crate::components::forms::warn_unsaved(dirty);
    let back = format!("/creator/{}", c.slug);
    view! {
        <ServerForm action=SaveCreatorProfile::PATH error class="creator-head editing">
            <input type="hidden" name="slug" value=c.slug.clone() />
            <input type="hidden" name="revision" value=revision.to_string() />
            <input type="hidden" name="avatar" prop:value=move || avatar.get() />
            <div class="edit-cover">
                <img class="avatar" src=move || avatar.get() alt="" width="96" height="96" data-testid="edit-avatar" />
                <UploadChoice kind=MediaKind::Image label=t("Change picture", "更换头像") testid="upload-avatar" done />
            </div>
            <div on:input=move |_| dirty.set(true)>
                <Field name="name" label=t("Name", "名称") value=c.name.clone() error locale />
                <label for="f-bio">{t("About you", "简介")}</label>
                <textarea id="f-bio" name="bio" rows="4" class="edit-text">{c.bio.clone()}</textarea>
                <FormAlert error fields=&["name"] locale />
                <p>
                    <button type="submit" class="primary" on:click=move |_| dirty.set(false) data-testid="save-profile">{t("Save", "保存")}</button>
                    " " <a class="button secondary" href=back rel="external">{t("Cancel", "取消")}</a>
                </p>
            </div>
        </ServerForm>
    }
}
