// Data scope and role checks, seen from the browser.
import { test, expect } from '@playwright/test';
import { signIn, dealerByCode } from './helpers';

test('dealer manager sees own dealer, gets 404 for another dealer and 403 for admin pages', async ({
  page,
  browser,
  request,
}) => {
  // Dealer B (GZ001) exists: find it through the API as admin, and check admin can open it.
  const gz = await dealerByCode(request, 'admin', 'GZ001');
  expect(gz.name).toBe('广州天河东岳4S店');
  const adminCtx = await browser.newContext();
  try {
    const admin = await adminCtx.newPage();
    await signIn(admin, 'admin');
    await admin.goto('/org/dealers?q=GZ001');
    const link = admin.getByRole('link', { name: '广州天河东岳4S店' });
    await expect(link).toHaveAttribute('href', `/org/dealers/${gz.id}`);
    const res = await admin.goto(`/org/dealers/${gz.id}`);
    expect(res?.status()).toBe(200);
    await expect(admin.getByRole('heading', { level: 1 })).toHaveText('广州天河东岳4S店');
  } finally {
    await adminCtx.close();
  }

  // Dealer A (SH001) is the manager's own: reach it from the dealer list.
  await signIn(page, 'dealer.mgr');
  await expect(page.locator('header .who')).toContainText('李明');
  await page.goto('/org/dealers');
  const rows = page.locator('table tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('SH001');
  await expect(page.getByRole('link', { name: '新建门店' })).toHaveCount(0);
  const own = page.getByRole('link', { name: '上海浦东东岳4S店' });
  const ownHref = await own.getAttribute('href');
  expect(ownHref).toMatch(/^\/org\/dealers\/\d+$/);
  const [ownRes] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === ownHref && r.request().method() === 'GET'),
    own.click(),
  ]);
  expect(ownRes.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('上海浦东东岳4S店');
  await expect(page.locator('dl.facts')).toContainText('SH001');
  await expect(page.getByRole('heading', { name: '员工' })).toBeVisible();
  await expect(page.getByRole('link', { name: '王丽' })).toBeVisible();

  // Dealer B is outside the scope: it does not exist as far as this user knows.
  const other = await page.goto(`/org/dealers/${gz.id}`);
  expect(other?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('404 · 未找到');
  await expect(page.locator('main')).not.toContainText('广州天河东岳4S店');
  await expect(page.getByRole('link', { name: '返回首页' })).toHaveAttribute('href', '/');

  // Searching the dealer list does not reveal it either.
  const list = await page.request.get('/org/dealers?q=GZ001');
  expect(list.status()).toBe(200);
  expect(await list.text()).not.toContain('广州天河东岳4S店');

  // An admin-only page: 403, and the nav does not offer it.
  const tokens = await page.goto('/api-tokens');
  expect(tokens?.status()).toBe(403);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('403 · 无权访问');
  await expect(page.getByRole('navigation', { name: '菜单' }).getByRole('link', { name: 'API 令牌' })).toHaveCount(0);
});
