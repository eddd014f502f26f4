// Quotes on a phone: a consultant builds a quote for her prospect with a discount
// and a gift, sees the total recomputed as she types and — before saving — the
// warning that a colleague quoted this customer a different price; she saves, and
// the customer's 360 page answers "what price did they get last time" at a glance.
import { expect, test } from '@playwright/test';
import { apiToken, expectNoHorizontalOverflow, shotPath, signIn } from './helpers';

test.describe('phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test('a quote with a discount and a gift, the colleague warning, then Customer 360', async ({ page, request }) => {
    // The demo prospect whom a colleague (张强) quoted days ago.
    const token = await apiToken(request, 'consultant');
    const res = await request.get('/api/v1/quotes?conflicted=true', { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status(), await res.text()).toBe(200);
    const earlier = (await res.json()).items[0];
    expect(earlier, 'the demo has a quote that contradicted a colleague').toBeTruthy();

    await signIn(page, 'consultant');
    await page.goto(`/leads/${earlier.lead_id}`);
    await Promise.all([page.waitForURL(/\/quotes\/new\?lead_id=\d+$/), page.locator('a[href^="/quotes/new"]').click()]);
    await expect(page.locator('h1')).toHaveText('新建报价');
    const total = page.locator('#preview [data-testid="quote-total"]');
    const listOnly = (await total.textContent())?.trim() ?? '';
    expect(listOnly).toMatch(/^¥[\d,]+\.\d\d$/);

    const form = page.locator('form#quote-form');
    await expect(form.locator('select[name="line_kind_0"]')).toHaveValue('discount');
    await expect(form.locator('select[name="line_kind_1"]')).toHaveValue('gift');
    await form.locator('input[name="line_label_0"]').fill('店内优惠');
    await form.locator('input[name="line_amount_0"]').fill('6500');
    await expect(total).not.toHaveText(listOnly);
    await form.locator('input[name="line_label_1"]').fill('全车脚垫+首保');
    await form.locator('input[name="line_amount_1"]').fill('1800');
    await expect(page.locator('#preview dl.totals')).toContainText('1,800.00');
    const warning = page.locator('#preview [data-testid="quote-conflict"]');
    await expect(warning).toBeVisible();
    await expect(warning).toContainText('张强');
    const quoted = (await total.textContent())?.trim() ?? '';
    await expectNoHorizontalOverflow(page);
    await page.screenshot({ path: shotPath('quotes-new-phone'), fullPage: true });

    await Promise.all([page.waitForURL(/\/quotes\/\d+$/), form.locator('button[type="submit"]').click()]);
    await expect(page.locator('.quote-sheet [data-testid="quote-total"]')).toHaveText(quoted);
    await expect(page.locator('.quote-sheet')).toContainText('6,500.00');
    await expect(page.locator('[data-testid="quote-conflict"]')).toContainText('张强');
    await page.screenshot({ path: shotPath('quotes-sheet-phone'), fullPage: true });

    await page.locator('a', { hasText: '客户 360' }).click();
    await expect(page.locator('[data-testid="last-quote"]')).toContainText(quoted.replace('¥', ''));
    await expect(page.locator('#quotes table tbody tr').first()).toContainText(quoted);
    await expectNoHorizontalOverflow(page);
    await page.screenshot({ path: shotPath('quotes-customer-360-phone'), fullPage: true });
  });
});

test('the price list shows every model with the price in force', async ({ page }) => {
  await signIn(page, 'salesops');
  await page.goto('/price-list');
  await expect(page.locator('h1')).toHaveText('价格表');
  expect(await page.locator('table.prices tbody tr').count()).toBeGreaterThanOrEqual(10);
  await expect(page.locator('table.prices')).toContainText('双十一限时价');
  await expect(page.locator('form#add-price')).toBeVisible();
});
