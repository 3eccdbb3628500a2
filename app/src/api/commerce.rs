//! The cart, checkout, orders, the sandbox's pay page, refunds, free claims.
//!
//! Every price is computed on the server from the database; the browser sends only what it
//! wants (a product, a coupon code, an idempotency key, the total it was shown). Orders are
//! seen and changed only by their buyer (admins see them too); another person's order
//! number is answered with "not found".

use crate::error::AppError;
use crate::models::commerce::{
    BundleView, CartView, GiftQuote, GiftView, MembershipView, OrderSummary, OrderView,
};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[cfg(feature = "ssr")]
mod server {
    use super::super::account::server::{private, safe_next};
    use crate::ssr::access::viewer;
    use crate::ssr::commerce::{self, CartOwner};
    use crate::ssr::state::AppState;
    use http::header::{HeaderValue, COOKIE, SET_COOKIE};
    use leptos::prelude::*;

    fn cookie_token() -> Option<String> {
        let parts = use_context::<http::request::Parts>()?;
        parts
            .headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(commerce::cart_token_from_cookie_header)
            .map(str::to_string)
    }

    fn set_cookie(value: &str) {
        if let (Some(res), Ok(v)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            HeaderValue::from_str(value),
        ) {
            res.append_header(SET_COOKIE, v);
        }
    }

    /// The cart this request works on: the person's own, or the visitor's from their cart
    /// cookie — made (with its cookie) when `create` and there is none yet.
    pub fn cart_owner(state: &AppState, create: bool) -> Option<CartOwner> {
        private();
        if let Some(me) = viewer().user() {
            return Some(CartOwner::User(me.user_key.clone()));
        }
        if let Some(token) = cookie_token() {
            return Some(CartOwner::Visitor(token));
        }
        if !create {
            return None;
        }
        let token = commerce::new_cart_token();
        set_cookie(&commerce::cart_cookie(&token, state.auth.secure_cookies));
        Some(CartOwner::Visitor(token))
    }

    /// After a sign-in: moves the visitor's cart into the person's and forgets its cookie.
    pub async fn adopt_visitor_cart(state: &AppState, session_token: &str) {
        let Some(token) = cookie_token() else {
            return;
        };
        let user = match crate::ssr::sessions::resolve(&state.db, session_token).await {
            Ok(Some(r)) => r.signed_in.user_key,
            _ => return,
        };
        if let Err(e) = commerce::merge_carts(&state.db, &token, &user).await {
            tracing::warn!(error = %e, "could not merge the visitor's cart");
            return;
        }
        set_cookie(&commerce::clear_cart_cookie(state.auth.secure_cookies));
    }

    /// Sends the claim e-mails of gifts just paid for (a failure is logged: the buyer has
    /// the link on the receipt, and the next start-up tries again).
    pub async fn deliver_gifts(state: &AppState) {
        if let Err(e) = commerce::gift::deliver(&state.db, &state.auth).await {
            tracing::error!(error = %e, "could not send gift e-mails");
        }
    }

    /// Where to go after a cart change: `next` if it is a path on this site, else the cart.
    pub fn back_to(next: Option<String>) -> String {
        match next {
            Some(_) => safe_next(next),
            None => "/cart".into(),
        }
    }
}

/// The cart with prices computed now.
#[server(prefix = "/api", endpoint = "cart", input = GetUrl)]
pub async fn load_cart() -> Result<CartView, AppError> {
    let state = crate::ssr::state::app_state()?;
    let owner = server::cart_owner(&state, false);
    crate::ssr::commerce::cart_view(
        &state.db,
        &state.commerce,
        owner.as_ref(),
        crate::ssr::access::request_locale(),
    )
    .await
}

