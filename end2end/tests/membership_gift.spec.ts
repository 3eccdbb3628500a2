import { test, expect, Page } from '@playwright/test';

// Demo learners (server/src/seed.rs) read the store in Chinese; the sign-in page speaks
// the browser's language (English here).
const PASSWORD = 'demo-learner-password';
const PAID_MARKER = /Reader's edition|读者版/;

async function hydrated(page: Page) {
  await page.waitForSelector('html[data-hydrated]', { state: 'attached' });
}

async function signIn(page: Page, email: string) {
  await page.goto('/signin');
  await hydrated(page);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/account/);
}

test('a free trial opens the items of a membership, and what it opened leaves the device when it ends', async ({ page, context }) => {
  await signIn(page, 'learner0045@demo.shuzhai.local');
  await page.goto('/creator/maya-chen');
  await page.locator('.tier-link a').click();
  await expect(page).toHaveURL(/\/membership\/c2$/);
  await hydrated(page);
  const first = page.locator('section.membership article.card .card-title a').first();
  const href = await first.getAttribute('href');
  expect(href).toBeTruthy();

  // Locked before: the item offers the membership.
  await page.goto(href!);
  await expect(page.locator('aside.paywall')).toBeVisible();
  await expect(page.locator('aside.tier-box')).toBeVisible();

  await page.goto('/membership/c2');
  await hydrated(page);
  await page.getByRole('button', { name: /免费试用 7 天/ }).click();
  await expect(page.locator('section.membership .notice-ok')).toContainText('免费试用至');
  await expect(page.getByRole('button', { name: /免费试用/ })).toHaveCount(0);

  // The service worker is in charge before the member opens the item, so it keeps a copy.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
  await page.goto(href!);
  await expect(page.getByRole('region', { name: /Full text|全文/ })).toContainText(PAID_MARKER);
  await expect(page.locator('aside.tier-box .notice-ok')).toContainText('免费试用至');

  // The kept copy says until when it may be shown: the end of the trial, seven days on.
  const keptUntil = () => page.evaluate(async (u) => {
    const kept = await (await caches.open('shuzhai-offline-v1')).match(u);
    return kept ? Number(kept.headers.get('x-shuzhai-access-until')) : null;
  }, href!);
  await expect.poll(keptUntil).toBeGreaterThan(Date.now() / 1000 + 6.9 * 86400);
  expect(await keptUntil()).toBeLessThan(Date.now() / 1000 + 7.1 * 86400);

  // When that moment has passed (here: the kept copy is given a moment just gone), the
  // device shows it no more, even offline, and deletes it.
  await page.evaluate(async (u) => {
    const cache = await caches.open('shuzhai-offline-v1');
    const kept = (await cache.match(u))!;
    const headers = new Headers(kept.headers);
    headers.set('x-shuzhai-access-until', String(Math.floor(Date.now() / 1000) - 1));
    await cache.put(u, new Response(await kept.text(), { status: 200, headers }));
  }, href!);
  await context.setOffline(true);
  await page.goto(href!);
  await expect(page.getByTestId('membership-ended')).toBeVisible();
  await expect(page.locator('body')).not.toContainText(PAID_MARKER);
  await context.setOffline(false);
  expect(await keptUntil()).toBeNull();
});

test('a gift is paid by one learner and claimed by another through the link', async ({ page }) => {
  await signIn(page, 'learner0046@demo.shuzhai.local');
  await page.goto('/creator/daniel-ortiz');
  const href = await page
    .locator('article.card:has(.price:not(.free)) .card-title a')
    .nth(2)
    .getAttribute('href');
  await page.goto(href!);
  await hydrated(page);
  await page.locator('.item-head').getByRole('link', { name: /作为礼物赠送/ }).click();
  await expect(page).toHaveURL(/\/give\?product=item:/);
  await hydrated(page);

  // A bad address is explained next to the field.
  await page.getByLabel('对方的电子邮箱').fill('friend@example');
  await page.getByRole('button', { name: /支付礼物/ }).click();
  await expect(page.locator('#f-email-error')).toContainText('电子邮箱');
  await page.getByLabel('对方的电子邮箱').fill('learner0047@demo.shuzhai.local');
  await page.getByLabel('留言（可选）').fill('送你一本好书');
  await page.getByRole('button', { name: /支付礼物/ }).click();
  await expect(page).toHaveURL(/\/pay\/o[0-9a-f]{24}$/);
  await hydrated(page);
  await page.getByLabel('卡号').fill('4242 4242 4242 4242');
  await page.getByRole('button', { name: /^支付 / }).click();
  await expect(page).toHaveURL(/\/orders\/o[0-9a-f]{24}$/);
  const link = await page.locator('a.gift-link').getAttribute('href');
  expect(link).toMatch(/^\/gift\/[A-Za-z0-9_-]{43}$/);
  // The giver gave it away: it stays locked for them.
  await page.goto(href!);
  await expect(page.locator('aside.paywall')).toBeVisible();

  // The friend signs in, opens the link and claims it.
  await page.context().clearCookies();
  await signIn(page, 'learner0047@demo.shuzhai.local');
  await page.goto(link!);
  await hydrated(page);
  await expect(page.locator('blockquote.gift-message')).toHaveText('送你一本好书');
  await page.getByRole('button', { name: '领取到我的书架' }).click();
  await expect(page.locator('section.gift .notice-ok')).toHaveText('✓ 已加入您的书架。');
  await page.goto(href!);
  await expect(page.getByRole('region', { name: /Full text|全文/ })).toContainText(PAID_MARKER);
});
