import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shippedConsumers } from '../../consumers/shipped-consumers';
import { notifications, orderProjection } from '../../drizzle/schema';
import type { Envelope } from '../../messaging/envelope';
import type { ConsumerRunner } from '../../messaging/consumer-runner';
import { relayMessage, startConsumerKit, waitFor, type ConsumerKit } from '../support/consumer-kit';
import { loadEventFixtures, type EventFixture } from '../support/event-fixtures';
import { startTestStack, type TestStack } from '../support/test-stack';

// The event-side twin of workflow replay: every recorded envelope under test/fixtures/events/
// (current and past versions, hostile variants) goes over the broker, with the headers it was
// recorded with, to every shipped consumer, each run by the real consumer runner on a real
// database; each consumer must leave the effect the fixture names, or park it for the named reason.

const fixtures = loadEventFixtures();
let stack: TestStack;
let kit: ConsumerKit;
beforeAll(async () => {
  // The probe binds nothing: hostile fixtures break the contract on purpose.
  stack = await startTestStack({ worker: false, relay: false, probePattern: 'no.events.wanted' });
  kit = await startConsumerKit(stack);
});
afterAll(async () => {
  await kit?.close();
  await stack?.close();
});

/** The row a shipped consumer's effect leaves for an order, as JSON (times as ISO text); undefined when none. */
const EFFECT_READERS: Record<string, (orderId: string) => Promise<unknown>> = {
  'order-projection': async (orderId) => (await stack.db.db.select().from(orderProjection).where(eq(orderProjection.orderId, orderId)))[0],
  notifications: async (orderId) => (await stack.db.db.select().from(notifications).where(eq(notifications.orderId, orderId)))[0],
};
const asJson = (row: unknown): unknown => (row === undefined ? undefined : JSON.parse(JSON.stringify(row)));

/** Publishes the fixture's bytes with the relay's properties and the headers it was recorded with. */
async function publish(fixture: EventFixture): Promise<void> {
  const { properties } = relayMessage(fixture.envelope as unknown as Envelope);
  await kit.publishRaw(fixture.envelope.name, Buffer.from(JSON.stringify(fixture.envelope)), { ...properties, headers: fixture.headers });
}

describe('consumer replay fixtures', () => {
  it('each shipped consumer does with every recorded envelope what its fixture expects', async () => {
    const shipped = shippedConsumers({ CONSUMER_QUEUE_PREFIX: '' });
    expect(Object.keys(EFFECT_READERS).sort()).toEqual(shipped.map((c) => c.name).sort());
    const runners = new Map<string, ConsumerRunner>();
    for (const consumer of shipped) {
      const definition = kit.define(consumer.name, consumer.handlers, { bindings: consumer.bindings, prefetch: consumer.prefetch });
      runners.set(consumer.name, await kit.start(definition));
    }
    for (const fixture of fixtures) await publish(fixture);

    const received = (name: string) => fixtures.filter((f) => !('notBound' in f.expected[name]!)).length;
    await waitFor(
      () => shipped.every(({ name }) => runners.get(name)!.stats.handled + runners.get(name)!.stats.deadLettered === received(name)),
      'every consumer to settle every fixture it binds',
    );

    for (const { name } of shipped) {
      const parked = new Map((await kit.control.peekDeadLetters(name, 100)).map((d) => [d.messageId, d]));
      for (const fixture of fixtures) {
        const expected = fixture.expected[name]!;
        const { messageId, content } = fixture.envelope;
        const effect = asJson(await EFFECT_READERS[name]!(content.orderId));
        const where = `${fixture.file} at ${name}`;
        if ('effect' in expected) {
          expect.soft(effect, where).toMatchObject(expected.effect);
          expect.soft(parked.has(messageId), where).toBe(false);
        } else if ('parked' in expected) {
          expect.soft(parked.get(messageId)?.reason, where).toBe(expected.parked);
          expect.soft(effect, where).toBeUndefined();
        } else {
          expect.soft(parked.has(messageId), where).toBe(false);
          expect.soft(effect, where).toBeUndefined();
        }
      }
      expect.soft(runners.get(name)!.stats.retried, name).toBe(0);
    }
  });
});
