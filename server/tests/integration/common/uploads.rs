//! Uploading test files: pictures made on the spot, sent as the editor's script sends them.

use super::{Browser, Reply};

/// Uploads `bytes` as a file of `kind` called `name`.
pub async fn upload(b: &Browser, kind: &str, name: &str, bytes: Vec<u8>) -> Reply {
    b.post_bytes(
        &format!("/studio/media?kind={kind}&name={name}"),
        "application/octet-stream",
        bytes,
    )
    .await
}

/// A PNG picture of `width` × `height` pixels.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("a PNG in memory");
    out.into_inner()
}
