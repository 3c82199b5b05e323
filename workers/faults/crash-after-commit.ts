import { writeSync } from 'node:fs';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { Logger } from '../../logging/logger';

/** The line the chaos harness reads on the worker's stderr to tell this crash from any other exit. */
export const CRASH_AFTER_COMMIT_MARKER = 'chaos-fault crash-after-commit';

export interface CrashAfterCommitFault {
  /** Activity interceptors for Worker.create: inert until armed. */
  interceptor: ActivityInterceptorsFactory;
  /** The next activity to finish successfully kills the process. */
  arm(): void;
}

/**
 * A fault for the chaos run only (the worker installs it when CHAOS_FAULTS=1): once armed, the
 * next activity whose function returned, so whose transaction committed, kills the process with
 * SIGKILL before its result reaches Temporal. Temporal then retries a remote activity after its
 * start-to-close timeout; a local one runs again when its workflow task times out and the
 * restarted worker replays. Either way the idempotency ledger must make that harmless.
 */
export function crashAfterCommitFault(log: Logger): CrashAfterCommitFault {
  let armed = false;
  const interceptor: ActivityInterceptorsFactory = (ctx) => ({
    inbound: {
      async execute(input, next) {
        const result = await next(input);
        if (armed) {
          const { activityType, attempt, isLocal, workflowExecution } = ctx.info;
          const orderId = (input.args[0] as { orderId?: unknown } | undefined)?.orderId;
          const facts = { activityType, attempt, local: isLocal, workflowId: workflowExecution?.workflowId, orderId };
          // Synchronous: the line must be out before the process is gone.
          writeSync(2, `${CRASH_AFTER_COMMIT_MARKER} ${JSON.stringify(facts)}\n`);
          process.kill(process.pid, 'SIGKILL');
        }
        return result;
      },
    },
  });
  return {
    interceptor,
    arm() {
      armed = true;
      log.warn('chaos fault armed: the next activity to commit crashes this worker before it reports');
    },
  };
}

/** The signal the chaos harness sends, at a moment of its choosing, to arm the fault. */
export const ARM_SIGNAL = 'SIGUSR2';

/** Arms the fault on every ARM_SIGNAL. */
export function armCrashAfterCommitOnSignal(log: Logger): CrashAfterCommitFault {
  const fault = crashAfterCommitFault(log);
  process.on(ARM_SIGNAL, () => fault.arm());
  return fault;
}