/// Puts a product (`item:<slug>` or `bundle:<slug>`) in the cart, then goes to `next`
/// (default: the cart). `quantity`, if sent, must be 1.
#[server(prefix = "/api", endpoint = "cart_add")]
pub async fn add_to_cart(
    product: String,
    #[server(default)] quantity: Option<i64>,
    #[server(default)] next: Option<String>,
) -> Result<(), AppError> {
    let state = crate::ssr::state::app_state()?;
    let owner = server::cart_owner(&state, true).ok_or(AppError::Internal)?;
    crate::ssr::commerce::add_to_cart(
        &state.db,
        &owner,
        &product,
        quantity,
        crate::ssr::access::request_locale(),
    )
    .await?;
    leptos_axum::redirect(&server::back_to(next));
    Ok(())
}

/// Takes a product out of the cart.
#[server(prefix = "/api", endpoint = "cart_remove")]
pub async fn remove_from_cart(product: String) -> Result<(), AppError> {
    let state = crate::ssr::state::app_state()?;
    if let Some(owner) = server::cart_owner(&state, false) {
        crate::ssr::commerce::remove_from_cart(&state.db, &owner, &product).await?;
    }
    leptos_axum::redirect("/cart");
    Ok(())
}

/// Applies a coupon code to the cart.
#[server(prefix = "/api", endpoint = "coupon_apply")]
pub async fn apply_coupon(code: String) -> Result<(), AppError> {
    let state = crate::ssr::state::app_state()?;
    let owner = server::cart_owner(&state, true).ok_or(AppError::Internal)?;
    crate::ssr::commerce::apply_coupon(
        &state.db,
        &state.commerce,
        &owner,
        &code,
        crate::ssr::access::request_locale(),
    )
    .await?;
    leptos_axum::redirect("/cart");
    Ok(())
}

/// Takes the coupon off the cart.
#[server(prefix = "/api", endpoint = "coupon_remove")]
pub async fn remove_coupon() -> Result<(), AppError> {
    let state = crate::ssr::state::app_state()?;
    if let Some(owner) = server::cart_owner(&state, false) {
        crate::ssr::commerce::remove_coupon(&state.db, &owner).await?;
    }
    leptos_axum::redirect("/cart");
    Ok(())
}

/// Turns the cart into an order and continues to the pay page. `key` makes a repeated
/// submission return the same order; `expected_total` and `currency` are what the page
/// showed, so a changed price stops the checkout instead of charging something else.
#[server(prefix = "/api", endpoint = "checkout")]
pub async fn checkout(
    key: String,
    #[server(default)] expected_total: Option<i64>,
    #[server(default)] currency: Option<String>,
) -> Result<(), AppError> {
    let state = crate::ssr::state::app_state()?;
    let viewer = crate::ssr::access::viewer();
    let me = crate::ssr::access::require_signed_in(&viewer)?;
    let next = crate::ssr::commerce::checkout(
        &state.db,
        &state.commerce,
        me,
        &key,
        expected_total,
        currency.as_deref(),
    )
    .await?;
    leptos_axum::redirect(&next);
    Ok(())
}

/// The signed-in person's orders.
#[server(prefix = "/api", endpoint = "orders", input = GetUrl)]
pub async fn list_orders() -> Result<Vec<OrderSummary>, AppError> {
    let state = crate::ssr::state::app_state()?;
    let viewer = crate::ssr::access::viewer();
    let me = crate::ssr::access::require_signed_in(&viewer)?;
    crate::ssr::commerce::orders_of(&state.db, me).await
}

/// One order and its receipt (its buyer's, or any for an admin).
#[server(prefix = "/api", endpoint = "order", input = GetUrl)]
pub async fn load_order(id: String) -> Result<OrderView, AppError> {
    let state = crate::ssr::state::app_state()?;
    let viewer = crate::ssr::access::viewer();
    let me = crate::ssr::access::require_signed_in(&viewer)?;
    crate::ssr::commerce::order_view(&state.db, me, &id).await
}

