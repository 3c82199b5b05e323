import { randomUUID } from 'node:crypto';
import { count, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shippedConsumers } from '../../consumers/shipped-consumers';
import { orderProjectionConsumer } from '../../consumers/order-projection/order-projection-consumer';
import { notifications, orderProjection, outbox } from '../../drizzle/schema';
import { createLogger } from '../../logging/logger';
import { createConsumerControl, type ConsumerControl } from '../../messaging/consumer-control';
import { retryPolicyFrom } from '../../messaging/consumer-settings';
import type { EventName } from '../../domain/events';
import type { Envelope, EventContent } from '../../messaging/envelope';
import { cancelUpdate } from '../../workflows/definitions';
import { appEntry, CONSUMERS } from '../../tools/environment/app-entries';
import { spawnTs } from '../support/child-process';
import { startConsumerKit, waitFor, type ConsumerKit } from '../support/consumer-kit';
import { deleteShippedQueues } from '../support/shipped-queues';
import { startTestStack, type TestStack } from '../support/test-stack';
import { waitForStatus } from '../../saga-client/wait-for-status';

let stack: TestStack;
let kit: ConsumerKit;
let control: ConsumerControl;
let prefix: string;
beforeAll(async () => {
  stack = await startTestStack();
  kit = await startConsumerKit(stack);
  prefix = `${stack.exchange}.`;
  control = createConsumerControl({
    db: stack.db.db,
    amqpUrl: stack.config.AMQP_URL,
    consumers: shippedConsumers({ CONSUMER_QUEUE_PREFIX: prefix }),
    retry: retryPolicyFrom(stack.config),
    log: createLogger('test', 'silent'),
  });
});
afterAll(async () => {
  await control?.close();
  await kit?.close();
  if (stack) await deleteShippedQueues(stack, prefix);
  await stack?.close();
});

describe('the consumers process with the shipped consumers', () => {
  it('records the outcome e-mail of each order and projects its events, then stops cleanly on SIGTERM', async () => {
    const consumers = spawnTs(appEntry(CONSUMERS), {
      DATABASE_URL: stack.databaseUrl,
      EVENTS_EXCHANGE: stack.exchange,
      CONSUMER_QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'warn',
    });
    try {
      await waitFor(async () => (await control.listConsumers()).every((c) => c.consumers === 1), 'both consumers attached', 20_000);

      const completed = stack.orderInput({ items: [{ sku: 'SKU-RED-MUG', quantity: 2 }] });
      const declined = stack.orderInput({ payment: { token: 'tok_chargeDeclined' } });
      const cancelled = stack.orderInput({ reviewThresholdCents: 0 });
      const handles = await Promise.all([completed, declined, cancelled].map((input) => stack.startOrder(input)));
      await waitForStatus(stack.sagas, cancelled.orderId, 'AWAITING_REVIEW');
      await handles[2]!.executeUpdate(cancelUpdate, { args: [{ reason: 'changed my mind' }] });
      expect(await Promise.all(handles.map(async (h) => (await h.result()).status))).toEqual(['COMPLETED', 'FAILED', 'CANCELLED']);

      const orderIds = [completed.orderId, declined.orderId, cancelled.orderId];
      const projected = async () => stack.db.db.select().from(orderProjection).where(inArray(orderProjection.orderId, orderIds));
      // Every event the saga committed for these orders has been folded into the read model.
      const committed = await stack.db.db
        .select({ orderId: outbox.aggregateId, events: count() })
        .from(outbox)
        .where(inArray(outbox.aggregateId, orderIds))
        .groupBy(outbox.aggregateId);
      expect(committed).toHaveLength(3);
      await waitFor(
        async () => {
          const rows = await projected();
          return rows.length === 3 && rows.every((row) => row.eventsApplied === committed.find((c) => c.orderId === row.orderId)!.events);
        },
        'the projection to catch up with every event',
        20_000,
      );
      await waitFor(
        async () => (await stack.db.db.select().from(notifications).where(inArray(notifications.orderId, orderIds))).length === 3,
        'three e-mails',
      );

      const emails = await stack.db.db.select().from(notifications).where(inArray(notifications.orderId, orderIds));
      const emailOf = (orderId: string) => emails.find((e) => e.orderId === orderId);
      expect(emailOf(completed.orderId)).toMatchObject({ kind: 'ORDER_CONFIRMED', customerId: completed.customerId, reason: null });
      expect(emailOf(completed.orderId)!.body).toContain('25.00 EUR');
      expect(emailOf(declined.orderId)).toMatchObject({
        kind: 'ORDER_FAILED',
        customerId: declined.customerId,
        reason: 'card declined by issuer',
      });
      expect(emailOf(declined.orderId)!.body).toContain('card declined by issuer');
      expect(emailOf(cancelled.orderId)).toMatchObject({
        kind: 'ORDER_CANCELLED',
        customerId: cancelled.customerId,
        reason: 'changed my mind',
      });

      const rows = await projected();
      const rowOf = (orderId: string) => rows.find((r) => r.orderId === orderId)!;
      expect(rowOf(completed.orderId)).toMatchObject({
        status: 'COMPLETED',
        customerId: completed.customerId,
        totalCents: 2500,
        currency: 'EUR',
        chargedCents: 2500,
        refundedCents: null,
        trackingNumber: expect.stringMatching(/^TRK-/),
        lastEvent: 'order.completed',
        lines: [{ sku: 'SKU-RED-MUG', quantity: 2, unitPriceCents: 1250 }],
      });
      for (const column of ['submittedAt', 'reservedAt', 'chargedAt', 'shippedAt', 'endedAt'] as const)
        expect(rowOf(completed.orderId)[column]).toBeInstanceOf(Date);
      expect(rowOf(declined.orderId)).toMatchObject({
        status: 'FAILED',
        failedStep: 'chargePayment',
        failureType: 'PaymentDeclined',
        chargedAt: null,
        lastEvent: 'order.failed',
      });
      expect(rowOf(cancelled.orderId)).toMatchObject({
        status: 'CANCELLED',
        failureType: 'Cancelled',
        chargedCents: 1250,
        refundedCents: 1250,
        lastEvent: 'order.cancelled',
      });

      consumers.child.kill('SIGTERM');
      expect((await consumers.exited)[0]).toBe(0);
      expect((await control.listConsumers()).map((c) => [c.name, c.consumers, c.dlqDepth])).toEqual([
        ['notifications', 0, 0],
        ['order-projection', 0, 0],
      ]);
    } finally {
      if (consumers.child.exitCode === null) consumers.child.kill('SIGKILL');
    }
  });
});

