import { trace } from '@opentelemetry/api';
import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The active span's ids on every line written inside it, under the names the OTel log data model
 * and most log backends use. With tracing off there is never an active span: one lookup, no fields.
 * A new object each time: pino merges the line's fields into it.
 */
function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/** One JSON logger per process; children add orderId / correlationId to each line. */
export function createLogger(name: string, level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, base: { process: name }, timestamp: pino.stdTimeFunctions.isoTime, mixin: traceFields });
}
