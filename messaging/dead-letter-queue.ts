import { randomUUID } from 'node:crypto';
import type { ChannelModel, ConfirmChannel, GetMessage, Message, XDeath } from 'amqplib';
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
  /** Dead letters the filter passed over, left in the DLQ (at the back when the sweep is incomplete). */
  skipped: number;
  /**
   * A replay's matching dead letters parked longer than the replay window ago, left in the DLQ: the
   * inbox may have forgotten they were handled (INBOX_RETENTION_MS), so only a discard takes them.
   */
  expired: number;
  /**
   * False when the sweep stopped at its scan bound (`maxScan`) before it reached every dead letter
   * present when it started, or when it failed: call again, with `cursor`, to go on.
   */
  complete: boolean;
  /**
   * Dead letters present when it started that it did not reach (0 when complete). After a call with
   * a cursor this also counts those the series' earlier calls passed over and moved to the back.
   */
  unscanned: number;
  /** What the next call passes to go on where this one stopped; null when complete. */
  cursor: string | null;
}

/** How much one sweep may do. */
export interface SweepBounds {
  /**
   * Dead letters one sweep takes from the queue at most, so it never holds more than this many
   * unacknowledged (on the broker and in this process) however long the DLQ is.
   */
  maxScan: number;
  /**
   * An earlier incomplete sweep's cursor: this one stops at the dead letters that series passed over
   * (they are at the back, marked with it), and marks those it passes over the same way.
   */
  cursor?: string;
}

/**
 * A sweep that failed part way (the broker connection lost, a confirm refused): `sweep` says what it
 * had done by then, so the caller can record which dead letters were already replayed or discarded.
 */