/// Pays a pending order on the sandbox's pay page. `delay` ("3") makes the sandbox's bank
/// take three seconds to answer, as real ones sometimes do.
#[server(prefix = "/api", endpoint = "pay_sandbox")]
pub async fn pay_sandbox(
    order: String,
    card: String,
    #[server(default)] delay: Option<String>,
) -> Result<(), AppError> {
    let state = crate::ssr::state::app_state()?;
    let viewer = crate::ssr::access::viewer();
    let me = crate::ssr::access::require_signed_in(&viewer)?;
    if delay.as_deref() == Some("3") {
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    }
    let next =
        crate::ssr::commerce::sandbox_pay(&state.db, &state.commerce, me, &order, &card).await?;
    server::deliver_gifts(&state).await;
    leptos_axum::redirect(&next);
    Ok(())
}

/// Cancels a pending order.
#[server(prefix = "/api", endpoint = "order_cancel")]
pub async fn cancel_order(order: String) -> Result<(), AppError> {
    let state = crate::ssr::state::app_state()?;
    let viewer = crate::ssr::access::viewer();
    let me = crate::ssr::access::require_signed_in(&viewer)?;
    crate::ssr::commerce::cancel(&state.db, me, &order).await?;
    leptos_axum::redirect(&format!("/orders/{order}"));
    Ok(())
}

/// Asks for a refund within the refund window; access to the items ends with it.
#[server(prefix = "/api", endpoint = "order_refund")]
pub async fn refund_order(order: String) -> Result<(), AppError> {
    let state = crate::ssr::state::app_state()?;
    let viewer = crate::ssr::access::viewer();
    let me = crate::ssr::access::require_signed_in(&viewer)?;
    crate::ssr::commerce::refund(&state.db, &state.commerce, me, &order).await?;
    leptos_axum::redirect(&format!("/orders/{order}"));
    Ok(())
}

/// Adds a free item to the signed-in person's library.
#[server(prefix = "/api", endpoint = "claim")]
pub async fn claim_item(slug: String) -> Result<(), AppError> {
    let state = crate::ssr::state::app_state()?;
    let viewer = crate::ssr::access::viewer();
    let me = crate::ssr::access::require_signed_in(&viewer)?;
    crate::ssr::commerce::claim_free(&state.db, me, &slug).await?;
    leptos_axum::redirect(&format!("/item/{slug}"));
    Ok(())
}

#[cfg(feature = "ssr")]
pub(crate) use server::adopt_visitor_cart;

/// The signed-in creator's sales: ledger per month and per product, recent orders,
/// coupons, refund window.
#[server(prefix = "/api", endpoint = "studio_sales", input = GetUrl)]
pub async fn studio_sales() -> Result<crate::models::commerce::SalesView, AppError> {
    let state = crate::ssr::state::app_state()?;
    let viewer = crate::ssr::access::viewer();
    let me = crate::ssr::access::require_signed_in(&viewer)?;
    crate::ssr::commerce::studio::sales(&state.db, &state.catalog.index(), me).await
}

/// Sets the creator's refund window in days (0–365).
#[server(prefix = "/api", endpoint = "studio_refund_window")]
pub async fn set_refund_window(days: i64) -> Result<(), AppError> {
    let state = crate::ssr::state::app_state()?;
    let viewer = crate::ssr::access::viewer();
    let me = crate::ssr::access::require_signed_in(&viewer)?;
    crate::ssr::commerce::studio::set_refund_days(&state.db, me, days).await?;
    leptos_axum::redirect("/studio/sales?saved=refunds");
    Ok(())
}

