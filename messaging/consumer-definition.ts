import type { z } from 'zod';
import type { Transaction } from '../db/client';
import type { Logger } from '../logging/logger';
import type { EventName } from '../domain/events';
import type { EnvelopeMetadata, EventContent } from './envelope';

/** What a handler gets besides the event's content: never the AMQP message itself. */
export interface HandlerContext {
  /** The transaction the inbox row commits in: write the handler's effect through it. */
  tx: Transaction;
  messageId: string;
  name: EventName;
  metadata: EnvelopeMetadata;
  /** 1 on the first delivery, 2 on the first retry … */
  attempt: number;
  /** Carries consumer, messageId, orderId and the event name. */
  log: Logger;
  /**
   * Aborted when the handler timeout (CONSUMER_HANDLER_TIMEOUT_MS) passes: the attempt has
   * then failed and the message is on its way to a retry. Pass it to calls that can hang.
   */
  signal: AbortSignal;
}

export type EventHandler = (content: EventContent, context: HandlerContext) => Promise<void>;

export interface ConsumerDefinition {
  /** Stable name: the inbox key, the control key and the admin routes' `:name`. */
  name: string;
  /** Its durable quorum queue; `<queue>.dlq` and `<queue>.retry.<ms>` derive from it. */
  queue: string;
  /** Topic patterns the queue binds on the events exchange, for example `order.completed` or `payment.*`. */
  bindings: readonly string[];
  /** Unacknowledged deliveries per instance, which is also how many it handles at once. */
  prefetch: number;
  /** A delivery whose event name has no handler here goes to the DLQ at once. */
  handlers: Partial<Record<EventName, EventHandler>>;
}

/**
 * Thrown by a handler (or by `withContent`) for a message that no retry can fix, such as
 * content that does not match the event's schema: it goes to the DLQ at once.
 */
export class UnprocessableMessageError extends Error {
  override readonly name = 'UnprocessableMessageError';
}

/** Checks a definition once, at start, so a typo fails loudly instead of consuming nothing. */
export function defineConsumer(definition: ConsumerDefinition): ConsumerDefinition {
  const problems: string[] = [];
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(definition.name)) problems.push('name must be lower-case letters, digits, dots and dashes');
  if (definition.queue.trim() === '') problems.push('queue is empty');
  if (definition.bindings.length === 0) problems.push('bindings is empty: the queue would receive nothing');
  if (!Number.isInteger(definition.prefetch) || definition.prefetch < 1) problems.push('prefetch must be a positive integer');
  if (Object.keys(definition.handlers).length === 0) problems.push('handlers is empty');
  if (problems.length > 0) throw new Error(`consumer ${JSON.stringify(definition.name)}: ${problems.join('; ')}`);
  return definition;
}

/**
 * Wraps a handler so it receives content parsed by `schema` (a tolerant reader: the consumer
 * names only the fields it uses). Content that does not parse is unprocessable: DLQ at once.
 */
export function withContent<S extends z.ZodType<object>>(
  schema: S,
  handle: (content: z.output<S>, context: HandlerContext) => Promise<void>,
): EventHandler {
  return async (content, context) => {
    const parsed = schema.safeParse(content);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(content)'}: ${issue.message}`).join('; ');
      throw new UnprocessableMessageError(`${context.name} content is invalid: ${problems}`);
    }
    return handle(parsed.data, context);
  };
}
