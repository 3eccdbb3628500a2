//! Gifts: the form that buys an item or bundle for someone else (`/give?product=…`) and
//! the page where the recipient claims it (`/gift/<secret>`).

use crate::api::commerce::{load_gift, quote_gift, ClaimGift, GiftCheckout};
use crate::components::cards::ItemGrid;
use crate::components::forms::{form_error, use_me, Field, FormAlert, ServerForm};
use crate::components::notice::ErrorNotice;
use crate::components::seo::PageMeta;
use crate::error::AppError;
use crate::models::account::GIFT_MESSAGE_MAX_CHARS;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use server_fn::ServerFn;

/// `/give?product=item:<slug>`: who the gift is for, a message, and on to payment.
#[component]
pub fn GivePage() -> impl IntoView {
    let query = use_query_map();
    let product = move || query.read().get("product").unwrap_or_default();
    let quote = crate::codec::resource(product, quote_gift);
    let me = use_me();
    let locale = me.locale;
    let signed_in = me.user.is_some();
    let t = move |en, zh| locale.pick(en, zh);
    let error = form_error(GiftCheckout::PATH);
    view! {
        <PageMeta title=crate::components::forms::use_locale().pick("Give as a gift", "作为礼物赠送") description=crate::components::forms::use_locale().pick("Buy something for someone else.", "为他人购买内容。") path="/give" />
        <Suspense fallback=|| view! { <crate::components::notice::Loading /> }>
            {move || Suspend::new(async move {
                match quote.await {
                    Ok(q) if !signed_in => view! {
                        <section class="gift">
                            <h1>{t("Give as a gift", "作为礼物赠送")}</h1>
                            <p><a href=q.href.clone()>{q.title.clone()}</a>" · "{crate::components::forms::use_locale().price(&q.total)}</p>
                            <p><a class="button" href=format!("/signin?next=/give%3Fproduct%3D{}", q.product)>{t("Sign in to give it", "登录后赠送")}</a></p>
                        </section>
                    }.into_any(),
                    Ok(q) => view! {
                        <section class="gift">
                            <h1>{t("Give as a gift", "作为礼物赠送")}</h1>
                            <p class="gift-what"><a href=q.href.clone()>{q.title.clone()}</a>" · "<strong>{crate::components::forms::use_locale().price(&q.total)}</strong></p>
                            <ServerForm action=GiftCheckout::PATH error class="stacked">
                                <input type="hidden" name="product" value=q.product.clone() />
                                <input type="hidden" name="key" value=q.key.clone() />
                                <input type="hidden" name="expected_total" value=q.total.minor.to_string() />
                                <Field name="email" label=t("Their e-mail address", "对方的电子邮箱") kind="email" error locale />
                                <label for="gift-message">{t("A message (optional)", "留言（可选）")}</label>
                                <textarea id="gift-message" name="message" rows="4" maxlength=GIFT_MESSAGE_MAX_CHARS.to_string()></textarea>
                                <FormAlert error fields=&["email", "message"] locale />
                                <p class="muted">{t(
                                    "They get an e-mail with a link; whoever opens it signed in adds it to their library. You can refund it until it is claimed.",
                                    "对方会收到一封带链接的邮件，登录后打开即可加入书架。对方领取前您可以申请退款。",
                                )}</p>
                                <button type="submit">{format!("{} {}", t("Pay for the gift", "支付礼物"), crate::components::forms::use_locale().price(&q.total))}</button>
                            </ServerForm>
                        </section>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/gift/<secret>`: what was given, by whom, and the button that claims it.
#[component]
pub fn GiftPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let gift = crate::codec::resource(token, load_gift);
    let me = use_me();
    let locale = me.locale;
    let signed_in = me.user.is_some();
    let t = move |en, zh| locale.pick(en, zh);
    let error = form_error(ClaimGift::PATH);
    view! {
        // The secret stays out of the canonical address and of search engines.
        <PageMeta title=crate::components::forms::use_locale().pick("A gift for you", "送给你的礼物") description=crate::components::forms::use_locale().pick("Someone gave you something to read.", "有人送了你一份读物。") path="/gift" />
        <Suspense fallback=|| view! { <crate::components::notice::Loading /> }>
            {move || Suspend::new(async move {
                match gift.await {
                    Ok(g) => {
                        let action = match (g.claimed, g.revoked) {
                            (Some(true), _) => view! {
                                <p class="notice-ok" role="status">{t("✓ It is in your library.", "✓ 已加入您的书架。")}</p>
                            }.into_any(),
                            (Some(false), _) => view! {
                                <p class="notice-warn" role="status">{t("This gift was already claimed.", "这份礼物已被领取。")}</p>
                            }.into_any(),
                            (None, true) => view! {
                                <p class="notice-warn" role="status">{t("This gift was refunded and can no longer be claimed.", "这份礼物已退款，无法领取。")}</p>
                            }.into_any(),
                            (None, false) if !signed_in => view! {
                                <p>
                                    <a class="button" href=format!("/signin?next=/gift/{}", token())>{t("Sign in to claim it", "登录后领取")}</a>
                                    " " <a href="/signup">{t("or create an account", "或注册新账号")}</a>
                                </p>
                            }.into_any(),
                            (None, false) => view! {
                                <ServerForm action=ClaimGift::PATH error class="inline">
                                    <input type="hidden" name="token" value=token() />
                                    <button type="submit">{t("Add it to my library", "领取到我的书架")}</button>
                                    <FormAlert error locale />
                                </ServerForm>
                            }.into_any(),
                        };
                        view! {
                            <section class="gift">
                                <h1>{format!("{} {}", g.from, t("sent you a gift", "送给您一份礼物"))}</h1>
                                {(!g.message.is_empty()).then(|| view! { <blockquote class="gift-message">{g.message.clone()}</blockquote> })}
                                {action}
                                <ItemGrid items=g.items />
                            </section>
                        }.into_any()
                    }
                    Err(AppError::NotFound(m)) => view! { <ErrorNotice error=AppError::NotFound(m) /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
