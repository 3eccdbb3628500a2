import { test, expect } from '@playwright/test';
import { hydrated, moveAboveThePaywallAndPublish, signInAs } from './support';

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

  await moveAboveThePaywallAndPublish(page, block);

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

test.describe('large files', () => {
  // Requests the service worker makes are out of reach of page.route.
  test.use({ serviceWorkers: 'block' });

  test('a large upload goes in pieces, survives a dropped connection and goes on where it stopped', async ({ page }) => {
    await signInAs(page, 'wang-jianguo@demo.shuzhai.local', 'demo-creator-password');
    await page.goto('/creator/wang-jianguo');
    const href = (await page.locator('article.card .card-title a').nth(4).getAttribute('href'))!;
    await page.goto(href);
    await hydrated(page);
    await page.getByTestId('edit-page').click();
    await expect(page.getByTestId('media-adder')).toBeVisible();

    // The second piece's connection drops once.
    const pieces: string[] = [];
    let dropped = 0;
    await page.route('**/studio/uploads/*?offset=*', async (route) => {
      const url = route.request().url();
      pieces.push(new URL(url).searchParams.get('offset')!);
      if (url.endsWith('offset=4194304') && dropped === 0) {
        dropped += 1;
        await route.abort('connectionreset');
        return;
      }
      await route.continue();
    });
    const audio = Buffer.concat([Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x00', 'binary'), Buffer.alloc(9 * 1024 * 1024, 7)]);
    await page.getByTestId('upload-audio').setInputFiles({ name: 'lecture.mp3', mimeType: 'audio/mpeg', buffer: audio });
    await expect(page.locator('.edit-block[data-kind="media"] audio.edit-media').last()).toBeAttached({ timeout: 30_000 });
    expect(dropped).toBe(1);
    // Three pieces, the dropped one sent again, none of the others twice.
    expect(pieces).toEqual(['0', '4194304', '4194304', '8388608']);
    await expect(page.getByTestId('upload-error')).toHaveCount(0);
  });
});
