import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { buildEvent, INVALID_EVENT_FAILURE } from '../../activities/build-event';
import { EVENT_CONTRACTS } from '../../domain/event-schemas';
import { EVENT_NAMES } from '../../domain/events';
import { asyncApiDocument, eventId } from '../../messaging/asyncapi-document';
import { COMMITTED_ASYNCAPI_PATH, formatDocument, readCommittedDocument } from '../../tools/contracts/committed-document';
import { diffContracts } from '../../tools/contracts/contract-diff';
import { outboxMessage } from '../../outbox/confirm-publisher';
import { contractViolations } from '../../tools/contracts/check-message';
import { fakeApi } from '../support/fake-api';

// The published event contract: generated from domain/event-schemas.ts, committed as
// docs/asyncapi.json, valid AsyncAPI, and never changed in a way that breaks a consumer
// without a new version (docs/events.md).

const generated = asyncApiDocument();

/** The committed document at a git revision, or undefined when git or the revision is not there. */
function documentAt(revision: string): Record<string, unknown> | undefined {
  try {
    const text = execFileSync('git', ['show', `${revision}:${COMMITTED_ASYNCAPI_PATH}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function mergeBaseWithMain(): string | undefined {
  try {
    return (
      execFileSync('git', ['merge-base', 'HEAD', 'main'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}

describe('the AsyncAPI document of the events', () => {
  it('is valid AsyncAPI 3.0: the AsyncAPI parser reports no error and no warning', async () => {
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(generated));
    // Severity 0 is an error, 1 a warning; information (that AsyncAPI 3.1 exists) and hints are not problems.
    const problems = diagnostics.filter((d) => Number(d.severity) <= 1).map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`);
    expect(problems).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    expect(
      document
        ?.messages()
        .all()
        .map((message) => message.name())
        .sort(),
    ).toEqual([...EVENT_NAMES].sort());
    const channel = document?.channels().get(eventId('order.submitted'));
    expect(channel?.address()).toBe('order.submitted');
    expect(channel?.bindings().get('amqp')?.value()).toMatchObject({
      is: 'routingKey',
      exchange: { name: 'orders.events', type: 'topic' },
    });
    // The parser loads Spectral and the AsyncAPI schemas: seconds on a busy machine.
  }, 30_000);

  it('is committed as generated (run `npm run contracts:generate` after changing domain/event-schemas.ts)', () => {
    expect(readFileSync(COMMITTED_ASYNCAPI_PATH, 'utf8')).toBe(formatDocument(generated));
  });

  it('changes nothing that breaks a consumer without a new version, since the committed document, HEAD and main', () => {
    const baselines: [string, Record<string, unknown> | undefined][] = [
      [`${COMMITTED_ASYNCAPI_PATH} in the working tree`, readCommittedDocument()],
      ['HEAD', documentAt('HEAD')],
    ];
    const base = mergeBaseWithMain();
    if (base) baselines.push([`main (merge base ${base.slice(0, 8)})`, documentAt(base)]);
    for (const [name, baseline] of baselines) {
      if (!baseline) continue; // the first commit of the document, or no git: nothing to break yet
      const { breaking } = diffContracts(baseline, generated);
      expect(
        breaking.map((change) => `${change.kind}: ${change.where}: ${change.detail}`),
        `compared with ${name}`,
      ).toEqual([]);
    }
  });

  it('puts each event’s version in its message, header and envelope metadata', () => {
    const messages = (generated.components as { messages: Record<string, Record<string, unknown>> }).messages;
    for (const name of EVENT_NAMES) {
      const message = messages[eventId(name)]!;
      const { version } = EVENT_CONTRACTS[name];
      expect(message['x-schema-version']).toBe(version);
      expect(message).toMatchObject({
        headers: { required: expect.arrayContaining(['schemaVersion']), properties: { schemaVersion: { const: version } } },
        payload: { properties: { name: { const: name }, metadata: { properties: { schemaVersion: { const: version } } } } },
      });
    }
  });

  it('does not promise consumers that no field will be added (no additionalProperties: false)', () => {
    expect(JSON.stringify(generated)).not.toContain('"additionalProperties":false');
  });

  it('is served, without credentials, at /asyncapi.json, and as a page at /asyncapi that loads nothing from elsewhere', async () => {
    const api = fakeApi();
    const served = await api.rawRequest('/asyncapi.json');
    expect(served.status).toBe(200);
    expect(await served.json()).toEqual(JSON.parse(JSON.stringify(generated)));
    const page = await api.rawRequest('/asyncapi');
    expect(page.status).toBe(200);
    const text = await page.text();
    for (const name of EVENT_NAMES) expect(text).toContain(`id="${eventId(name)}"`);
    expect(text).toContain('<code>lines[].unitPriceCents</code>');
    expect(text).not.toMatch(/<script|https?:\/\/|style=/);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const style = await api.rawRequest('/asyncapi/style.css');
    expect(style.headers.get('content-type')).toContain('text/css');
  });
});

