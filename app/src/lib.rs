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
use leptos_router::{path, SsrMode};

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
                        <Route path=path!("/creator/:slug") view=pages::creator::CreatorPage ssr=SsrMode::Async />
                        <Route path=path!("/signin") view=pages::auth::SignInPage ssr=SsrMode::Async />
                        <Route path=path!("/signup") view=pages::auth::SignUpPage ssr=SsrMode::Async />
                        <Route path=path!("/signup/confirm/:token") view=pages::auth::ConfirmSignUpPage ssr=SsrMode::Async />
                        <Route path=path!("/reset") view=pages::auth::ForgotPasswordPage ssr=SsrMode::Async />
                        <Route path=path!("/reset/:token") view=pages::auth::ResetPasswordPage ssr=SsrMode::Async />
                        <Route path=path!("/account") view=pages::account::AccountPage ssr=SsrMode::Async />
                        <Route path=path!("/privacy") view=pages::privacy::PrivacyPage ssr=SsrMode::Async />
                        <Route path=path!("/cart") view=pages::shop::CartPage ssr=SsrMode::Async />
                        <Route path=path!("/bundle/:slug") view=pages::shop::BundlePage ssr=SsrMode::Async />
                        <Route path=path!("/membership/:tier") view=pages::membership::MembershipPage ssr=SsrMode::Async />
                        <Route path=path!("/give") view=pages::gift::GivePage ssr=SsrMode::Async />
                        <Route path=path!("/gift/:token") view=pages::gift::GiftPage ssr=SsrMode::Async />
                        <Route path=path!("/pay/:order") view=pages::shop::PayPage ssr=SsrMode::Async />
                        <Route path=path!("/orders") view=pages::shop::OrdersPage ssr=SsrMode::Async />
                        <Route path=path!("/library") view=pages::library::LibraryPage ssr=SsrMode::Async />
                        <Route path=path!("/read/:slug") view=pages::reader::ReaderPage ssr=SsrMode::Async />
                        <Route path=path!("/orders/:id") view=pages::shop::OrderPage ssr=SsrMode::Async />
                        <Route path=path!("/studio/products") view=pages::studio::StudioProductsPage ssr=SsrMode::Async />
                        <Route path=path!("/studio/sales") view=pages::shop::StudioSalesPage ssr=SsrMode::Async />
                        <Route path=path!("/studio/analytics") view=pages::analytics::AnalyticsPage ssr=SsrMode::Async />
                        <Route path=path!("/studio/inbox") view=pages::inbox::InboxPage ssr=SsrMode::Async />
                        <Route path=path!("/notifications") view=pages::inbox::NotificationsPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/users") view=pages::admin::AdminUsersPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/outbox") view=pages::admin::AdminOutboxPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/recommendations") view=pages::admin::AdminRecommendationsPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/moderation") view=pages::admin::AdminModerationPage ssr=SsrMode::Async />
                    </Routes>
                </main>
                <components::layout::SiteFooter />
            </components::forms::MeProvider>
        </Router>
    }
}
