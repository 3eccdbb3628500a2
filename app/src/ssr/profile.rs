//! Saving the store front's words (admins) and a creator's profile (the creator, or an
//! admin), each checked against the revision the editor started from.

use crate::error::AppError;
use crate::models::profile::{
    checked, stale, MAX_BIO_CHARS, MAX_INTRO_CHARS, MAX_NAME_CHARS, MAX_TAGLINE_CHARS,
};
use crate::ssr::access::{self, SignedIn, Viewer};
use crate::ssr::catalog::CatalogIndex;
use crate::ssr::db::{rows, Db};
use serde::Deserialize;
use serde_json::{json, Value};

/// The store front's words, as typed.
pub struct FrontText<'a> {
    /// English headline.
    pub tagline_en: &'a str,
    /// Chinese headline.
    pub tagline_zh: &'a str,
    /// English introduction.
    pub intro_en: &'a str,
    /// Chinese introduction.
    pub intro_zh: &'a str,
}

/// Saves the store front's words (admins), made from revision `base`.
pub async fn save_front(
    db: &Db,
    viewer: &Viewer,
    text: FrontText<'_>,
    base: i64,
) -> Result<(), AppError> {
    let me = access::require_admin(viewer)?;
    let tagline_en = checked(
        "The English headline",
        text.tagline_en,
        MAX_TAGLINE_CHARS,
        false,
    )?;
    let tagline_zh = checked(
        "The Chinese headline",
        text.tagline_zh,
        MAX_TAGLINE_CHARS,
        false,
    )?;
    let intro_en = checked(
        "The English introduction",
        text.intro_en,
        MAX_INTRO_CHARS,
        false,
    )?;
    let intro_zh = checked(
        "The Chinese introduction",
        text.intro_zh,
        MAX_INTRO_CHARS,
        false,
    )?;
    let saved: Vec<Value> = rows(
        db,
        "save store front",
        "IF ((SELECT VALUE revision FROM store_front:only)[0] ?? 0) = $base {
            UPSERT store_front:only SET tagline_en = $te, tagline_zh = $tz, intro_en = $ie,
                intro_zh = $iz, revision = (revision ?? 0) + 1, updated_at = time::now(),
                updated_by = type::record('user', $user)
            RETURN VALUE revision;
         } ELSE { RETURN []; };",
        json!({
            "te": tagline_en, "tz": tagline_zh, "ie": intro_en, "iz": intro_zh,
            "base": base, "user": me.user_key,
        }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("save store front", e))?;
    if saved.is_empty() {
        return Err(stale("the store front"));
    }
    Ok(())
}

/// A creator's profile, as typed.
pub struct ProfileText<'a> {
    /// Display name.
    pub name: &'a str,
    /// Biography.
    pub bio: &'a str,
    /// Picture: empty (the drawn initial), the drawn one, or an uploaded image.
    pub avatar: &'a str,
}

/// Saves creator `slug`'s profile (the creator, or an admin), made from revision `base`.
/// The picture must be an image uploaded by the creator or the person saving; from then on
/// it is public.
pub async fn save_creator(
    db: &Db,
    index: &CatalogIndex,
    viewer: &Viewer,
    slug: &str,
    text: ProfileText<'_>,
    base: i64,
) -> Result<(), AppError> {
    let me = access::require_signed_in(viewer)?;
    let no_such = || AppError::NotFound(format!("There is no creator called “{slug}”."));
    if !crate::models::catalog::is_slug(slug) || index.creator_card(slug).is_none() {
        return Err(no_such());
    }
    let owner = index.creator_owner(slug);
    if !access::may_edit_creator(viewer, owner) {
        return Err(AppError::Forbidden);
    }
    let name = checked("The name", text.name, MAX_NAME_CHARS, true)?;
    let bio = checked("The biography", text.bio, MAX_BIO_CHARS, false)?;
    let avatar = picture(db, me, owner, slug, text.avatar.trim()).await?;
    let saved: Vec<Value> = rows(
        db,
        "save creator profile",
        "UPDATE creator SET name = $name, bio = $bio, avatar = $avatar,
            revision = (revision ?? 0) + 1, updated_at = time::now()
         WHERE slug = $slug AND (revision ?? 0) = $base RETURN VALUE revision",
        json!({ "name": name, "bio": bio, "avatar": avatar.0, "slug": slug, "base": base }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("save creator profile", e))?;
    if saved.is_empty() {
        return Err(stale("this profile"));
    }
    if let Some(hash) = avatar.1 {
        rows::<Value>(
            db,
            "make picture public",
            "UPDATE type::record('media', $h) SET public = true",
            json!({ "h": hash }),
            0,
        )
        .await
        .map_err(|e| AppError::internal("make picture public", e))?;
    }
    Ok(())
}

/// The picture address to store, and the upload it names (if it names one).
async fn picture(
    db: &Db,
    me: &SignedIn,
    owner: Option<&str>,
    slug: &str,
    avatar: &str,
) -> Result<(String, Option<String>), AppError> {
    let drawn = format!("/avatars/{slug}.svg");
    if avatar.is_empty() || avatar == drawn {
        return Ok((drawn, None));
    }
    let refused =
        || AppError::BadRequest("The picture must be an image uploaded here for this page.".into());
    let hash = avatar
        .strip_prefix("/media/")
        .and_then(crate::models::media::parse_file_name)
        .filter(|(_, width, _)| width.is_none())
        .map(|(hash, _, _)| hash)
        .ok_or_else(refused)?;
    #[derive(Deserialize)]
    struct Known {
        kind: String,
        ext: String,
        by: Vec<String>,
    }
    let known: Vec<Known> = rows(
        db,
        "read picture",
        "SELECT kind, ext, uploaders.map(|$u| record::id($u)) AS by FROM type::record('media', $h)",
        json!({ "h": hash }),
        0,
    )
    .await
    .map_err(|e| AppError::internal("read picture", e))?;
    match known.into_iter().next() {
        Some(k)
            if k.kind == "image"
                && (k.by.contains(&me.user_key)
                    || owner.is_some_and(|o| k.by.iter().any(|b| b == o))) =>
        {
            Ok((format!("/media/{hash}.{}", k.ext), Some(hash)))
        }
        _ => Err(refused()),
    }
}
