import { expect, Locator, Page } from '@playwright/test';

// Collects console errors and uncaught exceptions of the page (a test expects none).
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

// What the page said and fetched, kept per page so that a page that never hydrates can
// be explained (see `hydrated`).
const trail = new WeakMap<Page, string[]>();
function follow(page: Page): string[] {
  let lines = trail.get(page);
  if (!lines) {
    const kept: string[] = [];
    const note = (line: string) => { kept.push(line); if (kept.length > 60) kept.shift(); };
    page.on('console', (m) => note(`console ${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => note(`pageerror: ${e}`));
    page.on('requestfailed', (r) => note(`failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`));
    page.on('response', (r) => { if (r.url().includes('/pkg/')) note(`${r.status()} ${r.url()} (sw: ${r.fromServiceWorker()})`); });
    page.on('framenavigated', (f) => { if (f === page.mainFrame()) note(`navigated: ${f.url()}`); });
    trail.set(page, kept);
    lines = kept;
  }
  return lines;
}

// Resolves once the wasm app has hydrated (frontend::hydrate marks <html data-hydrated>).
// If it never does, the error says what the page logged and fetched on its way.
export async function hydrated(page: Page) {
  const lines = follow(page);
  try {
    await page.waitForSelector('html[data-hydrated]', { state: 'attached', timeout: 30_000 });
  } catch (e) {
    const state = await page
      .evaluate(() => ({
        url: location.href,
        ready: document.readyState,
        controlled: !!navigator.serviceWorker?.controller,
        scripts: [...document.scripts].map((s) => s.src || 'inline').join(', '),
      }))
      .catch((err) => ({ error: String(err) }));
    throw new Error(`the page did not hydrate: ${JSON.stringify(state)}\n${lines.join('\n')}\n${e}`);
  }
}

// Signs in through the form and waits to leave the sign-in page.
export async function signInAs(page: Page, email: string, password: string) {
  await page.goto('/signin');
  await hydrated(page);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
}

// In the editor: moves the media `block` up above the paywall with the keyboard, one place
// at a time, waits for the draft to be saved and publishes it.
export async function moveAboveThePaywallAndPublish(page: Page, block: Locator) {
  const slots = page.locator('.edit-blocks > *');
  for (let i = 0; i < 80; i++) {
    const order = await slots.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind') ?? e.getAttribute('data-testid') ?? ''));
    if (order.lastIndexOf('media') < order.indexOf('paywall-divider')) break;
    await block.locator('textarea').focus();
    await page.keyboard.press('Alt+ArrowUp');
  }
  await publishWhenSaved(page);
}

// In the editor: waits for the draft to be saved and publishes it.
export async function publishWhenSaved(page: Page) {
  await expect(page.locator('[data-testid="save-state"][data-state="saved"]')).toBeVisible({ timeout: 10_000 });
  await page.getByTestId('publish').click();
  await expect(page.getByTestId('editor-message')).toContainText(/Published|已发布/);
}

// `seconds` of quiet, as a WAV file the browser can play: 8 kHz, 8-bit, mono.
export function wav(seconds: number): Buffer {
  const rate = 8000;
  const data = Buffer.alloc(rate * seconds, 128);
  const head = Buffer.alloc(44);
  head.write('RIFF', 0); head.writeUInt32LE(36 + data.length, 4); head.write('WAVE', 8);
  head.write('fmt ', 12); head.writeUInt32LE(16, 16); head.writeUInt16LE(1, 20); head.writeUInt16LE(1, 22);
  head.writeUInt32LE(rate, 24); head.writeUInt32LE(rate, 28); head.writeUInt16LE(1, 32); head.writeUInt16LE(8, 34);
  head.write('data', 36); head.writeUInt32LE(data.length, 40);
  return Buffer.concat([head, data]);
}
