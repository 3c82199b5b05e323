import fc from 'fast-check';
import amqp, { type Channel, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { notificationsConsumer } from '../../consumers/notifications/notifications-consumer';
import { orderProjectionConsumer } from '../../consumers/order-projection/order-projection-consumer';
import { notifications, orderProjection } from '../../drizzle/schema';
import { withContent, type EventHandler } from '../../messaging/consumer-definition';
import { consumerQueuesOf } from '../../messaging/consumer-topology';
import { describeDeadLetter } from '../../messaging/dead-letter-queue';
import { DEAD_LETTER_REASONS, HEADER, type DeadLetterReason } from '../../messaging/delivery-headers';
import { EVENT_NAMES, type EventName } from '../../domain/events';
import {
  countBy,
  expectAllSettled,
  recordEffect,
  relayMessage,
  startConsumerKit,
  TEST_RETRY,
  waitFor,
  type ConsumerKit,
} from '../support/consumer-kit';
import { startTestStack, type TestStack } from '../support/test-stack';
import {
  buildMessage,
  eventEnvelope,
  fuzzBatch,
  nestedJson,
  type BuiltMessage,
  type FuzzLimits,
  type HostileMessage,
} from './broker-arbitraries';

/** `npm test` runs a small profile; `npm run fuzz` sets FUZZ_RUNS=5000 (messages, in batches). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const BATCHES = Math.max(5, Math.ceil(RUNS / 20));

// A small body limit keeps the too-large cases cheap; the depth limit is the default.
const LIMITS: FuzzLimits = { maxBodyBytes: 64 * 1024, maxJsonDepth: 32 };

let stack: TestStack;
let kit: ConsumerKit;
let broker: ChannelModel;
let channel: Channel;
let publisher: ConfirmChannel;
/** Why the broker closed the fuzzer's publishing channel, if it did: the generator made something it refuses. */
let publisherClosedWith: Error | undefined;
beforeAll(async () => {
  stack = await startTestStack({ worker: false, relay: false, probePattern: 'no.events.wanted' });
  kit = await startConsumerKit(stack, { limits: LIMITS });
  broker = await amqp.connect(stack.config.AMQP_URL);
  channel = await broker.createChannel();
  publisher = await broker.createConfirmChannel();
  publisher.on('error', (error: Error) => (publisherClosedWith = error));
});
afterEach(() => kit.reset());
afterAll(async () => {
  await broker?.close();
  await kit?.close();
  await stack?.close();
});

/** Publishes on the stack's exchange and resolves on the broker's confirm. */
function publish(message: BuiltMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    try {
      publisher.publish(stack.exchange, message.routingKey, message.body, { persistent: true, ...message.properties }, (error: unknown) =>
        error
          ? reject(new Error(`the broker refused a generated message (${String(publisherClosedWith ?? error)}): fix the generator`))
          : resolve(),
      );
    } catch (error) {
      reject(error);
    }
  });
}

/** Takes every message out of `queue` (acknowledging it) and returns them. */
async function drain(queue: string): Promise<amqp.GetMessage[]> {
  const taken: amqp.GetMessage[] = [];
  for (;;) {
    const message = await channel.get(queue, { noAck: true });
    if (!message) return taken;
    taken.push(message);
  }
}

it("the issue's reproduction: 25 envelopes nested 5,000 deep on order.completed are parked, and the next order still gets its e-mail and projection promptly", async () => {
  const notificationsDefinition = kit.define('notifications', notificationsConsumer.handlers, {
    bindings: notificationsConsumer.bindings,
    prefetch: notificationsConsumer.prefetch,
  });
  const projectionDefinition = kit.define('order-projection', orderProjectionConsumer.handlers, {
    bindings: orderProjectionConsumer.bindings,
    prefetch: orderProjectionConsumer.prefetch,
  });
  const runners = [await kit.start(notificationsDefinition), await kit.start(projectionDefinition)];

  for (let i = 0; i < 25; i++) {
    const poison = eventEnvelope('order.completed', { nested: '@' });
    const { body, properties } = relayMessage(poison);
    const deep = Buffer.from(body.toString('utf8').replace('"@"', nestedJson(5000, 'object')));
    expect(deep.length).toBeGreaterThan(30_000);
    await kit.publishRaw('order.completed', deep, properties);
  }
  const real = eventEnvelope('order.completed');
  const started = Date.now();
  await kit.publish([real]);
  const orderId = real.content.orderId as string;

  await waitFor(
    async () => (await stack.db.db.select().from(notifications).where(eq(notifications.orderId, orderId))).length === 1,
    'the e-mail of the real order',
    5000,
  );
  await waitFor(
    async () => (await stack.db.db.select().from(orderProjection).where(eq(orderProjection.orderId, orderId)))[0]?.status === 'COMPLETED',
    'the projection',
    5000,
  );
  expect(Date.now() - started).toBeLessThan(5000);
  for (const [name, runner, definition] of [
    ['notifications', runners[0]!, notificationsDefinition],
    ['order-projection', runners[1]!, projectionDefinition],
  ] as const) {
    await waitFor(async () => (await kit.control.getConsumer(name)).dlqDepth === 25, `${name}: 25 dead letters`);
    const parked = await kit.control.peekDeadLetters(name, 100);
    expect(parked.map((d) => d.reason)).toEqual(Array(25).fill('too-deep'));
    expect(runner.stats).toMatchObject({ handled: 1, retried: 0, deadLettered: 25 });
    await expectAllSettled(kit, runner, definition.queue);
  }
});

