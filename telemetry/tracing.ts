import type { AppConfig } from '../config/env';
import type { StopStep } from '../workers/stop-on-signals';
import type { TracingSdk } from './tracing-sdk';
import { markTracingOn } from './tracing-state';

export type TracingConfig = Pick<AppConfig, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'>;

export interface Tracing {
  /** The installed SDK (the saga worker hands its processor to the workflow spans' sink); undefined when off. */
  readonly sdk: TracingSdk | undefined;
  /** Exports the spans still buffered and stops exporting: the process's last stop step. */
  readonly stopStep: StopStep;
}

const OFF: Tracing = { sdk: undefined, stopStep: { name: 'tracing', close: async () => {} } };

/**
 * Starts tracing for one process, first thing in it. Off (nothing loaded but the API package,
 * whose calls are no-ops) unless an OTLP endpoint is configured; the SDK and its exporter are
 * imported only then. `serviceName` is the default; OTEL_SERVICE_NAME overrides it.
 */
export async function startTracing(options: { serviceName: string; config: TracingConfig }): Promise<Tracing> {
  const { config, serviceName } = options;
  if (!config.OTEL_EXPORTER_OTLP_ENDPOINT && !config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return OFF;
  const { startTracingSdk } = await import('./tracing-sdk');
  const sdk = await startTracingSdk(serviceName);
  markTracingOn();
  return { sdk, stopStep: { name: 'tracing', close: () => sdk.provider.shutdown() } };
}
