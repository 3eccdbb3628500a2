import { test, expect } from '@playwright/test';
import { hydrated, signInAs } from './support';

const PASSWORD = 'demo-learner-password';

test('a learner reports a comment, an admin hides it from the queue, and visitors no longer see it', async ({ browser }) => {
  // The author writes a comment on a free item.
  const authorCtx = await browser.newContext();
  const author = await authorCtx.newPage();
  author.on('dialog', (d) => { throw new Error(`a dialog opened: ${d.message()}`); });
  await signInAs(author, 'learner0063@demo.shuzhai.local', PASSWORD);
  await author.goto('/catalog?price=free&kind=ebook');
  const href = (await author.locator('article.card .card-title a').first().getAttribute('href'))!;
  await author.goto(href);
  await hydrated(author);
  const words = `Cheap followers for sale ${Date.now()} <img src=x onerror=alert(1)>`;
  await author.getByTestId('community').getByLabel(/Add a comment|发表评论/).fill(words);
  await author.getByTestId('community').getByRole('button', { name: /Post comment|发布评论/ }).click();
  await author.waitForURL(/#comments$/);
  await expect(author.getByTestId('comment').filter({ hasText: words })).toHaveCount(1);

  // Another learner reports it.
  const reporterCtx = await browser.newContext();
  const reporter = await reporterCtx.newPage();
  await signInAs(reporter, 'learner0064@demo.shuzhai.local', PASSWORD);
  await reporter.goto(href);
  await hydrated(reporter);
  const theirs = reporter.getByTestId('comment').filter({ hasText: words });
  await theirs.getByTestId('report').locator('summary').click();
  await theirs.getByLabel(/Spam or advertising|垃圾信息或广告/).check();
  await theirs.getByLabel(/Anything the moderators should know|补充说明/).fill('Selling followers.');
  await theirs.getByRole('button', { name: /Send report|提交举报/ }).click();
  await expect(reporter.getByTestId('reported')).toBeVisible();

  // The admin sees it in the queue, with the reason and the note, and hides it.
  const adminCtx = await browser.newContext();
  const admin = await adminCtx.newPage();
  await signInAs(admin, 'admin@demo.shuzhai.local', 'demo-admin-password');
  await admin.goto('/admin/moderation');
  await hydrated(admin);
  const entry = admin.getByTestId('queue-entry').filter({ hasText: words });
  await expect(entry).toContainText('Spam or advertising');
  await expect(entry).toContainText('Selling followers.');
  await expect(entry).toContainText('1 person reported it');
  await entry.getByRole('button', { name: 'Hide', exact: true }).click();
  await expect(admin.getByTestId('moderation-done')).toContainText('hide');
  await expect(admin.getByTestId('queue-entry').filter({ hasText: words })).toHaveCount(0);

  // A visitor no longer sees it; its author still does, marked as hidden.
  const visitorCtx = await browser.newContext();
  const visitor = await visitorCtx.newPage();
  await visitor.goto(href);
  await expect(visitor.getByTestId('community')).toBeVisible();
  await expect(visitor.getByText(words)).toHaveCount(0);
  await author.reload();
  const mine = author.getByTestId('comment').filter({ hasText: words });
  await expect(mine.getByTestId('moderation-state')).toContainText(/Hidden by a moderator|已被管理员隐藏/);
  for (const c of [authorCtx, reporterCtx, adminCtx, visitorCtx]) await c.close();
});
