import { test, expect, Page } from '@playwright/test';
import { readFileSync } from 'fs';
import { hydrated, signInAs, watchConsole } from './support';

// The demo creator Maya Chen, whose account is in English (see server/src/seed.rs). The
// server's analytics job counts the demo history and computes the reports right after
// start-up.
const CREATOR = { email: 'maya-chen@demo.shuzhai.local', password: 'demo-creator-password' };

async function openDashboard(page: Page, query = '') {
  // The first report is computed a moment after start-up: reload until it is there.
  for (let i = 0; i < 30; i++) {
    await page.goto(`/studio/analytics${query}`);
    await hydrated(page);
    if (await page.getByTestId('segments-table').count()) return;
    await page.waitForTimeout(1000);
  }
  throw new Error('the analytics report never appeared');
}

test('a creator changes the range, opens a segment and downloads a CSV', async ({ page }) => {
  const errors = watchConsole(page);
  await signInAs(page, CREATOR.email, CREATOR.password);
  await openDashboard(page, '?from=2026-08-01&to=2026-08-31');
  await expect(page.getByTestId('store-name')).toContainText('Maya Chen');
  await expect(page.getByTestId('range')).toContainText('2026-08-01 – 2026-08-31 (31 days)');
  const augustNet = await page.getByTestId('kpi-net').locator('.kpi-value').innerText();
  expect(augustNet).toMatch(/^¥[\d,]+\.\d\d$/);

  // A new range through the form: the page updates in place and the address follows.
  await page.getByLabel('From', { exact: true }).fill('2026-05-01');
  await page.getByLabel('To', { exact: true }).fill('2026-10-31');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/from=2026-05-01&to=2026-10-31/);
  await expect(page.getByTestId('range')).toContainText('2026-05-01 – 2026-10-31 (184 days)');
  await expect(page.getByTestId('range')).toContainText('compared with 2025-10-29 – 2026-04-30');
  const longNet = await page.getByTestId('kpi-net').locator('.kpi-value').innerText();
  expect(longNet).not.toEqual(augustNet);
  await expect(page.getByTestId('revenue-chart').locator('polyline')).toHaveCount(1);
  await expect(page.getByTestId('funnel')).toBeVisible();
  // Back goes to the previous range.
  await page.goBack();
  await expect(page.getByTestId('range')).toContainText('2026-08-01 – 2026-08-31');
  await page.goForward();
  await expect(page.getByTestId('range')).toContainText('2026-05-01 – 2026-10-31');

  // A segment opens to show its learners; its coupon link prefills a code.
  const segment = page.getByTestId('segment').first();
  await segment.locator('summary').click();
  await expect(segment.locator('li').first()).toContainText('Learner');
  await expect(page.getByTestId('segments-summary')).toContainText('silhouette');
  await expect(page.getByTestId('lapse-summary')).toContainText('AUC');

  // A coupon for the largest segment: only its learners can use it, and those who asked for
  // store news get it by e-mail.
  const dashboardUrl = page.url();
  await page.getByTestId('segment-coupon').first().click();
  await expect(page).toHaveURL(/\/studio\/sales\?segment=1/);
  await hydrated(page);
  const code = `SEG1-${Date.now() % 1000000}`;
  await page.getByLabel('New code').fill(code);
  await page.getByLabel('Discount (10 = 10% or ¥10)').fill('15');
  await expect(page.getByTestId('notify-segment')).toBeChecked();
  await page.getByRole('button', { name: 'Create coupon' }).click();
  await expect(page.getByTestId('coupon-sent')).toContainText(/e-mailed to \d+ learners/);
  await expect(page.locator('tr', { hasText: code })).toContainText('Segment 1 ·');
  await page.goto(dashboardUrl);
  await hydrated(page);

  // CSV of the products.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('csv-products').click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^shuzhai-c2-products-2026-05-01-2026-10-31\.csv$/);
  const csv = readFileSync((await download.path())!, 'utf8');
  const lines = csv.replace(/^\uFEFF/, '').trim().split('\r\n');
  expect(lines[0]).toBe('product,title,views,previews,purchases,conversion,sales,gross,refunds,fees,net,ratings,rating_mean,started,completed');
  expect(lines.length).toBeGreaterThan(5);
  for (const line of lines) expect(line).not.toMatch(/^[=+\-@]/);

  // One item's own figures.
  await page.getByTestId('products-table').locator('tbody a').first().click();
  await expect(page).toHaveURL(/item=/);
  await expect(page.getByText('← The whole store')).toBeVisible();

  expect(errors).toEqual([]);

  // A range that makes no sense gets a clear message (status 400) and the form to fix it.
  await page.goto('/studio/analytics?from=2026-10-31&to=2026-10-01');
  await expect(page.getByRole('alert')).toContainText('after the end date');
  await expect(page.getByTestId('range-form')).toBeVisible();
});

test('a learner who did not allow analytics browses and nothing is stored for them', async ({ page }) => {
  await signInAs(page, 'learner0049@demo.shuzhai.local', 'demo-learner-password');
  const events = async () => {
    const r = await page.request.get('/account/export.json');
    expect(r.status()).toBe(200);
    return (await r.json()).events.length as number;
  };
  // Analytics off (as for every new account; set again so that the test can run twice).
  const consent = async (on: boolean) => {
    await page.goto('/account#privacy');
    await hydrated(page);
    // The learner's account may be in English or Chinese.
    await page.getByLabel(/Record what I view and read|记录我浏览和阅读/).setChecked(on);
    await page.getByRole('button', { name: /Save privacy choices|保存隐私选项/ }).click();
    await expect(page.getByText(/Privacy choices saved\.|隐私选项已保存。/)).toBeVisible();
  };
  await consent(false);
  const before = await events();
  for (const href of ['/catalog?q=rust', '/catalog']) {
    await page.goto(href);
    await hydrated(page);
  }
  const first = page.locator('article.card .card-title a').first();
  await first.click();
  await page.waitForURL(/\/item\//);
  await page.goBack();
  await page.locator('article.card .card-title a').nth(1).click();
  await page.waitForURL(/\/item\//);
  expect(await events()).toBe(before);

  // With analytics allowed, the same browsing is recorded (so the check above can fail).
  await consent(true);
  await page.goto('/catalog');
  await hydrated(page);
  await page.locator('article.card .card-title a').first().click();
  await page.waitForURL(/\/item\//);
  await expect.poll(events).toBeGreaterThan(before);
});
