import { ApplicationFailure } from '@temporalio/common';
import { and, eq, sql } from 'drizzle-orm';
import type { BusinessFailureType, SagaStep } from '../domain/order';
import type { Database, Transaction } from '../db/client';
import { sagaSteps } from '../drizzle/schema';
import { appendToOutbox } from '../outbox/append';
import type { BuiltEvent } from './build-event';
import { clearStepRetry } from './step-retries';

export type StepOutcome<R> =
  { kind: 'done'; result: R; events: BuiltEvent[] } | { kind: 'rejected'; type: RejectionType; message: string; events: BuiltEvent[] };

/** Business failures, plus a forward step that arrives after its compensation already ran. */
export type RejectionType = BusinessFailureType | 'AlreadyCompensated';

export interface StepContext {
  orderId: string;
  step: SagaStep;
  workflowId: string;
  /**
   * The compensation that undoes this step. Once it has run, this step must not happen any more:
   * a late attempt (one that timed out but was still running) is refused instead of committing
   * a change nobody will undo.
   */
  compensatedBy?: SagaStep;
  /** An earlier attempt failed, so step_retries may hold a row for the step: cleared on success. */
  retried?: boolean;
  /**
   * Called once the step's ledger row has committed for the first time (not when a retry finds
   * it): how a saga's outcome is counted once even when its last activity runs again.
   */
  onFirstCommit?: () => void;
}

/**
 * Runs one saga step exactly once per (order, step): the state change, its outbox events and the
 * step's ledger row commit in one transaction. A retry after a crash finds the ledger row and
 * answers what the first run answered, rejections included, without touching state again.
 */
export async function runStep<R>(db: Database, ctx: StepContext, body: (tx: Transaction) => Promise<StepOutcome<R>>): Promise<R> {
  let firstCommit = false;
  const recorded = await db.transaction(async (tx) => {
    // One order's steps never interleave, even when a timed-out attempt is still running
    // beside its retry; this also makes outbox insertion order the order's commit order.
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${ctx.orderId}, 0))`);
    if (ctx.retried) await clearStepRetry(tx, ctx);
    const [previous] = await tx
      .select()
      .from(sagaSteps)
      .where(and(eq(sagaSteps.orderId, ctx.orderId), eq(sagaSteps.step, ctx.step)));
    if (previous) {
      return previous.outcome === 'DONE'
        ? ({ kind: 'done', result: previous.result as R } as const)
        : ({ kind: 'rejected', type: previous.failureType as RejectionType, message: previous.failureMessage ?? '' } as const);
    }
    const outcome = (await compensationAlreadyRan(tx, ctx)) ?? (await body(tx));
    await appendToOutbox(tx, { orderId: ctx.orderId, step: ctx.step, causationId: `${ctx.workflowId}/${ctx.step}` }, outcome.events);
    await tx
      .insert(sagaSteps)
      .values(
        outcome.kind === 'done'
          ? { orderId: ctx.orderId, step: ctx.step, outcome: 'DONE', result: outcome.result }
          : { orderId: ctx.orderId, step: ctx.step, outcome: 'REJECTED', failureType: outcome.type, failureMessage: outcome.message },
      );
    firstCommit = true;
    return outcome;
  });
  if (firstCommit) ctx.onFirstCommit?.();
  if (recorded.kind === 'rejected') {
    throw ApplicationFailure.create({
      type: recorded.type,
      message: recorded.message,
      nonRetryable: true,
      details: [{ orderId: ctx.orderId, step: ctx.step }],
    });
  }
  return recorded.result;
}

async function compensationAlreadyRan(tx: Transaction, ctx: StepContext): Promise<StepOutcome<never> | undefined> {
  if (!ctx.compensatedBy) return undefined;
  const [compensation] = await tx
    .select({ step: sagaSteps.step })
    .from(sagaSteps)
    .where(and(eq(sagaSteps.orderId, ctx.orderId), eq(sagaSteps.step, ctx.compensatedBy)));
  return compensation
    ? {
        kind: 'rejected',
        type: 'AlreadyCompensated',
        message: `${ctx.step} for order ${ctx.orderId} arrived after ${ctx.compensatedBy} ran`,
        events: [],
      }
    : undefined;
}

export const done = <R>(result: R, events: BuiltEvent[] = []): StepOutcome<R> => ({ kind: 'done', result, events });
export const rejected = <R>(type: RejectionType, message: string, events: BuiltEvent[] = []): StepOutcome<R> => ({
  kind: 'rejected',
  type,
  message,
  events,
});
