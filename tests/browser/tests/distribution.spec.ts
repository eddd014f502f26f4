// The daily lead distribution in the browser: OEM sales ops see feedback per dealer
// and distribute at once; a dealer's manager answers a distributed lead on a phone
// and it leaves the list of leads awaiting feedback.
import { expect, test } from '@playwright/test';
import { expectNoHorizontalOverflow, shotPath, signIn } from './helpers';

test('sales ops see feedback per dealer and distribute now', async ({ page }) => {
  await signIn(page, 'salesops');
  await page.locator('nav.nav a[href="/leads/distribution"]').click();
  await expect(page.locator('h1')).toHaveText('线索派发与反馈');
  await expect(page.locator('nav.nav a[aria-current="page"]')).toHaveAttribute('href', '/leads/distribution');
  const dealers = page.locator('table[data-table="dealers"] tbody tr');
  expect(await dealers.count()).toBeGreaterThan(0);
  await expect(page.locator('table[data-table="dealers"] tr[data-dealer="SH001"]')).toBeVisible();
  await Promise.all([page.waitForURL(/ran=\d+/), page.locator('form[action="/leads/distribution/run"] button').click()]);
  await expect(page.locator('.notice')).toContainText('已派发线索');
  // The run is listed, newest first, as done. (Whether today's scheduled run is
  // there too depends on the hour: it runs at 08:00 China time.)
  await expect(page.locator('table[data-table="runs"] tbody tr').first()).toContainText('完成');
  await page.screenshot({ path: shotPath('distribution-oem'), fullPage: true });
});

test.describe('phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test('a dealer manager answers a distributed lead', async ({ page }) => {
    await signIn(page, 'dealer.mgr');
    await page.goto('/leads/distribution');
    await expectNoHorizontalOverflow(page);
    const awaiting = page.locator('li.lead-card');
    const before = await awaiting.count();
    expect(before, 'the demo has leads awaiting feedback').toBeGreaterThan(0);
    const first = awaiting.first();
    const leadNo = await first.getAttribute('data-lead');
    await first.locator('input[name="feedback"][value="contacted"]').check();
    await first.locator('input[name="note"]').fill('已电话联系，周末到店');
    await page.screenshot({ path: shotPath('distribution-dealer-phone'), fullPage: true });
    await Promise.all([page.waitForURL(/\/leads\/distribution$/), first.locator('button.primary').click()]);
    await expect(page.locator(`li.lead-card[data-lead="${leadNo}"]`)).toHaveCount(0);
    await expect(page.locator('li.lead-card')).toHaveCount(before - 1);
    // Among the answered ones, with the answer.
    await page.locator('input[name="status"][value="answered"]').check();
    await expect(page.locator(`li.lead-card[data-lead="${leadNo}"]`)).toContainText('已联系');
  });
});
