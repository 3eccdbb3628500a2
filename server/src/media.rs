//! Uploads and media files.
//!
//! `POST /studio/media?kind=image&name=photo.jpg` takes a file as the request body (the
//! editor sends it with a progress bar). Only creators and admins upload. The file's type
//! is told from its first bytes, never its name; each kind has its size limit; images are
//! checked for their pixel count before they are unpacked (a small file that unpacks to a
//! huge picture is refused) and get smaller copies for narrow screens. Files are kept under
//! the SHA-256 of their bytes.
//!
//! `GET /media/<hash>[-w<width>].<ext>` serves them with range requests (audio and video
//! seek without downloading everything) and caching: public files (in a published free
//! preview) for a year, as their address never changes meaning; other files only to whoever
//! may read an item that uses them, and never from a shared cache.

use app::error::AppError;
use app::models::account::Role;
use app::models::i18n::Locale;
use app::models::media::{
    clean_name, human_size, parse_file_name, sniff, MediaKind, MediaRef, Sniffed, IMAGE_WIDTHS,
    MAX_IMAGE_PIXELS,
};
use app::ssr::access::Viewer;
use app::ssr::media::{fetch_rule, Fetch};
use app::ssr::state::AppState;
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tower::ServiceExt;

/// The upload's query string.
#[derive(Deserialize)]
pub struct UploadQuery {
    kind: String,
    #[serde(default)]
    name: String,
}

pub(crate) fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(serde_json::json!({ "error": message.into() }))).into_response()
}

fn kind_words(kind: MediaKind, locale: Locale) -> &'static str {
    match kind {
        MediaKind::Image => locale.pick(
            "a JPEG, PNG, GIF or WebP image",
            "JPEG、PNG、GIF 或 WebP 图片",
        ),
        MediaKind::Audio => locale.pick(
            "an MP3, M4A, Ogg or WAV audio file",
            "MP3、M4A、Ogg 或 WAV 音频",
        ),
        MediaKind::Video => locale.pick("an MP4 or WebM video", "MP4 或 WebM 视频"),
        MediaKind::File => locale.pick("a PDF, EPUB or ZIP file", "PDF、EPUB 或 ZIP 文件"),
    }
}

/// The refusal of a file over `kind`'s limit (`size`, when it is known).
pub(crate) fn too_big(kind: MediaKind, size: Option<u64>, locale: Locale) -> Response {
    let limit = kind.limit();
    refuse(
        StatusCode::PAYLOAD_TOO_LARGE,
        match (size, locale) {
            (Some(s), Locale::En) => format!(
                "This file is {}; {} can be at most {}.",
                human_size(s),
                kind.as_str(),
                human_size(limit)
            ),
            (Some(s), Locale::Zh) => format!(
                "文件大小为 {}，超过上限 {}。",
                human_size(s),
                human_size(limit)
            ),
            (None, Locale::En) => format!(
                "This file is larger than {}, the most for {}.",
                human_size(limit),
                kind.as_str()
            ),
            (None, Locale::Zh) => format!("文件超过上限 {}。", human_size(limit)),
        },
    )
}

/// The signed-in creator or admin making a request, or the refusal to answer.
/// (The refusal is boxed: a response is large.)
pub(crate) fn uploader(req: &Request) -> Result<app::ssr::access::SignedIn, Box<Response>> {
    let viewer = req
        .extensions()
        .get::<Viewer>()
        .cloned()
        .unwrap_or_default();
    let Some(me) = viewer.user().cloned() else {
        return Err(Box::new(refuse(
            StatusCode::UNAUTHORIZED,
            AppError::SignInRequired.to_string(),
        )));
    };
    if !(me.has(Role::Creator) || me.has(Role::Admin)) {
        return Err(Box::new(refuse(
            StatusCode::FORBIDDEN,
            AppError::Forbidden.to_string(),
        )));
    }
    Ok(me)
}

/// A refusal sent before the request's bytes were read: the connection closes after it.
///
/// The server does not read an upload it refuses, so the connection cannot carry another request.
/// Saying so lets the browser open a new one instead of sending its next request on a
/// connection the server is closing (which fails it as an incomplete message).
pub(crate) fn unread(mut refusal: Response) -> Response {
    refusal.headers_mut().insert(
        axum::http::header::CONNECTION,
        axum::http::HeaderValue::from_static("close"),
    );
    refusal
}

