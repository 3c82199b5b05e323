import type { ChannelModel, GetMessage, Message, XDeath } from 'amqplib';
import type { Logger } from '../logging/logger';
import { sendConfirmed } from './confirmed-send';
import { carriedProperties, DEAD_LETTER_REASONS, HEADER, replayedHeaders, type DeadLetterReason } from './delivery-headers';

/** A parked message as an operator sees it. */
export interface DeadLetter {
  messageId: string | null;
  /** The event name (the AMQP type). */
  event: string | null;
  /** The order it is about (the correlation id). */
  orderId: string | null;
  /** 'unknown' when something other than this library parked it. */
  reason: DeadLetterReason | 'unknown';
  error: string;
  /** Deliveries before it was parked. */
  attempts: number | null;
  consumer: string | null;
  deadLetteredAt: string | null;
  /** How often it was replayed before. */
  replays: number;
  /** The message body as it was received, as text. */
  body: string;
}

const MAX_BODY_CHARS = 64 * 1024;
const REPLAY_BATCH = 100;

/**
 * Reads up to `limit` dead letters without removing them: each is fetched unacknowledged, then
 * returned to the queue, in the order they were in.
 */
export async function peekDeadLetters(connection: ChannelModel, deadLetterQueue: string, limit: number): Promise<DeadLetter[]> {
  const channel = await connection.createChannel();
  try {
    const held: GetMessage[] = [];
    while (held.length < limit) {
      const message = await channel.get(deadLetterQueue, { noAck: false });
      if (!message) break;
      held.push(message);
    }
    channel.nackAll(true);
    return held.map(describeDeadLetter);
  } finally {
    // Also requeues anything still held if the loop above threw.
    await channel.close().catch(() => {});
  }
}

/**
 * Moves the dead letters present now (not those parked while this runs) back to `queue`, each
 * with its attempts reset: published with a confirm first, then removed from the DLQ, so a
 * failure in between leaves a duplicate (absorbed by the inbox), never a loss.
 */
export async function replayDeadLetters(connection: ChannelModel, deadLetterQueue: string, queue: string, log: Logger): Promise<number> {
  const channel = await connection.createConfirmChannel();
  try {
    const { messageCount } = await channel.checkQueue(deadLetterQueue);
    let replayed = 0;
    while (replayed < messageCount) {
      const batch: GetMessage[] = [];
      while (batch.length < Math.min(REPLAY_BATCH, messageCount - replayed)) {
        const message = await channel.get(deadLetterQueue, { noAck: false });
        if (!message) break;
        batch.push(message);
      }
      if (batch.length === 0) break;
      await Promise.all(batch.map((message) => sendConfirmed(channel, queue, message.content, carriedProperties(message, replayedHeaders(message)))));
      for (const message of batch) {
        channel.ack(message);
        const { messageId, correlationId, type } = message.properties;
        log.info({ messageId, orderId: correlationId, event: type, queue }, 'replayed a dead letter');
      }
      replayed += batch.length;
    }
    return replayed;
  } finally {
    await channel.close().catch(() => {});
  }
}

export function describeDeadLetter(message: Message): DeadLetter {
  const headers = message.properties.headers ?? {};
  const { messageId, correlationId, type } = message.properties;
  const body = message.content.toString('utf8');
  const base = {
    messageId: stringOrNull(messageId),
    event: stringOrNull(type),
    orderId: stringOrNull(correlationId),
    replays: numberOrNull(headers[HEADER.replays]) ?? 0,
    body: body.length > MAX_BODY_CHARS ? `${body.slice(0, MAX_BODY_CHARS)}…` : body,
  };
  const reason = headers[HEADER.reason];
  if (typeof reason === 'string') {
    return {
      ...base,
      reason: (DEAD_LETTER_REASONS as readonly string[]).includes(reason) ? (reason as DeadLetterReason) : 'unknown',
      error: String(headers[HEADER.lastError] ?? ''),
      attempts: numberOrNull(headers[HEADER.attempts]),
      consumer: stringOrNull(headers[HEADER.consumer]),
      deadLetteredAt: stringOrNull(headers[HEADER.deadLetteredAt]),
    };
  }
  // Parked by the broker itself (the queue's delivery limit), not by a consumer.
  const [death] = (headers['x-death'] ?? []) as XDeath[];
  const brokerReason = death?.reason as string | undefined;
  return {
    ...base,
    reason: brokerReason === 'delivery_limit' ? 'delivery-limit' : 'unknown',
    error:
      brokerReason === 'delivery_limit'
        ? `delivered too many times without an acknowledgement (its consumer kept crashing or losing its connection while handling it)`
        : `dead-lettered by the broker: ${brokerReason ?? 'no reason given'}`,
    attempts: null,
    consumer: null,
    deadLetteredAt: death?.time ? new Date(death.time.value * 1000).toISOString() : null,
  };
}

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const numberOrNull = (value: unknown): number | null => {
  const n = Number(value);
  return value !== undefined && value !== null && Number.isFinite(n) ? n : null;
};
