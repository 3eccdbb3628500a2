//! Images, audio, video and files that creators upload: what kinds there are, how large
//! each may be, how a file's kind is told from its first bytes (never from its name), and
//! the reference a content block keeps.
//!
//! Files are stored under the SHA-256 of their bytes, so the same file uploaded twice is
//! stored once, and their addresses (`/media/<hash>.<ext>`) never change meaning.

use serde::{Deserialize, Serialize};

/// The four kinds of upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    /// JPEG, PNG, GIF or WebP.
    Image,
    /// MP3, M4A/AAC, Ogg or WAV.
    Audio,
    /// MP4 or WebM.
    Video,
    /// PDF, EPUB or ZIP, offered as a download.
    File,
}

impl MediaKind {
    /// Every kind, in the order the editor lists them.
    pub const ALL: [MediaKind; 4] = [
        MediaKind::Image,
        MediaKind::Audio,
        MediaKind::Video,
        MediaKind::File,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Audio => "audio",
            MediaKind::Video => "video",
            MediaKind::File => "file",
        }
    }

    /// The kind named `s`.
    pub fn parse(s: &str) -> Option<Self> {
        MediaKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The largest upload of this kind, in bytes.
    pub fn limit(self) -> u64 {
        match self {
            MediaKind::Image => 10 * MB,
            MediaKind::Audio => 100 * MB,
            MediaKind::Video => 300 * MB,
            MediaKind::File => 50 * MB,
        }
    }

    /// What the file picker offers.
    pub fn accept(self) -> &'static str {
        match self {
            MediaKind::Image => "image/jpeg,image/png,image/gif,image/webp",
            MediaKind::Audio => {
                "audio/mpeg,audio/mp4,audio/aac,audio/ogg,audio/wav,.mp3,.m4a,.ogg,.wav"
            }
            MediaKind::Video => "video/mp4,video/webm,.mp4,.webm",
            MediaKind::File => {
                "application/pdf,application/epub+zip,application/zip,.pdf,.epub,.zip"
            }
        }
    }
}

const MB: u64 = 1024 * 1024;

/// The largest upload of any kind (the request limit of the upload address).
pub const MAX_UPLOAD: u64 = 300 * MB;
/// The size of the pieces a file is sent in (a dropped connection costs at most one piece).
pub const UPLOAD_CHUNK: u64 = 4 * MB;
/// The largest piece the store takes in one request.
pub const MAX_CHUNK: u64 = 8 * MB;
/// The most pixels an uploaded image may have (a small file that unpacks to a huge
/// picture is refused before it is unpacked).
pub const MAX_IMAGE_PIXELS: u64 = 40_000_000;
/// The widths, in pixels, of the smaller copies made of each image (those narrower than
/// the original).
pub const IMAGE_WIDTHS: [u32; 3] = [320, 640, 1280];

/// What the first bytes say a file is: its kind, MIME type and file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    /// The kind.
    pub kind: MediaKind,
    /// The MIME type it is served with.
    pub mime: &'static str,
    /// The extension of its address.
    pub ext: &'static str,
}

/// Tells a file's type from its first bytes (at least 16 are needed). `None`: not a type
/// the store accepts — whatever its name says.
pub fn sniff(head: &[u8]) -> Option<Sniffed> {
    let s = |kind, mime, ext| Some(Sniffed { kind, mime, ext });
    let at = |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
    if at(0, &[0xFF, 0xD8, 0xFF]) {
        return s(MediaKind::Image, "image/jpeg", "jpg");
    }
    if at(0, b"\x89PNG\r\n\x1a\n") {
        return s(MediaKind::Image, "image/png", "png");
    }
    if at(0, b"GIF87a") || at(0, b"GIF89a") {
        return s(MediaKind::Image, "image/gif", "gif");
    }
    if at(0, b"RIFF") && at(8, b"WEBP") {
        return s(MediaKind::Image, "image/webp", "webp");
    }
    if at(0, b"RIFF") && at(8, b"WAVE") {
        return s(MediaKind::Audio, "audio/wav", "wav");
    }
    if at(0, b"ID3") || (head.len() > 1 && head[0] == 0xFF && head[1] & 0xE0 == 0xE0) {
        return s(MediaKind::Audio, "audio/mpeg", "mp3");
    }
    if at(0, b"OggS") {
        return s(MediaKind::Audio, "audio/ogg", "ogg");
    }
    if at(4, b"ftyp") {
        // ISO media: the brand says audio (M4A) or video.
        let brand = head.get(8..12).unwrap_or_default();
        return if brand == b"M4A " || brand == b"M4B " {
            s(MediaKind::Audio, "audio/mp4", "m4a")
        } else {
            s(MediaKind::Video, "video/mp4", "mp4")
        };
    }
    if at(0, &[0x1A, 0x45, 0xDF, 0xA3]) {
        return s(MediaKind::Video, "video/webm", "webm");
    }
    if at(0, b"%PDF-") {
        return s(MediaKind::File, "application/pdf", "pdf");
    }
    if at(0, b"PK\x03\x04") {
        // An EPUB is a ZIP whose first entry is "mimetype" holding its type.
        return if at(30, b"mimetype") && at(38, b"application/epub+zip") {
            s(MediaKind::File, "application/epub+zip", "epub")
        } else {
            s(MediaKind::File, "application/zip", "zip")
        };
    }
    None
}

