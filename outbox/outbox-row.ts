import type { EventName } from '../domain/events';
import type { EnvelopeMetadata, EventContent } from '../messaging/envelope';
import type { TraceCarrier } from '../telemetry/trace-context';

/** An outbox row as the relay reads it. */
export interface OutboxRow {
  id: string;
  /** bigint as text, as postgres.js reads int8. */
  seq: string;
  aggregateId: string;
  name: EventName;
  payload: EventContent;
  metadata: EnvelopeMetadata;
  attempts: number;
  /** The W3C trace context of the step that wrote it; null when tracing was off. */
  traceContext?: TraceCarrier | null;
}
