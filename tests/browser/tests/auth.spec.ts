// Sign-in form: keyboard use, wrong password, sign-out.
import { test, expect } from '@playwright/test';
import { signIn } from './helpers';

test('login form works with the keyboard alone', async ({ page }) => {
  await page.goto('/login');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('登录');
  const username = page.getByLabel('用户名');
  const password = page.getByLabel('密码');
  const submit = page.getByRole('button', { name: '登录' });
  // The username field has autofocus.
  await expect(username).toBeFocused();

  // Start from the top of the page (the skip link) and walk forward with Tab.
  await page.locator('a.skip').focus();
  const seen: string[] = [];
  for (let i = 0; i < 12 && !(await username.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
    seen.push(await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 60) ?? ''));
  }
  await expect(username, `Tab order so far: ${seen.join(' | ')}`).toBeFocused();
  await page.keyboard.type('consultant');
  await page.keyboard.press('Tab');
  await expect(password).toBeFocused();
  await page.keyboard.type('demo1234');
  await page.keyboard.press('Tab');
  await expect(submit).toBeFocused();

  // Enter in a field submits the form.
  await password.focus();
  await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.keyboard.press('Enter')]);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('您好，王丽');
});

test('wrong password shows an error and keeps the username', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('用户名').fill('consultant2');
  await page.getByLabel('密码').fill('not-the-password');
  const [res] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/login' && r.request().method() === 'POST'),
    page.getByRole('button', { name: '登录' }).click(),
  ]);
  expect(res.status()).toBe(401);
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole('alert')).toHaveText('用户名或密码错误。');
  await expect(page.getByLabel('用户名')).toHaveValue('consultant2');
  await expect(page.getByLabel('密码')).toHaveValue('');
  await expect(page.getByRole('navigation', { name: '菜单' })).toHaveCount(0);

  // A protected page still sends us to the login page.
  await page.goto('/');
  await expect(page).toHaveURL(/\/login\?next=%2F$/);
});

test('sign out ends the session', async ({ page, context }) => {
  await signIn(page, 'advisor');
  await expect(page.locator('header .who')).toContainText('杨帆 · 服务顾问');
  const before = (await context.cookies()).find((c) => c.name === 'acrm_session');
  expect(before?.value).toBeTruthy();

  await Promise.all([
    page.waitForURL((u) => u.pathname === '/login'),
    page.getByRole('button', { name: '退出登录' }).click(),
  ]);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('登录');
  await expect(page.getByRole('button', { name: '退出登录' })).toHaveCount(0);

  await page.goto('/');
  await expect(page).toHaveURL(/\/login\?next=%2F$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('登录');

  // The old session cookie is dead on the server too, not just deleted in the browser.
  await context.addCookies([{ ...before!, expires: -1 }]);
  await page.goto('/org/dealers');
  await expect(page).toHaveURL(/\/login\?next=%2Forg%2Fdealers$/);
});
