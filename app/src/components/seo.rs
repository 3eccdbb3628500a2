//! Title, description and canonical URL for each page.

use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};

/// The public origin of the store (`https://example.com`), provided by the server; in the
/// browser it is read from the location.
#[derive(Clone, Debug)]
pub struct SiteOrigin(pub String);

fn origin() -> String {
    if let Some(o) = use_context::<SiteOrigin>() {
        return o.0;
    }
    #[cfg(feature = "hydrate")]
    if let Some(o) = web_sys::window().and_then(|w| w.location().origin().ok()) {
        return o;
    }
    String::new()
}

/// Sets the page's `<title>`, description, canonical link and Open Graph tags (with an
/// image and the `article` type for item pages).
#[component]
pub fn PageMeta(
    /// Page title (the store name is appended).
    #[prop(into)]
    title: String,
    /// One or two sentences for search engines and link previews.
    #[prop(into)]
    description: String,
    /// Canonical path, e.g. `/item/rust-for-beginners`.
    #[prop(into)]
    path: String,
    /// The page's picture for link previews (a path on this site, e.g. a cover).
    #[prop(optional, into)]
    image: Option<String>,
) -> impl IntoView {
    let full = format!("{title} · Shuzhai 书斋");
    let canonical = format!("{}{}", origin(), path);
    let kind = if image.is_some() {
        "article"
    } else {
        "website"
    };
    let image = image.map(|i| {
        let url = if i.starts_with('/') {
            format!("{}{i}", origin())
        } else {
            i
        };
        view! { <Meta property="og:image" content=url /> }
    });
    view! {
        <Meta property="og:type" content=kind />
        {image}
        <Title text=full.clone() />
        <Meta name="description" content=description.clone() />
        <Meta property="og:title" content=full />
        <Meta property="og:description" content=description />
        <Meta property="og:url" content=canonical.clone() />
        <Link rel="canonical" href=canonical />
    }
}
