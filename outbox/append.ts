import { outbox } from '../drizzle/schema';
import type { Transaction } from '../db/client';
import type { EventName } from '../domain/events';
import type { EventContent } from '../messaging/envelope';
import { eventMessageId } from '../messaging/message-id';
import { activeTraceCarrier } from '../telemetry/trace-context';

export interface PendingEvent {
  name: EventName;
  content: EventContent;
  /** The version of the event's schema it was built at (activities/build-event.ts); stored in the envelope's metadata. */
  schemaVersion?: number;
}

export interface EventOrigin {
  orderId: string;
  /** The saga step that emits the events; part of each event's deterministic id. */
  step: string;
  causationId: string;
}

/**
 * Appends events to the outbox inside the caller's transaction, so they commit with its state
 * change or not at all. Ids derive from (order, step, name): a repeat insert is a no-op.
 */
export async function appendToOutbox(tx: Transaction, origin: EventOrigin, events: readonly PendingEvent[]): Promise<string[]> {
  if (events.length === 0) return [];
  const createdUtc = new Date().toISOString();
  // The writing step's span (the activity's): the relay parents its publish span on it.
  const traceContext = activeTraceCarrier() ?? null;
  const rows = events.map((event) => ({
    id: eventMessageId(origin.orderId, origin.step, event.name),
    aggregateId: origin.orderId,
    name: event.name,
    payload: event.content,
    metadata: {
      correlationId: origin.orderId,
      causationId: origin.causationId,
      createdUtc,
      ...(event.schemaVersion === undefined ? {} : { schemaVersion: event.schemaVersion }),
    },
    traceContext,
  }));
  await tx.insert(outbox).values(rows).onConflictDoNothing({ target: outbox.id });
  return rows.map((row) => row.id);
}
