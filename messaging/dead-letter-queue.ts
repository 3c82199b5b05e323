import type { ChannelModel, GetMessage, Message, XDeath } from 'amqplib';
import type { Logger } from '../logging/logger';
import { sendConfirmed } from './confirmed-send';
import { carriedProperties, DEAD_LETTER_REASONS, HEADER, numberIn, replayedHeaders, type DeadLetterReason } from './delivery-headers';

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
  /**
   * The message body as it was received: as text when it is valid UTF-8, else base64 (see
   * bodyEncoding); cut after 64 KiB of the original bytes (see bodyBytes).
   */
  body: string;
  bodyEncoding: 'utf8' | 'base64';
  /** The whole body's size, which can be more than `body` shows. */
  bodyBytes: number;
}

const MAX_BODY_BYTES_SHOWN = 64 * 1024;
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

/** Which dead letters a replay or discard takes: each given field must match; none given, every one. */
export interface DeadLetterFilter {
  /** The event name (AMQP type). */
  event?: string;
  /** The order (AMQP correlation id). */
  orderId?: string;
  messageId?: string;
}

/** What a replay or discard did. */
export interface DeadLetterSweep {
  /** The message ids acted on, in queue order (null for a message without one). */
  messageIds: (string | null)[];
  /** Dead letters the filter passed over, left in place. */
  skipped: number;
  /**
   * A replay's matching dead letters parked longer than the replay window ago, left in place: the
   * inbox may have forgotten they were handled (INBOX_RETENTION_MS), so only a discard takes them.
   */
  expired: number;
}

export const matchesDeadLetter = (filter: DeadLetterFilter, message: Pick<Message, 'properties'>): boolean => {
  const { messageId, correlationId, type } = message.properties as { messageId?: unknown; correlationId?: unknown; type?: unknown };
  return (
    (filter.event === undefined || type === filter.event) &&
    (filter.orderId === undefined || correlationId === filter.orderId) &&
    (filter.messageId === undefined || messageId === filter.messageId)
  );
};

/** When the message was parked, from this library's header or the broker's x-death; undefined when neither says. */
function parkedAt(message: Message): number | undefined {
  const parked = describeDeadLetter(message).deadLetteredAt;
  const at = parked === null ? NaN : Date.parse(parked);
  return Number.isNaN(at) ? undefined : at;
}

export type DeadLetterAction =
  /** Back to `queue` with fresh attempts; dead letters parked before `parkedSince` (ms) stay. */
  { kind: 'replay'; queue: string; parkedSince?: number } | { kind: 'discard' };

/**
 * Replays or discards the dead letters present now (not those parked while this runs) that
 * `filter` matches. Each is fetched unacknowledged; a replayed one is published with a confirm
 * first, then removed, so a failure in between leaves a duplicate (absorbed by the inbox), never
 * a loss; those passed over are held until the end and then returned to the queue.
 */
export async function sweepDeadLetters(
  connection: ChannelModel,
  deadLetterQueue: string,
  filter: DeadLetterFilter,
  action: DeadLetterAction,
  log: Logger,
): Promise<DeadLetterSweep> {
  const channel = await connection.createConfirmChannel();
  try {
    const { messageCount } = await channel.checkQueue(deadLetterQueue);
    const sweep: DeadLetterSweep = { messageIds: [], skipped: 0, expired: 0 };
    let seen = 0;
    while (seen < messageCount) {
      const batch: GetMessage[] = [];
      while (batch.length < REPLAY_BATCH && seen < messageCount) {
        const message = await channel.get(deadLetterQueue, { noAck: false });
        if (!message) break;
        seen += 1;
        if (!matchesDeadLetter(filter, message)) sweep.skipped += 1;
        else if (action.kind === 'replay' && action.parkedSince !== undefined && (parkedAt(message) ?? Infinity) < action.parkedSince)
          sweep.expired += 1;
        else batch.push(message);
      }
      if (batch.length === 0 && seen < messageCount) break;
      if (action.kind === 'replay') {
        await Promise.all(
          batch.map((message) =>
            sendConfirmed(channel, action.queue, message.content, carriedProperties(message, replayedHeaders(message))),
          ),
        );
      }
      for (const message of batch) {
        channel.ack(message);
        const { messageId, correlationId, type } = message.properties;
        sweep.messageIds.push(stringOrNull(messageId));
        log.info(
          { messageId, orderId: correlationId, event: type, action: action.kind },
          `${action.kind === 'replay' ? 'replayed' : 'discarded'} a dead letter`,
        );
      }
    }
    // Those passed over go back, in the order they were in.
    channel.nackAll(true);
    return sweep;
  } finally {
    // Also returns anything still held if the loop above threw.
    await channel.close().catch(() => {});
  }
}

