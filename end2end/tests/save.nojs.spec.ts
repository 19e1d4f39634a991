import { test, expect } from '@playwright/test';

// JavaScript is off: a subscriber's save offer is shown and accepted with plain forms.
test('a save offer is shown and accepted with JavaScript disabled', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill('merchant@demo.test');
  await page.getByLabel('Password').fill('demo-merchant-pass');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/rules$/);
  await page.goto('/sandbox');
  await page.getByLabel('Subscription', { exact: true }).selectOption('sub_JonasPro0003');
  await page.getByLabel('Cancel reason it answers').selectOption('not_using_enough');
  await page.getByTestId('asks-to-cancel').click();
  // The catch-all for Pro: a free month.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Take a month on us');
  // When the price resumes, and no "Pro Monthly → Pro Monthly": the plan stays.
  await expect(page.getByTestId('offer-terms')).toContainText(/30 days free\. Nothing to pay today, then \$80\.00 \/ month from \d{4}-\d\d-\d\d/);
  await expect(page.getByTestId('plan-move')).toHaveCount(0);
  await page.getByTestId('accept').click();
  await expect(page.getByTestId('offer-paid')).toContainText('Your subscription has been updated');
  await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
});
