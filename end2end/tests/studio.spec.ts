import { test, expect, Page } from '@playwright/test';

// Wang Jianguo, a demo creator (server/src/seed.rs), uses the store in Chinese.
async function signInCreator(page: Page, email: string) {
  await page.goto('/signin');
  await page.waitForSelector('html[data-hydrated]', { state: 'attached' });
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password', { exact: true }).fill('demo-creator-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/account/);
}

test('a creator changes a price and makes a bundle on the products page', async ({ page }) => {
  await signInCreator(page, 'wang-jianguo@demo.shuzhai.local');
  await page.getByRole('link', { name: '商品' }).click();
  await expect(page).toHaveURL(/\/studio\/products$/);
  await page.waitForSelector('html[data-hydrated]', { state: 'attached' });

  const row = page.locator('.product-items li').nth(1);
  const href = await row.locator('a').first().getAttribute('href');
  await row.locator('input[name="price"]').fill('9.90');
  await row.getByRole('button', { name: '保存' }).click();
  await expect(page).toHaveURL(/saved=item/);
  await expect(page.locator('.notice-ok')).toHaveText('已保存。');
  await page.goto(href!);
  await expect(page.locator('.item-facts .price')).toHaveText('¥9.90');

  // A price that is not a price is explained, and nothing changes.
  await page.goto('/studio/products');
  await page.waitForSelector('html[data-hydrated]', { state: 'attached' });
  await page.locator('.product-items li').nth(1).locator('input[name="price"]').fill('9,90');
  await page.locator('.product-items li').nth(1).getByRole('button', { name: '保存' }).click();
  await expect(page.getByRole('alert').first()).toContainText('yuan');

  await page.locator('summary', { hasText: '新建套装' }).click();
  const form = page.locator('form.bundle-form').last();
  await form.getByLabel('地址：/bundle/…').fill('wang-e2e-pair');
  await form.getByLabel('标题').fill('王老师双书套装');
  await form.getByLabel('价格（元）').fill('20');
  await form.locator('input[name="items[]"]').nth(0).check();
  await form.locator('input[name="items[]"]').nth(1).check();
  await form.getByRole('button', { name: '保存套装' }).click();
  await expect(page).toHaveURL(/saved=bundle/);
  await page.goto('/bundle/wang-e2e-pair');
  await expect(page.locator('h1')).toHaveText('王老师双书套装');
  await expect(page.locator('.bundle > .item-facts .price')).toHaveText('¥20.00');
  await expect(page.locator('.bundle article.card')).toHaveCount(2);
});
