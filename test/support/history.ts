import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { activityExecutions } from '../../tools/histories/activity-executions';

/** The OrderStatus values the saga upserted, in history order: the statuses it went through. */
export async function statusTrail(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  const trail: string[] = [];
  for (const event of history.events ?? []) {
    const payload = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.OrderStatus;
    if (payload) {
      const value = defaultPayloadConverter.fromPayload<string | string[]>(payload);
      trail.push(Array.isArray(value) ? value[0]! : value);
    }
  }
  return trail;
}

/** The highest attempt each activity type reached, local activities included. */
export async function activityAttempts(handle: WorkflowHandle): Promise<Record<string, number>> {
  const attempts: Record<string, number> = {};
  for (const { type, attempt } of activityExecutions(await handle.fetchHistory())) attempts[type] = Math.max(attempts[type] ?? 0, attempt);
  return attempts;
}
