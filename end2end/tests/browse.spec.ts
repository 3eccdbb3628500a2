import { test, expect } from '@playwright/test';
import { hydrated, watchConsole } from './support';

test('home lists items from the database and hydrates without errors', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto('/');
  await expect(page).toHaveTitle(/Shuzhai/);
  await expect(page.getByRole('heading', { name: 'Popular', exact: true })).toBeVisible();
  expect(await page.locator('article.card').count()).toBeGreaterThan(8);
  await hydrated(page);
  expect(errors).toEqual([]);
});

test.describe('with the requests slowed down', () => {
  // page.route does not see requests the service worker answers, and the slowed-down
  // answer is what makes the loading state visible: this test runs without the worker.
  test.use({ serviceWorkers: 'block' });

test('filters update the list in place, keep the URL in sync and show a loading state', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto('/catalog');
  await hydrated(page);
  await page.evaluate(() => ((window as any).__sameDocument = true));
  const firstCount = await page.locator('.result-count').innerText();
  expect(firstCount).toBe('200 items');

  // Slow the server function down so the loading state is visible.
  await page.route('**/api/catalog**', async (route) => {
    await new Promise((r) => setTimeout(r, 700));
    await route.continue();
  });
  await page.getByLabel('Kind').selectOption('audio');
  await expect(page.getByRole('status')).toHaveText('Updating results…');
  await expect(page).toHaveURL(/\/catalog\?kind=audio$/);
  await expect(page.locator('.result-count')).toHaveText('40 items');
  await expect(page.getByRole('status')).toHaveText('');
  const kinds = await page.locator('article.card .kind').allTextContents();
  expect(kinds.length).toBe(24);
  expect(new Set(kinds)).toEqual(new Set(['Audio']));
  await page.unroute('**/api/catalog**');

  // Pagination is client-side too.
  await page.getByRole('link', { name: 'Next →' }).click();
  await expect(page).toHaveURL(/kind=audio&page=2/);
  await expect(page.locator('article.card')).toHaveCount(16);

  // The back button restores the previous list.
  await page.goBack();
  await expect(page).toHaveURL(/\/catalog\?kind=audio$/);
  await expect(page.locator('article.card')).toHaveCount(24);
  await page.goBack();
  await expect(page.locator('.result-count')).toHaveText('200 items');

  // All of it happened without a page load.
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
  expect(errors).toEqual([]);
});
});

test('Chinese search matches without spaces, English search is case-insensitive', async ({ page }) => {
  await page.goto('/catalog');
  await hydrated(page);
  // 机器学习 ("machine learning") typed without spaces, then a fragment from inside it.
  await page.getByLabel('Search', { exact: true }).fill('机器学习');
  await expect(page).toHaveURL(/\/catalog\?q=%E6%9C%BA%E5%99%A8%E5%AD%A6%E4%B9%A0$/);
  // The URL changes as soon as the query is typed; the list follows when the answer
  // arrives, so wait until no card without the words is left before counting.
  const cards = page.locator('article.card');
  const titled = page.locator('.card-title, .card-alt', { hasText: '机器学习' });
  await expect(cards.filter({ hasNot: titled })).toHaveCount(0);
  await expect(cards.first()).toBeVisible();
  await expect(page.locator('.results')).toHaveAttribute('aria-busy', 'false');
  const hits = await cards.count();
  expect(await cards.filter({ has: titled }).count()).toBe(hits);
  await page.getByLabel('Search', { exact: true }).fill('器学');
  await expect(page).toHaveURL(/q=%E5%99%A8%E5%AD%A6$/);
  await expect(page.locator('article.card')).toHaveCount(hits);

  await page.goto('/catalog?q=MACHINE+learning');
  await expect(page.locator('article.card').first()).toContainText(/Machine Learning|机器学习/);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the filter form, search and pagination work as plain HTML', async ({ page }) => {
    await page.goto('/catalog');
    await expect(page.locator('.result-count')).toHaveText('200 items');
    await page.getByLabel('Kind').selectOption('course');
    await page.getByLabel('Price').selectOption('paid');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page).toHaveURL(/kind=course/);
    await expect(page).toHaveURL(/price=paid/);
    const kinds = await page.locator('article.card .kind').allTextContents();
    expect(kinds.length).toBeGreaterThan(0);
    expect(new Set(kinds)).toEqual(new Set(['Course']));
    const prices = await page.locator('article.card .price').allTextContents();
    expect(prices).not.toContain('Free');

    await page.goto('/catalog?sort=price-asc');
    await page.getByRole('link', { name: 'Next →' }).click();
    await expect(page).toHaveURL(/sort=price-asc&page=2/);
    await expect(page.locator('.pagination .current')).toHaveText('2');

    await page.goto('/catalog?q=%E6%9C%BA%E5%99%A8%E5%AD%A6%E4%B9%A0');
    await expect(page.locator('article.card').first()).toContainText('机器学习');
  });

  test('a bad filter gets a clear message', async ({ page }) => {
    const response = await page.goto('/catalog?page=abc');
    expect(response?.status()).toBe(400);
    await expect(page.getByRole('alert')).toContainText('not a page number');
  });
});

test('the header search box searches the catalog in place', async ({ page }) => {
  await page.goto('/');
  await page.waitForSelector('html[data-hydrated]', { state: 'attached' });
  await page.evaluate(() => ((window as any).__sameDocument = true));
  await page.getByRole('searchbox', { name: 'Search the catalog' }).fill('Rust');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page).toHaveURL(/\/catalog\?q=Rust$/);
  await expect(page.locator('article.card').first()).toContainText('Rust');
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
});