describe('buildEvent: every event is built through its schema', () => {
  const orderId = '0b7ad3a4-5d5b-4a4e-9a4c-1f0f4b8c2d11';

  it('returns the content its schema parsed, with the event’s version', () => {
    expect(buildEvent('payment.charged', { orderId, amountCents: 2500, currency: 'EUR', chargeId: 'ch_1' })).toEqual({
      name: 'payment.charged',
      content: { orderId, amountCents: 2500, currency: 'EUR', chargeId: 'ch_1' },
      schemaVersion: EVENT_CONTRACTS['payment.charged'].version,
    });
  });

  it.each([
    ['a missing field', { orderId, amountCents: 2500, currency: 'EUR' }, 'chargeId'],
    ['a field of the wrong type', { orderId, amountCents: '2500', currency: 'EUR', chargeId: 'ch_1' }, 'amountCents'],
    ['an undeclared field', { orderId, amountCents: 2500, currency: 'EUR', chargeId: 'ch_1', cardNumber: '4242' }, 'cardNumber'],
    ['an order id that is not a uuid', { orderId: 'not-a-uuid', amountCents: 2500, currency: 'EUR', chargeId: 'ch_1' }, 'orderId'],
  ])('refuses %s with a non-retryable InvalidEvent failure', (_, content, field) => {
    let thrown: unknown;
    try {
      // @ts-expect-error content that does not match the schema, on purpose
      buildEvent('payment.charged', content);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ApplicationFailure);
    expect(thrown).toMatchObject({ type: INVALID_EVENT_FAILURE, nonRetryable: true });
    expect((thrown as Error).message).toContain(field);
  });
});

describe('the check every message on the broker goes through (test/support/event-contract.ts)', () => {
  const orderId = '0b7ad3a4-5d5b-4a4e-9a4c-1f0f4b8c2d11';
  /** What the relay publishes for an outbox row of `event` (outbox/confirm-publisher.ts). */
  const published = (content: Record<string, unknown>, metadata: Record<string, unknown> = { schemaVersion: 1 }) => {
    const { body, properties } = outboxMessage({
      id: '6c1b5f0e-8f0a-5d43-9a55-2e6b7f7c1a10',
      seq: '1',
      aggregateId: orderId,
      name: 'payment.charged',
      payload: content as never,
      metadata: {
        correlationId: orderId,
        causationId: `order-${orderId}/chargePayment`,
        createdUtc: '2026-01-01T10:00:00.000Z',
        ...metadata,
      },
      attempts: 0,
    });
    return { body: JSON.parse(body.toString('utf8')) as unknown, headers: properties.headers as Record<string, unknown> };
  };
  const charged = buildEvent('payment.charged', { orderId, amountCents: 900, currency: 'EUR', chargeId: 'ch_1' }).content;

  it('passes what the relay publishes for an event built through its schema, the schemaVersion header included', () => {
    const { body, headers } = published(charged);
    expect(headers).toMatchObject({ schemaVersion: 1, correlationId: orderId });
    expect(contractViolations('payment.charged', body, headers)).toEqual([]);
  });

  it('passes an envelope written before versions were recorded: the relay sends its header as 1', () => {
    const { body, headers } = published(charged, {});
    expect(headers.schemaVersion).toBe(1);
    expect(contractViolations('payment.charged', body, headers)).toEqual([]);
  });

  it('passes unknown fields: consumers must tolerate them', () => {
    const { body, headers } = published({ ...charged, cardBrand: 'visa' });
    expect(contractViolations('payment.charged', body, headers)).toEqual([]);
  });

  it.each([
    ['a missing field', { ...charged, chargeId: undefined }, {}, 'chargeId'],
    ['a field of the wrong type', { ...charged, amountCents: '900' }, {}, 'amountCents'],
    ['another version than the contract’s', charged, { schemaVersion: 2 }, 'schemaVersion'],
  ])('names %s', (_, content, metadata, field) => {
    const { body, headers } = published(JSON.parse(JSON.stringify(content)) as Record<string, unknown>, { schemaVersion: 1, ...metadata });
    expect(contractViolations('payment.charged', body, headers).join('\n')).toContain(field);
  });

  it('names a missing header, a message id that is not a uuid and a routing key no channel has', () => {
    const { body, headers } = published(charged);
    const { schemaVersion: _dropped, ...withoutVersion } = headers;
    expect(contractViolations('payment.charged', body, withoutVersion).join('\n')).toContain('schemaVersion');
    expect(contractViolations('payment.charged', { ...(body as object), messageId: 'not-a-uuid' }, headers).join('\n')).toContain(
      'must match format "uuid"',
    );
    expect(contractViolations('payment.captured', body, headers)).toEqual([
      'no channel of the contract has the routing key "payment.captured"',
    ]);
  });
});
