import amqp from 'amqplib';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { shippedConsumers } from '../../consumers/shipped-consumers';
import { orderProjection } from '../../drizzle/schema';
import { retryPolicyFrom } from '../../messaging/consumer-settings';
import { consumerQueuesOf } from '../../messaging/consumer-topology';
import { submitOrder, useApiStack, waitForOrderStatus } from '../support/api-server';
import { appEntry, CONSUMERS } from '../../tools/environment/app-entries';
import { spawnTs, type RunningChild } from '../support/child-process';
import { waitFor } from '../support/consumer-kit';
import { deleteShippedQueues } from '../support/shipped-queues';

const ctx = useApiStack();
let consumersProcess: RunningChild | undefined;

const prefix = () => `${ctx.stack.exchange}.`;
const queuesOf = (name: string) => {
  const definition = shippedConsumers({ CONSUMER_QUEUE_PREFIX: prefix() }).find((d) => d.name === name)!;
  return consumerQueuesOf(definition, retryPolicyFrom(ctx.stack.config));
};

const listConsumers = async () => (await ctx.api.client().GET('/admin/consumers')).data!.consumers;
const statusOf = async (name: string) => (await listConsumers()).find((c) => c.name === name)!;
const consumer = (name: string) => ({ params: { path: { name } } });
const deadLetters = (name: string, limit?: number) =>
  ctx.api.client().GET('/admin/dlq/{name}', { params: { path: { name }, query: limit === undefined ? {} : { limit } } });

afterAll(async () => {
  consumersProcess?.child.kill('SIGTERM');
  await consumersProcess?.exited;
  await deleteShippedQueues(ctx.stack, prefix());
});

