import { randomUUID } from 'node:crypto';
import amqp, { type Options } from 'amqplib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { consumerQueuesOf } from '../../messaging/consumer-topology';
import { HEADER } from '../../messaging/delivery-headers';
import type { Envelope } from '../../messaging/envelope';
import {
  envelope,
  expectAllSettled,
  recordEffect,
  relayMessage,
  startConsumerKit,
  TEST_RETRY,
  waitFor,
  type ConsumerKit,
} from '../support/consumer-kit';
import { clearQueuePolicy, setQueuePolicy } from '../support/broker';
import { startTestStack, type TestStack } from '../support/test-stack';

const HANDLER_TIMEOUT_MS = 1000;

let stack: TestStack;
let kit: ConsumerKit;
beforeAll(async () => {
  stack = await startTestStack({ worker: false, relay: false, probePattern: 'no.events.wanted' });
  kit = await startConsumerKit(stack, { handlerTimeoutMs: HANDLER_TIMEOUT_MS });
});
afterEach(() => kit.reset());
afterAll(async () => {
  await kit?.close();
  await stack?.close();
});

/** Publishes `message` as the relay would, with `edit` applied to its body text and properties. */
async function publishEdited(message: Envelope, edit: { body?: Buffer; properties?: Options.Publish } = {}): Promise<void> {
  const published = relayMessage(message);
  await kit.publishRaw(message.name, edit.body ?? published.body, { ...published.properties, ...edit.properties });
}

const deadLetters = (name: string) => kit.control.peekDeadLetters(name, 100);
const dlqDepth = async (name: string) => (await kit.control.getConsumer(name)).dlqDepth;

