import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
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
  /** Every timeout in the history, and when Temporal recorded it (an activity's: when its next attempt started). */
  timeouts: Timeout[];
}

export interface Timeout {
  /**
   * `sticky workflow task` is a task its worker's cache did not pick up within the sticky
   * schedule-to-start timeout: it moves to the shared queue and nothing runs twice (a replay).
   * The others are work that started and ran out of time, so it runs again.
   */
  kind: 'activity heartbeat' | 'activity start-to-close' | 'workflow task' | 'sticky workflow task';
  at: number;
}

// temporal.api.enums.v1.TimeoutType (the proto package is CommonJS without named ESM exports).
const TIMEOUT_TYPE_START_TO_CLOSE = 1;
const TIMEOUT_TYPE_SCHEDULE_TO_START = 2;
const TIMEOUT_TYPE_HEARTBEAT = 4;

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
  const timeouts: Timeout[] = [];
  for (const event of history.events ?? []) {
    const at = tsToMs(event.eventTime);
    const lastTimeout = Number(event.activityTaskStartedEventAttributes?.lastFailure?.timeoutFailureInfo?.timeoutType ?? 0);
    if (lastTimeout === TIMEOUT_TYPE_HEARTBEAT) timeouts.push({ kind: 'activity heartbeat', at });
    else if (lastTimeout === TIMEOUT_TYPE_START_TO_CLOSE) timeouts.push({ kind: 'activity start-to-close', at });
    const workflowTask = event.workflowTaskTimedOutEventAttributes;
    if (workflowTask)
      timeouts.push({
        kind: Number(workflowTask.timeoutType ?? 0) === TIMEOUT_TYPE_SCHEDULE_TO_START ? 'sticky workflow task' : 'workflow task',
        at,
      });
  }
  return {
    orderId,
    execution: status.name,
    result,
    retries,
    maxAttempt,
    localActivities: [...localActivities],
    workflowTaskFailures,
    timeouts,
  };
}