/// An uploaded file as a content block refers to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaRef {
    /// SHA-256 of its bytes, in hex.
    pub hash: String,
    /// Its kind.
    pub kind: MediaKind,
    /// Its extension (`jpg`, `mp3`, …).
    pub ext: String,
    /// The name it was uploaded with (shown for downloads; never used as a path).
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// Width in pixels (images).
    #[serde(default)]
    pub width: Option<u32>,
    /// Height in pixels (images).
    #[serde(default)]
    pub height: Option<u32>,
    /// The widths of the smaller copies (images).
    #[serde(default)]
    pub widths: Vec<u32>,
}

impl MediaRef {
    /// Whether `hash` looks like a SHA-256 in lower-case hex.
    pub fn is_hash(hash: &str) -> bool {
        hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    }

    /// Its address.
    pub fn url(&self) -> String {
        format!("/media/{}.{}", self.hash, self.ext)
    }

    /// The address of its copy `width` pixels wide.
    pub fn url_at(&self, width: u32) -> String {
        format!("/media/{}-w{width}.{}", self.hash, self.ext)
    }

    /// `srcset` for an image: the smaller copies and the original.
    pub fn srcset(&self) -> String {
        let mut set: Vec<String> = self
            .widths
            .iter()
            .map(|w| format!("{} {w}w", self.url_at(*w)))
            .collect();
        if let Some(w) = self.width {
            set.push(format!("{} {w}w", self.url()));
        }
        set.join(", ")
    }

    /// The address "Download for offline" keeps on the device: the file itself, or for an
    /// image its largest smaller copy (what a phone's screen asks for; the service worker
    /// answers any width of the same picture from it when there is no connection).
    pub fn offline_url(&self) -> String {
        match (self.kind, self.widths.iter().max()) {
            (MediaKind::Image, Some(w)) => self.url_at(*w),
            _ => self.url(),
        }
    }

    /// The size for people: "2.4 MB", "830 KB".
    pub fn size_text(&self) -> String {
        human_size(self.size)
    }
}

/// A byte count for people.
pub fn human_size(bytes: u64) -> String {
    if bytes >= MB {
        format!("{:.1} MB", bytes as f64 / MB as f64)
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// A file name safe to show and to offer as a download name: the last path part, without
/// control characters or quotes, at most 120 characters; "file" if nothing is left.
pub fn clean_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '`'))
        .take(120)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        "file".into()
    } else {
        cleaned
    }
}

/// The parts of a media address `<hash>[-w<width>].<ext>`.
pub fn parse_file_name(file: &str) -> Option<(String, Option<u32>, String)> {
    let (stem, ext) = file.rsplit_once('.')?;
    if ext.is_empty() || ext.len() > 5 || !ext.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let (hash, width) = match stem.split_once("-w") {
        Some((h, w)) => (h, Some(w.parse::<u32>().ok()?)),
        None => (stem, None),
    };
    MediaRef::is_hash(hash).then(|| (hash.to_string(), width, ext.to_string()))
}

/// The chapters a player's caption lists, one a line as `m:ss Title` or `h:mm:ss Title`,
/// in order of time, and the caption without them.
pub fn caption_chapters(caption: &str) -> (Vec<(u32, String)>, String) {
    let mut chapters = Vec::new();
    let mut rest = Vec::new();
    for line in caption.lines() {
        let parsed = line.trim().split_once(' ').and_then(|(stamp, title)| {
            let parts: Vec<&str> = stamp.split(':').collect();
            if !(2..=3).contains(&parts.len())
                || parts
                    .iter()
                    .any(|p| p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()))
            {
                return None;
            }
            let n: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
            let secs = n.iter().fold(0, |acc, v| acc * 60 + v);
            let tail_ok = n[1..].iter().all(|&v| v < 60);
            let title = title.trim();
            (tail_ok && !title.is_empty()).then(|| (secs, title.to_string()))
        });
        match parsed {
            Some(c) => chapters.push(c),
            None => rest.push(line),
        }
    }
    chapters.sort_by_key(|c| c.0);
    (chapters, rest.join("\n").trim().to_string())
}

