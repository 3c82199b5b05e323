import type { Message } from 'amqplib';
import { z } from 'zod';
import type { DeadLetterReason } from './delivery-headers';
import type { EnvelopeMetadata, EventContent } from './envelope';
import { jsonNestingDepth } from './json-depth';

const EnvelopeSchema = z.object({
  messageId: z.uuid(),
  name: z.string().min(1),
  // Recursive, which is safe only because the depth is bounded before this runs.
  content: z.record(z.string(), z.json()),
  metadata: z.object({
    correlationId: z.string().min(1),
    causationId: z.string(),
    createdUtc: z.string(),
    // Absent on envelopes written before versions were recorded (version 1).
    schemaVersion: z.number().int().positive().optional(),
  }),
});

/** An envelope as it came off the wire: its name is not yet known to be one we handle. */
export interface ReceivedEnvelope {
  messageId: string;
  name: string;
  content: EventContent;
  metadata: EnvelopeMetadata;
}

/** What a consumer accepts before it looks at a message's body. */
export interface DecodeLimits {
  /** Larger bodies are refused unread. */
  maxBodyBytes: number;
  /** Deeper nesting of objects and arrays is refused before parsing (the envelope itself is 1, its content 2). */
  maxJsonDepth: number;
}

export type DecodeFailureReason = Extract<
  DeadLetterReason,
  'too-large' | 'unsupported-content-type' | 'not-utf8' | 'too-deep' | 'unparseable' | 'invalid-envelope' | 'property-mismatch'
>;

export type DecodeResult = { ok: true; envelope: ReceivedEnvelope } | { ok: false; reason: DecodeFailureReason; error: string };

/** The parts of a delivery decoding reads. */
export type ReceivedMessage = Pick<Message, 'content' | 'properties'>;

const MAX_LISTED_ISSUES = 5;
const MAX_PATH_SEGMENT = 40;
const MAX_ERROR_CHARS = 500;

/**
 * Reads a delivery as an integration envelope, or says which rule it breaks. Cheap checks come
 * first and each bounds the next: size before reading, strict UTF-8, nesting depth before any
 * recursive code, then JSON, the envelope's shape, and the AMQP properties the relay sets.
 * Never throws for any input, and its error texts never quote more than a few bytes of the body.
 */
export function decodeEnvelope(message: ReceivedMessage, limits: DecodeLimits): DecodeResult {
  const { content: body, properties } = message;
  if (body.length > limits.maxBodyBytes) {
    return fail('too-large', `body is ${body.length} bytes, over the limit of ${limits.maxBodyBytes} (CONSUMER_MAX_BODY_BYTES)`);
  }
  const typeProblem = contentTypeProblem(properties.contentType, properties.contentEncoding);
  if (typeProblem) return fail('unsupported-content-type', typeProblem);

  let text: string;
  try {
    text = STRICT_UTF8.decode(body);
  } catch {
    return fail('not-utf8', `body is not valid UTF-8 (${body.length} bytes)`);
  }
  const depth = jsonNestingDepth(text, limits.maxJsonDepth);
  if (depth > limits.maxJsonDepth) {
    return fail('too-deep', `body nests objects and arrays more than ${limits.maxJsonDepth} levels deep (CONSUMER_MAX_JSON_DEPTH)`);
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail('unparseable', `body is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = EnvelopeSchema.safeParse(json);
  if (!parsed.success) {
    const { issues } = parsed.error;
    const listed = issues.slice(0, MAX_LISTED_ISSUES).map((issue) => `${pathOf(issue.path)}: ${issue.message}`);
    if (issues.length > listed.length) listed.push(`and ${issues.length - listed.length} more`);
    return fail('invalid-envelope', `body is not an envelope: ${listed.join('; ')}`);
  }
  const envelope = parsed.data;
  const mismatches = propertyMismatches(properties, envelope);
  if (mismatches.length > 0) return fail('property-mismatch', `AMQP properties disagree with the envelope: ${mismatches.join('; ')}`);
  return { ok: true, envelope };
}

// fatal: a malformed sequence throws instead of becoming U+FFFD, which would hide the damage.
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

const fail = (reason: DecodeFailureReason, error: string): DecodeResult => ({
  ok: false,
  reason,
  error: error.length > MAX_ERROR_CHARS ? `${error.slice(0, MAX_ERROR_CHARS)}…` : error,
});

/**
 * Why the content type or encoding rules the body out, if it does. No contentType at all is
 * accepted (the body still has to be an envelope); one that is set must be JSON, in UTF-8.
 */
export function contentTypeProblem(contentType: unknown, contentEncoding: unknown): string | undefined {
  if (contentType !== undefined && contentType !== null) {
    const [mediaType = '', ...parameters] = String(contentType)
      .toLowerCase()
      .split(';')
      .map((part) => part.trim());
    if (mediaType !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(mediaType)) {
      return `contentType ${quoted(contentType)} is not JSON (expected application/json)`;
    }
    const charset = parameters
      .find((parameter) => parameter.startsWith('charset='))
      ?.slice('charset='.length)
      .replace(/"/g, '');
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') return `contentType ${quoted(contentType)} is not UTF-8`;
  }
  if (
    contentEncoding !== undefined &&
    contentEncoding !== null &&
    !['', 'identity', 'utf-8', 'utf8'].includes(String(contentEncoding).toLowerCase())
  ) {
    return `contentEncoding ${quoted(contentEncoding)} is not supported: the body must be plain JSON`;
  }
  return undefined;
}

/** The relay sets messageId, type and correlationId from the envelope; a copy that disagrees is not ours. */
export function propertyMismatches(properties: ReceivedMessage['properties'], envelope: ReceivedEnvelope): string[] {
  const expected: [property: string, actual: unknown, wanted: string][] = [
    ['messageId', properties.messageId, envelope.messageId],
    ['type', properties.type, envelope.name],
    ['correlationId', properties.correlationId, envelope.metadata.correlationId],
  ];
  return expected.flatMap(([property, actual, wanted]) => {
    if (actual === undefined || actual === null || actual === '') return [`${property} is missing (the envelope says ${quoted(wanted)})`];
    if (actual !== wanted) return [`${property} is ${quoted(actual)} but the envelope says ${quoted(wanted)}`];
    return [];
  });
}

const MAX_QUOTED_CHARS = 80;
const quoted = (value: unknown): string => {
  const text = String(value);
  return text.length > MAX_QUOTED_CHARS ? `${JSON.stringify(text.slice(0, MAX_QUOTED_CHARS))}…` : JSON.stringify(text);
};

const pathOf = (path: readonly PropertyKey[]): string =>
  path
    .map((segment) => (String(segment).length > MAX_PATH_SEGMENT ? `${String(segment).slice(0, MAX_PATH_SEGMENT)}…` : String(segment)))
    .join('.') || '(body)';
