import { describe, expect, it } from 'vitest';
import type { ConsumerStats } from '../../messaging/consumer-runner';
import { closeBrokerConnection } from '../support/broker';
import { spawnTs } from '../support/child-process';
import { countBy, envelope, recordEffect, waitFor, useConsumerKit } from '../support/consumer-kit';

const ctx = useConsumerKit();

describe('graceful shutdown and reconnects', () => {
  it('SIGTERM during a burst finishes what is in flight: nothing lost, nothing processed twice', async () => {
    const base = ctx.kit.define('terminated', {}, { prefetch: 10 });
    const child = spawnTs('test/support/consumer-process.ts', ctx.kit.processEnv(base, 'child', { TEST_HANDLER_DELAY_MS: '20' }));
    try {
      await child.waitForLine('ready');
      const messages = Array.from({ length: 400 }, () => envelope('order.submitted'));
      const ids = messages.map((m) => m.messageId);
      await ctx.kit.publish(messages);
      await waitFor(async () => (await ctx.kit.effects(ids)).length >= 100, 'the burst under way');
      child.child.kill('SIGTERM');
      const [code] = await child.exited;
      expect(code).toBe(0);

      const stats = JSON.parse(await child.waitForLine('stats ')) as ConsumerStats;
      const doneByChild = await ctx.kit.effects(ids);
      // Mid-burst, truly: some done, most not.
      expect(doneByChild.length).toBeGreaterThanOrEqual(100);
      expect(doneByChild.length).toBeLessThan(400);
      // Every delivery it took it finished and acknowledged: the queue holds exactly the rest.
      expect(stats).toMatchObject({ handled: doneByChild.length, duplicates: 0, retried: 0, deadLettered: 0 });
      const status = await ctx.kit.control.getConsumer('terminated');
      expect(status).toMatchObject({ consumers: 0, queueDepth: 400 - doneByChild.length, dlqDepth: 0 });

      // A successor finishes the rest, and is handed nothing the first one had already done.
      const successor = await ctx.kit.start({
        ...base,
        handlers: { 'order.submitted': async (_content, { tx, messageId, attempt }) => recordEffect(tx, messageId, 'successor', attempt) },
      });
      // The effect commits before the ack and the counter: wait for both, or the count races the commit.
      await waitFor(
        async () => (await ctx.kit.effects(ids)).length >= 400 && successor.stats.handled >= 400 - doneByChild.length,
        'the rest of the burst',
      );
      expect(successor.stats).toMatchObject({ handled: 400 - doneByChild.length, duplicates: 0 });
      const perMessage = countBy(await ctx.kit.effects(ids), (e) => e.messageId);
      expect(perMessage.size).toBe(400);
      expect([...perMessage.values()].every((n) => n === 1)).toBe(true);
    } finally {
      if (child.child.exitCode === null) child.child.kill('SIGKILL');
    }
  });

  it('reconnects after the broker drops its connection, and still handles every message once', async () => {
    const consumer = ctx.kit.define('reconnecting', {
      'order.submitted': async (_content, { tx, messageId, attempt }) => recordEffect(tx, messageId, 'reconnecting', attempt),
    });
    const runner = await ctx.kit.start(consumer);
    const ids: string[] = [];
    const producing = (async () => {
      for (let i = 0; i < 30; i++) {
        const batch = Array.from({ length: 10 }, () => envelope('order.submitted'));
        ids.push(...batch.map((m) => m.messageId));
        await ctx.kit.publish(batch);
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await closeBrokerConnection(runner.connectionName);
    await waitFor(() => runner.stats.sessions === 2 && runner.consuming, 'the reconnect');
    await producing;
    await waitFor(
      async () => countBy(await ctx.kit.effects(ids), (e) => e.messageId).size === 300 && runner.stats.handled >= 300,
      'all 300 messages',
    );
    const perMessage = countBy(await ctx.kit.effects(ids), (e) => e.messageId);
    expect([...perMessage.values()].every((n) => n === 1)).toBe(true);
    expect(runner.stats.sessions).toBe(2);
    expect(runner.stats.handled).toBe(300);
  });
});
