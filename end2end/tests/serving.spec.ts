import { test, expect, Page } from '@playwright/test';
import { signIn, hydrated } from './helpers';

/** Console errors and CSP violations on the page from now on. */
function watch(page: Page) {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return {
    problems,
    /** Violations the page saw (the CSP reports them as DOM events). */
    async violations(): Promise<string[]> {
      return page.evaluate(() => (window as any).__cspViolations ?? []);
    },
  };
}

test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => {
    (window as any).__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as any).__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
});

test('every page hydrates under the CSP with zero console errors', async ({ page }) => {
  const w = watch(page);
  const login = await page.goto('/login');
  const csp = login?.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("'nonce-");
  expect(csp).not.toContain('unsafe-inline');
  await hydrated(page);
  await signIn(page, 'merchant');
  await expect(page).toHaveURL(/\/rules$/);
  for (const path of ['/rules', '/analytics', '/subscriptions', '/sandbox', '/settings', '/users']) {
    await page.goto(path);
    await hydrated(page);
  }
  expect(await w.violations()).toEqual([]);
  expect(w.problems).toEqual([]);
});

test('the bundle arrives precompressed, content-hashed and cached for good', async ({ page }) => {
  const bundle: { url: string; encoding?: string; cache?: string }[] = [];
  page.on('response', (r) => {
    if (/\/pkg\/.+\.(wasm|js|css)$/.test(r.url())) {
      bundle.push({ url: r.url(), encoding: r.headers()['content-encoding'], cache: r.headers()['cache-control'] });
    }
  });
  await page.goto('/login');
  await hydrated(page);
  expect(bundle.length).toBeGreaterThanOrEqual(3);
  for (const f of bundle) {
    expect(f.url, 'a content-hashed name').toMatch(/upsell_dashboard\.[0-9a-zA-Z_-]+\.(wasm|js|css)$/);
    // Chromium offers brotli over https only; over this plain-http test server it takes gzip.
    expect(['br', 'gzip'], f.url).toContain(f.encoding);
    expect(f.cache, f.url).toBe('public, max-age=31536000, immutable');
  }
});
