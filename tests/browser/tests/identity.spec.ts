// A manager merges two planted duplicates from the demo data, field by field, and
// undoes the merge: the pair is back in the queue and both records as before.
import { test, expect } from '@playwright/test';
import { expectNoHorizontalOverflow, shotPath, signIn } from './helpers';

test('merge two planted duplicates, then undo the merge', async ({ page }) => {
  await signIn(page, 'admin');
  await page.getByRole('link', { name: '疑似重复' }).click();
  await expect(page).toHaveURL(/\/identity$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('疑似重复客户');

  // The demo plants same-name, same-address pairs: the first one, with its reason.
  const first = page.locator('#review-queue tbody tr').first();
  await expect(first).toBeVisible();
  await expect(first).toContainText('同名同地址');
  const reviewId = await first.getAttribute('data-review');
  const [nameA, nameB] = await first.locator('td a[href^="/customers/"]').allTextContents();
  expect(nameA).toBe(nameB);

  await first.getByRole('link', { name: '比对' }).click();
  await expect(page).toHaveURL(new RegExp(`/identity/reviews/${reviewId}$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('比对与合并');
  await expect(page.locator('tr[data-field="name"]')).toContainText(nameA);
  await page.screenshot({ path: shotPath('identity-merge-screen'), fullPage: true });
  // On a phone the two records stack, and nothing scrolls sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  await expectNoHorizontalOverflow(page);
  await page.screenshot({ path: shotPath('identity-merge-screen-phone'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
  // Keep the first record, but the second one's mobile.
  await page.locator('tr[data-field="mobile"] input[value="b"]').check();
  await Promise.all([page.waitForURL(/\/identity\/merges\/\d+$/), page.locator('#merge').click()]);
  const mergeUrl = page.url();
  await expect(page.locator('#merge-status')).toContainText('生效中');
  await page.screenshot({ path: shotPath('identity-merge-done'), fullPage: true });
  await expect(page.locator('body')).toContainText('手机');

  // The pair has left the queue.
  await page.goto('/identity');
  await expect(page.locator(`tr[data-review="${reviewId}"]`)).toHaveCount(0);

  // Undo: the merge is marked undone and the pair is back for review.
  await page.goto(mergeUrl);
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/undo') && r.request().method() === 'POST'),
    page.locator('#undo').click(),
  ]);
  await expect(page).toHaveURL(mergeUrl);
  await expect(page.locator('#merge-status')).toContainText('已撤销');
  await expect(page.locator('#undo')).toHaveCount(0);
  await page.goto('/identity');
  await expect(page.locator(`tr[data-review="${reviewId}"]`)).toHaveCount(1);
});

test('a sales consultant has no duplicates queue', async ({ page }) => {
  await signIn(page, 'consultant');
  await expect(page.getByRole('link', { name: '疑似重复' })).toHaveCount(0);
  const res = await page.request.get('/identity');
  expect(res.status()).toBe(403);
});
