import { test, expect } from '@playwright/test';
import { hydrated, moveAboveThePaywallAndPublish, signInAs, watchConsole, wav } from './support';

// Editing pages other than an item's text: a new course from the studio with its lessons
// reordered on the page, a creator's own page, and the store front. Each test signs in a
// different account, within the per-account sign-in limit of a full run.

test('a creator starts a new course in the studio, orders its lessons on the page, publishes, and a visitor sees the outline and a follower is told', async ({ page, browser }) => {
  const errors = watchConsole(page);
  // A learner follows the creator first (signed out, "Follow" leads through signing in).
  const fan = await (await browser.newContext()).newPage();
  const fanErrors = watchConsole(fan);
  await fan.goto('/creator/daniel-ortiz');
  await hydrated(fan);
  await fan.getByTestId('follow').click();
  await fan.waitForURL(/\/signin\?next=/);
  await hydrated(fan);
  await fan.getByLabel('E-mail').fill('learner0471@demo.shuzhai.local');
  await fan.getByLabel('Password', { exact: true }).fill('demo-learner-password');
  await fan.getByRole('button', { name: 'Sign in' }).click();
  await fan.waitForURL(/\/creator\/daniel-ortiz/);
  await hydrated(fan);
  const followers = Number((await fan.getByTestId('followers').textContent())!.replace(/\D/g, ''));
  await fan.getByTestId('follow').click();
  // Demo learners read the store in Chinese.
  await expect(fan.getByTestId('follow')).toHaveText(/Following ✓|已关注 ✓/);
  await expect(fan.getByTestId('follow')).toHaveAttribute('aria-pressed', 'true');
  await expect(fan.getByTestId('followers')).toContainText(String(followers + 1));

  await signInAs(page, 'daniel-ortiz@demo.shuzhai.local', 'demo-creator-password');
  await page.goto('/studio/products');
  await hydrated(page);
  await page.getByTestId('new-item').locator('summary').click();
  await page.locator('#new-kind').selectOption('course');
  await page.locator('#new-language').selectOption('en');
  const stamp = Date.now();
  await page.getByTestId('new-item').locator('input[name=title]').fill(`Knife skills ${stamp}`);
  await page.getByTestId('create-item').click();
  await page.waitForURL(new RegExp(`/item/knife-skills-${stamp}\\?edit=1$`));
  const slug = `knife-skills-${stamp}`;

  // The editor opens the new draft: a chapter and a lesson to write, and the outline.
  const outline = page.getByTestId('course-outline');
  await expect(outline).toBeVisible();
  await expect(outline.getByTestId('outline-entry')).toHaveText([/Chapter 1/, /Lesson 1/]);
  await page.getByTestId('field-summary_en').fill('Cut safely, cut fast.');
  // Priced, so that it is not the newest free course other tests claim.
  await page.getByTestId('field-price').fill('19.90');
  await page.getByTestId('field-price').press('Tab');
  await page.locator('.edit-block[data-kind="paragraph"] textarea').first().fill('Hold the board steady with a damp cloth.');

  // A new lesson at the end (behind the paywall), named as it is typed.
  await page.getByTestId('add-lesson').click();
  // The new lesson's name takes the keyboard once it is drawn.
  await expect(page.locator('.edit-block[data-kind="h3"] textarea').last()).toBeFocused();
  await page.keyboard.type('Holding the knife');
  await expect(outline.getByTestId('outline-entry')).toHaveText([/Chapter 1/, /Lesson 1/, /Holding the knife/]);

  // Moved up with its text, past the first lesson (which holds the paywall): the editor
  // says the free part changed.
  await outline.getByRole('button', { name: 'Move lesson “Holding the knife” up' }).click();
  await expect(outline.getByTestId('outline-entry')).toHaveText([/Chapter 1/, /Holding the knife/, /Lesson 1/]);
  await expect(page.getByTestId('outline-paywall-moved')).toBeVisible();
  // And back down with the keyboard.
  await page.locator('.outline-go', { hasText: 'Holding the knife' }).focus();
  await page.keyboard.press('Alt+ArrowDown');
  await expect(outline.getByTestId('outline-entry')).toHaveText([/Chapter 1/, /Lesson 1/, /Holding the knife/]);
  await expect(page.locator('.edit-block[data-kind="h3"] textarea').last()).toHaveValue('Holding the knife');

  await expect(page.locator('[data-testid="save-state"][data-state="saved"]')).toBeVisible({ timeout: 10_000 });
  await page.getByTestId('publish').click();
  await expect(page.getByTestId('editor-message')).toContainText('Published');

  // A visitor finds it, with both lessons in the outline and only the first free.
  const visitor = await browser.newContext();
  const v = await visitor.newPage();
  await v.goto(`/item/${slug}`);
  const lessons = v.locator('section.outline li li');
  await expect(lessons).toHaveCount(2);
  await expect(lessons.nth(0)).toContainText('Lesson 1');
  await expect(lessons.nth(0)).toContainText('Free preview');
  await expect(lessons.nth(1)).toContainText('Holding the knife');
  await expect(lessons.nth(1)).not.toContainText('Free preview');
  await expect(v.getByText('Hold the board steady with a damp cloth.')).toBeVisible();
  await visitor.close();

  // The follower finds the new course in their notifications, and can stop following.
  await fan.goto('/notifications');
  await hydrated(fan);
  const told = fan.getByTestId('notifications').locator('li', { hasText: `Knife skills ${stamp}` });
  await expect(told).toContainText(/published|发布了新作品/);
  await expect(told.getByRole('link')).toHaveAttribute('href', `/item/${slug}`);
  const following = fan.getByTestId('following');
  await expect(following).toContainText('Daniel Ortiz');
  await following.getByRole('button', { name: /(Unfollow|取消关注) Daniel Ortiz/ }).click();
  await expect(fan.getByText(/None yet\.|还没有。/)).toBeVisible();
  expect(errors).toEqual([]);
  expect(fanErrors).toEqual([]);
});