/// Creates a coupon for the creator's storefront: `kind` `percent` (`value` 1–100) or
/// `amount` (`value` in yuan, e.g. `5` or `12.50`), an optional use limit and end date
/// (`YYYY-MM-DD`). With `segment` (a segment number of the store's analytics) only that
/// segment's learners may use it, and with `notify` it is e-mailed to those of them who
/// asked for updates.
#[server(prefix = "/api", endpoint = "studio_coupon")]
pub async fn create_coupon(
    code: String,
    kind: String,
    value: String,
    #[server(default)] max_uses: Option<String>,
    #[server(default)] expires: Option<String>,
    #[server(default)] segment: Option<String>,
    #[server(default)] notify: Option<String>,
) -> Result<(), AppError> {
    let state = crate::ssr::state::app_state()?;
    let viewer = crate::ssr::access::viewer();
    let me = crate::ssr::access::require_signed_in(&viewer)?;
    let sent = crate::ssr::commerce::studio::create_coupon(
        &state.db,
        &state.auth,
        me,
        &crate::ssr::commerce::studio::NewCoupon {
            code: &code,
            kind: &kind,
            value: &value,
            max_uses: max_uses.as_deref(),
            expires: expires.as_deref(),
            segment: segment.as_deref(),
            notify: notify.is_some_and(|n| !n.is_empty()),
        },
    )
    .await?;
    let segment = segment.filter(|s| !s.trim().is_empty());
    leptos_axum::redirect(&match segment {
        Some(_) => format!("/studio/sales?saved=coupon&sent={sent}"),
        None => "/studio/sales?saved=coupon".into(),
    });
    Ok(())
}

/// A bundle's page: its items, its price and what it saves.
#[server(prefix = "/api", endpoint = "bundle", input = GetUrl)]
pub async fn load_bundle(slug: String) -> Result<BundleView, AppError> {
    let state = crate::ssr::state::app_state()?;
    crate::ssr::commerce::bundle(
        &state.catalog.index(),
        &slug,
        crate::ssr::access::request_locale(),
    )
}

/// A membership tier's page: prices, trial, the items it opens, the viewer's membership.
#[server(prefix = "/api", endpoint = "membership", input = GetUrl)]
pub async fn load_membership(tier: String) -> Result<MembershipView, AppError> {
    let state = crate::ssr::state::app_state()?;
    let viewer = crate::ssr::access::viewer();
    crate::ssr::commerce::membership::view(&state.db, &state.catalog.index(), &viewer, &tier).await
}

/// Starts the signed-in learner's free trial of a membership tier.
#[server(prefix = "/api", endpoint = "membership_trial")]
pub async fn start_trial(tier: String) -> Result<(), AppError> {
    let state = crate::ssr::state::app_state()?;
    let viewer = crate::ssr::access::viewer();
    let me = crate::ssr::access::require_signed_in(&viewer)?;
    crate::ssr::commerce::membership::start_trial(&state.db, &state.catalog.index(), me, &tier)
        .await?;
    leptos_axum::redirect(&format!("/membership/{tier}"));
    Ok(())
}

/// What giving `product` costs now, with a fresh idempotency key for the gift form.
#[server(prefix = "/api", endpoint = "gift_quote", input = GetUrl)]
pub async fn quote_gift(product: String) -> Result<GiftQuote, AppError> {
    let state = crate::ssr::state::app_state()?;
    crate::ssr::commerce::gift::quote_for(
        &state.db,
        &state.commerce,
        &product,
        crate::ssr::access::request_locale(),
    )
    .await
}

/// Buys `product` as a gift for `email`, with an optional `message`, and continues to the
/// pay page. `key` and `expected_total` work as in [`checkout`].
#[server(prefix = "/api", endpoint = "gift_checkout")]
pub async fn gift_checkout(
    product: String,
    email: String,
    #[server(default)] message: Option<String>,
    key: String,
    #[server(default)] expected_total: Option<i64>,
) -> Result<(), AppError> {
    let state = crate::ssr::state::app_state()?;
    let viewer = crate::ssr::access::viewer();
    let me = crate::ssr::access::require_signed_in(&viewer)?;
    let next = crate::ssr::commerce::gift::checkout(
        &state.db,
        &state.commerce,
        me,
        &product,
        &email,
        message.as_deref().unwrap_or_default(),
        &key,
        expected_total,
    )
    .await?;
    leptos_axum::redirect(&next);
    Ok(())
}

