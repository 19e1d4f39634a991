import { test, expect, Page } from '@playwright/test';
import { signIn, hydrated } from './helpers';

// Runs after subscriptions.spec.ts (files run in name order): Priya's Basic subscription
// may hold credit from the console's downgrade there, so the amount due today is read from
// the page and must be what the console then shows as charged.

/** On the sandbox page: a subscriber's moment, as the merchant's backend would report it. */
async function subscriberMoment(page: Page, sub: string, moment: 'near-limit' | 'asks-to-cancel', reason?: string) {
  await page.goto('/sandbox');
  await page.getByLabel('Subscription', { exact: true }).selectOption(sub);
  if (reason) await page.getByLabel('Cancel reason it answers').selectOption(reason);
  await page.getByTestId(moment).click();
  await expect(page.getByTestId('offer-card')).toBeVisible({ timeout: 10_000 });
}

test.describe.configure({ mode: 'serial' });

test('a Basic subscriber upgrades to Pro in one click; the console shows the moved subscription', async ({ page }) => {
  await signIn(page, 'merchant');
  await expect(page).toHaveURL(/\/rules$/);
  // The map names each rule's action.
  await expect(page.locator('tr', { hasText: 'Basic → Pro near limit' }).getByTestId('rule-action')).toHaveText('Plan change');
  await subscriberMoment(page, 'sub_PriyaBasic0001', 'near-limit');
  const card = page.getByTestId('offer-card');
  await expect(card).toHaveAttribute('data-action', 'plan_change');
  await expect(page.getByTestId('plan-move')).toContainText('Basic Monthly → Pro Monthly');
  const terms = page.getByTestId('offer-terms');
  await expect(terms).toContainText(/(\$\d+\.\d\d today|Nothing to pay today), then \$80\.00 \/ month from \d{4}-\d\d-\d\d/);
  // The small print adds what the terms do not say; the recurring price is not repeated.
  await expect(page.getByTestId('offer-small-print')).toHaveText('This changes your current subscription; it does not start a second one.');
  await hydrated(page);
  await page.getByTestId('accept').click();
  await expect(page.getByTestId('offer-paid')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('offer-paid')).toContainText('moved to the new plan');

  await page.goto('/subscriptions?q=sub_PriyaBasic0001');
  await expect(page.locator('tr[data-id="sub_PriyaBasic0001"]')).toContainText('Pro Monthly', { timeout: 10_000 });
  await expect(page.getByTestId('history').getByTestId('change-row').first()).toContainText('Basic Monthly × 1 → Pro Monthly × 1');
  // The customer's offers, with the plan change the offer caused.
  const offer = page.getByTestId('customer-offers').getByTestId('offer-row').filter({ hasText: 'Basic → Pro near limit' });
  await expect(offer).toContainText('Plan change');
  await expect(offer).toContainText('Basic Monthly × 1 → Pro Monthly × 1');
});

test('the save offer works with the keyboard alone', async ({ page }) => {
  await signIn(page, 'merchant');
  await expect(page).toHaveURL(/\/rules$/);
  await subscriberMoment(page, 'sub_JonasPro0003', 'asks-to-cancel', 'too_expensive');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Stay for less');
  await expect(page.getByTestId('offer-terms')).toContainText(/Nothing to pay today, then \$30\.00 \/ month from \d{4}-\d\d-\d\d/);
  await expect(page.getByTestId('decline')).toHaveText('No thanks, cancel my subscription');
  await hydrated(page);
  // Tab until the accept button has focus, then Enter.
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    if (await page.getByTestId('accept').evaluate((el) => el === document.activeElement)) break;
  }
  await expect(page.getByTestId('accept')).toBeFocused();
  await expect(page.getByTestId('accept')).toHaveText('Stay on Basic Monthly');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('offer-paid')).toContainText('Your subscription has been updated', { timeout: 15_000 });
});
