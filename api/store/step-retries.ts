import { and, asc, eq, inArray, notExists, or, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import type { StepRetry } from '../../domain/order';
import { sagaSteps, stepRetries } from '../../drizzle/schema';

export interface OrderStepRetry extends StepRetry {
  orderId: string;
  workflowId: string;
}

export interface StepRetryQuery {
  stuckAfterMs: number;
  /** Only this order's steps. */
  orderId?: string;
  /** Only steps retrying for longer than stuckAfterMs. */
  onlyStuck?: boolean;
  /** At most this many rows; 100 if unset. */
  limit?: number;
}

/** Steps after which nothing of the saga runs any more. */
const LAST_STEPS = ['completeOrder', 'markOrderOutcome'] as const;

/**
 * Failed steps that are still being retried (activities/step-retries.ts writes them), oldest
 * first. A row is left out once its step, or the saga's last step, is in the ledger: an attempt
 * that timed out may report its failure after a retry succeeded.
 */
export async function readStepRetries(db: Database, options: StepRetryQuery): Promise<OrderStepRetry[]> {
  const stuck = sql<boolean>`${stepRetries.firstFailedAt} <= now() - ${options.stuckAfterMs} * interval '1 millisecond'`;
  const settled = db
    .select({ one: sql`1` })
    .from(sagaSteps)
    .where(
      and(eq(sagaSteps.orderId, stepRetries.orderId), or(eq(sagaSteps.step, stepRetries.step), inArray(sagaSteps.step, [...LAST_STEPS]))),
    );
  const rows = await db
    .select({
      orderId: stepRetries.orderId,
      workflowId: stepRetries.workflowId,
      step: stepRetries.step,
      firstFailedAt: stepRetries.firstFailedAt,
      attempts: stepRetries.attempts,
      lastError: stepRetries.lastError,
      stuck,
    })
    .from(stepRetries)
    .where(
      and(
        options.orderId ? eq(stepRetries.orderId, options.orderId) : undefined,
        options.onlyStuck ? stuck : undefined,
        notExists(settled),
      ),
    )
    .orderBy(asc(stepRetries.firstFailedAt))
    .limit(options.limit ?? 100);
  return rows.map(({ firstFailedAt, ...row }) => ({ ...row, retryingSince: firstFailedAt.toISOString() }));
}
