import type { Sql } from 'postgres';
import type { ConsumerStatus } from '../../../messaging/consumer-control';
import type { StockRow } from '../catalog';
import type { DeliveryProbe } from '../delivery-probe';
import type { SagaRecord } from '../saga-driver';
import type { WorkflowFacts } from '../workflow-facts';
import type { OrderRow, OutboxFact, RunFacts } from './types';

export interface FactSources {
  sql: Sql;
  sagas: readonly SagaRecord[];
  workflows: ReadonlyMap<string, WorkflowFacts>;
  workflowsOnTaskQueue: number;
  initialStock: readonly StockRow[];
  consumers: readonly ConsumerStatus[];
  bindings: ReadonlyMap<string, readonly string[]>;
  probe: DeliveryProbe;
}

/** Reads the run's database once, with plain statements (no transaction, see the postgres.js note in the README). */
export async function gatherFacts(sources: FactSources): Promise<RunFacts> {
  const { sql } = sources;
  // Money columns are bigint, which postgres.js reads as strings: cast to float8, exact for cents up to 2^53.
  const orders = await sql<OrderRow[]>`SELECT id, status, total_cents::float8 AS "totalCents", failure_type AS "failureType" FROM orders`;
  const keys = await sql<{ key: string; orderId: string }[]>`SELECT key, order_id AS "orderId" FROM idempotency_keys`;
  const payments = await sql<{ orderId: string; status: string; amountCents: number; refundedCents: number }[]>`
    SELECT order_id AS "orderId", status, amount_cents::float8 AS "amountCents", refunded_cents::float8 AS "refundedCents" FROM payments`;
  const shipments = await sql<{ orderId: string; status: string }[]>`SELECT order_id AS "orderId", status FROM shipments`;
  const reservations = await sql<{ orderId: string; sku: string; quantity: number; status: string }[]>`
    SELECT order_id AS "orderId", sku, quantity, status FROM reservations`;
  const stock = await sql<{ sku: string; onHand: number; reserved: number }[]>`SELECT sku, on_hand AS "onHand", reserved FROM inventory`;
  const outbox = await sql<
    { id: string; seq: string; orderId: string; name: string; published: boolean; dead: boolean; lastError: string | null }[]
  >`
    SELECT id, seq, aggregate_id AS "orderId", name, published_at IS NOT NULL AS published, dead_at IS NOT NULL AS dead, last_error AS "lastError"
    FROM outbox ORDER BY seq`;
  const inbox = await sql<{ consumer: string; messageId: string }[]>`SELECT consumer, message_id AS "messageId" FROM inbox`;
  const notifications = await sql<{ orderId: string; kind: string; messageId: string }[]>`
    SELECT order_id AS "orderId", kind, message_id AS "messageId" FROM notifications`;
  const projection = await sql<{ orderId: string; status: string; eventsApplied: number }[]>`
    SELECT order_id AS "orderId", status, events_applied AS "eventsApplied" FROM order_projection`;

  const inboxByConsumer = new Map<string, Set<string>>();
  for (const { consumer, messageId } of inbox) {
    const ids = inboxByConsumer.get(consumer) ?? new Set<string>();
    ids.add(messageId);
    inboxByConsumer.set(consumer, ids);
  }
  return {
    sagas: sources.sagas,
    workflows: sources.workflows,
    workflowsOnTaskQueue: sources.workflowsOnTaskQueue,
    orders: new Map(orders.map((row) => [row.id, { ...row, status: row.status }])),
    idempotencyKeys: new Map(keys.map((row) => [row.key, row.orderId])),
    payments: new Map(payments.map(({ orderId, ...rest }) => [orderId, rest])),
    shipments: new Map(shipments.map(({ orderId, ...rest }) => [orderId, rest])),
    reservations,
    initialStock: sources.initialStock,
    stock: new Map(stock.map(({ sku, ...rest }) => [sku, rest])),
    outbox: outbox.map((row): OutboxFact => ({ ...row, seq: Number(row.seq) })),
    inbox: inboxByConsumer,
    notifications: new Map(notifications.map(({ orderId, ...rest }) => [orderId, rest])),
    projection: new Map(projection.map(({ orderId, ...rest }) => [orderId, rest])),
    consumers: sources.consumers,
    bindings: sources.bindings,
    probe: sources.probe.byMessageId,
    probeOrder: sources.probe.firstDeliveriesByOrder,
    contractViolations: sources.probe.contractViolations,
  };
}
