import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { MessageProperties } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { contentTypeProblem, decodeEnvelope, type DecodeLimits, type ReceivedMessage } from '../../messaging/decode-envelope';
import { DEAD_LETTER_REASONS } from '../../messaging/delivery-headers';

const LIMITS: DecodeLimits = { maxBodyBytes: 64 * 1024, maxJsonDepth: 32 };

function envelopeOf(content: unknown = { orderId: randomUUID() }) {
  const orderId = randomUUID();
  return {
    messageId: randomUUID(),
    name: 'order.completed',
    content,
    metadata: { correlationId: orderId, causationId: 'test', createdUtc: new Date().toISOString() },
  };
}

/** A delivery as the relay publishes it: properties taken from the envelope. */
function delivery(envelope: ReturnType<typeof envelopeOf>, overrides: Partial<MessageProperties> = {}, body?: Buffer): ReceivedMessage {
  const properties = {
    contentType: 'application/json',
    messageId: envelope.messageId,
    type: envelope.name,
    correlationId: envelope.metadata.correlationId,
    headers: {},
    ...overrides,
  } as MessageProperties;
  return { content: body ?? Buffer.from(JSON.stringify(envelope)), properties };
}

/** `{"a":{"a":…1…}}`, built as text: JSON.stringify itself overflows at this depth. */
const nestedText = (levels: number): string => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

