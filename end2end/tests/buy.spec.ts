import { test, expect, Page } from '@playwright/test';

// Demo learners (server/src/seed.rs) read the store in Chinese; the sign-in page speaks
// the browser's language (English here).
const PASSWORD = 'demo-learner-password';
const PAID_MARKER = /Reader's edition|读者版/;

async function hydrated(page: Page) {
  await page.waitForSelector('html[data-hydrated]', { state: 'attached' });
}

async function signIn(page: Page, email: string) {
  await hydrated(page);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

// A paid item of the creator at `creatorPath`, `n`th in their list.
async function paidItem(page: Page, creatorPath: string, n: number): Promise<string> {
  await page.goto(creatorPath);
  const href = await page
    .locator('article.card:has(.price:not(.free)) .card-title a')
    .nth(n)
    .getAttribute('href');
  expect(href).toBeTruthy();
  return href!;
}

test('browse, add to cart, apply a coupon, pay in the sandbox, read in full, then refund', async ({ page }) => {
  await page.goto('/signin');
  await signIn(page, 'learner0042@demo.shuzhai.local');
  await expect(page).toHaveURL(/\/account/);

  const href = await paidItem(page, '/creator/lin-xiao', 0);
  await page.goto(href);
  await hydrated(page);
  await expect(page.locator('aside.paywall')).toBeVisible();
  await page.locator('.item-head').getByRole('button', { name: '加入购物车' }).click();
  await expect(page).toHaveURL(/\/cart$/);
  await hydrated(page);
  const before = Number(await page.locator('[data-total]').getAttribute('data-total'));

  // A wrong code is explained next to the field; the right one (any case) applies.
  await page.getByLabel('优惠码').fill('NOSUCHCODE');
  await page.getByRole('button', { name: '使用' }).click();
  await expect(page.locator('#f-code-error')).toHaveText('没有这个优惠码。');
  await page.getByLabel('优惠码').fill('linxiao10');
  await page.getByRole('button', { name: '使用' }).click();
  await expect(page.locator('.coupon-code')).toHaveText('LINXIAO10');
  const after = Number(await page.locator('[data-total]').getAttribute('data-total'));
  expect(after).toBe(before - Math.floor(before / 10));

  await page.getByRole('button', { name: /去结算并支付/ }).click();
  await expect(page).toHaveURL(/\/pay\/o[0-9a-f]{24}$/);
  await hydrated(page);
  await expect(page.locator('.sandbox-banner')).toBeVisible();
  await page.getByLabel('卡号').fill('4242 4242 4242 4242');
  await page.getByRole('button', { name: /^支付 / }).click();
  await expect(page).toHaveURL(/\/orders\/o[0-9a-f]{24}$/);
  const orderUrl = page.url();
  await expect(page.locator('.order-status')).toHaveText('已支付');

  await page.getByRole('link', { name: '立即打开' }).click();
  await expect(page.getByRole('region', { name: /Full text|全文/ })).toContainText(PAID_MARKER);
  await expect(page.locator('.buy-box.owned')).toBeVisible();

  await page.goto('/orders');
  await expect(page.locator(`table.lines a[href="${new URL(orderUrl).pathname}"]`)).toBeVisible();

  await page.goto(orderUrl);
  await hydrated(page);
  await page.getByRole('button', { name: '申请退款' }).click();
  await expect(page.locator('.order-status')).toHaveText('已退款');
  await page.goto(href);
  await expect(page.locator('aside.paywall')).toBeVisible();
  await expect(page.locator('body')).not.toContainText(PAID_MARKER);
});

test("a visitor's cart comes along at sign-in, and a declined card grants nothing", async ({ page }) => {
  const href = await paidItem(page, '/creator/maya-chen', 1);
  await page.goto(href);
  await hydrated(page);
  await page.locator('.item-head').getByRole('button', { name: 'Add to cart' }).click();
  await expect(page).toHaveURL(/\/cart$/);
  await page.getByRole('link', { name: 'Sign in to check out' }).click();
  await signIn(page, 'learner0043@demo.shuzhai.local');
  await expect(page).toHaveURL(/\/cart$/);
  await expect(page.locator(`table.lines a[href="${href}"]`)).toBeVisible();

  await hydrated(page);
  await page.getByRole('button', { name: /去结算并支付/ }).click();
  await expect(page).toHaveURL(/\/pay\//);
  await hydrated(page);
  await page.getByLabel('卡号').fill('4000 0000 0000 0002');
  await page.getByRole('button', { name: /^支付 / }).click();
  await expect(page).toHaveURL(/\/orders\//);
  await expect(page.locator('.order-status')).toHaveText('支付被拒');
  await expect(page.getByRole('link', { name: '返回购物车重试' })).toBeVisible();
  await page.goto(href);
  await expect(page.locator('aside.paywall')).toBeVisible();
  await expect(page.locator('body')).not.toContainText(PAID_MARKER);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('cart, coupon, checkout, payment and reading all work as plain forms', async ({ page }) => {
    await page.goto('/signin');
    await page.getByLabel('E-mail').fill('learner0044@demo.shuzhai.local');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/account$/);

    const href = await paidItem(page, '/creator/wang-jianguo', 0);
    await page.goto(href);
    await page.locator('.item-head').getByRole('button', { name: '加入购物车' }).click();
    await expect(page).toHaveURL(/\/cart$/);
    await page.getByLabel('优惠码').fill('nope-nope');
    await page.getByRole('button', { name: '使用' }).click();
    await expect(page.locator('#f-code-error')).toHaveText('没有这个优惠码。');
    await page.getByLabel('优惠码').fill('WANG20');
    await page.getByRole('button', { name: '使用' }).click();
    await expect(page.locator('.coupon-code')).toHaveText('WANG20');
    await page.getByRole('button', { name: /去结算并支付/ }).click();
    await expect(page).toHaveURL(/\/pay\/o[0-9a-f]{24}$/);
    await page.getByLabel('卡号').fill('4242 4242 4242 4242');
    await page.getByRole('button', { name: /^支付 / }).click();
    await expect(page).toHaveURL(/\/orders\/o[0-9a-f]{24}$/);
    await expect(page.locator('.order-status')).toHaveText('已支付');
    await page.goto(href);
    await expect(page.getByRole('region', { name: /Full text|全文/ })).toContainText(PAID_MARKER);
  });
});
