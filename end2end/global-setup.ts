// Wait until the server answers /healthz with 200. cargo-leptos launches the
// tests as soon as it has spawned the server, before it listens; a release
// server with a fresh database needs a moment (migrations) on a busy 2-core box.
import type { FullConfig } from '@playwright/test';

const TIMEOUT_MS = Number(process.env.E2E_SERVER_TIMEOUT_MS ?? 120_000);
const INTERVAL_MS = 250;

export default async function globalSetup(config: FullConfig): Promise<void> {
  const baseURL = config.projects[0]?.use.baseURL ?? process.env.BASE_URL ?? 'http://127.0.0.1:3000';
  const url = new URL('/healthz', baseURL).toString();
  const deadline = Date.now() + TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = String((err as Error)?.cause ?? err);
    }
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
  }
  throw new Error(`server not ready: ${url} did not return 200 within ${TIMEOUT_MS} ms (last: ${last})`);
}
