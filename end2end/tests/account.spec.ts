import { test, expect, Browser, Page } from '@playwright/test';
import { readFileSync } from 'fs';

// The demo seed's admin (see server/src/seed.rs): reads the outbox, where mail waits when
// no SMTP server is configured.
const ADMIN = { email: 'admin@demo.shuzhai.local', password: 'demo-admin-password' };

async function hydrated(page: Page) {
  await page.waitForSelector('html[data-hydrated]', { state: 'attached' });
}

async function signIn(page: Page, email: string, password: string) {
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

// The newest link starting with `prefix` in mail to `to`, read from the admin's outbox page.
async function linkFromOutbox(browser: Browser, to: string, prefix: string): Promise<string> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/signin');
  await hydrated(page);
  await signIn(page, ADMIN.email, ADMIN.password);
  await expect(page).toHaveURL(/\/account/);
  await page.goto('/admin/outbox');
  const body = await page.locator('article.mail', { hasText: to }).first().locator('pre').innerText();
  await context.close();
  const match = body.match(new RegExp(`https?://\\S+?(${prefix}\\S+)`));
  expect(match, body).toBeTruthy();
  return match![1];
}

test('sign up, sign out, reset by the mailed link, sign in, export, delete', async ({ page, browser }) => {
  const email = `reader-${Date.now()}@example.com`;
  const first = 'first long passphrase';
  const second = 'second long passphrase';

  await page.goto('/signup');
  await hydrated(page);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Your name').fill('Playwright Reader');
  await page.getByLabel('Password', { exact: true }).fill('short');
  await page.getByLabel('Password again').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  // The error appears next to the field, and what was typed stays.
  await expect(page.locator('#f-password-error')).toHaveText('Use at least 10 characters.');
  await expect(page.getByLabel('E-mail')).toHaveValue(email);
  await page.getByLabel('Password', { exact: true }).fill(first);
  await page.getByLabel('Password again').fill(first);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'Check your inbox' })).toBeVisible();

  await page.goto(await linkFromOutbox(browser, email, '/signup/confirm/'));
  await hydrated(page);
  await page.getByRole('button', { name: 'Confirm and sign in' }).click();
  await expect(page).toHaveURL(/\/account\?welcome=1/);
  await expect(page.getByRole('heading', { name: 'Your account' })).toBeVisible();
  await expect(page.locator('.site-header .account-link')).toHaveText('Playwright Reader');

  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('.site-header').getByRole('link', { name: 'Sign in' })).toBeVisible();

  await page.goto('/reset');
  await hydrated(page);
  await page.getByLabel('E-mail').fill(email);
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await expect(page.getByText('If an account exists for that address')).toBeVisible();

  const resetLink = await linkFromOutbox(browser, email, '/reset/');
  await page.goto(resetLink);
  await hydrated(page);
  await page.getByLabel('New password', { exact: true }).fill(second);
  await page.getByLabel('New password again').fill(second);
  await page.getByRole('button', { name: 'Save password' }).click();
  await expect(page).toHaveURL(/\/signin\?reset=1/);
  await expect(page.getByText('Your password was changed')).toBeVisible();

  // The link worked once.
  await page.goto(resetLink);
  await hydrated(page);
  await page.getByLabel('New password', { exact: true }).fill('third long passphrase');
  await page.getByLabel('New password again').fill('third long passphrase');
  await page.getByRole('button', { name: 'Save password' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'expired or was already used' })).toBeVisible();

  await page.goto('/signin');
  await hydrated(page);
  await signIn(page, email, first);
  await expect(page.locator('#f-password-error')).toHaveText('That e-mail and password do not match an account.');
  await signIn(page, email, second);
  await expect(page).toHaveURL(/\/account/);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download my data (JSON)' }).click(),
  ]);
  const exported = JSON.parse(readFileSync((await download.path())!, 'utf8'));
  expect(exported.profile.email).toBe(email);
  expect(JSON.stringify(exported)).not.toContain('argon2');

  await page.getByText('Delete my account', { exact: true }).click();
  await page.getByLabel('Your password, to confirm').fill(second);
  await page.getByRole('button', { name: 'Delete my account for good' }).click();
  await expect(page).toHaveURL(/\/\?deleted=1/);
  await expect(page.locator('.site-header').getByRole('link', { name: 'Sign in' })).toBeVisible();

  await page.goto('/signin');
  await hydrated(page);
  await signIn(page, email, second);
  await expect(page.locator('#f-password-error')).toHaveText('That e-mail and password do not match an account.');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('sign in shows errors next to the field, then signs in', async ({ page }) => {
    await page.goto('/signin');
    await signIn(page, 'learner0003@demo.shuzhai.local', 'not the right one');
    await expect(page.locator('#f-password-error')).toHaveText('That e-mail and password do not match an account.');
    await signIn(page, 'learner0003@demo.shuzhai.local', 'demo-learner-password');
    await expect(page).toHaveURL(/\/account$/);
    // The demo learners chose Chinese: the account page speaks it.
    await expect(page.getByRole('heading', { name: '我的账户' })).toBeVisible();
    await expect(page.getByText('learner0003@demo.shuzhai.local')).toBeVisible();
    await page.getByRole('button', { name: '退出登录', exact: true }).click();
    // Signed out, the browser's language (English) applies again.
    await expect(page.locator('.site-header').getByRole('link', { name: 'Sign in' })).toBeVisible();
  });
});