describe('decodeEnvelope', () => {
  it('accepts an envelope the relay published', () => {
    const envelope = envelopeOf({ orderId: randomUUID(), lines: [{ sku: 'A', quantity: 1 }] });
    expect(decodeEnvelope(delivery(envelope), LIMITS)).toEqual({ ok: true, envelope });
  });

  it('keeps the schema version an envelope carries, and accepts one without (written before versions: 1)', () => {
    const versioned = { ...envelopeOf(), metadata: { ...envelopeOf().metadata, schemaVersion: 2 } };
    const result = decodeEnvelope(delivery(versioned), LIMITS);
    expect(result).toMatchObject({ ok: true, envelope: { metadata: { schemaVersion: 2 } } });
    const unversioned = envelopeOf();
    expect(decodeEnvelope(delivery(unversioned), LIMITS)).toEqual({ ok: true, envelope: unversioned });
  });

  it.each([
    ['a string', '2'],
    ['zero', 0],
    ['a fraction', 1.5],
    ['null', null],
  ])('refuses a schema version that is %s', (_, schemaVersion) => {
    const envelope = envelopeOf();
    const hostile = { ...envelope, metadata: { ...envelope.metadata, schemaVersion } };
    const result = decodeEnvelope(delivery(hostile), LIMITS);
    expect(result).toMatchObject({ ok: false, reason: 'invalid-envelope', error: expect.stringContaining('metadata.schemaVersion') });
  });

  it("parks the issue's reproduction, content nested 5,000 deep, as too-deep instead of overflowing the stack", () => {
    const envelope = envelopeOf();
    const body = Buffer.from(JSON.stringify({ ...envelope, content: { x: '@' } }).replace('"@"', nestedText(5000)));
    expect(body.length).toBeGreaterThan(25_000);
    const result = decodeEnvelope(delivery(envelope, {}, body), LIMITS);
    expect(result).toMatchObject({ ok: false, reason: 'too-deep' });
  });

  it('accepts nesting up to the limit and refuses one level more', () => {
    const envelope = envelopeOf();
    // The envelope is level 1, its content level 2, so content.x adds limit - 2 levels.
    const at = (levels: number) => Buffer.from(JSON.stringify({ ...envelope, content: { x: '@' } }).replace('"@"', nestedText(levels)));
    expect(decodeEnvelope(delivery(envelope, {}, at(LIMITS.maxJsonDepth - 2)), LIMITS).ok).toBe(true);
    expect(decodeEnvelope(delivery(envelope, {}, at(LIMITS.maxJsonDepth - 1)), LIMITS)).toMatchObject({ ok: false, reason: 'too-deep' });
  });

  it('refuses a body over the size limit before reading it', () => {
    const envelope = envelopeOf({ orderId: randomUUID(), padding: 'x'.repeat(LIMITS.maxBodyBytes) });
    const result = decodeEnvelope(delivery(envelope), LIMITS);
    expect(result).toMatchObject({ ok: false, reason: 'too-large' });
    expect(!result.ok && result.error).toMatch(/over the limit of 65536/);
    // Not even UTF-8 is checked: size comes first.
    expect(decodeEnvelope(delivery(envelope, {}, Buffer.alloc(LIMITS.maxBodyBytes + 1, 0xff)), LIMITS)).toMatchObject({
      reason: 'too-large',
    });
  });

  it('decodes strictly: invalid UTF-8 is refused, not patched with U+FFFD', () => {
    const envelope = envelopeOf({ orderId: randomUUID(), note: '@' });
    const text = JSON.stringify(envelope);
    for (const bad of [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82]]) {
      const at = text.indexOf('@');
      const body = Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(bad), Buffer.from(text.slice(at + 1))]);
      expect(decodeEnvelope(delivery(envelope, {}, body), LIMITS), `bytes ${bad.join(',')}`).toMatchObject({
        ok: false,
        reason: 'not-utf8',
      });
    }
  });

  it('refuses content types and encodings that are not plain JSON, and accepts none at all', () => {
    const envelope = envelopeOf();
    for (const [contentType, contentEncoding] of [
      ['text/plain', undefined],
      ['application/octet-stream', undefined],
      ['application/json; charset=latin1', undefined],
      ['application/json', 'gzip'],
    ]) {
      expect(
        decodeEnvelope(delivery(envelope, { contentType, contentEncoding }), LIMITS),
        `${contentType} ${contentEncoding}`,
      ).toMatchObject({
        ok: false,
        reason: 'unsupported-content-type',
      });
    }
    for (const contentType of [undefined, 'application/json', 'Application/JSON; charset="UTF-8"', 'application/cloudevents+json']) {
      expect(decodeEnvelope(delivery(envelope, { contentType }), LIMITS).ok, String(contentType)).toBe(true);
    }
    expect(contentTypeProblem('application/json', 'identity')).toBeUndefined();
  });

  it('names the fields of a JSON body that is not an envelope', () => {
    const envelope = envelopeOf();
    const wrong = { ...envelope, messageId: 42, content: ['not', 'an', 'object'], metadata: { correlationId: '' } };
    const result = decodeEnvelope(delivery(envelope, {}, Buffer.from(JSON.stringify(wrong))), LIMITS);
    expect(result).toMatchObject({ ok: false, reason: 'invalid-envelope' });
    const error = result.ok ? '' : result.error;
    for (const path of ['messageId', 'content', 'metadata.correlationId', 'metadata.causationId']) expect(error).toContain(path);
    expect(decodeEnvelope(delivery(envelope, {}, Buffer.from('{"messageId": "oops", truncated')), LIMITS)).toMatchObject({
      reason: 'unparseable',
    });
    expect(decodeEnvelope(delivery(envelope, {}, Buffer.from('null')), LIMITS)).toMatchObject({ reason: 'invalid-envelope' });
  });

  it('refuses AMQP properties that are missing or disagree with the envelope, naming each', () => {
    const envelope = envelopeOf();
    const missing = decodeEnvelope(delivery(envelope, { messageId: undefined, type: undefined, correlationId: undefined }), LIMITS);
    expect(missing).toMatchObject({ ok: false, reason: 'property-mismatch' });
    expect(!missing.ok && missing.error).toMatch(/messageId is missing.*type is missing.*correlationId is missing/);
    const other = decodeEnvelope(
      delivery(envelope, { messageId: randomUUID(), type: 'order.failed', correlationId: envelope.metadata.correlationId }),
      LIMITS,
    );
    expect(!other.ok && other.error).toMatch(
      /messageId is "[^"]+" but the envelope says.*type is "order.failed" but the envelope says "order.completed"/,
    );
    expect(!other.ok && other.error).not.toContain('correlationId');
  });

  it('keeps its error texts short and free of the body, whatever the body', () => {
    const marker = 'SECRET-BODY-TEXT';
    const envelope = envelopeOf();
    const bodies = [
      JSON.stringify({ ...envelope, messageId: marker.repeat(1000) }),
      JSON.stringify({ ...envelope, content: { [marker.repeat(1000)]: Infinity } }).replace('null', '1e400'),
      JSON.stringify({ ...envelope, name: marker.repeat(1000) }),
      `${marker.repeat(3000)}`,
    ];
    for (const body of bodies) {
      const result = decodeEnvelope(delivery(envelope, {}, Buffer.from(body)), LIMITS);
      expect(result.ok).toBe(false);
      const error = result.ok ? '' : result.error;
      expect(error.length).toBeLessThanOrEqual(501);
      expect(error.split(marker).length - 1, error).toBeLessThanOrEqual(5);
    }
  });

  it('never throws, and always names a dead-letter reason, for generated bytes and JSON', () => {
    const envelope = envelopeOf();
    const anyBody = fc.oneof(
      fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
      fc.jsonValue({ maxDepth: 40 }).map((value) => Buffer.from(JSON.stringify(value) ?? 'null')),
      fc
        .record({ messageId: fc.anything(), name: fc.anything(), content: fc.anything(), metadata: fc.anything() }, { requiredKeys: [] })
        .map((value) => {
          try {
            return Buffer.from(JSON.stringify(value) ?? '');
          } catch {
            return Buffer.from('{');
          }
        }),
    );
    fc.assert(
      fc.property(anyBody, fc.option(fc.string({ maxLength: 40 })), (body, contentType) => {
        const result = decodeEnvelope(delivery(envelope, { contentType: contentType ?? undefined }, body), {
          maxBodyBytes: 256,
          maxJsonDepth: 8,
        });
        if (!result.ok) expect(DEAD_LETTER_REASONS).toContain(result.reason);
      }),
      { numRuns: 2000 },
    );
  });
});
