import { test, expect, Page, BrowserContext } from '@playwright/test';
import { hydrated, signInAs, watchConsole } from './support';

// Demo creators who write in English (server/src/seed.rs): one per test, so that no
// account meets the sign-in limit (10 in 10 minutes) in a full run.
const CREATOR = 'maya-chen@demo.shuzhai.local';
const OTHER_CREATOR = 'daniel-ortiz@demo.shuzhai.local';
const PASSWORD = 'demo-creator-password';
const SAVED = '[data-testid="save-state"][data-state="saved"]';

// Nothing a creator types or pastes may ever run: any dialog fails the test.
function noDialogs(page: Page) {
  page.on('dialog', async (d) => {
    await d.dismiss();
    throw new Error(`a dialog opened: ${d.message()}`);
  });
}

// The `n`th item on the creator's page (Maya Chen's unless another is named); its address.
async function creatorItem(page: Page, n: number, creator = 'maya-chen'): Promise<string> {
  await page.goto(`/creator/${creator}`);
  const hrefs = await page.locator('article.card .card-title a').evaluateAll((as) =>
    as.map((a) => (a as HTMLAnchorElement).getAttribute('href')!));
  return hrefs[n];
}

async function openEditor(page: Page, href: string) {
  await page.goto(href);
  await hydrated(page);
  await page.getByTestId('edit-page').click();
  await expect(page.getByTestId('editor')).toBeVisible();
  await expect(page.locator('.edit-title')).toBeVisible();
}

async function draftOnServer(page: Page, slug: string): Promise<any> {
  const r = await page.request.post('/api/editor_open', {
    data: { slug },
    headers: { accept: 'application/json' },
  });
  expect(r.status()).toBe(200);
  return r.json();
}

test('a creator edits the live page in place, moves the paywall, publishes, and a learner sees it', async ({ page, browser }) => {
  const errors = watchConsole(page);
  noDialogs(page);
  await signInAs(page, CREATOR, PASSWORD);
  const href = await creatorItem(page, 0);
  await openEditor(page, href);

  const title = `Edited on the page ${Date.now()}`;
  await page.locator('.edit-title').fill(title);
  const firstParagraph = page.locator('.edit-block[data-kind="paragraph"] textarea').first();
  await firstParagraph.fill('A paragraph rewritten in place by its creator.');
  await expect(page.locator(SAVED)).toBeVisible({ timeout: 10_000 });

  // Undo brings the paragraph back, redo takes it again.
  const before = await page.locator('.edit-block textarea').nth(1).inputValue();
  await page.locator('.edit-block textarea').nth(1).fill('Short-lived text.');
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(page.locator('.edit-block textarea').nth(1)).toHaveValue(before);
  await page.getByRole('button', { name: 'Redo' }).click();
  await expect(page.locator('.edit-block textarea').nth(1)).toHaveValue('Short-lived text.');
  await page.getByRole('button', { name: 'Undo' }).click();

  // A new block, added with the keyboard, then the paywall moved above it.
  await firstParagraph.focus();
  await page.keyboard.press('Control+Enter');
  await page.keyboard.type('Free for everyone: a paragraph added with Ctrl+Enter.');
  const blocksAbove = async () =>
    page.locator('.edit-blocks > *').evaluateAll((els) =>
      els.findIndex((e) => e.matches('[data-testid="paywall-divider"]')));
  const wallAt = await blocksAbove();
  await page.getByTestId('paywall-divider').focus();
  await page.keyboard.press('Alt+ArrowDown');
  await expect.poll(blocksAbove).toBe(wallAt + 1);
  // The divider keeps the keyboard once it is drawn in its new place.
  await expect(page.getByTestId('paywall-divider')).toBeFocused();
  await page.keyboard.press('Alt+ArrowUp');
  await expect.poll(blocksAbove).toBe(wallAt);

  // Pasted HTML becomes our blocks; its script is dropped and never runs.
  const last = page.locator('.edit-block textarea').last();
  await page.locator('.add-block').click();
  await page.locator('.edit-block textarea').last().evaluate((el) => {
    const data = new DataTransfer();
    data.setData('text/html', '<h2>Pasted heading</h2><ul><li>first point</li><li>second point</li></ul><script>alert(1)</script><img src=x onerror=alert(2)>');
    data.setData('text/plain', 'Pasted heading\nfirst point\nsecond point');
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  });
  await expect(page.locator('.edit-block[data-kind="h2"] textarea').last()).toHaveValue('Pasted heading');
  await expect(page.locator('.edit-block[data-kind="ul"] textarea').last()).toHaveValue('first point\nsecond point');
  void last;

  // Preview as a learner who has not bought it: the new title, the free part, the paywall.
  await page.getByTestId('preview-as-learner').click();
  const preview = page.getByTestId('learner-preview');
  await expect(preview.locator('h1')).toHaveText(title);
  await expect(preview).toContainText('Free for everyone: a paragraph added with Ctrl+Enter.');
  await expect(preview).not.toContainText('Pasted heading');
  await page.getByTestId('preview-as-learner').click();

  await expect(page.locator(SAVED)).toBeVisible({ timeout: 10_000 });
  await page.getByTestId('publish').click();
  await expect(page.getByTestId('editor-message')).toContainText('Published');
  await expect(page.getByTestId('publish-state')).toHaveText('Live');

  // A visitor sees the published page; the paid part (the pasted blocks) stays paid.
  const visitor = await browser.newContext();
  const v = await visitor.newPage();
  await v.goto(href);
  await expect(v.locator('h1')).toHaveText(title);
  await expect(v.locator('.preview')).toContainText('Free for everyone: a paragraph added with Ctrl+Enter.');
  await expect(v.locator('body')).not.toContainText('Pasted heading');
  await expect(v.getByTestId('edit-page')).toHaveCount(0);
  await visitor.close();
  expect(errors).toEqual([]);
});

