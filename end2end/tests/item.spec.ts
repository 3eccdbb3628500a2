import { test, expect, Page, Response } from '@playwright/test';

const PAID_MARKERS = ["Reader's edition", '读者版'];

// Collects the text of every response the page receives.
function recordResponses(page: Page): Promise<string>[] {
  const bodies: Promise<string>[] = [];
  page.on('response', (r: Response) => {
    bodies.push(r.body().then((b) => b.toString('utf8')).catch(() => ''));
  });
  return bodies;
}

async function firstCardHref(page: Page, url: string): Promise<string> {
  await page.goto(url);
  const href = await page.locator('article.card .card-title a').first().getAttribute('href');
  expect(href).toBeTruthy();
  return href!;
}

test('a paid item shows its preview, and its body is in no response', async ({ page }) => {
  const href = await firstCardHref(page, '/catalog?price=paid');
  const bodies = recordResponses(page);
  await page.goto(href);
  await page.waitForSelector('html[data-hydrated]', { state: 'attached' });
  await expect(page.getByRole('heading', { name: 'Free preview' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'The rest is for buyers' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Creator' })).toBeVisible();

  // Navigating client-side to another paid item goes through the server function.
  const next = page.locator('section[aria-labelledby="related-h"] article.card .card-title a').first();
  await next.click();
  await expect(page.getByRole('heading', { name: 'The rest is for buyers' })).toBeVisible();

  const texts = await Promise.all(bodies);
  expect(texts.length).toBeGreaterThan(3);
  for (const text of texts) for (const marker of PAID_MARKERS) expect(text).not.toContain(marker);
  const html = await page.content();
  for (const marker of PAID_MARKERS) expect(html).not.toContain(marker);
});

test('a free item is readable in full, with a table of contents', async ({ page }) => {
  const href = await firstCardHref(page, '/catalog?price=free');
  await page.goto(href);
  await expect(page.getByRole('region', { name: 'Full text' })).toContainText(/Reader's edition|读者版/);
  const toc = page.getByRole('navigation', { name: 'Contents' });
  await expect(toc.getByRole('link')).toHaveCount(4);
  await toc.getByRole('link').nth(2).click();
  await expect(page).toHaveURL(/#section-3$/);
});

test('item and creator pages have titles and canonical links; unknown ones are 404', async ({ page }) => {
  const href = await firstCardHref(page, '/catalog?kind=course');
  await page.goto(href);
  await expect(page.getByRole('heading', { name: 'Course outline' })).toBeVisible();
  const canonical = await page.locator('link[rel=canonical]').getAttribute('href');
  expect(canonical).toMatch(new RegExp(`${href}$`));
  await page.locator('.creator-card a').click();
  await expect(page).toHaveURL(/\/creator\//);
  await expect(page.locator('article.card').first()).toBeVisible();

  for (const url of ['/item/no-such-item', '/creator/nobody', '/no/such/page']) {
    const response = await page.goto(url);
    expect(response?.status(), url).toBe(404);
    await expect(page.getByRole('alert')).toBeVisible();
  }
});
