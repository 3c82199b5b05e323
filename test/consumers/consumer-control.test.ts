import { afterEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../logging/logger';
import type { EventHandler } from '../../messaging/consumer-definition';
import { ConsumerNotDeclaredError, createConsumerControl, UnknownConsumerError } from '../../messaging/consumer-control';
import { spawnTs, type RunningChild } from '../support/child-process';
import { countBy, envelope, recordEffect, waitFor, useConsumerKit } from '../support/consumer-kit';

const ctx = useConsumerKit();
const children: RunningChild[] = [];
// Vitest runs after-hooks last-registered first: this one, then the kit's reset. So: children
// first, then their queues.
afterEach(async () => {
  for (const { child, exited } of children.splice(0)) {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  }
});

describe('consumer control', () => {
  it('lists each consumer with its state, attached instances and queue depths', async () => {
    const consumer = ctx.kit.define('listed', { 'order.submitted': async () => {} });
    ctx.kit.define('never-started', { 'order.submitted': async () => {} });
    await ctx.kit.start(consumer);
    await ctx.kit.start(consumer);

    const listed = await ctx.kit.control.listConsumers();
    expect(listed).toEqual([
      {
        name: 'listed',
        queue: consumer.queue,
        deadLetterQueue: `${consumer.queue}.dlq`,
        state: 'running',
        stateChangedAt: null,
        consumers: 2,
        queueDepth: 0,
        retrying: 0,
        dlqDepth: 0,
        declared: true,
      },
      expect.objectContaining({ name: 'never-started', state: 'running', consumers: 0, declared: false }),
    ]);
  });

  it('stop, from another process, halts a consumer process; 50 published meanwhile wait, and start processes them all', async () => {
    const consumer = ctx.kit.define('remote', {});
    const remote = spawnTs('test/support/consumer-process.ts', ctx.kit.processEnv(consumer, 'remote-1'));
    children.push(remote);
    await remote.waitForLine('ready');
    expect((await ctx.kit.control.getConsumer('remote')).consumers).toBe(1);

    const stopped = await ctx.kit.control.stopConsumer('remote');
    expect(stopped.settled).toBe(true);
    expect(stopped.status).toMatchObject({ state: 'stopped', consumers: 0 });
    expect(Date.parse(stopped.status.stateChangedAt!)).toBeGreaterThan(Date.now() - 10_000);

    const messages = Array.from({ length: 50 }, () => envelope('order.submitted'));
    await ctx.kit.publish(messages);
    await waitFor(async () => (await ctx.kit.control.getConsumer('remote')).queueDepth === 50, '50 messages waiting in the queue');
    expect(await ctx.kit.effects(messages.map((m) => m.messageId))).toEqual([]);

    const started = await ctx.kit.control.startConsumer('remote');
    expect(started.settled).toBe(true);
    expect(started.status).toMatchObject({ state: 'running', consumers: 1 });
    await waitFor(async () => (await ctx.kit.effects(messages.map((m) => m.messageId))).length >= 50, 'all 50 processed');
    const perMessage = countBy(await ctx.kit.effects(messages.map((m) => m.messageId)), (e) => e.messageId);
    expect(perMessage.size).toBe(50);
    expect([...perMessage.values()].every((n) => n === 1)).toBe(true);
    expect(await ctx.kit.control.getConsumer('remote')).toMatchObject({ queueDepth: 0, dlqDepth: 0 });
  });

  it('a consumer process started while its consumer is stopped takes nothing until it is started', async () => {
    const consumer = ctx.kit.define('dormant', {});
    await ctx.kit.control.stopConsumer('dormant', { waitMs: 0 });
    const dormant = spawnTs('test/support/consumer-process.ts', ctx.kit.processEnv(consumer, 'dormant-1'));
    children.push(dormant);
    await dormant.waitForLine('ready');

    const messages = Array.from({ length: 10 }, () => envelope('order.submitted'));
    await ctx.kit.publish(messages);
    await waitFor(async () => (await ctx.kit.control.getConsumer('dormant')).queueDepth === 10, '10 messages waiting');
    expect(await ctx.kit.control.getConsumer('dormant')).toMatchObject({ state: 'stopped', consumers: 0, declared: true });

    expect((await ctx.kit.control.startConsumer('dormant')).settled).toBe(true);
    await waitFor(async () => (await ctx.kit.effects(messages.map((m) => m.messageId))).length === 10, 'all 10 processed');
  });

  it('peeks dead letters without taking them, and replays them to the queue with fresh attempts', async () => {
    let broken = true;
    const consumer = ctx.kit.define('parking', {
      'order.submitted': async (_content, { tx, messageId, attempt }) => {
        if (broken) throw new Error('downstream is down');
        await recordEffect(tx, messageId, 'parking', attempt);
      },
    });
    await ctx.kit.start(consumer);
    const messages = Array.from({ length: 5 }, () => envelope('order.submitted'));
    await ctx.kit.publish(messages);
    await waitFor(async () => (await ctx.kit.control.getConsumer('parking')).dlqDepth === 5, 'five dead letters');

    const peeked = await ctx.kit.control.peekDeadLetters('parking', 10);
    expect(peeked.map((d) => d.messageId).sort()).toEqual(messages.map((m) => m.messageId).sort());
    expect(peeked.every((d) => d.reason === 'retries-exhausted' && d.error === 'downstream is down' && d.replays === 0)).toBe(true);
    expect(await ctx.kit.control.peekDeadLetters('parking', 2)).toEqual(
      peeked.slice(0, 2).map((d) => expect.objectContaining({ messageId: d.messageId })),
    );
    expect((await ctx.kit.control.getConsumer('parking')).dlqDepth).toBe(5);

    // Replayed while still broken: back to the DLQ after all attempts again, counted as replayed once.
    expect(await ctx.kit.control.replayDeadLetters('parking')).toMatchObject({
      consumer: 'parking',
      replayed: 5,
      dlqDepth: 0,
      skipped: 0,
      expired: 0,
    });
    await waitFor(async () => (await ctx.kit.control.getConsumer('parking')).dlqDepth === 5, 'the five parked again');
    expect((await ctx.kit.control.peekDeadLetters('parking')).map((d) => d.replays)).toEqual([1, 1, 1, 1, 1]);

    broken = false;
    expect(await ctx.kit.control.replayDeadLetters('parking')).toMatchObject({ replayed: 5, dlqDepth: 0 });
    await waitFor(async () => (await ctx.kit.effects(messages.map((m) => m.messageId))).length === 5, 'the replayed five processed');
    const effects = await ctx.kit.effects(messages.map((m) => m.messageId));
    expect(effects.map((e) => e.attempt)).toEqual([1, 1, 1, 1, 1]);
    expect(await ctx.kit.control.getConsumer('parking')).toMatchObject({ queueDepth: 0, retrying: 0, dlqDepth: 0 });
  });

  it('replays and discards only the dead letters a filter matches, and replays none parked before the replay window', async () => {
    let broken = true;
    const handler: EventHandler = async (_content, { tx, messageId, attempt }) => {
      if (broken) throw new Error('downstream is down');
      await recordEffect(tx, messageId, 'sorting', attempt);
    };
    const consumer = ctx.kit.define('sorting', { 'order.submitted': handler, 'order.completed': handler });
    await ctx.kit.start(consumer);
    const orderA = randomUUID();
    const submitted = [envelope('order.submitted'), envelope('order.submitted'), envelope('order.submitted', {}, orderA)];
    const completed = [envelope('order.completed', {}, orderA), envelope('order.completed')];
    await ctx.kit.publish([...submitted, ...completed]);
    await waitFor(async () => (await ctx.kit.control.getConsumer('sorting')).dlqDepth === 5, 'five dead letters');
    broken = false;
    const ids = (envelopes: readonly { messageId: string }[]) => envelopes.map((e) => e.messageId).sort();
    const control = ctx.kit.control;

    const byEvent = await control.replayDeadLetters('sorting', { event: 'order.completed' });
    expect(byEvent).toMatchObject({ consumer: 'sorting', replayed: 2, skipped: 3, expired: 0, dlqDepth: 3 });
    expect([...byEvent.messageIds].sort()).toEqual(ids(completed));
    await waitFor(async () => (await ctx.kit.effects(ids(completed))).length === 2, 'the two replayed handled');
    // Those passed over are back in the DLQ, untouched.
    const left = await control.peekDeadLetters('sorting');
    expect(left.map((d) => d.messageId).sort()).toEqual(ids(submitted));
    expect(left.every((d) => d.replays === 0)).toBe(true);

    // Every given field must match: order A's submitted, not its completed (already replayed) nor another order's submitted.
    const both = await control.replayDeadLetters('sorting', { event: 'order.submitted', messageId: submitted[0]!.messageId });
    expect(both).toMatchObject({ replayed: 1, skipped: 2, messageIds: [submitted[0]!.messageId], dlqDepth: 2 });

    const discarded = await control.discardDeadLetters('sorting', { orderId: orderA });
    expect(discarded).toEqual({
      consumer: 'sorting',
      discarded: 1,
      skipped: 1,
      messageIds: [submitted[2]!.messageId],
      dlqDepth: 1,
      complete: true,
      unscanned: 0,
      cursor: null,
    });
    await expect(control.discardDeadLetters('sorting', {})).rejects.toThrow(RangeError);
    expect(await control.replayDeadLetters('sorting', { orderId: randomUUID() })).toMatchObject({ replayed: 0, skipped: 1, dlqDepth: 1 });

    // A control whose replay window ended after the last one was parked leaves it: only a discard takes it.
    const strict = createConsumerControl({
      db: ctx.stack.db.db,
      amqpUrl: ctx.stack.config.AMQP_URL,
      consumers: [consumer],
      retry: ctx.kit.settings.retry,
      log: createLogger('strict-control', 'silent'),
      replayWindowMs: 1,
    });
    try {
      await sleep(10);
      expect(await strict.replayDeadLetters('sorting')).toMatchObject({ replayed: 0, expired: 1, skipped: 0, dlqDepth: 1 });
      expect(await strict.discardDeadLetters('sorting', { messageId: submitted[1]!.messageId })).toMatchObject({
        discarded: 1,
        dlqDepth: 0,
      });
    } finally {
      await strict.close();
    }
    await waitFor(async () => (await ctx.kit.effects(ids(submitted))).length === 1, 'the one replayed submitted handled');
    await sleep(300);
    // Discarded and expired messages had no effect; each replayed one had exactly one.
    expect((await ctx.kit.effects([...ids(submitted), ...ids(completed)])).map((e) => e.messageId).sort()).toEqual(
      [submitted[0]!.messageId, ...ids(completed)].sort(),
    );
  });

  it('refuses an unknown consumer name, a bad peek limit, and a replay before the consumer ever ran', async () => {
    ctx.kit.define('known', { 'order.submitted': async () => {} });
    const control = ctx.kit.control;
    for (const call of [
      () => control.getConsumer('nope'),
      () => control.stopConsumer('nope'),
      () => control.startConsumer('nope'),
      () => control.peekDeadLetters('nope'),
      () => control.replayDeadLetters('nope'),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnknownConsumerError);
      expect(error).toMatchObject({ code: 'consumer_not_found', consumer: 'nope', known: ['known'] });
    }
    for (const limit of [0, 1001, 2.5]) await expect(control.peekDeadLetters('known', limit)).rejects.toThrow(RangeError);
    await expect(control.replayDeadLetters('known')).rejects.toThrow(ConsumerNotDeclaredError);
    expect(await control.peekDeadLetters('known')).toEqual([]);
  });
});
