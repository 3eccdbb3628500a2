//! Signing up, confirming, signing in, and resetting a forgotten password.

use crate::api::account::{ConfirmSignUp, RequestPasswordReset, ResetPassword, SignIn, SignUp};
use crate::components::forms::{form_error, use_me, Field, FormAlert, ServerForm};
use crate::components::seo::PageMeta;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use server_fn::ServerFn;

/// `/signin`.
#[component]
pub fn SignInPage() -> impl IntoView {
    let locale = use_me().locale;
    let t = move |en, zh| locale.pick(en, zh);
    let action = SignIn::PATH;
    let error = form_error(action);
    let query = use_query_map();
    let next = query.read_untracked().get("next").unwrap_or_default();
    let reset_done = query.read_untracked().get("reset").is_some();
    view! {
        <PageMeta title=crate::components::forms::use_locale().pick("Sign in", "登录") description=crate::components::forms::use_locale().pick("Sign in to read what you bought and keep your place.", "登录以阅读已购内容并保留阅读位置。") path="/signin" />
        <section class="auth">
            <h1>{t("Sign in", "登录")}</h1>
            {reset_done.then(|| view! {
                <p class="notice-ok" role="status">{t("Your password was changed. Sign in with the new one.", "密码已更改，请用新密码登录。")}</p>
            })}
            <ServerForm action error>
                <input type="hidden" name="next" value=next />
                <Field name="email" kind="email" autocomplete="email" label=t("E-mail", "电子邮箱") error locale />
                <Field name="password" kind="password" autocomplete="current-password" label=t("Password", "密码") error locale />
                <FormAlert error fields=&["email", "password"] locale />
                <button type="submit">{t("Sign in", "登录")}</button>
            </ServerForm>
            <p><a href="/reset">{t("Forgot your password?", "忘记密码？")}</a></p>
            <p>{t("New here? ", "第一次来？")}<a href="/signup">{t("Create an account", "注册账户")}</a></p>
        </section>
    }
}

/// `/signup` (and `/signup?sent=1` once the confirmation mail is out).
#[component]
pub fn SignUpPage() -> impl IntoView {
    let locale = use_me().locale;
    let t = move |en, zh| locale.pick(en, zh);
    let action = SignUp::PATH;
    let error = form_error(action);
    let sent = use_query_map().read_untracked().get("sent").is_some();
    let body = if sent {
        view! {
            <section class="auth" role="status">
                <h1>{t("Check your inbox", "请查收邮件")}</h1>
                <p>{t(
                    "We sent a message to the address you gave. Open the link in it within 24 hours to finish signing up.",
                    "我们已向您填写的邮箱发送了一封邮件。请在 24 小时内打开其中的链接完成注册。",
                )}</p>
            </section>
        }
        .into_any()
    } else {
        view! {
            <section class="auth">
                <h1>{t("Create an account", "注册账户")}</h1>
                <ServerForm action error>
                    <Field name="email" kind="email" autocomplete="email" label=t("E-mail", "电子邮箱") error locale />
                    <Field name="display_name" autocomplete="nickname" label=t("Your name (shown with your comments)", "昵称（显示在评论旁）") error locale />
                    <Field name="password" kind="password" autocomplete="new-password" label=t("Password", "密码")
                        help="At least 10 characters. 至少 10 个字符。" error locale />
                    <Field name="confirm" kind="password" autocomplete="new-password" label=t("Password again", "再次输入密码") error locale />
                    <FormAlert error fields=&["email", "display_name", "password", "confirm"] locale />
                    <button type="submit">{t("Create account", "注册")}</button>
                </ServerForm>
                <p>{t("Already have an account? ", "已有账户？")}<a href="/signin">{t("Sign in", "登录")}</a></p>
                <p class="muted"><a href="/privacy">{t("What we store about you", "我们保存哪些数据")}</a></p>
            </section>
        }
        .into_any()
    };
    view! {
        <PageMeta title=crate::components::forms::use_locale().pick("Create an account", "注册账户") description=crate::components::forms::use_locale().pick("Create a Shuzhai account to buy, read and keep your place.", "注册书斋账户，购买、阅读并保留阅读位置。") path="/signup" />
        {body}
    }
}

