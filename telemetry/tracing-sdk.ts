import { envDetectorSync, Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { countedSpanPipeline } from './counted-span-pipeline';

/**
 * Larger than the SDK's defaults (2048 and 512): a relay publishing a backlog ends thousands of
 * publish spans a second, and the default queue dropped about 1% of them in the benchmark. A
 * full queue costs memory (a few hundred bytes a span), never waiting. OTEL_BSP_* still win.
 */
const MAX_QUEUE_SIZE = 16_384;
const MAX_EXPORT_BATCH_SIZE = 2048;

const positiveEnv = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};

export interface TracingSdk {
  provider: NodeTracerProvider;
  /** The batch processor every span of the process goes through, the workflow spans' sink included. */
  spanProcessor: SpanProcessor;
  resource: Resource;
}

/**
 * The tracer provider of a process: W3C trace context propagation (OTEL_PROPAGATORS), the
 * sampler of OTEL_TRACES_SAMPLER, a batch processor and an OTLP exporter, which reads
 * OTEL_EXPORTER_OTLP_* (endpoint, headers, timeout) itself.
 *
 * Not NodeSDK (@opentelemetry/sdk-node): it would also start OTLP metric and log exporters by
 * default, and register auto-instrumentations' machinery; traces are all this sets up.
 */
export async function startTracingSdk(serviceName: string): Promise<TracingSdk> {
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (the env detector) win over the default name.
  const resource = new Resource({ [ATTR_SERVICE_NAME]: serviceName }).merge(envDetectorSync.detect());
  const capacity = positiveEnv('OTEL_BSP_MAX_QUEUE_SIZE', MAX_QUEUE_SIZE);
  const spanProcessor = countedSpanPipeline(
    (exporter) =>
      new BatchSpanProcessor(exporter, {
        maxQueueSize: capacity,
        maxExportBatchSize: Math.min(capacity, positiveEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', MAX_EXPORT_BATCH_SIZE)),
      }),
    await exporterFromEnv(),
    capacity,
  );
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  return { provider, spanProcessor, resource };
}

/** The OTLP exporter for OTEL_EXPORTER_OTLP_TRACES_PROTOCOL / OTEL_EXPORTER_OTLP_PROTOCOL (default http/protobuf). */
async function exporterFromEnv(): Promise<SpanExporter> {
  const protocol = (process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? process.env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf').trim();
  switch (protocol) {
    case 'http/json':
      return new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter();
    case 'grpc':
      return new (await import('@opentelemetry/exporter-trace-otlp-grpc')).OTLPTraceExporter();
    case 'http/protobuf':
      return new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter();
    default:
      throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported: use http/protobuf, http/json or grpc`);
  }
}