test('a creator edits their own page in place: biography and picture', async ({ page, browser }) => {
  await signInAs(page, 'lin-xiao@demo.shuzhai.local', 'demo-creator-password');
  await page.goto('/creator/lin-xiao');
  await hydrated(page);
  await page.getByTestId('edit-page').click();
  await expect(page.getByTestId('save-profile')).toBeVisible();
  await hydrated(page);

  // A picture drawn on the spot, uploaded and shown at once.
  const png = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 160; c.height = 160;
    const g = c.getContext('2d')!;
    g.fillStyle = '#2a6'; g.fillRect(0, 0, 160, 160);
    g.fillStyle = '#fff'; g.fillRect(40, 40, 80, 80);
    return c.toDataURL('image/png').split(',')[1];
  });
  await page.getByTestId('upload-avatar').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: Buffer.from(png, 'base64') });
  await expect(page.getByTestId('edit-avatar')).toHaveAttribute('src', /^\/media\/[0-9a-f]{64}\.png$/);
  const bio = `写作与思考的老师。<b>不是粗体</b> ${Date.now()}`;
  await page.locator('#f-bio').fill(bio);
  await page.getByTestId('save-profile').click();
  await page.waitForURL(/\/creator\/lin-xiao\?saved=1$/);

  // A visitor sees the new words, as text, and the picture.
  const visitor = await browser.newContext();
  const v = await visitor.newPage();
  await v.goto('/creator/lin-xiao');
  await expect(v.locator('.creator-head p').first()).toHaveText(bio);
  await expect(v.locator('.creator-head img.avatar')).toHaveAttribute('src', /^\/media\/[0-9a-f]{64}\.png$/);
  await expect(v.getByTestId('edit-page')).toHaveCount(0);
  await visitor.close();
});

