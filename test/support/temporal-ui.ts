import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FrameLocator, Page } from 'playwright-core';
import { openHeadlessBrowser, type HeadlessBrowser } from './headless-browser';

/** The UI of the dev server that scripts/stack-up.sh starts; the browser may reach nothing else. */
export const TEMPORAL_UI = 'http://127.0.0.1:8233';
/** Git-ignored: screenshots are for people to look at, not to commit. */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../.test-output/ui/', import.meta.url));

export type UiBrowser = HeadlessBrowser;

/** A headless browser that may reach the Temporal UI and nothing else. */
export const openTemporalUi = (): Promise<UiBrowser> => openHeadlessBrowser(TEMPORAL_UI);

export type WorkflowTab = 'history' | 'user-metadata' | 'search-attributes' | 'query';

export async function openWorkflowTab(page: Page, workflowId: string, runId: string, tab: WorkflowTab): Promise<void> {
  await page.goto(`${TEMPORAL_UI}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}/${tab}`);
}

/** The UI renders summaries and details as markdown in a frame below their heading. */
export function markdownPanel(page: Page, heading: 'Summary' | 'Details' | 'Current Details'): FrameLocator {
  return page
    .getByRole('heading', { name: heading, exact: true })
    .locator('xpath=ancestor::div[contains(@class, "surface-information")][1]/following-sibling::*//iframe')
    .first()
    .contentFrame();
}

export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Opens the workflow list filtered by a visibility query until `workflowId` shows in it.
 * Search attributes list eventually, so an empty first answer is reloaded, briefly.
 */
export async function openFilteredList(page: Page, query: string, workflowId: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.goto(`${TEMPORAL_UI}/namespaces/default/workflows?query=${encodeURIComponent(query)}`);
    const row = page.getByRole('link', { name: workflowId, exact: true });
    try {
      // The list renders within a few seconds of loading; longer means it did not match (yet).
      await row.waitFor({ timeout: Math.min(8000, Math.max(deadline - Date.now(), 1)) });
      return;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    }
  }
}

/**
 * One row of the User Metadata tab's "Events with Metadata", as `kind | summary | status`, e.g.
 * `Activity | Charge 25.00 EUR | Completed` (a local activity's status reads Unspecified).
 */
export async function metadataEventRow(page: Page, summary: string): Promise<string> {
  const row = page
    .locator('div.justify-between')
    .filter({ has: page.getByText(summary, { exact: true }) })
    .last();
  const cells = (await row.innerText()).split('\n').map((cell) => cell.trim());
  return cells.filter((cell) => cell.length > 0).join(' | ');
}
