import { test, expect } from '@playwright/test';

// JavaScript is off in this project: the sign-in form posts natively and the rules list is
// server-rendered HTML.
test('sign-in and the rules list work with JavaScript disabled', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill('merchant@demo.test');
  await page.getByLabel('Password').fill('demo-merchant-pass');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/rules$/);
  const table = page.getByTestId('rules-table');
  await expect(table).toBeVisible();
  await expect(table.locator('tbody tr').first()).toBeVisible();
  await expect(table).toContainText('Template pack → copy course');
  await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
});
