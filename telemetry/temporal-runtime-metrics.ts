import type { MetricsExporterConfig } from '@temporalio/worker';
import { metricReadFailures } from './metrics-registry';

/**
 * The Temporal SDK's own runtime metrics (Core: temporal_* names, with `_total` on counters and
 * durations in seconds, per Prometheus conventions), served by Core on a loopback port that
 * only the worker's metrics endpoint reads: `temporalMetricsAppendix` merges them into it.
 */
export function temporalPrometheusExporter(bindAddress: string): MetricsExporterConfig {
  return { prometheus: { bindAddress, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true } };
}

/** How long a scrape waits for Core's endpoint before it answers without Temporal's metrics. */
const CORE_SCRAPE_TIMEOUT_MS = 2000;

/** Reads Core's Prometheus endpoint at scrape time; a failure is counted (reading="temporal_core") and answers ''. */
export function temporalMetricsAppendix(bindAddress: string): () => Promise<string> {
  return async () => {
    try {
      const response = await fetch(`http://${bindAddress}/metrics`, { signal: AbortSignal.timeout(CORE_SCRAPE_TIMEOUT_MS) });
      if (!response.ok) throw new Error(`Core's metrics endpoint answered ${response.status}`);
      return await response.text();
    } catch {
      metricReadFailures.inc({ reading: 'temporal_core' });
      return '';
    }
  };
}
