import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Transaction } from '../db/client';
import type { SagaStep } from '../domain/order';
import { sagaStepDuration, sagaStepRetries, stepKind } from '../telemetry/metrics-saga';
import { classifyStepError, describeStepError } from './classify-error';
import type { ActivityDeps } from './deps';
import { runStep, type StepOutcome } from './run-step';
import { clearStepRetry, recordStepRetry, type StepAttempt } from './step-retries';

const HEARTBEAT_INTERVAL_MS = 1000;

/**
 * runStep for the activity that is running now: ids from its Temporal context, one log line per
 * step. A failure that retrying cannot fix (classify-error.ts) becomes a non-retryable
 * ApplicationFailure naming it, so the saga compensates instead of retrying forever; any other
 * failure is recorded in step_retries, where GET /orders/:id and the admin API show it.
 */
export async function activityStep<R>(
  deps: ActivityDeps,
  orderId: string,
  step: SagaStep,
  body: (tx: Transaction) => Promise<StepOutcome<R>>,
  options: { compensatedBy?: SagaStep; onFirstCommit?: () => void } = {},
): Promise<R> {
  const context = Context.current();
  const { info, log } = context;
  // Each second while it runs: a remote step on a worker that died is retried after its 4 s
  // heartbeatTimeout (workflows/activity-options.ts). Local steps have no heartbeat.
  const heartbeat = info.isLocal ? undefined : setInterval(() => context.heartbeat(), HEARTBEAT_INTERVAL_MS);
  const started = performance.now();
  const observe = (result: 'ok' | 'error') =>
    sagaStepDuration.observe({ step, kind: stepKind(step), result }, (performance.now() - started) / 1000);
  const fields = { orderId, correlationId: orderId, step, attempt: info.attempt };
  const attempt: StepAttempt = {
    orderId,
    step,
    workflowId: info.workflowExecution?.workflowId ?? 'unknown-workflow',
    attempt: info.attempt,
  };
  const bookkeeping = (what: string) => (error: unknown) =>
    log.error(`${step}: could not ${what}`, { ...fields, error: describeStepError(error) });
  try {
    // An attempt that timed out, or whose worker died, wrote nothing: the next one says so.
    if (attempt.attempt > 1) await recordStepRetry(deps.db, attempt, null).catch(bookkeeping('record the retry'));
    const result = await runStep(
      deps.db,
      { orderId, step, workflowId: attempt.workflowId, retried: attempt.attempt > 1, ...options },
      body,
    );
    observe('ok');
    log.info(`${step} done`, fields);
    return result;
  } catch (error) {
    observe('error');
    // Business rejections are already non-retryable ApplicationFailures, recorded in the ledger.
    if (error instanceof ApplicationFailure) {
      log.warn(`${step} rejected`, { ...fields, type: error.type, error: error.message });
      throw error;
    }
    const verdict = classifyStepError(error);
    if (!verdict.retryable) {
      log.warn(`${step} failed for good`, { ...fields, type: verdict.type, error: verdict.message });
      await clearStepRetry(deps.db, attempt).catch(bookkeeping('clear its retry record'));
      throw ApplicationFailure.create({
        type: verdict.type,
        message: `${step} for order ${orderId}: ${verdict.message}`,
        nonRetryable: true,
        details: [{ orderId, step, sqlState: verdict.sqlState }],
      });
    }
    const description = describeStepError(error);
    sagaStepRetries.inc({ step });
    log.warn(`${step} failed, will retry`, { ...fields, error: description });
    await recordStepRetry(deps.db, attempt, description).catch(bookkeeping('record the failed attempt'));
    throw error;
  } finally {
    clearInterval(heartbeat);
  }
}

/** The attempt number of the running activity, 1-based. */
export const currentAttempt = (): number => Context.current().info.attempt;
