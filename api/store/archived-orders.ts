import { asc, eq } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { orders, sagaSteps } from '../../drizzle/schema';
import type { CompensationRecord, CompensationStep, ForwardStep, OrderFailure, OrderSagaState, StepRecord } from '../../domain/order';

const COMPENSATIONS: readonly string[] = ['cancelShipment', 'refundPayment', 'releaseInventory'] satisfies CompensationStep[];
// Every step the ledger may hold that is a forward step (markOrderOutcome is neither).
const FORWARD: readonly string[] = [
  'recordOrder',
  'reserveInventory',
  'checkFraud',
  'chargePayment',
  'review',
  'createShipment',
  'completeOrder',
] satisfies ForwardStep[];

/**
 * The order's saga state as PostgreSQL has it, for an order whose workflow Temporal no longer
 * keeps (past the namespace's retention): the orders row its steps wrote and the step ledger
 * (saga_steps), in the saga's own shape. Null when the order never got a row (its saga never
 * ran recordOrder). What only the workflow knew (what it waited for, a pending cancel) is null.
 */
export async function readArchivedOrder(db: Database, orderId: string): Promise<OrderSagaState | null> {
  const [order] = await db.select().from(orders).where(eq(orders.id, orderId));
  if (!order) return null;
  const ledger = await db.select().from(sagaSteps).where(eq(sagaSteps.orderId, orderId)).orderBy(asc(sagaSteps.completedAt));
  const steps: StepRecord[] = ledger
    .filter((row) => FORWARD.includes(row.step) && row.outcome === 'DONE')
    .map((row) => ({ step: row.step as ForwardStep, completedAt: row.completedAt.toISOString() }));
  const compensations: CompensationRecord[] = ledger
    .filter((row) => COMPENSATIONS.includes(row.step))
    .map((row) => ({
      step: row.step as CompensationStep,
      completedAt: row.completedAt.toISOString(),
      outcome: row.outcome === 'DONE' ? 'COMPENSATED' : 'FAILED',
      ...(row.outcome === 'DONE' ? {} : { error: row.failureMessage ?? row.failureType ?? 'rejected' }),
    }));
  const failure: OrderFailure | null =
    order.failedStep !== null
      ? { step: order.failedStep as ForwardStep, type: order.failureType ?? 'unknown', reason: order.failureReason ?? '' }
      : null;
  return {
    orderId: order.id,
    customerId: order.customerId,
    status: order.status,
    totalCents: order.totalCents,
    currency: order.currency,
    lines: order.lines,
    steps,
    compensations,
    failure,
    waitingFor: null,
    cancellation: null,
    outcomeError: null,
  };
}
