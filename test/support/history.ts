import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';

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

/** How many times each activity type was attempted, from the history's ActivityTaskStarted events. */
export async function activityAttempts(handle: WorkflowHandle): Promise<Record<string, number>> {
  const history = await handle.fetchHistory();
  const typeByScheduledId = new Map<string, string>();
  const attempts: Record<string, number> = {};
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) typeByScheduledId.set(String(event.eventId), scheduled.activityType?.name ?? '?');
    const started = event.activityTaskStartedEventAttributes;
    if (started) {
      const type = typeByScheduledId.get(String(started.scheduledEventId)) ?? '?';
      attempts[type] = Math.max(attempts[type] ?? 0, started.attempt ?? 1);
    }
  }
  return attempts;
}
