// Vehicles: a consultant finds a customer's car in the vehicle list by the last
// characters of its VIN, opens it, sees who owns it, and records an odometer
// reading; a reading lower than the last one is refused with the reason shown.
import { expect, test, type APIRequestContext } from '@playwright/test';
import { apiToken, expectNoHorizontalOverflow, signIn } from './helpers';

const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
const VALUES: Record<string, number> = {
  A: 1, B: 2, C: 3, D: 4, E: 5, F: 6, G: 7, H: 8, J: 1, K: 2, L: 3, M: 4, N: 5, P: 7, R: 9,
  S: 2, T: 3, U: 4, V: 5, W: 6, X: 7, Y: 8, Z: 9,
};

/** A VIN with its check digit (position 9) computed, as ISO 3779 / GB 16735 define it. */
function withCheckDigit(vin17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const c = vin17[i];
    const v = /[0-9]/.test(c) ? Number(c) : VALUES[c];
    sum += v * WEIGHTS[i];
  }
  const r = sum % 11;
  return vin17.slice(0, 8) + (r === 10 ? 'X' : String(r)) + vin17.slice(9);
}

/** A customer of the consultant's store and a car sold to them, through the API. */
async function plantOwnerAndCar(request: APIRequestContext) {
  const token = await apiToken(request, 'consultant');
  const headers = { Authorization: `Bearer ${token}` };
  const serial = String(Date.now() % 1_000_000).padStart(6, '0');
  const mobile = `137${String(Date.now() % 100_000_000).padStart(8, '0')}`;
  const c = await request.post('/api/v1/customers', { headers, data: { name: '欧阳晓东', mobile, link_kind: 'bought' } });
  expect([200, 201], await c.text()).toContain(c.status());
  const customer = await c.json();
  const vin = withCheckDigit(`LDYC15S30RS${serial}`);
  const v = await request.post('/api/v1/vehicles', { headers, data: { vin, color: '宝石蓝', plate: `沪A${serial.slice(1)}` } });
  expect(v.status(), await v.text()).toBe(201);
  const vehicle = await v.json();
  const sold = await request.post(`/api/v1/vehicles/${vehicle.id}/ownership`, {
    headers,
    data: { kind: 'sell', customer_id: customer.id },
  });
  expect(sold.status(), await sold.text()).toBe(200);
  const reading = await request.post(`/api/v1/vehicles/${vehicle.id}/readings`, { headers, data: { km: 5000, source: 'service' } });
  expect(reading.status(), await reading.text()).toBe(201);
  return { customer: { id: customer.id as number, name: customer.name as string }, vehicle: { id: vehicle.id as number, vin } };
}

test('a consultant opens a customer car by its VIN tail and records an odometer reading', async ({ page, request }) => {
  const { customer, vehicle } = await plantOwnerAndCar(request);
  await signIn(page, 'consultant');
  await page.locator('nav.nav a[href="/vehicles"]').click();
  await page.locator('form[action="/vehicles"] input[name="q"]').fill(vehicle.vin.slice(-6));
  await Promise.all([page.waitForURL((u) => u.pathname === '/vehicles' && u.search.includes('q=')), page.locator('form[action="/vehicles"] button[type="submit"]').click()]);
  const link = page.locator(`table a[href="/vehicles/${vehicle.id}"]`);
  await expect(link).toHaveText(vehicle.vin);
  await Promise.all([page.waitForURL((u) => u.pathname === `/vehicles/${vehicle.id}`), link.click()]);

  await expect(page.locator('#vin')).toContainText(vehicle.vin);
  await expect(page.locator(`#ownership a[href="/customers/${customer.id}"]`)).toHaveText(customer.name);
  await expect(page.locator('#mileage')).toContainText('5,000');

  // A lower reading is refused, with the reason next to the form.
  await page.locator('#reading-form input[name="km"]').fill('4000');
  await page.locator('#reading-form button[type="submit"]').click();
  await expect(page.locator('#readings .errors')).toBeVisible();
  await expect(page.locator('#mileage')).toContainText('5,000');

  await page.locator('#reading-form input[name="km"]').fill('12345');
  await Promise.all([page.waitForURL((u) => u.pathname === `/vehicles/${vehicle.id}`), page.locator('#reading-form button[type="submit"]').click()]);
  await expect(page.locator('#mileage')).toContainText('12,345');
  await expect(page.locator('#readings table tbody tr').first()).toContainText('12,345');
  await expect(page.locator('#readings .errors')).toHaveCount(0);

  // The owner's name leads to the 360 page.
  await Promise.all([
    page.waitForURL((u) => u.pathname === `/customers/${customer.id}`),
    page.locator(`#ownership a[href="/customers/${customer.id}"]`).click(),
  ]);
  await expect(page.locator('h1')).toContainText(customer.name);
});

test('the vehicle page fits a phone screen', async ({ page, request }) => {
  const { vehicle } = await plantOwnerAndCar(request);
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, 'consultant');
  await page.goto(`/vehicles/${vehicle.id}`);
  await expect(page.locator('#vin')).toContainText(vehicle.vin);
  await expectNoHorizontalOverflow(page);
});
