import { test, expect } from '@playwright/test';
import { hydrated, signInAs, watchConsole } from './support';

// The interface speaks English or Chinese: the browser's language decides at first, the
// switch in the footer changes it (and is remembered), and dates and prices follow.

test.describe('a visitor whose browser asks for Chinese', () => {
  test.use({ locale: 'zh-CN' });

  test('gets the Chinese interface, switches to English and back, and stays where they were', async ({ page }) => {
    const errors = watchConsole(page);
    await page.goto('/catalog?kind=audio');
    await hydrated(page);
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    await expect(page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '全部内容' })).toBeVisible();
    await expect(page.locator('.result-count')).toHaveText(/^\d+ 件$/);
    await expect(page.getByLabel('类型')).toHaveValue('audio');
    await expect(page.locator('.card .kind').first()).toHaveText('音频');
    // Prices: a free card says 免费, a paid one keeps its currency sign.
    await page.goto('/catalog?price=free');
    await hydrated(page);
    await expect(page.locator('.card .price').first()).toHaveText('免费');

    // The switch keeps the page (with its query) and the choice outlives a reload.
    await page.goto('/catalog?kind=audio');
    await hydrated(page);
    await page.getByTestId('lang-switch').getByRole('button', { name: 'English' }).click();
    await expect(page).toHaveURL(/\/catalog\?kind=audio$/);
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.locator('.result-count')).toHaveText(/^\d+ items?$/);
    await expect(page.locator('.card .kind').first()).toHaveText('Audio');
    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Catalog');

    await page.getByTestId('lang-switch').getByRole('button', { name: '中文' }).click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    await expect(page.getByRole('heading', { level: 1 })).toContainText('全部内容');
    expect(errors).toEqual([]);
  });

  test('reads an item page with Chinese dates and labels', async ({ page }) => {
    await page.goto('/catalog?price=paid&sort=newest');
    await page.locator('.card-title a').first().click();
    await hydrated(page);
    await expect(page.getByRole('heading', { name: '免费试读' })).toBeVisible();
    await expect(page.getByRole('heading', { name: '其余内容购买后可读' })).toBeVisible();
    await expect(page.locator('.item-facts')).toContainText(/发布于 \d{4}年\d{1,2}月\d{1,2}日/);
    await expect(page.locator('.item-facts .price')).toHaveText(/^(¥|US\$|€|£)[\d,]+\.\d{2}$/);
  });
});

test('the switch works without JavaScript', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, locale: 'en-US' });
  const page = await context.newPage();
  await page.goto('/catalog?tag=rust');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.getByTestId('lang-switch').getByRole('button', { name: '中文' }).click();
  await expect(page).toHaveURL(/\/catalog\?tag=rust$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('button', { name: '应用' })).toBeVisible();
  await context.close();
});

test('a signed-in learner’s choice is saved to their account', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  await signInAs(page, 'learner0034@demo.shuzhai.local', 'demo-learner-password');
  await page.goto('/library');
  await hydrated(page);
  const switchTo = page.getByTestId('lang-switch').getByRole('button');
  if ((await switchTo.textContent()) === 'English') {
    await switchTo.click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  }
  await page.getByTestId('lang-switch').getByRole('button', { name: '中文' }).click();
  await expect(page).toHaveURL(/\/library$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('我的书架');
  await page.goto('/account');
  await expect(page.getByLabel('语言')).toHaveValue('zh-CN');

  // Another browser with no cookie: signing in brings the account's language along.
  const other = await browser.newContext({ locale: 'en-US' });
  const second = await other.newPage();
  await signInAs(second, 'learner0034@demo.shuzhai.local', 'demo-learner-password');
  await second.goto('/library');
  await expect(second.locator('html')).toHaveAttribute('lang', 'zh-CN');
  // Put it back, so the account is as the seed left it for anyone reusing it.
  await second.getByTestId('lang-switch').getByRole('button', { name: 'English' }).click();
  await expect(second.locator('html')).toHaveAttribute('lang', 'en');
  await context.close();
  await other.close();
});
