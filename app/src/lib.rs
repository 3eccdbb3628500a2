//! Shuzhai 书斋 — the storefront's pages, components and server functions.
//!
//! The same crate is compiled twice: with `ssr` for the server, where it renders HTML and
//! runs the server functions against SurrealDB, and with `hydrate` for the browser, where
//! it takes over the server-rendered page. Server-only code lives in [`ssr`].

#![cfg_attr(test, allow(clippy::unwrap_used))]
#![recursion_limit = "256"]

pub mod api;
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
                        <Route path=path!("/") view=pages::home::HomePage ssr=SsrMode::Async />
                        <Route path=path!("/catalog") view=pages::catalog::CatalogPage ssr=SsrMode::Async />
                        <Route path=path!("/item/:slug") view=pages::item::ItemPage ssr=SsrMode::Async />
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
                        <Route path=path!("/read/:slug") view=pages::reader::ReaderPage ssr=SsrMode::Async />
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

/// Every page but the ones a visitor lands on (home, catalogue, item pages) and the reader —
/// signing in, checkout, accounts, the library, creator pages, the studio, administration —
/// each in a wasm file of its own that the browser loads when the page is first opened (and
/// the service worker keeps, with the pages, for offline use). The release site is built with `cargo leptos build --split` and the
/// `split` feature; without it (tests, lints) the same routes are ordinary ones.
pub mod routes {
    use leptos::prelude::*;

    /// A route for page component `$page`, loaded on demand when built with `split`.
    macro_rules! lazy_page {
        ($route:ident, $page:path) => {
            #[doc = concat!("The route of `", stringify!($page), "`.")]
            pub struct $route;

            #[cfg(feature = "split")]
            #[leptos_router::lazy_route]
            impl leptos_router::LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                fn view(this: Self) -> AnyView {
                    let _ = this;
                    $page().into_any()
                }
            }

            #[cfg(not(feature = "split"))]
            impl leptos_router::LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn view(_this: Self) -> AnyView {
                    $page().into_any()
                }
            }
        };
    }

    use crate::pages;
    lazy_page!(SignInRoute, pages::auth::SignInPage);
    lazy_page!(CreatorRoute, pages::creator::CreatorPage);
    lazy_page!(LibraryRoute, pages::library::LibraryPage);
    lazy_page!(SignUpRoute, pages::auth::SignUpPage);
    lazy_page!(ConfirmSignUpRoute, pages::auth::ConfirmSignUpPage);
    lazy_page!(ForgotPasswordRoute, pages::auth::ForgotPasswordPage);
    lazy_page!(ResetPasswordRoute, pages::auth::ResetPasswordPage);
    lazy_page!(AccountRoute, pages::account::AccountPage);
    lazy_page!(PrivacyRoute, pages::privacy::PrivacyPage);
    lazy_page!(CartRoute, pages::shop::CartPage);
    lazy_page!(BundleRoute, pages::shop::BundlePage);
    lazy_page!(MembershipRoute, pages::membership::MembershipPage);
    lazy_page!(GiveRoute, pages::gift::GivePage);
    lazy_page!(GiftRoute, pages::gift::GiftPage);
    lazy_page!(PayRoute, pages::shop::PayPage);
    lazy_page!(OrdersRoute, pages::shop::OrdersPage);
    lazy_page!(OrderRoute, pages::shop::OrderPage);
    lazy_page!(StudioProductsRoute, pages::studio::StudioProductsPage);
    lazy_page!(StudioSalesRoute, pages::shop::StudioSalesPage);
    lazy_page!(AnalyticsRoute, pages::analytics::AnalyticsPage);
    lazy_page!(InboxRoute, pages::inbox::InboxPage);
    lazy_page!(NotificationsRoute, pages::inbox::NotificationsPage);
    lazy_page!(AdminUsersRoute, pages::admin::AdminUsersPage);
    lazy_page!(AdminOutboxRoute, pages::admin::AdminOutboxPage);
    lazy_page!(
        AdminRecommendationsRoute,
        pages::admin::AdminRecommendationsPage
    );
    lazy_page!(AdminModerationRoute, pages::admin::AdminModerationPage);
}
