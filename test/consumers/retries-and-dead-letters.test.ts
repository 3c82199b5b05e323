import { describe, expect, it } from 'vitest';
import { UnprocessableMessageError, withContent } from '../../messaging/consumer-definition';
import type { EventName } from '../../domain/events';
import { z } from 'zod';
import { envelope, recordEffect, TEST_RETRY, waitFor, useConsumerKit } from '../support/consumer-kit';
import { startTcpRelay } from '../support/tcp-relay';

const ctx = useConsumerKit();

const deadLetterCount = async (name: string) => (await ctx.kit.control.getConsumer(name)).dlqDepth;

describe('retries with back-off, then the dead-letter queue', () => {
  it('processes a message once when its handler fails twice and then succeeds, after the back-off delays', async () => {
    const attempts: { attempt: number; at: number }[] = [];
    const consumer = ctx.kit.define('flaky', {
      'order.submitted': async (_content, { tx, messageId, attempt }) => {
        attempts.push({ attempt, at: Date.now() });
        if (attempt <= 2) throw new Error(`provider unavailable (attempt ${attempt})`);
        await recordEffect(tx, messageId, 'flaky', attempt);
      },
    });
    const runner = await ctx.kit.start(consumer);
    const message = envelope('order.submitted');
    await ctx.kit.publish([message]);

    await waitFor(
      async () => (await ctx.kit.effects()).some((e) => e.messageId === message.messageId) && runner.stats.handled === 1,
      'the third attempt to succeed',
    );
    const effects = (await ctx.kit.effects()).filter((e) => e.messageId === message.messageId);
    expect(effects).toHaveLength(1);
    expect(effects[0]!.attempt).toBe(3);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    // Tier 1 is 150 ms, tier 2 is 300 ms: each retry waited at least its tier (a few ms of
    // timer slack allowed), and not so long that something else explains it.
    const firstWait = attempts[1]!.at - attempts[0]!.at;
    const secondWait = attempts[2]!.at - attempts[1]!.at;
    expect(firstWait).toBeGreaterThanOrEqual(TEST_RETRY.baseMs - 10);
    expect(secondWait).toBeGreaterThanOrEqual(2 * TEST_RETRY.baseMs - 10);
    expect(firstWait).toBeLessThan(1500);
    expect(secondWait).toBeLessThan(1500);
    expect(runner.stats).toMatchObject({ handled: 1, retried: 2, deadLettered: 0 });
    expect(await deadLetterCount('flaky')).toBe(0);
  });

  it('parks a message whose handler always fails in the DLQ after the last attempt, with its error', async () => {
    const consumer = ctx.kit.define('broken', {
      'order.submitted': async (_content, { attempt }) => {
        throw new Error(`inventory service said no (attempt ${attempt})`);
      },
    });
    const runner = await ctx.kit.start(consumer);
    const message = envelope('order.submitted');
    const before = Date.now();
    await ctx.kit.publish([message]);

    await waitFor(async () => (await deadLetterCount('broken')) === 1, 'the dead letter');
    const [dead] = await ctx.kit.control.peekDeadLetters('broken');
    expect(dead).toMatchObject({
      messageId: message.messageId,
      event: 'order.submitted',
      orderId: message.metadata.correlationId,
      reason: 'retries-exhausted',
      error: 'inventory service said no (attempt 3)',
      attempts: TEST_RETRY.maxAttempts,
      consumer: 'broken',
    });
    expect(Date.parse(dead!.deadLetteredAt!)).toBeGreaterThanOrEqual(before - 1000);
    expect(JSON.parse(dead!.body)).toMatchObject({ messageId: message.messageId });
    expect(runner.stats).toMatchObject({ handled: 0, retried: 2, deadLettered: 1 });
    // Peeking leaves it where it was.
    expect(await deadLetterCount('broken')).toBe(1);
    expect(await ctx.kit.effects()).not.toContainEqual(expect.objectContaining({ messageId: message.messageId }));
  });

  it("an outage of the consumer's database costs no attempts: the delivery waits it out, however long, and is handled once", async () => {
    const database = new URL(ctx.kit.databaseUrl);
    const relay = await startTcpRelay(database.hostname, Number(database.port || 5432));
    try {
      database.hostname = '127.0.0.1';
      database.port = String(relay.port);
      const consumer = ctx.kit.define('outage', {
        'order.submitted': async (_content, { tx, messageId, attempt }) => recordEffect(tx, messageId, 'outage', attempt),
      });
      const runner = await ctx.kit.start(consumer, { databaseUrl: database.toString() });
      await relay.cut();
      const message = envelope('order.submitted');
      await ctx.kit.publish([message]);
      // Twice the whole retry budget: counted as attempts, these failures would have parked it.
      await waitFor(async () => runner.stats.databaseOutageRetries >= 2 * TEST_RETRY.maxAttempts, 'retries while the database is away');
      expect(await deadLetterCount('outage')).toBe(0);
      expect(runner.stats.deadLettered).toBe(0);

      await relay.restore();
      await waitFor(async () => runner.stats.handled === 1, 'the delivery handled once the database is back');
      const effects = await ctx.kit.effects([message.messageId]);
      // The attempt number never moved: outages are not the message's fault.
      expect(effects.map((effect) => effect.attempt)).toEqual([1]);
      expect(await deadLetterCount('outage')).toBe(0);
    } finally {
      await relay.close();
    }
  });

  it('sends poison JSON and an unknown event name to the DLQ at once, without calling a handler', async () => {
    let calls = 0;
    const consumer = ctx.kit.define('picky', {
      'order.submitted': async () => {
        calls += 1;
      },
    });
    const runner = await ctx.kit.start(consumer);
    await ctx.kit.publishRaw('order.submitted', Buffer.from('{"messageId": "oops", truncated'), {
      messageId: 'poison-1',
      contentType: 'application/json',
    });
    const unknownEvent = { ...envelope('order.submitted'), name: 'order.teleported' as EventName };
    await ctx.kit.publish([unknownEvent]);
    // A known event this consumer has no handler for is just as unknown to it.
    const unhandled = envelope('payment.charged');
    await ctx.kit.publish([unhandled]);

    await waitFor(async () => (await deadLetterCount('picky')) === 3, 'three dead letters');
    const dead = await ctx.kit.control.peekDeadLetters('picky');
    expect(dead.map((d) => [d.reason, d.attempts])).toEqual([
      ['unparseable', 1],
      ['no-handler', 1],
      ['no-handler', 1],
    ]);
    expect(dead[0]!.error).toMatch(/not JSON/);
    expect(dead[0]!.messageId).toBe('poison-1');
    expect(dead[1]!.error).toContain('"order.teleported"');
    expect(dead[2]!.error).toContain('"payment.charged"');
    expect(calls).toBe(0);
    expect(runner.stats).toMatchObject({ retried: 0, deadLettered: 3 });
  });

  it('parks content that fails the handler schema (or an UnprocessableMessageError) at once', async () => {
    const consumer = ctx.kit.define('strict', {
      'order.completed': withContent(z.object({ orderId: z.uuid(), totalCents: z.number().int() }), async () => {}),
      'order.failed': async () => {
        throw new UnprocessableMessageError('this order belongs to another shop');
      },
    });
    const runner = await ctx.kit.start(consumer);
    await ctx.kit.publish([envelope('order.completed', { totalCents: 'a lot' }), envelope('order.failed')]);

    await waitFor(async () => (await deadLetterCount('strict')) === 2, 'two dead letters');
    const dead = await ctx.kit.control.peekDeadLetters('strict');
    expect(dead.map((d) => d.reason)).toEqual(['unprocessable', 'unprocessable']);
    expect(dead.map((d) => d.error)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('order.completed content is invalid: totalCents'),
        'this order belongs to another shop',
      ]),
    );
    expect(runner.stats.retried).toBe(0);
  });
});
