// Showroom traffic on a phone: a dealer manager records the day's walk-ins and calls
// by media source on a grid prefilled from the day's leads, and sees the day saved.
import { expect, test } from '@playwright/test';
import { expectNoHorizontalOverflow, shotPath, signIn } from './helpers';

test.describe('phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test('a dealer manager records the day’s traffic', async ({ page }) => {
    await signIn(page, 'dealer.mgr');
    await page.locator('nav.nav a[href="/traffic"]').click();
    await expect(page).toHaveURL(/\/traffic$/);
    await expect(page.locator('h1')).toHaveText('展厅客流登记');
    // Today is not recorded yet: the grid is prefilled from the day's leads.
    await expect(page.locator('#prefilled')).toBeVisible();
    await expectNoHorizontalOverflow(page);
    const grid = page.locator('form#traffic-day');
    await grid.locator('input[name="walk_in.internet"]').fill('6');
    await grid.locator('input[name="walk_in.referral"]').fill('3');
    await grid.locator('input[name="phone.tv"]').fill('2');
    await page.screenshot({ path: shotPath('traffic-day-phone'), fullPage: true });
    await Promise.all([page.waitForURL(/saved=1/), grid.locator('button[type="submit"]').click()]);
    await expect(page.locator('.notice[role="status"]')).toContainText('已保存');
    await expect(page.locator('#recorded')).toBeVisible();
    await expect(grid.locator('input[name="walk_in.internet"]')).toHaveValue('6');
    await expect(grid.locator('input[name="phone.tv"]')).toHaveValue('2');
    const walkIns = Number(await page.locator('td[data-total="walk_in"]').innerText());
    expect(walkIns, 'the saved walk-ins include the typed ones').toBeGreaterThanOrEqual(9);
    // The day heads the store's last 14 days.
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    await expect(page.locator('#recent-days tbody tr').first()).toContainText(today);
  });
});
