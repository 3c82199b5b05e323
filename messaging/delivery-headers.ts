import type { Message, MessagePropertyHeaders, Options } from 'amqplib';

/**
 * Headers the consumer library reads and writes. `x-attempt` rides on retries; the others
 * explain, on a dead letter, why it was parked.
 */
export const HEADER = {
  attempt: 'x-attempt',
  attempts: 'x-attempts',
  consumer: 'x-consumer',
  reason: 'x-dead-letter-reason',
  lastError: 'x-last-error',
  deadLetteredAt: 'x-dead-lettered-at',
  replays: 'x-replays',
  replayedAt: 'x-replayed-at',
  /** Retries that waited out an outage of the consumer's database: they do not count as attempts. */
  databaseOutages: 'x-database-outages',
  /** On a dead letter parked without the publisher's headers: why they could not be kept. */
  droppedHeaders: 'x-dropped-headers',
  /**
   * On a dead letter a bounded replay or discard passed over and moved to the back of the DLQ: that
   * sweep's cursor, where the next call of its series stops (messaging/dead-letter-queue.ts).
   */
  sweepCursor: 'x-sweep-cursor',
} as const;

export const DEAD_LETTER_REASONS = [
  /** The body is larger than CONSUMER_MAX_BODY_BYTES: refused before it was read. */
  'too-large',
  /** The contentType is not JSON, or a contentEncoding (gzip …) says the body is not plain JSON. */
  'unsupported-content-type',
  /** The body is not valid UTF-8. */
  'not-utf8',
  /** Objects and arrays nest deeper than CONSUMER_MAX_JSON_DEPTH. */
  'too-deep',
  /** The body is not JSON. */
  'unparseable',
  /** The body is JSON but not an envelope: a field is missing or has the wrong type. */
  'invalid-envelope',
  /** The AMQP messageId, type or correlationId is missing or disagrees with the envelope. */
  'property-mismatch',
  /** The consumer has no handler for the event's name. */
  'no-handler',
  /** The handler said no retry can fix it (for example, content that fails its schema). */
  'unprocessable',
  /** The handler failed (or timed out) on every attempt. */
  'retries-exhausted',
  /** The broker parked it: it was delivered again and again without an acknowledgement. */
  'delivery-limit',
  /** The consumer library itself failed on it (a bug to report); replay it once fixed. */
  'internal-error',
] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

// A header table over 64 KiB cannot be encoded; an error message is cut well below that.
const MAX_ERROR_LENGTH = 4000;

/**
 * The delivery's attempt number: 1 unless it came back from a retry queue. Capped at
 * `maxAttempts`: a publisher's own x-attempt can at most make this its last attempt.
 */
export function attemptOf(message: Message, maxAttempts: number): number {
  const value = numberIn(message.properties.headers?.[HEADER.attempt]);
  return value !== undefined && Number.isInteger(value) && value >= 1 ? Math.min(value, maxAttempts) : 1;
}

/**
 * A header value as a finite number, if it is one (or a numeric string). Anything else is
 * undefined: a header table can carry keys such as `valueOf`, and Number() of such an object throws.
 */
export function numberIn(value: unknown): number | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  if (typeof value === 'string' && value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** The publisher's own headers, without the broker's (x-death …) or ours from an earlier hop. */
export function applicationHeaders(message: Message): MessagePropertyHeaders {
  const headers: MessagePropertyHeaders = {};
  for (const [key, value] of Object.entries(message.properties.headers ?? {})) {
    if (!key.startsWith('x-')) headers[key] = value;
  }
  return headers;
}

/** The envelope's AMQP properties, carried unchanged onto a retry, dead letter or replay. */
export function carriedProperties(message: Message, headers: MessagePropertyHeaders): Options.Publish {
  const { messageId, type, contentType, contentEncoding, correlationId, timestamp, appId } = message.properties;
  return { persistent: true, messageId, type, contentType, contentEncoding, correlationId, timestamp, appId, headers };
}

export interface DeadLetterFacts {
  consumer: string;
  reason: DeadLetterReason;
  error: string;
  attempts: number;
}

/** A dead letter's headers: the publisher's own, what we know about why it was parked, its replays. */
export function deadLetterHeaders(message: Message, facts: DeadLetterFacts, now = new Date()): MessagePropertyHeaders {
  return { ...applicationHeaders(message), ...deadLetterFactHeaders(facts, now), ...replayHeadersOf(message) };
}

/** Only why it was parked: for a message whose own headers cannot be sent again. */
export function deadLetterFactHeaders(facts: DeadLetterFacts, now = new Date()): MessagePropertyHeaders {
  return {
    [HEADER.consumer]: facts.consumer,
    [HEADER.reason]: facts.reason,
    [HEADER.lastError]: truncate(facts.error),
    [HEADER.attempts]: facts.attempts,
    [HEADER.deadLetteredAt]: now.toISOString(),
  };
}

export function retryHeaders(message: Message, nextAttempt: number, error: string): MessagePropertyHeaders {
  return {
    ...applicationHeaders(message),
    [HEADER.attempt]: nextAttempt,
    [HEADER.lastError]: truncate(error),
    ...replayHeadersOf(message),
  };
}

/** How many times this delivery already waited out a database outage (0 unless it did). */
export function databaseOutagesOf(message: Message): number {
  const value = numberIn(message.properties.headers?.[HEADER.databaseOutages]);
  return value !== undefined && Number.isInteger(value) && value >= 0 ? value : 0;
}

/** A replay starts the attempts afresh and counts how often the message was replayed. */
export function replayedHeaders(message: Message, now = new Date()): MessagePropertyHeaders {
  const replays = numberIn(message.properties.headers?.[HEADER.replays]);
  return {
    ...applicationHeaders(message),
    [HEADER.replays]: (replays !== undefined && Number.isInteger(replays) ? replays : 0) + 1,
    [HEADER.replayedAt]: now.toISOString(),
  };
}

/** The replay count and time a replayed message carries, if it carries well-formed ones. */
function replayHeadersOf(message: Message): MessagePropertyHeaders {
  const headers = message.properties.headers ?? {};
  const replays = numberIn(headers[HEADER.replays]);
  if (replays === undefined) return {};
  const replayedAt = headers[HEADER.replayedAt];
  return { [HEADER.replays]: replays, ...(typeof replayedAt === 'string' ? { [HEADER.replayedAt]: truncate(replayedAt, 40) } : {}) };
}

export const truncate = (text: string, max = MAX_ERROR_LENGTH): string => (text.length > max ? `${text.slice(0, max)}…` : text);
