//! Uploads through the real router: files told by their bytes (not their names), size
//! limits per kind, pictures that would unpack too large refused before unpacking, smaller
//! copies of images, the same bytes kept once, range requests for audio, and the paywall:
//! files in a paid body reach only those who may read it, files in the free preview
//! everyone (cached for a year).

use crate::common;

use common::shop::{buy, learner, paid_items};
use common::uploads::{png, upload};
use common::{app, signed_in, Browser, Reply};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A tiny PNG whose header claims 30,000 × 30,000 pixels: unpacked it would need gigabytes.
fn png_bomb() -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(30_000u32.to_be_bytes());
    ihdr.extend(30_000u32.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    out.extend(13u32.to_be_bytes());
    out.extend(&ihdr);
    out.extend(crc32(&ihdr).to_be_bytes());
    // An image data chunk of a few bytes (an empty compressed stream).
    let idat = [
        b"IDAT".as_slice(),
        &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ]
    .concat();
    out.extend(8u32.to_be_bytes());
    out.extend(&idat);
    out.extend(crc32(&idat).to_be_bytes());
    out.extend(0u32.to_be_bytes());
    out.extend(b"IEND");
    out.extend(crc32(b"IEND").to_be_bytes());
    out
}

fn mp3(seconds: usize) -> Vec<u8> {
    let mut bytes = b"ID3\x04\x00\x00\x00\x00\x00\x00".to_vec();
    bytes.extend((0..seconds * 4_000).map(|i| (i % 251) as u8));
    bytes
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn uploads_are_told_by_their_bytes_limited_per_kind_and_kept_once() {
    let app = app();
    // Maya Chen reads the store in English: the refusals below are quoted in English.
    let creator = signed_in(app, "c2").await;
    let picture = png(800, 600);
    let r = upload(&creator, "image", "cover.png", picture.clone()).await;
    assert_eq!(r.status, 201, "{r:?}");
    let m: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(m["hash"], hex(&picture));
    assert_eq!(m["kind"], "image");
    assert_eq!(m["ext"], "png");
    assert_eq!(m["width"], 800);
    assert_eq!(m["height"], 600);
    assert_eq!(m["widths"], json!([320, 640]));
    // The same bytes again: the same file.
    let again = upload(&creator, "image", "copy.png", picture.clone()).await;
    assert_eq!(again.status, 201);
    assert_eq!(
        serde_json::from_str::<Value>(&again.body).unwrap()["hash"],
        m["hash"]
    );
    // Its smaller copy is an image 320 pixels wide; nobody but its uploader sees either yet.
    let hash = m["hash"].as_str().unwrap();
    let small = creator.get_bytes(&format!("/media/{hash}-w320.png")).await;
    let decoded = image::load_from_memory(&small).unwrap();
    assert_eq!(decoded.width(), 320);
    assert_eq!(
        Browser::new(app)
            .get(&format!("/media/{hash}.png"))
            .await
            .status,
        404
    );
    let own = creator.get(&format!("/media/{hash}.png")).await;
    assert_eq!(own.status, 200);
    assert_eq!(own.header("content-type"), "image/png");
    assert!(own.header("cache-control").starts_with("private"));

    // Bad uploads, each with its reason.
    let cases: Vec<(&str, &str, Vec<u8>, u16, &str)> = vec![
        (
            "image",
            "photo.jpg",
            b"<html><script>alert(1)</script></html>".to_vec(),
            415,
            "contents say so",
        ),
        (
            "image",
            "photo.svg",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_vec(),
            415,
            "not a JPEG",
        ),
        (
            "image",
            "book.jpg",
            b"%PDF-1.7\n...".to_vec(),
            415,
            "add it as file",
        ),
        ("image", "bomb.png", png_bomb(), 422, "million pixels"),
        (
            "image",
            "broken.jpg",
            [vec![0xFF, 0xD8, 0xFF, 0xE0], vec![7; 500]].concat(),
            422,
            "cannot be read",
        ),
        (
            "sound",
            "x.mp3",
            mp3(1),
            400,
            "image, audio, video or a file",
        ),
        ("file", "empty.pdf", Vec::new(), 400, "empty"),
    ];
    // A file over the limit is refused from its declared length, before its bytes are
    // read. (Sent by hand: the store answers and closes while a client would still be
    // writing the rest, which an ordinary client reports as a broken pipe.)
    let answer = declared_upload(app, &creator, 10 * 1024 * 1024 + 4).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("at most 10.0 MB"), "{answer}");
    for (kind, name, bytes, status, says) in cases {
        let r = upload(&creator, kind, name, bytes).await;
        assert_eq!(r.status, status, "{name}: {r:?}");
        assert!(r.body.contains(says), "{name}: {}", r.body);
    }
    // Only creators and admins upload.
    let (learner_b, _) = learner(app).await;
    assert_eq!(
        upload(&learner_b, "image", "a.png", png(10, 10))
            .await
            .status,
        403
    );
    assert_eq!(
        upload(&Browser::new(app), "image", "a.png", png(10, 10))
            .await
            .status,
        401
    );
    // A name is shown, never used as a path.
    let pdf = b"%PDF-1.4\n% a small document\n".to_vec();
    let r = upload(
        &creator,
        "file",
        "..%2F..%2Fetc%2Fpasswd%22.pdf",
        pdf.clone(),
    )
    .await;
    assert_eq!(r.status, 201, "{r:?}");
    let f: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(f["name"], "passwd.pdf");
    let got = creator
        .get(&format!("/media/{}.pdf", f["hash"].as_str().unwrap()))
        .await;
    assert_eq!(got.header("content-type"), "application/pdf");
    assert!(got
        .header("content-disposition")
        .starts_with("attachment; filename=\"passwd.pdf\""));
    for bad in [
        "../../etc/passwd",
        "x.png",
        &format!("{hash}.jpg"),
        &format!("{hash}-w999.png"),
    ] {
        assert_eq!(
            creator.get(&format!("/media/{bad}")).await.status,
            404,
            "{bad}"
        );
    }
}

