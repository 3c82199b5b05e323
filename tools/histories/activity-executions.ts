import { defaultPayloadConverter } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';

export interface ActivityExecution {
  type: string;
  local: boolean;
  /** The attempt that ended it: 1 when it succeeded or failed for good the first time. */
  attempt: number;
}

/** What core writes in a local activity's marker (only the fields read here). */
interface LocalActivityMarkerData {
  activity_type: string;
  attempt: number;
}

/**
 * Every activity a history ran, in order: remote ones from their ActivityTaskStarted events
 * (which carry the last attempt), local ones from the markers the SDK records for them.
 */
export function activityExecutions(history: History): ActivityExecution[] {
  const typeByScheduledId = new Map<string, string>();
  const executions: ActivityExecution[] = [];
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) typeByScheduledId.set(String(event.eventId), scheduled.activityType?.name ?? '?');
    const started = event.activityTaskStartedEventAttributes;
    if (started) {
      executions.push({
        type: typeByScheduledId.get(String(started.scheduledEventId)) ?? '?',
        local: false,
        attempt: started.attempt ?? 1,
      });
    }
    const marker = event.markerRecordedEventAttributes;
    const payload = marker?.markerName === 'core_local_activity' ? marker.details?.['data']?.payloads?.[0] : undefined;
    if (payload) {
      const data = defaultPayloadConverter.fromPayload<LocalActivityMarkerData>(payload);
      executions.push({ type: data.activity_type, local: true, attempt: data.attempt });
    }
  }
  return executions;
}
