import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConsumerStats } from '../../messaging/consumer-runner';
import { closeBrokerConnection } from '../support/broker';
import { spawnTs } from '../support/child-process';
import { countBy, envelope, recordEffect, startConsumerKit, waitFor, type ConsumerKit } from '../support/consumer-kit';
import { startTestStack, type TestStack } from '../support/test-stack';

let stack: TestStack;
let kit: ConsumerKit;
beforeAll(async () => {
  stack = await startTestStack({ worker: false, relay: false, probePattern: 'no.events.wanted' });
  kit = await startConsumerKit(stack);
});
afterEach(() => kit.reset());
afterAll(async () => {
  await kit?.close();
  await stack?.close();
});

const effectsOf = async (ids: readonly string[]) => {
  const wanted = new Set(ids);
  return (await kit.effects()).filter((e) => wanted.has(e.messageId));
};

describe('graceful shutdown and reconnects', () => {
  it('SIGTERM during a burst finishes what is in flight: nothing lost, nothing processed twice', async () => {
    const base = kit.define('terminated', {}, { prefetch: 10 });
    const child = spawnTs('test/support/consumer-process.ts', kit.processEnv(base, 'child', { TEST_HANDLER_DELAY_MS: '20' }));
    try {
      await child.waitForLine('ready');
      const messages = Array.from({ length: 400 }, () => envelope('order.submitted'));
      const ids = messages.map((m) => m.messageId);
      await kit.publish(messages);
      await waitFor(async () => (await effectsOf(ids)).length >= 100, 'the burst under way');
      child.child.kill('SIGTERM');
      const [code] = await child.exited;
      expect(code).toBe(0);

      const stats = JSON.parse(await child.waitForLine('stats ')) as ConsumerStats;
      const doneByChild = await effectsOf(ids);
      // Mid-burst, truly: some done, most not.
      expect(doneByChild.length).toBeGreaterThanOrEqual(100);
      expect(doneByChild.length).toBeLessThan(400);
      // Every delivery it took it finished and acknowledged: the queue holds exactly the rest.
      expect(stats).toMatchObject({ handled: doneByChild.length, duplicates: 0, retried: 0, deadLettered: 0 });
      const status = await kit.control.getConsumer('terminated');
      expect(status).toMatchObject({ consumers: 0, queueDepth: 400 - doneByChild.length, dlqDepth: 0 });

      // A successor finishes the rest, and is handed nothing the first one had already done.
      const successor = await kit.start({
        ...base,
        handlers: { 'order.submitted': async (_content, { tx, messageId, attempt }) => recordEffect(tx, messageId, 'successor', attempt) },
      });
      await waitFor(async () => (await effectsOf(ids)).length >= 400, 'the rest of the burst');
      expect(successor.stats).toMatchObject({ handled: 400 - doneByChild.length, duplicates: 0 });
      const perMessage = countBy(await effectsOf(ids), (e) => e.messageId);
      expect(perMessage.size).toBe(400);
      expect([...perMessage.values()].every((n) => n === 1)).toBe(true);
    } finally {
      if (child.child.exitCode === null) child.child.kill('SIGKILL');
    }
  });

  it('reconnects after the broker drops its connection, and still handles every message once', async () => {
    const consumer = kit.define('reconnecting', {
      'order.submitted': async (_content, { tx, messageId, attempt }) => recordEffect(tx, messageId, 'reconnecting', attempt),
    });
    const runner = await kit.start(consumer);
    const ids: string[] = [];
    const producing = (async () => {
      for (let i = 0; i < 30; i++) {
        const batch = Array.from({ length: 10 }, () => envelope('order.submitted'));
        ids.push(...batch.map((m) => m.messageId));
        await kit.publish(batch);
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await closeBrokerConnection(runner.connectionName);
    await waitFor(() => runner.stats.sessions === 2 && runner.consuming, 'the reconnect');
    await producing;
    await waitFor(async () => countBy(await effectsOf(ids), (e) => e.messageId).size === 300, 'all 300 messages');
    const perMessage = countBy(await effectsOf(ids), (e) => e.messageId);
    expect([...perMessage.values()].every((n) => n === 1)).toBe(true);
    expect(runner.stats.sessions).toBe(2);
    expect(runner.stats.handled).toBe(300);
  });
});