describe('the order projection', () => {
  /** One order's events as the saga would emit them, a second apart. */
  function orderEvents(orderId: string, names: readonly EventName[], content: Partial<Record<EventName, EventContent>>): Envelope[] {
    const start = Date.parse('2026-01-01T10:00:00Z');
    return names.map((name, i) => ({
      messageId: randomUUID(),
      name,
      content: { orderId, ...content[name] },
      metadata: { correlationId: orderId, causationId: `test/${name}`, createdUtc: new Date(start + i * 1000).toISOString() },
    }));
  }

  const contents: Partial<Record<EventName, EventContent>> = {
    'order.submitted': { customerId: 'c-1', totalCents: 900, currency: 'EUR', lines: [{ sku: 'S', quantity: 1, unitPriceCents: 900 }] },
    'inventory.reserved': { lines: [{ sku: 'S', quantity: 1 }] },
    'inventory.released': { lines: [{ sku: 'S', quantity: 1 }] },
    'payment.charged': { amountCents: 900, currency: 'EUR', chargeId: 'ch_1' },
    'payment.refunded': { amountCents: 900, currency: 'EUR', refundId: 're_1' },
    'shipment.created': { trackingNumber: 'TRK-1', country: 'GB' },
    'order.completed': { customerId: 'c-1', totalCents: 900, currency: 'EUR' },
    'order.failed': {
      customerId: 'c-1',
      status: 'FAILED',
      failedStep: 'createShipment',
      failureType: 'ShippingRefused',
      reason: 'no',
      unresolved: [],
    },
  };
  const happy: EventName[] = ['order.submitted', 'inventory.reserved', 'payment.charged', 'shipment.created', 'order.completed'];
  const unhappy: EventName[] = [
    'order.submitted',
    'inventory.reserved',
    'payment.charged',
    'payment.refunded',
    'inventory.released',
    'order.failed',
  ];

  it('comes out the same whatever order the events arrive in', async () => {
    // prefetch 1: handled strictly in the order published.
    const projection = kit.define(orderProjectionConsumer.name, orderProjectionConsumer.handlers, {
      bindings: orderProjectionConsumer.bindings,
      prefetch: 1,
    });
    const runner = await kit.start(projection);
    const cases = [happy, unhappy].flatMap((names) => {
      const inOrder = randomUUID();
      const reversed = randomUUID();
      return [
        { orderId: inOrder, events: orderEvents(inOrder, names, contents) },
        { orderId: reversed, events: orderEvents(reversed, names, contents).reverse() },
      ];
    });
    for (const { events } of cases) await kit.publish(events);
    const total = cases.reduce((sum, c) => sum + c.events.length, 0);
    await waitFor(() => runner.stats.handled === total, `${total} events projected`);

    const rowOf = async (orderId: string) => {
      const [row] = await stack.db.db.select().from(orderProjection).where(eq(orderProjection.orderId, orderId));
      const { orderId: _id, lastMessageId: _m, updatedAt: _u, ...rest } = row!;
      return rest;
    };
    const [happyInOrder, happyReversed, unhappyInOrder, unhappyReversed] = await Promise.all(cases.map((c) => rowOf(c.orderId)));
    expect(happyReversed).toEqual(happyInOrder);
    expect(unhappyReversed).toEqual(unhappyInOrder);
    expect(happyInOrder).toMatchObject({
      status: 'COMPLETED',
      customerId: 'c-1',
      totalCents: 900,
      trackingNumber: 'TRK-1',
      lastEvent: 'order.completed',
      lastEventAt: new Date('2026-01-01T10:00:04Z'),
      submittedAt: new Date('2026-01-01T10:00:00Z'),
      endedAt: new Date('2026-01-01T10:00:04Z'),
      eventsApplied: 5,
    });
    // The failure arrived first in the reversed case; later compensation events did not pull it back.
    expect(unhappyReversed).toMatchObject({
      status: 'FAILED',
      failureType: 'ShippingRefused',
      refundedCents: 900,
      lastEvent: 'order.failed',
      eventsApplied: 6,
    });
  });
});
