import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderSagaInput } from '../../domain/order';
import { orderSummary } from '../../saga-client/start-order-saga';
import {
  markdownPanel,
  metadataEventRow,
  openFilteredList,
  openTemporalUi,
  openWorkflowTab,
  saveScreenshot,
  type UiBrowser,
} from '../support/temporal-ui';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * What a person sees in the Temporal UI (the dev server's, http://127.0.0.1:8233) for a
 * completed order and for a compensated one. Screenshots land in .test-output/ui/.
 */
interface FinishedOrder {
  input: OrderSagaInput;
  workflowId: string;
  runId: string;
}

let stack: TestStack;
let ui: UiBrowser;
let completed: FinishedOrder;
let compensated: FinishedOrder;

async function runToEnd(input: OrderSagaInput): Promise<FinishedOrder> {
  const handle: WorkflowHandle = await stack.startOrder(input);
  await handle.result();
  return { input, workflowId: handle.workflowId, runId: (await handle.describe()).runId };
}

beforeAll(async () => {
  // The worker stays up for the whole file: the UI's Queries tab and current details ask it.
  [stack, ui] = await Promise.all([startTestStack({ relay: false }), openTemporalUi()]);
  [completed, compensated] = await Promise.all([
    runToEnd(stack.orderInput({ items: [{ sku: 'SKU-RED-MUG', quantity: 2 }] })),
    runToEnd(
      stack.orderInput({
        items: [{ sku: 'SKU-BLUE-TEE', quantity: 1 }],
        shippingAddress: { name: 'McMurdo Station', line1: 'Ross Island', city: 'McMurdo', postalCode: '0000', country: 'AQ' },
      }),
    ),
  ]);
});
afterAll(async () => {
  await ui?.close();
  await stack?.close();
});

describe('the Temporal UI shows a saga', () => {
  it('completed: its summary, details, priced progress and step summaries', async () => {
    const { page } = ui;
    await openWorkflowTab(page, completed.workflowId, completed.runId, 'user-metadata');
    await markdownPanel(page, 'Summary').getByText(orderSummary(completed.input).staticSummary).waitFor();
    await markdownPanel(page, 'Details').getByText('2× SKU-RED-MUG').waitFor();
    // Current details come from the running worker, through the workflow's metadata query.
    const progress = markdownPanel(page, 'Current Details');
    await progress.getByText('Status COMPLETED').waitFor();
    await progress.getByText('Total 25.00 EUR (2× SKU-RED-MUG at 12.50 EUR)').waitFor();
    for (const summary of ['Reserve 2× SKU-RED-MUG', 'Charge 25.00 EUR', 'Ship to London, GB', 'Complete order']) {
      await page.getByText(summary, { exact: true }).waitFor();
    }
    expect(await page.getByText(/^Compensate:/).count()).toBe(0);
    await saveScreenshot(page, 'completed-order');

    await openWorkflowTab(page, completed.workflowId, completed.runId, 'search-attributes');
    await page.getByText('"OrderStatus": "COMPLETED"').first().waitFor();
    await page.getByText(`"CustomerId": "${completed.input.customerId}"`).first().waitFor();
    await page.getByText('"OrderTotal": 25').first().waitFor();
    await saveScreenshot(page, 'completed-order-search-attributes');
  });

  it('compensated: the failure, and each compensation that ran', async () => {
    const { page } = ui;
    await openWorkflowTab(page, compensated.workflowId, compensated.runId, 'user-metadata');
    await markdownPanel(page, 'Summary').getByText(orderSummary(compensated.input).staticSummary).waitFor();
    const progress = markdownPanel(page, 'Current Details');
    await progress.getByText('Status FAILED').waitFor();
    await progress.getByText('Failed at createShipment: ShippingRefused, the carrier does not ship to AQ').waitFor();
    await progress.getByText('Compensations cancelShipment ✓, refundPayment ✓, releaseInventory ✓').waitFor();
    for (const summary of [
      'Ship to McMurdo, AQ',
      'Compensate: cancel shipment',
      'Compensate: refund payment',
      'Compensate: release inventory',
      'Mark order FAILED',
    ]) {
      await page.getByText(summary, { exact: true }).waitFor();
    }
    // Provider steps are ordinary activities, so each shows how it ended; database steps are local.
    expect(await metadataEventRow(page, 'Record order: 1× SKU-BLUE-TEE')).toBe(
      'Local Activity | Record order: 1× SKU-BLUE-TEE | Unspecified',
    );
    expect(await metadataEventRow(page, 'Charge 24.00 EUR')).toBe('Activity | Charge 24.00 EUR | Completed');
    expect(await metadataEventRow(page, 'Ship to McMurdo, AQ')).toBe('Activity | Ship to McMurdo, AQ | Failed');
    expect(await metadataEventRow(page, 'Compensate: refund payment')).toBe('Activity | Compensate: refund payment | Completed');
    await saveScreenshot(page, 'compensated-order');

    await openWorkflowTab(page, compensated.workflowId, compensated.runId, 'search-attributes');
    await page.getByText('"OrderStatus": "FAILED"').first().waitFor();
    await page.getByText('"FailedStep": "createShipment"').first().waitFor();
    await saveScreenshot(page, 'compensated-order-search-attributes');
  });

  it('lists the status query in the Queries tab and answers it', async () => {
    const { page } = ui;
    await openWorkflowTab(page, compensated.workflowId, compensated.runId, 'query');
    await page.getByTestId('query-select-button').click();
    // Listed with the description the workflow registered for it.
    await page.getByRole('option', { name: /^status\s*Status, steps done, compensations run/ }).click();
    await page.getByRole('button', { name: 'Run Query' }).click();
    await page.getByText('"status": "FAILED"').first().waitFor();
    await page.getByText('"step": "releaseInventory"').first().waitFor();
    await saveScreenshot(page, 'status-query');
  });

  it('filters orders by search attributes in the workflow list', async () => {
    const { page } = ui;
    await openFilteredList(page, `OrderStatus="FAILED" AND CustomerId="${compensated.input.customerId}"`, compensated.workflowId);
    await openFilteredList(page, `OrderStatus="COMPLETED" AND CustomerId="${completed.input.customerId}"`, completed.workflowId);
    await saveScreenshot(page, 'orders-filtered-by-status');
  });
});
