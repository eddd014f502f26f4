// Funnel analytics in the browser: a regional manager opens the funnel by source,
// switches the dimension, downloads the same table as Excel, and moves between reports.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { shotPath, signIn } from './helpers';

test('a regional manager reads the funnel by source, by dealer, and downloads it', async ({ page }) => {
  await signIn(page, 'region.east');
  await page.locator('nav.nav a[href="/analytics"]').click();
  await expect(page.locator('h1')).toHaveText('销售漏斗');
  const dims = page.locator('nav.tabs.dims');
  await expect(dims.locator('a[aria-current="page"]')).toHaveText('来源');
  await expect(page.locator('figure.funnel svg rect')).toHaveCount(7);
  const table = page.locator('#report-table');
  await expect(table.locator('thead th').first()).toHaveText('来源');
  expect(await table.locator('tbody tr').count()).toBeGreaterThan(0);
  await expect(table.locator('tfoot th')).toHaveText('合计');
  await page.screenshot({ path: shotPath('analytics-funnel-source'), fullPage: true });

  await Promise.all([page.waitForURL(/by=dealer/), dims.locator('a', { hasText: '经销商' }).click()]);
  await expect(dims.locator('a[aria-current="page"]')).toHaveText('经销商');
  await expect(table.locator('thead th').first()).toHaveText('经销商');
  await expect(table.locator('tbody')).toContainText('(SH001)');
  await expect(table.locator('tbody')).not.toContainText('GZ001');
  await page.screenshot({ path: shotPath('analytics-funnel-dealer'), fullPage: true });

  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-xlsx').click()]);
  expect(download.suggestedFilename()).toMatch(/^funnel-dealer-\d{8}-\d{8}\.xlsx$/);
  const file = await download.path();
  expect(readFileSync(file!).subarray(0, 2).toString(), 'an .xlsx is a zip file').toBe('PK');

  // The other reports keep the period.
  await page.locator('nav.tabs a', { hasText: '预期与实际成交' }).click();
  await expect(page.locator('figure.pair')).toBeVisible();
  await page.locator('nav.tabs a', { hasText: '展厅客流报表' }).click();
  await expect(page.locator('figure.stack li').first()).toBeVisible();
  await expect(page.locator('#report-table tbody')).toContainText('华东大区');
});
