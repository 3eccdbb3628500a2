//! Uploads in pieces, which survive a dropped connection: the editor sends a large file in
//! pieces of [`UPLOAD_CHUNK`] bytes, and after a network failure (or after the creator
//! chooses the same file again, even in a new tab) asks how much arrived and goes on from
//! there. Once every byte is in, the file goes through the same checks as a whole upload.
//!
//! - `POST /studio/uploads?kind=&name=&size=`: starts one (refused at once if `size` is over
//!   the kind's limit); answers its `id`.
//! - `GET /studio/uploads/<id>`: how many bytes arrived.
//! - `PUT /studio/uploads/<id>?offset=<n>`: the piece that starts at byte `n` (409 with the
//!   count if that is not where the file stands).
//! - `POST /studio/uploads/<id>/finish`: checks and keeps the file; answers it as
//!   `POST /studio/media` does.
//!
//! Pieces are kept in the media store's scratch directory, named by a random id and readable
//! only through the account that started them; an upload left unfinished for a day is
//! deleted.

use crate::media::{keep_upload, refuse, too_big, unread, uploader};
use app::models::i18n::Locale;
use app::models::media::{clean_name, MediaKind, MAX_CHUNK};
use app::ssr::state::AppState;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};
use tokio::io::AsyncWriteExt;

/// How long an unfinished upload is kept.
const KEPT_FOR: Duration = Duration::from_secs(24 * 3600);

/// What is known about an upload in progress (kept beside its bytes).
#[derive(Serialize, Deserialize)]
struct Started {
    user: String,
    kind: MediaKind,
    name: String,
    size: u64,
}

/// The query of `POST /studio/uploads`.
#[derive(Deserialize)]
pub struct StartQuery {
    kind: String,
    #[serde(default)]
    name: String,
    size: u64,
}

/// The query of `PUT /studio/uploads/<id>`.
#[derive(Deserialize)]
pub struct PieceQuery {
    offset: u64,
}

fn paths(state: &AppState, id: &str) -> Option<(PathBuf, PathBuf)> {
    let ok = id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit());
    let dir = state.media.scratch();
    ok.then(|| {
        (
            dir.join(format!("{id}.json")),
            dir.join(format!("{id}.part")),
        )
    })
}

fn progress(id: &str, received: u64, size: u64) -> Response {
    Json(serde_json::json!({ "id": id, "received": received, "size": size })).into_response()
}

fn gone(locale: Locale) -> Response {
    refuse(
        StatusCode::NOT_FOUND,
        locale.pick(
            "This upload is no longer here (it was finished, or left for a day). Choose the file again.",
            "这次上传已不存在（已完成，或超过一天未完成）。请重新选择文件。",
        ),
    )
}

fn failed(e: std::io::Error) -> Response {
    tracing::error!(error = %e, "an upload in pieces failed");
    refuse(
        StatusCode::INTERNAL_SERVER_ERROR,
        app::error::AppError::Internal.to_string(),
    )
}

/// The upload `id`, if it exists and `user` started it.
async fn find(state: &AppState, id: &str, user: &str) -> Option<(Started, PathBuf, u64)> {
    let (meta, part) = paths(state, id)?;
    let started: Started = serde_json::from_slice(&tokio::fs::read(&meta).await.ok()?).ok()?;
    if started.user != user {
        return None;
    }
    let received = tokio::fs::metadata(&part).await.map_or(0, |m| m.len());
    Some((started, part, received))
}

/// Upload `id` of `me` (the creator or admin making the request, see [`uploader`]), or the
/// refusal to answer.
async fn mine(
    state: &AppState,
    me: Result<app::ssr::access::SignedIn, Box<Response>>,
    id: &str,
) -> Result<(app::ssr::access::SignedIn, Started, PathBuf, u64), Box<Response>> {
    let me = me?;
    match find(state, id, &me.user_key).await {
        Some((started, part, received)) => Ok((me, started, part, received)),
        None => Err(Box::new(gone(me.locale))),
    }
}

/// 409: the upload stands at `received` of `size` bytes (the editor goes on from there).
fn stands(received: u64, size: u64, message: &str) -> Response {
    (
        StatusCode::CONFLICT,
        Json(serde_json::json!({ "received": received, "size": size, "error": message })),
    )
        .into_response()
}

/// Deletes uploads left unfinished for longer than [`KEPT_FOR`].
async fn sweep(dir: &std::path::Path) {
    let Ok(mut entries) = tokio::fs::read_dir(dir).await else {
        return;
    };
    while let Ok(Some(e)) = entries.next_entry().await {
        let old = e
            .metadata()
            .await
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .is_some_and(|age| age > KEPT_FOR);
        if old {
            let _ = tokio::fs::remove_file(e.path()).await;
        }
    }
}

