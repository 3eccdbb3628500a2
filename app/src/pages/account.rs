//! `/account`: profile and preferences, privacy choices, signed-in devices, password,
//! export and deletion — everything a person controls about their account, on one page.

use crate::api::account::{
    load_account, ChangePassword, DeleteAccount, RevokeSession, SetConsent, SignOut,
    SignOutEverywhere, UpdateProfile,
};
use crate::components::forms::{form_error, use_me, Field, FormAlert, ServerForm};
use crate::components::notice::ErrorNotice;
use crate::components::seo::PageMeta;
use crate::error::AppError;
use crate::models::account::{AccountView, Role};
use crate::models::i18n::Locale;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;

/// The account page (signed-in people only; others are sent to sign in).
#[component]
pub fn AccountPage() -> impl IntoView {
    let locale = use_me().locale;
    let errors = Errors::new();
    let account = crate::codec::resource(|| (), |_| load_account());
    let query = use_query_map();
    let saved = move || query.read().get("saved").unwrap_or_default();
    let welcome = move || query.read().get("welcome").is_some();
    view! {
        <PageMeta title=crate::components::forms::use_locale().pick("Your account", "我的账户") description=crate::components::forms::use_locale().pick("Your profile, privacy choices and devices.", "你的资料、隐私选择和设备。") path="/account" />
        <Suspense fallback=|| view! { <crate::components::notice::Loading /> }>
            {move || {
                let saved = saved();
                let welcome = welcome();
                Suspend::new(async move {
                    match account.await {
                        Ok(a) => view! { <AccountView a locale saved welcome errors /> }.into_any(),
                        Err(AppError::SignInRequired) => view! { <SignInFirst locale /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// For visitors who are not signed in: a link to sign in that comes back here.
#[component]
fn SignInFirst(locale: Locale) -> impl IntoView {
    crate::components::notice::set_status(http::StatusCode::UNAUTHORIZED);
    let t = move |en, zh| locale.pick(en, zh);
    view! {
        <section class="notice" role="alert">
            <h1>{t("Please sign in", "请先登录")}</h1>
            <p><a class="button" href="/signin?next=/account">{t("Sign in", "登录")}</a></p>
        </section>
    }
}

/// The errors of the page's forms.
#[derive(Clone, Copy)]
struct Errors {
    profile: RwSignal<Option<AppError>>,
    consent: RwSignal<Option<AppError>>,
    password: RwSignal<Option<AppError>>,
    sessions: RwSignal<Option<AppError>>,
    delete: RwSignal<Option<AppError>>,
}

impl Errors {
    fn new() -> Self {
        Errors {
            profile: form_error(UpdateProfile::PATH),
            consent: form_error(SetConsent::PATH),
            password: form_error(ChangePassword::PATH),
            sessions: form_error(RevokeSession::PATH),
            delete: form_error(DeleteAccount::PATH),
        }
    }
}

#[component]
fn AccountView(
    a: AccountView,
    locale: Locale,
    saved: String,
    welcome: bool,
    errors: Errors,
) -> impl IntoView {
    let t = move |en, zh| locale.pick(en, zh);
    let Errors {
        profile: profile_error,
        consent: consent_error,
        password: password_error,
        sessions: revoke_error,
        delete: delete_error,
    } = errors;
    // Sign-out failures have nothing to show beside a field; they reuse the sessions alert.
    let sign_out_error = revoke_error;
    let saved_note = match saved.as_str() {
        "profile" => Some(t("Profile saved.", "资料已保存。")),
        "privacy" => Some(t("Privacy choices saved.", "隐私选项已保存。")),
        "password" => Some(t(
            "Password changed. Your other devices were signed out.",
            "密码已更改，其他设备已退出登录。",
        )),
        "sessions" => Some(t("That device was signed out.", "该设备已退出登录。")),
        _ => None,
    };
    let roles = a
        .roles
        .iter()
        .map(|r| match r {
            Role::Learner => t("learner", "学员"),
            Role::Creator => t("creator", "创作者"),
            Role::Admin => t("admin", "管理员"),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let is_admin = a.roles.contains(&Role::Admin);
    view! {
        <section class="account">
            <h1>{t("Your account", "我的账户")}</h1>
            {welcome.then(|| view! { <p class="notice-ok" role="status">{t("Welcome! Your account is ready.", "欢迎！账户已创建。")}</p> })}
            {saved_note.map(|n| view! { <p class="notice-ok" role="status">{n}</p> })}
            <p class="muted">{a.email.clone()} " · " {roles}</p>
            {is_admin.then(|| view! {
                <p><a href="/admin/users">{t("Manage people", "用户管理")}</a> " · " <a href="/admin/outbox">{t("Mail outbox", "邮件发件箱")}</a></p>
            })}

            <h2 id="profile">{t("Profile", "个人资料")}</h2>
            <ServerForm action=UpdateProfile::PATH error=profile_error>
                <Field name="display_name" autocomplete="nickname" label=t("Name", "昵称") value=a.display_name.clone() error=profile_error locale />
                <div class="field">
                    <label for="f-locale">{t("Language", "语言")}</label>
                    <select id="f-locale" name="locale">
                        <option value="en" selected=a.locale == Locale::En>"English"</option>
                        <option value="zh-CN" selected=a.locale == Locale::Zh>"简体中文"</option>
                    </select>
                </div>
                <fieldset>
                    <legend>{t("E-mail from us", "邮件通知")}</legend>
                    <label class="check"><input type="checkbox" name="email_new_items" checked=a.email_new_items />
                        {t(" New items from creators I follow", " 我关注的创作者有新作品时")}</label>
                    <label class="check"><input type="checkbox" name="email_updates" checked=a.email_updates />
                        {t(" Occasional news about the store", " 偶尔的商店动态")}</label>
                    <label class="check"><input type="checkbox" name="email_replies" checked=a.email_replies />
                        {t(" Replies to my comments, answers to my questions and feedback to my store", " 有人回复我的评论、回答我的提问或给我的店铺反馈时")}</label>
                </fieldset>
                <FormAlert error=profile_error fields=&["display_name"] locale />
                <button type="submit">{t("Save profile", "保存资料")}</button>
            </ServerForm>

            <h2 id="privacy">{t("Privacy", "隐私")}</h2>
            <p>{t("Both are off unless you turn them on. ", "两项默认关闭，除非您主动开启。")}<a href="/privacy">{t("What this means", "详细说明")}</a></p>
            <ServerForm action=SetConsent::PATH error=consent_error>
                <label class="check"><input type="checkbox" name="analytics" checked=a.consent_analytics />
                    {t(" Record what I view and read, to improve the store (analytics)", " 记录我浏览和阅读的内容，用于改进商店（统计分析）")}</label>
                <label class="check"><input type="checkbox" name="personalisation" checked=a.consent_personalisation />
                    {t(" Use that record for recommendations computed on the server", " 用这些记录在服务器上计算推荐")}</label>
                <FormAlert error=consent_error locale />
                <button type="submit">{t("Save privacy choices", "保存隐私选项")}</button>
            </ServerForm>

            <h2 id="devices">{t("Signed-in devices", "已登录的设备")}</h2>
            <ul class="sessions">
                {a.sessions.into_iter().map(|s| {
                    let last = s.last_seen.chars().take(16).collect::<String>().replace('T', " ");
                    view! {
                        <li>
                            <span>{s.device}</span>
                            <span class="muted">{t(" · last used ", " · 最近使用 ")}{last}</span>
                            {if s.current {
                                view! { <strong>{t(" · this device", " · 当前设备")}</strong> }.into_any()
                            } else {
                                view! {
                                    <ServerForm action=RevokeSession::PATH error=revoke_error class="inline">
                                        <input type="hidden" name="id" value=s.id />
                                        <button type="submit" class="secondary">{t("Sign out", "退出")}</button>
                                    </ServerForm>
                                }.into_any()
                            }}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <FormAlert error=revoke_error locale />
            <div class="row">
                <ServerForm action=SignOut::PATH error=sign_out_error class="inline">
                    <button type="submit" class="secondary">{t("Sign out", "退出登录")}</button>
                </ServerForm>
                <ServerForm action=SignOutEverywhere::PATH error=sign_out_error class="inline">
                    <button type="submit" class="secondary">{t("Sign out everywhere", "在所有设备上退出")}</button>
                </ServerForm>
            </div>

            <h2 id="password">{t("Password", "密码")}</h2>
            <ServerForm action=ChangePassword::PATH error=password_error>
                <Field name="current" kind="password" autocomplete="current-password" label=t("Current password", "当前密码") error=password_error locale />
                <Field name="password" kind="password" autocomplete="new-password" label=t("New password", "新密码")
                    help="At least 10 characters. 至少 10 个字符。" error=password_error locale />
                <Field name="confirm" kind="password" autocomplete="new-password" label=t("New password again", "再次输入新密码") error=password_error locale />
                <FormAlert error=password_error fields=&["current", "password", "confirm"] locale />
                <button type="submit">{t("Change password", "更改密码")}</button>
            </ServerForm>

            <h2 id="data">{t("Your data", "我的数据")}</h2>
            <p>
                <a class="button secondary" href="/account/export.json" download="shuzhai-my-data.json" rel="external">
                    {t("Download my data (JSON)", "下载我的数据（JSON）")}
                </a>
            </p>
            <details class="danger">
                <summary>{t("Delete my account", "删除我的账户")}</summary>
                <p>{t(
                    "This removes your profile, devices, preferences and history. Orders stay with the creator for their accounts, without your name or e-mail. It cannot be undone.",
                    "这会删除您的资料、设备、偏好和记录。订单会为创作者的账务保留，但不含您的姓名和邮箱。此操作无法撤销。",
                )}</p>
                <ServerForm action=DeleteAccount::PATH error=delete_error>
                    <Field name="password" form="delete" kind="password" autocomplete="current-password" label=t("Your password, to confirm", "输入密码以确认") error=delete_error locale />
                    <FormAlert error=delete_error fields=&["password"] locale />
                    <button type="submit" class="danger">{t("Delete my account for good", "永久删除账户")}</button>
                </ServerForm>
            </details>
        </section>
    }
}
