//! `/studio/products`: a creator sets the prices of their items, which items their
//! membership opens, the membership itself, and bundles. Plain forms that work without
//! JavaScript; every figure is typed in yuan and checked on the server.

use crate::api::commerce::{studio_products, SaveBundle, SaveTier, SetItemPrice};
use crate::api::editor::CreateItem;
use crate::components::forms::{form_error, use_me, Field, FormAlert, ServerForm};
use crate::components::notice::ErrorNotice;
use crate::components::seo::PageMeta;
use crate::error::AppError;
use crate::models::commerce::{ProductBundle, ProductItem, ProductsView};
use leptos::prelude::*;
use server_fn::ServerFn;

/// `4990` → `49.90`: a price as typed in a form.
fn yuan(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

/// `/studio/products`.
#[component]
pub fn StudioProductsPage() -> impl IntoView {
    let page = crate::codec::resource(|| (), |_| studio_products());
    view! {
        <PageMeta title="Products and prices" description="What you sell and at what price." path="/studio/products" />
        <Suspense fallback=|| view! { <crate::components::notice::Loading /> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <Products p /> }.into_any(),
                    Err(AppError::SignInRequired) => view! {
                        <section class="notice" role="alert">
                            <p><a class="button" href="/signin?next=/studio/products">"Sign in"</a></p>
                        </section>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Products(p: ProductsView) -> impl IntoView {
    let locale = use_me().locale;
    let t = move |en, zh| locale.pick(en, zh);
    let item_error = form_error(SetItemPrice::PATH);
    let tier_error = form_error(SaveTier::PATH);
    let query = leptos_router::hooks::use_query_map();
    let saved = move || query.read().get("saved");
    let tier = p.tier.clone();
    let has_tier = tier.is_some();
    let items = p.items.clone();
    view! {
        <section class="studio products">
            <h1>{t("Products and prices", "商品与定价")} " — " {p.creator_name.clone()}</h1>
            <p class="muted">
                {t("Prices are in yuan and include tax. Orders already placed keep their price.", "价格以元为单位，含税。已下的订单保持原价。")}
                " " <a href="/studio/sales">{t("Sales and coupons", "销售与优惠码")}</a>
            </p>
            {move || saved().map(|_| view! { <p class="notice-ok" role="status">{t("Saved.", "已保存。")}</p> })}

            <h2>{t("Items", "单品")}</h2>
            <NewItem categories=p.categories.clone() />
            <FormAlert error=item_error locale />
            <p class="muted">{t("Price 0 makes an item free. “Members” puts a paid item in your membership.", "价格为 0 即免费；勾选“会员可读”即加入会员内容。")}</p>
            <ul class="product-items">
                {p.items.into_iter().map(|i| view! { <ItemRow i has_tier error=item_error /> }).collect_view()}
            </ul>

            <h2 id="membership">{t("Membership", "会员")}</h2>
            {has_tier.then(|| view! {
                <p><a href=format!("/membership/{}", p.tier_key)>{t("See the membership page", "查看会员页面")}</a></p>
            })}
            <ServerForm action=SaveTier::PATH error=tier_error class="stacked tier-form">
                <Field name="name" label=t("Name", "名称") value=tier.as_ref().map(|t| t.name.clone()).unwrap_or_default() error=tier_error locale />
                <Field name="description" label=t("What members get", "会员权益") value=tier.as_ref().map(|t| t.description.clone()).unwrap_or_default() error=tier_error locale />
                <Field name="monthly" label=t("Price of 30 days (¥)", "30 天价格（元）") value=tier.as_ref().map(|t| yuan(t.monthly.minor)).unwrap_or_default() error=tier_error locale />
                <Field name="yearly" label=t("Price of a year (¥)", "一年价格（元）") value=tier.as_ref().map(|t| yuan(t.yearly.minor)).unwrap_or_default() error=tier_error locale />
                <Field name="trial_days" kind="number" label=t("Free trial days (0: none)", "免费试用天数（0 为不提供）") value=tier.as_ref().map(|t| t.trial_days.to_string()).unwrap_or_else(|| "0".into()) error=tier_error locale />
                <FormAlert error=tier_error fields=&["name", "description", "monthly", "yearly", "trial_days"] locale />
                <button type="submit">{if has_tier { t("Save the membership", "保存会员设置") } else { t("Set up a membership", "开设会员") }}</button>
            </ServerForm>

            <h2 id="bundles">{t("Bundles", "套装")}</h2>
            {p.bundles.into_iter().map(|b| view! {
                <details class="bundle-edit">
                    <summary>{format!("{} · {} · {} {}", b.title, crate::components::forms::use_locale().price(&b.price), b.items.len(), t("items", "件"))}
                        {(!b.published).then(|| view! { " " <span class="muted">{t("(not on sale)", "（未上架）")}</span> })}
                    </summary>
                    <BundleForm items=items.clone() bundle=Some(b) />
                </details>
            }).collect_view()}
            <details class="bundle-edit" open=false>
                <summary>{t("New bundle", "新建套装")}</summary>
                <BundleForm items=items.clone() bundle=None />
            </details>
        </section>
    }
}

/// Starts a new item: what it is, its category, language and title; its page opens in
/// edit mode as a draft.
#[component]
fn NewItem(categories: Vec<(String, String, String)>) -> impl IntoView {
    let locale = use_me().locale;
    let t = move |en, zh| locale.pick(en, zh);
    let error = form_error(CreateItem::PATH);
    let zh = locale == crate::models::i18n::Locale::Zh;
    view! {
        <details class="new-item" data-testid="new-item">
            <summary class="button">{t("+ New item", "+ 新建内容")}</summary>
            <ServerForm action=CreateItem::PATH error class="stacked">
                <label for="new-kind">{t("What it is", "类型")}</label>
                <select id="new-kind" name="kind">
                    <option value="article">{t("Article", "文章")}</option>
                    <option value="ebook">{t("E-book", "电子书")}</option>
                    <option value="audio">{t("Audio", "音频")}</option>
                    <option value="video">{t("Video", "视频")}</option>
                    <option value="course">{t("Course (chapters and lessons)", "课程（章与课）")}</option>
                </select>
                <label for="new-category">{t("Category", "分类")}</label>
                <select id="new-category" name="category">
                    {categories.into_iter().map(|(slug, en, zh_name)| view! {
                        <option value=slug>{if zh { zh_name } else { en }}</option>
                    }).collect_view()}
                </select>
                <label for="new-language">{t("Written in", "内容语言")}</label>
                <select id="new-language" name="language">
                    <option value="zh-CN" selected=zh>"中文"</option>
                    <option value="en" selected=!zh>"English"</option>
                </select>
                <Field name="title" form="item" label=t("Title", "标题") error locale />
                <FormAlert error fields=&["title"] locale />
                <p class="muted">{t("It stays a draft, seen only by you, until you publish it from its page.", "发布前它只是草稿，只有你能看到。")}</p>
                <button type="submit" data-testid="create-item">{t("Create and edit", "创建并编辑")}</button>
            </ServerForm>
        </details>
    }
}

#[component]
fn ItemRow(
    i: ProductItem,
    has_tier: bool,
    /// Shared by every row, shown above the list.
    error: RwSignal<Option<AppError>>,
) -> impl IntoView {
    let locale = use_me().locale;
    view! {
        <li>
            <ServerForm action=SetItemPrice::PATH error class="product-row">
                <input type="hidden" name="slug" value=i.slug.clone() />
                <span class="product-title">
                    <a href=if i.status == "published" { format!("/item/{}", i.slug) } else { format!("/item/{}?edit=1", i.slug) }>
                        {if i.title.is_empty() { locale.pick("(untitled)", "（未命名）").to_string() } else { i.title.clone() }}
                    </a>
                    {(i.status != "published").then(|| view! { " " <span class="muted">{locale.pick("(draft)", "（草稿）")}</span> })}
                </span>
                <label>
                    <span class="visually-hidden">{format!("{} {}", locale.pick("Price of", "价格："), i.title)}</span>
                    "¥ " <input name="price" inputmode="decimal" size="8" value=yuan(i.price.minor) />
                </label>
                <label class="check">
                    <input type="checkbox" name="for_members" value="on" checked=i.for_members disabled=!has_tier />
                    " " {locale.pick("members", "会员可读")}
                </label>
                <button type="submit" class="secondary">{locale.pick("Save", "保存")}</button>
            </ServerForm>
        </li>
    }
}

#[component]
fn BundleForm(items: Vec<ProductItem>, bundle: Option<ProductBundle>) -> impl IntoView {
    let locale = use_me().locale;
    let t = move |en, zh| locale.pick(en, zh);
    let error = form_error(SaveBundle::PATH);
    let chosen = bundle.as_ref().map(|b| b.items.clone()).unwrap_or_default();
    let prefix: &'static str = if bundle.is_some() { "edit" } else { "new" };
    view! {
        <ServerForm action=SaveBundle::PATH error class="stacked bundle-form">
            {match &bundle {
                Some(b) => view! { <input type="hidden" name="slug" value=b.slug.clone() /> }.into_any(),
                None => view! {
                    <Field name="slug" form=prefix label=t("Address: /bundle/…", "地址：/bundle/…") help="reading-pack" error locale />
                }.into_any(),
            }}
            <Field name="title" form=prefix label=t("Title", "标题") value=bundle.as_ref().map(|b| b.title.clone()).unwrap_or_default() error locale />
            <Field name="price" form=prefix label=t("Price (¥)", "价格（元）") value=bundle.as_ref().map(|b| yuan(b.price.minor)).unwrap_or_default() error locale />
            <fieldset>
                <legend>{t("Items in it (two or more)", "包含的单品（至少两件）")}</legend>
                {items.into_iter().filter(|i| i.status == "published").map(|i| {
                    let on = chosen.contains(&i.slug);
                    view! {
                        <label class="check"><input type="checkbox" name="items[]" value=i.slug.clone() checked=on />" " {i.title}</label>
                    }
                }).collect_view()}
            </fieldset>
            <label class="check"><input type="checkbox" name="published" value="on" checked=bundle.as_ref().is_none_or(|b| b.published) />" " {t("On sale", "上架销售")}</label>
            <FormAlert error locale />
            <button type="submit">{t("Save the bundle", "保存套装")}</button>
        </ServerForm>
    }
}
