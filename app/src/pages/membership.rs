//! Memberships: the tier's page (`/membership/<tier>`) with its plans, free trial and the
//! items it opens, and the box on item pages that says which membership opens the item.

use crate::api::commerce::{load_membership, AddToCart, StartTrial};
use crate::components::cards::ItemGrid;
use crate::components::forms::{form_error, use_me, FormAlert, ServerForm};
use crate::components::notice::ErrorNotice;
use crate::components::seo::PageMeta;
use crate::models::commerce::{MembershipState, Plan, TierOffer};
use crate::models::i18n::Locale;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use server_fn::ServerFn;

/// What the viewer's membership amounts to, in a sentence (`None`: not a member).
fn membership_line(mine: &MembershipState, locale: Locale) -> Option<String> {
    let until = mine
        .until
        .as_deref()
        .map(|u| crate::components::forms::use_locale().date(u))
        .unwrap_or_default();
    if mine.on_trial {
        Some(format!(
            "{} {until}",
            locale.pick("✓ Free trial until", "✓ 免费试用至")
        ))
    } else if mine.active {
        Some(format!(
            "{} {until}",
            locale.pick("✓ You are a member until", "✓ 会员有效期至")
        ))
    } else if mine.until.is_some() {
        Some(format!(
            "{} {until}",
            locale.pick("Your membership ended on", "您的会员已于以下日期到期：")
        ))
    } else {
        None
    }
}

/// The buttons that buy 30 days or a year of `tier`, and start its free trial.
#[component]
fn PlanButtons(tier: TierOffer) -> impl IntoView {
    let me = use_me();
    let locale = me.locale;
    let t = move |en, zh| locale.pick(en, zh);
    let add_error = form_error(AddToCart::PATH);
    let trial_error = form_error(StartTrial::PATH);
    let active = tier.mine.as_ref().is_some_and(|m| m.active);
    let trial = tier
        .mine
        .as_ref()
        .map_or(tier.trial_days > 0, |m| m.trial_available);
    let saving = tier.yearly_saving_percent();
    let key = tier.key.clone();
    let plan = |plan: Plan, price: String| {
        let product = format!("membership:{}:{}", key, plan.as_str());
        let label = match (plan, active) {
            (Plan::Monthly, false) => t("Join for 30 days", "开通月度会员"),
            (Plan::Yearly, false) => t("Join for a year", "开通年度会员"),
            (Plan::Monthly, true) => t("Add 30 days", "续费 30 天"),
            (Plan::Yearly, true) => t("Add a year", "续费一年"),
        };
        view! {
            <ServerForm action=AddToCart::PATH error=add_error class="inline plan">
                <input type="hidden" name="product" value=product />
                <button type="submit" class=if plan == Plan::Yearly { "" } else { "secondary" }>
                    {format!("{label} · {price}")}
                </button>
            </ServerForm>
        }
    };
    view! {
        <div class="plans">
            {plan(Plan::Monthly, crate::components::forms::use_locale().price(&tier.monthly))}
            {plan(Plan::Yearly, crate::components::forms::use_locale().price(&tier.yearly))}
            {(saving > 0).then(|| view! {
                <span class="muted">{format!("{} {saving}%", t("a year saves", "年付立省"))}</span>
            })}
            <FormAlert error=add_error locale />
        </div>
        {(trial && !active).then(|| if me.user.is_some() {
            view! {
                <ServerForm action=StartTrial::PATH error=trial_error class="trial">
                    <input type="hidden" name="tier" value=tier.key.clone() />
                    <button type="submit" class="secondary">
                        {format!("{} {} {}", t("Try it free for", "免费试用"), tier.trial_days, t("days", "天"))}
                    </button>
                    <span class="muted">{t(" No card needed; it ends by itself.", " 无需绑卡，到期自动结束。")}</span>
                    <FormAlert error=trial_error locale />
                </ServerForm>
            }
            .into_any()
        } else {
            view! {
                <p class="trial">
                    <a href=format!("/signin?next=/membership/{}", tier.key)>
                        {format!("{} {} {}", t("Sign in to try it free for", "登录后免费试用"), tier.trial_days, t("days", "天"))}
                    </a>
                </p>
            }
            .into_any()
        })}
    }
}

/// On an item page: the membership that opens this item.
#[component]
pub fn TierBox(tier: TierOffer) -> impl IntoView {
    let locale = use_me().locale;
    let t = move |en, zh| locale.pick(en, zh);
    let status = tier.mine.as_ref().and_then(|m| membership_line(m, locale));
    let active = tier.mine.as_ref().is_some_and(|m| m.active);
    view! {
        <aside class="tier-box" aria-labelledby="tier-h">
            <h2 id="tier-h">
                {t("Included in ", "会员专享：")}
                <a href=format!("/membership/{}", tier.key)>{tier.name.clone()}</a>
            </h2>
            {status.map(|s| view! { <p class="notice-ok" role="status">{s}</p> })}
            {(!active).then(|| view! {
                <p class="muted">{format!(
                    "{} {} {} {}",
                    tier.item_count,
                    t("items for members, from", "件会员内容，低至"),
                    crate::components::forms::use_locale().price(&tier.monthly),
                    t("for 30 days.", "/30 天。")
                )}</p>
                <PlanButtons tier=tier.clone() />
            })}
        </aside>
    }
}

/// `/membership/<tier>`.
#[component]
pub fn MembershipPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || params.read().get("tier").unwrap_or_default();
    let page = crate::codec::resource(key, load_membership);
    let locale = use_me().locale;
    let t = move |en, zh| locale.pick(en, zh);
    view! {
        <Suspense fallback=|| view! { <crate::components::notice::Loading /> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(m) => {
                        let tier = m.tier;
                        let status = tier.mine.as_ref().and_then(|s| membership_line(s, locale));
                        view! {
                            <PageMeta title=tier.name.clone() description=tier.description.clone() path=format!("/membership/{}", tier.key) />
                            <section class="membership">
                                <h1>{tier.name.clone()}</h1>
                                <p>{tier.description.clone()}</p>
                                <p class="muted">
                                    {t("By ", "创作者：")}
                                    <a href=format!("/creator/{}", tier.creator_slug)>{tier.creator_name.clone()}</a>
                                    {format!(" · {} {}", tier.item_count, t("items for members", "件会员内容"))}
                                </p>
                                {status.map(|s| view! { <p class="notice-ok" role="status">{s}</p> })}
                                <PlanButtons tier=tier.clone() />
                                <p class="muted small">{t(
                                    "A membership is paid in advance for 30 or 365 days and does not renew by itself: add time whenever you like, and it continues from the day it would have ended.",
                                    "会员按 30 天或 365 天预付，不会自动续费；随时可以续期，新时长从原到期日开始累计。",
                                )}</p>
                                <h2>{t("What members read", "会员可读内容")}</h2>
                                <ItemGrid items=m.items />
                            </section>
                        }
                        .into_any()
                    }
                    Err(error) => view! {
                        <PageMeta title=crate::components::forms::use_locale().pick("Membership not found", "找不到这个会员") description=crate::components::forms::use_locale().pick("No membership at this address.", "这个地址上没有会员方案。") path=format!("/membership/{}", key()) />
                        <ErrorNotice error />
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}
