import { test, expect, Page } from '@playwright/test';
import { hydrated, publishWhenSaved, signInAs, watchConsole, wav } from './support';

const LEARNER = 'learner0036@demo.shuzhai.local';
const PASSWORD = 'demo-learner-password';
const SYNCED = /Position saved to your account|阅读位置已同步/;

// Scrolls the reader to `share` of the page's height, as a reader's thumb would.
async function scrollTo(page: Page, share: number) {
  await page.evaluate((s) => {
    window.scrollTo(0, (document.documentElement.scrollHeight - window.innerHeight) * s);
    window.dispatchEvent(new Event('scroll'));
  }, share);
}

// Adds the first free item of `kind` to the library and opens it in the reader; its title.
async function claimAndRead(page: Page, kind: string): Promise<string> {
  await page.goto(`/catalog?price=free&kind=${kind}`);
  const link = page.locator('article.card .card-title a').first();
  const title = (await link.textContent())!.trim();
  await link.click();
  await hydrated(page);
  await page.getByRole('button', { name: /Add to library — free|免费加入书架/ }).click();
  await expect(page.getByText(/✓ (In your library|已在您的书架中)/)).toBeVisible();
  await page.getByTestId('open-reader').click();
  // The reader's code arrives with it (a wasm file of its own): wait for its text.
  await page.waitForURL(/\/read\//);
  await expect(page.locator('#reader-blocks > p').first()).toBeVisible();
  return title;
}

// Selects the first `n` characters of the reader's first paragraph, as a finger would.
async function selectStart(page: Page, n: number): Promise<string> {
  return page.evaluate((len) => {
    const p = document.querySelector('#reader-blocks > p')!;
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    const text = walker.nextNode()!;
    const range = document.createRange();
    range.setStart(text, 0);
    range.setEnd(text, Math.min(len, text.textContent!.length));
    const sel = getSelection()!;
    sel.removeAllRanges();
    sel.addRange(range);
    return range.toString();
  }, n);
}

// The learner's notes on `slug` as the account keeps them.
async function accountNotes(page: Page, slug: string): Promise<{ id: string; kind: string; text: string; quote: string }[]> {
  const r = await page.request.get(`/api/reader?slug=${slug}`, { headers: { Accept: 'application/json' } });
  return (await r.json()).notes;
}

test.use({ viewport: { width: 390, height: 640 } });

test('the reader keeps its settings on the device and the place on every device', async ({ page, browser }) => {
  test.setTimeout(90_000);
  const errors = watchConsole(page);
  await signInAs(page, LEARNER, PASSWORD);

  // A free article goes into the library and opens in the reader.
  const title = await claimAndRead(page, 'article');
  await expect(page).toHaveURL(/\/read\//);
  await hydrated(page);
  const reader = page.getByTestId('reader');
  await expect(reader.getByRole('heading', { level: 1 })).toHaveText(title);

  // Larger type and a sepia page, remembered after a reload.
  const sizeOf = () => reader.evaluate((el) => getComputedStyle(el.querySelector('.reader-text')!).fontSize);
  const before = await sizeOf();
  await page.getByRole('button', { name: /Larger text|放大字号/ }).click();
  await expect.poll(async () => parseFloat(await sizeOf())).toBeGreaterThan(parseFloat(before));
  await page.getByRole('button', { name: /Sepia|护眼/ }).click();
  await expect(reader).toHaveClass(/theme-sepia/);

  // Read most of the way: the place goes to the account.
  await scrollTo(page, 0.7);
  await expect(page.getByTestId('reader-sync')).toHaveText(SYNCED);
  const percent = await page.getByTestId('reader-percent').textContent();
  expect(parseInt(percent!)).toBeGreaterThan(40);
  const url = page.url();

  await page.reload();
  await hydrated(page);
  await expect(reader).toHaveClass(/theme-sepia/);
  await expect.poll(async () => parseFloat(await sizeOf())).toBeGreaterThan(parseFloat(before));

  // Another device (a fresh browser, nothing stored): it opens at the same place.
  const laptop = await browser.newContext({ viewport: { width: 390, height: 640 } });
  const other = await laptop.newPage();
  await signInAs(other, LEARNER, PASSWORD);
  await other.goto(url);
  await hydrated(other);
  await expect.poll(() => other.evaluate(() => window.scrollY)).toBeGreaterThan(300);
  await expect.poll(async () => parseInt((await other.getByTestId('reader-percent').textContent()) || '0')).toBeGreaterThan(40);
  await expect(other.getByTestId('reader')).not.toHaveClass(/theme-sepia/);

  // The library shows how far and continues there.
  await other.goto('/library?sort=read');
  await hydrated(other);
  const row = other.getByTestId('library').locator('li').first();
  await expect(row).toContainText(title);
  await expect(row.locator('progress')).toBeVisible();
  // ("Read again" when the short demo text was read to its end.)
  await row.getByRole('link', { name: /Continue|继续阅读|Read again|重读/ }).click();
  await expect(other).toHaveURL(url);
  await laptop.close();
  expect(errors).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });
  test('a free text is all there in the reader', async ({ page }) => {
    await page.goto('/catalog?price=free&kind=ebook');
    const href = await page.locator('article.card .card-title a').first().getAttribute('href');
    await page.goto(href!.replace('/item/', '/read/'));
    await expect(page.getByTestId('reader')).toContainText(/Reader's edition|读者版/);
    await expect(page.getByText(/Sign in to continue on your other devices|登录后可在其他设备上继续阅读/)).toBeVisible();
  });
});

test('a downloaded text opens offline, the place waits for the connection, and signing out removes it', async ({ page, context }) => {
  test.setTimeout(90_000);
  await signInAs(page, 'learner0035@demo.shuzhai.local', PASSWORD);
  const title = await claimAndRead(page, 'ebook');
  await hydrated(page);
  const readerUrl = page.url();
  // The service worker is in charge of the page before anything is saved.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);

  const save = page.getByTestId('offline-save');
  await save.getByRole('button', { name: /Download for offline|下载以离线阅读/ }).click();
  await expect(save.getByTestId('offline-ready')).toBeVisible();
  await expect(save).toContainText(/Stored on this device|本设备已用/);

  // Offline: the reader reloads from the device, says it is offline, and keeps the place.
  await context.setOffline(true);
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId('reader').getByRole('heading', { level: 1 })).toHaveText(title);
  await expect(page.getByTestId('offline-banner')).toBeVisible();
  await scrollTo(page, 0.6);
  await expect(page.getByTestId('reader-sync')).toHaveText(/Offline|离线/);
  // A page never opened says clearly that it is offline.
  await page.goto('/creator/no-such-creator-page');
  await expect(page.getByTestId('offline-page')).toBeVisible();
  await page.goto(readerUrl);
  await hydrated(page);

  // Still offline: select a passage and write a note. It is marked in the text and waits
  // on the device, also across a reload.
  const quote = await selectStart(page, 14);
  await page.getByTestId('note-bar').getByRole('button', { name: /Add note|写笔记/ }).click();
  await page.getByTestId('note-editor').getByLabel(/Your note|我的笔记/).fill('Written on the train 火车上写的');
  await page.getByRole('button', { name: /Save note|保存笔记/ }).click();
  await expect(page.locator('#reader-blocks mark.mark-note').first()).toHaveText(quote);
  await page.getByTestId('reader-notes').locator('summary').click();
  await expect(page.getByTestId('notes-sync')).toHaveText(/Kept on this device, sent when you are back online: 1|保存在本设备，联网后同步：1/);
  await page.reload();
  await hydrated(page);
  await expect(page.locator('#reader-blocks mark.mark-note').first()).toHaveText(quote);
  await page.getByTestId('reader-notes').locator('summary').click();
  await expect(page.getByTestId('note-entry')).toHaveCount(1);

  // Back online: the place and the note go to the account by themselves — the note once.
  await context.setOffline(false);
  await expect(page.getByTestId('reader-sync')).toHaveText(SYNCED);
  await expect(page.getByTestId('notes-sync')).toHaveText(/Saved to your account|已同步到你的账号/);
  const slug = readerUrl.split('/read/')[1];
  const onServer = await accountNotes(page, slug);
  expect(onServer.map((n) => [n.kind, n.text, n.quote])).toEqual([['note', 'Written on the train 火车上写的', quote]]);
  // A reload online sends nothing again and shows the one note.
  await page.reload();
  await hydrated(page);
  await expect(page.locator('#reader-blocks mark.mark-note')).toHaveCount(1);
  expect((await accountNotes(page, slug)).length).toBe(1);
  const kept = await (await page.request.get(`/api/reader?slug=${slug}`, { headers: { Accept: 'application/json' } })).json();
  expect(kept.position.fraction).toBeGreaterThan(0.3);

  // Signing out empties what the device kept (the server asks the browser to clear the
  // site's storage): offline, the text is gone.
  await page.goto('/account');
  await hydrated(page);
  await page.getByRole('button', { name: /^(Sign out|退出登录)$/ }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/account'));
  const kept2 = await page.evaluate(async (u) => {
    const names = await caches.keys();
    for (const n of names) if (await (await caches.open(n)).match(u)) return true;
    return false;
  }, readerUrl);
  expect(kept2).toBe(false);
  await context.setOffline(true);
  await page.goto(readerUrl).catch(() => undefined);
  await expect(page.locator('body')).not.toContainText(title);
  await context.setOffline(false);
});

test('a lecture downloaded for offline plays from the device, in the ranges the player asks for', async ({ page, context }) => {
  test.setTimeout(120_000);
  // An administrator may edit and read every item: a paid audio item gets a recording at
  // the end of its paid body.
  await signInAs(page, 'admin@demo.shuzhai.local', 'demo-admin-password');
  await page.goto('/catalog?kind=audio&price=paid&page=2');
  const href = (await page.locator('article.card .card-title a').first().getAttribute('href'))!;
  const slug = href.split('/item/')[1];
  await page.goto(`${href}?edit=1`);
  await expect(page.getByTestId('media-adder')).toBeVisible();
  await page.getByTestId('upload-audio').setInputFiles({ name: 'lecture.wav', mimeType: 'audio/wav', buffer: wav(60) });
  await expect(page.locator('.edit-block[data-kind="media"] audio.edit-media').last()).toBeAttached({ timeout: 20_000 });
  await publishWhenSaved(page);

  await page.goto(`/read/${slug}`);
  await hydrated(page);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
  const src = (await page.getByTestId('player').last().locator('audio').getAttribute('src'))!;
  expect(src).toMatch(/^\/media\/[0-9a-f]{64}\.wav$/);
  const save = page.getByTestId('offline-save');
  await save.getByRole('button', { name: /Download for offline|下载以离线阅读/ }).click();
  await expect(save.getByTestId('offline-ready')).toBeVisible({ timeout: 20_000 });
  // The recording is on the device, whole.
  const keptBytes = await page.evaluate(async (u) => (await (await caches.match(u))?.arrayBuffer())?.byteLength, src);
  expect(keptBytes).toBe(wav(60).length);

  // Offline, the reader opens from the device and the recording plays from it: the
  // service worker answers the player's requests with the parts it asks for.
  await context.setOffline(true);
  const fromDevice = page.waitForResponse((r) => r.url().endsWith(src) && r.status() === 206 && r.headers()['x-shuzhai-source'] === 'device', { timeout: 30_000 });
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId('offline-banner')).toBeVisible();
  const audio = page.getByTestId('player').last().locator('audio');
  await page.getByTestId('player').last().getByTestId('forward-15').click();
  await audio.evaluate((a: HTMLAudioElement) => a.play());
  const at = await audio.evaluate((a: HTMLAudioElement) => a.currentTime);
  await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.currentTime)).toBeGreaterThan(at + 1);
  await audio.evaluate((a: HTMLAudioElement) => a.pause());
  await fromDevice;
  // The ranges a server would give: a middle part, the last bytes, and past the end.
  const parts = await page.evaluate(async (u) => {
    const ask = async (range: string) => {
      const r = await fetch(u, { headers: { Range: range } });
      return [r.status, r.headers.get('content-range'), (await r.arrayBuffer()).byteLength, r.headers.get('x-shuzhai-source')];
    };
    return [await ask('bytes=40-49'), await ask('bytes=-4'), await ask('bytes=999999999-')];
  }, src);
  const size = wav(60).length;
  expect(parts).toEqual([
    [206, `bytes 40-49/${size}`, 10, 'device'],
    [206, `bytes ${size - 4}-${size - 1}/${size}`, 4, 'device'],
    [416, `bytes */${size}`, 0, 'device'],
  ]);
  await context.setOffline(false);
});

