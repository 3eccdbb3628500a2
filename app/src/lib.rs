//! Shuzhai 书斋 — the storefront's pages, components and server functions.
//!
//! The same crate is compiled twice: with `ssr` for the server, where it renders HTML and
//! runs the server functions against SurrealDB, and with `hydrate` for the browser, where
//! it takes over the server-rendered page. Server-only code lives in [`ssr`].

#![cfg_attr(test, allow(clippy::unwrap_used))]
#![recursion_limit = "256"]

pub mod api;
pub mod codec;
pub mod components;
#[cfg(feature = "hydrate")]
pub mod device;
pub mod error;
#[cfg(feature = "hydrate")]
pub mod formqueue;
pub mod models;
#[cfg(feature = "hydrate")]
pub mod offline;
#[cfg(feature = "hydrate")]
pub mod outbox;
pub mod pages;
pub mod reco;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, Meta, MetaTags, Stylesheet};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, Lazy, SsrMode};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let lang = ssr::access::request_locale().tag();
    #[cfg(not(feature = "ssr"))]
    let lang = "en";
    view! {
        <!DOCTYPE html>
        <html lang=lang>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="theme-color" content="#7a3b2e" />
                <link rel="apple-touch-icon" href="/icon-192.png" />
                <link rel="icon" href="/favicon.ico" sizes="any" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application: layout and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/shuzhai.css" />
        <Meta property="og:site_name" content="Shuzhai 书斋" />
        <Link rel="manifest" href="/manifest.webmanifest" />
        <Router>
            <components::forms::MeProvider>
                <components::layout::SiteHeader />
                <components::layout::OfflineBanner />
                <main id="main">
                    <Routes fallback=|| view! { <pages::not_found::NotFound /> }>
                        <Route path=path!("/") view={Lazy::<routes::HomeRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/catalog") view={Lazy::<routes::CatalogRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/item/:slug") view={Lazy::<routes::ItemRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/creator/:slug") view={Lazy::<routes::CreatorRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/signin") view={Lazy::<routes::SignInRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/signup") view={Lazy::<routes::SignUpRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/signup/confirm/:token") view={Lazy::<routes::ConfirmSignUpRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/reset") view={Lazy::<routes::ForgotPasswordRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/reset/:token") view={Lazy::<routes::ResetPasswordRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/account") view={Lazy::<routes::AccountRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/privacy") view={Lazy::<routes::PrivacyRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/cart") view={Lazy::<routes::CartRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/bundle/:slug") view={Lazy::<routes::BundleRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/membership/:tier") view={Lazy::<routes::MembershipRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/give") view={Lazy::<routes::GiveRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/gift/:token") view={Lazy::<routes::GiftRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/pay/:order") view={Lazy::<routes::PayRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/orders") view={Lazy::<routes::OrdersRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/library") view={Lazy::<routes::LibraryRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/read/:slug") view={Lazy::<routes::ReaderRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/orders/:id") view={Lazy::<routes::OrderRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/studio/products") view={Lazy::<routes::StudioProductsRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/studio/sales") view={Lazy::<routes::StudioSalesRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/studio/analytics") view={Lazy::<routes::AnalyticsRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/studio/inbox") view={Lazy::<routes::InboxRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/notifications") view={Lazy::<routes::NotificationsRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/admin/users") view={Lazy::<routes::AdminUsersRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/admin/outbox") view={Lazy::<routes::AdminOutboxRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/admin/recommendations") view={Lazy::<routes::AdminRecommendationsRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/admin/moderation") view={Lazy::<routes::AdminModerationRoute>::new()} ssr=SsrMode::Async />
                    </Routes>
                </main>
                <components::layout::SiteFooter />
            </components::forms::MeProvider>
        </Router>
    }
}

/// Every page, in a few groups that are each a wasm module of their own: the main bundle
/// holds the layout, the router and what every page needs, and a page's group is fetched
/// with it. A visitor landing on the store does not download the reader, the checkout or
/// the studio, and a learner never downloads the studio. Few groups keep the number of
/// files a page needs small (the code two groups share goes into chunks of its own, one per
/// combination of groups): on a phone over HTTP/1.1, hundreds of small files took longer
/// than the bytes themselves. A server-rendered page names its group's files in a `Link:
/// rel=preload` header ([`crate::ssr::split`]), so the browser fetches them alongside the
/// main bundle; the service worker keeps them, with the pages, for offline use.
///
/// The release site is built with `cargo leptos build --split` and the `split` feature;
/// without it (tests, lints) the same routes are ordinary ones.
pub mod routes {
    use leptos::prelude::*;