/// A gift's claim page, found by the secret in its link.
#[server(prefix = "/api", endpoint = "gift", input = GetUrl)]
pub async fn load_gift(token: String) -> Result<GiftView, AppError> {
    let state = crate::ssr::state::app_state()?;
    let viewer = crate::ssr::access::viewer();
    crate::ssr::commerce::gift::view(&state.db, &state.catalog.index(), &viewer, &token).await
}

/// Claims a gift into the signed-in person's library.
#[server(prefix = "/api", endpoint = "gift_claim")]
pub async fn claim_gift(token: String) -> Result<(), AppError> {
    let state = crate::ssr::state::app_state()?;
    let viewer = crate::ssr::access::viewer();
    let me = crate::ssr::access::require_signed_in(&viewer)?;
    crate::ssr::commerce::gift::claim(&state.db, me, &token).await?;
    leptos_axum::redirect(&format!("/gift/{token}"));
    Ok(())
}

/// What the signed-in creator sells: items with prices, bundles, the membership tier.
#[server(prefix = "/api", endpoint = "studio_products", input = GetUrl)]
pub async fn studio_products() -> Result<crate::models::commerce::ProductsView, AppError> {
    let state = crate::ssr::state::app_state()?;
    let viewer = crate::ssr::access::viewer();
    let me = crate::ssr::access::require_signed_in(&viewer)?;
    crate::ssr::commerce::products::products(&state.db, me).await
}

#[cfg(feature = "ssr")]
async fn products_changed(saved: &str) {
    if let Ok(state) = crate::ssr::state::app_state() {
        if let Err(e) = state.catalog.refresh().await {
            tracing::error!(error = %e, "could not refresh the catalog after a price change");
        }
    }
    leptos_axum::redirect(&format!("/studio/products?saved={saved}"));
}

/// Sets an item's price in yuan (`0` or empty: free) and whether members read it
/// (`for_members` = `on`).
#[server(prefix = "/api", endpoint = "studio_item")]
pub async fn set_item_price(
    slug: String,
    price: String,
    #[server(default)] for_members: Option<String>,
) -> Result<(), AppError> {
    let state = crate::ssr::state::app_state()?;
    let viewer = crate::ssr::access::viewer();
    let me = crate::ssr::access::require_signed_in(&viewer)?;
    crate::ssr::commerce::products::set_item(
        &state.db,
        me,
        &slug,
        &price,
        for_members.as_deref() == Some("on"),
    )
    .await?;
    products_changed("item").await;
    Ok(())
}

/// Sets up or changes the creator's membership tier: name, description, prices of 30 days
/// and of a year in yuan, free trial days.
#[server(prefix = "/api", endpoint = "studio_tier")]
pub async fn save_tier(
    name: String,
    #[server(default)] description: String,
    monthly: String,
    yearly: String,
    #[server(default)] trial_days: String,
) -> Result<(), AppError> {
    let state = crate::ssr::state::app_state()?;
    let viewer = crate::ssr::access::viewer();
    let me = crate::ssr::access::require_signed_in(&viewer)?;
    crate::ssr::commerce::products::save_tier(
        &state.db,
        me,
        &name,
        &description,
        &monthly,
        &yearly,
        &trial_days,
    )
    .await?;
    products_changed("tier").await;
    Ok(())
}

/// Creates or changes a bundle of the creator's items (`items[]`, two or more) at one price
/// in yuan; `published` = `on` puts it on sale.
#[server(prefix = "/api", endpoint = "studio_bundle")]
pub async fn save_bundle(
    slug: String,
    title: String,
    price: String,
    #[server(default)] items: Vec<String>,
    #[server(default)] published: Option<String>,
) -> Result<(), AppError> {
    let state = crate::ssr::state::app_state()?;
    let viewer = crate::ssr::access::viewer();
    let me = crate::ssr::access::require_signed_in(&viewer)?;
    crate::ssr::commerce::products::save_bundle(
        &state.db,
        me,
        &slug,
        &title,
        &price,
        &items,
        published.as_deref() == Some("on"),
    )
    .await?;
    products_changed("bundle").await;
    Ok(())
}