/// `POST /studio/media`.
pub async fn upload(
    State(state): State<AppState>,
    Query(q): Query<UploadQuery>,
    req: Request,
) -> Response {
    let me = match uploader(&req) {
        Ok(me) => me,
        Err(refusal) => return unread(*refusal),
    };
    let locale = me.locale;
    let Some(kind) = MediaKind::parse(&q.kind) else {
        return unread(refuse(
            StatusCode::BAD_REQUEST,
            "Say what you upload: an image, audio, video or a file.",
        ));
    };
    let limit = kind.limit();
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|s| s > limit) {
        return unread(too_big(kind, declared, locale));
    }
    let bytes = match axum::body::to_bytes(req.into_body(), limit as usize).await {
        Ok(b) => b,
        Err(_) => return unread(too_big(kind, declared, locale)),
    };
    keep_upload(&state, &me, kind, &q.name, bytes.to_vec()).await
}

/// Checks a whole uploaded file (its bytes say what it is; images are measured before they
/// are unpacked), keeps it and records it as `me`'s.
pub(crate) async fn keep_upload(
    state: &AppState,
    me: &app::ssr::access::SignedIn,
    kind: MediaKind,
    name: &str,
    bytes: Vec<u8>,
) -> Response {
    let locale = me.locale;
    if bytes.is_empty() {
        return refuse(
            StatusCode::BAD_REQUEST,
            locale.pick("The file is empty.", "文件是空的。"),
        );
    }
    let Some(found) = sniff(&bytes[..bytes.len().min(64)]) else {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            match locale {
                Locale::En => format!(
                    "This is not {} — its contents say so, whatever its name.",
                    kind_words(kind, locale)
                ),
                Locale::Zh => format!(
                    "这不是{}——无论文件名如何，内容表明并非如此。",
                    kind_words(kind, locale)
                ),
            },
        );
    };
    if found.kind != kind {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            match locale {
                Locale::En => format!(
                    "This is {}, not {}: add it as {} instead.",
                    kind_words(found.kind, locale),
                    kind_words(kind, locale),
                    found.kind.as_str()
                ),
                Locale::Zh => format!(
                    "这是{}，不是{}，请换用对应的按钮添加。",
                    kind_words(found.kind, locale),
                    kind_words(kind, locale)
                ),
            },
        );
    }
    let name = clean_name(name);
    let store = state.media.clone();
    let processed =
        tokio::task::spawn_blocking(move || process(store.as_ref(), &bytes, found, name, locale))
            .await;
    let media = match processed {
        Ok(Ok(m)) => m,
        Ok(Err((status, message))) => return refuse(status, message),
        Err(e) => {
            tracing::error!(error = %e, "processing an upload failed");
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                AppError::Internal.to_string(),
            );
        }
    };
    if let Err(e) = app::ssr::media::record(&state.db, me, &media, found.mime).await {
        return refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
    }
    (StatusCode::CREATED, Json(media)).into_response()
}

type Refusal = (StatusCode, String);

/// Hashes, checks and keeps the file (and an image's smaller copies).
fn process(
    store: &dyn app::ssr::media::MediaStore,
    bytes: &[u8],
    found: Sniffed,
    name: String,
    locale: Locale,
) -> Result<MediaRef, Refusal> {
    let hash = hex(&Sha256::digest(bytes));
    let mut media = MediaRef {
        hash: hash.clone(),
        kind: found.kind,
        ext: found.ext.to_string(),
        name,
        size: bytes.len() as u64,
        width: None,
        height: None,
        widths: Vec::new(),
    };
    let keep = |key: String, data: &[u8]| {
        store.put(&key, data).map_err(|e| {
            tracing::error!(error = %e, key, "keeping an upload failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                AppError::Internal.to_string(),
            )
        })
    };
    if found.kind == MediaKind::Image {
        let copies = image_copies(bytes, found, locale)?;
        media.width = Some(copies.width);
        media.height = Some(copies.height);
        for (w, data) in copies.smaller {
            keep(format!("{hash}-w{w}.{}", found.ext), &data)?;
            media.widths.push(w);
        }
    }
    keep(format!("{hash}.{}", found.ext), bytes)?;
    Ok(media)
}

struct Copies {
    width: u32,
    height: u32,
    smaller: Vec<(u32, Vec<u8>)>,
}

