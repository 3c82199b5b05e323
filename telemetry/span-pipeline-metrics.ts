import { Counter, Gauge } from 'prom-client';
import { metricsRegistry } from './metrics-registry';

/*
 * The tracing pipeline's own numbers, after OpenTelemetry's SDK self-observability conventions
 * (otel.sdk.processor.span.processed, otel.sdk.exporter.span.exported, with error.type on
 * failure): a collector that is down or too slow costs spans, never work, and this is where an
 * operator sees it. Registered whether tracing is on or not, so every process exports the same
 * names; the series appear once tracing runs.
 */
export const spansProcessed = new Counter({
  name: 'otel_sdk_processor_span_processed_total',
  help: 'Sampled spans that ended, by error_type: "" when queued for export, "queue_full" when dropped because the export queue was full',
  labelNames: ['error_type'] as const,
  registers: [metricsRegistry],
});

export const spansExported = new Counter({
  name: 'otel_sdk_exporter_span_exported_total',
  help: 'Spans handed to the OTLP exporter, by error_type: "" when the collector took them, "export_failed" when they were lost',
  labelNames: ['error_type'] as const,
  registers: [metricsRegistry],
});

export const queueSize = new Gauge({
  name: 'otel_sdk_processor_span_queue_size',
  help: 'Spans waiting in the export queue',
  registers: [metricsRegistry],
});

export const queueCapacity = new Gauge({
  name: 'otel_sdk_processor_span_queue_capacity',
  help: 'The export queue size past which spans are dropped (OTEL_BSP_MAX_QUEUE_SIZE)',
  registers: [metricsRegistry],
});
