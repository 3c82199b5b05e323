import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Options } from 'amqplib';
import fc from 'fast-check';
import type { DeadLetterReason } from '../../messaging/delivery-headers';
import { EVENT_NAMES, type EventName } from '../../domain/events';
import type { Envelope } from '../../messaging/envelope';
import { relayMessage } from '../support/consumer-kit';

// amqplib's own encoder (not among its exports, so by file), to size a header table exactly as the client will.
const require = createRequire(import.meta.url);
const { encodeTable } = require(join(dirname(require.resolve('amqplib')), 'lib', 'codec.js')) as {
  encodeTable: (buffer: Buffer, table: unknown, offset: number) => number;
};
const SCRATCH = Buffer.alloc(1 << 20);
const encodedTableBytes = (table: Record<string, unknown>): number => encodeTable(SCRATCH, table, 0);
/** amqplib encodes a header table in a 64 KiB buffer; a little room is left for its framing. */
const MAX_HEADER_TABLE_BYTES = 65_536 - 64;

/**
 * What the broker fuzzer publishes: a recipe (plain data, so fast-check can print and shrink
 * it) that `buildMessage` turns into bytes and AMQP properties with fresh ids.
 */
export type FuzzRecipe = RealEvent | HostileMessage;

/** An event as the relay publishes it, perhaps with odd headers, perhaps published twice. */
export interface RealEvent {
  kind: 'real';
  name: EventName;
  twice: boolean;
  headers: Record<string, unknown>;
}

export interface HostileMessage {
  kind: HostileKind;
  /** The dead-letter reasons the consumer may give it: the first rule it breaks decides. */
  expected: readonly DeadLetterReason[];
  routingKey: string;
  /** Per kind: how deep, how large, which bytes, which property … */
  detail: Record<string, unknown>;
  headers: Record<string, unknown>;
  paddingBytes: number | null;
}

export type HostileKind =
  | 'deep'
  | 'large'
  | 'not-utf8'
  | 'content-type'
  | 'random-bytes'
  | 'truncated'
  | 'wrong-types'
  | 'properties'
  | 'unknown-event'
  | 'bad-content';

export interface FuzzLimits {
  maxBodyBytes: number;
  maxJsonDepth: number;
}

export interface BuiltMessage {
  routingKey: string;
  body: Buffer;
  properties: Options.Publish;
  /** The envelope id of a real event: the one its effect must carry. */
  realMessageId?: string;
}

/** `{"k":` / `[` repeated, then a scalar, then the closers: JSON.stringify overflows at such depths. */
export function nestedJson(levels: number, shape: 'object' | 'array' | 'mixed'): string {
  const openers: string[] = [];
  for (let level = 0; level < levels; level++) {
    const object = shape === 'object' || (shape === 'mixed' && level % 2 === 0);
    openers.push(object ? '{"k":' : '[');
  }
  const closers = openers.map((opener) => (opener === '[' ? ']' : '}')).reverse();
  return `${openers.join('')}1${closers.join('')}`;
}

/** An envelope as a shipped saga step would emit it. */
export function eventEnvelope(name: EventName, extra: Record<string, unknown> = {}): Envelope {
  const orderId = randomUUID();
  return {
    messageId: randomUUID(),
    name,
    content: { orderId, customerId: 'fuzz-customer', totalCents: 1250, currency: 'EUR', ...extra },
    metadata: { correlationId: orderId, causationId: `order-${orderId}/fuzz`, createdUtc: new Date().toISOString() },
  };
}

const eventName = fc.constantFrom(...EVENT_NAMES);
const routingKey = fc.oneof(eventName, fc.constantFrom('', 'junk', 'order', '#', 'a.b.c.d.e.f'));

/** Header values amqplib can send: scalars, byte arrays, tables, arrays, typed values, and tables whose keys shadow Object methods. */
const headerValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.integer(),
    // Finite doubles only: amqplib cannot encode NaN, -Infinity or integral ones beyond ±2^63
    // (it sends them as int64), and RabbitMQ 3.10 crashes the publisher's channel on an infinite one.
    fc.double({ min: -1e15, max: 1e15, noNaN: true }),
    fc.constantFrom(1e300, 0.1),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 16 }).map((bytes) => Buffer.from(bytes)),
    fc.constant({ valueOf: 1, toString: 'x' }),
    fc.integer({ min: 0, max: 2 ** 31 }).map((value) => ({ '!': 'timestamp', value })),
    fc.array(tie('value'), { maxLength: 3 }),
    // A nested table with a '!' key is amqplib's notation for a typed value: not a table it can send.
    fc
      .array(
        fc.tuple(
          fc.string({ maxLength: 10 }).filter((key) => key !== '!'),
          tie('value'),
        ),
        { maxLength: 3 },
      )
      .map((entries) => Object.fromEntries(entries)),
  ),
})).value;

