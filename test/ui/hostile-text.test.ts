import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markdownPanel, openTemporalUi, openWorkflowTab, saveScreenshot, type UiBrowser } from '../support/temporal-ui';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * Text a client chose (an address, a cancel reason) shows in the Temporal UI's markdown panels as
 * the characters it is, never as a link, an image, HTML or formatting (workflows/format.ts
 * escapeMarkdown). Checked in the real UI, whatever markdown renderer it uses.
 */
const NAME = '[click here](https://evil.example/phish) <img src=x onerror=alert(1)>';
const CITY = '![pixel](https://evil.example/p.png) **Bold** `code`';
const REASON = 'refund at www.evil.example or https://evil.example\n# Call us\n- <b>now</b> _please_';

let stack: TestStack;
let ui: UiBrowser;
let workflowId: string;
let runId: string;

beforeAll(async () => {
  [stack, ui] = await Promise.all([startTestStack({ relay: false }), openTemporalUi()]);
  const base = stack.orderInput();
  const input = stack.orderInput({ shippingAddress: { ...base.shippingAddress, name: NAME, city: CITY } });
  const handle = await stack.startOrder(input);
  await stack.sagas.cancel(input.orderId, { reason: REASON }, 10_000);
  await handle.result();
  workflowId = handle.workflowId;
  runId = (await handle.describe()).runId;
});
afterAll(async () => {
  await ui?.close();
  await stack?.close();
});

describe('client text in the Temporal UI', () => {
  it('shows as text in Details and Current Details: no link, image, HTML or code', async () => {
    const { page } = ui;
    await openWorkflowTab(page, workflowId, runId, 'user-metadata');
    const details = markdownPanel(page, 'Details');
    await details.getByText(`Ship to ${NAME}, ${CITY}, GB`).waitFor();
    const current = markdownPanel(page, 'Current Details');
    await current.getByText(`Cancelled, ${REASON.replaceAll('\n', ' ')}`).waitFor();
    for (const panel of [details, current]) {
      expect(await panel.locator('a, img, code, em, b, h1, li, script').count()).toBe(0);
    }
    await saveScreenshot(page, 'hostile-text');
  });
});
