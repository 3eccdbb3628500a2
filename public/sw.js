// Shuzhai's service worker: what makes the store readable offline.
//
// - Every same-origin GET goes to the network first; a good answer (200) is kept in a
//   cache, and when the network fails the kept copy is served. So the app shell, the
//   catalogue pages visited, the library and every text opened in the reader (or saved with
//   "Download for offline") open again without a connection.
// - A page that was never kept gets a short page saying the device is offline.
// - What is kept belongs to the person signed in: signing in, signing out, deleting the
//   account or refunding an order empties the cache first (signing out also answers with
//   Clear-Site-Data, which removes this worker too), and a kept page the server now refuses
//   (401, 403, 404 — a refund, an expired membership) is forgotten.
// - Paid content opened through a membership comes with `x-shuzhai-access-until` (a Unix
//   second): once that moment has passed, the kept copy is deleted and never served, even
//   offline. Every kept copy is checked at most once a minute, whenever the store is used.
// - Uploaded files (`/media/<hash>…`) are named by the hash of their bytes, so a kept copy
//   never goes stale: the audio, video and pictures saved with "Download for offline" are
//   played from the device first, in the byte ranges a player asks for, with or without a
//   connection. Whether the person may still open a file is asked beside it (at most once
//   a minute per file), and a copy the server now refuses is deleted.
// - Exports and downloads (JSON, CSV) and the server functions' POSTs are never kept.

const CACHE = 'shuzhai-offline-v1';
const SHELL = ['/pkg/shuzhai.js', '/pkg/shuzhai.wasm', '/pkg/shuzhai.css', '/icon.svg', '/manifest.webmanifest'];
// POSTs after which nothing kept may stay: someone else may use the device next, or what
// was bought is no longer theirs.
const FORGET_AFTER = ['/api/sign_in', '/api/sign_out', '/api/sign_out_everywhere', '/api/delete_account', '/api/refund_order'];
const NEVER_KEEP = [/^\/account\/export\.json/, /\.csv$/, /^\/webhooks\//, /^\/healthz/];
const ACCESS_UNTIL = 'x-shuzhai-access-until';
// An uploaded file: its hash, and for a picture the width of a smaller copy.
const MEDIA = /^\/media\/([0-9a-f]{64})(?:-w\d+)?\.[a-z0-9]+$/;
let lastSweep = 0;
// When each kept file's access was last asked about (URL → milliseconds).
const rechecked = new Map();

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((c) => c.addAll(SHELL))
      .catch(() => undefined)
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('shuzhai-offline-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// The page asks: forget everything kept (for example after a sign-out it saw).
self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'forget') {
    event.waitUntil(caches.delete(CACHE));
  }
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === 'POST' && FORGET_AFTER.includes(url.pathname)) {
    event.respondWith(caches.delete(CACHE).then(() => fetch(request)));
    return;
  }
  if (Date.now() - lastSweep > 60_000) {
    lastSweep = Date.now();
    event.waitUntil(sweep());
  }
  if (request.method !== 'GET' || NEVER_KEEP.some((r) => r.test(url.pathname))) return;
  if (MEDIA.test(url.pathname)) {
    event.respondWith(media(event, request, url));
    return;
  }
  event.respondWith(networkFirst(event, request));
});

// Whether a kept copy came with a membership that has ended since.
function ended(response) {
  const until = Number(response.headers.get(ACCESS_UNTIL));
  return until > 0 && Date.now() >= until * 1000;
}

// Deletes every kept copy whose membership has ended.
async function sweep() {
  try {
    const cache = await caches.open(CACHE);
    for (const request of await cache.keys()) {
      const kept = await cache.match(request);
      if (kept && ended(kept)) await cache.delete(request);
    }
  } catch (_) {
    // Checked again on the next request.
  }
}

// The answer goes to the page at once; keeping a copy happens beside it (the worker stays
// alive for it through waitUntil), so a large file such as the wasm is never held back
// until it has been written to the cache.
async function networkFirst(event, request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.status === 200 && response.type === 'basic') {
      event.waitUntil(keep(cache, request, response.clone()));
    } else if ([401, 403, 404].includes(response.status)) {
      event.waitUntil(cache.delete(request));
    }
    return response;
  } catch (offline) {
    const kept = await cache.match(request);
    if (kept && ended(kept)) {
      await cache.delete(request);
      if (request.mode === 'navigate') return offlinePage(true);
      return new Response('The membership that opened this has ended.', { status: 403 });
    }
    if (kept) return kept;
    if (request.mode === 'navigate') return offlinePage(false);
    throw offline;
  }
}

