import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium package (`.ci/run` installs it); playwright-core downloads no browser. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface HeadlessBrowser {
  page: Page;
  close(): Promise<void>;
}

/**
 * Headless Chromium with a fresh profile, no network chatter of its own (sync, updates,
 * background fetches), and every request outside `origin` refused.
 */
export async function openHeadlessBrowser(origin: string): Promise<HeadlessBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'saga-browser-test-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1600, height: 1200 },
    timezoneId: 'UTC',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  await context.route('**/*', (route) => (route.request().url().startsWith(`${origin}/`) ? route.continue() : route.abort()));
  const page = context.pages()[0] ?? (await context.newPage());
  // Everything here shows within a few seconds; failing fast beats playwright's 30 s default.
  page.setDefaultTimeout(10_000);
  return {
    page,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
