import { test, expect, Page } from '@playwright/test';
import { signIn } from './helpers';

const PRIYA_SUB = 'sub_PriyaBasic0001';

/** Opens the change panel of Priya's subscription, picks a plan and previews all modes. */
async function previewChange(page: Page, productId: string) {
  await page.locator(`tr[data-id="${PRIYA_SUB}"]`).getByTestId('change-plan').click();
  await expect(page.getByTestId('change-panel')).toBeVisible();
  await page.locator('#change-product').selectOption(productId);
  await page.locator('#change-quantity').fill('1');
  await page.getByTestId('preview').click();
  for (const mode of ['prorated_immediately', 'difference_immediately', 'full_immediately']) {
    await expect(page.getByTestId(`mode-${mode}`)).toBeVisible({ timeout: 10_000 });
  }
}

test.describe.configure({ mode: 'serial' });

test('support finds a subscription by email, compares the modes, upgrades and downgrades', async ({ page }) => {
  await signIn(page, 'support');
  await expect(page.locator('.who')).toHaveText('support@demo.test');
  await page.goto('/subscriptions');

  await page.getByLabel('Subscription id, customer id or email').fill('priya.raman@example.com');
  await page.getByTestId('subs-search').click();
  const card = page.getByTestId('customer');
  await expect(card).toContainText('Priya Raman');
  await expect(card).toContainText('VISA •••• 4242');
  await expect(page.locator(`tr[data-id="${PRIYA_SUB}"]`)).toContainText('Basic Monthly');

  // Upgrade Basic $30 → Pro $80: the three modes side by side, with plain words.
  await previewChange(page, 'pdt_ProMonthly06');
  const diff = page.getByTestId('mode-difference_immediately');
  await expect(diff.getByTestId('charge')).toHaveText('$50.00');
  await expect(page.getByTestId('mode-full_immediately').getByTestId('charge')).toHaveText('$80.00');
  await expect(page.getByTestId('mode-full_immediately')).toContainText('new billing period starts today');
  const prorated = page.getByTestId('mode-prorated_immediately');
  await expect(prorated).toContainText('days left in this billing period');
  // Each line with its share of the period and what it bills; the credit used closes the gap to the charge.
  await expect(prorated.getByRole('list', { name: 'Line items' })).toContainText(/Pro Monthly × 1 @ \$80\.00 × \d{1,3}\.\d\d% = \$\d+\.\d\d/);
  await expect(diff.getByRole('list', { name: 'Line items' })).toContainText('Pro Monthly × 1 @ $80.00 × 100.00% = $80.00');
  await expect(diff.getByTestId('credit-used')).toContainText('-$30.00');
  await expect(diff.getByTestId('lines-note')).toHaveCount(0);
  // Prorated as Dodo previews it: the new plan's share as the one line, Basic's unused time as the credit used.
  await expect(prorated.getByRole('list', { name: 'Line items' }).getByRole('listitem')).toHaveCount(2);
  await expect(prorated.getByTestId('credit-used')).toContainText(/-\$\d+\.\d\d/);
  await expect(prorated.getByTestId('lines-note')).toHaveCount(0);

  await diff.getByTestId('choose').click();
  await expect(page.getByTestId('confirm-amount')).toHaveText('$50.00');
  await page.getByTestId('execute').click();
  const result = page.getByTestId('change-result');
  await expect(result).toHaveAttribute('data-state', 'applied', { timeout: 15_000 });
  await expect(result.getByTestId('charged')).toHaveText('$50.00', { timeout: 15_000 });
  const history = page.getByTestId('history');
  await expect(history.getByTestId('change-row').first()).toContainText('Basic Monthly × 1 → Pro Monthly × 1');
  await expect(history.getByTestId('change-row').first().getByTestId('charged')).toContainText('$50.00');
  await expect(page.locator(`tr[data-id="${PRIYA_SUB}"]`)).toContainText('Pro Monthly');

  // Downgrade Pro → Basic: nothing charged now, $50 credited for the customer.
  await previewChange(page, 'pdt_BasicMonthly05');
  const down = page.getByTestId('mode-difference_immediately');
  await expect(down.getByTestId('charge')).toHaveText('$0.00');
  await expect(down.getByTestId('credit')).toHaveText('$50.00');
  await down.getByTestId('choose').click();
  await expect(page.getByTestId('confirm')).toContainText('Credit for the customer');
  await expect(page.getByTestId('confirm-amount')).toHaveText('$50.00');
  await page.getByTestId('execute').click();
  await expect(result).toHaveAttribute('data-state', 'applied', { timeout: 15_000 });
  await expect(result).toContainText('Credit for the customer: $50.00');
  await expect(history.getByTestId('change-row').first()).toContainText('Pro Monthly × 1 → Basic Monthly × 1');
  await expect(history.getByTestId('change-row').first()).toContainText('$50.00');
});