export class DeadLetterSweepError extends Error {
  override readonly name = 'DeadLetterSweepError';
  constructor(
    readonly deadLetterQueue: string,
    readonly action: DeadLetterAction['kind'],
    readonly sweep: DeadLetterSweep,
    cause: unknown,
  ) {
    const done = `${sweep.messageIds.length} dead letter${sweep.messageIds.length === 1 ? '' : 's'} ${action === 'replay' ? 'replayed' : 'discarded'}`;
    super(`the ${action} of ${deadLetterQueue} failed after ${done}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
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
 * `filter` matches, taking at most `bounds.maxScan` of them from the queue. Each is fetched
 * unacknowledged; a replayed one is published with a confirm first, then removed, so a failure in
 * between leaves a duplicate (absorbed by the inbox), never a loss. Those passed over are held
 * until the end, then returned to their place; when the sweep stopped at its bound they are moved
 * to the back instead, marked with the cursor, so the next call starts with those not yet scanned
 * and stops when it meets them. A failure throws DeadLetterSweepError with what was done by then.
 */
export async function sweepDeadLetters(
  connection: ChannelModel,
  deadLetterQueue: string,
  filter: DeadLetterFilter,
  action: DeadLetterAction,
  bounds: SweepBounds,
  log: Logger,
): Promise<DeadLetterSweep> {
  const sweep: DeadLetterSweep = { messageIds: [], skipped: 0, expired: 0, complete: false, unscanned: 0, cursor: bounds.cursor ?? null };
  let channel: ConfirmChannel | undefined;
  let messageCount = 0;
  let seen = 0;
  try {
    channel = await connection.createConfirmChannel();
    ({ messageCount } = await channel.checkQueue(deadLetterQueue));
    const limit = Math.min(messageCount, bounds.maxScan);
    const passedOver: GetMessage[] = [];
    // The queue ran dry (someone else took messages), or we met what the series' earlier calls moved back.
    let reachedEnd = false;
    while (seen < limit && !reachedEnd) {
      const batch: GetMessage[] = [];
      while (batch.length < REPLAY_BATCH && seen < limit) {
        const message = await channel.get(deadLetterQueue, { noAck: false });
        if (!message || (bounds.cursor !== undefined && message.properties.headers?.[HEADER.sweepCursor] === bounds.cursor)) {
          reachedEnd = true;
          break;
        }
        seen += 1;
        if (!matchesDeadLetter(filter, message)) {
          sweep.skipped += 1;
          passedOver.push(message);
        } else if (action.kind === 'replay' && action.parkedSince !== undefined && (parkedAt(message) ?? Infinity) < action.parkedSince) {
          sweep.expired += 1;
          passedOver.push(message);
        } else batch.push(message);
      }
      await actOn(channel, batch, action, sweep, log);
    }
    if (reachedEnd || seen === messageCount) {
      sweep.complete = true;
      sweep.cursor = null;
    } else {
      sweep.unscanned = messageCount - seen;
      sweep.cursor ??= randomUUID();
      await moveToBack(channel, deadLetterQueue, passedOver, sweep.cursor);
    }
    // Those passed over go back, in the order they were in (and one met from an earlier call, if any).
    channel.nackAll(true);
    return sweep;
  } catch (error) {
    // Those passed over return to their place as the channel closes: a retry (with the same cursor) goes on.
    const progress = { ...sweep, complete: false, unscanned: messageCount - seen, cursor: bounds.cursor ?? null };
    throw new DeadLetterSweepError(deadLetterQueue, action.kind, progress, error);
  } finally {
    // Also returns anything still held if the sweep failed.
    await channel?.close().catch(() => {});
  }
}

/**
 * Replays (with confirms) or discards a batch and adds each message that took effect to the sweep,
 * before it throws the first refusal: those confirmed are acknowledged all the same.
 */
async function actOn(channel: ConfirmChannel, batch: GetMessage[], action: DeadLetterAction, sweep: DeadLetterSweep, log: Logger) {
  const sent: PromiseSettledResult<void>[] =
    action.kind === 'replay'
      ? await Promise.allSettled(
          batch.map((message) =>
            sendConfirmed(channel, action.queue, message.content, carriedProperties(message, replayedHeaders(message))),
          ),
        )
      : batch.map(() => ({ status: 'fulfilled', value: undefined }));
  let refused: Error | undefined;
  for (const [index, message] of batch.entries()) {
    const outcome = sent[index]!;
    if (outcome.status === 'rejected') {
      refused ??= outcome.reason instanceof Error ? outcome.reason : new Error(String(outcome.reason));
      continue;
    }
    // A replay took effect with its confirm, a discard with its acknowledgement (which can throw).
    if (action.kind === 'replay') tookEffect(message, action, sweep, log);
    channel.ack(message);
    if (action.kind === 'discard') tookEffect(message, action, sweep, log);
  }
  if (refused !== undefined) throw refused;
}

function tookEffect(message: GetMessage, action: DeadLetterAction, sweep: DeadLetterSweep, log: Logger): void {
  const { messageId, correlationId, type } = message.properties;
  sweep.messageIds.push(stringOrNull(messageId));
  log.info(
    { messageId, orderId: correlationId, event: type, action: action.kind },
    `${action.kind === 'replay' ? 'replayed' : 'discarded'} a dead letter`,
  );
}

/**
 * Moves the dead letters a bounded sweep passed over to the back of the queue, marked with its
 * cursor: each copy is published with a confirm, then the original removed, so a failure in
 * between leaves a duplicate dead letter, never a loss.
 */
async function moveToBack(channel: ConfirmChannel, deadLetterQueue: string, messages: GetMessage[], cursor: string): Promise<void> {
  for (let start = 0; start < messages.length; start += REPLAY_BATCH) {
    const batch = messages.slice(start, start + REPLAY_BATCH);
    await Promise.all(
      batch.map((message) =>
        sendConfirmed(
          channel,
          deadLetterQueue,
          message.content,
          carriedProperties(message, { ...message.properties.headers, [HEADER.sweepCursor]: cursor }),
        ),
      ),
    );
    for (const message of batch) channel.ack(message);
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
