// The one search box: a consultant types a customer's pinyin initials in the header,
// picks the suggestion, and the customer's 360 page opens. The hotline's screen-pop
// page finds the same customer by the caller's number.
import { expect, test } from '@playwright/test';
import { apiToken, signIn } from './helpers';

/** A customer of the consultant's store, created through the API with a unique mobile. */
async function plantCustomer(request: import('@playwright/test').APIRequestContext) {
  const token = await apiToken(request, 'consultant');
  const mobile = `139${String(Date.now() % 100_000_000).padStart(8, '0')}`;
  const res = await request.post('/api/v1/customers', {
    headers: { Authorization: `Bearer ${token}` },
    data: { name: '诸葛晓岚', mobile, link_kind: 'bought' },
  });
  expect([200, 201], await res.text()).toContain(res.status());
  const c = await res.json();
  return { id: c.id as number, initials: c.name_initials as string, name: c.name as string, mobile };
}

test('typing pinyin initials in the header box and picking the hit opens the 360 page', async ({ page, request }) => {
  const c = await plantCustomer(request);
  expect(c.initials).toMatch(/^[a-z]{2,}$/);
  await signIn(page, 'consultant');
  const box = page.locator('header form.search-box input[name="q"]');
  await box.click();
  await box.pressSequentially(c.initials, { delay: 40 });
  const hit = page.locator(`#search-suggest a[href="/customers/${c.id}"]`);
  await expect(hit).toBeVisible();
  await expect(hit).toContainText(c.name);
  await Promise.all([page.waitForURL((u) => u.pathname === `/customers/${c.id}`), hit.click()]);
  await expect(page.locator('h1')).toContainText(c.name);
});

test('Enter in the header box opens the results page', async ({ page, request }) => {
  const c = await plantCustomer(request);
  await signIn(page, 'consultant');
  const box = page.locator('header form.search-box input[name="q"]');
  await box.fill(c.name);
  await Promise.all([page.waitForURL((u) => u.pathname === '/search'), box.press('Enter')]);
  await expect(page.locator(`table a[href="/customers/${c.id}"]`)).toContainText(c.name);
});

test('the hotline agent sees the caller on the screen-pop page', async ({ page, request }) => {
  const c = await plantCustomer(request);
  await signIn(page, 'cac');
  await page.locator('nav.nav a[href="/screen-pop"]').click();
  await page.locator('input[name="phone"]').fill(c.mobile);
  await Promise.all([page.waitForURL((u) => u.pathname === '/screen-pop'), page.locator('input[name="phone"]').press('Enter')]);
  await expect(page.locator('section.pop h2')).toContainText(c.name);
  await expect(page.locator(`section.pop a[href="/customers/${c.id}"]`).first()).toBeVisible();
});