#[tokio::test]
async fn files_in_a_paid_body_reach_only_those_who_may_read_it() {
    let app = app();
    let slug = paid_items(&app.db, "c3").await[12].0.clone();
    let creator = signed_in(app, "c3").await;
    let picture = png(300, 200);
    let audio = mp3(20);
    let img: Value =
        serde_json::from_str(&upload(&creator, "image", "diagram.png", picture).await.body)
            .unwrap();
    let snd: Value = serde_json::from_str(
        &upload(&creator, "audio", "lecture.mp3", audio.clone())
            .await
            .body,
    )
    .unwrap();
    let r = creator
        .call_json("/api/editor_open", &json!({ "slug": slug }))
        .await;
    let d: Value = serde_json::from_str(&r.body).unwrap();
    let mut doc = d["doc"].clone();
    doc["preview"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "kind": "media", "text": "How the parts fit", "items": [], "media": img }));
    doc["body"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "kind": "media", "text": "Lecture 1", "items": [], "media": snd }));
    let r = creator
        .call_json(
            "/api/editor_save",
            &json!({ "slug": slug, "base": d["revision"], "doc": doc }),
        )
        .await;
    let saved: Value = serde_json::from_str(&r.body).unwrap();
    let rev = saved["Saved"]["revision"]
        .as_i64()
        .unwrap_or_else(|| panic!("{saved}"));
    let r = creator
        .call_json(
            "/api/editor_publish",
            &json!({ "slug": slug, "revision": rev }),
        )
        .await;
    assert_eq!(r.status, 200, "{r:?}");

    let img_url = format!("/media/{}.png", img["hash"].as_str().unwrap());
    let snd_url = format!("/media/{}.mp3", snd["hash"].as_str().unwrap());
    let visitor = Browser::new(app);
    let page = visitor.get(&format!("/item/{slug}")).await;
    assert!(
        page.body.contains(&format!("src=\"{img_url}\"")),
        "the preview's image is on the page"
    );
    assert!(page.body.contains("alt=\"How the parts fit\""));
    assert!(
        !page.body.contains(&snd_url),
        "the paid audio's address is not"
    );
    let free = visitor.get(&img_url).await;
    assert_eq!(free.status, 200);
    assert_eq!(
        free.header("cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(visitor.get(&snd_url).await.status, 404);
    let (stranger, _) = learner(app).await;
    assert_eq!(stranger.get(&snd_url).await.status, 404);
    // What a device that kept the file asks before it goes on playing it.
    assert_eq!(stranger.head(&snd_url).await.status, 404);

    // A buyer gets it, in ranges (how players seek).
    let (buyer, _) = learner(app).await;
    buy(&buyer, &slug, "media-buy-0001").await;
    let whole = buyer.get(&snd_url).await;
    assert_eq!(whole.status, 200);
    assert_eq!(whole.header("content-type"), "audio/mpeg");
    assert!(whole.header("cache-control").starts_with("private"));
    let asked = buyer.head(&snd_url).await;
    assert_eq!(asked.status, 200, "{asked:?}");
    assert_eq!(asked.header("content-length"), audio.len().to_string());
    assert!(asked.body.is_empty());
    let part = buyer.get_with(&snd_url, &[("range", "bytes=0-9")]).await;
    assert_eq!(part.status, 206, "{part:?}");
    assert_eq!(
        part.header("content-range"),
        format!("bytes 0-9/{}", audio.len())
    );
    assert_eq!(part.header("content-length"), "10");

    // Another store's file, or one the store does not have, cannot be put on a page.
    let other = signed_in(app, "c2").await;
    let theirs = paid_items(&app.db, "c2").await[12].0.clone();
    let r = other
        .call_json("/api/editor_open", &json!({ "slug": theirs }))
        .await;
    let d: Value = serde_json::from_str(&r.body).unwrap();
    let mut doc = d["doc"].clone();
    doc["preview"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "kind": "media", "text": "", "items": [], "media": snd }));
    let r = other
        .call_json(
            "/api/editor_save",
            &json!({ "slug": theirs, "base": d["revision"], "doc": doc }),
        )
        .await;
    assert_eq!(r.status, 400, "{r:?}");
    assert!(r.body.contains("another store"), "{}", r.body);
    let mut unknown = snd.clone();
    unknown["hash"] = json!("0".repeat(64));
    doc["preview"].as_array_mut().unwrap().pop();
    doc["preview"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "kind": "media", "text": "", "items": [], "media": unknown }));
    let r = other
        .call_json(
            "/api/editor_save",
            &json!({ "slug": theirs, "base": d["revision"], "doc": doc }),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("not in the store"), "{}", r.body);
}

