// Shared helpers for autocrm's browser tests (demo data: every account's password is demo1234).
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';

export const PASSWORD = 'demo1234';

/** Sign in through the real login form and wait for the home page. */
export async function signIn(page: Page, username: string, password = PASSWORD): Promise<void> {
  await page.goto('/login');
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(password);
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/'),
    page.locator('form[action="/login"] button[type="submit"]').click(),
  ]);
  await expect(page.locator('nav.nav')).toBeVisible();
}

/** A bearer token for the JSON API. */
export async function apiToken(request: APIRequestContext, username: string): Promise<string> {
  const res = await request.post('/api/v1/auth/token', { data: { username, password: PASSWORD } });
  expect(res.status(), await res.text()).toBe(200);
  const body = await res.json();
  expect(body.token_type).toBe('Bearer');
  return body.access_token as string;
}

/** Look a dealer up by its code through the API, as the given user. */
export async function dealerByCode(
  request: APIRequestContext,
  username: string,
  code: string,
): Promise<{ id: number; code: string; name: string }> {
  const token = await apiToken(request, username);
  const res = await request.get(`/api/v1/dealers?q=${encodeURIComponent(code)}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(res.status(), await res.text()).toBe(200);
  const items: Array<{ id: number; code: string; name: string }> = (await res.json()).items;
  const d = items.find((x) => x.code === code);
  expect(d, `dealer ${code} in ${JSON.stringify(items)}`).toBeTruthy();
  return d!;
}

/** The page must not scroll sideways (nothing wider than the viewport). */
export async function expectNoHorizontalOverflow(page: Page): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(scroll, 'document is wider than the viewport').toBeLessThanOrEqual(client);
}

/** Where to keep a named screenshot: test-results/<name>.png (kept after the run). */
export function shotPath(name: string): string {
  return `${test.info().project.outputDir}/${name}.png`;
}