test.describe('without the service worker', () => {
  // The worker's own requests ignore the emulated offline state, and the editor does not
  // need it: its copy on the device is in localStorage.
  test.use({ serviceWorkers: 'block' });

test('typing while the network is down is kept and saved when it returns, even after the tab closed', async ({ page, context }) => {
  noDialogs(page);
  await signInAs(page, OTHER_CREATOR, PASSWORD);
  const href = await creatorItem(page, 1, 'daniel-ortiz');
  const slug = href.split('/').pop()!;
  await openEditor(page, href);

  await context.setOffline(true);
  const words = `Written on a train without signal ${Date.now()}.`;
  await page.locator('.edit-block[data-kind="paragraph"] textarea').first().fill(words);
  await expect(page.locator('[data-testid="save-state"][data-state="offline"]')).toBeVisible({ timeout: 10_000 });
  await expect(page.getByTestId('save-state')).toContainText('Offline');
  // The device keeps the text between saves; then the tab is closed while still offline.
  await expect.poll(() => page.evaluate((s) => localStorage.getItem(`shuzhai.draft.${s}`) ?? '', slug)).toContain(words);
  await page.close({ runBeforeUnload: false });

  await context.setOffline(false);
  const again = await context.newPage();
  noDialogs(again);
  await openEditor(again, href);
  await expect(again.getByTestId('restored-local')).toBeVisible();
  await expect(again.locator('.edit-block[data-kind="paragraph"] textarea').first()).toHaveValue(words);
  await expect(again.locator(SAVED)).toBeVisible({ timeout: 10_000 });
  const draft = await draftOnServer(again, slug);
  expect(JSON.stringify(draft.doc)).toContain(words);
});
});

test('two editors on one page: the later save shows a conflict and nothing is lost', async ({ page, context }) => {
  noDialogs(page);
  await signInAs(page, OTHER_CREATOR, PASSWORD);
  const href = await creatorItem(page, 2, 'daniel-ortiz');
  const slug = href.split('/').pop()!;
  const other: Page = await context.newPage();
  noDialogs(other);
  await openEditor(page, href);
  await openEditor(other, href);

  await page.locator('#field-description').fill('The first tab wrote this.');
  await expect(page.locator(SAVED)).toBeVisible({ timeout: 10_000 });
  await other.locator('#field-description').fill('The second tab wrote that.');
  await expect(other.getByTestId('conflict')).toBeVisible({ timeout: 10_000 });
  await expect(other.getByTestId('conflict')).toContainText('The first tab wrote this.');
  await expect(other.getByTestId('conflict')).toContainText('The second tab wrote that.');
  // The server kept the first tab's text; the second's is in the history.
  expect((await draftOnServer(other, slug)).doc.description).toBe('The first tab wrote this.');

  await other.getByTestId('keep-mine').click();
  await expect(other.locator(SAVED)).toBeVisible({ timeout: 10_000 });
  expect((await draftOnServer(other, slug)).doc.description).toBe('The second tab wrote that.');

  // The history lists the kept conflict and restores the first tab's version.
  await other.getByTestId('history-toggle').click();
  await expect(other.getByTestId('version').first()).toBeVisible();
  await expect(other.getByTestId('history')).toContainText('Kept from a conflict');
  await other.getByRole('button', { name: 'Compare with the draft' }).last().click();
  await expect(other.getByTestId('diff').last()).toBeVisible();
  await context.close();
});