test('the store is installable: a manifest with icons, and a service worker in charge', async ({ page, request }) => {
  await page.goto('/');
  const href = await page.locator('link[rel=manifest]').getAttribute('href');
  const manifest = await (await request.get(href!)).json();
  expect(manifest.display).toBe('standalone');
  expect(manifest.start_url).toBe('/library');
  const sizes = manifest.icons.map((i: { sizes: string }) => i.sizes);
  expect(sizes).toEqual(expect.arrayContaining(['192x192', '512x512']));
  for (const icon of manifest.icons) {
    const r = await request.get(icon.src);
    expect(r.status(), icon.src).toBe(200);
    expect(r.headers()['content-type']).toContain(icon.type.split('+')[0]);
  }
  await hydrated(page);
  await page.evaluate(() => navigator.serviceWorker.ready);
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.scope);
  expect(new URL(scope).pathname).toBe('/');
  // The app shell is saved when the worker installs, before any page is opened through it.
  const wasm = await page.evaluate(() => (document.querySelector('link[rel=preload][href$=".wasm"]') as HTMLLinkElement | null)?.getAttribute('href') ?? '/pkg/shuzhai.wasm');
  await expect.poll(() => page.evaluate(async (u) => !!(await (await caches.open('shuzhai-offline-v1')).match(u)), wasm)).toBe(true);
});

