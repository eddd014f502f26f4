// A consultant leaves: the store manager hands their customers and leads over to a
// colleague from the staff page; the colleague is told through the bell.
import { expect, test } from '@playwright/test';
import { apiToken, signIn } from './helpers';

test('a manager hands a leaving consultant over and the colleague is notified', async ({ page, request }) => {
  const token = await apiToken(request, 'dealer.mgr');
  const users = await (await request.get('/api/v1/users?q=consultant2', { headers: { Authorization: `Bearer ${token}` } })).json();
  const leaving = users.items.find((u: { username: string }) => u.username === 'consultant2');
  expect(leaving, JSON.stringify(users)).toBeTruthy();

  await signIn(page, 'dealer.mgr');
  await page.goto(`/users/${leaving.id}`);
  await Promise.all([page.waitForURL(/\/handover$/), page.locator(`a[href="/users/${leaving.id}/handover"]`).click()]);
  const leads = Number(await page.locator('[data-count="leads"]').textContent());
  const customers = Number(await page.locator('[data-count="customers"]').textContent());
  expect(leads + customers, 'the demo consultant has records to hand over').toBeGreaterThan(0);
  await page.locator('select[name="to_user_id"]').selectOption({ label: '王丽' });
  await page.locator('input[name="note"]').fill('调岗至二手车部');
  await page.locator('form[action$="/handover"] button.primary').click();
  await expect(page.locator('.notice[data-handover]')).toContainText('交接完成');
  await expect(page.locator('.notice[data-handover] li')).toContainText('王丽');
  await expect(page.locator('[data-count="leads"]')).toHaveText('0');
  await expect(page.locator('table tbody tr').first()).toContainText('调岗至二手车部');

  // 王丽 sees the bell, opens the notification, lands on her open leads.
  await page.context().clearCookies();
  await signIn(page, 'consultant');
  const bell = page.locator('a.bell [data-unread]');
  await expect(bell).toBeVisible();
  const unread = Number(await bell.getAttribute('data-unread'));
  await page.locator('a.bell').click();
  const note = page.locator('li[data-kind="handover"]').first();
  await expect(note).toContainText('张强');
  await Promise.all([page.waitForURL(/\/leads\?stage=open$/), note.locator('button').click()]);
  const after = page.locator('a.bell [data-unread]');
  if (unread > 1) {
    await expect(after).toHaveAttribute('data-unread', String(unread - 1));
  } else {
    await expect(after).toHaveCount(0);
  }
});
