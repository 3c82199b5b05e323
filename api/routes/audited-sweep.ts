import type { Logger } from '../../logging/logger';
import { DeadLetterSweepError, type DeadLetterSweep } from '../../messaging/consumer-control';
import { ApiError } from '../errors';
import type { DeadLetterAudit } from '../store/api-store';
import type { DeadLetterActionOutcome, NewDeadLetterAction } from '../store/dead-letter-actions';

/** What a replay or discard did, as far as its audit entry cares (a discard has no `expired`). */
type SweepProgress = Pick<DeadLetterSweep, 'messageIds' | 'skipped'> & { expired?: number };

const progressOf = ({
  messageIds,
  skipped,
  expired = 0,
}: SweepProgress): Pick<DeadLetterActionOutcome, 'messageIds' | 'count' | 'skipped'> => ({
  messageIds,
  count: messageIds.length,
  skipped: skipped + expired,
});

export const SWEEP_FAILED =
  'dead_letter_sweep_failed: the broker failed the sweep part way (connection lost, a message refused); `actionId` names its audit entry, which lists the dead letters already acted on; the others stay in the DLQ. ' +
  "Or auth_unavailable: the identity provider's keys are out of reach";

/**
 * Runs a replay or discard under its audit entry: written `running` when the control is about to
 * take the first dead letter (`sweep` hands that moment to it), so a sweep that fails, or whose
 * process dies, is never missing from the audit; then finished `done`, or `failed` with the error
 * and the dead letters acted on before it, answered 503 with the entry's `actionId`.
 */
export async function auditedSweep<R extends SweepProgress>(
  audit: DeadLetterAudit,
  log: Logger,
  entry: NewDeadLetterAction,
  sweep: (beforeSweep: () => Promise<void>) => Promise<R>,
): Promise<R & { actionId: number }> {
  let actionId: number | undefined;
  let result: R;
  try {
    result = await sweep(async () => {
      actionId = (await audit.startDeadLetterAction(entry)).id;
    });
  } catch (error) {
    // Refused before it started (unknown consumer, queues not declared, the audit unwritable): nothing was taken.
    if (actionId === undefined) throw error;
    const id = actionId;
    const recordFailure = (outcome: DeadLetterActionOutcome) =>
      audit.finishDeadLetterAction(id, outcome).catch((recordError: unknown) => {
        throw new AggregateError([error, recordError], `dead-letter action ${id} failed and could not be recorded so: it stays running`);
      });
    if (!(error instanceof DeadLetterSweepError)) {
      // The control reports its progress with every failure once it started; anything else is a bug.
      const message = error instanceof Error ? error.message : String(error);
      await recordFailure({
        status: 'failed',
        error: `${message} (the dead letters acted on are not known)`,
        messageIds: [],
        count: 0,
        skipped: 0,
      });
      throw error;
    }
    await recordFailure({ status: 'failed', error: error.message, ...progressOf(error.sweep) });
    // The cause, not the error: its sweep may list thousands of ids, which the audit entry keeps.
    log.error({ err: error.cause, consumer: entry.consumer, actionId: id, acted: error.sweep.messageIds.length }, error.message);
    throw new ApiError(
      503,
      'dead_letter_sweep_failed',
      `${error.message}. Action ${id} (GET /admin/dlq/${entry.consumer}/actions) lists those acted on; the others stay in the DLQ: call again once the broker is healthy`,
      [],
      {},
      { actionId: id },
    );
  }
  if (actionId === undefined)
    throw new Error(`the ${entry.action} of ${entry.consumer}'s dead letters ended without starting its audit entry`);
  const id = actionId;
  await audit.finishDeadLetterAction(id, { status: 'done', ...progressOf(result) }).catch((recordError: unknown) => {
    throw new Error(`dead-letter action ${id} did its work but could not be recorded as done: it stays running`, { cause: recordError });
  });
  return { ...result, actionId: id };
}
