import { metricReadFailures } from './metrics-registry';

/** How long a shared-state reading is reused: scrapes from several Prometheus servers cost one query. */
export const SHARED_READING_TTL_MS = 5000;

/**
 * Reads shared state (a query, a queue inspection) for gauges at scrape time, at most once per
 * `ttlMs` and one at a time. A failed reading is counted in metrics_read_failures_total{reading}
 * and answers the last good value (undefined before the first), so a scrape never fails on it.
 */
export function cachedReading<T>(name: string, read: () => Promise<T>, ttlMs = SHARED_READING_TTL_MS): () => Promise<T | undefined> {
  let last: T | undefined;
  let readAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<T | undefined> | undefined;
  return () => {
    if (Date.now() - readAt < ttlMs) return Promise.resolve(last);
    inFlight ??= read()
      .then(
        (value) => {
          last = value;
          return value;
        },
        () => {
          metricReadFailures.inc({ reading: name });
          return last;
        },
      )
      .finally(() => {
        readAt = Date.now();
        inFlight = undefined;
      });
    return inFlight;
  };
}
