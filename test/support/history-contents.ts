import { defaultPayloadConverter } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import { activityExecutions } from '../../tools/histories/activity-executions';

/** The activity types a history ran, remote or local, in order. */
export function activityTypes(history: History, where: 'remote' | 'local' | 'any' = 'any'): string[] {
  return activityExecutions(history)
    .filter((execution) => where === 'any' || execution.local === (where === 'local'))
    .map((execution) => execution.type);
}

/** The ids of the patches whose markers a history recorded (what `patched(id)` wrote). */
export function recordedPatches(history: History): string[] {
  return (history.events ?? []).flatMap((event) => {
    const marker = event.markerRecordedEventAttributes;
    const payload = marker?.markerName === 'core_patch' ? marker.details?.['patch-data']?.payloads?.[0] : undefined;
    return payload ? [defaultPayloadConverter.fromPayload<{ id: string }>(payload).id] : [];
  });
}
