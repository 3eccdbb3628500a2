//! Buying: the cart (`/cart`), the sandbox's pay page (`/pay/<order>`), the orders list
//! (`/orders`) and receipts (`/orders/<id>`). Every form is a plain POST that works without
//! JavaScript; amounts shown are the server's.

use crate::api::commerce::{
    list_orders, load_cart, load_order, AddToCart, ApplyCoupon, CancelOrder, Checkout, ClaimItem,
    PaySandbox, RefundOrder, RemoveCoupon, RemoveFromCart,
};
use crate::components::forms::{form_error, use_me, Field, FormAlert, ServerForm};
use crate::components::notice::ErrorNotice;
use crate::components::seo::PageMeta;
use crate::error::AppError;
use crate::models::commerce::{CartView, Line, OrderStatus, OrderView, Totals};
use crate::models::i18n::Locale;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use server_fn::ServerFn;

/// The "buy" part of an item page: add to cart, add a free item to the library, or say
/// that it is already there.
#[component]
pub fn BuyBox(slug: String, free: bool, in_library: bool) -> impl IntoView {
    let me = use_me();
    let locale = me.locale;
    let t = move |en, zh| locale.pick(en, zh);
    let error = form_error(if free {
        ClaimItem::PATH
    } else {
        AddToCart::PATH
    });
    let give = (!free).then(|| {
        view! {
            <a class="give-link" href=format!("/give?product=item:{slug}")>{t("🎁 Give as a gift", "🎁 作为礼物赠送")}</a>
        }
    });
    if in_library {
        return view! {
            <div class="buy-box owned">
                <p role="status">{t("✓ In your library", "✓ 已在您的书架中")}</p>
                {give}
            </div>
        }
        .into_any();
    }
    if free {
        return if me.user.is_some() {
            view! {
                <ServerForm action=ClaimItem::PATH error class="buy-box">
                    <input type="hidden" name="slug" value=slug />
                    <button type="submit">{t("Add to library — free", "免费加入书架")}</button>
                    <FormAlert error locale />
                </ServerForm>
            }
            .into_any()
        } else {
            view! {
                <p class="buy-box muted">{t("Free to read below. ", "可免费阅读。")}
                    <a href=format!("/signin?next=/item/{slug}")>{t("Sign in to keep it in your library", "登录后可加入书架")}</a>
                </p>
            }
            .into_any()
        };
    }
    view! {
        <ServerForm action=AddToCart::PATH error class="buy-box">
            <input type="hidden" name="product" value=format!("item:{slug}") />
            <button type="submit">{t("Add to cart", "加入购物车")}</button>
            " " {give}
            <FormAlert error locale />
        </ServerForm>
    }
    .into_any()
}

/// One line of a cart or receipt.
#[component]
fn LineRow(line: Line, #[prop(optional)] removable: bool) -> impl IntoView {
    let remove_error = form_error(RemoveFromCart::PATH);
    let locale = use_me().locale;
    view! {
        <tr>
            <td><a href=line.href.clone()>{line.title.clone()}</a></td>
            <td class="num">{crate::components::forms::use_locale().price(&line.unit)}</td>
            <td class="num">{(line.discount.minor > 0).then(|| format!("−{}", crate::components::forms::use_locale().price(&line.discount)))}</td>
            <td class="num">{crate::components::forms::use_locale().price(&line.total)}</td>
            {removable.then(|| view! {
                <td>
                    <ServerForm action=RemoveFromCart::PATH error=remove_error class="inline">
                        <input type="hidden" name="product" value=line.product.clone() />
                        <button type="submit" class="secondary" aria-label=format!("Remove {}", line.title)>
                            {locale.pick("Remove", "移除")}
                        </button>
                    </ServerForm>
                </td>
            })}
        </tr>
    }
}

