import { context, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { activeTraceCarrier, contextFromCarrier, spanContextOf, tracer, type TraceCarrier } from './trace-context';

/**
 * The relay's and the consumers' spans, after the OpenTelemetry messaging semantic conventions
 * (https://opentelemetry.io/docs/specs/semconv/messaging/rabbitmq/). Attribute names are
 * spelled out: the incubating ones are not exported by the stable semantic-conventions entry.
 */
const SYSTEM = { 'messaging.system': 'rabbitmq' } as const;

export interface PublishedMessage {
  messageId: string;
  routingKey: string;
  correlationId: string;
  /** The row's stored context: the publish span's parent. */
  traceContext?: TraceCarrier | null;
}

/** A PRODUCER span for one publish, child of the context the outbox row stored. */
export function startPublishSpan(exchange: string, message: PublishedMessage): Span {
  const parent = contextFromCarrier(message.traceContext);
  return tracer().startSpan(
    `publish ${exchange}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        ...SYSTEM,
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'publish',
        'messaging.destination.name': exchange,
        'messaging.rabbitmq.destination.routing_key': message.routingKey,
        'messaging.message.id': message.messageId,
        'messaging.message.conversation_id': message.correlationId,
      },
    },
    parent,
  );
}

/** The headers that make a consumer's span a child of `span`. */
export function traceHeadersOf(span: Span): TraceCarrier | undefined {
  return activeTraceCarrier(trace.setSpan(context.active(), span));
}

export interface ReceivedDelivery {
  /** The consumer (its queue's group). */
  consumer: string;
  queue: string;
  exchange: string;
  routingKey: string;
  messageId: unknown;
  headers: unknown;
}

/**
 * A CONSUMER span for handling one delivery: child of the publish span the headers name (with a
 * link to it beside, as the conventions suggest for batch-capable consumers), or a root span
 * when they name none or garbage. Returns the context to run the handling in.
 */
export function startProcessSpan(delivery: ReceivedDelivery): { span: Span; active: Context } {
  const parent = contextFromCarrier(delivery.headers);
  const publish = spanContextOf(parent);
  const span = tracer().startSpan(
    `process ${delivery.queue}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...SYSTEM,
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
        'messaging.destination.name': delivery.exchange,
        'messaging.rabbitmq.destination.routing_key': delivery.routingKey,
        'messaging.consumer.group.name': delivery.consumer,
        ...(typeof delivery.messageId === 'string' ? { 'messaging.message.id': delivery.messageId } : {}),
      },
      ...(publish ? { links: [{ context: publish }] } : {}),
    },
    parent,
  );
  return { span, active: trace.setSpan(parent, span) };
}

/** Marks the span failed with `error` (an exception event and an ERROR status). */
export function recordFailure(span: Span | undefined, error: unknown, message?: string): void {
  if (!span) return;
  if (error instanceof Error) span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: message ?? (error instanceof Error ? error.message : String(error)) });
}