/// `POST /studio/uploads`.
pub async fn start(
    State(state): State<AppState>,
    Query(q): Query<StartQuery>,
    req: Request,
) -> Response {
    let me = match uploader(&req) {
        Ok(me) => me,
        Err(refusal) => return *refusal,
    };
    let locale = me.locale;
    let Some(kind) = MediaKind::parse(&q.kind) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "Say what you upload: an image, audio, video or a file.",
        );
    };
    if q.size > kind.limit() {
        return too_big(kind, Some(q.size), locale);
    }
    if q.size == 0 {
        return refuse(
            StatusCode::BAD_REQUEST,
            locale.pick("The file is empty.", "文件是空的。"),
        );
    }
    let dir = state.media.scratch();
    if let Err(e) = tokio::fs::create_dir_all(&dir).await {
        return failed(e);
    }
    sweep(&dir).await;
    // 128 random bits, as hex.
    let id = app::ssr::sessions::token_key(&app::ssr::sessions::new_token())[..32].to_string();
    let Some((meta, part)) = paths(&state, &id) else {
        return failed(std::io::Error::other("bad upload id"));
    };
    let started = Started {
        user: me.user_key.clone(),
        kind,
        name: clean_name(&q.name),
        size: q.size,
    };
    let written = async {
        tokio::fs::write(&part, b"").await?;
        tokio::fs::write(&meta, serde_json::to_vec(&started)?).await
    };
    if let Err(e) = written.await {
        return failed(e);
    }
    (StatusCode::CREATED, progress(&id, 0, q.size)).into_response()
}

/// `GET /studio/uploads/<id>`.
pub async fn status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let me = match uploader(&req) {
        Ok(me) => me,
        Err(refusal) => return *refusal,
    };
    match find(&state, &id, &me.user_key).await {
        Some((started, _, received)) => progress(&id, received, started.size),
        None => gone(me.locale),
    }
}

/// `PUT /studio/uploads/<id>?offset=<n>`.
pub async fn piece(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<PieceQuery>,
    req: Request,
) -> Response {
    let (me, started, part, received) = match mine(&state, uploader(&req), &id).await {
        Ok(found) => found,
        Err(refusal) => return unread(*refusal),
    };
    let locale = me.locale;
    if q.offset != received {
        // A piece sent twice, or one lost: say where the file stands, and the editor goes on
        // from there.
        return unread(stands(
            received,
            started.size,
            locale.pick(
                "The upload goes on from where the store has it.",
                "上传将从已收到的位置继续。",
            ),
        ));
    }
    let bytes = match axum::body::to_bytes(req.into_body(), MAX_CHUNK as usize).await {
        Ok(b) => b,
        Err(_) => return unread(too_big(started.kind, None, locale)),
    };
    if received + bytes.len() as u64 > started.size {
        return refuse(
            StatusCode::BAD_REQUEST,
            locale.pick(
                "More bytes arrived than the file was said to have. Choose the file again.",
                "收到的数据多于文件大小，请重新选择文件。",
            ),
        );
    }
    let appended = async {
        let mut f = tokio::fs::OpenOptions::new()
            .append(true)
            .open(&part)
            .await?;
        f.write_all(&bytes).await?;
        f.flush().await?;
        Ok::<_, std::io::Error>(())
    };
    if let Err(e) = appended.await {
        return failed(e);
    }
    progress(&id, received + bytes.len() as u64, started.size)
}

/// `POST /studio/uploads/<id>/finish`.
pub async fn finish(
    State(state): State<AppState>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let (me, started, part, received) = match mine(&state, uploader(&req), &id).await {
        Ok(found) => found,
        Err(refusal) => return *refusal,
    };
    let locale = me.locale;
    if received != started.size {
        return stands(
            received,
            started.size,
            locale.pick(
                "Part of the file has not arrived yet.",
                "文件尚未全部上传。",
            ),
        );
    }
    let bytes = match tokio::fs::read(&part).await {
        Ok(b) => b,
        Err(e) => return failed(e),
    };
    let answer = keep_upload(&state, &me, started.kind, &started.name, bytes).await;
    // Kept or refused, the pieces are done with.
    if let Some((meta, part)) = paths(&state, &id) {
        let _ = tokio::fs::remove_file(part).await;
        let _ = tokio::fs::remove_file(meta).await;
    }
    answer
}