it(
  `generated hostile messages interleaved with real events (${BATCHES} batches, about ${RUNS} messages): each real event handled once, each hostile one parked with its reason, nothing left unacknowledged`,
  async () => {
    // Handlers for every event, with a tolerant schema: content without a uuid orderId is unprocessable.
    const handlers = Object.fromEntries(
      EVENT_NAMES.map((name) => [
        name,
        withContent(z.object({ orderId: z.uuid() }), async (_content, { tx, messageId, attempt }) =>
          recordEffect(tx, messageId, 'fuzz', attempt),
        ),
      ]),
    ) as Record<EventName, EventHandler>;
    const consumer = kit.define('fuzz', handlers, { prefetch: 20 });
    const runner = await kit.start(consumer);
    const { deadLetter } = consumerQueuesOf(consumer, TEST_RETRY);
    const realIds: string[] = [];
    const reasons = new Map<string, number>();
    let hostileCount = 0;
    let droppedHeaders = 0;

    await fc.assert(
      fc.asyncProperty(fuzzBatch(LIMITS), async (batch) => {
        const expected = new Map<string, HostileMessage>();
        const batchRealIds: string[] = [];
        const sends: Promise<void>[] = [];
        for (const recipe of batch) {
          const tag = `fuzz-${hostileCount + expected.size}`;
          const message = buildMessage(recipe, LIMITS, tag);
          if (recipe.kind === 'real') batchRealIds.push(message.realMessageId!);
          else expected.set(tag, recipe);
          const copies = recipe.kind === 'real' && recipe.twice ? 2 : 1;
          for (let copy = 0; copy < copies; copy++) sends.push(publish(message));
        }
        await Promise.all(sends);
        hostileCount += expected.size;
        realIds.push(...batchRealIds);

        const parked = new Map<string, amqp.GetMessage>();
        let unhandled: string[] = [];
        await waitFor(
          async () => {
            for (const message of await drain(deadLetter)) parked.set(String(message.properties.appId), message);
            const handled = new Set((await kit.effects(batchRealIds)).map((effect) => effect.messageId));
            unhandled = batchRealIds.filter((id) => !handled.has(id));
            return parked.size >= expected.size && unhandled.length === 0;
          },
          'every real event handled and every hostile one parked',
          20_000,
        ).catch((error: unknown) => {
          const views = [...parked.values()]
            .map((message) => describeDeadLetter(message))
            .map((d) => `${d.messageId} ${d.reason}: ${d.error}`);
          throw new Error(
            `${String(error)}\nunhandled real events: ${unhandled.join(', ')}\nparked: ${parked.size} of ${expected.size}\n${views.join('\n')}\nstats: ${JSON.stringify(runner.stats)}`,
          );
        });
        await waitFor(() => runner.inFlight === 0, 'no delivery in flight');

        for (const [tag, recipe] of expected) {
          const message = parked.get(tag);
          expect(message, `hostile ${recipe.kind} (${tag}) was not parked`).toBeDefined();
          const view = describeDeadLetter(message!);
          expect(recipe.expected, `${recipe.kind} parked as ${view.reason}: ${view.error}`).toContain(view.reason);
          reasons.set(view.reason, (reasons.get(view.reason) ?? 0) + 1);
          if (message!.properties.headers?.[HEADER.droppedHeaders] !== undefined) droppedHeaders += 1;
        }
        // Only the hostile messages are parked, and the real ones were handled once each, duplicates included.
        expect([...parked.keys()].filter((tag) => !expected.has(tag))).toEqual([]);
        const effects = countBy(await kit.effects(batchRealIds), (effect) => effect.messageId);
        expect(batchRealIds.filter((id) => effects.get(id) !== 1)).toEqual([]);
      }),
      { numRuns: BATCHES, endOnFailure: true },
    );

    await expectAllSettled(kit, runner, consumer.queue);
    // Every dead letter was accounted for above, and taken out.
    expect((await channel.checkQueue(deadLetter)).messageCount).toBe(0);
    // Every effect belongs to a real event, once.
    const effects = await kit.effects();
    expect(effects).toHaveLength(realIds.length);
    expect(new Set(effects.map((effect) => effect.messageId))).toEqual(new Set(realIds));
    expect(runner.stats.retried).toBe(0);
    expect(runner.stats.handled).toBe(realIds.length);
    expect(runner.stats.deadLettered).toBe(hostileCount);
    expect([...reasons.keys()].every((reason) => (DEAD_LETTER_REASONS as readonly string[]).includes(reason as DeadLetterReason))).toBe(
      true,
    );
    console.log(
      `broker fuzz: ${realIds.length} real events handled once, ${hostileCount} hostile parked (${droppedHeaders} without their headers)\n` +
        [...reasons]
          .sort()
          .map(([reason, n]) => `  ${reason}: ${n}`)
          .join('\n'),
    );
  },
  120_000 + RUNS * 100,
);