test('highlights, notes and bookmarks: made, edited, deleted, private and exported as Markdown', async ({ page, browser }) => {
  test.setTimeout(90_000);
  const errors = watchConsole(page);
  await signInAs(page, 'learner0037@demo.shuzhai.local', PASSWORD);
  await claimAndRead(page, 'article');
  await hydrated(page);
  const slug = page.url().split('/read/')[1];

  // A highlight from a selection.
  const quote = await selectStart(page, 10);
  await page.getByTestId('note-bar').getByRole('button', { name: /^(Highlight|划线)$/ }).click();
  await expect(page.locator('#reader-blocks mark.mark-highlight').first()).toHaveText(quote);
  await expect(page.getByTestId('note-bar')).toHaveCount(0);
  // A bookmark where the screen is.
  await page.getByTestId('bookmark-here').click();
  await expect(page.locator('#reader-blocks .bookmarked')).toHaveCount(1);
  // A note with hostile text: shown as text, never run.
  let dialogs = 0;
  page.on('dialog', (d) => { dialogs += 1; void d.dismiss(); });
  await selectStart(page, 5);
  await page.getByTestId('note-bar').getByRole('button', { name: /Add note|写笔记/ }).click();
  await page.getByRole('button', { name: /Save note|保存笔记/ }).click();
  await expect(page.getByTestId('notes-sync')).toHaveText(/Write something|请先写下/);
  const hostile = '<img src=x onerror=alert(1)> **bold**';
  await page.getByTestId('note-editor').getByLabel(/Your note|我的笔记/).fill(hostile);
  await page.getByRole('button', { name: /Save note|保存笔记/ }).click();
  const list = page.getByTestId('reader-notes');
  await list.locator('summary').click();
  await expect(list.getByTestId('note-entry')).toHaveCount(3);
  await expect(list.getByText(hostile)).toBeVisible();
  await expect(page.getByTestId('notes-sync')).toHaveText(/Saved to your account|已同步到你的账号/);
  await expect.poll(async () => (await accountNotes(page, slug)).length).toBe(3);

  // Edit the note, delete the highlight.
  await list.getByTestId('note-entry').filter({ hasText: hostile }).getByRole('button', { name: /^(Edit|编辑)$/ }).click();
  await page.getByTestId('note-editor').getByLabel(/Your note|我的笔记/).fill('Better words');
  await page.getByRole('button', { name: /Save note|保存笔记/ }).click();
  await list.getByTestId('note-entry').filter({ has: page.locator('.note-kind', { hasText: /^(Highlight|划线)$/ }) })
    .getByRole('button', { name: /^(Delete|删除)$/ }).click();
  await expect(list.getByTestId('note-entry')).toHaveCount(2);
  await expect(page.locator('#reader-blocks mark.mark-highlight')).toHaveCount(0);
  await expect.poll(async () => (await accountNotes(page, slug)).map((n) => n.kind).sort()).toEqual(['bookmark', 'note']);
  expect((await accountNotes(page, slug)).find((n) => n.kind === 'note')!.text).toBe('Better words');

  // The Markdown export.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    list.getByRole('link', { name: /Export my notes as Markdown|导出笔记/ }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(`shuzhai-notes-${slug}.md`);
  const md = await (await import('fs')).promises.readFile((await download.path())!, 'utf8');
  expect(md).toContain('Better words');
  expect(md).toContain(`/read/${slug}>`);

  // Another learner reading the same free article sees none of it.
  const other = await browser.newContext({ viewport: { width: 390, height: 640 } });
  const stranger = await other.newPage();
  await signInAs(stranger, 'learner0038@demo.shuzhai.local', PASSWORD);
  await stranger.goto(`/read/${slug}`);
  await hydrated(stranger);
  await expect(stranger.locator('#reader-blocks mark')).toHaveCount(0);
  await expect(stranger.getByTestId('reader-notes').locator('summary')).toHaveText(/\(0\)/);
  await other.close();
  expect(dialogs).toBe(0);
  expect(errors).toEqual([]);
});

