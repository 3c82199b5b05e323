import { TraceFlags, type Context } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { queueCapacity, queueSize, spansExported, spansProcessed } from './span-pipeline-metrics';

/**
 * Counts what the batch processor behind it does with each span: it keeps the same queue count
 * the processor keeps (a sampled span ends → in; a batch goes to the exporter → out), so it knows
 * which spans the processor drops at `capacity` without reaching into its internals.
 */
export function countedSpanPipeline(
  makeProcessor: (exporter: SpanExporter) => SpanProcessor,
  exporter: SpanExporter,
  capacity: number,
): SpanProcessor {
  let queued = 0;
  queueCapacity.set(capacity);
  const counted: SpanExporter = {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
      queued -= spans.length;
      queueSize.set(queued);
      exporter.export(spans, (result) => {
        spansExported.inc({ error_type: result.code === ExportResultCode.SUCCESS ? '' : 'export_failed' }, spans.length);
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    ...(exporter.forceFlush ? { forceFlush: () => exporter.forceFlush!() } : {}),
  };
  const processor = makeProcessor(counted);
  return {
    onStart: (span: Span, parent: Context) => processor.onStart(span, parent),
    onEnd(span: ReadableSpan) {
      // The batch processor ignores unsampled spans: so does the count.
      if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0) {
        if (queued >= capacity) spansProcessed.inc({ error_type: 'queue_full' });
        else {
          queued += 1;
          spansProcessed.inc({ error_type: '' });
        }
      }
      processor.onEnd(span);
    },
    forceFlush: () => processor.forceFlush(),
    shutdown: () => processor.shutdown(),
  };
}
