//! Uploaded files in the database: recording an upload, and who may fetch a file.
//!
//! The bytes live on disk (see the server's media store); the `media` table knows each
//! file's kind, size, who uploaded it, whether a published free preview uses it (then it is
//! public) and which published items use it in their paid body.

use crate::error::AppError;
use crate::models::account::Role;
use crate::models::media::MediaRef;
use crate::ssr::access::{self, SignedIn, Viewer};
use crate::ssr::catalog::CatalogIndex;
use crate::ssr::db::{execute, rows, Db};
use serde::Deserialize;
use serde_json::json;

/// Records an upload by `me` (the same bytes uploaded again add an uploader).
pub async fn record(db: &Db, me: &SignedIn, m: &MediaRef, mime: &str) -> Result<(), AppError> {
    execute(
        db,
        "record upload",
        "UPSERT type::record('media', $hash) SET kind = $kind, mime = $mime, ext = $ext,
            name = name ?? $name, size = $size, width = $width, height = $height, widths = $widths,
            uploaders = array::union(uploaders ?? [], [type::record('user', $user)]),
            at = at ?? time::now()",
        json!({
            "hash": m.hash, "kind": m.kind, "mime": mime, "ext": m.ext, "name": m.name,
            "size": m.size, "width": m.width, "height": m.height, "widths": m.widths,
            "user": me.user_key,
        }),
    )
    .await
    .map_err(|e| AppError::internal("record upload", e))
}

/// Whether a file may be fetched, and how it may be cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fetch {
    /// Anyone: it is in a published free preview.
    Public,
    /// This viewer only (its uploader, an admin, or someone who may read an item that uses
    /// it in its paid body).
    Private,
    /// This viewer only, while the membership that opens an item using it lasts (until
    /// the given Unix second).
    Member(i64),
    /// Not for this viewer (answered as "not found", so that nothing is learned about it).
    Refused,
}

/// A stored file's type, as it is served.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Stored {
    /// MIME type.
    pub mime: String,
    /// Extension.
    pub ext: String,
    /// Widths of its smaller copies.
    pub widths: Vec<u32>,
    /// Its upload name.
    pub name: String,
}

/// Who may fetch file `hash`, and its type (`None`: no such file).
pub async fn fetch_rule(
    db: &Db,
    index: &CatalogIndex,
    viewer: &Viewer,
    hash: &str,
) -> Result<Option<(Fetch, Stored)>, AppError> {
    #[derive(Deserialize)]
    struct Row {
        #[serde(flatten)]
        stored: Stored,
        public: bool,
        items: Vec<String>,
        by: Vec<String>,
    }
    let found: Vec<Row> = rows(
        db,
        "read media",
        "SELECT mime, ext, widths, name, public, items.map(|$i| record::id($i)) AS items,
                uploaders.map(|$u| record::id($u)) AS by
         FROM type::record('media', $hash)",
        json!({ "hash": hash }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("read media", e))?;
    let Some(row) = found.into_iter().next() else {
        return Ok(None);
    };
    if row.public {
        return Ok(Some((Fetch::Public, row.stored)));
    }
    if let Some(u) = viewer.user() {
        if u.has(Role::Admin) || row.by.contains(&u.user_key) {
            return Ok(Some((Fetch::Private, row.stored)));
        }
    }
    let mut member = None;
    for key in &row.items {
        let Some(item) = index.item_by_key(key) else {
            continue;
        };
        let terms = access::ItemTerms {
            price_minor: item.card.price.minor,
        };
        let holding = access::entitled(db, viewer, key, item.tier.as_deref())
            .await
            .map_err(|e| AppError::internal("check entitlement for media", e))?;
        if access::may_read_body(viewer, terms, holding.opens()) {
            match holding.ends() {
                // Opened by a membership: another item may still open it for good.
                Some(until) => member = Some(member.map_or(until, |m: i64| m.max(until))),
                None => return Ok(Some((Fetch::Private, row.stored))),
            }
        }
    }
    if let Some(until) = member {
        return Ok(Some((Fetch::Member(until), row.stored)));
    }
    Ok(Some((Fetch::Refused, row.stored)))
}

/// Where uploaded files are kept. Keys are `<sha256>.<ext>` and `<sha256>-w<width>.<ext>`:
/// a key's bytes never change, so a store never overwrites. The disk store is the one in
/// use; an S3-compatible store would implement the same two methods.
pub trait MediaStore: Send + Sync {
    /// Keeps `bytes` under `key` (nothing happens if the key is already kept).
    fn put(&self, key: &str, bytes: &[u8]) -> std::io::Result<()>;
    /// Where the bytes of `key` are on this machine, if they are kept.
    fn local_path(&self, key: &str) -> Option<std::path::PathBuf>;
    /// A directory on this machine for uploads still arriving in pieces.
    fn scratch(&self) -> std::path::PathBuf;
}

/// Files in a directory, two levels deep by the first two characters of their key.
pub struct DiskStore {
    root: std::path::PathBuf,
}

impl DiskStore {
    /// A store in `root` (made when the first file arrives).
    pub fn new(root: impl Into<std::path::PathBuf>) -> Self {
        DiskStore { root: root.into() }
    }

    fn path(&self, key: &str) -> Option<std::path::PathBuf> {
        let ok = key.len() > 2
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
            && !key.contains("..");
        ok.then(|| self.root.join(&key[..2]).join(key))
    }
}

impl MediaStore for DiskStore {
    fn put(&self, key: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.path(key).ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "bad media key")
        })?;
        if path.exists() {
            return Ok(());
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        // Written aside and renamed: a crash never leaves half a file under the key.
        let tmp = path.with_extension(format!("part{}", std::process::id()));
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, &path)
    }

    fn local_path(&self, key: &str) -> Option<std::path::PathBuf> {
        self.path(key).filter(|p| p.is_file())
    }

    fn scratch(&self) -> std::path::PathBuf {
        self.root.join("incoming")
    }
}
