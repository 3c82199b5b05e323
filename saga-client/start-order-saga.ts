import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import { workflowIdForOrder, type OrderSagaInput } from '../domain/order';
import { orderSaga } from '../workflows';
import { describeLines, escapeMarkdown as md } from '../workflows/format';
import { CUSTOMER_ID } from '../workflows/search-attributes';
import type { OrderSagaHandle } from './order-handle';

/** What the Temporal UI shows for a saga: a one-line summary and the order in detail. */
export function orderSummary(input: OrderSagaInput): { staticSummary: string; staticDetails: string } {
  const units = input.items.reduce((sum, item) => sum + item.quantity, 0);
  const { name, city, country } = input.shippingAddress;
  return {
    staticSummary: `Order ${input.orderId.slice(0, 8)}… · ${units} item${units === 1 ? '' : 's'} · customer ${md(input.customerId)}`,
    staticDetails: [
      `**Order** ${input.orderId}`,
      `**Customer** ${md(input.customerId)}`,
      `**Items** ${describeLines(input.items)}`,
      `**Ship to** ${md(name)}, ${md(city)}, ${md(country)}`,
      // Markdown hard line breaks, not paragraphs: the UI shows details in a frame of fixed height.
    ].join('  \n'),
  };
}

/**
 * Starts the saga for an order, or returns the one already running for it: the workflow id is
 * derived from the order id, so starting twice never makes a second saga. Once that saga has
 * closed, a start is refused (WorkflowExecutionAlreadyStartedError) rather than run again.
 */
export function startOrderSaga(client: Client, input: OrderSagaInput, taskQueue: string): Promise<OrderSagaHandle> {
  return client.workflow.start(orderSaga, {
    taskQueue,
    workflowId: workflowIdForOrder(input.orderId),
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    // 5 s instead of 10 s: a workflow task (with the local steps it runs) on a worker that died is
    // handed to another after this. A healthy task takes milliseconds, and one running a long
    // local step is kept alive by the SDK's workflow-task heartbeat, so it never fires on them.
    workflowTaskTimeout: '5 seconds',
    args: [input],
    typedSearchAttributes: [{ key: CUSTOMER_ID, value: input.customerId }],
    ...orderSummary(input),
  });
}
