import { expect, Page } from '@playwright/test';

export const DEMO = {
  merchant: ['merchant@demo.test', 'demo-merchant-pass'],
  analyst: ['analyst@demo.test', 'demo-analyst-pass'],
  support: ['support@demo.test', 'demo-support-pass'],
} as const;

/** Waits for the wasm to take over: the marker is set by an Effect, which never runs on the server. */
export async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 20_000 });
}

export async function signIn(page: Page, who: keyof typeof DEMO) {
  const [email, password] = DEMO[who];
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** A value on `window` survives only if the page did not reload: proof of a client-side update. */
export async function markPage(page: Page) {
  await page.evaluate(() => ((window as any).__noReload = true));
}

export async function expectSamePage(page: Page) {
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);
}