// An uploaded file: from the device if a copy is kept (cut to the range asked for), else
// from the network. A picture's copy is kept as the page shows it; a file the page itself
// fetches to save for offline (`destination` empty) is kept by the page, not twice here.
// With no connection, a picture of another width kept for the same file stands in.
async function media(event, request, url) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(url.href);
  if (kept && ended(kept)) {
    await cache.delete(url.href);
    return new Response('The membership that opened this has ended.', { status: 403 });
  }
  if (kept) {
    event.waitUntil(recheck(cache, url.href));
    return ranged(request, kept);
  }
  let response;
  try {
    response = await fetch(request);
  } catch (offline) {
    const other = await samePicture(cache, url);
    if (other) return ranged(request, other);
    throw offline;
  }
  if (response.status === 200 && response.type === 'basic' && request.destination !== '') {
    event.waitUntil(keep(cache, request, response.clone()));
  }
  return response;
}

// Asks the server, at most once a minute per file, whether the person may still open a
// kept file, and deletes the copy if not (a refund or a removal seen on another device).
async function recheck(cache, href) {
  if (Date.now() - (rechecked.get(href) ?? 0) < 60_000) return;
  rechecked.set(href, Date.now());
  try {
    const answer = await fetch(href, { method: 'HEAD' });
    if ([401, 403, 404].includes(answer.status)) await cache.delete(href);
  } catch (_) {
    // No connection: asked again next time.
  }
}

// Another kept copy of the picture `url` names (the file itself or a smaller copy).
async function samePicture(cache, url) {
  const hash = MEDIA.exec(url.pathname)?.[1];
  for (const key of await cache.keys()) {
    if (MEDIA.exec(new URL(key.url).pathname)?.[1] !== hash) continue;
    const other = await cache.match(key);
    if (other && !ended(other)) return other;
  }
  return undefined;
}

// The kept whole file `kept` as an answer to `request`: all of it, or the part its Range
// header asks for (`bytes=a-b`, `bytes=a-`, `bytes=-n`) as 206 Partial Content; a range
// past the end is 416, as a server would answer. `x-shuzhai-source: device` says where it
// came from (the browser tests look for it).
async function ranged(request, kept) {
  const range = request.headers.get('range');
  const body = await kept.blob();
  const headers = new Headers(kept.headers);
  headers.set('x-shuzhai-source', 'device');
  if (!range) return new Response(body, { status: 200, headers });
  const size = body.size;
  const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  let start = NaN;
  let end = size - 1;
  if (m && m[1] !== '') {
    start = Number(m[1]);
    if (m[2] !== '') end = Math.min(Number(m[2]), size - 1);
  } else if (m && m[2] !== '') {
    start = Math.max(0, size - Number(m[2]));
  }
  if (!(start <= end)) {
    return new Response(null, { status: 416, headers: { 'Content-Range': `bytes */${size}`, 'x-shuzhai-source': 'device' } });
  }
  headers.set('Content-Range', `bytes ${start}-${end}/${size}`);
  headers.set('Content-Length', String(end - start + 1));
  headers.set('Accept-Ranges', 'bytes');
  return new Response(body.slice(start, end + 1), { status: 206, statusText: 'Partial Content', headers });
}

// Keeps a copy of a good answer, unless the copy kept already is the same file (same
// ETag): the bundle is several megabytes, and rewriting it on every page would cost the
// phone's storage for nothing.
async function keep(cache, request, response) {
  try {
    const tag = response.headers.get('etag');
    if (tag) {
      const kept = await cache.match(request);
      if (kept && kept.headers.get('etag') === tag) {
        // Let go of the copy unread, so that it is not held in memory.
        if (response.body) await response.body.cancel();
        return;
      }
    }
    await cache.put(request, response);
  } catch (_) {
    // A full device keeps what it had.
  }
}

// The page for a navigation that cannot be answered offline: never kept, or (`ended`)
// kept under a membership that has ended since.
function offlinePage(ended) {
  const why = ended
    ? `<p data-testid="membership-ended">This page came with a membership that has ended, so it was removed
from this device. Renew the membership when you are online to read it again.</p>
<p>此页面来自已到期的会员，已从本设备删除。联网后续订会员即可再次阅读。</p>`
    : `<p>This page was not saved on this device. Pages you opened before, your library and the
texts you downloaded for offline reading are still here.</p>
<p>此页面没有保存在本设备上。之前打开过的页面、您的书架和已下载的内容仍可离线阅读。</p>`;
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Offline · Shuzhai 书斋</title><link rel="stylesheet" href="/pkg/shuzhai.css"></head>
<body><main class="offline-page" data-testid="offline-page">
<h1>You are offline · 您已离线</h1>
${why}
<p><a href="/library">Your library · 我的书架</a></p>
</main></body></html>`;
  return new Response(html, { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
}
