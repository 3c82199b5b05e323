import amqp from 'amqplib';
import { afterAll, describe, expect, it } from 'vitest';
import { shippedConsumers } from '../../consumers/shipped-consumers';
import { sendConfirmed } from '../../messaging/confirmed-send';
import { retryPolicyFrom } from '../../messaging/consumer-settings';
import { assertConsumerTopology, consumerQueuesOf } from '../../messaging/consumer-topology';
import { HEADER } from '../../messaging/delivery-headers';
import { startApi, useApiStack } from '../support/api-server';
import { clearQueuePolicy, setQueuePolicy } from '../support/broker';
import { waitFor } from '../support/consumer-kit';
import { problemOfAnswer } from '../support/problem';
import { deleteShippedQueues } from '../support/shipped-queues';

/**
 * The admin API's replay and discard against a real broker and database, where they go wrong:
 * a DLQ longer than one request may scan (DLQ_SWEEP_MAX_SCAN), and a broker that fails a sweep
 * part way. No consumers process runs: the dead letters are parked by hand and stay put.
 */
const MAX_SCAN = 10;
const ctx = useApiStack({ worker: false, relay: false, probePattern: 'no.events.wanted' }, (stack) => ({
  config: { ...stack.config, DLQ_SWEEP_MAX_SCAN: MAX_SCAN },
}));

const prefix = () => `${ctx.stack.exchange}.`;
const definitionOf = (name: string) => shippedConsumers({ CONSUMER_QUEUE_PREFIX: prefix() }).find((d) => d.name === name)!;
const queuesOf = (name: string) => consumerQueuesOf(definitionOf(name), retryPolicyFrom(ctx.stack.config));

afterAll(async () => {
  await deleteShippedQueues(ctx.stack, prefix());
});

/** Declares the consumer's queues (as its process would) and parks these messages in its DLQ, in order. */
async function park(consumer: string, messages: { messageId: string; event: string }[]): Promise<void> {
  const connection = await amqp.connect(ctx.stack.config.AMQP_URL);
  try {
    const channel = await connection.createConfirmChannel();
    await assertConsumerTopology(channel, definitionOf(consumer), ctx.stack.exchange, retryPolicyFrom(ctx.stack.config));
    const headers = { [HEADER.reason]: 'retries-exhausted', [HEADER.deadLetteredAt]: new Date().toISOString() };
    for (const { messageId, event } of messages) {
      await sendConfirmed(channel, queuesOf(consumer).deadLetter, Buffer.from('{}'), { persistent: true, messageId, type: event, headers });
    }
  } finally {
    await connection.close();
  }
}

/** Takes every message out of `queue`: their ids, in queue order. */
async function drain(queue: string): Promise<string[]> {
  const connection = await amqp.connect(ctx.stack.config.AMQP_URL);
  try {
    const channel = await connection.createChannel();
    const ids: string[] = [];
    for (let message = await channel.get(queue, { noAck: true }); message; message = await channel.get(queue, { noAck: true })) {
      ids.push(String(message.properties.messageId));
    }
    return ids;
  } finally {
    await connection.close();
  }
}

const ids = (tag: string, count: number) => Array.from({ length: count }, (_, i) => `${tag}-${String(i + 1).padStart(3, '0')}`);
const as = (event: string) => (messageId: string) => ({ messageId, event });
type SweepQuery = { event?: string; cursor?: string };
const replay = (name: string, query: SweepQuery = {}) =>
  ctx.api.client().POST('/admin/dlq/{name}/replay', { params: { path: { name }, query } });
const discard = (name: string, query: SweepQuery) =>
  ctx.api.client().POST('/admin/dlq/{name}/discard', { params: { path: { name }, query } });
const actionsOf = async (name: string) =>
  (await ctx.api.client().GET('/admin/dlq/{name}/actions', { params: { path: { name } } })).data!.actions;
const dlqIds = async (name: string) =>
  (await ctx.api.client().GET('/admin/dlq/{name}', { params: { path: { name }, query: { limit: 1000 } } })).data!.deadLetters.map(
    (d) => d.messageId!,
  );