// Keys this library or the broker reads, keys that shadow Object methods, and any others. Not
// CC or BCC: RabbitMQ routes on those and closes the publisher's channel unless they are lists of strings.
const headerKey = fc.oneof(
  fc.constantFrom(
    'x-attempt',
    'x-replays',
    'x-replayed-at',
    'x-death',
    'x-dead-letter-reason',
    'x-last-error',
    'x-attempts',
    '__proto__',
    'valueOf',
    'toString',
    'constructor',
  ),
  fc.string({ maxLength: 20 }).filter((key) => key !== 'CC' && key !== 'BCC'),
);

/** A publisher's odd headers. */
const headers = fc
  .array(fc.tuple(headerKey, headerValue), { maxLength: 4 })
  .map((entries) => Object.fromEntries(entries) as Record<string, unknown>);

/**
 * Sometimes a padding header up to what the client can encode at all (64 KiB), so that ours no
 * longer fit beside the publisher's when the message is parked. Its size only, to keep recipes printable.
 */
const paddingBytes = fc.option(fc.integer({ min: 1_000, max: 65_300 }), { freq: 6 });

/** `headers` plus `paddingBytes` of padding, or as much as still fits. */
function withPadding(table: Record<string, unknown>, bytes: number | null): Record<string, unknown> {
  if (bytes === null) return { ...table };
  const room = MAX_HEADER_TABLE_BYTES - encodedTableBytes({ ...table, padding: '' });
  return { ...table, padding: 'p'.repeat(Math.max(0, Math.min(bytes, room))) };
}

/** Small, harmless headers for real events: they must still be handled. */
const realHeaders = fc
  .array(fc.tuple(headerKey, headerValue), { maxLength: 3 })
  .map((entries) => Object.fromEntries(entries) as Record<string, unknown>);

const hostile = (
  kind: HostileKind,
  expected: readonly DeadLetterReason[],
  detail: fc.Arbitrary<Record<string, unknown>>,
): fc.Arbitrary<HostileMessage> =>
  fc.record({ kind: fc.constant(kind), expected: fc.constant(expected), routingKey, detail, headers, paddingBytes });

const INVALID_UTF8: number[][] = [
  [0xff],
  [0xfe],
  [0x80],
  [0xc0, 0x80],
  [0xc3, 0x28],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x82],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
];
const NOT_JSON_TYPES = [
  'text/plain',
  'application/xml',
  'application/octet-stream',
  'text/json',
  'application/json; charset=latin1',
  'application/x-protobuf',
  'multipart/form-data',
];
const ENCODINGS = ['gzip', 'deflate', 'br', 'base64', 'x-custom'];

/** The field a wrong-types envelope breaks, and what it puts there. */
const wrongField = fc.oneof(
  fc.record({
    field: fc.constant('messageId'),
    value: fc.oneof(fc.integer(), fc.constant(null), fc.string({ maxLength: 20 }), fc.constant([]), fc.constant({})),
  }),
  fc.record({
    field: fc.constant('name'),
    value: fc.oneof(fc.integer(), fc.constant(null), fc.constant(''), fc.constant(['order.completed']), fc.boolean()),
  }),
  fc.record({
    field: fc.constant('content'),
    value: fc.oneof(fc.constant([]), fc.string({ maxLength: 20 }), fc.integer(), fc.constant(null), fc.constant([{ orderId: 'x' }])),
  }),
  fc.record({
    field: fc.constant('metadata'),
    value: fc.oneof(
      fc.constant('meta'),
      fc.constant({}),
      fc.constant({ correlationId: 7, causationId: 'c', createdUtc: 'now' }),
      fc.constant(null),
    ),
  }),
  fc.record({ field: fc.constant('(missing)'), value: fc.constantFrom('messageId', 'name', 'content', 'metadata') }),
  fc.record({
    field: fc.constant('(root)'),
    value: fc.oneof(fc.constant([]), fc.integer(), fc.constant(null), fc.string({ maxLength: 10 }), fc.constant(true)),
  }),
);

