// Sign-in, home page and language switch for a sales consultant on a phone.
import { test, expect } from '@playwright/test';
import { signIn, expectNoHorizontalOverflow, shotPath } from './helpers';

test.describe('phone', () => {
test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

test('consultant on a phone: home page, nav, language switch', async ({ page }) => {
  await signIn(page, 'consultant');

  // Home, in Chinese by default.
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('您好，王丽');
  await expect(page.locator('main p.muted').first()).toContainText('销售顾问');
  await expect(page.locator('main p.muted').first()).toContainText('上海浦东东岳4S店');
  await expect(page.locator('header .who')).toContainText('王丽 · 销售顾问');
  await expect(page.locator('ul.cards > li')).not.toHaveCount(0);
  await expect(page.getByRole('heading', { name: '我的门店' })).toBeVisible();

  // The nav is visible, inside the viewport and usable.
  const nav = page.getByRole('navigation', { name: '菜单' });
  await expect(nav).toBeVisible();
  await expect(nav.getByRole('link', { name: '首页' })).toHaveAttribute('aria-current', 'page');
  for (const link of await nav.getByRole('link').all()) {
    await expect(link).toBeInViewport();
  }
  await expectNoHorizontalOverflow(page);
  await page.screenshot({ path: shotPath('home-consultant-390'), fullPage: true });

  await nav.getByRole('link', { name: '经销商' }).click();
  await expect(page).toHaveURL(/\/org\/dealers$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('经销商门店');
  await expect(nav.getByRole('link', { name: '经销商' })).toHaveAttribute('aria-current', 'page');
  // A consultant sees their own dealer only.
  const rows = page.locator('table tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('SH001');
  await expectNoHorizontalOverflow(page);
  await nav.getByRole('link', { name: '首页' }).click();
  await expect(page).toHaveURL(/\/$/);

  // Switch to English: the language link keeps us on the same page.
  await page.locator('.langs a[lang="en"]').click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Hello, 王丽');
  await expect(page.locator('main p.muted').first()).toContainText('Sales consultant');
  await expect(page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Home' })).toBeVisible();
  await expect(page.locator('.langs a[lang="en"]')).toHaveAttribute('aria-current', 'true');
  await expectNoHorizontalOverflow(page);

  // The choice sticks across pages.
  await page.goto('/org/dealers');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');

  // And back to Chinese, staying on the dealer list.
  await page.locator('.langs a[lang="zh-CN"]').click();
  await expect(page).toHaveURL(/\/org\/dealers$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('经销商门店');
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('您好，王丽');
  await expect(page.locator('main p.muted').first()).toContainText('销售顾问');
});
});

test('admin home at desktop width', async ({ page }) => {
  await signIn(page, 'admin');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('您好，郑宇');
  await expect(page.locator('main p.muted').first()).toContainText('系统管理员');
  const nav = page.getByRole('navigation', { name: '菜单' });
  for (const label of ['首页', '经销商', '用户', '审计日志', 'API 令牌']) {
    await expect(nav.getByRole('link', { name: label, exact: true })).toBeVisible();
  }
  // Every card leads somewhere and shows a number.
  const cards = page.locator('ul.cards > li a');
  expect(await cards.count()).toBeGreaterThan(2);
  for (const card of await cards.all()) {
    await expect(card.locator('.figure')).toHaveText(/^\d+$/);
    await expect(card.locator('.label')).not.toBeEmpty();
  }
  await expectNoHorizontalOverflow(page);
  await page.screenshot({ path: shotPath('home-admin-1280'), fullPage: true });
});
