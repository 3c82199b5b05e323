import { context, propagation, ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import { tracingOn } from './tracing-state';

/** W3C trace context as text: what an outbox row stores and an AMQP message carries in its headers. */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

/** The tracer of this project's own spans (publish, process); Temporal's and Hono's have theirs. */
export const tracer = () => trace.getTracer('saga-orchestrator');

/** The active span's context, to store or send; undefined when tracing is off or no span is active. */
export function activeTraceCarrier(active: Context = context.active()): TraceCarrier | undefined {
  if (!tracingOn()) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(active, carrier);
  if (!carrier.traceparent) return undefined;
  return carrier.tracestate ? { traceparent: carrier.traceparent, tracestate: carrier.tracestate } : { traceparent: carrier.traceparent };
}

// Far above any valid value (a traceparent is 55 characters; a tracestate at most 32 members of
// 256): longer ones are not parsed at all.
const MAX_TRACEPARENT = 256;
const MAX_TRACESTATE = 8192;

/**
 * The context a stored row or a received message's headers carry, or the root context when they
 * carry none or garbage. Never throws, whatever the input: headers come from any publisher and
 * may hold numbers, buffers, tables or invalid text.
 */
export function contextFromCarrier(carrier: unknown): Context {
  if (typeof carrier !== 'object' || carrier === null) return ROOT_CONTEXT;
  try {
    const traceparent = textOf((carrier as Record<string, unknown>).traceparent, MAX_TRACEPARENT);
    if (traceparent === undefined) return ROOT_CONTEXT;
    const tracestate = textOf((carrier as Record<string, unknown>).tracestate, MAX_TRACESTATE);
    const clean: Record<string, string> = tracestate === undefined ? { traceparent } : { traceparent, tracestate };
    return propagation.extract(ROOT_CONTEXT, clean);
  } catch {
    return ROOT_CONTEXT;
  }
}

/** The span context a carrier names, if valid: for a link beside the parent. */
export function spanContextOf(active: Context) {
  const spanContext = trace.getSpanContext(active);
  return spanContext && trace.isSpanContextValid(spanContext) ? spanContext : undefined;
}

function textOf(value: unknown, max: number): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= max ? value : undefined;
}