/** One hostile message of any kind, with the reasons it may be parked for. */
export const hostileMessage = (limits: FuzzLimits): fc.Arbitrary<HostileMessage> =>
  fc.oneof(
    hostile(
      'deep',
      ['too-deep'],
      fc.record({ levels: fc.integer({ min: limits.maxJsonDepth - 1, max: 6000 }), shape: fc.constantFrom('object', 'array', 'mixed') }),
    ),
    hostile(
      'large',
      ['too-large'],
      fc.record({
        bytes: fc.integer({ min: limits.maxBodyBytes + 1, max: limits.maxBodyBytes * 2 }),
        fill: fc.constantFrom('envelope', 'binary'),
      }),
    ),
    hostile('not-utf8', ['not-utf8'], fc.record({ bytes: fc.constantFrom(...INVALID_UTF8) })),
    hostile(
      'content-type',
      ['unsupported-content-type'],
      fc.oneof(
        fc.record({ contentType: fc.constantFrom(...NOT_JSON_TYPES) }),
        fc.record({ contentEncoding: fc.constantFrom(...ENCODINGS) }),
      ),
    ),
    // Random bytes break whichever rule they happen to break first.
    hostile(
      'random-bytes',
      ['not-utf8', 'unparseable', 'invalid-envelope', 'too-deep'],
      fc.record({ bytes: fc.uint8Array({ maxLength: 2000 }).map((bytes) => [...bytes]) }),
    ),
    hostile('truncated', ['unparseable'], fc.record({ keep: fc.double({ min: 0, max: 0.999, noNaN: true }) })),
    hostile('wrong-types', ['invalid-envelope'], wrongField),
    hostile(
      'properties',
      ['property-mismatch'],
      fc.record({ property: fc.constantFrom('messageId', 'type', 'correlationId'), change: fc.constantFrom('missing', 'different') }),
    ),
    hostile(
      'unknown-event',
      ['no-handler'],
      fc.record({
        name: fc
          .oneof(
            fc.constantFrom(
              '__proto__',
              'constructor',
              'toString',
              'hasOwnProperty',
              'order.teleported',
              'ORDER.COMPLETED',
              ' order.completed',
            ),
            fc.string({ minLength: 1, maxLength: 60 }),
          )
          .filter((name) => !(EVENT_NAMES as readonly string[]).includes(name) && Buffer.byteLength(name) <= 255),
      }),
    ),
    hostile(
      'bad-content',
      ['unprocessable'],
      fc.record({
        name: eventName,
        orderId: fc.oneof(fc.constant(undefined), fc.integer(), fc.constant('not-a-uuid'), fc.constant(null), fc.constant({})),
      }),
    ),
  );

export const realEvent: fc.Arbitrary<RealEvent> = fc.record({
  kind: fc.constant('real' as const),
  name: eventName,
  twice: fc.boolean(),
  headers: realHeaders,
});

/** A batch of real events and hostile messages, interleaved. */
export const fuzzBatch = (limits: FuzzLimits) => fc.array(fc.oneof(realEvent, hostileMessage(limits)), { minLength: 10, maxLength: 30 });

/** The bytes and properties of a recipe, with fresh ids; `tag` marks a hostile message's copy in the DLQ (appId). */
export function buildMessage(recipe: FuzzRecipe, limits: FuzzLimits, tag: string): BuiltMessage {
  if (recipe.kind === 'real') {
    const envelope = eventEnvelope(recipe.name);
    const { body, properties } = relayMessage(envelope);
    return {
      routingKey: recipe.name,
      body,
      properties: { ...properties, headers: { ...recipe.headers, ...properties.headers } },
      realMessageId: envelope.messageId,
    };
  }
  const envelope = eventEnvelope('order.completed', { note: 'fuzz' });
  const relayed = relayMessage(envelope);
  const text = relayed.body.toString('utf8');
  let body = relayed.body;
  let properties: Options.Publish = { ...relayed.properties };
  const { detail } = recipe;
  switch (recipe.kind) {
    case 'deep':
      body = Buffer.from(text.replace('"fuzz"', nestedJson(detail.levels as number, detail.shape as 'object' | 'array' | 'mixed')));
      break;
    case 'large':
      body =
        detail.fill === 'binary'
          ? Buffer.alloc(detail.bytes as number, 0xab)
          : Buffer.from(text.replace('"fuzz"', JSON.stringify('x'.repeat(Math.max(0, (detail.bytes as number) - text.length + 4)))));
      break;
    case 'not-utf8': {
      const at = relayed.body.indexOf('fuzz');
      body = Buffer.concat([relayed.body.subarray(0, at), Buffer.from(detail.bytes as number[]), relayed.body.subarray(at)]);
      break;
    }
    case 'content-type':
      properties = { ...properties, ...detail };
      break;
    case 'random-bytes':
      body = Buffer.from(detail.bytes as number[]);
      break;
    case 'truncated':
      body = relayed.body.subarray(0, Math.floor(relayed.body.length * (detail.keep as number)));
      break;
    case 'wrong-types': {
      const object: Record<string, unknown> = { ...envelope };
      if (detail.field === '(root)') body = Buffer.from(JSON.stringify(detail.value));
      else {
        if (detail.field === '(missing)') delete object[detail.value as string];
        else object[detail.field as string] = detail.value;
        body = Buffer.from(JSON.stringify(object));
      }
      break;
    }
    case 'properties': {
      const property = detail.property as 'messageId' | 'type' | 'correlationId';
      const different = property === 'type' ? 'order.failed' : randomUUID();
      properties = { ...properties, [property]: detail.change === 'missing' ? undefined : different };
      break;
    }
    case 'unknown-event': {
      const name = detail.name as string;
      body = Buffer.from(JSON.stringify({ ...envelope, name }));
      properties = { ...properties, type: name };
      break;
    }
    case 'bad-content': {
      const name = detail.name as EventName;
      const { orderId: _dropped, ...content } = envelope.content;
      body = Buffer.from(
        JSON.stringify({ ...envelope, name, content: detail.orderId === undefined ? content : { ...content, orderId: detail.orderId } }),
      );
      properties = { ...properties, type: name };
      break;
    }
  }
  return {
    routingKey: recipe.routingKey,
    body,
    properties: { ...properties, appId: tag, headers: withPadding(recipe.headers, recipe.paddingBytes) },
  };
}
