import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logging/logger';
import { backoffMs } from '../outbox/backoff';
import type { BrokerSession } from './broker-session';

/** After a failure the next session opens 250 ms later, doubling with each failure in a row, at most 10 s. */
export const RECONNECT_BASE_MS = 250;
export const RECONNECT_MAX_MS = 10_000;

export interface BrokerSessionSupervision {
  /** Opens a session: connects, opens the channel, declares the topology. */
  open: () => Promise<BrokerSession>;
  /** A session the caller already opened (to fail its start if that fails): worked on first. */
  first?: BrokerSession;
  /**
   * Works on one session. Returning ends the session (it broke, or `stopped` aborted) and a fresh
   * one opens at once; throwing is a failure, and the next session opens after the back-off.
   * `recovered()` says the work goes well again: the back-off starts over.
   */
  work: (session: BrokerSession, recovered: () => void) => Promise<void>;
  /** Aborting ends the loop once `work` returns; it cuts a back-off short. */
  stopped: AbortSignal;
  log: Logger;
}

/**
 * The reconnect loop of every client of the broker (the outbox relay, each consumer instance):
 * keeps one session at a time open for `work`, closes it when the work is done with it, and
 * opens another, backing off while opening or working keeps failing. Resolves once stopped,
 * with the last session closed.
 */
export async function superviseBrokerSession(options: BrokerSessionSupervision): Promise<void> {
  const { open, work, stopped, log } = options;
  let next = options.first;
  let failures = 0;
  const backOff = async (error: unknown, what: string) => {
    failures += 1;
    const delay = backoffMs(failures, RECONNECT_BASE_MS, RECONNECT_MAX_MS);
    log.error({ err: error, retryInMs: delay }, what);
    // Only `stopped` cuts it short, so a failure that comes back at once cannot become a busy loop.
    await sleep(delay, undefined, { signal: stopped }).catch(() => {});
  };
  while (!stopped.aborted) {
    let session = next;
    next = undefined;
    if (!session) {
      try {
        session = await open();
      } catch (error) {
        await backOff(error, 'could not open a broker session; trying again after a back-off');
        continue;
      }
    }
    try {
      await work(session, () => (failures = 0));
    } catch (error) {
      await session.close();
      await backOff(error, 'work on the broker session failed; opening another after a back-off');
      continue;
    }
    await session.close();
  }
  await next?.close();
}
