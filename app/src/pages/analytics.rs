//! `/studio/analytics`: a creator's numbers — visitors, conversion, revenue, items,
//! sources, cohorts, segments and forecasts — for any date range next to the period
//! before it. Admins see every store and all together. The range form is a plain GET form
//! (works without JavaScript; after hydration it updates the page in place and the
//! address follows). Every chart has its numbers in a table and as CSV.

use crate::api::analytics::analytics_dashboard;
use crate::components::charts::{BarChart, CohortHeatMap, Funnel, LineChart};
use crate::components::forms::use_me;
use crate::components::notice::ErrorNotice;
use crate::components::seo::PageMeta;
use crate::error::AppError;
use crate::models::analytics::{Dashboard, Figures, Report, StoreChoice};
use crate::models::i18n::Locale;
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

/// `12345678` → `¥123,456.78`.
fn money(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}¥{}.{:02}", grouped(abs / 100), abs % 100)
}

/// Whole yuan for chart axes: `¥1,235`.
fn money_short(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    format!("{sign}¥{}", grouped((minor.unsigned_abs() + 50) / 100))
}

/// `1234567` → `1,234,567`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn count(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", grouped(n.unsigned_abs()))
}

fn percent(v: Option<f64>) -> String {
    v.map(|v| format!("{:.1} %", v * 100.0))
        .unwrap_or_else(|| "—".into())
}

/// The change from `before` to `now`, as text and a direction class.
fn change(now: Option<f64>, before: Option<f64>) -> (String, &'static str) {
    match (now, before) {
        (Some(n), Some(b)) if b != 0.0 => {
            let c = (n - b) / b.abs() * 100.0;
            let class = if c > 0.5 {
                "up"
            } else if c < -0.5 {
                "down"
            } else {
                "flat"
            };
            (format!("{}{c:.0} %", if c > 0.0 { "+" } else { "" }), class)
        }
        (Some(n), Some(_)) if n != 0.0 => ("new".into(), "up"),
        _ => ("—".into(), "flat"),
    }
}

