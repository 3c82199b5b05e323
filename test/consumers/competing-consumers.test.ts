import { describe, expect, it } from 'vitest';
import type { ConsumerDefinition } from '../../messaging/consumer-definition';
import { countBy, envelope, recordEffect, waitFor, useConsumerKit } from '../support/consumer-kit';

const ctx = useConsumerKit();

describe('competing consumers', () => {
  it('three instances share 1,000 messages: each effect exactly once, and every instance does some of the work', async () => {
    const base = ctx.kit.define('competing', {}, { prefetch: 10 });
    const instance = (name: string): ConsumerDefinition => ({
      ...base,
      handlers: { 'order.submitted': async (_content, { tx, messageId, attempt }) => recordEffect(tx, messageId, name, attempt) },
    });
    const runners = await Promise.all(['one', 'two', 'three'].map((name) => ctx.kit.start(instance(name))));
    const messages = Array.from({ length: 1000 }, () => envelope('order.submitted'));
    await ctx.kit.publish(messages);

    await waitFor(() => runners.reduce((sum, runner) => sum + runner.stats.handled, 0) === 1000, '1,000 messages handled', 30_000);
    const effects = await ctx.kit.effects();
    const perMessage = countBy(effects, (e) => e.messageId);
    expect(perMessage.size).toBe(1000);
    expect(messages.every((m) => perMessage.get(m.messageId) === 1)).toBe(true);
    const perInstance = countBy(effects, (e) => e.instance);
    expect([...perInstance.keys()].sort()).toEqual(['one', 'three', 'two']);
    for (const [, handled] of perInstance) expect(handled).toBeGreaterThan(0);
    expect(runners.map((r) => r.stats.duplicates + r.stats.retried + r.stats.deadLettered)).toEqual([0, 0, 0]);
    expect(await ctx.kit.control.getConsumer('competing')).toMatchObject({ consumers: 3, queueDepth: 0, dlqDepth: 0 });
  });
});
