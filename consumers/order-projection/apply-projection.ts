import { sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Transaction } from '../../db/client';
import { orderProjection, type ProjectedOrderStatus } from '../../drizzle/schema';
import type { EventName } from '../../domain/events';

/** Columns an event fills in. Each is written once: the first event that knows it wins. */
export type ProjectionFields = Partial<
  Pick<
    typeof orderProjection.$inferInsert,
    | 'customerId'
    | 'totalCents'
    | 'currency'
    | 'lines'
    | 'chargedCents'
    | 'refundedCents'
    | 'trackingNumber'
    | 'failedStep'
    | 'failureType'
    | 'failureReason'
    | 'submittedAt'
    | 'reservedAt'
    | 'chargedAt'
    | 'shippedAt'
    | 'endedAt'
  >
>;

export interface ProjectionChange {
  orderId: string;
  status: ProjectedOrderStatus;
  fields: ProjectionFields;
  event: EventName;
  messageId: string;
  /** The event's own time (its createdUtc). */
  at: Date;
}

const existing = (column: PgColumn): SQL => sql`${sql.identifier('order_projection')}.${sql.identifier(column.name)}`;
const incoming = (column: PgColumn): SQL => sql`excluded.${sql.identifier(column.name)}`;

/** In progress < compensating < ended: the status never moves back, whatever order events arrive in. */
const rank = (status: SQL): SQL => sql`CASE ${status} WHEN 'PENDING' THEN 0 WHEN 'COMPENSATING' THEN 1 ELSE 2 END`;

/**
 * Folds one event into its order's row, whatever order events arrive in: identity and
 * milestone columns fill once, the status only moves forward, and the last event is the newest
 * by event time. The inbox guarantees each event is folded in once.
 */
export async function applyToProjection(tx: Transaction, change: ProjectionChange): Promise<void> {
  const { orderId, status, fields, event, messageId, at } = change;
  const fillOnce = Object.fromEntries(
    Object.keys(fields).map((key) => {
      const column = orderProjection[key as keyof ProjectionFields];
      return [key, sql`coalesce(${existing(column)}, ${incoming(column)})`];
    }),
  );
  const newer = sql`${incoming(orderProjection.lastEventAt)} >= ${existing(orderProjection.lastEventAt)}`;
  const newest = (column: PgColumn) => sql`CASE WHEN ${newer} THEN ${incoming(column)} ELSE ${existing(column)} END`;
  await tx
    .insert(orderProjection)
    .values({ orderId, status, lastEvent: event, lastEventAt: at, lastMessageId: messageId, ...fields })
    .onConflictDoUpdate({
      target: orderProjection.orderId,
      set: {
        ...fillOnce,
        status: sql`CASE WHEN ${rank(incoming(orderProjection.status))} > ${rank(existing(orderProjection.status))}
                    THEN ${incoming(orderProjection.status)} ELSE ${existing(orderProjection.status)} END`,
        lastEvent: newest(orderProjection.lastEvent),
        lastMessageId: newest(orderProjection.lastMessageId),
        lastEventAt: sql`greatest(${existing(orderProjection.lastEventAt)}, ${incoming(orderProjection.lastEventAt)})`,
        eventsApplied: sql`${existing(orderProjection.eventsApplied)} + 1`,
        updatedAt: sql`now()`,
      },
    });
}
