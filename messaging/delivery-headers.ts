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
} as const;

export const DEAD_LETTER_REASONS = [
  /** The body is not a JSON envelope. */
  'unparseable',
  /** The consumer has no handler for the event's name. */
  'no-handler',
  /** The handler said no retry can fix it (for example, content that fails its schema). */
  'unprocessable',
  /** The handler failed on every attempt. */
  'retries-exhausted',
  /** The broker parked it: it was delivered again and again without an acknowledgement. */
  'delivery-limit',
] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

// A header table over 64 KiB cannot be encoded; an error message is cut well below that.
const MAX_ERROR_LENGTH = 4000;

/** The delivery's attempt number: 1 unless it came back from a retry queue. */
export function attemptOf(message: Message): number {
  const value = Number(message.properties.headers?.[HEADER.attempt]);
  return Number.isInteger(value) && value >= 1 ? value : 1;
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

export function deadLetterHeaders(message: Message, facts: DeadLetterFacts, now = new Date()): MessagePropertyHeaders {
  return {
    ...applicationHeaders(message),
    [HEADER.consumer]: facts.consumer,
    [HEADER.reason]: facts.reason,
    [HEADER.lastError]: truncate(facts.error),
    [HEADER.attempts]: facts.attempts,
    [HEADER.deadLetteredAt]: now.toISOString(),
    ...replayHeadersOf(message),
  };
}

export function retryHeaders(message: Message, nextAttempt: number, error: string): MessagePropertyHeaders {
  return { ...applicationHeaders(message), [HEADER.attempt]: nextAttempt, [HEADER.lastError]: truncate(error), ...replayHeadersOf(message) };
}

/** A replay starts the attempts afresh and counts how often the message was replayed. */
export function replayedHeaders(message: Message, now = new Date()): MessagePropertyHeaders {
  const replays = Number(message.properties.headers?.[HEADER.replays]);
  return { ...applicationHeaders(message), [HEADER.replays]: (Number.isInteger(replays) ? replays : 0) + 1, [HEADER.replayedAt]: now.toISOString() };
}

function replayHeadersOf(message: Message): MessagePropertyHeaders {
  const headers = message.properties.headers ?? {};
  return HEADER.replays in headers ? { [HEADER.replays]: headers[HEADER.replays], [HEADER.replayedAt]: headers[HEADER.replayedAt] } : {};
}

export const truncate = (text: string, max = MAX_ERROR_LENGTH): string => (text.length > max ? `${text.slice(0, max)}…` : text);
