import type { Logger } from '../logging/logger';

/** One thing a process closes when it stops, named for the log. */
export interface StopStep {
  name: string;
  close: () => Promise<unknown>;
}

export interface StopOptions {
  /** The process's logger: its lines name the process. */
  log: Logger;
  /** Closed one after another, in this order; one that fails is logged and the next still runs. */
  steps: readonly StopStep[];
  /** Past it the process exits with code 1, whatever is still closing. */
  deadlineMs?: number;
}

/** What a stop needs of `process`; tests hand in their own. */
export interface ProcessHooks {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  exit(code: number): void;
}

/** Stops the process: for a signal, or for a reason of its own (a failed start) with that exit code. */
export type StopProcess = (reason: string, exitCode?: number) => Promise<void>;

export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * Shorter than the time any environment gives a process before SIGKILL (docker compose's
 * stop_grace_period, `npm start`'s 20 s, the chaos run's 15 s), so a process that cannot stop says why.
 */
export const DEFAULT_STOP_DEADLINE_MS = 15_000;

/** What closing connections and pools may take once the work in hand is done: for deadlines past that work. */
export const CLOSE_MS = 5000;

/**
 * The one way every process stops. On SIGINT or SIGTERM (or a call) it logs why, closes the steps
 * in order and exits: with 0 (or the code asked for), with 1 when a step failed or the deadline
 * passed first. It runs once: under `npm start` both the terminal's SIGINT and the supervisor's
 * SIGTERM arrive.
 */
export function stopOnSignals(options: StopOptions, hooks: ProcessHooks = process): StopProcess {
  const { log, steps, deadlineMs = DEFAULT_STOP_DEADLINE_MS } = options;
  let stopping: Promise<void> | undefined;
  let exited = false;
  const exit = (code: number) => {
    if (exited) return;
    exited = true;
    hooks.exit(code);
  };

  const stop: StopProcess = (reason, exitCode = 0) => {
    stopping ??= (async () => {
      log.info({ reason }, 'stopping the process');
      let closing = '';
      const deadline = setTimeout(() => {
        log.error({ reason, deadlineMs, closing }, `the process did not stop within ${deadlineMs} ms; exiting anyway`);
        exit(1);
      }, deadlineMs);
      let failed = false;
      for (const step of steps) {
        closing = step.name;
        try {
          await step.close();
        } catch (error) {
          failed = true;
          log.error({ err: error, step: step.name }, `${step.name} did not close cleanly`);
        }
      }
      clearTimeout(deadline);
      if (exited) return;
      const code = failed ? 1 : exitCode;
      log.info({ reason, exitCode: code }, 'the process stopped');
      exit(code);
    })();
    return stopping;
  };

  for (const signal of STOP_SIGNALS) hooks.on(signal, () => void stop(signal));
  return stop;
}
