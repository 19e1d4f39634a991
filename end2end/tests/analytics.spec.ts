import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { hydrated, signIn } from './helpers';

test('analyst changes the range, filters, reads the trend, drills down and downloads the CSV', async ({ page }) => {
  await signIn(page, 'analyst');
  await expect(page).not.toHaveURL(/\/login/);
  await page.goto('/analytics');
  await hydrated(page);
  const table = page.getByTestId('an-table');
  // The demo history (90 days) fills the default 30-day table.
  await expect(table.locator('tbody tr').first()).toBeVisible();
  await expect(page.getByTestId('trend')).toHaveAttribute('data-days', '30');

  await page.getByTestId('preset-7').click();
  await expect(page).toHaveURL(/from=\d{4}-\d{2}-\d{2}&to=/);
  await expect(page.getByTestId('trend')).toHaveAttribute('data-days', '7');

  // The filter form: the URL holds what is set, and nothing for filters left at "All".
  await page.getByLabel('Currency').selectOption('USD');
  await page.getByTestId('apply').click();
  await expect(page).toHaveURL(/currency=USD/);
  expect(page.url()).not.toMatch(/[?&](=|kind=|trigger=|offered=|sort=)(&|$)/);
  await expect(page.getByTestId('an-table').locator('tbody td', { hasText: 'EUR' })).toHaveCount(0);
  await page.getByTestId('preset-7').click();
  await expect(page.getByTestId('trend')).toHaveAttribute('data-days', '7');

  // Hovering a day shows its values; toggling a series hides it (both in CSS).
  const day = page.locator('svg[data-testid=trend] .day').nth(2);
  await expect(day.locator('.day-detail')).toBeHidden();
  await day.locator('.hit').hover();
  await expect(day.locator('.day-detail')).toBeVisible();
  await expect(day.locator('.day-detail')).toContainText(/Shown \d+, Paid \d+/);
  await page.getByTestId('series-paid').uncheck();
  await expect(page.locator('svg[data-testid=trend] .line.paid')).toBeHidden();
  // The revenue bars carry their own scale (their tallest bar), and it goes with them.
  await expect(page.getByTestId('revenue-scale')).toHaveText(/^[$€¥]\d[\d,]*(\.\d\d)?$/);
  await page.getByTestId('series-revenue').uncheck();
  await expect(page.getByTestId('revenue-scale')).toBeHidden();
  await page.getByTestId('series-revenue').check();

  // Drill-down into the first offer: its funnel and recent offers.
  await table.locator('tbody th a').first().click();
  await expect(page.getByTestId('funnel')).toBeVisible();
  // Each step after the first says how many of the step before it went on.
  await expect(page.getByTestId('funnel-step')).toHaveCount(3);
  await expect(page.getByTestId('funnel-step').nth(1)).toHaveText(/^\d{1,3}\.\d% of shown$/);
  await expect(page.getByTestId('recent').locator('tbody tr').first()).toBeVisible();

  // The CSV has a header, the table's rows, then one total per currency.
  const rows = await table.locator('tbody tr').count();
  const totals = await table.locator('tfoot tr').count();
  const firstName = (await table.locator('tbody th a').first().textContent())!.trim();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv').click()]);
  const text = readFileSync((await download.path())!, 'utf8');
  const lines = text.trim().split('\n');
  expect(lines[0]).toMatch(/^offer,kind,trigger_product,offered_product,currency,created,shown/);
  expect(lines.length).toBe(1 + rows + totals);
  expect(lines[1].startsWith(firstName)).toBe(true);
  expect(lines[lines.length - 1].startsWith('Total,')).toBe(true);
});

test('support staff are told analytics are not for their role', async ({ page }) => {
  await signIn(page, 'support');
  await expect(page).not.toHaveURL(/\/login/);
  await page.goto('/analytics');
  await hydrated(page);
  await expect(page.getByTestId('analytics-denied')).toBeVisible();
});

test.describe('in the viewer’s time zone', () => {
  test.use({ timezoneId: 'Asia/Kolkata' });

  test('days follow the browser’s zone, from the first paint on the next visit', async ({ page }) => {
    await signIn(page, 'analyst');
    await expect(page).not.toHaveURL(/\/login/);
    await page.goto('/analytics');
    // The server could not know the zone on a first visit: the zone island loads the same
    // range again in the browser's zone.
    // Chromium's ICU may still use the zone's older name, Asia/Calcutta.
    await expect(page).toHaveURL(/tz=Asia%2F(Kolkata|Calcutta)/);
    await expect(page.getByTestId('an-zone')).toContainText(/Asia\/(Kolkata|Calcutta)/);
    await expect(page.getByTestId('an-table').locator('tbody tr').first()).toBeVisible();
    // The zone is remembered: the server renders the next visit in it (no JavaScript needed).
    const html = await (await page.request.get('/analytics')).text();
    expect(html).toMatch(/data-testid="an-zone"[^]{0,200}Asia\/(Kolkata|Calcutta)/);
  });
});
