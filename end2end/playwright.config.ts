import { defineConfig } from '@playwright/test';

// Run by `cargo leptos end-to-end --release` (end2end-cmd = "npx playwright test"),
// which sets LEPTOS_SITE_ADDR; scripts/test.sh passes the matching BASE_URL.
const BASE_URL = process.env.BASE_URL ?? 'http://127.0.0.1:3000';

// Debian's Chromium, never Playwright's own download (unreachable here). The
// background-networking flags stop Chromium from dialling Google services,
// which this machine's closed network refuses many times per start.
const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

const NO_JS = /.*\.nojs\.spec\.ts$/;

export default defineConfig({
  testDir: './tests',
  // cargo-leptos starts Playwright the moment it spawns the server: wait for it.
  globalSetup: './global-setup.ts',
  timeout: 30_000,
  workers: 1,
  retries: 0,
  reporter: 'list',
  forbidOnly: !!process.env.CI,
  use: {
    baseURL: BASE_URL,
    launchOptions: CHROMIUM,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  // Chromium only: the Firefox/WebKit projects of the template would ask for
  // `npx playwright install`.
  projects: [
    {
      name: 'chromium',
      testIgnore: NO_JS,
      use: { browserName: 'chromium' },
    },
    {
      // Pages must work before (and without) the wasm: forms post, links navigate.
      name: 'no-js',
      testMatch: NO_JS,
      use: { browserName: 'chromium', javaScriptEnabled: false },
    },
  ],
});
