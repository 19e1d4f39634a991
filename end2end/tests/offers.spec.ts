import { test, expect, Page } from '@playwright/test';
import { signIn, hydrated } from './helpers';

/** On the sandbox page: "customer buys product" → the webhook arrives → the offer link. */
async function simulatePurchase(page: Page, customerId: string, productId: string) {
  await page.goto('/sandbox');
  await hydrated(page);
  await page.getByLabel('Customer').selectOption(customerId);
  await page.getByLabel('Product bought').selectOption(productId);
  await page.getByTestId('simulate').click();
  const link = page.getByTestId('offer-link');
  await expect(link).toBeVisible({ timeout: 10_000 });
  await link.click();
  await expect(page.getByTestId('offer-card')).toBeVisible();
  await hydrated(page);
}

test.describe.configure({ mode: 'serial' });

test('simulate a purchase, accept the offer with one click, see it confirmed', async ({ page }) => {
  await signIn(page, 'merchant');
  await expect(page).toHaveURL(/\/rules$/);
  await simulatePurchase(page, 'cus_PriyaRaman0001', 'pdt_LpTemplatePack01');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Write the words that make those pages sell');
  await expect(page.getByTestId('price-diff')).toHaveText('$20.00 more than what you just bought (Landing Page Template Pack, $29.00)');
  // A plain form: the page comes back charging, looks again each second, then shows paid.
  const accept = page.getByTestId('accept');
  await accept.click();
  await expect(page.getByTestId('offer-paid')).toBeVisible({ timeout: 15_000 });
  // The course has a next offer: once paid, the page links to it, and it charges on its own.
  const next = page.getByTestId('next-offer');
  await expect(next).toBeVisible();
  await next.click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('One more thing: icons to match');
  // 25 % off: the old price struck through, the saving, and a countdown ticking in seconds.
  await expect(page.getByTestId('full-price')).toHaveText('$9.00');
  await expect(page.getByTestId('offer-card').locator('.price').first()).toHaveText('$6.75');
  await expect(page.getByTestId('saving')).toHaveText('You save $2.25 (25% off).');
  // An add-on after the course meets another need: no price gap to anything.
  await expect(page.getByTestId('price-diff')).toHaveCount(0);
  await hydrated(page);
  await expect(page.getByTestId('countdown')).toHaveText(/^Offer ends in (29:[0-5]\d|30:00)$/);
  const first = await page.getByTestId('countdown').textContent();
  await expect(page.getByTestId('countdown')).not.toHaveText(first!, { timeout: 3_000 });
  await page.getByTestId('accept').click();
  await expect(page.getByTestId('offer-paid')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('next-offer')).toHaveCount(0);
});

test('decline shows the downsell at once, which can be accepted', async ({ page }) => {
  await signIn(page, 'merchant');
  await expect(page).toHaveURL(/\/rules$/);
  await simulatePurchase(page, 'cus_JonasWeber0002', 'pdt_LpTemplatePack01');
  await page.getByTestId('decline').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Not now? Take the email templates instead');
  // A downsell is priced against the offer just declined, not the purchase.
  await expect(page.getByTestId('price-diff')).toHaveText('$30.00 less than the offer you passed on (Conversion Copywriting Course, $49.00)');
  await hydrated(page);
  await page.getByTestId('accept').click();
  await expect(page.getByTestId('offer-paid')).toBeVisible({ timeout: 15_000 });
});

test('a customer without a saved method lands on the fallback checkout', async ({ page }) => {
  await signIn(page, 'merchant');
  await expect(page).toHaveURL(/\/rules$/);
  await simulatePurchase(page, 'cus_SamOkafor0006', 'pdt_LpTemplatePack01');
  await page.getByTestId('accept').click();
  const fallback = page.getByTestId('fallback-link');
  await expect(fallback).toBeVisible();
  await expect(page.getByTestId('offer-failed')).toContainText('nothing was charged');
  await fallback.click();
  await expect(page.getByTestId('hosted-checkout')).toBeVisible();
});
