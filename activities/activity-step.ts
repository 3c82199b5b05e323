import { Context } from '@temporalio/activity';
import type { Transaction } from '../db/client';
import { runStep, type StepName, type StepOutcome } from './run-step';
import type { ActivityDeps } from './deps';

/** runStep for the activity that is running now: ids from its Temporal context, one log line per step. */
export async function activityStep<R>(
  deps: ActivityDeps,
  orderId: string,
  step: StepName,
  body: (tx: Transaction) => Promise<StepOutcome<R>>,
  options: { compensatedBy?: StepName } = {},
): Promise<R> {
  const { info, log } = Context.current();
  const fields = { orderId, correlationId: orderId, step, attempt: info.attempt };
  try {
    const result = await runStep(deps.db, { orderId, step, workflowId: info.workflowExecution?.workflowId ?? 'unknown-workflow', ...options }, body);
    log.info(`${step} done`, fields);
    return result;
  } catch (error) {
    log.warn(`${step} failed`, { ...fields, error: error instanceof Error ? error.message : String(error) });
    throw error;
  }
}

/** The attempt number of the running activity, 1-based. */
export const currentAttempt = (): number => Context.current().info.attempt;
