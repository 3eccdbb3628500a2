import { test, expect, Page } from '@playwright/test';
import { createRequire } from 'node:module';
import { hydrated, signInAs } from './support';

// axe-core (from npm, injected from node_modules: nothing is fetched) checks the main pages
// after hydration against WCAG 2.1 A and AA. A serious or critical violation fails the test
// and is listed with the elements it was found on.

const axePath = createRequire(__filename).resolve('axe-core/axe.min.js');

// The store's Content-Security-Policy (rightly) refuses injected scripts; the checker is
// allowed in for these tests only.
test.use({ bypassCSP: true });

type Violation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axePath });
  const violations: Violation[] = await page.evaluate(async () => {
    // @ts-expect-error axe is the global the script above defines.
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join(', ')}`);
}

async function check(page: Page, path: string) {
  await page.goto(path);
  await hydrated(page);
  expect(await seriousViolations(page), `axe on ${path}`).toEqual([]);
}

test('home, catalog and an item page have no serious accessibility violations', async ({ page }) => {
  await check(page, '/');
  await check(page, '/catalog?kind=course');
  await page.goto('/catalog?price=paid');
  const href = await page.locator('.card-title a').first().getAttribute('href');
  await check(page, href!);
});

test.describe('in Chinese', () => {
  test.use({ locale: 'zh-CN' });
  test('the home and catalog pages have none either', async ({ page }) => {
    await check(page, '/');
    await check(page, '/catalog');
  });
});

test('the library and the reader have no serious accessibility violations', async ({ page }) => {
  await signInAs(page, 'learner0061@demo.shuzhai.local', 'demo-learner-password');
  await check(page, '/library');
  const read = await page.getByTestId('library').locator('a[href^="/read/"]').first().getAttribute('href');
  await check(page, read!);
});

test('keyboard alone reaches the search, the catalog and an item', async ({ page }) => {
  await page.goto('/');
  await hydrated(page);
  // The first Tab lands on the skip link, which is visible when focused.
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await page.getByLabel('Search the catalog').focus();
  await page.keyboard.type('rust');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/catalog\?q=rust/);
  // Focus is drawn: the focused card link has a visible outline.
  const link = page.locator('.card-title a').first();
  await link.focus();
  const outline = await link.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe('none');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/item\//);
});
