import { and, eq, sql } from 'drizzle-orm';
import type { Database, Transaction } from '../db/client';
import { stepRetries } from '../drizzle/schema';
import type { SagaStep } from '../domain/order';

export interface StepAttempt {
  orderId: string;
  step: SagaStep;
  workflowId: string;
  /** Temporal's attempt number, 1-based. */
  attempt: number;
}

const MAX_ERROR_LENGTH = 2000;

/**
 * Records a failed attempt of a step, in its own statement (the step's transaction has rolled
 * back). With no error, records that the attempts before this one failed without saying why
 * (timed out, or their worker died), unless they already did.
 */
export async function recordStepRetry(db: Database, attempt: StepAttempt, error: string | null): Promise<void> {
  const failed = error === null ? attempt.attempt - 1 : attempt.attempt;
  const row = {
    orderId: attempt.orderId,
    step: attempt.step,
    workflowId: attempt.workflowId,
    attempts: failed,
    lastError: (error ?? `attempt ${failed} did not finish: it timed out, or its worker stopped`).slice(0, MAX_ERROR_LENGTH),
  };
  const insert = db.insert(stepRetries).values(row);
  if (error === null) {
    await insert.onConflictDoNothing({ target: [stepRetries.orderId, stepRetries.step] });
    return;
  }
  await insert.onConflictDoUpdate({
    target: [stepRetries.orderId, stepRetries.step],
    // An attempt that timed out may fail after a later one: keep the highest count.
    set: {
      attempts: sql`greatest(${stepRetries.attempts}, excluded.attempts)`,
      lastError: sql`excluded.last_error`,
      lastFailedAt: sql`now()`,
    },
  });
}

/** The step stopped retrying: it succeeded (inside its transaction) or failed for good. */
export async function clearStepRetry(db: Database | Transaction, attempt: Pick<StepAttempt, 'orderId' | 'step'>): Promise<void> {
  await db.delete(stepRetries).where(and(eq(stepRetries.orderId, attempt.orderId), eq(stepRetries.step, attempt.step)));
}