    /// Routes whose pages live in wasm module `$module`: `$route` shows `$page` through
    /// `$view`, and `$preload` loads the module (the router calls it before it renders or
    /// hydrates the page) when built with `split`.
    macro_rules! lazy_pages {
        ($module:ident: $($route:ident => $view:ident, $preload:ident ($page:path)),+ $(,)?) => { $(
            #[doc = concat!("The route of `", stringify!($page), "` (wasm module `", stringify!($module), "`).")]
            pub struct $route;

            #[cfg(feature = "split")]
            #[::leptos::wasm_split::wasm_split(
                $module,
                wasm_split_path = ::leptos::wasm_split,
                preload(#[doc(hidden)] $preload)
            )]
            fn $view() -> AnyView {
                $page().into_any()
            }

            #[cfg(not(feature = "split"))]
            async fn $view() -> AnyView {
                $page().into_any()
            }

            impl leptos_router::LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn view(_this: Self) -> AnyView {
                    #[cfg(feature = "ssr")]
                    crate::ssr::split::preload(stringify!($module));
                    $view().await
                }

                async fn preload() {
                    #[cfg(feature = "split")]
                    $preload().await;
                }
            }
        )+ };
    }

    use crate::pages;
    // Where visitors land.
    lazy_pages!(store:
        HomeRoute => home_view, home_preload(pages::home::HomePage),
        CatalogRoute => catalog_view, catalog_preload(pages::catalog::CatalogPage),
        ItemRoute => item_view, item_preload(pages::item::ItemPage),
    );
    // What a learner reads and follows.
    lazy_pages!(read:
        ReaderRoute => reader_view, reader_preload(pages::reader::ReaderPage),
        LibraryRoute => library_view, library_preload(pages::library::LibraryPage),
        CreatorRoute => creator_view, creator_preload(pages::creator::CreatorPage),
        NotificationsRoute => notifications_view, notifications_preload(pages::inbox::NotificationsPage),
    );
    // Signing in and the account.
    lazy_pages!(account:
        SignInRoute => sign_in_view, sign_in_preload(pages::auth::SignInPage),
        SignUpRoute => sign_up_view, sign_up_preload(pages::auth::SignUpPage),
        ConfirmSignUpRoute => confirm_sign_up_view, confirm_sign_up_preload(pages::auth::ConfirmSignUpPage),
        ForgotPasswordRoute => forgot_password_view, forgot_password_preload(pages::auth::ForgotPasswordPage),
        ResetPasswordRoute => reset_password_view, reset_password_preload(pages::auth::ResetPasswordPage),
        AccountRoute => account_view, account_preload(pages::account::AccountPage),
        PrivacyRoute => privacy_view, privacy_preload(pages::privacy::PrivacyPage),
    );
    // Buying, gifts and orders.
    lazy_pages!(shop:
        CartRoute => cart_view, cart_preload(pages::shop::CartPage),
        BundleRoute => bundle_view, bundle_preload(pages::shop::BundlePage),
        MembershipRoute => membership_view, membership_preload(pages::membership::MembershipPage),
        GiveRoute => give_view, give_preload(pages::gift::GivePage),
        GiftRoute => gift_view, gift_preload(pages::gift::GiftPage),
        PayRoute => pay_view, pay_preload(pages::shop::PayPage),
        OrdersRoute => orders_view, orders_preload(pages::shop::OrdersPage),
        OrderRoute => order_view, order_preload(pages::shop::OrderPage),
    );
    // Creators' and admins' pages.
    lazy_pages!(studio:
        StudioProductsRoute => studio_products_view, studio_products_preload(pages::studio::StudioProductsPage),
        StudioSalesRoute => studio_sales_view, studio_sales_preload(pages::shop::StudioSalesPage),
        AnalyticsRoute => analytics_view, analytics_preload(pages::analytics::AnalyticsPage),
        InboxRoute => inbox_view, inbox_preload(pages::inbox::InboxPage),
        AdminUsersRoute => admin_users_view, admin_users_preload(pages::admin::AdminUsersPage),
        AdminOutboxRoute => admin_outbox_view, admin_outbox_preload(pages::admin::AdminOutboxPage),
        AdminRecommendationsRoute => admin_recommendations_view, admin_recommendations_preload(pages::admin::AdminRecommendationsPage),
        AdminModerationRoute => admin_moderation_view, admin_moderation_preload(pages::admin::AdminModerationPage),
    );
}