describe('every delivery is settled, whatever its bytes', () => {
  it('parks each kind of delivery that cannot be decoded at once, with a reason naming it, and keeps serving', async () => {
    const consumer = kit.define('decoding', {
      'order.completed': async (_content, { tx, messageId, attempt }) => recordEffect(tx, messageId, 'decoding', attempt),
    });
    const runner = await kit.start(consumer);
    const base = () => envelope('order.completed', { customerId: 'c-1' });
    const text = (message: Envelope) => JSON.stringify(message);
    const deep = base();
    const wrongTypes = base();
    const cases: [reason: string, publish: () => Promise<void>][] = [
      [
        'too-large',
        async () => {
          const big = base();
          await publishEdited(big, {
            body: Buffer.from(text({ ...big, content: { ...big.content, padding: 'x'.repeat(kit.settings.limits.maxBodyBytes) } })),
          });
        },
      ],
      ['unsupported-content-type', () => publishEdited(base(), { properties: { contentType: 'text/plain' } })],
      ['unsupported-content-type', () => publishEdited(base(), { properties: { contentEncoding: 'gzip' } })],
      [
        'not-utf8',
        async () => {
          const message = base();
          const [before, after] = text(message).split('c-1') as [string, string];
          await publishEdited(message, { body: Buffer.concat([Buffer.from(before), Buffer.from([0xc3, 0x28]), Buffer.from(after)]) });
        },
      ],
      ['too-deep', () => publishEdited(deep, { body: Buffer.from(text(deep).replace('"c-1"', '['.repeat(5000) + ']'.repeat(5000))) })],
      ['unparseable', () => publishEdited(base(), { body: Buffer.from('{"messageId": ') })],
      [
        'invalid-envelope',
        () =>
          publishEdited(wrongTypes, {
            body: Buffer.from(JSON.stringify({ ...wrongTypes, content: 'not an object', metadata: { correlationId: 7 } })),
          }),
      ],
      ['property-mismatch', () => publishEdited(base(), { properties: { type: undefined } })],
      ['property-mismatch', () => publishEdited(base(), { properties: { messageId: randomUUID() } })],
      ['property-mismatch', () => publishEdited(base(), { properties: { correlationId: 'another-order' } })],
    ];
    for (const [, publish] of cases) await publish();
    const real = base();
    await publishEdited(real);

    await waitFor(
      async () =>
        (await dlqDepth('decoding')) === cases.length && (await kit.effects([real.messageId])).length === 1 && runner.stats.handled === 1,
      'every hostile delivery parked and the real one handled',
    );
    const parked = await deadLetters('decoding');
    expect(parked.map((d) => d.reason).sort()).toEqual(cases.map(([reason]) => reason).sort());
    expect(parked.every((d) => d.attempts === 1 && d.consumer === 'decoding' && d.error.length > 0 && d.error.length <= 600)).toBe(true);
    expect(parked.find((d) => d.reason === 'not-utf8')).toMatchObject({ bodyEncoding: 'base64' });
    expect(parked.find((d) => d.reason === 'too-large')).toMatchObject({ bodyBytes: expect.any(Number), bodyEncoding: 'utf8' });
    expect(parked.find((d) => d.reason === 'too-large')!.bodyBytes).toBeGreaterThan(kit.settings.limits.maxBodyBytes);
    expect(runner.stats).toMatchObject({ handled: 1, retried: 0, deadLettered: cases.length });
    // None of the refused ones had an effect.
    expect(await kit.effects()).toHaveLength(1);
    await expectAllSettled(kit, runner, consumer.queue);
  });

  it('a real event whose headers would make Number() throw (a table with valueOf) is handled, not left unacknowledged', async () => {
    const consumer = kit.define('odd-headers', {
      'order.submitted': async (_content, { tx, messageId, attempt }) => recordEffect(tx, messageId, 'odd-headers', attempt),
    });
    const runner = await kit.start(consumer);
    const message = envelope('order.submitted');
    const published = relayMessage(message);
    await kit.publishRaw(message.name, published.body, {
      ...published.properties,
      headers: { [HEADER.attempt]: { valueOf: 1, toString: 'x' }, [HEADER.replays]: { valueOf: 1 } },
    });

    // The effect commits a moment before the counter moves: wait for both.
    await waitFor(async () => (await kit.effects([message.messageId])).length === 1 && runner.stats.handled === 1, 'the event handled');
    expect(runner.stats).toMatchObject({ handled: 1, deadLettered: 0 });
    await expectAllSettled(kit, runner, consumer.queue);
  });

  it('parks a delivery it cannot retry (headers too large to send again) as internal-error, and parks one whose headers do not fit beside its own without them', async () => {
    const consumer = kit.define('big-headers', {
      // A long error: the retry's x-last-error pushes the header table past what the client can encode.
      'order.failed': async () => {
        throw new Error(`downstream said no: ${'x'.repeat(5000)}`);
      },
    });
    const runner = await kit.start(consumer);
    const bigHeaders = { padding: 'p'.repeat(62_000) };
    const failing = envelope('order.failed');
    await publishEdited(failing, { properties: { headers: bigHeaders } });
    // Undecodable and with headers too big to add ours to: parked for its real reason, headers dropped.
    const notJson = envelope('order.failed');
    await publishEdited(notJson, { body: Buffer.from('not json'), properties: { headers: { padding: 'p'.repeat(65_400) } } });

    await waitFor(async () => (await dlqDepth('big-headers')) === 2, 'both parked');
    const parked = await deadLetters('big-headers');
    const byId = new Map(parked.map((d) => [d.messageId, d]));
    expect(byId.get(failing.messageId)).toMatchObject({
      reason: 'internal-error',
      error: expect.stringMatching(/^the consumer failed on this message: .*exceeds/),
    });
    expect(byId.get(notJson.messageId)).toMatchObject({ reason: 'unparseable' });
    const raw = await rawDeadLetterHeaders(consumer.queue);
    const kept = raw.get(failing.messageId);
    const dropped = raw.get(notJson.messageId);
    // Parking needs less room than the retry did: the failing one keeps its headers.
    expect(kept).toMatchObject({ padding: bigHeaders.padding, [HEADER.reason]: 'internal-error' });
    expect(kept![HEADER.droppedHeaders]).toBeUndefined();
    expect(dropped).toMatchObject({ [HEADER.reason]: 'unparseable', [HEADER.droppedHeaders]: expect.stringContaining('exceeds') });
    expect(dropped!.padding).toBeUndefined();
    expect(runner.stats).toMatchObject({ handled: 0, retried: 0, deadLettered: 2 });
    await expectAllSettled(kit, runner, consumer.queue);
  });

  it('rejects a delivery it cannot park (its DLQ refuses messages), so the broker dead-letters it instead of it staying unacknowledged', async () => {
    const consumer = kit.define('dlq-full', {
      'order.submitted': async (_content, { tx, messageId, attempt }) => recordEffect(tx, messageId, 'dlq-full', attempt),
    });
    const runner = await kit.start(consumer);
    const { deadLetter } = consumerQueuesOf(consumer, TEST_RETRY);
    // An operator's length limit on the DLQ, reached: the broker refuses every publish to it.
    // (A quorum queue takes one message past its limit, so the limit is reached with one in it.)
    const filler = envelope('order.submitted');
    await publishEdited(filler, { body: Buffer.from('filler') });
    await waitFor(async () => (await dlqDepth('dlq-full')) === 1, 'the DLQ filled');
    const policy = await setQueuePolicy(deadLetter, { 'max-length': 0, overflow: 'reject-publish' });
    const poison = envelope('order.submitted');
    try {
      await publishEdited(poison, { body: Buffer.from('{ not json') });
      const real = envelope('order.submitted');
      await publishEdited(real);
      await waitFor(
        async () => (await kit.effects([real.messageId])).length === 1 && runner.stats.deadLettered === 2,
        'the poison rejected and the real one handled',
      );
      // The rejected poison waits in the queue for the DLQ to take it: at most that one is counted.
      await expectAllSettled(kit, runner, consumer.queue, 1);
      // Not in the queue and not unacknowledged: the queue's at-least-once dead-lettering holds
      // it and hands it to the DLQ once it takes messages again (RabbitMQ retries that on its
      // own schedule, minutes here, so this test does not wait; describeDeadLetter's view of
      // such a message is a unit test).
      expect(await dlqDepth('dlq-full')).toBe(1);
    } finally {
      await clearQueuePolicy(policy);
    }
  });
});