/// `/signup/confirm/<token>`: one button, so that mail scanners that open links confirm
/// nothing.
#[component]
pub fn ConfirmSignUpPage() -> impl IntoView {
    let locale = use_me().locale;
    let t = move |en, zh| locale.pick(en, zh);
    let action = ConfirmSignUp::PATH;
    let error = form_error(action);
    let token = use_params_map()
        .read_untracked()
        .get("token")
        .unwrap_or_default();
    view! {
        <PageMeta title=crate::components::forms::use_locale().pick("Confirm your account", "确认账户") description=crate::components::forms::use_locale().pick("Finish signing up.", "完成注册。") path="/signup/confirm" />
        <section class="auth">
            <h1>{t("Confirm your account", "确认账户")}</h1>
            <ServerForm action error>
                <input type="hidden" name="token" value=token />
                <FormAlert error locale />
                <button type="submit">{t("Confirm and sign in", "确认并登录")}</button>
            </ServerForm>
        </section>
    }
}

/// `/reset`: ask for a reset link (and `/reset?sent=1` afterwards).
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let locale = use_me().locale;
    let t = move |en, zh| locale.pick(en, zh);
    let action = RequestPasswordReset::PATH;
    let error = form_error(action);
    let sent = use_query_map().read_untracked().get("sent").is_some();
    let body = if sent {
        view! {
            <p class="notice-ok" role="status">{t(
                "If an account exists for that address, we sent it a link. It works once, for one hour.",
                "如果该邮箱有账户，我们已发送重设链接。链接一小时内有效，只能使用一次。",
            )}</p>
        }
        .into_any()
    } else {
        view! {
            <ServerForm action error>
                <Field name="email" kind="email" autocomplete="email" label=t("E-mail", "电子邮箱") error locale />
                <FormAlert error fields=&["email"] locale />
                <button type="submit">{t("Send me a link", "发送链接")}</button>
            </ServerForm>
        }
        .into_any()
    };
    view! {
        <PageMeta title=crate::components::forms::use_locale().pick("Reset your password", "重设密码") description=crate::components::forms::use_locale().pick("Get a link to choose a new password.", "获取重设密码的链接。") path="/reset" />
        <section class="auth">
            <h1>{t("Reset your password", "重设密码")}</h1>
            {body}
            <p><a href="/signin">{t("Back to sign in", "返回登录")}</a></p>
        </section>
    }
}

/// `/reset/<token>`: choose a new password.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let locale = use_me().locale;
    let t = move |en, zh| locale.pick(en, zh);
    let action = ResetPassword::PATH;
    let error = form_error(action);
    let token = use_params_map()
        .read_untracked()
        .get("token")
        .unwrap_or_default();
    view! {
        <PageMeta title=crate::components::forms::use_locale().pick("Choose a new password", "设置新密码") description=crate::components::forms::use_locale().pick("Set a new password for your account.", "为你的账户设置新密码。") path="/reset" />
        <section class="auth">
            <h1>{t("Choose a new password", "设置新密码")}</h1>
            <ServerForm action error>
                <input type="hidden" name="token" value=token />
                <Field name="password" kind="password" autocomplete="new-password" label=t("New password", "新密码")
                    help="At least 10 characters. 至少 10 个字符。" error locale />
                <Field name="confirm" kind="password" autocomplete="new-password" label=t("New password again", "再次输入新密码") error locale />
                <FormAlert error fields=&["password", "confirm"] locale />
                <button type="submit">{t("Save password", "保存密码")}</button>
            </ServerForm>
            <p><a href="/reset">{t("Ask for a new link", "重新申请链接")}</a></p>
        </section>
    }
}
