import { collectDefaultMetrics, Counter, Registry } from 'prom-client';

/**
 * The process's one metrics registry: every metric of this process is registered here, and its
 * metrics endpoint (telemetry/metrics-server.ts, or the API's GET /metrics) serves it.
 */
export const metricsRegistry = new Registry();

let defaultsCollected = false;

/** prom-client's process_* and nodejs_* metrics, once per process: called by whatever serves the registry. */
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

/** A shared-state gauge whose reading failed at scrape time: counted here and left at its last value, never thrown. */
export const metricReadFailures = new Counter({
  name: 'metrics_read_failures_total',
  help: 'Shared-state gauge readings (Postgres, RabbitMQ) that failed at scrape time; the gauge kept its last value',
  labelNames: ['reading'] as const,
  registers: [metricsRegistry],
});
