import { setTimeout as sleep } from 'node:timers/promises';
import type { AppConfig } from '../config/env';
import type { Logger } from '../logging/logger';
import type { StopStep } from '../workers/stop-on-signals';
import type { TracingSdk } from './tracing-sdk';
import { markTracingOn } from './tracing-state';
// Registers the tracing pipeline's metrics in every process, traced or not (same names everywhere).
import './span-pipeline-metrics';

export type TracingConfig = Pick<AppConfig, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'>;

export interface Tracing {
  /** The installed SDK (the saga worker hands its processor to the workflow spans' sink); undefined when off. */
  readonly sdk: TracingSdk | undefined;
  /**
   * The process's last stop step: exports the spans still buffered. A collector that cannot take
   * them costs those spans, logged, not a failed stop.
   */
  stopStep(log: Logger): StopStep;
}

/**
 * What the last export may take at a stop: well inside CLOSE_MS, which every process's stop
 * deadline leaves for closing, so a collector that hangs cannot make a stop fail.
 */
const FLUSH_AT_STOP_MS = 2000;

const OFF: Tracing = { sdk: undefined, stopStep: () => ({ name: 'tracing', close: async () => {} }) };

/** Whether the processes of this configuration trace (a prebuilt workflow bundle must then be built for it). */
export const tracingConfigured = (config: TracingConfig): boolean =>
  Boolean(config.OTEL_EXPORTER_OTLP_ENDPOINT || config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);

/**
 * Starts tracing for one process, first thing in it. Off (nothing loaded but the API package,
 * whose calls are no-ops) unless an OTLP endpoint is configured; the SDK and its exporter are
 * imported only then. `serviceName` is the default; OTEL_SERVICE_NAME overrides it.
 */
export async function startTracing(options: { serviceName: string; config: TracingConfig }): Promise<Tracing> {
  const { config, serviceName } = options;
  if (!tracingConfigured(config)) return OFF;
  const { startTracingSdk } = await import('./tracing-sdk');
  const sdk = await startTracingSdk(serviceName);
  markTracingOn();
  return {
    sdk,
    stopStep: (log) => ({
      name: 'tracing',
      close: async () => {
        const flushed = sdk.provider.shutdown().then(
          () => true,
          (error: unknown) => {
            log.warn({ err: error }, 'could not export the last spans; they are lost');
            return true;
          },
        );
        const done = await Promise.race([flushed, sleep(FLUSH_AT_STOP_MS, false, { ref: false })]);
        if (!done) log.warn({ timeoutMs: FLUSH_AT_STOP_MS }, 'the collector did not take the last spans in time; they are lost');
      },
    }),
  };
}
