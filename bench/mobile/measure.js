// The item page and an offline reopen on a throttled phone profile, in Debian's Chromium:
// 4× CPU slowdown and the "slow 4G" network of Chrome DevTools / Lighthouse (562.5 ms
// round trip, 1.47 Mbit/s down, 675 kbit/s up), a 390×844 screen. Every run is a fresh
// browser context (cold HTTP cache). Prints the median and worst of each figure.
//
// Usage: node bench/mobile/measure.js BASE_URL [runs]   (bench/mobile/run starts the store)
const { chromium } = require('@playwright/test');

const base = process.argv[2] || 'http://127.0.0.1:3000';
const runs = Number(process.argv[3] || 5);
const SLOW_4G = { offline: false, latency: 562.5, downloadThroughput: (1.6384 * 1e6 * 0.9) / 8, uploadThroughput: (0.75 * 1e6 * 0.9) / 8 };
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

// Recorded in the page from its first byte: LCP candidates and the moment the app hydrated.
const PROBE = () => {
  window.__lcp = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__lcp = e.startTime;
  }).observe({ type: 'largest-contentful-paint', buffered: true });
  // The script runs before <html> exists: watch the whole document for the attribute.
  new MutationObserver((_, obs) => {
    if (document.documentElement && document.documentElement.hasAttribute('data-hydrated')) {
      window.__hydrated = performance.now();
      obs.disconnect();
    }
  }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-hydrated'] });
};

async function throttle(context, page, network) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  if (network) {
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
  }
  return cdp;
}

async function itemPage(browser, path) {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await page.addInitScript(PROBE);
  const cdp = await throttle(context, page, true);
  let bytes = 0;
  cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
  const started = Date.now();
  await page.goto(base + path, { waitUntil: 'commit', timeout: 120_000 });
  const commit = Date.now() - started;
  await page.waitForLoadState('load', { timeout: 120_000 });
  await page.waitForFunction(() => window.__hydrated, null, { timeout: 120_000 });
  // LCP is final once the page has been interacted with or hidden; a short settle suffices here.
  await page.waitForTimeout(300);
  const t = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    return { origin: performance.timeOrigin, ttfb: nav.responseStart, lcp: window.__lcp, hydrated: window.__hydrated, load: nav.loadEventEnd };
  });
  // Navigation timing starts after Chromium's emulated latency; measured from the moment
  // the page was asked for (this machine's clock), the figures include it.
  const shift = t.origin - started;
  t.lcpTap = t.lcp + shift;
  t.hydratedTap = t.hydrated + shift;
  await context.close();
  return { ...t, commit, bytes };
}

async function offlineReopen(browser, email, password) {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await page.goto(base + '/signin');
  await page.waitForSelector('html[data-hydrated]', { state: 'attached' });
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/signin')), page.click('main form button[type=submit]')]);
  await page.goto(base + '/library');
  const read = await page.locator('[data-testid=library] a[href^="/read/"]').first().getAttribute('href');
  await page.goto(base + read);
  await page.waitForSelector('html[data-hydrated]', { state: 'attached' });
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => !!navigator.serviceWorker.controller);
  await page.click('[data-testid=offline-save] button');
  await page.waitForSelector('[data-testid=offline-ready]', { timeout: 120_000 });
  await context.setOffline(true);
  await throttle(context, page, false);
  const started = Date.now();
  await page.reload({ waitUntil: 'commit' });
  await page.waitForSelector('[data-testid=reader] p', { state: 'visible' });
  const text = Date.now() - started;
  await page.waitForSelector('html[data-hydrated]', { state: 'attached' });
  const hydrated = Date.now() - started;
  await context.close();
  return { text, hydrated };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const max = (xs) => Math.max(...xs);
const ms = (x) => `${Math.round(x)} ms`;

(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const catalog = await (await fetch(base + '/api/catalog?query%5Bprice%5D=paid')).json();
  const path = `/item/${catalog.items[0].slug}`;
  console.log(`profile: 4x CPU slowdown, slow 4G (562.5 ms RTT, 1.47 Mbit/s down), 390x844; ${runs} cold runs each`);
  const items = [];
  for (let i = 0; i < runs; i++) items.push(await itemPage(browser, path));
  for (const [name, key] of [
    ['TTFB (navigation timing)', 'ttfb'],
    ['first byte, from the request', 'commit'],
    ['LCP (navigation timing)', 'lcp'],
    ['LCP, from the request', 'lcpTap'],
    ['load event', 'load'],
    ['hydrated, from the request', 'hydratedTap'],
  ]) {
    const xs = items.map((r) => r[key]);
    console.log(`item page ${path}: ${name.padEnd(30)} median ${ms(median(xs))}, worst ${ms(max(xs))}`);
  }
  console.log(`item page: ${median(items.map((r) => r.bytes))} bytes over the wire (encoded, all requests until hydrated)`);
  const offline = [];
  for (let i = 0; i < Math.min(runs, 3); i++) {
    offline.push(await offlineReopen(browser, `learner00${61 + i}@demo.shuzhai.local`, 'demo-learner-password'));
  }
  console.log(`offline reopen of a downloaded item (4x CPU): text median ${ms(median(offline.map((r) => r.text)))}, worst ${ms(max(offline.map((r) => r.text)))}; hydrated median ${ms(median(offline.map((r) => r.hydrated)))}`);
  await browser.close();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