describe('admin routes over the consumers, which run in their own process', () => {
  it('lists them, stops one without losing messages, starts it again, and peeks and replays its DLQ', async () => {
    consumersProcess = spawnTs(appEntry(CONSUMERS), {
      DATABASE_URL: ctx.stack.databaseUrl,
      EVENTS_EXCHANGE: ctx.stack.exchange,
      CONSUMER_QUEUE_PREFIX: prefix(),
      LOG_LEVEL: 'warn',
    });
    await waitFor(
      async () => (await listConsumers()).every((c) => c.state === 'running' && c.consumers === 1),
      'both consumers attached',
      30_000,
    );

    const stopped = await ctx.api.client().POST('/admin/consumers/{name}/stop', consumer('order-projection'));
    expect(stopped.response.status).toBe(200);
    expect(stopped.data).toMatchObject({ settled: true, status: { name: 'order-projection', state: 'stopped', consumers: 0 } });

    const { orderId } = await submitOrder(ctx.api);
    await waitForOrderStatus(ctx.api, orderId, 'COMPLETED');
    // The five events wait in the stopped consumer's queue; nothing is projected.
    await waitFor(async () => (await statusOf('order-projection')).queueDepth >= 5, 'events waiting in the queue');
    expect(await ctx.stack.db.db.select().from(orderProjection).where(eq(orderProjection.orderId, orderId))).toEqual([]);

    const started = await ctx.api.client().POST('/admin/consumers/{name}/start', consumer('order-projection'));
    expect(started.response.status).toBe(200);
    expect(started.data).toMatchObject({ settled: true, status: { state: 'running', consumers: 1 } });
    await waitFor(async () => {
      const [row] = await ctx.stack.db.db.select().from(orderProjection).where(eq(orderProjection.orderId, orderId));
      return row?.status === 'COMPLETED';
    }, 'the projection to catch up');

    // A message that is not JSON goes to the DLQ at once.
    const connection = await amqp.connect(ctx.stack.config.AMQP_URL);
    try {
      const channel = await connection.createConfirmChannel();
      channel.sendToQueue(queuesOf('notifications').queue, Buffer.from('{not json'), { messageId: 'poison-1', persistent: true });
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
    await waitFor(async () => (await statusOf('notifications')).dlqDepth === 1, 'the poison message parked');
    const peek = await deadLetters('notifications', 10);
    expect(peek.response.status).toBe(200);
    expect(peek.data).toMatchObject({
      consumer: 'notifications',
      deadLetters: [{ messageId: 'poison-1', reason: 'unparseable', body: '{not json' }],
    });

    const replay = await ctx.api.client().POST('/admin/dlq/{name}/replay', consumer('notifications'));
    expect(replay.response.status).toBe(200);
    expect(replay.data).toMatchObject({ consumer: 'notifications', replayed: 1 });
    // Still poison: it is parked again, now counted as replayed once.
    await waitFor(async () => (await statusOf('notifications')).dlqDepth === 1, 'the replayed poison parked again');
    const again = (await deadLetters('notifications')).data!;
    expect(again.deadLetters[0]?.replays).toBe(1);

    // A filter that matches nothing leaves it; one naming it discards it for good. Each is recorded: who, when, what.
    const discardWhere = (query: { messageId?: string; event?: string }) =>
      ctx.api.client().POST('/admin/dlq/{name}/discard', { params: { path: { name: 'notifications' }, query } });
    const missed = await discardWhere({ messageId: 'poison-2' });
    expect(missed.data).toMatchObject({ discarded: 0, skipped: 1, messageIds: [], dlqDepth: 1 });
    const discard = await discardWhere({ messageId: 'poison-1', event: '' });
    expect(discard.response.status).toBe(400);
    const discarded = await discardWhere({ messageId: 'poison-1' });
    expect(discarded.response.status).toBe(200);
    const discardedBody = discarded.data!;
    expect(discardedBody).toMatchObject({ consumer: 'notifications', discarded: 1, skipped: 0, messageIds: ['poison-1'], dlqDepth: 0 });
    const { data: audit } = await ctx.api.client().GET('/admin/dlq/{name}/actions', { params: { path: { name: 'notifications' } } });
    expect(
      audit!.actions.map(({ action, actor, filter, status, error, messageIds, count, skipped }) => ({
        action,
        actor,
        filter,
        status,
        error,
        messageIds,
        count,
        skipped,
      })),
    ).toEqual([
      {
        action: 'discard',
        actor: { kind: 'admin', subject: 'operator', via: 'admin-token' },
        filter: { messageId: 'poison-1' },
        status: 'done',
        error: null,
        messageIds: ['poison-1'],
        count: 1,
        skipped: 0,
      },
      {
        action: 'discard',
        actor: { kind: 'admin', subject: 'operator', via: 'admin-token' },
        filter: { messageId: 'poison-2' },
        status: 'done',
        error: null,
        messageIds: [],
        count: 0,
        skipped: 1,
      },
      {
        action: 'replay',
        actor: { kind: 'admin', subject: 'operator', via: 'admin-token' },
        filter: {},
        status: 'done',
        error: null,
        messageIds: ['poison-1'],
        count: 1,
        skipped: 0,
      },
    ]);
    expect(audit!.actions[0]!.id).toBe(discardedBody.actionId);
    expect(Date.parse(audit!.actions[0]!.at)).toBeGreaterThan(Date.now() - 60_000);
    expect(Date.parse(audit!.actions[0]!.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(audit!.actions[0]!.at));
    const asCustomer = await ctx.api.client({ customer: 'cust-1' }).GET('/admin/dlq/{name}/actions', consumer('notifications'));
    expect(asCustomer.response.status).toBe(403);
  });

  it('404 for an unknown consumer, 400 for a bad limit, 401 without the token', async () => {
    const unknown = await ctx.api.client().POST('/admin/consumers/{name}/stop', consumer('nope'));
    expect(unknown.response.status).toBe(404);
    expect(unknown.error).toMatchObject({ code: 'consumer_not_found', errors: [{ path: 'name' }] });
    expect((await deadLetters('nope')).response.status).toBe(404);
    expect((await deadLetters('notifications', 0)).response.status).toBe(400);
    const anonymous = ctx.api.client('anonymous');
    expect((await anonymous.GET('/admin/consumers')).response.status).toBe(401);
    expect((await anonymous.POST('/admin/dlq/{name}/replay', consumer('notifications'))).response.status).toBe(401);
  });
});