/** A parked message as an operator sees it; never throws, whatever the message's bytes or headers. */
export function describeDeadLetter(message: Message): DeadLetter {
  const headers = message.properties.headers ?? {};
  const { messageId, correlationId, type } = message.properties;
  const base = {
    messageId: stringOrNull(messageId),
    event: stringOrNull(type),
    orderId: stringOrNull(correlationId),
    replays: numberIn(headers[HEADER.replays]) ?? 0,
    ...shownBody(message.content),
  };
  const reason = headers[HEADER.reason];
  if (typeof reason === 'string') {
    const lastError = headers[HEADER.lastError];
    return {
      ...base,
      reason: (DEAD_LETTER_REASONS as readonly string[]).includes(reason) ? (reason as DeadLetterReason) : 'unknown',
      error: typeof lastError === 'string' ? lastError : '',
      attempts: numberIn(headers[HEADER.attempts]) ?? null,
      consumer: stringOrNull(headers[HEADER.consumer]),
      deadLetteredAt: stringOrNull(headers[HEADER.deadLetteredAt]),
    };
  }
  // Dead-lettered by the broker itself: the queue's delivery limit, or our last-resort reject.
  const xDeath: unknown = headers['x-death'];
  const death = (Array.isArray(xDeath) ? xDeath[0] : undefined) as Partial<XDeath> | undefined;
  const brokerReason: string | undefined = typeof death?.reason === 'string' ? death.reason : undefined;
  const seconds = numberIn((death?.time as { value?: unknown } | undefined)?.value);
  return {
    ...base,
    reason: brokerReason === 'delivery_limit' ? 'delivery-limit' : brokerReason === 'rejected' ? 'internal-error' : 'unknown',
    error:
      brokerReason === 'delivery_limit'
        ? `delivered too many times without an acknowledgement (its consumer kept crashing or losing its connection while handling it)`
        : brokerReason === 'rejected'
          ? `rejected by its consumer, which could not park it itself (see the consumer's log)`
          : `dead-lettered by the broker: ${brokerReason ?? 'no reason given'}`,
    attempts: null,
    consumer: null,
    deadLetteredAt: seconds !== undefined ? new Date(seconds * 1000).toISOString() : null,
  };
}

// fatal: bytes that are not UTF-8 are shown as base64 rather than mangled into U+FFFD.
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

function shownBody(content: Buffer): Pick<DeadLetter, 'body' | 'bodyEncoding' | 'bodyBytes'> {
  const cut = content.length > MAX_BODY_BYTES_SHOWN;
  const shown = content.subarray(0, MAX_BODY_BYTES_SHOWN);
  const ellipsis = cut ? '…' : '';
  // The cut can split a character in two: up to three bytes of it may be dropped before the body counts as binary.
  for (let dropped = 0; dropped <= (cut ? 3 : 0); dropped++) {
    try {
      return {
        body: STRICT_UTF8.decode(shown.subarray(0, shown.length - dropped)) + ellipsis,
        bodyEncoding: 'utf8',
        bodyBytes: content.length,
      };
    } catch {
      // Not UTF-8 (yet): try one byte less, or fall through to base64.
    }
  }
  return { body: shown.toString('base64') + ellipsis, bodyEncoding: 'base64', bodyBytes: content.length };
}

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