describe('a handler that does not return in time', () => {
  it('counts as a failed attempt; when it commits late, its retry is acknowledged as a duplicate: one effect', async () => {
    const signals: AbortSignal[] = [];
    const consumer = kit.define('slow', {
      'order.submitted': async (_content, { tx, messageId, attempt, signal }) => {
        signals.push(signal);
        if (attempt === 1) await new Promise((resolve) => setTimeout(resolve, HANDLER_TIMEOUT_MS + 500));
        await recordEffect(tx, messageId, 'slow', attempt);
      },
    });
    const runner = await kit.start(consumer);
    const message = envelope('order.submitted');
    await kit.publish([message]);

    await waitFor(() => runner.stats.duplicates === 1, 'the retry absorbed as a duplicate');
    expect(await kit.effects([message.messageId])).toEqual([expect.objectContaining({ attempt: 1 })]);
    expect(runner.stats).toMatchObject({ handled: 0, retried: 1, duplicates: 1, deadLettered: 0 });
    expect(signals[0]?.aborted).toBe(true);
    expect(await dlqDepth('slow')).toBe(0);
    await expectAllSettled(kit, runner, consumer.queue);
  });

  it('never holds a prefetch slot for good: with prefetch 1, later events are handled while the hung one times out on every attempt and is parked', async () => {
    let release!: () => void;
    const hung = new Promise<void>((resolve) => (release = resolve));
    const consumer = kit.define(
      'hung',
      {
        'order.failed': () => hung,
        'order.submitted': async (_content, { tx, messageId, attempt }) => recordEffect(tx, messageId, 'hung', attempt),
      },
      { prefetch: 1 },
    );
    const runner = await kit.start(consumer);
    try {
      const stuck = envelope('order.failed');
      const later = [envelope('order.submitted'), envelope('order.submitted'), envelope('order.submitted')];
      await kit.publish([stuck, ...later]);

      await waitFor(
        async () => (await kit.effects(later.map((m) => m.messageId))).length === later.length,
        'the later events handled',
        10_000,
      );
      await waitFor(async () => (await dlqDepth('hung')) === 1, 'the hung one parked', 15_000);
      const [parked] = await deadLetters('hung');
      expect(parked).toMatchObject({ messageId: stuck.messageId, reason: 'retries-exhausted', attempts: TEST_RETRY.maxAttempts });
      expect(parked!.error).toMatch(/did not finish within 1000 ms|still being handled/);
      expect(runner.stats).toMatchObject({ handled: later.length, retried: TEST_RETRY.maxAttempts - 1, deadLettered: 1 });
      await expectAllSettled(kit, runner, consumer.queue);
    } finally {
      release();
    }
  });
});

/** The headers of every dead letter in `queue`'s DLQ by message id, left in place. */
async function rawDeadLetterHeaders(queue: string): Promise<Map<string, Record<string, unknown>>> {
  const connection = await amqp.connect(stack.config.AMQP_URL);
  try {
    const channel = await connection.createChannel();
    const headers = new Map<string, Record<string, unknown>>();
    for (;;) {
      const message = await channel.get(`${queue}.dlq`, { noAck: false });
      if (!message) break;
      headers.set(String(message.properties.messageId), message.properties.headers ?? {});
    }
    channel.nackAll(true);
    await channel.close();
    return headers;
  } finally {
    await connection.close();
  }
}
