// Admin creates a dealer through the HTML form; invalid input is refused with the error list.
import { test, expect, type Page } from '@playwright/test';
import { signIn } from './helpers';

async function fillDealerForm(page: Page, code: string, name: string): Promise<void> {
  await page.getByLabel('编码').fill(code);
  await page.getByLabel('名称').fill(name);
  await page.getByLabel('级别').selectOption('C');
  await page.getByLabel('大区').selectOption({ label: '华东大区' });
  await page.getByLabel('省份').selectOption('浙江');
  await page.getByLabel('城市').fill('杭州');
}

function submitDealerForm(page: Page) {
  return Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/org/dealers' && r.request().method() === 'POST'),
    page.getByRole('button', { name: '保存' }).click(),
  ]).then(([res]) => res);
}

async function countSearch(page: Page, q: string): Promise<number> {
  const res = await page.request.get(`/org/dealers?q=${encodeURIComponent(q)}`);
  expect(res.status()).toBe(200);
  return ((await res.text()).match(/href="\/org\/dealers\/\d+"/g) ?? []).length; // one link per dealer row
}

test('admin creates a dealer; invalid codes are refused', async ({ page }) => {
  const code = `PW${Date.now().toString(36).toUpperCase()}`;
  const name = `浏览器测试店${code}`;
  await signIn(page, 'admin');

  await page.goto('/org/dealers');
  await page.getByRole('link', { name: '新建门店' }).click();
  await expect(page).toHaveURL(/\/org\/dealers\/new$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('新建门店');

  // An invalid code passes the browser's checks but not the server's.
  await fillDealerForm(page, 'BAD CODE!', name);
  let res = await submitDealerForm(page);
  expect(res.status()).toBe(422);
  const errors = page.locator('.errors[role="alert"]');
  await expect(errors).toContainText('请修正以下错误：');
  await expect(errors.locator('li')).toHaveCount(1);
  await expect(errors.locator('li')).toContainText('编码');
  await expect(page.getByLabel('编码')).toHaveAttribute('aria-invalid', 'true');
  // What was typed is kept.
  await expect(page.getByLabel('名称')).toHaveValue(name);
  await expect(page.getByLabel('城市')).toHaveValue('杭州');

  // An empty code: the browser refuses it first ...
  await page.getByLabel('编码').fill('');
  expect(await page.getByLabel('编码').evaluate((el: HTMLInputElement) => el.validity.valueMissing)).toBe(true);
  // ... and so does the server when the browser's check is bypassed.
  await page.locator('form.grid').evaluate((f: HTMLFormElement) => (f.noValidate = true));
  res = await submitDealerForm(page);
  expect(res.status()).toBe(422);
  await expect(page.locator('.errors[role="alert"] li')).toContainText('编码');
  expect(await countSearch(page, name)).toBe(0);

  // Now a valid one.
  await fillDealerForm(page, code, name);
  await page.getByLabel('电话').fill('0571-88880000');
  await Promise.all([
    page.waitForURL(/\/org\/dealers\/\d+$/),
    page.getByRole('button', { name: '保存' }).click(),
  ]);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
  const facts = page.locator('dl.facts');
  await expect(facts).toContainText(code);
  await expect(facts).toContainText('华东大区');
  await expect(facts).toContainText('浙江 杭州');
  await expect(facts.getByRole('link', { name: '0571-88880000' })).toHaveAttribute('href', 'tel:0571-88880000');

  // It is in the list exactly once.
  await page.goto(`/org/dealers?q=${code}`);
  await expect(page.locator('table tbody tr')).toHaveCount(1);
  await expect(page.locator('table tbody tr')).toContainText(name);
  expect(await countSearch(page, name)).toBe(1);
});