/// `/studio/analytics`.
#[component]
pub fn AnalyticsPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |k: &str| query.read().get(k).unwrap_or_default();
    let dashboard = crate::codec::resource(
        move || (param("store"), param("item"), param("from"), param("to")),
        |(store, item, from, to)| analytics_dashboard(store, item, from, to),
    );
    let locale = use_me().locale;
    let t = move |en, zh| locale.pick(en, zh);
    view! {
        <PageMeta title="Analytics" description="Visitors, sales, learners and forecasts of your store." path="/studio/analytics" />
        <section class="analytics">
            <h1>{t("Analytics", "数据分析")}</h1>
            <Transition fallback=move || view! { <p class="loading" role="status">{t("Loading…", "加载中…")}</p> }>
                {move || Suspend::new(async move {
                    match dashboard.await {
                        Ok(d) => view! { <DashboardView d locale /> }.into_any(),
                        Err(AppError::SignInRequired) => view! {
                            <p class="notice" role="alert">
                                <a class="button" href="/signin?next=/studio/analytics">{t("Sign in", "登录")}</a>
                            </p>
                        }.into_any(),
                        Err(error) => {
                            let bad_input = matches!(error, AppError::BadRequest(_) | AppError::NotFound(_));
                            view! {
                                <ErrorNotice error />
                                {bad_input.then(|| view! {
                                    <RangeForm stores=Vec::new() store=param("store") item=param("item")
                                        from=param("from") to=param("to") locale />
                                })}
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

/// Store, item and dates: a GET form that becomes the page's address.
#[component]
fn RangeForm(
    stores: Vec<StoreChoice>,
    store: String,
    item: String,
    from: String,
    to: String,
    locale: Locale,
) -> impl IntoView {
    let t = move |en, zh| locale.pick(en, zh);
    view! {
        <Form method="GET" action="/studio/analytics" attr:class="range-form" attr:data-testid="range-form">
            {(stores.len() > 1).then(|| view! {
                <label>
                    {t("Store", "店铺")}
                    <select name="store">
                        {stores.into_iter().map(|s| {
                            let selected = s.key == store;
                            view! { <option value=s.key selected=selected>{s.name}</option> }
                        }).collect_view()}
                    </select>
                </label>
            })}
            <label>{t("From", "开始")} <input type="date" name="from" value=from /></label>
            <label>{t("To", "结束")} <input type="date" name="to" value=to /></label>
            {(!item.is_empty()).then(|| view! { <input type="hidden" name="item" value=item /> })}
            <button type="submit">{t("Show", "查看")}</button>
        </Form>
    }
}

#[component]
fn DashboardView(d: Dashboard, locale: Locale) -> impl IntoView {
    let t = move |en, zh| locale.pick(en, zh);
    let csv = {
        let base = format!(
            "/studio/analytics.csv?store={}&item={}&from={}&to={}",
            d.store,
            d.item.as_ref().map(|i| i.0.as_str()).unwrap_or(""),
            d.range.from_string(),
            d.range.to_string_last()
        );
        move |table: &str| format!("{base}&table={table}")
    };
    let heading = match &d.item {
        Some((_, title)) => format!("{} — {}", d.store_name, title),
        None => d.store_name.clone(),
    };
    let range_text = format!(
        "{} – {} ({} {}) · {} {} – {}",
        d.range.from_string(),
        d.range.to_string_last(),
        d.range.days(),
        t("days", "天"),
        t("compared with", "对比"),
        d.previous.from_string(),
        d.previous.to_string_last(),
    );
    let form = view! {
        <RangeForm stores=d.stores.clone() store=d.store.clone()
            item=d.item.as_ref().map(|i| i.0.clone()).unwrap_or_default()
            from=d.range.from_string() to=d.range.to_string_last() locale />
    };
    let updated = d.updated_until.clone().map(|u| {
        view! { <p class="muted">{t("Counted up to ", "统计截至 ")} {u.chars().take(19).collect::<String>().replace('T', " ")} " UTC"</p> }
    });
    if !d.has_data {
        return view! {
            <h2 data-testid="store-name">{heading}</h2>
            {form}
            <section class="notice empty-state" data-testid="no-data">
                <p><strong>{t("Nothing has been recorded for this store yet.", "这个店铺还没有任何记录。")}</strong></p>
                <p>{t(
                    "Figures appear here once learners visit your items and buy them. Behaviour is counted only for learners who allowed analytics and for anonymous visitors; sales always count.",
                    "学员浏览和购买你的内容后，这里就会出现数据。行为数据只统计同意分析的学员和匿名访客；销售数据全部统计。",
                )}</p>
            </section>
        }
        .into_any();
    }
    let c = d.current.clone();
    let p = d.prior.clone();
    let item_view = d.item.is_some();
    let revenue_points: Vec<(String, i64)> =
        d.days.iter().map(|x| (x.day.clone(), x.net)).collect();
    let view_points: Vec<(String, i64)> = d.days.iter().map(|x| (x.day.clone(), x.views)).collect();
    let top: Vec<(String, i64)> = d
        .products
        .iter()
        .filter(|r| r.figures.net != 0)
        .take(10)
        .map(|r| (r.title.clone(), r.figures.net))
        .collect();
    let funnel = vec![
        (t("Views", "浏览").to_string(), c.views),
        (t("Previews", "试读").to_string(), c.previews),
        (t("Purchases", "购买").to_string(), c.purchases),
    ];
    let store_param = d.store.clone();
    let (from_s, to_s) = (d.range.from_string(), d.range.to_string_last());
    let days_table = d.days.clone();
    view! {
        <h2 data-testid="store-name">{heading}</h2>
        {form}
        <p class="muted" data-testid="range">{range_text}</p>
        {updated}
        {item_view.then(|| view! {
            <p><a href=format!("/studio/analytics?store={}&from={}&to={}", d.store, from_s, to_s)>{t("← The whole store", "← 返回整个店铺")}</a></p>
        })}
        <Kpis c=c.clone() p=p.clone() locale />
        <p class="muted small">{t(
            "Behaviour (visitors, views, previews, purchases, likes, ratings, progress) counts learners who allowed analytics and anonymous visitors; money comes from the books and counts every sale.",
            "行为数据（访客、浏览、试读、购买、点赞、评分、学习进度）只统计同意分析的学员和匿名访客；金额来自账本，统计全部销售。",
        )}</p>

        <div class="chart-grid">
            <LineChart title=t("Net revenue per day", "每日净收入").to_string() points=revenue_points format=money_short testid="revenue-chart" />
            <LineChart title=t("Item views per day", "每日浏览").to_string() points=view_points format=count testid="views-chart" />
        </div>
        <details>
            <summary>{t("Per day, as a table", "按天明细（表格）")}</summary>
            <div class="table-scroll">
                <table data-testid="days-table">
                    <thead><tr>
                        <th scope="col">{t("Day", "日期")}</th>
                        <th scope="col">{t("Visitors", "访客")}</th>
                        <th scope="col">{t("Views", "浏览")}</th>
                        <th scope="col">{t("Purchases", "购买")}</th>
                        <th scope="col">{t("Net", "净收入")}</th>
                    </tr></thead>
                    <tbody>
                        {days_table.into_iter().map(|x| view! {
                            <tr><th scope="row">{x.day}</th><td>{x.visitors}</td><td>{x.views}</td><td>{x.purchases}</td><td>{money(x.net)}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </details>
        <p><a href=csv("days") download="">{t("Download per day (CSV)", "下载按天数据（CSV）")}</a></p>

        <h3>{t("From view to purchase", "从浏览到购买")}</h3>
        <Funnel title=t("Views → previews → purchases", "浏览 → 试读 → 购买").to_string() steps=funnel />

        {(!item_view).then(|| {
            let products = d.products.clone();
            let store_param = store_param.clone();
            let (from_s, to_s) = (from_s.clone(), to_s.clone());
            view! {
                <h3>{t("Products", "商品")}</h3>
                {(!top.is_empty()).then(|| view! {
                    <BarChart title=t("Top products by net revenue", "净收入最高的商品").to_string() bars=top.clone() format=money_short testid="top-products" />
                })}
                <div class="table-scroll">
                    <table data-testid="products-table">
                        <thead><tr>
                            <th scope="col">{t("Product", "商品")}</th>
                            <th scope="col">{t("Views", "浏览")}</th>
                            <th scope="col">{t("Previews", "试读")}</th>
                            <th scope="col">{t("Purchases", "购买")}</th>
                            <th scope="col">{t("Conversion", "转化率")}</th>
                            <th scope="col">{t("Net", "净收入")}</th>
                            <th scope="col">{t("Rating", "评分")}</th>
                            <th scope="col">{t("Completion", "完成率")}</th>
                        </tr></thead>
                        <tbody>
                            {products.into_iter().take(50).map(|r| {
                                let f = r.figures.clone();
                                let link = r.product.strip_prefix("item:").map(|slug| {
                                    format!("/studio/analytics?store={store_param}&item={slug}&from={from_s}&to={to_s}")
                                });
                                view! {
                                    <tr>
                                        <th scope="row">{match link {
                                            Some(href) => view! { <a href=href>{r.title.clone()}</a> }.into_any(),
                                            None => view! { <span>{r.title.clone()}</span> }.into_any(),
                                        }}</th>
                                        <td>{f.views}</td>
                                        <td>{f.previews}</td>
                                        <td>{f.purchases}</td>
                                        <td>{percent(f.conversion())}</td>
                                        <td>{money(f.net)}</td>
                                        <td>{f.rating_mean().map(|m| format!("{m:.1}")).unwrap_or_else(|| "—".into())}</td>
                                        <td>{percent(f.completion())}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <p><a href=csv("products") download="" data-testid="csv-products">{t("Download products (CSV)", "下载商品数据（CSV）")}</a></p>

                <h3>{t("Where visitors came from", "访客来源")}</h3>
                <p class="muted">{t(
                    "The referring site, or for tagged links their utm_source / utm_medium / utm_campaign.",
                    "来源网站；带标记的链接显示 utm_source / utm_medium / utm_campaign。",
                )}</p>
                {if d.sources.is_empty() {
                    view! { <p class="muted">{t("No landings from outside the store in this range.", "这段时间没有来自站外的访问。")}</p> }.into_any()
                } else {
                    view! {
                        <table data-testid="sources-table">
                            <thead><tr><th scope="col">{t("Source", "来源")}</th><th scope="col">{t("Landings", "到达次数")}</th></tr></thead>
                            <tbody>
                                {d.sources.clone().into_iter().map(|s| view! { <tr><th scope="row">{s.source}</th><td>{s.views}</td></tr> }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
                <p><a href=csv("sources") download="">{t("Download sources (CSV)", "下载来源数据（CSV）")}</a></p>
            }
        })}

        {(!d.searches.is_empty()).then(|| view! {
            <h3>{t("What learners searched for", "学员搜索了什么")}</h3>
            <table data-testid="searches-table">
                <thead><tr><th scope="col">{t("Search", "搜索词")}</th><th scope="col">{t("Times", "次数")}</th></tr></thead>
                <tbody>
                    {d.searches.clone().into_iter().map(|s| view! { <tr><th scope="row">{s.query}</th><td>{s.count}</td></tr> }).collect_view()}
                </tbody>
            </table>
        })}

        {match (item_view, d.report.clone()) {
            (false, Some(r)) => view! { <ReportView r store=d.store.clone() locale csv=csv.clone() /> }.into_any(),
            (false, None) => view! {
                <p class="muted" data-testid="report-pending">{t(
                    "Cohorts, segments and forecasts are being computed; they appear within a few minutes.",
                    "留存、分群和预测正在计算，几分钟内就会出现。",
                )}</p>
            }.into_any(),
            (true, _) => ().into_any(),
        }}
    }
    .into_any()
}

/// One figure: test id, label, now, before, and both as numbers for the change.
type Tile = (
    &'static str,
    &'static str,
    String,
    String,
    Option<f64>,
    Option<f64>,
);

#[component]
fn Kpis(c: Figures, p: Figures, locale: Locale) -> impl IntoView {
    let t = move |en, zh| locale.pick(en, zh);
    let f = |v: i64| Some(v as f64);
    let mut tiles: Vec<Tile> = Vec::new();
    if let (Some(now), Some(before)) = (c.visitors, p.visitors) {
        tiles.push((
            "visitors",
            t("Visitors", "访客"),
            count(now),
            count(before),
            f(now),
            f(before),
        ));
    }
    tiles.push((
        "views",
        t("Views", "浏览"),
        count(c.views),
        count(p.views),
        f(c.views),
        f(p.views),
    ));
    tiles.push((
        "previews",
        t("Previews", "试读"),
        count(c.previews),
        count(p.previews),
        f(c.previews),
        f(p.previews),
    ));
    tiles.push((
        "purchases",
        t("Purchases", "购买"),
        count(c.purchases),
        count(p.purchases),
        f(c.purchases),
        f(p.purchases),
    ));
    tiles.push((
        "conversion",
        t("Preview → purchase", "试读转化率"),
        percent(c.conversion()),
        percent(p.conversion()),
        c.conversion(),
        p.conversion(),
    ));
    tiles.push((
        "gross",
        t("Gross sales", "销售额"),
        money(c.gross),
        money(p.gross),
        f(c.gross),
        f(p.gross),
    ));
    tiles.push((
        "refunds",
        t("Refunds", "退款"),
        money(c.refunds),
        money(p.refunds),
        f(-c.refunds),
        f(-p.refunds),
    ));
    tiles.push((
        "net",
        t("Net revenue", "净收入"),
        money(c.net),
        money(p.net),
        f(c.net),
        f(p.net),
    ));
    if let (Some(now), Some(before)) = (c.orders, p.orders) {
        tiles.push((
            "orders",
            t("Orders", "订单"),
            count(now),
            count(before),
            f(now),
            f(before),
        ));
        let aov = |x: &Figures| x.average_order().map(money).unwrap_or_else(|| "—".into());
        tiles.push((
            "aov",
            t("Average order", "客单价"),
            aov(&c),
            aov(&p),
            c.average_order().map(|v| v as f64),
            p.average_order().map(|v| v as f64),
        ));
    }
    let stars = |x: &Figures| {
        x.rating_mean()
            .map(|m| format!("{m:.2} ★ ({})", x.ratings))
            .unwrap_or_else(|| "—".into())
    };
    tiles.push((
        "rating",
        t("Rating", "评分"),
        stars(&c),
        stars(&p),
        c.rating_mean(),
        p.rating_mean(),
    ));
    tiles.push((
        "completion",
        t("Completion", "完成率"),
        percent(c.completion()),
        percent(p.completion()),
        c.completion(),
        p.completion(),
    ));
    view! {
        <dl class="kpis">
            {tiles.into_iter().map(|(id, label, now, before, a, b)| {
                let (delta, class) = change(a, b);
                view! {
                    <div class="kpi" data-testid=format!("kpi-{id}")>
                        <dt>{label}</dt>
                        <dd>
                            <span class="kpi-value">{now}</span>
                            <span class=format!("kpi-change {class}")>{delta}</span>
                            <span class="kpi-before">{t("before: ", "上期：")}{before}</span>
                        </dd>
                    </div>
                }
            }).collect_view()}
        </dl>
    }
}

#[component]
fn ReportView<F>(r: Report, store: String, locale: Locale, csv: F) -> impl IntoView
where
    F: Fn(&str) -> String + 'static,
{
    let t = move |en, zh| locale.pick(en, zh);
    // A coupon belongs to one store: none from the view of all stores together.
    let coupons = store != "all";
    let width = r.cohorts.iter().map(|c| c.active.len()).max().unwrap_or(0);
    let columns: Vec<String> = (0..width).map(|w| format!("{}{w}", t("W", "第"))).collect();
    let cohort_rows: Vec<(String, i64, Vec<i64>)> = r
        .cohorts
        .iter()
        .map(|c| (c.week.clone(), c.size, c.active.clone()))
        .collect();
    let any_cohort = r.cohorts.iter().any(|c| c.size > 0);
    let any_members = r.mrr.iter().any(|m| m.members > 0 || m.left > 0);
    view! {
        <h3>{t("Retention: weekly cohorts", "留存：按周分组")}</h3>
        <p class="muted">{t(
            "Learners grouped by the week of their first purchase; each cell is the share of them active that many weeks later.",
            "按首次购买所在的周分组；每一格是该组在之后第 N 周仍有活动的比例。",
        )}</p>
        {if any_cohort {
            view! {
                <CohortHeatMap title=t("Weekly cohorts (last 12 weeks)", "每周留存（最近 12 周）").to_string()
                    columns rows=cohort_rows label_heading=t("First purchase week", "首购周").to_string()
                    size_heading=t("Learners", "人数").to_string() />
            }.into_any()
        } else {
            view! { <p class="muted">{t("No first purchases in the last 12 weeks.", "最近 12 周没有首次购买。")}</p> }.into_any()
        }}
        <p><a href=csv("cohorts") download="">{t("Download cohorts (CSV)", "下载留存数据（CSV）")}</a></p>

        <h3>{t("Membership revenue (MRR)", "会员月度经常性收入（MRR）")}</h3>
        {if any_members {
            view! {
                <div class="table-scroll">
                    <table data-testid="mrr-table">
                        <thead><tr>
                            <th scope="col">{t("Month", "月份")}</th>
                            <th scope="col">"MRR"</th>
                            <th scope="col">{t("New", "新增")}</th>
                            <th scope="col">{t("Expansion", "扩充")}</th>
                            <th scope="col">{t("Contraction", "缩减")}</th>
                            <th scope="col">{t("Churned", "流失")}</th>
                            <th scope="col">{t("Members", "会员数")}</th>
                            <th scope="col">{t("Left", "离开")}</th>
                        </tr></thead>
                        <tbody>
                            {r.mrr.clone().into_iter().map(|m| view! {
                                <tr>
                                    <th scope="row">{m.month}</th>
                                    <td>{money(m.mrr)}</td><td>{money(m.new)}</td><td>{money(m.expansion)}</td>
                                    <td>{money(m.contraction)}</td><td>{money(m.churned)}</td>
                                    <td>{m.members}</td><td>{m.left}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        } else {
            view! { <p class="muted">{t("No memberships sold yet.", "还没有售出会员。")}</p> }.into_any()
        }}

        <h3>{t("Learner segments", "学员分群")}</h3>
        {match r.segments.clone() {
            None => view! { <p class="muted">{t("Too few learners to form segments yet.", "学员太少，暂时无法分群。")}</p> }.into_any(),
            Some(s) => view! {
                <p class="muted" data-testid="segments-summary">
                    {format!("k-means (k-means++) · k = {} · {} {:.3} · {} {}", s.k, t("silhouette", "轮廓系数"), s.silhouette, s.learners, t("learners", "名学员"))}
                    " (" {t("tried", "尝试过")} " "
                    {s.tried.iter().map(|(k, v)| format!("k={k}: {v:.3}")).collect::<Vec<_>>().join(", ")} ")"
                </p>
                <div class="table-scroll">
                    <table data-testid="segments-table">
                        <thead><tr>
                            <th scope="col">{t("Segment", "分群")}</th>
                            <th scope="col">{t("Learners", "人数")}</th>
                            <th scope="col">{t("Spend", "消费")}</th>
                            <th scope="col">{t("Centre (standard deviations from the mean)", "中心（与均值相差的标准差）")}</th>
                            <th scope="col">{t("Reach them", "联系他们")}</th>
                        </tr></thead>
                        <tbody>
                            {s.segments.into_iter().map(|seg| {
                                let name = if locale == Locale::Zh { seg.name_zh.clone() } else { seg.name.clone() };
                                let centre = seg.centre.iter().map(|(f, z)| format!("{f} {z:+.1}")).collect::<Vec<_>>().join(" · ");
                                let members = seg.members.clone();
                                view! {
                                    <tr>
                                        <th scope="row">
                                            <details data-testid="segment">
                                                <summary>{format!("{}. {}", seg.id, name)}</summary>
                                                <ul class="members">
                                                    {members.into_iter().map(|m| view! {
                                                        <li>{m.name} " · " {money(m.spend)} " · " {m.last_day}</li>
                                                    }).collect_view()}
                                                </ul>
                                            </details>
                                        </th>
                                        <td>{seg.size}</td>
                                        <td>{money(seg.revenue)}</td>
                                        <td class="small">{centre}</td>
                                        <td>{coupons.then(|| view! {
                                            <a href=format!("/studio/sales?segment={}#coupons", seg.id) data-testid="segment-coupon">{t("Make a coupon", "创建优惠码")}</a>
                                        })}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <p><a href=csv("segments") download="">{t("Download segments (CSV)", "下载分群数据（CSV）")}</a></p>
            }.into_any(),
        }}

        <h3>{t("Who may lapse in the next 30 days", "未来 30 天可能流失的学员")}</h3>
        {match r.lapse.clone() {
            None => view! { <p class="muted">{t("Not enough history to train the lapse model yet.", "历史数据不足，暂时无法训练流失模型。")}</p> }.into_any(),
            Some(m) => view! {
                <p class="muted" data-testid="lapse-summary">
                    {format!(
                        "{} · AUC {:.3} · log loss {:.3} ({} {:.3}) · {} {} / {} {}",
                        t("Logistic regression on this store's own history", "基于本店历史的逻辑回归"),
                        m.auc, m.log_loss, t("constant baseline", "常数基线"), m.baseline_log_loss,
                        t("trained on", "训练"), m.trained, t("held out", "验证"), m.held_out,
                    )}
                </p>
                <table data-testid="calibration-table">
                    <caption>{t("Calibration on held-out learners", "验证集上的校准")}</caption>
                    <thead><tr><th scope="col">{t("Predicted", "预测")}</th><th scope="col">{t("Observed", "实际")}</th><th scope="col">{t("Learners", "人数")}</th></tr></thead>
                    <tbody>
                        {m.calibration.iter().map(|b| view! {
                            <tr><td>{format!("{:.0} %", b.predicted * 100.0)}</td><td>{format!("{:.0} %", b.observed * 100.0)}</td><td>{b.n}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <table data-testid="at-risk-table">
                    <caption>{t("Active learners most likely to lapse", "最可能流失的活跃学员")}</caption>
                    <thead><tr>
                        <th scope="col">{t("Learner", "学员")}</th><th scope="col">{t("Chance to lapse", "流失概率")}</th>
                        <th scope="col">{t("Last active", "最近活跃")}</th><th scope="col">{t("Spend", "消费")}</th><th scope="col">{t("Segment", "分群")}</th>
                    </tr></thead>
                    <tbody>
                        {m.at_risk.into_iter().map(|a| view! {
                            <tr><th scope="row">{a.name}</th><td>{format!("{:.0} %", a.probability * 100.0)}</td><td>{a.last_day}</td><td>{money(a.spend)}</td><td>{a.segment}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any(),
        }}

        <h3>{t("Revenue forecast per item, next 30 days", "单品未来 30 天收入预测")}</h3>
        {if r.forecasts.is_empty() {
            view! { <p class="muted">{t("Not enough sales history to forecast.", "销售历史不足，无法预测。")}</p> }.into_any()
        } else {
            view! {
                <p class="muted">{t(
                    "Holt's exponential smoothing of weekly net revenue over the last 26 weeks; the interval covers 80 %. The backtest error is how far the same model was off when it forecast the last 30 days from the weeks before them.",
                    "对最近 26 周的每周净收入做 Holt 指数平滑；区间为 80% 置信区间。回测误差是用之前的数据预测最近 30 天时的偏差。",
                )}</p>
                <div class="table-scroll">
                    <table data-testid="forecasts-table">
                        <thead><tr>
                            <th scope="col">{t("Item", "单品")}</th><th scope="col">{t("Last 30 days", "最近 30 天")}</th>
                            <th scope="col">{t("Next 30 days", "未来 30 天")}</th><th scope="col">{t("80 % interval", "80% 区间")}</th>
                            <th scope="col">{t("Backtest error", "回测误差")}</th>
                        </tr></thead>
                        <tbody>
                            {r.forecasts.clone().into_iter().map(|f| view! {
                                <tr>
                                    <th scope="row">{f.title}</th><td>{money(f.last30)}</td><td>{money(f.next30)}</td>
                                    <td>{format!("{} – {}", money(f.low), money(f.high))}</td><td>{money(f.backtest_error)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <p><a href=csv("forecasts") download="">{t("Download forecasts (CSV)", "下载预测数据（CSV）")}</a></p>
            }.into_any()
        }}
        <p class="muted small">{t("Computed ", "计算于 ")} {r.computed_at.chars().take(19).collect::<String>().replace('T', " ")} " UTC"</p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_grouped_and_signed() {
        assert_eq!(money(12_345_678), "¥123,456.78");
        assert_eq!(money(-5), "-¥0.05");
        assert_eq!(money_short(149), "¥1");
        assert_eq!(count(1_000), "1,000");
    }

    #[test]
    fn changes_name_their_direction() {
        assert_eq!(change(Some(110.0), Some(100.0)), ("+10 %".into(), "up"));
        assert_eq!(change(Some(50.0), Some(100.0)), ("-50 %".into(), "down"));
        assert_eq!(change(Some(5.0), Some(0.0)), ("new".into(), "up"));
        assert_eq!(change(None, Some(1.0)).1, "flat");
    }
}
