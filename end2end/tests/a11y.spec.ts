import { test, expect, Page } from '@playwright/test';
import { signIn, hydrated } from './helpers';

// axe-core is injected as a script, which the pages' CSP rightly refuses: this spec alone
// runs with the CSP bypassed (serving.spec.ts checks the CSP itself).
test.use({ bypassCSP: true });

/** Serious and critical violations on the page as it stands, one line each. */
async function violations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const found: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] =
    await page.evaluate(async () => (await (window as any).axe.run(document, { resultTypes: ['violations'] })).violations);
  return found
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('no serious or critical accessibility violation on any screen', async ({ page }) => {
  const problems: string[] = [];
  await page.goto('/login');
  await hydrated(page);
  problems.push(...(await violations(page)).map((v) => `/login ${v}`));
  await signIn(page, 'merchant');
  await expect(page).toHaveURL(/\/rules$/);
  for (const path of ['/', '/rules', '/rules?new', '/analytics', '/subscriptions', '/users', '/settings', '/account', '/sandbox']) {
    await page.goto(path);
    await hydrated(page);
    problems.push(...(await violations(page)).map((v) => `${path} ${v}`));
  }
  // The customer's page: an offer made by a simulated purchase.
  const made = await page.request.post('/api/sandbox/purchase', {
    data: { customer_id: 'cus_PriyaRaman0001', product_id: 'pdt_LpTemplatePack01' },
  });
  const offerUrl = (await made.json()).offer_url as string;
  expect(offerUrl).toMatch(/^\/offer\/otk_/);
  await page.goto(offerUrl);
  await hydrated(page);
  problems.push(...(await violations(page)).map((v) => `offer page ${v}`));
  expect(problems).toEqual([]);
});
