import { ApplicationFailure } from '@temporalio/common';
import { EVENT_CONTRACTS, type EventContentOf } from '../domain/event-schemas';
import type { EventName } from '../domain/events';
import type { PendingEvent } from '../outbox/append';

declare const builtThroughSchema: unique symbol;
/** An event whose content passed its published schema (domain/event-schemas.ts): the only kind a step may emit. */
export type BuiltEvent = PendingEvent & { schemaVersion: number; readonly [builtThroughSchema]: true };

/** The ApplicationFailure type of an event that does not match its own schema: a bug, never retried. */
export const INVALID_EVENT_FAILURE = 'InvalidEvent';

/**
 * Builds an event of `name` through its schema, so what is published is checked where it is
 * made. Content that fails is a programming error no retry can fix: a non-retryable failure
 * (the step's transaction rolls back with it, and the saga compensates).
 */
export function buildEvent<N extends EventName>(name: N, content: EventContentOf<N>): BuiltEvent {
  const contract = EVENT_CONTRACTS[name];
  const parsed = contract.schema.safeParse(content);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(content)'}: ${issue.message}`).join('; ');
    throw ApplicationFailure.create({
      type: INVALID_EVENT_FAILURE,
      message: `${name} does not match its schema (v${contract.version}): ${problems}`,
      nonRetryable: true,
      details: [{ event: name }],
    });
  }
  const event: PendingEvent = { name, content: parsed.data, schemaVersion: contract.version };
  return event as BuiltEvent;
}
