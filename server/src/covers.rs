//! Cover images, drawn as SVG from an item's title, kind and category — generated here,
//! so the demo store needs no image files and no network.

use app::models::catalog::{ItemCard, Kind};
use app::ssr::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// `GET /covers/<slug>.svg`.
pub async fn cover(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(slug) = file.strip_suffix(".svg") else {
        return (StatusCode::NOT_FOUND, "no such cover").into_response();
    };
    let index = state.catalog.index();
    let Some(item) = index.item(slug) else {
        return (StatusCode::NOT_FOUND, "no such cover").into_response();
    };
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        cover_svg(&item.card),
    )
        .into_response()
}

/// `GET /avatars/<creator-slug>.svg`: the creator's initial on a colour of their own.
pub async fn avatar(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let index = state.catalog.index();
    let Some(creator) = file
        .strip_suffix(".svg")
        .and_then(|slug| index.creator_card(slug))
    else {
        return (StatusCode::NOT_FOUND, "no such avatar").into_response();
    };
    let hue = creator
        .slug
        .bytes()
        .fold(11u32, |h, b| h.wrapping_mul(37).wrapping_add(u32::from(b)))
        % 360;
    let initial: String = creator.name.chars().take(1).collect();
    let svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96" role="img" aria-label="{name}"><circle cx="48" cy="48" r="48" fill="hsl({hue},40%,40%)"/><text x="48" y="62" font-size="40" text-anchor="middle" fill="#fff">{initial}</text></svg>"##,
        name = xml(&creator.name),
        initial = xml(&initial),
    );
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        svg,
    )
        .into_response()
}

/// Escapes text for XML.
fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Display width: CJK and other wide characters count two columns.
fn columns(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// Wraps a title into at most `max_lines` lines of about `width` columns. Latin words stay
/// whole; Chinese may break between any two characters. A cut-off title ends in `…`.
fn wrap(title: &str, width: usize, max_lines: usize) -> Vec<String> {
    // Tokens: a Latin word with its trailing space, or one wide character.
    let mut tokens: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in title.chars() {
        if c.is_ascii() {
            word.push(c);
            if c == ' ' {
                tokens.push(std::mem::take(&mut word));
            }
        } else {
            if !word.is_empty() {
                tokens.push(std::mem::take(&mut word));
            }
            tokens.push(c.to_string());
        }
    }
    if !word.is_empty() {
        tokens.push(word);
    }
    let mut lines: Vec<String> = vec![String::new()];
    for token in tokens {
        let line = lines.last_mut().expect("at least one line");
        if !line.is_empty() && columns(line.trim_end()) + columns(token.trim_end()) > width {
            if lines.len() == max_lines {
                let last = lines.last_mut().expect("at least one line");
                *last = format!("{}…", last.trim_end());
                return lines;
            }
            lines.push(String::new());
        }
        lines
            .last_mut()
            .expect("at least one line")
            .push_str(&token);
    }
    lines.iter().map(|l| l.trim_end().to_string()).collect()
}

/// The cover picture for an item.
pub fn cover_svg(card: &ItemCard) -> String {
    let hue = card
        .category_slug
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
        % 360;
    let accent = (hue + 40) % 360;
    let kind = match card.kind {
        Kind::Article => "ARTICLE · 文章",
        Kind::Ebook => "E-BOOK · 电子书",
        Kind::Audio => "AUDIO · 音频",
        Kind::Video => "VIDEO · 视频",
        Kind::Course => "COURSE · 课程",
    };
    let lines = wrap(&card.title, 16, 4);
    let mut text = String::new();
    for (i, line) in lines.iter().enumerate() {
        text.push_str(&format!(
            r##"<text x="20" y="{}" font-size="22" font-weight="700" fill="#fff">{}</text>"##,
            130 + i * 30,
            xml(line.trim())
        ));
    }
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="240" height="320" viewBox="0 0 240 320" role="img" aria-label="{title}"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl({hue},45%,32%)"/><stop offset="1" stop-color="hsl({accent},50%,22%)"/></linearGradient></defs><rect width="240" height="320" fill="url(#g)"/><circle cx="205" cy="40" r="70" fill="hsl({accent},60%,60%)" opacity=".18"/><text x="20" y="48" font-size="11" letter-spacing="2" fill="#fff" opacity=".85">{kind}</text><rect x="20" y="62" width="40" height="3" fill="hsl({accent},70%,70%)"/>{text}<text x="20" y="296" font-size="13" fill="#fff" opacity=".9">{creator}</text></svg>"##,
        title = xml(&card.title),
        creator = xml(&card.creator_name),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_wrap_and_cjk_counts_double() {
        assert_eq!(
            wrap("Rust for Beginners", 10, 4),
            vec!["Rust for", "Beginners"]
        );
        assert_eq!(
            wrap("机器学习入门实战指南", 8, 4),
            vec!["机器学习", "入门实战", "指南"]
        );
        let long = wrap(&"词".repeat(100), 8, 2);
        assert_eq!(long.len(), 2);
        assert!(long[1].ends_with('…'));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(xml("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
    }
}
