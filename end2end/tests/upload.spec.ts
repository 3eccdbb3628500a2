import { test, expect } from '@playwright/test';
import { hydrated, signInAs } from './support';

// A real PNG drawn on the browser's canvas, large enough (a few hundred KB) that the
// progress bar has something to show.
async function pngFromCanvas(page: import('@playwright/test').Page, w: number, h: number): Promise<Buffer> {
  const b64 = await page.evaluate(([w, h]) => {
    const c = document.createElement('canvas');
    c.width = w; c.height = h;
    const g = c.getContext('2d')!;
    for (let i = 0; i < 4000; i++) {
      g.fillStyle = `hsl(${i % 360} 70% ${30 + (i % 40)}%)`;
      g.fillRect((i * 37) % w, (i * 53) % h, 24, 24);
    }
    return c.toDataURL('image/png').split(',')[1];
  }, [w, h]);
  return Buffer.from(b64, 'base64');
}

test('a creator uploads an image with a progress bar, publishes it in the free preview, and a visitor sees it', async ({ page, browser }) => {
  await signInAs(page, 'wang-jianguo@demo.shuzhai.local', 'demo-creator-password');
  await page.goto('/creator/wang-jianguo');
  const href = (await page.locator('article.card .card-title a').nth(3).getAttribute('href'))!;
  await page.goto(href);
  await hydrated(page);
  await page.getByTestId('edit-page').click();
  await expect(page.getByTestId('media-adder')).toBeVisible();

  // A file that is not what it claims is refused with the reason.
  await page.getByTestId('upload-image').setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('<script>alert(1)</script>') });
  await expect(page.getByTestId('upload-error')).toContainText(/JPEG, PNG, GIF or WebP|JPEG、PNG、GIF 或 WebP/);

  const picture = await pngFromCanvas(page, 1400, 900);
  // Slow the upload down so that its progress is visible.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 50, downloadThroughput: 4_000_000, uploadThroughput: 400_000 });
  await page.getByTestId('upload-image').setInputFiles({ name: 'diagram.png', mimeType: 'image/png', buffer: picture });
  await expect(page.getByTestId('upload-progress')).toBeVisible();
  await expect(page.getByTestId('upload-progress')).toBeHidden({ timeout: 30_000 });
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  const block = page.locator('.edit-block[data-kind="media"]').last();
  await expect(block.locator('img.edit-media')).toBeVisible();
  await block.locator('textarea').fill('示意图：各部分如何配合');

  // Move it up above the paywall with the keyboard, one place at a time.
  const slots = page.locator('.edit-blocks > *');
  for (let i = 0; i < 80; i++) {
    const order = await slots.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind') ?? e.getAttribute('data-testid') ?? ''));
    if (order.lastIndexOf('media') < order.indexOf('paywall-divider')) break;
    await block.locator('textarea').focus();
    await page.keyboard.press('Alt+ArrowUp');
  }
  await expect(page.locator('[data-testid="save-state"][data-state="saved"]')).toBeVisible({ timeout: 10_000 });
  await page.getByTestId('publish').click();
  await expect(page.getByTestId('editor-message')).toContainText(/Published|已发布/);

  const visitor = await browser.newContext();
  const v = await visitor.newPage();
  await v.goto(href);
  const img = v.locator('.preview figure.media-image img');
  await expect(img).toHaveAttribute('alt', '示意图：各部分如何配合');
  await expect(img).toHaveAttribute('srcset', /-w320\.png 320w/);
  await img.scrollIntoViewIfNeeded();
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.naturalWidth)).toBeGreaterThan(0);
  await visitor.close();
});
