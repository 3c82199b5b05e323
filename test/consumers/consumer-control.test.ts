import { afterEach, describe, expect, it } from 'vitest';
import { ConsumerNotDeclaredError, UnknownConsumerError } from '../../messaging/consumer-control';
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
    expect(await ctx.kit.control.replayDeadLetters('parking')).toEqual({ consumer: 'parking', replayed: 5, dlqDepth: 0 });
    await waitFor(async () => (await ctx.kit.control.getConsumer('parking')).dlqDepth === 5, 'the five parked again');
    expect((await ctx.kit.control.peekDeadLetters('parking')).map((d) => d.replays)).toEqual([1, 1, 1, 1, 1]);

    broken = false;
    expect(await ctx.kit.control.replayDeadLetters('parking')).toMatchObject({ replayed: 5, dlqDepth: 0 });
    await waitFor(async () => (await ctx.kit.effects(messages.map((m) => m.messageId))).length === 5, 'the replayed five processed');
    const effects = await ctx.kit.effects(messages.map((m) => m.messageId));
    expect(effects.map((e) => e.attempt)).toEqual([1, 1, 1, 1, 1]);
    expect(await ctx.kit.control.getConsumer('parking')).toMatchObject({ queueDepth: 0, retrying: 0, dlqDepth: 0 });
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
