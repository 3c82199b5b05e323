import { randomUUID } from 'node:crypto';
import type { Sql } from 'postgres';
import type { EventName } from '../../../domain/events';
import type { EnvelopeMetadata, EventContent } from '../../../messaging/envelope';

export interface SampleEvent {
  id: string;
  aggregateId: string;
  name: EventName;
  payload: EventContent;
  metadata: EnvelopeMetadata;
}

const STEPS: { name: EventName; step: string; content: (orderId: string, i: number) => EventContent }[] = [
  {
    name: 'inventory.reserved',
    step: 'reserveInventory',
    content: (orderId, i) => ({
      orderId,
      lines: [
        { sku: 'SKU-BLUE-TEE', quantity: 1 + (i % 3), priceCents: 2400 },
        { sku: 'SKU-RED-MUG', quantity: 2, priceCents: 1250 },
      ],
    }),
  },
  {
    name: 'payment.charged',
    step: 'chargePayment',
    content: (orderId, i) => ({ orderId, paymentId: `pay_${randomUUID()}`, amountCents: 4900 + i, currency: 'EUR' }),
  },
  {
    name: 'shipment.created',
    step: 'createShipment',
    content: (orderId, i) => ({
      orderId,
      shipmentId: `shp_${randomUUID()}`,
      carrier: 'DHL',
      address: { city: 'London', country: 'GB', postalCode: `SW1Y ${i % 10}JH` },
    }),
  },
  {
    name: 'order.completed',
    step: 'completeOrder',
    content: (orderId, i) => ({ orderId, customerId: `cust-${i % 997}`, totalCents: 4900 + i }),
  },
];

/**
 * Events shaped like the saga's (an order's reservation, charge, shipment and completion), whose
 * envelopes come to 300-500 bytes: the sizes the relay really moves.
 */
export function sampleEvents(count: number): SampleEvent[] {
  const events: SampleEvent[] = [];
  let orderId = randomUUID();
  for (let i = 0; i < count; i++) {
    const step = STEPS[i % STEPS.length]!;
    if (i % STEPS.length === 0) orderId = randomUUID();
    events.push({
      id: randomUUID(),
      aggregateId: orderId,
      name: step.name,
      payload: step.content(orderId, i),
      metadata: { correlationId: orderId, causationId: `order-${orderId}/${step.step}`, createdUtc: new Date().toISOString() },
    });
  }
  return events;
}

/** Inserts events as pending outbox rows, in order, 1,000 per statement. */
export async function insertOutboxRows(sql: Sql, events: readonly SampleEvent[]): Promise<void> {
  for (let start = 0; start < events.length; start += 1000) {
    const chunk = events.slice(start, start + 1000);
    await sql`
      INSERT INTO outbox (id, aggregate_id, name, payload, metadata)
      SELECT id, aggregate_id, name, payload::jsonb, metadata::jsonb FROM unnest(
        ${chunk.map((e) => e.id)}::uuid[], ${chunk.map((e) => e.aggregateId)}::text[], ${chunk.map((e) => e.name)}::text[],
        ${chunk.map((e) => JSON.stringify(e.payload))}::text[], ${chunk.map((e) => JSON.stringify(e.metadata))}::text[]
      ) AS t(id, aggregate_id, name, payload, metadata)`;
  }
}
