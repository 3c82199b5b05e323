import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { archivePublishedOutbox } from '../../db/retention';
import { workflowIdForOrder } from '../../domain/order';
import { orderSagaHandle } from '../../saga-client/order-handle';
import { appEntry, CONSUMERS } from '../../tools/environment/app-entries';
import type { components } from '../../api/client/openapi';
import { submitOrder, useApiStack, waitForOrderStatus } from '../support/api-server';
import { spawnTs, type RunningChild } from '../support/child-process';
import { waitFor } from '../support/consumer-kit';
import { orderBody } from '../support/order-body';
import { deleteShippedQueues } from '../support/shipped-queues';

const ctx = useApiStack();
let consumersProcess: RunningChild | undefined;
const prefix = () => `${ctx.stack.exchange}.`;

afterAll(async () => {
  consumersProcess?.child.kill('SIGTERM');
  await consumersProcess?.exited;
  await deleteShippedQueues(ctx.stack, prefix());
});

type Timeline = components['schemas']['OrderTimeline'];

const EVENTS = ['order.submitted', 'inventory.reserved', 'payment.charged', 'shipment.created', 'order.completed'];

describe('GET /orders/{id}/timeline, and an order past Temporal retention', () => {
  it("joins the saga's steps, each event's commit and publish, and each consumer's receipt; answers from PostgreSQL once the workflow is gone", async () => {
    consumersProcess = spawnTs(appEntry(CONSUMERS), {
      DATABASE_URL: ctx.stack.databaseUrl,
      EVENTS_EXCHANGE: ctx.stack.exchange,
      CONSUMER_QUEUE_PREFIX: prefix(),
      LOG_LEVEL: 'warn',
    });
    // Its queues bound before the order's first event, so no event goes unrouted.
    await waitFor(
      async () => {
        const { data } = await ctx.api.client().GET('/admin/consumers');
        return (data?.consumers ?? []).every((consumer) => consumer.consumers === 1);
      },
      'both consumers attached',
      30_000,
    );
    const body = orderBody();
    const owner = { customer: body.customerId };
    const stranger = { customer: 'cust-stranger' };
    const { orderId } = await submitOrder(ctx.api, body, owner);
    await waitForOrderStatus(ctx.api, orderId, 'COMPLETED');

    const byId = { params: { path: { id: orderId } } };
    const timelineOf = async (as: typeof owner | 'admin' = owner): Promise<Timeline> => {
      const { response, data } = await ctx.api.client(as).GET('/orders/{id}/timeline', byId);
      expect(response.status).toBe(200);
      return data!;
    };
    // The projection handles every event, the notifications consumer the outcome only.
    let timeline = await timelineOf();
    await waitFor(
      async () => {
        timeline = await timelineOf();
        const handled = (name: string) => timeline.events.find((event) => event.name === name)?.handledBy.length ?? 0;
        return timeline.events.length === 5 && EVENTS.slice(0, 4).every((name) => handled(name) === 1) && handled('order.completed') === 2;
      },
      'every event published and handled',
      30_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; the timeline: ${JSON.stringify(timeline)}`);
    });
    expect(timeline).toMatchObject({ orderId, status: 'COMPLETED', source: 'temporal', compensations: [], failure: null });
    expect(timeline.steps.map((step) => step.step)).toEqual([
      'recordOrder',
      'reserveInventory',
      'checkFraud',
      'chargePayment',
      'createShipment',
      'completeOrder',
    ]);
    expect(timeline.events.map((event) => event.name)).toEqual(EVENTS);
    for (const event of timeline.events) {
      expect(event).toMatchObject({ attempts: 1, deadAt: null });
      // Committed before published and before handled. Not "published before handled": publishedAt is when the relay
      // recorded the broker's confirm, and a consumer may handle the event before that.
      expect(Date.parse(event.publishedAt!)).toBeGreaterThanOrEqual(Date.parse(event.committedAt));
      for (const receipt of event.handledBy) expect(Date.parse(receipt.handledAt)).toBeGreaterThanOrEqual(Date.parse(event.committedAt));
    }
    expect(
      timeline.events
        .at(-1)!
        .handledBy.map((receipt) => receipt.consumer)
        .sort(),
    ).toEqual(['notifications', 'order-projection']);
    // The order's authorisation: another customer gets the unknown order's 404, an admin the timeline.
    const strangers = await ctx.api.client(stranger).GET('/orders/{id}/timeline', byId);
    expect(strangers.response.status).toBe(404);
    expect(strangers.error).toMatchObject({ code: 'order_not_found' });
    expect((await timelineOf('admin')).events).toHaveLength(5);
    const unknown = { params: { path: { id: '00000000-0000-4000-8000-000000000000' } } };
    expect((await ctx.api.client().GET('/orders/{id}/timeline', unknown)).response.status).toBe(404);

    const fromTemporal = (await ctx.api.client(owner).GET('/orders/{id}', byId)).data!;
    expect(fromTemporal).toMatchObject({ source: 'temporal', status: 'COMPLETED' });

    // Retention, as the namespace's would: the workflow is deleted; and the outbox's, which moves the events to the history.
    await ctx.stack.client.workflowService.deleteWorkflowExecution({
      namespace: ctx.stack.config.TEMPORAL_NAMESPACE,
      workflowExecution: { workflowId: workflowIdForOrder(orderId) },
    });
    await waitFor(
      async () =>
        orderSagaHandle(ctx.stack.client, orderId)
          .describe()
          .then(
            () => false,
            (error: unknown) => error instanceof WorkflowNotFoundError,
          ),
      'the workflow deleted',
      // Temporal deletes in the background; a loaded machine takes a while.
      120_000,
    );
    expect(await archivePublishedOutbox(ctx.stack.db.sql, 0)).toBeGreaterThanOrEqual(5);
    // What an order's history costs (docs/operations.md#data-lifecycle): a real saga's five events.
    const [size] = await ctx.stack.db.sql<{ perOrder: number }[]>`
      SELECT sum(pg_column_size(h.*))::float8 AS "perOrder" FROM order_event_history h WHERE aggregate_id = ${orderId}`;
    expect(size!.perOrder).toBeGreaterThan(0);
    console.info(`order_event_history: ${size!.perOrder.toFixed(0)} B for one completed order's 5 events (rows, without indexes)`);

    const fromDatabase = await ctx.api.client(owner).GET('/orders/{id}', byId);
    expect(fromDatabase.response.status).toBe(200);
    const archived = fromDatabase.data!;
    expect(archived).toMatchObject({ source: 'database', status: 'COMPLETED', waitingFor: null, cancellation: null, retrying: [] });
    // The same order as the saga told it, but for where it came from and the steps' times (the ledger's commits, not the workflow's clock).
    const { source: _temporal, steps: sagaSteps, ...sagaTold } = fromTemporal;
    const { source: _database, steps: ledgerSteps, ...databaseTold } = archived;
    expect(databaseTold).toEqual({ ...sagaTold, outcomeError: null });
    expect(ledgerSteps.map((step) => step.step)).toEqual(sagaSteps.map((step) => step.step));
    expect((await ctx.api.client(stranger).GET('/orders/{id}', byId)).response.status).toBe(404);
    // It ended, and says so to a cancel as well.
    const cancel = await ctx.api.client(owner).POST('/orders/{id}/cancel', { ...byId, body: {} });
    expect(cancel.response.status).toBe(409);
    expect(cancel.error).toMatchObject({ code: 'order_state_conflict' });

    const archivedTimeline = await timelineOf();
    expect(archivedTimeline).toEqual({ ...timeline, source: 'database', steps: archivedTimeline.steps });
    expect(archivedTimeline.steps.map((step) => step.step)).toEqual(timeline.steps.map((step) => step.step));
    const events = await ctx.api.client(owner).GET('/orders/{id}/events', byId);
    expect(events.response.status).toBe(200);
    expect((events.data as { events: { name: string }[] }).events.map((event) => event.name)).toEqual(EVENTS);
    const strangersEvents = await ctx.api.client(stranger).GET('/orders/{id}/events', byId);
    expect(strangersEvents.response.status).toBe(404);
  }, 240_000);
});
