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
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type EventContent = { [key: string]: JsonValue };

export interface Envelope<C extends EventContent = EventContent> {
  messageId: string;
  name: EventName;
  content: C;
  metadata: EnvelopeMetadata;
}
