import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { countedSpanPipeline } from '../../telemetry/counted-span-pipeline';
import { spansExported, spansProcessed } from '../../telemetry/span-pipeline-metrics';

// The tracing pipeline's counts against the SDK's real BatchSpanProcessor: what it queues, what it
// drops at a full queue, what the collector took or refused.

/** An exporter that holds each batch until told how it went, like a slow collector. */
class HeldExporter implements SpanExporter {
  readonly batches: { spans: ReadableSpan[]; done: (result: ExportResult) => void }[] = [];
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.batches.push({ spans, done });
  }
  async shutdown(): Promise<void> {}
}

const countOf = async (counter: typeof spansProcessed, errorType: string): Promise<number> =>
  (await counter.get()).values.find((value) => value.labels.error_type === errorType)?.value ?? 0;

async function snapshot() {
  return {
    queued: await countOf(spansProcessed, ''),
    dropped: await countOf(spansProcessed, 'queue_full'),
    exported: await countOf(spansExported, ''),
    failed: await countOf(spansExported, 'export_failed'),
  };
}

const providers: BasicTracerProvider[] = [];
afterEach(async () => {
  for (const provider of providers.splice(0)) await provider.shutdown().catch(() => {});
});

function pipeline(capacity: number, batch: number) {
  const exporter = new HeldExporter();
  const processor = countedSpanPipeline(
    (counted) => new BatchSpanProcessor(counted, { maxQueueSize: capacity, maxExportBatchSize: batch, scheduledDelayMillis: 60_000 }),
    exporter,
    capacity,
  );
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  providers.push(provider);
  const tracer = provider.getTracer('test');
  const endSpans = (count: number) => {
    for (let i = 0; i < count; i++) tracer.startSpan(`span ${i}`).end();
  };
  return { exporter, endSpans };
}

describe('countedSpanPipeline (telemetry/counted-span-pipeline.ts)', () => {
  it('counts the spans a full queue drops, exactly as the batch processor drops them', async () => {
    const before = await snapshot();
    const { exporter, endSpans } = pipeline(4, 4);
    // The first four leave as one batch, which the collector holds; the next four fill the queue;
    // the last two find it full.
    endSpans(10);
    expect(exporter.batches.map((held) => held.spans.length)).toEqual([4]);
    const after = await snapshot();
    expect(after.queued - before.queued).toBe(8);
    expect(after.dropped - before.dropped).toBe(2);

    // The collector takes the first batch, and the queued four go next: nothing more is dropped.
    exporter.batches[0]!.done({ code: ExportResultCode.SUCCESS });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(exporter.batches.map((held) => held.spans.length)).toEqual([4, 4]);
    exporter.batches[1]!.done({ code: ExportResultCode.FAILED, error: new Error('collector unavailable') });
    const settled = await snapshot();
    expect(settled.exported - before.exported).toBe(4);
    expect(settled.failed - before.failed).toBe(4);
    endSpans(4);
    expect((await snapshot()).dropped - before.dropped).toBe(2);
  });
});
