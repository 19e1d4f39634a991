import { test, expect } from '@playwright/test';

// Proves the whole chain: release server up, Debian Chromium launches, page loads.
test('healthz answers 200 in the browser', async ({ page }) => {
  const response = await page.goto('/healthz');
  expect(response?.status()).toBe(200);
});
