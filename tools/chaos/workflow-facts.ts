import type { Client } from '@temporalio/client';
import type { OrderSagaState } from '../../domain/order';
import { orderSagaHandle } from '../../saga-client/order-handle';
import { activityExecutions } from '../histories/activity-executions';

export interface WorkflowFacts {
  orderId: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, TERMINATED … */
  execution: string;
  /** The saga's result once it completed. */
  result: OrderSagaState | null;
  /** Per activity type: attempts beyond the first, summed over its executions. */
  retries: Record<string, number>;
  /** Per activity type: the highest attempt any of its executions reached. */
  maxAttempt: Record<string, number>;
  /** Activity types that ran as local activities (recorded as markers). */
  localActivities: string[];
  /** Workflow tasks that timed out or failed: how a worker that died mid-task shows. */
  workflowTaskFailures: number;
}

/** What Temporal knows about each saga: how its execution ended, its result, its retries. */
export async function collectWorkflowFacts(client: Client, orderIds: readonly string[], parallel = 8): Promise<Map<string, WorkflowFacts>> {
  const facts = new Map<string, WorkflowFacts>();
  let next = 0;
  const lane = async () => {
    while (next < orderIds.length) {
      const orderId = orderIds[next++]!;
      facts.set(orderId, await factsOf(client, orderId));
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  return facts;
}

async function factsOf(client: Client, orderId: string): Promise<WorkflowFacts> {
  const handle = orderSagaHandle(client, orderId);
  const { status } = await handle.describe();
  const result = status.name === 'COMPLETED' ? await handle.result() : null;
  const history = await handle.fetchHistory();
  const retries: Record<string, number> = {};
  const maxAttempt: Record<string, number> = {};
  const localActivities = new Set<string>();
  for (const { type, attempt, local } of activityExecutions(history)) {
    retries[type] = (retries[type] ?? 0) + attempt - 1;
    maxAttempt[type] = Math.max(maxAttempt[type] ?? 0, attempt);
    if (local) localActivities.add(type);
  }
  const workflowTaskFailures = (history.events ?? []).filter(
    (event) => event.workflowTaskTimedOutEventAttributes || event.workflowTaskFailedEventAttributes,
  ).length;
  return { orderId, execution: status.name, result, retries, maxAttempt, localActivities: [...localActivities], workflowTaskFailures };
}
