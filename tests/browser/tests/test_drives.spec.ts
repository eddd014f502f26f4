// Test drives on a phone: a consultant books a demo car from a lead page (the
// form opens on "now" with the dealer's cars and that day's schedule), records the
// drive with a rating and the customer's words, and the lead moves to the
// test-drive stage; the day's schedule and "my day" list the drives. A dealer
// manager adds a demo car to the fleet and retires it.
import { expect, test } from '@playwright/test';
import { apiToken, expectNoHorizontalOverflow, shotPath, signIn } from './helpers';

test.describe('phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test('a consultant books a test drive from a lead page and records it', async ({ page, request }) => {
    const token = await apiToken(request, 'consultant');
    const res = await request.get('/api/v1/leads?stage=contacted&limit=5', { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status(), await res.text()).toBe(200);
    const lead = (await res.json()).items[0];
    expect(lead, 'the demo consultant has a contacted lead').toBeTruthy();

    await signIn(page, 'consultant');
    await page.goto(`/leads/${lead.id}`);
    await Promise.all([page.waitForURL(/\/test-drives\/new\?lead_id=\d+$/), page.locator('a[href^="/test-drives/new"]').click()]);
    await expect(page.locator('h1')).toHaveText('预约试驾');
    const form = page.locator('form#booking');
    await expect(form.locator('input[name="demo_car_id"]').first()).toBeChecked();
    expect(await form.locator('input[name="starts_at"]').inputValue(), 'the form opens on now').toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d$/);
    await expect(page.locator('.car-day').first()).toBeVisible();
    await expectNoHorizontalOverflow(page);
    await page.screenshot({ path: shotPath('test-drives-book-phone'), fullPage: true });
    await Promise.all([page.waitForURL(/\/test-drives\/\d+$/), form.locator('button[type="submit"]').click()]);
    await expect(page.locator('h1 .badge')).toHaveText('已预约');

    // The drive happened: five stars and what the customer said.
    const done = page.locator('form#complete');
    await done.locator('label.chip', { hasText: '5★' }).click();
    await done.locator('textarea[name="feedback"]').fill('加速平顺，后排宽敞');
    await done.locator('input[name="route"]').fill('店外环线 8 公里');
    await Promise.all([page.waitForURL(/\/test-drives\/\d+$/), done.locator('button[type="submit"]').click()]);
    await expect(page.locator('h1 .badge')).toHaveText('已完成');
    await expect(page.locator('dl.facts')).toContainText('加速平顺，后排宽敞');
    await expect(page.locator('dd.rating')).toContainText('5/5');
    await expectNoHorizontalOverflow(page);
    await page.screenshot({ path: shotPath('test-drives-done-phone'), fullPage: true });

    // Back on the lead: at the test-drive stage, the drive listed.
    await page.locator('main a[href^="/leads/"]').first().click();
    await expect(page.locator('dl.facts')).toContainText('试驾');
    await expect(page.locator('#test-drives li').first()).toContainText('已完成');
  });

  test('the schedule and my day show the drives', async ({ page }) => {
    await signIn(page, 'consultant');
    await page.locator('nav.nav a[href="/test-drives"]').click();
    await expect(page).toHaveURL(/\/test-drives$/);
    await expect(page.locator('h1')).toContainText('试驾排期');
    expect(await page.locator('.car-day').count(), 'every demo car of the dealer').toBeGreaterThanOrEqual(2);
    expect(await page.locator('.car-day li.drive').count()).toBeGreaterThan(0);
    await expectNoHorizontalOverflow(page);
    await page.screenshot({ path: shotPath('test-drives-schedule-phone'), fullPage: true });
    await page.goto('/today');
    expect(await page.locator('[data-list="test_drives.today"] li.drive').count()).toBeGreaterThan(0);
  });
});

test('a dealer manager adds a demo car and retires it', async ({ page }) => {
  await signIn(page, 'dealer.mgr');
  await page.goto('/demo-cars');
  await expect(page.locator('h1')).toHaveText('试驾车');
  const before = await page.locator('ul.fleet li').count();
  expect(before).toBeGreaterThanOrEqual(2);
  const plate = `沪AD9${String(Date.now()).slice(-4)}`;
  const form = page.locator('form#add-car');
  await form.locator('input[name="plate"]').fill('沪A?');
  await Promise.all([page.waitForLoadState(), form.locator('button[type="submit"]').click()]);
  await expect(page.locator('.errors')).toContainText('车牌号');
  await page.locator('form#add-car input[name="plate"]').fill(plate);
  await page.locator('form#add-car input[name="color"]').fill('极光银');
  await Promise.all([page.waitForURL(/\/demo-cars$/), page.locator('form#add-car button[type="submit"]').click()]);
  await expect(page.locator('ul.fleet li')).toHaveCount(before + 1);
  await page.locator('ul.fleet a', { hasText: plate }).click();
  await Promise.all([page.waitForURL(/\/demo-cars$/), page.locator('button[name="active"][value="false"]').click()]);
  await expect(page.locator('ul.fleet li', { hasText: plate })).toContainText('已停用');
  await page.screenshot({ path: shotPath('test-drives-fleet'), fullPage: true });
});