test('an admin edits the store front in place and visitors see it in their language', async ({ page, browser }) => {
  await signInAs(page, 'admin@demo.shuzhai.local', 'demo-admin-password');
  await page.goto('/');
  await hydrated(page);
  await page.getByTestId('edit-page').click();
  await expect(page.getByTestId('save-front')).toBeVisible();
  await hydrated(page);
  const tagline = `Learn from people who know, every day ${Date.now()}`;
  await page.locator('#f-tagline_en').fill(tagline);
  await page.locator('#f-tagline_zh').fill('每天向懂行的人学习');
  await page.getByTestId('save-front').click();
  await page.waitForURL(/\/\?saved=1$/);

  const en = await browser.newContext({ locale: 'en-US' });
  const e = await en.newPage();
  await e.goto('/');
  await expect(e.getByTestId('store-tagline')).toHaveText(tagline);
  await en.close();
  const zh = await browser.newContext({ locale: 'zh-CN' });
  const z = await zh.newPage();
  await z.goto('/');
  await expect(z.getByTestId('store-tagline')).toHaveText('每天向懂行的人学习');
  await zh.close();
});

test('a listener uses the player: chapters from the caption, 15 seconds back and forward, speed, and the place kept on the device and in the account', async ({ page, browser }) => {
  await signInAs(page, 'lin-xiao@demo.shuzhai.local', 'demo-creator-password');
  await page.goto('/creator/lin-xiao');
  const href = (await page.locator('article.card .card-title a').nth(2).getAttribute('href'))!;
  await page.goto(`${href}?edit=1`);
  await expect(page.getByTestId('media-adder')).toBeVisible();
  await page.getByTestId('upload-audio').setInputFiles({ name: 'lecture.wav', mimeType: 'audio/wav', buffer: wav(60) });
  const block = page.locator('.edit-block[data-kind="media"]').last();
  await expect(block.locator('audio.edit-media')).toBeAttached({ timeout: 20_000 });
  await block.locator('textarea').fill('第三讲 声调\n0:00 开场\n0:30 第三声');
  await moveAboveThePaywallAndPublish(page, block);

  const visitor = await browser.newContext();
  const v = await visitor.newPage();
  await v.goto(href);
  await hydrated(v);
  const player = v.getByTestId('player').last();
  await expect(player.locator('figcaption')).toHaveText('第三讲 声调');
  const chapters = player.getByTestId('chapter');
  await expect(chapters).toHaveText([/0:00\s*开场/, /0:30\s*第三声/]);
  const audio = player.locator('audio');
  const at = () => audio.evaluate((a: HTMLAudioElement) => a.currentTime);
  await chapters.nth(1).click();
  await expect.poll(at).toBeGreaterThanOrEqual(30);
  await audio.evaluate((a: HTMLAudioElement) => a.pause());
  const t0 = await at();
  await player.getByTestId('forward-15').click();
  await expect.poll(at).toBeCloseTo(t0 + 15, 0);
  await player.getByTestId('back-15').click();
  await expect.poll(at).toBeCloseTo(t0, 0);
  await player.getByTestId('speed').selectOption('1.5');
  expect(await audio.evaluate((a: HTMLAudioElement) => a.playbackRate)).toBe(1.5);
  // The place is kept on the device as it moves, and found again after a reload.
  await v.reload();
  await hydrated(v);
  await expect.poll(() => v.getByTestId('player').last().locator('audio').evaluate((a: HTMLAudioElement) => a.currentTime)).toBeCloseTo(t0, 0);
  await visitor.close();

  // Signed in, the place is kept in the account too: another device starts there.
  await page.goto(href);
  await hydrated(page);
  const mine = page.getByTestId('player').last();
  const saved = page.waitForResponse((r) => r.url().includes('/api/media_place_save') && r.status() === 200);
  await mine.getByTestId('chapter').nth(1).click();
  await expect.poll(() => mine.locator('audio').evaluate((a: HTMLAudioElement) => a.currentTime)).toBeGreaterThanOrEqual(30);
  await mine.locator('audio').evaluate((a: HTMLAudioElement) => a.pause());
  await saved;
  const other = await browser.newContext();
  const o = await other.newPage();
  await signInAs(o, 'lin-xiao@demo.shuzhai.local', 'demo-creator-password');
  await o.goto(href);
  await hydrated(o);
  await expect.poll(() => o.getByTestId('player').last().locator('audio').evaluate((a: HTMLAudioElement) => a.currentTime)).toBeGreaterThanOrEqual(30);
  await other.close();
});