/// Subtotal, discount, tax and total.
#[component]
fn TotalsRows(totals: Totals, columns: usize) -> impl IntoView {
    let locale = use_me().locale;
    let t = move |en, zh| locale.pick(en, zh);
    let span = (columns - 1).to_string();
    let rate = totals.tax_rate_label();
    view! {
        <tr><th scope="row" colspan=span.clone()>{t("Subtotal", "小计")}</th><td class="num">{crate::components::forms::use_locale().price(&totals.subtotal)}</td></tr>
        {(totals.discount.minor > 0).then(|| view! {
            <tr><th scope="row" colspan=span.clone()>{t("Discount", "优惠")}</th><td class="num">{format!("−{}", crate::components::forms::use_locale().price(&totals.discount))}</td></tr>
        })}
        <tr class="total"><th scope="row" colspan=span.clone()>{t("Total", "合计")}" (" {totals.total.currency.clone()} ")"</th><td class="num" data-total=totals.total.minor.to_string()>{crate::components::forms::use_locale().price(&totals.total)}</td></tr>
        <tr class="muted"><th scope="row" colspan=span>{format!("{} {rate}", t("Includes tax", "含税"))}</th><td class="num">{crate::components::forms::use_locale().price(&totals.tax)}</td></tr>
    }
}