/// Sends the headers of an image upload that declares `len` bytes and the first four bytes
/// of a JPEG, then reads what the store answers.
async fn declared_upload(app: &common::TestApp, b: &Browser, len: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /studio/media?kind=image&name=huge.jpg HTTP/1.1\r\nHost: {addr}\r\nCookie: {}\r\n\
         Sec-Fetch-Site: same-origin\r\nAccept: application/json\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: {len}\r\n\r\n",
        b.cookie_header()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(&[0xFF, 0xD8, 0xFF, 0xE0]).await.unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&answer).contains("MB") {
        match s.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

async fn put_piece(b: &Browser, id: &str, offset: usize, bytes: &[u8]) -> Reply {
    b.send_bytes(
        reqwest::Method::PUT,
        &format!("/studio/uploads/{id}?offset={offset}"),
        "application/octet-stream",
        bytes.to_vec(),
    )
    .await
}

fn received(r: &Reply) -> u64 {
    serde_json::from_str::<Value>(&r.body).unwrap()["received"]
        .as_u64()
        .unwrap_or_else(|| panic!("no count in {r:?}"))
}

#[tokio::test]
async fn large_files_go_in_pieces_and_resume_where_the_store_has_them() {
    let app = app();
    let creator = signed_in(app, "c3").await;
    let audio = mp3(200); // 800 KB
    let size = audio.len();
    let r = creator
        .post_bytes(
            &format!("/studio/uploads?kind=audio&name=lecture.mp3&size={size}"),
            "application/octet-stream",
            Vec::new(),
        )
        .await;
    assert_eq!(r.status, 201, "{r:?}");
    let id = serde_json::from_str::<Value>(&r.body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(id.len(), 32);

    // The first piece arrives; sent again (its answer was lost), it is not added twice.
    let third = size / 3;
    let r = put_piece(&creator, &id, 0, &audio[..third]).await;
    assert_eq!((r.status, received(&r)), (200, third as u64), "{r:?}");
    let r = put_piece(&creator, &id, 0, &audio[..third]).await;
    assert_eq!((r.status, received(&r)), (409, third as u64), "{r:?}");
    // After a dropped connection the editor asks where the file stands.
    let r = creator.fetch(&format!("/studio/uploads/{id}")).await;
    assert_eq!(received(&r), third as u64);
    // Nobody else sees or adds to it.
    let other = signed_in(app, "c2").await;
    assert_eq!(
        other.fetch(&format!("/studio/uploads/{id}")).await.status,
        404
    );
    assert_eq!(
        put_piece(&other, &id, third, &audio[third..]).await.status,
        404
    );
    // Finishing early is refused with the count; then the rest, and it is kept whole.
    let r = creator
        .post_bytes(
            &format!("/studio/uploads/{id}/finish"),
            "application/octet-stream",
            Vec::new(),
        )
        .await;
    assert_eq!((r.status, received(&r)), (409, third as u64));
    let r = put_piece(&creator, &id, third, &audio[third..]).await;
    assert_eq!(received(&r), size as u64);
    let r = creator
        .post_bytes(
            &format!("/studio/uploads/{id}/finish"),
            "application/octet-stream",
            Vec::new(),
        )
        .await;
    assert_eq!(r.status, 201, "{r:?}");
    let m: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(m["hash"], hex(&audio));
    assert_eq!(
        (m["kind"].as_str(), m["size"].as_u64()),
        (Some("audio"), Some(size as u64))
    );
    assert_eq!(
        creator
            .get_bytes(&format!("/media/{}.mp3", m["hash"].as_str().unwrap()))
            .await,
        audio
    );
    // Done with: its pieces are gone.
    assert_eq!(
        creator.fetch(&format!("/studio/uploads/{id}")).await.status,
        404
    );

    // Refused: over the kind's limit before a byte is sent; more bytes than announced; a
    // file whose bytes are not what it claims to be (told when it is finished).
    let r = creator
        .post_bytes(
            "/studio/uploads?kind=image&name=huge.png&size=20000000",
            "application/octet-stream",
            Vec::new(),
        )
        .await;
    assert_eq!(r.status, 413, "{r:?}");
    let start = |name: &str, size: usize| {
        let path = format!("/studio/uploads?kind=image&name={name}&size={size}");
        let b = &creator;
        async move {
            let r = b
                .post_bytes(&path, "application/octet-stream", Vec::new())
                .await;
            serde_json::from_str::<Value>(&r.body).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let id = start("a.png", 10).await;
    assert_eq!(put_piece(&creator, &id, 0, &[0u8; 11]).await.status, 400);
    let id = start("fake.png", 1_000).await;
    put_piece(&creator, &id, 0, &[b'x'; 1_000]).await;
    let r = creator
        .post_bytes(
            &format!("/studio/uploads/{id}/finish"),
            "application/octet-stream",
            Vec::new(),
        )
        .await;
    assert_eq!(r.status, 415, "{r:?}");
    // Learners and visitors do not upload.
    let (learner_b, _) = learner(app).await;
    let path = "/studio/uploads?kind=image&name=a.png&size=10";
    assert_eq!(
        learner_b
            .post_bytes(path, "application/octet-stream", Vec::new())
            .await
            .status,
        403
    );
    assert_eq!(
        Browser::new(app)
            .post_bytes(path, "application/octet-stream", Vec::new())
            .await
            .status,
        401
    );
}
