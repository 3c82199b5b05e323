import type { EventName } from '../domain/events';
import type { EnvelopeMetadata, EventContent } from '../messaging/envelope';

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
}
