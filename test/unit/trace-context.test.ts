import { context, propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { activeTraceCarrier, contextFromCarrier, spanContextOf } from '../../telemetry/trace-context';
import { markTracingOn } from '../../telemetry/tracing-state';

/**
 * The inject/extract helpers the outbox, the relay and the consumers share. Extraction reads
 * AMQP headers any publisher may have set: whatever they hold, it returns a context and never
 * throws, and only a valid traceparent yields a parent.
 */
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const VALID = `00-${TRACE_ID}-${SPAN_ID}-01`;

beforeAll(() => {
  // What the SDK registers when tracing is on (telemetry/tracing-sdk.ts): the W3C propagator.
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  markTracingOn();
});

describe('contextFromCarrier', () => {
  it('reads a valid traceparent and tracestate', () => {
    const parent = spanContextOf(contextFromCarrier({ traceparent: VALID, tracestate: 'vendor=abc' }));
    expect(parent).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    expect(parent?.traceState?.get('vendor')).toBe('abc');
  });

  it.each([
    ['no headers', undefined],
    ['null', null],
    ['a string', VALID],
    ['a number as traceparent', { traceparent: 42 }],
    ['a buffer as traceparent', { traceparent: Buffer.from(VALID) }],
    ['a table as traceparent', { traceparent: { nested: VALID } }],
    ['an array as traceparent', { traceparent: [VALID] }],
    ['garbage text', { traceparent: 'garbage' }],
    ['an all-zero trace id', { traceparent: `00-${'0'.repeat(32)}-${SPAN_ID}-01` }],
    ['version ff', { traceparent: `ff-${TRACE_ID}-${SPAN_ID}-01` }],
    ['a huge value', { traceparent: VALID + 'x'.repeat(100_000) }],
    [
      'a throwing getter',
      Object.defineProperty({}, 'traceparent', {
        get: () => {
          throw new Error('boom');
        },
        enumerable: true,
      }),
    ],
  ])('gives no parent for %s', (_what, carrier) => {
    expect(spanContextOf(contextFromCarrier(carrier))).toBeUndefined();
  });

  it('never throws and yields a parent only for a well-formed traceparent, whatever the headers hold', () => {
    const value = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.constant(null),
      fc.uint8Array().map((bytes) => Buffer.from(bytes)),
      fc.object(),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('traceparent', 'tracestate', 'other'), value), (headers) => {
        const parent = spanContextOf(contextFromCarrier(headers));
        if (parent) expect(headers.traceparent).toMatch(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}/);
      }),
    );
  });

  it('keeps a valid traceparent when the tracestate is garbage', () => {
    expect(spanContextOf(contextFromCarrier({ traceparent: VALID, tracestate: Buffer.from('x') }))?.traceId).toBe(TRACE_ID);
    expect(spanContextOf(contextFromCarrier({ traceparent: VALID, tracestate: '=,=,,=' }))?.traceId).toBe(TRACE_ID);
  });
});

describe('activeTraceCarrier', () => {
  it('is empty outside a span', () => {
    expect(activeTraceCarrier(ROOT_CONTEXT)).toBeUndefined();
  });

  it('round-trips the active span through contextFromCarrier', () => {
    const active = trace.setSpanContext(context.active(), { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED });
    const carrier = activeTraceCarrier(active);
    expect(carrier).toEqual({ traceparent: VALID });
    expect(spanContextOf(contextFromCarrier(carrier))).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID });
  });
});
