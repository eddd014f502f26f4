// Customer 360 on a phone: a consultant captures a walk-in with just a name and a
// mobile, lands on the 360 page, and writes a note and a commitment that appear on
// the timeline; a CAC agent reveals a masked mobile (audited).
import { expect, test } from '@playwright/test';
import { type APIRequestContext } from '@playwright/test';
import { apiToken, expectNoHorizontalOverflow, shotPath, signIn } from './helpers';

/** A fresh customer of dealer SH001 created through the API; returns its id and mobile. */
async function freshCustomer(request: APIRequestContext, username: string, name: string): Promise<{ id: number; mobile: string }> {
  const token = await apiToken(request, username);
  const mobile = `137${String(Date.now()).slice(-8)}`;
  const res = await request.post('/api/v1/customers', {
    headers: { Authorization: `Bearer ${token}` },
    data: { name, mobile, consents: [{ channel: 'sms', granted: true, source: 'showroom' }] },
  });
  expect(res.status(), await res.text()).toBe(201);
  return { id: (await res.json()).id as number, mobile };
}

test.describe('phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test('a consultant captures a walk-in and records a note and a promise', async ({ page }) => {
    await signIn(page, 'consultant');
    await page.locator('nav.nav a[href="/customers"]').click();
    await expect(page).toHaveURL(/\/customers$/);
    await page.locator('a[href="/customers/new"]').click();
    await expectNoHorizontalOverflow(page);
    await page.screenshot({ path: shotPath('customers-new-phone'), fullPage: true });

    // A unique mobile per run, so a re-run creates a new customer instead of linking.
    const mobile = `139${String(Date.now()).slice(-8)}`;
    await page.locator('form#new-customer input[name="name"]').fill('欧阳娜娜');
    await page.locator('form#new-customer input[name="mobile"]').fill(`${mobile.slice(0, 3)} ${mobile.slice(3, 7)} ${mobile.slice(7)}`);
    await Promise.all([
      page.waitForURL(/\/customers\/\d+\?done=created/),
      page.locator('form#new-customer button[type="submit"]').click(),
    ]);
    await expect(page.locator('h1')).toContainText('欧阳娜娜');
    await expect(page.locator('p.notice')).toBeVisible();
    // The mobile is masked for a consultant, and there is no reveal button.
    await expect(page.locator('[data-testid="mobile"]')).toHaveText(`${mobile.slice(0, 3)}****${mobile.slice(7)}`);
    await expect(page.locator('#profile button[hx-post]')).toHaveCount(0);
    await expect(page.locator('#dealer-links')).toContainText('王丽');
    await expectNoHorizontalOverflow(page);

    await page.locator('#note-form textarea[name="text"]').fill('周六上午来店试驾岳途四驱版');
    await Promise.all([page.waitForURL(/#timeline$/), page.locator('#note-form button[type="submit"]').click()]);
    await expect(page.locator('ol.timeline li[data-kind="note"]').first()).toContainText('周六上午来店试驾岳途四驱版');

    await page.locator('#commitment-form input[name="text"]').fill('赠送首次保养');
    await page.locator('#commitment-form input[name="due_date"]').fill('2099-06-30');
    await page.locator('#commitment-form button[type="submit"]').click();
    await expect(page.locator('ol.timeline li[data-kind="commitment"]').first()).toContainText('赠送首次保养');
    await expect(page.locator('ol.timeline li[data-kind="commitment"]').first()).toContainText('2099-06-30');
    await expect(page.locator('#commitments')).toContainText('赠送首次保养');
    await page.screenshot({ path: shotPath('customers-360-phone'), fullPage: true });

    // The promise is kept: it leaves the open commitments.
    await page.locator('#commitments form button[type="submit"]').first().click();
    await expect(page.locator('#commitments')).not.toContainText('赠送首次保养');
    await expect(page.locator('ol.timeline li[data-kind="commitment"]').first()).toContainText('已兑现');
  });

  test('a person without a mobile is not saved, and the form says why', async ({ page }) => {
    await signIn(page, 'consultant');
    await page.goto('/customers/new');
    await page.locator('form#new-customer input[name="name"]').fill('李四');
    await page.locator('form#new-customer input[name="mobile"]').fill('12345');
    await page.locator('form#new-customer button[type="submit"]').click();
    await expect(page.locator('.errors')).toContainText('手机');
    await expect(page.locator('form#new-customer input[name="mobile"]')).toHaveAttribute('aria-invalid', 'true');
  });
});

test('a CAC agent reveals a masked mobile in place', async ({ page, request }) => {
  const c = await freshCustomer(request, 'dealer.mgr', '司马光');
  await signIn(page, 'cac');
  await page.goto(`/customers/${c.id}`);
  await expect(page.locator('[data-testid="mobile"]')).toHaveText(`${c.mobile.slice(0, 3)}****${c.mobile.slice(7)}`);
  await page.locator('#profile button[hx-post]').first().click();
  await expect(page.locator('#profile .revealed')).toHaveText(c.mobile);
});

test('a dealer manager edits a customer: a new landline and an opt-out', async ({ page, request }) => {
  const c = await freshCustomer(request, 'dealer.mgr', '诸葛亮');
  await signIn(page, 'dealer.mgr');
  await page.goto('/customers?q=诸葛亮');
  await page.locator(`table a[href="/customers/${c.id}"]`).click();
  const url = page.url();
  await page.locator('a[href$="/edit"]').click();
  await page.locator('input[name="occupation"]').fill('会计');
  await page.locator('select[name="new_kind"]').selectOption('landline');
  await page.locator('input[name="new_value"]').fill('(021) 6888 1234');
  await page.locator('select[name="consent_sms"]').selectOption('withdrawn');
  await page.locator('input[name="consent_source"]').fill('hotline');
  await Promise.all([page.waitForURL(/done=saved/), page.locator('form#edit-customer button[type="submit"]').click()]);
  expect(page.url().split('?')[0]).toBe(url.split('?')[0]);
  await expect(page.locator('#profile')).toContainText('会计');
  await expect(page.locator('#contacts')).toContainText('021-68881234');
  await expect(page.locator('#consents')).toContainText('拒绝/退订');
  await expect(page.locator('ol.timeline li').first()).toContainText('修改资料');

  // A wrong number is named on the form and nothing is saved.
  await page.locator('a[href$="/edit"]').click();
  await page.locator('select[name="new_kind"]').selectOption('mobile');
  await page.locator('input[name="new_value"]').fill('12345');
  await page.locator('form#edit-customer button[type="submit"]').click();
  await expect(page.locator('.errors')).toContainText('新联系方式');
  await expect(page.locator('input[name="new_value"]')).toHaveAttribute('aria-invalid', 'true');
});
