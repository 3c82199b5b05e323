/**
 * The integration message envelope (see shared design): callers supply only the content,
 * the library wraps it with identity and tracing metadata.
 */
import type { EventName } from '../domain/events';

export interface EnvelopeMetadata {
  /** The order (saga) id, carried from the HTTP request to every event. */
  correlationId: string;
  /** What caused this event: the saga step that emitted it, as `<workflowId>/<step>`. */
  causationId: string;
  createdUtc: string;
  /**
   * The version of the event's content schema (domain/event-schemas.ts), also the AMQP header
   * `schemaVersion`. Absent on envelopes written before it was recorded: those are version 1.
   */
  schemaVersion?: number;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type EventContent = { [key: string]: JsonValue };

export interface Envelope<C extends EventContent = EventContent> {
  messageId: string;
  name: EventName;
  content: C;
  metadata: EnvelopeMetadata;
}

/** The AMQP header with the event's schema version. Not `x-`: a retry, dead letter or replay keeps the publisher's own headers only. */
export const SCHEMA_VERSION_HEADER = 'schemaVersion';

/** The schema version of an envelope: version 1 when it was written before versions were recorded. */
export const schemaVersionOf = (metadata: Pick<EnvelopeMetadata, 'schemaVersion'>): number => metadata.schemaVersion ?? 1;
