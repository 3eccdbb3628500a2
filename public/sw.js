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
// - Exports and downloads (JSON, CSV) and the server functions' POSTs are never kept.

const CACHE = 'shuzhai-offline-v1';
const SHELL = ['/pkg/shuzhai.js', '/pkg/shuzhai.wasm', '/pkg/shuzhai.css', '/icon.svg', '/manifest.webmanifest'];
// POSTs after which nothing kept may stay: someone else may use the device next, or what
// was bought is no longer theirs.
const FORGET_AFTER = ['/api/sign_in', '/api/sign_out', '/api/sign_out_everywhere', '/api/delete_account', '/api/refund_order'];
const NEVER_KEEP = [/^\/account\/export\.json/, /\.csv$/, /^\/webhooks\//, /^\/healthz/];
const ACCESS_UNTIL = 'x-shuzhai-access-until';
let lastSweep = 0;

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
