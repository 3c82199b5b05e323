import { describe, expect, it } from 'vitest';
import type { ConsumerDefinition } from '../../messaging/consumer-definition';
import { countBy, envelope, recordEffect, waitFor, useConsumerKit } from '../support/consumer-kit';

const ctx = useConsumerKit();

describe('inbox deduplication', () => {
  it('handles a message published twice (same messageId) once, and acknowledges the repeat', async () => {
    const consumer = ctx.kit.define('dedup', {
      'order.submitted': async (_content, { tx, messageId, attempt }) => recordEffect(tx, messageId, 'dedup', attempt),
    });
    const runner = await ctx.kit.start(consumer);
    const message = envelope('order.submitted');
    await ctx.kit.publish([message]);
    await waitFor(() => runner.stats.handled === 1, 'the first copy');
    await ctx.kit.publish([message]);
    await waitFor(() => runner.stats.duplicates === 1, 'the second copy');

    const effects = (await ctx.kit.effects()).filter((e) => e.messageId === message.messageId);
    expect(effects).toHaveLength(1);
    expect(runner.stats).toMatchObject({ handled: 1, duplicates: 1, retried: 0, deadLettered: 0 });
    const status = await ctx.kit.control.getConsumer('dedup');
    expect(status).toMatchObject({ queueDepth: 0, dlqDepth: 0, retrying: 0 });
  });

  it('produces one effect per messageId when copies race each other on two instances', async () => {
    const base = ctx.kit.define('racing', {}, { prefetch: 20 });
    const instance = (name: string): ConsumerDefinition => ({
      ...base,
      handlers: {
        'order.submitted': async (_content, { tx, messageId, attempt }) => {
          // Hold the inbox key a moment, so the other copy arrives while this one is in flight.
          await new Promise((resolve) => setTimeout(resolve, 5));
          await recordEffect(tx, messageId, name, attempt);
        },
      },
    });
    const first = await ctx.kit.start(instance('first'));
    const second = await ctx.kit.start(instance('second'));
    const messages = Array.from({ length: 100 }, () => envelope('order.submitted'));
    // Every message twice, back to back: round-robin hands the two copies to different instances.
    await ctx.kit.publish(messages.flatMap((message) => [message, message]));

    const total = () => first.stats.handled + first.stats.duplicates + second.stats.handled + second.stats.duplicates;
    await waitFor(() => total() === 200, 'all 200 copies');
    const counts = countBy(
      (await ctx.kit.effects()).filter((e) => messages.some((m) => m.messageId === e.messageId)),
      (e) => e.messageId,
    );
    expect(counts.size).toBe(100);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(first.stats.handled + second.stats.handled).toBe(100);
    expect(first.stats.duplicates + second.stats.duplicates).toBe(100);
  });
});
