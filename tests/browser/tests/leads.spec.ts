// Prospects on a phone: a consultant captures a walk-in with at most three required
// inputs in a few taps (a known mobile shows who is on file), lands on the lead,
// logs a call; the consultant's day lists overdue and due follow-ups; a manager
// approves a close request.
import { expect, test } from '@playwright/test';
import { expectNoHorizontalOverflow, shotPath, signIn } from './helpers';

test.describe('phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test('quick capture of a walk-in takes three inputs and a few taps', async ({ page }) => {
    await signIn(page, 'consultant');
    await page.goto('/leads/new');
    await expectNoHorizontalOverflow(page);
    const form = page.locator('form#capture');

    // What the consultant must fill: the required radios (model, timeframe) and
    // one of the "who" group (mobile or name). Nothing else is required.
    const requiredNames = await form.locator('[required]').evaluateAll((els) =>
      Array.from(new Set(els.map((e) => (e as HTMLInputElement).name))),
    );
    const whoGroup = await form.locator('[data-required-group="who"]').count();
    expect(whoGroup, 'mobile or name: one input of a group').toBe(2);
    const requiredInputs = requiredNames.length + 1;
    expect(requiredNames.sort()).toEqual(['model_id', 'timeframe']);
    expect(requiredInputs).toBeLessThanOrEqual(3);
    // Optional details stay folded away.
    await expect(form.locator('details')).not.toHaveAttribute('open', '');

    const mobile = `136${String(Date.now()).slice(-8)}`;
    let actions = 0;
    await form.locator('input[name="mobile"]').fill(mobile);
    actions++;
    await form.locator('input[name="model_id"]').first().check();
    actions++;
    await form.locator('input[name="timeframe"][value="within_3_months"]').check();
    actions++;
    await page.screenshot({ path: shotPath('leads-capture-phone'), fullPage: true });
    await Promise.all([page.waitForURL(/\/leads\/\d+$/), form.locator('button[type="submit"]').click()]);
    actions++;
    expect(actions, 'taps and typing to capture a walk-in').toBeLessThanOrEqual(4);

    // The lead: at the showroom, B grade (within 3 months), owned by the consultant.
    await expect(page.locator('h1')).toContainText('L');
    await expect(page.locator('h1 .badge')).toContainText('B');
    await expect(page.locator('dl.facts')).toContainText('到店');
    await expect(page.locator('dl.facts')).toContainText('王丽');
    await expectNoHorizontalOverflow(page);

    // Log a call with a note: it appears first in the activities.
    await page.locator('form[action$="/activities"] input[name="kind"][value="call"]').check();
    await page.locator('form[action$="/activities"] textarea[name="note"]').fill('约周六试驾岳途');
    await Promise.all([page.waitForURL(/\/leads\/\d+$/), page.locator('form[action$="/activities"] button[type="submit"]').click()]);
    await expect(page.locator('ol.timeline li').first()).toContainText('约周六试驾岳途');
    await page.screenshot({ path: shotPath('leads-show-phone'), fullPage: true });

    // A second capture with the same mobile shows the customer on file as it is typed.
    await page.goto('/leads/new');
    await page.locator('form#capture input[name="mobile"]').fill(mobile);
    await expect(page.locator('#known')).toContainText('已有客户');
    await expect(page.locator('#known a[href^="/leads/"]')).toHaveCount(1);
  });

  test('the consultant sees the day: overdue, due today, new', async ({ page }) => {
    await signIn(page, 'consultant');
    await page.locator('nav.nav a[href="/today"]').click();
    await expect(page).toHaveURL(/\/today$/);
    await expect(page.locator('h1')).toHaveText('今日工作');
    const overdue = page.locator('[data-list="leads.overdue_follow_ups"] li.lead-card');
    expect(await overdue.count()).toBeGreaterThan(0);
    await expect(overdue.first()).toHaveClass(/overdue/);
    // The demo's appointments for later today need some of the day left: in the last
    // hour before midnight, China time, they fall due (or past due) within minutes.
    if (new Date(Date.now() + 8 * 3600e3).getUTCHours() < 23) {
      expect(await page.locator('[data-list="leads.due_today"] li.lead-card').count()).toBeGreaterThan(0);
    }
    expect(await page.locator('[data-list="leads.new_assignments"] li.lead-card').count()).toBeGreaterThan(0);
    await expectNoHorizontalOverflow(page);
    await page.screenshot({ path: shotPath('leads-today-phone'), fullPage: true });
    await Promise.all([page.waitForURL(/\/leads\/\d+$/), overdue.first().locator('a').first().click()]);
    await expect(page.locator('.badge.overdue')).toBeVisible();
  });
});

test('a manager approves a consultant’s close request', async ({ page }) => {
  await signIn(page, 'dealer.mgr');
  await page.goto('/leads/team');
  await expect(page.locator('h1')).toHaveText('团队跟进');
  await page.screenshot({ path: shotPath('leads-team'), fullPage: true });
  const pending = page.locator('table.leads').first().locator('tbody tr');
  expect(await pending.count()).toBeGreaterThan(0);
  await Promise.all([page.waitForURL(/\/leads\/\d+$/), pending.first().locator('a').first().click()]);
  await expect(page.locator('.notice')).toContainText('待审批关闭');
  await Promise.all([page.waitForURL(/\/leads\/\d+$/), page.locator('form[action$="/close-decision"] button[value="true"]').click()]);
  await expect(page.locator('dl.facts')).toContainText('战败');
  await expect(page.locator('h1 .badge')).toContainText('F');
});