test('a course: lessons above the text, each marked complete and counted in the reader and the library', async ({ page }) => {
  const errors = watchConsole(page);
  await signInAs(page, 'learner0033@demo.shuzhai.local', PASSWORD);
  const title = await claimAndRead(page, 'course');
  await hydrated(page);
  const lessons = page.getByTestId('course-lessons');
  await expect(lessons).toBeVisible();
  const all = await lessons.getByTestId('lesson').count();
  expect(all).toBeGreaterThanOrEqual(9);
  const progress = lessons.getByTestId('course-progress');
  await expect(progress).toHaveText(new RegExp(`(0 of ${all} complete|已完成 0 / ${all})`));

  // The link goes to where the lesson starts in the text.
  const second = lessons.getByTestId('lesson').nth(1);
  const href = await second.getByRole('link').getAttribute('href');
  await second.getByRole('link').click();
  await expect(page.locator(href!)).toBeInViewport();

  await second.getByTestId('lesson-toggle').click();
  await expect(second.getByTestId('lesson-toggle')).toHaveText(/✓/);
  await expect(progress).toHaveText(new RegExp(`(1 of ${all} complete|已完成 1 / ${all})`));
  await lessons.getByTestId('lesson').nth(2).getByTestId('lesson-toggle').click();
  await expect(progress).toHaveText(new RegExp(`(2 of ${all} complete|已完成 2 / ${all})`));
  // Undo one; what the account keeps survives a reload.
  await second.getByTestId('lesson-toggle').click();
  await expect(progress).toHaveText(new RegExp(`(1 of ${all} complete|已完成 1 / ${all})`));
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId('course-progress')).toHaveText(new RegExp(`(1 of ${all} complete|已完成 1 / ${all})`));
  await expect(page.getByTestId('lesson').nth(2).getByTestId('lesson-toggle')).toHaveText(/✓/);

  await page.goto('/library?kind=course');
  const entry = page.getByTestId('library').locator('li', { hasText: title });
  await expect(entry.getByTestId('lessons-done')).toHaveText(new RegExp(`(1 of ${all} lessons complete|已完成 1 / ${all} 课)`));
  expect(errors).toEqual([]);
});
