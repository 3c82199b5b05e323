import { Gauge } from 'prom-client';
import { cachedReading } from './cached-reading';
import { metricsRegistry } from './metrics-registry';

/**
 * The API's shared-state gauge of dead-letter replays and discards (table dead_letter_actions),
 * read at scrape time: every API replica reports the same value (queries use `max without (instance)`).
 * `countUnfinished` answers how many are still running past DLQ_ACTION_UNFINISHED_AFTER_SECONDS.
 */
export function registerDeadLetterActionGauges(countUnfinished: () => Promise<number>): void {
  const read = cachedReading('dead_letter_actions', countUnfinished);
  new Gauge({
    name: 'dead_letter_actions_unfinished',
    help: 'Dead-letter replays and discards still running longer than DLQ_ACTION_UNFINISHED_AFTER_SECONDS after they started (the API process died during the sweep, or could not record its end): shared state, the same on every API replica',
    registers: [metricsRegistry],
    async collect() {
      const value = await read();
      // 0 is a reading too: only a failed first one leaves the gauge unset.
      if (value !== undefined) this.set(value);
    },
  });
}