describe('replay and discard of a DLQ longer than one request scans', () => {
  it('stop at DLQ_SWEEP_MAX_SCAN saying so; the next call, with the cursor, finishes, also past dead letters the filter passes over', async () => {
    const { queue } = queuesOf('notifications');
    const parked = ids('replayed', 15);
    await park('notifications', parked.map(as('order.completed')));

    const first = await replay('notifications');
    expect(first.response.status).toBe(200);
    expect(first.data).toMatchObject({ replayed: MAX_SCAN, messageIds: parked.slice(0, MAX_SCAN), complete: false, unscanned: 5 });
    expect(first.data!.cursor).toEqual(expect.any(String));
    const second = await replay('notifications', { cursor: first.data!.cursor! });
    expect(second.data).toMatchObject({ replayed: 5, messageIds: parked.slice(MAX_SCAN), complete: true, unscanned: 0, cursor: null });
    expect(second.data!.dlqDepth).toBe(0);
    expect(await drain(queue)).toEqual(parked);

    // Twelve the filter passes over ahead of the three it takes: the first call scans ten of them and
    // takes nothing. It moves them to the back, so the next call reaches the three, then stops at them.
    const passedOver = ids('submitted', 12);
    const wanted = ids('completed', 3);
    await park('notifications', [...passedOver.map(as('order.submitted')), ...wanted.map(as('order.completed'))]);
    const scan = await discard('notifications', { event: 'order.completed' });
    expect(scan.data).toMatchObject({ discarded: 0, skipped: MAX_SCAN, complete: false, unscanned: 5 });
    const rest = await discard('notifications', { event: 'order.completed', cursor: scan.data!.cursor! });
    expect(rest.data).toMatchObject({ discarded: 3, messageIds: wanted, skipped: 2, complete: true, unscanned: 0, cursor: null });
    await waitFor(async () => (await dlqIds('notifications')).length === passedOver.length, 'the passed-over dead letters back');
    expect((await dlqIds('notifications')).sort()).toEqual(passedOver);

    // Each call is one audit entry, done.
    const actions = await actionsOf('notifications');
    expect(actions.map(({ action, status, count, skipped, error }) => ({ action, status, count, skipped, error }))).toEqual([
      { action: 'discard', status: 'done', count: 3, skipped: 2, error: null },
      { action: 'discard', status: 'done', count: 0, skipped: MAX_SCAN, error: null },
      { action: 'replay', status: 'done', count: 5, skipped: 0, error: null },
      { action: 'replay', status: 'done', count: MAX_SCAN, skipped: 0, error: null },
    ]);
    expect(actions.every((action) => action.finishedAt !== null)).toBe(true);
  });
});

describe('a replay the broker fails part way', () => {
  it('answers 503 with its audit entry, recorded failed with the error and the dead letters already replayed', async () => {
    const { queue } = queuesOf('order-projection');
    const parked = ids('parked', 150);
    await park('order-projection', parked.map(as('order.completed')));
    // An operator's length limit on the consumer's queue: once it is full the broker refuses (nacks)
    // every further replayed message, some way into the sweep (one that scans them all: the default bound).
    const policy = await setQueuePolicy(queue, { 'max-length': 60, overflow: 'reject-publish' });
    const api = await startApi(ctx.stack);
    let replayed: (string | null)[] = [];
    try {
      const failed = await api.client().POST('/admin/dlq/{name}/replay', { params: { path: { name: 'order-projection' } } });
      expect(failed.response.status).toBe(503);
      const problem = problemOfAnswer(failed);
      expect(problem).toMatchObject({ code: 'dead_letter_sweep_failed', actionId: expect.any(Number) });

      const [action] = await actionsOf('order-projection');
      expect(action).toMatchObject({
        id: problem.actionId,
        action: 'replay',
        filter: {},
        status: 'failed',
        error: expect.stringMatching(/^the replay of \S+\.dlq failed after \d+ dead letters replayed: /),
        finishedAt: expect.any(String),
      });
      replayed = action!.messageIds;
      expect(action!.count).toBe(replayed.length);
      expect(replayed.length).toBeGreaterThan(0);
      expect(replayed.length).toBeLessThan(parked.length);
      expect(problem.detail).toContain(`${replayed.length} dead letters replayed`);
    } finally {
      await api.close();
      await clearQueuePolicy(policy);
    }
    // Exactly those the entry names reached the consumer's queue; every other one is still parked.
    expect(await drain(queue)).toEqual(replayed);
    expect(replayed).toEqual(parked.filter((id) => replayed.includes(id)));
    await waitFor(async () => (await dlqIds('order-projection')).length === parked.length - replayed.length, 'the others back in the DLQ');
    expect((await dlqIds('order-projection')).sort()).toEqual(parked.filter((id) => !replayed.includes(id)));
  });
});