test('analysts cannot open the console', async ({ page }) => {
  await signIn(page, 'analyst');
  await expect(page.locator('.who')).toHaveText('analyst@demo.test');
  await page.goto(`/subscriptions?q=${PRIYA_SUB}`);
  await expect(page.getByTestId('subs-denied')).toBeVisible();
});

test('a change at the next billing date says what it will bill, and blocks another until cancelled', async ({ page }) => {
  const SAM_SUB = 'sub_SamBasic0007';
  await signIn(page, 'support');
  await expect(page.locator('.who')).toHaveText('support@demo.test');
  await page.goto(`/subscriptions?q=${SAM_SUB}`);
  await page.locator(`tr[data-id="${SAM_SUB}"]`).getByTestId('change-plan').click();
  await expect(page.getByTestId('change-panel')).toBeVisible();
  // A monthly subscriber's first guess is another monthly plan, not a year's price.
  await expect(page.locator('#change-product option:checked')).toHaveText(/Monthly — \$\d+\.\d\d \/ month/);
  await page.locator('#change-product').selectOption('pdt_ProMonthly06');
  await page.locator('#change-effective').selectOption('next_billing_date');
  await page.getByTestId('preview').click();
  const card = page.getByTestId('mode-prorated_immediately');
  await expect(card.getByTestId('charge')).toHaveText('$0.00', { timeout: 10_000 });
  await expect(card.getByTestId('billed-from')).toContainText(/The new plan is billed from \d{4}-\d\d-\d\d .*: \$80\.00/);
  await card.getByTestId('choose').click();
  await page.getByTestId('execute').click();
  await expect(page.getByTestId('change-result')).toHaveAttribute('data-state', 'scheduled', { timeout: 15_000 });
  const row = page.getByTestId('history').getByTestId('change-row').first();
  await expect(row).toContainText('At the next billing date');

  // Another change is refused with the reason, before and after trying.
  await page.goto(`/subscriptions?q=${SAM_SUB}`);
  await page.locator(`tr[data-id="${SAM_SUB}"]`).getByTestId('change-plan').click();
  await expect(page.getByTestId('scheduled-first')).toContainText('Scheduled change to Pro Monthly × 1');
  await page.getByTestId('preview').click();
  await page.getByTestId('mode-full_immediately').getByTestId('choose').click();
  await page.getByTestId('execute').click();
  await expect(page.getByTestId('change-panel').locator('.banner.error')).toContainText('Another change of this subscription is scheduled');
  await expect(page.getByTestId('change-panel').locator('.banner.error')).toContainText('Nothing was charged');

  // Cancelled, the subscription is free for the next change.
  await page.getByTestId('history').getByTestId('change-row').first().getByRole('button', { name: 'Cancel this change' }).click();
  await expect(page.getByTestId('history').getByTestId('change-row').first()).toHaveAttribute('data-state', 'cancelled', { timeout: 10_000 });
});
