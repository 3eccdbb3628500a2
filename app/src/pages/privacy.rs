//! `/privacy`: what the store keeps about people, why, for how long and who sees it.

use crate::components::forms::use_me;
use crate::components::seo::PageMeta;
use crate::models::i18n::Locale;
use leptos::prelude::*;

/// The privacy page, in the reader's language.
#[component]
pub fn PrivacyPage() -> impl IntoView {
    let text = match use_me().locale {
        Locale::En => view! { <PrivacyEn /> }.into_any(),
        Locale::Zh => view! { <PrivacyZh /> }.into_any(),
    };
    view! {
        <PageMeta title=crate::components::forms::use_locale().pick("Privacy", "隐私") description=crate::components::forms::use_locale().pick("What Shuzhai stores about you, why, for how long, and who sees it.", "书斋保存了你的哪些数据、为什么、保存多久、谁能看到。") path="/privacy" />
        {text}
        <crate::components::recommend::DeviceHistory />
    }
}

#[component]
fn PrivacyEn() -> impl IntoView {
    view! {
        <article class="prose">
            <h1>"Privacy, in plain words"</h1>
            <p>"This store belongs to the creators who sell in it. It keeps only what it needs to sell you things, let you read them, and keep your account safe. Nothing is sold or shared with advertisers, and pages load nothing from other sites."</p>
            <h2>"What we store, and why"</h2>
            <ul>
                <li><strong>"Your account"</strong>": e-mail address, name, language, e-mail preferences, and your password as a one-way hash (nobody can read it back). Needed to sign you in. Kept until you delete your account."</li>
                <li><strong>"Signed-in devices"</strong>": a description of the browser (like “Firefox on Android”), when it signed in and when it was last used. Needed to keep you signed in and to let you sign devices out. Ended after 14 days unused, 30 days at most, or when you sign out."</li>
                <li><strong>"Security log"</strong>": sign-ins, failed sign-ins, password and role changes, exports. Needed to notice and investigate attacks. Kept while your account exists; after deletion the entries no longer name you."</li>
                <li><strong>"What you view and read"</strong>": only if you turn on analytics on your account page. Used to improve the store and, if you also allow personalisation, to compute recommendations on the server. With both off, recommendations are computed in your browser from what your browser remembers."</li>
                <li><strong>"Mail"</strong>": messages the store sends you (sign-up confirmation, password reset). When the store has no mail server configured, they wait in an outbox that the store's admins can read."</li>
            </ul>
            <h2>"Who sees it"</h2>
            <p>"You see all of it: download it any time from your account page. The store's admins can see accounts, the security log and the outbox to run the store. Creators see their sales and anonymous statistics, not who you are beyond what an order needs."</p>
            <h2>"Cookies"</h2>
            <p>"One cookie, to keep you signed in. It cannot be read by scripts and is not sent to other sites."</p>
            <h2>"Deleting your account"</h2>
            <p>"On your account page. Your profile, devices, preferences and mail are removed; your viewing history and security log entries are kept only without any link to you. Orders are kept for the creator's accounts, without your name or e-mail address."</p>
        </article>
    }
}

#[component]
fn PrivacyZh() -> impl IntoView {
    view! {
        <article class="prose" lang="zh-CN">
            <h1>"隐私说明"</h1>
            <p>"这家商店属于在这里出售作品的创作者。我们只保存向您出售内容、让您阅读以及保护账户安全所必需的数据。不会出售给任何人，也不会与广告商共享；页面不从其他网站加载任何内容。"</p>
            <h2>"我们保存什么、为什么"</h2>
            <ul>
                <li><strong>"账户"</strong>"：邮箱、昵称、语言、邮件偏好，以及单向加密的密码（任何人都无法还原）。用于登录。保留到您删除账户为止。"</li>
                <li><strong>"已登录的设备"</strong>"：浏览器描述（如“Android 上的 Firefox”）、登录时间和最近使用时间。用于保持登录并让您退出某台设备。14 天未使用、最长 30 天或您退出时结束。"</li>
                <li><strong>"安全日志"</strong>"：登录、登录失败、密码与角色变更、数据导出。用于发现和调查攻击。账户存在期间保留；删除账户后这些记录不再关联到您。"</li>
                <li><strong>"浏览和阅读记录"</strong>"：仅在您于账户页开启“统计分析”后记录。用于改进商店；如同时允许个性化，也用于在服务器上计算推荐。两项都关闭时，推荐由您的浏览器根据本地记录计算。"</li>
                <li><strong>"邮件"</strong>"：商店发给您的邮件（注册确认、重设密码）。若商店未配置邮件服务器，邮件会保存在管理员可读的发件箱中。"</li>
            </ul>
            <h2>"谁能看到"</h2>
            <p>"您可以看到全部数据：随时在账户页下载。商店管理员为运营需要可查看账户、安全日志和发件箱。创作者能看到销售和匿名统计，除订单所需外看不到您的身份。"</p>
            <h2>"Cookie"</h2>
            <p>"只有一个 Cookie，用于保持登录。脚本无法读取它，也不会发送给其他网站。"</p>
            <h2>"删除账户"</h2>
            <p>"在账户页操作。您的资料、设备、偏好和邮件会被删除；浏览记录和安全日志只在不关联到您的情况下保留。订单为创作者的账务保留，但不含您的姓名和邮箱。"</p>
        </article>
    }
}