/// The image's size (refusing pictures of more than [`MAX_IMAGE_PIXELS`] before unpacking
/// them) and, for JPEG and PNG, copies at the [`IMAGE_WIDTHS`] narrower than it.
fn image_copies(bytes: &[u8], found: Sniffed, locale: Locale) -> Result<Copies, Refusal> {
    use image::{ImageFormat, ImageReader, Limits};
    let format = match found.ext {
        "jpg" => ImageFormat::Jpeg,
        "png" => ImageFormat::Png,
        "gif" => ImageFormat::Gif,
        _ => ImageFormat::WebP,
    };
    let unreadable = || {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            locale
                .pick(
                    "The image cannot be read: it may be damaged or cut short.",
                    "无法读取这张图片：文件可能已损坏或不完整。",
                )
                .to_string(),
        )
    };
    let mut reader = ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(20_000);
    limits.max_image_height = Some(20_000);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    // Only the header is read here, so no limit is needed (nothing is unpacked yet).
    let mut probe = ImageReader::with_format(std::io::Cursor::new(bytes), format);
    probe.no_limits();
    let (width, height) = probe.into_dimensions().map_err(|_| unreadable())?;
    if u64::from(width) * u64::from(height) > MAX_IMAGE_PIXELS {
        return Err((
            StatusCode::UNPROCESSABLE_ENTITY,
            match locale {
                Locale::En => format!(
                    "The image is {width} × {height} pixels; the most is {} million pixels. Make it smaller and upload it again.",
                    MAX_IMAGE_PIXELS / 1_000_000
                ),
                Locale::Zh => format!(
                    "图片为 {width} × {height} 像素，上限为 {} 百万像素。请缩小后重新上传。",
                    MAX_IMAGE_PIXELS / 1_000_000
                ),
            },
        ));
    }
    let mut smaller = Vec::new();
    if matches!(format, ImageFormat::Jpeg | ImageFormat::Png) {
        let picture = reader.decode().map_err(|_| unreadable())?;
        for w in IMAGE_WIDTHS.into_iter().filter(|&w| w < width) {
            let h = ((u64::from(height) * u64::from(w)) / u64::from(width)).max(1) as u32;
            let copy = picture.resize_exact(w, h, image::imageops::FilterType::Triangle);
            let mut out = std::io::Cursor::new(Vec::new());
            let written = if format == ImageFormat::Jpeg {
                copy.to_rgb8().write_with_encoder(
                    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82),
                )
            } else {
                copy.write_to(&mut out, ImageFormat::Png)
            };
            written.map_err(|_| unreadable())?;
            smaller.push((w, out.into_inner()));
        }
    }
    Ok(Copies {
        width,
        height,
        smaller,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `GET /media/<file>`.
pub async fn serve(
    State(state): State<AppState>,
    Path(file): Path<String>,
    req: Request,
) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "no such file").into_response();
    let Some((hash, width, ext)) = parse_file_name(&file) else {
        return not_found();
    };
    let viewer = req
        .extensions()
        .get::<Viewer>()
        .cloned()
        .unwrap_or_default();
    let rule = fetch_rule(&state.db, &state.catalog.index(), &viewer, &hash).await;
    let (fetch, stored) = match rule {
        Ok(Some(found)) => found,
        Ok(None) => return not_found(),
        Err(e) => return e.to_string().into_response(),
    };
    if fetch == Fetch::Refused
        || stored.ext != ext
        || width.is_some_and(|w| !stored.widths.contains(&w))
    {
        return not_found();
    }
    let Some(path) = state.media.local_path(&file) else {
        return not_found();
    };
    let mut res = match tower_http::services::ServeFile::new(path)
        .oneshot(req)
        .await
    {
        Ok(r) => r.map(Body::new),
        Err(never) => match never {},
    };
    let headers = res.headers_mut();
    if let Ok(mime) = HeaderValue::from_str(&stored.mime) {
        headers.insert(header::CONTENT_TYPE, mime);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(match fetch {
            Fetch::Public => "public, max-age=31536000, immutable",
            _ => "private, max-age=3600",
        }),
    );
    if let Fetch::Member(until) = fetch {
        headers.insert(
            header::HeaderName::from_static(app::ssr::access::ACCESS_UNTIL),
            HeaderValue::from(until),
        );
    }
    if stored.mime.starts_with("application/") {
        let ascii: String = stored
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let encoded: String = stored
            .name
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        if let Ok(v) = HeaderValue::from_str(&format!(
            "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
        )) {
            headers.insert(header::CONTENT_DISPOSITION, v);
        }
    }
    res
}
