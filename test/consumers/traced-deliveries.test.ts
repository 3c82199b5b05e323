import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Options } from 'amqplib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../../messaging/envelope';
import { markTracingOn } from '../../telemetry/tracing-state';
import { envelope, recordEffect, relayMessage, startConsumerKit, waitFor, type ConsumerKit } from '../support/consumer-kit';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * The consumer library with tracing on, in this process: each delivery is handled in a CONSUMER
 * span, child of the publish span its headers name; headers naming none, or garbage, change
 * nothing about the handling.
 */
const exported = new InMemorySpanExporter();
let stack: TestStack;
let kit: ConsumerKit;
beforeAll(async () => {
  // What telemetry/tracing.ts sets up, with the spans kept here instead of exported.
  new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exported)] }).register();
  markTracingOn();
  stack = await startTestStack({ worker: false, relay: false, probePattern: 'no.events.wanted' });
  kit = await startConsumerKit(stack);
});
afterEach(async () => {
  await kit.reset();
  exported.reset();
});
afterAll(async () => {
  await kit?.close();
  await stack?.close();
});

const processSpanOf = (messageId: string): ReadableSpan | undefined =>
  exported.getFinishedSpans().find((span) => span.kind === SpanKind.CONSUMER && span.attributes['messaging.message.id'] === messageId);

function published(message: Envelope, headers: Record<string, unknown>): { body: Buffer; properties: Options.Publish } {
  const { body, properties } = relayMessage(message);
  return { body, properties: { ...properties, headers: { ...properties.headers, ...headers } } };
}

describe('deliveries with tracing on', () => {
  it('handles each in a span that is the child of its publish span, with a link to it', async () => {
    const runner = await kit.start(
      kit.define('traced', { 'order.completed': async (_c, { tx, messageId, attempt }) => recordEffect(tx, messageId, 'traced', attempt) }),
    );
    const message = envelope('order.completed', { customerId: 'c-1' });
    // The relay's own publisher: it starts the publish span and writes its context into the headers.
    await kit.publish([message]);
    await waitFor(() => runner.stats.handled === 1 && processSpanOf(message.messageId) !== undefined, 'the delivery handled');
    const publish = exported.getFinishedSpans().find((span) => span.kind === SpanKind.PRODUCER)!;
    expect(publish.attributes).toMatchObject({ 'messaging.system': 'rabbitmq', 'messaging.message.id': message.messageId });
    const handling = processSpanOf(message.messageId)!;
    expect(handling.spanContext().traceId).toBe(publish.spanContext().traceId);
    expect(handling.parentSpanId).toBe(publish.spanContext().spanId);
    expect(handling.links.map((link) => link.context.spanId)).toEqual([publish.spanContext().spanId]);
    expect(handling.attributes).toMatchObject({ 'messaging.operation.type': 'process', 'messaging.consumer.group.name': 'traced' });
    expect(handling.status.code).not.toBe(SpanStatusCode.ERROR);
  });

  it('handles deliveries whose trace headers are garbage exactly once each, in spans of their own', async () => {
    const runner = await kit.start(
      kit.define('garbage', {
        'order.completed': async (_c, { tx, messageId, attempt }) => recordEffect(tx, messageId, 'garbage', attempt),
      }),
    );
    const cases: Record<string, unknown>[] = [
      { traceparent: 'garbage' },
      { traceparent: 42 },
      { traceparent: { nested: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } },
      { traceparent: Buffer.from('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01') },
      { traceparent: `00-${'0'.repeat(32)}-${'0'.repeat(16)}-01` },
      { traceparent: 'x'.repeat(20_000) },
      { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: '=,,=%%%' },
    ];
    const messages = cases.map(() => envelope('order.completed', { customerId: 'c-1' }));
    for (const [index, headers] of cases.entries()) {
      const { body, properties } = published(messages[index]!, headers);
      await kit.publishRaw('order.completed', body, properties);
    }
    await waitFor(() => runner.stats.handled === cases.length, 'every delivery handled');
    expect(await kit.effects(messages.map((m) => m.messageId))).toHaveLength(cases.length);
    expect(runner.stats).toMatchObject({ handled: cases.length, retried: 0, deadLettered: 0 });
    await waitFor(() => messages.every((m) => processSpanOf(m.messageId)), 'every span ended');
    const parents = messages.map((m) => processSpanOf(m.messageId)!.parentSpanId);
    // Only the valid traceparent (its tracestate ignored) makes a parent.
    expect(parents).toEqual([undefined, undefined, undefined, undefined, undefined, undefined, '00f067aa0ba902b7']);
  });

  it('records a failed attempt on its span', async () => {
    const runner = await kit.start(
      kit.define('failing', {
        'order.completed': async () => {
          throw new Error('the handler failed');
        },
      }),
    );
    const message = envelope('order.completed', { customerId: 'c-1' });
    await kit.publish([message]);
    await waitFor(() => runner.stats.retried >= 1 && processSpanOf(message.messageId) !== undefined, 'a retry');
    const handling = processSpanOf(message.messageId)!;
    expect(handling.status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'the handler failed' });
    expect(handling.events.map((event) => event.name)).toContain('exception');
  });
});
