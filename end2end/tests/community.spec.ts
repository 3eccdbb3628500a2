import { test, expect, Page } from '@playwright/test';
import { hydrated, signInAs, watchConsole } from './support';

const PASSWORD = 'demo-learner-password';

// Adds the first free e-book to the learner's library (making them an owner); its path.
async function claimFreeBook(page: Page): Promise<string> {
  await page.goto('/catalog?price=free&kind=ebook');
  await page.locator('article.card .card-title a').first().click();
  await hydrated(page);
  const claim = page.getByRole('button', { name: /Add to library — free|免费加入书架/ });
  if (await claim.count()) {
    await claim.click();
    await expect(page.getByText(/✓ (In your library|已在您的书架中)/)).toBeVisible();
  }
  return new URL(page.url()).pathname;
}

test.use({ viewport: { width: 390, height: 740 } });

test('an owner rates and reviews, likes and comments; another learner replies; hostile text stays text', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  let dialogs = 0;
  page.on('dialog', (d) => { dialogs += 1; void d.dismiss(); });
  await signInAs(page, 'learner0039@demo.shuzhai.local', PASSWORD);
  const path = await claimFreeBook(page);
  await page.goto(path);
  await hydrated(page);
  const community = page.getByTestId('community');

  // A review: stars and words; writing again edits the same one. (On a server that ran
  // this test before, the learner's review is already there and is edited.)
  await community.getByRole('radio', { name: '4 ★' }).check();
  await community.getByLabel(/Your review|你的评价/).fill('<b>Solid</b> </textarea><script>alert(1)</script>');
  await community.getByRole('button', { name: /Publish review|发布评价|Update review|更新评价/ }).click();
  await page.waitForURL(/#reviews$/);
  await hydrated(page);
  const mine = page.getByTestId('reviews').locator('li.mine');
  await expect(mine).toContainText('<b>Solid</b> </textarea><script>alert(1)</script>');
  await expect(mine.locator('.stars')).toHaveText('★★★★☆');
  await page.getByTestId('community').getByRole('radio', { name: '5 ★' }).check();
  await page.getByTestId('community').getByRole('button', { name: /Update review|更新评价/ }).click();
  await page.waitForURL(/#reviews$/);
  await hydrated(page);
  await expect(page.getByTestId('reviews').locator('li.mine')).toHaveCount(1);
  await expect(page.getByTestId('reviews').locator('li.mine .stars')).toHaveText('★★★★★');
  await expect(page.getByTestId('rating-summary')).toContainText('★');

  // A like, counted once and shown as pressed.
  if ((await page.getByTestId('like').getAttribute('aria-pressed')) === 'true') {
    await page.getByTestId('like').click();
    await expect(page.getByTestId('like')).toHaveAttribute('aria-pressed', 'false');
  }
  const like = page.getByTestId('like');
  const before = parseInt((await like.textContent())!.split('·')[1]);
  await like.click();
  await expect(page.getByTestId('like')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('like')).toContainText(`· ${before + 1}`);

  // A comment with hostile text: shown as text, nothing runs.
  const words = `Question ${Date.now()} <img src=x onerror=alert(1)>`;
  await page.getByTestId('community').getByLabel(/Add a comment|发表评论/).fill(words);
  await page.getByTestId('community').getByRole('button', { name: /Post comment|发布评论/ }).click();
  await page.waitForURL(/#comments$/);
  await hydrated(page);
  const mineComment = page.getByTestId('comment').filter({ hasText: words });
  await expect(mineComment).toHaveCount(1);

  // Another learner, who does not own the book, may not review it but replies.
  const other = await browser.newContext({ viewport: { width: 390, height: 740 } });
  const bob = await other.newPage();
  await signInAs(bob, 'learner0040@demo.shuzhai.local', PASSWORD);
  await bob.goto(path);
  await hydrated(bob);
  await expect(bob.getByTestId('review-owners-only')).toBeVisible();
  const thread = bob.getByTestId('comment').filter({ hasText: words });
  await thread.locator('.reply-box > summary').click();
  await thread.getByLabel(/Your reply|你的回复/).fill('It is in chapter 2.');
  await thread.getByRole('button', { name: /Post reply|发布回复/ }).click();
  await bob.waitForURL(/#comments$/);
  await other.close();

  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId('comment').filter({ hasText: words }).getByTestId('reply')).toContainText('It is in chapter 2.');
  expect(dialogs).toBe(0);
  expect(errors).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });
  test('a comment is posted by an ordinary form', async ({ page }) => {
    await page.goto('/signin');
    await page.getByLabel('E-mail').fill('learner0041@demo.shuzhai.local');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
    await page.goto('/catalog?price=free&kind=article');
    await page.locator('article.card .card-title a').first().click();
    const words = `Posted without scripts ${Date.now()}`;
    await page.getByTestId('community').getByLabel(/Add a comment|发表评论/).fill(words);
    await page.getByTestId('community').getByRole('button', { name: /Post comment|发布评论/ }).click();
    await expect(page).toHaveURL(/#comments$/);
    await expect(page.getByTestId('comment').filter({ hasText: words })).toHaveCount(1);
  });
});

test('a question reaches the creator, the answer comes back with a notification, and feedback lands in the inbox', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  await signInAs(page, 'learner0050@demo.shuzhai.local', PASSWORD);
  // A free item of Maya Chen's store.
  await page.goto('/creator/maya-chen');
  const href = (await page.locator('article.card:has(.price.free) .card-title a').first().getAttribute('href'))!;
  await page.goto(href);
  await hydrated(page);
  const question = `When is part 2 out? ${Date.now()}`;
  await page.getByTestId('community').getByLabel(/Add a comment|发表评论/).fill(question);
  await page.getByTestId('community').getByLabel(/question for the creator|向作者提的问题/).check();
  await page.getByTestId('community').getByRole('button', { name: /Post comment|发布评论/ }).click();
  await expect(page.getByTestId('comment').filter({ hasText: question }).locator('.badge-question')).toBeVisible();

  // Private feedback for the creator.
  const feedback = `Loved the examples ${Date.now()}`;
  await page.locator('#feedback summary').click();
  await page.getByLabel(/Your feedback|你的反馈/).fill(feedback);
  await page.getByRole('button', { name: /Send feedback|发送反馈/ }).click();
  await expect(page.getByTestId('feedback-sent')).toBeVisible();

  // The creator finds both in the inbox and answers on the item page.
  const studio = await browser.newContext();
  const maya = await studio.newPage();
  await signInAs(maya, 'maya-chen@demo.shuzhai.local', 'demo-creator-password');
  await maya.goto('/studio/inbox');
  await hydrated(maya);
  await expect(maya.getByTestId('feedback-list')).toContainText(feedback);
  const open = maya.getByTestId('open-questions').locator('li').filter({ hasText: question });
  await open.getByRole('link').click();
  await hydrated(maya);
  const thread = maya.getByTestId('comment').filter({ hasText: question });
  await thread.locator('.reply-box > summary').click();
  await thread.getByLabel(/Your reply|你的回复/).fill('Next month, with exercises.');
  await thread.getByRole('button', { name: /Post reply|发布回复/ }).click();
  await expect(maya.getByTestId('comment').filter({ hasText: question }).getByTestId('answered')).toBeVisible();
  await maya.goto('/studio/inbox');
  await expect(maya.getByTestId('open-questions')).not.toContainText(question);
  const item = maya.getByTestId('feedback-list').locator('li').filter({ hasText: feedback });
  await item.getByRole('button', { name: /Mark as handled|标记为已处理/ }).click();
  await expect(maya.getByTestId('feedback-list').locator('li.handled').filter({ hasText: feedback })).toHaveCount(1);
  await studio.close();

  // The learner sees the bell, opens the notification, and finds the answer.
  await page.goto(href);
  await hydrated(page);
  await expect(page.getByTestId('bell').locator('.bell-count')).toHaveText(/^[1-9]/);
  await page.getByTestId('bell').click();
  await expect(page.getByTestId('notifications').locator('li').first()).toContainText('Next month, with exercises.');
  await page.getByTestId('notifications').locator('li').first().getByRole('link').click();
  await expect(page.getByTestId('comment').filter({ hasText: question }).getByTestId('answered')).toBeVisible();
  await expect(page.getByTestId('bell').locator('.bell-count')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('offline: comments and a like wait on the device and are posted once when back online', async ({ page, context }) => {
  const errors = watchConsole(page);
  await signInAs(page, 'learner0032@demo.shuzhai.local', PASSWORD);
  await page.goto('/catalog?price=free&kind=article');
  await page.locator('article.card .card-title a').first().click();
  await hydrated(page);
  const slug = new URL(page.url()).pathname.split('/').pop()!;
  const community = page.getByTestId('community');
  const liked = async () => (await (await page.request.get(`/api/community?slug=${slug}`)).json()).liked as boolean;
  // Start from "not liked" (on a server that ran this test before, it is liked).
  if (await liked()) {
    await page.getByTestId('like').click();
    await expect(page.getByTestId('like')).toHaveAttribute('aria-pressed', 'false');
  }

  await context.setOffline(true);
  const words = `Written on the train ${Date.now()}`;
  const box = community.getByLabel(/Add a comment|发表评论/);
  await box.fill(words);
  await community.getByRole('button', { name: /Post comment|发布评论/ }).click();
  await expect(community.locator('.comment-form').getByTestId('queued').first()).toBeVisible();
  await expect(box).toHaveValue('');
  // A second comment from the same form is another comment, not a repeat of the first.
  await box.fill(`${words} (2)`);
  await community.getByRole('button', { name: /Post comment|发布评论/ }).click();
  await expect(box).toHaveValue('');
  await page.getByTestId('like').click();
  await expect(page.locator('.like-form').getByTestId('queued')).toBeVisible();

  // Back online: everything is sent, each once.
  await context.setOffline(false);
  await expect(page.getByTestId('offline-sent')).toContainText(/3 forms|3 项/);
  const texts = async () => {
    const c = await (await page.request.get(`/api/community?slug=${slug}`)).json();
    return (c.comments as { text: string }[]).map((x) => x.text);
  };
  expect((await texts()).filter((t) => t === words)).toHaveLength(1);
  expect((await texts()).filter((t) => t === `${words} (2)`)).toHaveLength(1);
  expect(await liked()).toBe(true);
  // Nothing is left to send: a reload sends nothing again.
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId('community')).toContainText(words);
  await page.waitForTimeout(500);
  await expect(page.getByTestId('offline-sent')).toHaveCount(0);
  expect((await texts()).filter((t) => t === words)).toHaveLength(1);
  expect(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch|net::/.test(e))).toEqual([]);
});