/// `/cart`.
#[component]
pub fn CartPage() -> impl IntoView {
    let cart = crate::codec::resource(|| (), |_| load_cart());
    view! {
        <PageMeta title=crate::components::forms::use_locale().pick("Your cart", "购物车") description=crate::components::forms::use_locale().pick("What you are about to buy.", "你将要购买的内容。") path="/cart" />
        <Suspense fallback=|| view! { <crate::components::notice::Loading /> }>
            {move || Suspend::new(async move {
                match cart.await {
                    Ok(c) => view! { <CartView c /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CartView(c: CartView) -> impl IntoView {
    let me = use_me();
    let locale = me.locale;
    let t = move |en, zh| locale.pick(en, zh);
    let coupon_error = form_error(ApplyCoupon::PATH);
    let coupon_remove_error = form_error(RemoveCoupon::PATH);
    let checkout_error = form_error(Checkout::PATH);
    let remove_error = form_error(RemoveFromCart::PATH);
    let Some(totals) = c.totals.clone() else {
        return view! {
            <section class="cart">
                <h1>{t("Your cart", "购物车")}</h1>
                <p>{t("Your cart is empty.", "购物车是空的。")} " " <a href="/catalog">{t("Browse the catalog", "去逛逛")}</a></p>
            </section>
        }
        .into_any();
    };
    let signed_in = me.user.is_some();
    view! {
        <section class="cart">
            <h1>{t("Your cart", "购物车")}</h1>
            {c.note.clone().map(|n| view! { <p class="notice-warn" role="status">{n}</p> })}
            <FormAlert error=remove_error locale />
            <table class="lines">
                <thead><tr>
                    <th scope="col">{t("Item", "商品")}</th><th scope="col" class="num">{t("Price", "价格")}</th>
                    <th scope="col" class="num">{t("Discount", "优惠")}</th><th scope="col" class="num">{t("Amount", "金额")}</th>
                    <th scope="col"><span class="visually-hidden">{t("Remove", "移除")}</span></th>
                </tr></thead>
                <tbody>
                    {c.lines.into_iter().map(|line| view! { <LineRow line removable=true /> }).collect_view()}
                </tbody>
                <tfoot><TotalsRows totals=totals.clone() columns=4 /></tfoot>
            </table>
            {match c.coupon.clone() {
                Some(code) => view! {
                    <ServerForm action=RemoveCoupon::PATH error=coupon_remove_error class="inline">
                        <p>{t("Coupon ", "优惠码 ")}<strong class="coupon-code">{code}</strong>" "
                            <button type="submit" class="secondary">{t("Remove coupon", "移除优惠码")}</button></p>
                        <FormAlert error=coupon_remove_error locale />
                    </ServerForm>
                }.into_any(),
                None => view! {
                    <ServerForm action=ApplyCoupon::PATH error=coupon_error class="coupon">
                        <Field name="code" label=t("Coupon code", "优惠码") error=coupon_error locale />
                        <FormAlert error=coupon_error fields=&["code"] locale />
                        <button type="submit" class="secondary">{t("Apply", "使用")}</button>
                    </ServerForm>
                }.into_any(),
            }}
            {if signed_in {
                view! {
                    <ServerForm action=Checkout::PATH error=checkout_error class="checkout">
                        <input type="hidden" name="key" value=c.checkout_key />
                        <input type="hidden" name="expected_total" value=totals.total.minor.to_string() />
                        <input type="hidden" name="currency" value=totals.total.currency.clone() />
                        <FormAlert error=checkout_error locale />
                        <button type="submit">{format!("{} {}", t("Check out and pay", "去结算并支付"), crate::components::forms::use_locale().price(&totals.total))}</button>
                    </ServerForm>
                }.into_any()
            } else {
                view! {
                    <p class="checkout">
                        <a class="button" href="/signin?next=/cart">{t("Sign in to check out", "登录后结算")}</a>
                        " " <span class="muted">{t("Your cart stays with you when you sign in.", "登录后购物车内容会保留。")}</span>
                    </p>
                }.into_any()
            }}
        </section>
    }
    .into_any()
}

/// `/pay/<order>`: the sandbox provider's hosted-style pay page.
#[component]
pub fn PayPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("order").unwrap_or_default();
    let order = crate::codec::resource(id, load_order);
    view! {
        <PageMeta title=crate::components::forms::use_locale().pick("Pay", "付款") description=crate::components::forms::use_locale().pick("Sandbox payment.", "沙盒付款。") path=format!("/pay/{}", id()) />
        <Suspense fallback=|| view! { <crate::components::notice::Loading /> }>
            {move || Suspend::new(async move {
                match order.await {
                    Ok(o) => view! { <PayView o /> }.into_any(),
                    Err(AppError::SignInRequired) => view! { <SignInFirst next=format!("/pay/{}", id()) /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PayView(o: OrderView) -> impl IntoView {
    let locale = use_me().locale;
    let t = move |en, zh| locale.pick(en, zh);
    let error = form_error(PaySandbox::PATH);
    let cancel_error = form_error(CancelOrder::PATH);
    if o.status != OrderStatus::Pending {
        return view! {
            <section class="pay">
                <h1>{t("Nothing to pay", "无需支付")}</h1>
                <p><a href=format!("/orders/{}", o.id)>{t("See the order", "查看订单")}</a></p>
            </section>
        }
        .into_any();
    }
    let (order_id, cancel_id) = (o.id.clone(), o.id.clone());
    view! {
        <section class="pay sandbox">
            <p class="sandbox-banner" role="note">{t(
                "Sandbox payment — no real money moves. 4242 4242 4242 4242 pays; 4000 0000 0000 0002 is declined.",
                "沙盒支付——不会产生真实扣款。4242 4242 4242 4242 支付成功；4000 0000 0000 0002 会被拒绝。",
            )}</p>
            <h1>{format!("{} {}", t("Pay", "支付"), crate::components::forms::use_locale().price(&o.totals.total))}</h1>
            <p class="muted">{t("Order ", "订单 ")}{o.id.clone()}</p>
            <ul class="pay-lines">
                {o.lines.iter().map(|l| view! { <li>{l.title.clone()} " — " {crate::components::forms::use_locale().price(&l.total)}</li> }).collect_view()}
            </ul>
            <ServerForm action=PaySandbox::PATH error class="card-form">
                <input type="hidden" name="order" value=order_id />
                <Field name="card" label=t("Card number", "卡号") autocomplete="cc-number" error locale
                    help="Test cards: 4242 4242 4242 4242 · 4000 0000 0000 0002" />
                <div class="field">
                    <label for="f-delay">{t("Bank answers", "银行响应")}</label>
                    <select id="f-delay" name="delay">
                        <option value="0">{t("at once", "立即")}</option>
                        <option value="3">{t("after 3 seconds", "3 秒后")}</option>
                    </select>
                </div>
                <FormAlert error fields=&["card"] locale />
                <button type="submit">{format!("{} {}", t("Pay", "支付"), crate::components::forms::use_locale().price(&o.totals.total))}</button>
            </ServerForm>
            <ServerForm action=CancelOrder::PATH error=cancel_error class="inline">
                <input type="hidden" name="order" value=cancel_id />
                <button type="submit" class="secondary">{t("Cancel and go back", "取消支付")}</button>
                <FormAlert error=cancel_error locale />
            </ServerForm>
        </section>
    }
    .into_any()
}

#[component]
fn SignInFirst(next: String) -> impl IntoView {
    crate::components::notice::set_status(http::StatusCode::UNAUTHORIZED);
    let locale = use_me().locale;
    view! {
        <section class="notice" role="alert">
            <h1>{locale.pick("Please sign in", "请先登录")}</h1>
            <p><a class="button" href=format!("/signin?next={next}")>{locale.pick("Sign in", "登录")}</a></p>
        </section>
    }
}

/// `/orders`.
#[component]
pub fn OrdersPage() -> impl IntoView {
    let orders = crate::codec::resource(|| (), |_| list_orders());
    let locale = use_me().locale;
    view! {
        <PageMeta title=crate::components::forms::use_locale().pick("Your orders", "我的订单") description=crate::components::forms::use_locale().pick("Receipts for what you bought.", "你的购买凭证。") path="/orders" />
        <Suspense fallback=|| view! { <crate::components::notice::Loading /> }>
            {move || Suspend::new(async move {
                match orders.await {
                    Ok(list) if list.is_empty() => view! {
                        <section class="orders"><h1>{locale.pick("Your orders", "我的订单")}</h1>
                        <p>{locale.pick("No orders yet.", "还没有订单。")}</p></section>
                    }.into_any(),
                    Ok(list) => view! {
                        <section class="orders">
                            <h1>{locale.pick("Your orders", "我的订单")}</h1>
                            <table class="lines">
                                <thead><tr>
                                    <th scope="col">{locale.pick("Date", "日期")}</th>
                                    <th scope="col">{locale.pick("Items", "商品")}</th>
                                    <th scope="col">{locale.pick("Status", "状态")}</th>
                                    <th scope="col" class="num">{locale.pick("Total", "合计")}</th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|o| view! {
                                        <tr>
                                            <td><a href=format!("/orders/{}", o.id)>{crate::components::forms::use_locale().date(&o.created_at)}</a></td>
                                            <td>{o.titles.join(", ")}</td>
                                            <td>{status_label(o.status, locale)}</td>
                                            <td class="num">{crate::components::forms::use_locale().price(&o.total)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </section>
                    }.into_any(),
                    Err(AppError::SignInRequired) => view! { <SignInFirst next="/orders".to_string() /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn status_label(s: OrderStatus, locale: Locale) -> &'static str {
    match s {
        OrderStatus::Pending => locale.pick("Awaiting payment", "待支付"),
        OrderStatus::Paid | OrderStatus::Fulfilled => locale.pick("Paid", "已支付"),
        OrderStatus::Failed => locale.pick("Payment declined", "支付被拒"),
        OrderStatus::Cancelled => locale.pick("Cancelled", "已取消"),
        OrderStatus::Refunded => locale.pick("Refunded", "已退款"),
    }
}

/// `/orders/<id>`: the receipt.
#[component]
pub fn OrderPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let order = crate::codec::resource(id, load_order);
    view! {
        <PageMeta title=crate::components::forms::use_locale().pick("Order", "订单") description=crate::components::forms::use_locale().pick("Your receipt.", "你的收据。") path=format!("/orders/{}", id()) />
        <Suspense fallback=|| view! { <crate::components::notice::Loading /> }>
            {move || Suspend::new(async move {
                match order.await {
                    Ok(o) => view! { <Receipt o /> }.into_any(),
                    Err(AppError::SignInRequired) => view! { <SignInFirst next=format!("/orders/{}", id()) /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Receipt(o: OrderView) -> impl IntoView {
    let locale = use_me().locale;
    let t = move |en, zh| locale.pick(en, zh);
    let refund_error = form_error(RefundOrder::PATH);
    let cancel_error = form_error(CancelOrder::PATH);
    let status = o.status;
    let cancel_id = o.id.clone();
    let first_href = o.lines.first().map(|l| l.href.clone());
    view! {
        <section class="receipt">
            <h1>{t("Order ", "订单 ")}<span class="order-id">{o.id.clone()}</span></h1>
            <p class=format!("order-status status-{}", status.as_str()) role="status">{status_label(status, locale)}</p>
            {o.failure.clone().map(|f| view! { <p class="notice-warn">{f}</p> })}
            {(status == OrderStatus::Failed).then(|| view! {
                <p><a class="button" href="/cart">{t("Back to the cart to try again", "返回购物车重试")}</a></p>
            })}
            {o.pay_url.clone().map(|u| view! { <p><a class="button" href=u>{t("Pay now", "去支付")}</a></p> })}
            {(status == OrderStatus::Pending).then(|| view! {
                <ServerForm action=CancelOrder::PATH error=cancel_error class="inline">
                    <input type="hidden" name="order" value=cancel_id />
                    <button type="submit" class="secondary">{t("Cancel this order", "取消订单")}</button>
                    <FormAlert error=cancel_error locale />
                </ServerForm>
            })}
            {match (status.grants_access(), o.gift.clone()) {
                (true, None) => Some(view! {
                    <p class="notice-ok">{t("Thank you! Everything below is yours now.", "感谢购买！以下内容已归您所有。")}
                        {first_href.clone().map(|h| view! { " " <a href=h>{t("Open it", "立即打开")}</a> })}
                    </p>
                }.into_any()),
                (_, Some(g)) => Some(view! { <GiftReceipt g paid=status.grants_access() /> }.into_any()),
                (false, None) => None,
            }}
            <table class="lines">
                <thead><tr>
                    <th scope="col">{t("Item", "商品")}</th><th scope="col" class="num">{t("Price", "价格")}</th>
                    <th scope="col" class="num">{t("Discount", "优惠")}</th><th scope="col" class="num">{t("Amount", "金额")}</th>
                </tr></thead>
                <tbody>{o.lines.into_iter().map(|line| view! { <LineRow line /> }).collect_view()}</tbody>
                <tfoot><TotalsRows totals=o.totals columns=4 /></tfoot>
            </table>
            <dl class="order-facts">
                <dt>{t("Ordered", "下单时间")}</dt><dd>{o.created_at.chars().take(16).collect::<String>().replace('T', " ")}</dd>
                {o.paid_at.map(|p| view! { <dt>{t("Paid", "支付时间")}</dt><dd>{p.chars().take(16).collect::<String>().replace('T', " ")}</dd> })}
                {o.coupon.map(|c| view! { <dt>{t("Coupon", "优惠码")}</dt><dd>{c}</dd> })}
                <dt>{t("Paid with", "支付方式")}</dt><dd>{o.provider}</dd>
            </dl>
            {o.refundable_until.map(|until| view! {
                <ServerForm action=RefundOrder::PATH error=refund_error class="refund">
                    <input type="hidden" name="order" value=o.id.clone() />
                    <p class="muted">{format!("{} {}", t("You can ask for a refund until", "可申请退款至"), crate::components::forms::use_locale().date(&until))}</p>
                    <FormAlert error=refund_error locale />
                    <button type="submit" class="secondary">{t("Refund this order", "申请退款")}</button>
                </ServerForm>
            })}
            <p><a href="/orders">{t("All orders", "全部订单")}</a></p>
        </section>
    }
}

/// The gift part of a receipt: who it is for, the claim link, whether it was claimed.
#[component]
fn GiftReceipt(g: crate::models::commerce::GiftNote, paid: bool) -> impl IntoView {
    let locale = use_me().locale;
    let t = move |en, zh| locale.pick(en, zh);
    view! {
        <div class="gift-note">
            <p>{format!("{} {}", t("🎁 A gift for", "🎁 送给"), g.email)}</p>
            {(!g.message.is_empty()).then(|| view! { <blockquote class="gift-message">{g.message.clone()}</blockquote> })}
            {match (paid, g.claimed_at.clone(), g.link.clone()) {
                (_, Some(at), _) => view! {
                    <p class="notice-ok" role="status">{format!("{} {}", t("✓ Claimed on", "✓ 对方已于以下日期领取："), crate::components::forms::use_locale().date(&at))}</p>
                }.into_any(),
                (true, None, Some(link)) => view! {
                    <p class="notice-ok" role="status">{t("Thank you! We e-mailed them the link. You can also send it yourself:", "感谢购买！领取链接已发送到对方邮箱，您也可以自己转发：")}
                        " " <a class="gift-link" href=link.clone()>{link.clone()}</a>
                    </p>
                }.into_any(),
                _ => ().into_any(),
            }}
        </div>
    }
}

/// `/studio/sales`: a creator's ledger, recent orders, refund window and coupons.
#[component]
pub fn StudioSalesPage() -> impl IntoView {
    use crate::api::commerce::studio_sales;
    let sales = crate::codec::resource(|| (), |_| studio_sales());
    view! {
        <PageMeta title="Sales" description="Your ledger, orders and coupons." path="/studio/sales" />
        <Suspense fallback=|| view! { <crate::components::notice::Loading /> }>
            {move || Suspend::new(async move {
                match sales.await {
                    Ok(s) => view! { <SalesView s /> }.into_any(),
                    Err(AppError::SignInRequired) => view! { <SignInFirst next="/studio/sales".to_string() /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn LedgerTable(
    rows: Vec<crate::models::commerce::LedgerRow>,
    caption: &'static str,
) -> impl IntoView {
    let locale = use_me().locale;
    let t = move |en, zh| locale.pick(en, zh);
    view! {
        <table class="lines ledger">
            <caption>{caption}</caption>
            <thead><tr>
                <th scope="col"></th>
                <th scope="col" class="num">{t("Gross", "销售额")}</th>
                <th scope="col" class="num">{t("Fees", "手续费")}</th>
                <th scope="col" class="num">{t("Refunds", "退款")}</th>
                <th scope="col" class="num">{t("Net", "净收入")}</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|r| view! {
                    <tr>
                        <th scope="row">{r.label}</th>
                        <td class="num">{crate::components::forms::use_locale().price(&r.gross)}</td>
                        <td class="num">{crate::components::forms::use_locale().price(&r.fees)}</td>
                        <td class="num">{crate::components::forms::use_locale().price(&r.refunds)}</td>
                        <td class="num">{crate::components::forms::use_locale().price(&r.net)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn SalesView(s: crate::models::commerce::SalesView) -> impl IntoView {
    use crate::api::commerce::{CreateCoupon, SetRefundWindow};
    let locale = use_me().locale;
    let t = move |en, zh| locale.pick(en, zh);
    let refund_error = form_error(SetRefundWindow::PATH);
    let coupon_error = form_error(CreateCoupon::PATH);
    let query = leptos_router::hooks::use_query_map();
    let saved = move || query.read().get("saved");
    view! {
        <section class="studio">
            <h1>{t("Sales", "销售")} " — " {s.creator_name.clone()}</h1>
            {move || saved().map(|_| view! { <p class="notice-ok" role="status">{t("Saved.", "已保存。")}</p> })}
            {move || query.read().get("sent").map(|n| view! {
                <p class="notice-ok" role="status" data-testid="coupon-sent">{if n == "0" {
                    t(
                        "None of the segment's learners asked for store news by e-mail, so no one was e-mailed; the code works for them when they enter it.",
                        "该分群中没有学员选择接收商店动态邮件，因此没有发送邮件；他们输入优惠码时仍可使用。",
                    ).to_string()
                } else {
                    format!("{}{n}{}", t("The coupon was e-mailed to ", "优惠码已发邮件给 "), t(" learners of the segment who asked for store news.", " 位选择接收商店动态邮件的分群学员。"))
                }}</p>
            })}
            <LedgerTable rows=vec![s.totals.clone()] caption="All time" />
            <LedgerTable rows=s.by_month.clone() caption="By month" />
            <LedgerTable rows=s.by_product.clone() caption="By product" />

            <h2>{t("Recent orders", "最近订单")}</h2>
            {if s.orders.is_empty() {
                view! { <p class="muted">{t("No sales yet.", "还没有销售。")}</p> }.into_any()
            } else {
                view! {
                    <table class="lines">
                        <thead><tr>
                            <th scope="col">{t("Date", "日期")}</th><th scope="col">{t("Order", "订单")}</th>
                            <th scope="col">{t("Items", "商品")}</th><th scope="col">{t("Status", "状态")}</th>
                            <th scope="col" class="num">{t("Amount", "金额")}</th>
                        </tr></thead>
                        <tbody>
                            {s.orders.clone().into_iter().map(|o| view! {
                                <tr>
                                    <td>{crate::components::forms::use_locale().date(&o.created_at)}</td>
                                    <td class="order-id">{o.id}</td>
                                    <td>{o.titles.join(", ")}</td>
                                    <td>{status_label(o.status, locale)}</td>
                                    <td class="num">{crate::components::forms::use_locale().price(&o.total)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}

            <h2>{t("Refund window", "退款期限")}</h2>
            <ServerForm action=SetRefundWindow::PATH error=refund_error class="coupon">
                <Field name="days" kind="number" label=t("Days after payment", "支付后天数") value=s.refund_days.to_string() error=refund_error locale />
                <FormAlert error=refund_error fields=&["days"] locale />
                <button type="submit" class="secondary">{t("Save", "保存")}</button>
            </ServerForm>

            <h2 id="coupons">{t("Coupons", "优惠码")}</h2>
            {move || query.read().get("segment").map(|n| view! {
                <p class="notice-ok" role="status">{format!("{} {n}{}", t("A coupon for segment", "为分群"), t(" of your analytics: only its learners can use it, and it can be e-mailed to them.", " 创建优惠码：只有该分群的学员可以使用，并可通过邮件发给他们。"))}</p>
            })}
            <table class="lines">
                <thead><tr>
                    <th scope="col">{t("Code", "代码")}</th><th scope="col">{t("Discount", "优惠")}</th>
                    <th scope="col" class="num">{t("Used", "已用")}</th><th scope="col">{t("Ends", "截止")}</th>
                    <th scope="col">{t("For", "适用")}</th>
                </tr></thead>
                <tbody>
                    {s.coupons.clone().into_iter().map(|c| view! {
                        <tr class:muted=c.ended>
                            <td class="coupon-code">{c.code}</td>
                            <td>{c.rule}</td>
                            <td class="num">{match c.max_uses { Some(m) => format!("{} / {m}", c.uses), None => c.uses.to_string() }}</td>
                            <td>{c.expires_at.as_deref().map(|e| crate::components::forms::use_locale().date(e)).unwrap_or_else(|| "—".into())}</td>
                            <td>{c.audience.clone().unwrap_or_else(|| t("Everyone", "所有人").to_string())}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <ServerForm action=CreateCoupon::PATH error=coupon_error class="card-form">
                <Field name="code" label=t("New code", "新代码") help="3–32 letters, digits or dashes."
                    value=query.read_untracked().get("segment").filter(|n| n.len() <= 2 && n.chars().all(|c| c.is_ascii_digit())).map(|n| format!("SEGMENT{n}")).unwrap_or_default()
                    error=coupon_error locale />
                <div class="field">
                    <label for="f-kind">{t("Kind", "类型")}</label>
                    <select id="f-kind" name="kind">
                        <option value="percent">{t("Percent off", "折扣百分比")}</option>
                        <option value="amount">{t("Amount off (¥)", "立减金额（¥）")}</option>
                    </select>
                </div>
                <Field name="value" label=t("Discount (10 = 10% or ¥10)", "优惠（10 = 10% 或 ¥10）") error=coupon_error locale />
                <Field name="max_uses" kind="number" label=t("Use limit (empty: none)", "使用次数上限（留空不限）") error=coupon_error locale optional=true />
                <Field name="expires" kind="date" label=t("Last day (empty: none)", "截止日期（留空不限）") error=coupon_error locale optional=true />
                {query.read_untracked().get("segment").filter(|n| n.len() <= 2 && n.chars().all(|c| c.is_ascii_digit())).map(|n| view! {
                    <input type="hidden" name="segment" value=n.clone() />
                    <label class="check"><input type="checkbox" name="notify" value="on" checked=true data-testid="notify-segment" />
                        {format!("{}{n}{}", t(" E-mail the code to the learners of segment ", " 把优惠码发邮件给分群 "), t(" who asked for store news", " 中选择接收商店动态邮件的学员"))}</label>
                })}
                <FormAlert error=coupon_error fields=&["kind"] locale />
                <button type="submit">{t("Create coupon", "创建优惠码")}</button>
            </ServerForm>
        </section>
    }
}

/// "Add the bundle to the cart".
#[component]
fn BundleBuyButton(slug: String) -> impl IntoView {
    let locale = use_me().locale;
    let error = form_error(AddToCart::PATH);
    view! {
        <ServerForm action=AddToCart::PATH error class="buy-box">
            <input type="hidden" name="product" value=format!("bundle:{slug}") />
            <button type="submit">{locale.pick("Add the bundle to cart", "套装加入购物车")}</button>
            " " <a class="give-link" href=format!("/give?product=bundle:{slug}")>{locale.pick("🎁 Give as a gift", "🎁 作为礼物赠送")}</a>
            <FormAlert error locale />
        </ServerForm>
    }
}

/// The bundles an item is part of, on its page.
#[component]
pub fn BundleOffers(bundles: Vec<crate::models::commerce::BundleView>) -> impl IntoView {
    let locale = use_me().locale;
    (!bundles.is_empty()).then(|| {
        view! {
            <section class="bundle-offers" aria-labelledby="bundles-h">
                <h2 id="bundles-h">{locale.pick("Also in a bundle", "也在套装中")}</h2>
                {bundles.into_iter().map(|b| view! {
                    <p>
                        <a href=format!("/bundle/{}", b.slug)>{b.title.clone()}</a>
                        {format!(
                            " — {} {} {} ({} {})",
                            b.items.len(),
                            locale.pick("items for", "件，共"),
                            crate::components::forms::use_locale().price(&b.price),
                            locale.pick("save", "省"),
                            crate::components::forms::use_locale().price(&b.saving())
                        )}
                    </p>
                }).collect_view()}
            </section>
        }
    })
}

/// `/bundle/<slug>`.
#[component]
pub fn BundlePage() -> impl IntoView {
    use crate::api::commerce::load_bundle;
    use crate::components::cards::ItemGrid;
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let bundle = crate::codec::resource(slug, load_bundle);
    let locale = use_me().locale;
    view! {
        <Suspense fallback=|| view! { <crate::components::notice::Loading /> }>
            {move || Suspend::new(async move {
                match bundle.await {
                    Ok(b) => view! {
                        <PageMeta title=b.title.clone() description=format!("{} items in one bundle.", b.items.len()) path=format!("/bundle/{}", b.slug) />
                        <section class="bundle">
                            <h1>{b.title.clone()}</h1>
                            <p class="item-facts">
                                <span class="price">{crate::components::forms::use_locale().price(&b.price)}</span>
                                <span class="muted">{format!(
                                    " · {} {} · {} {}",
                                    locale.pick("bought one by one", "单独购买"),
                                    crate::components::forms::use_locale().price(&b.worth),
                                    locale.pick("you save", "节省"),
                                    crate::components::forms::use_locale().price(&b.saving())
                                )}</span>
                            </p>
                            <BundleBuyButton slug=b.slug.clone() />
                            <ItemGrid items=b.items />
                        </section>
                    }.into_any(),
                    Err(error) => view! {
                        <PageMeta title="Bundle not found" description="No bundle at this address." path=format!("/bundle/{}", slug()) />
                        <ErrorNotice error />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
