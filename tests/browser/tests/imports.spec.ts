// A dealer manager imports a customer list: the preview shows the bad row's
// problem before anything is written, the commit imports the valid row only.
import { expect, test } from '@playwright/test';
import { signIn } from './helpers';

test('a dealer manager previews a file with a bad row, commits it and sees the counts', async ({ page }) => {
  await signIn(page, 'dealer.mgr');
  await page.locator('nav.nav a[href="/imports"]').click();
  await expect(page).toHaveURL(/\/imports$/);

  // Unique numbers per run, so the test also passes against a reused demo database.
  const tail = String(Date.now()).slice(-8);
  const csv = `姓名,手机,城市\n测试导入,139${tail},上海\n坏号码,12345,上海\n`;
  await page.locator('#import-upload input[type="file"]').setInputFiles({
    name: 'customers.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(csv, 'utf-8'),
  });
  await Promise.all([
    page.waitForURL(/\/imports\/\d+$/),
    page.locator('#import-upload button[type="submit"]').click(),
  ]);

  // The preview: row 3 is refused, naming the column; nothing written yet.
  const bad = page.locator('#import-preview tr[data-row="3"]');
  await expect(bad).toContainText('手机');
  await expect(bad.locator('.error')).toBeVisible();
  await expect(page.locator('[data-count="new"]')).toHaveText('1');
  await expect(page.locator('[data-count="invalid"]')).toHaveText('1');
  await expect(page.locator('#import-problems')).toContainText('12345');

  await page.locator('#import-commit').click();
  // The commit runs in the background; the page polls until it is done.
  await expect(page.locator('[data-count="created"]')).toHaveText('1', { timeout: 15_000 });
  await expect(page.locator('[data-count="invalid"]')).toHaveText('1');
  await expect(page.locator('#import-preview tr[data-row="2"]')).toContainText('C');
});