/// `75` → `1:15`, `3725` → `1:02:05`.
pub fn clock(secs: u32) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn chapters_are_read_from_timed_lines_of_the_caption() {
        let (chapters, rest) = caption_chapters(
            "Lecture 3: tones\n0:00 Welcome\n12:30 The third tone\n1:02:05 Practice\n9:99 not a time\n3:15",
        );
        assert_eq!(
            chapters,
            [
                (0, "Welcome".into()),
                (750, "The third tone".into()),
                (3725, "Practice".into())
            ]
        );
        assert_eq!(rest, "Lecture 3: tones\n9:99 not a time\n3:15");
        assert_eq!(clock(75), "1:15");
        assert_eq!(clock(3725), "1:02:05");
        assert_eq!(caption_chapters("no chapters here").0, []);
    }

    use super::*;

    #[test]
    fn an_image_is_kept_offline_at_its_largest_smaller_copy_and_other_files_whole() {
        let mut m = MediaRef {
            hash: "ab".repeat(32),
            kind: MediaKind::Image,
            ext: "png".into(),
            name: "diagram.png".into(),
            size: 300_000,
            width: Some(1400),
            height: Some(900),
            widths: vec![320, 640, 1280],
        };
        assert_eq!(m.offline_url(), format!("/media/{}-w1280.png", m.hash));
        m.widths.clear();
        assert_eq!(m.offline_url(), m.url());
        m.kind = MediaKind::Audio;
        m.ext = "mp3".into();
        m.widths = vec![320];
        assert_eq!(m.offline_url(), format!("/media/{}.mp3", m.hash));
    }

    fn padded(bytes: &[u8]) -> Vec<u8> {
        let mut v = bytes.to_vec();
        v.resize(64, 0);
        v
    }

    #[test]
    fn files_are_told_by_their_bytes_not_their_names() {
        let kind = |b: &[u8]| sniff(&padded(b)).map(|s| (s.kind, s.ext));
        assert_eq!(
            kind(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some((MediaKind::Image, "jpg"))
        );
        assert_eq!(kind(b"\x89PNG\r\n\x1a\n"), Some((MediaKind::Image, "png")));
        assert_eq!(
            kind(b"RIFF\0\0\0\0WEBPVP8 "),
            Some((MediaKind::Image, "webp"))
        );
        assert_eq!(kind(b"ID3\x04"), Some((MediaKind::Audio, "mp3")));
        assert_eq!(kind(b"\0\0\0\x20ftypM4A "), Some((MediaKind::Audio, "m4a")));
        assert_eq!(kind(b"\0\0\0\x20ftypisom"), Some((MediaKind::Video, "mp4")));
        assert_eq!(
            kind(&[0x1A, 0x45, 0xDF, 0xA3]),
            Some((MediaKind::Video, "webm"))
        );
        assert_eq!(kind(b"%PDF-1.7"), Some((MediaKind::File, "pdf")));
        assert_eq!(kind(b"<svg onload=alert(1)>"), None, "SVG can carry script");
        assert_eq!(kind(b"<html><script>"), None);
        assert_eq!(kind(b"MZ\x90\0"), None, "programs are not accepted");
    }

    #[test]
    fn addresses_round_trip_and_names_are_made_safe() {
        let hash = "a".repeat(64);
        assert_eq!(
            parse_file_name(&format!("{hash}-w640.jpg")),
            Some((hash.clone(), Some(640), "jpg".into()))
        );
        assert_eq!(
            parse_file_name(&format!("{hash}.mp3")),
            Some((hash, None, "mp3".into()))
        );
        assert_eq!(parse_file_name("../../etc/passwd"), None);
        assert_eq!(parse_file_name(&format!("{}.jpg", "g".repeat(64))), None);
        assert_eq!(
            clean_name("C:\\Users\\me\\report \"final\".pdf"),
            "report final.pdf"
        );
        assert_eq!(clean_name("a\u{0}b<script>.pdf"), "abscript.pdf");
        assert_eq!(clean_name("../../.."), "file");
        assert_eq!(human_size(2_500_000), "2.4 MB");
    }
}
