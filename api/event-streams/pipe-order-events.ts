import type { SSEMessage, SSEStreamingApi } from 'hono/streaming';
import { isOutcomeEvent } from '../../domain/events';
import type { OrderEventLog } from '../store/api-store';
import type { OrderEvent } from '../store/order-events';
import type { StreamTiming } from './event-streams';
import type { OrderEventSubscription } from './order-event-hub';

/** Why a stream ended. */
export type StreamEnd = 'outcome' | 'lifetime' | 'stopping' | 'client';

/** The event a stream ends with when the client should reconnect: its `data.reason` says why. */
export const RECONNECT_EVENT = 'reconnect';

export interface PipeOptions {
  orderId: string;
  /** Send the events after this seq (0: all of them). */
  afterSeq: number;
  events: OrderEventLog;
  subscription: OrderEventSubscription;
  timing: StreamTiming;
}

/** An event as clients see it: without the outbox's seq. */
export const presentEvent = ({ seq: _seq, ...event }: OrderEvent) => event;

/**
 * Writes the order's events to the stream as they commit, until the outcome event, the maximum
 * lifetime, the API stopping, or the client leaving. The outbox is read once at the start and
 * then only when the hub says the order changed; a quiet stream gets an SSE comment every
 * heartbeat, which also keeps proxies and the server's idle-socket timeouts from closing it.
 */
export async function pipeOrderEvents(stream: SSEStreamingApi, options: PipeOptions): Promise<StreamEnd> {
  const { orderId, events, subscription, timing } = options;
  const deadline = Date.now() + timing.maxLifetimeMs;
  let afterSeq = options.afterSeq;
  // A client that stopped reading must not hold the loop (or the API's stop) on a write.
  const send = (write: Promise<void>) => Promise.race([write, subscription.ended]);
  const sendSSE = (message: SSEMessage) => send(stream.writeSSE(message));
  const reconnect = (reason: 'lifetime' | 'stopping') =>
    sendSSE({
      event: RECONNECT_EVENT,
      data: JSON.stringify({ reason, message: 'reconnect with Last-Event-ID (or lastEventId=) to continue after the last event' }),
      retry: timing.retryMs,
    });

  for (;;) {
    for (const event of await events.readOrderEvents(orderId, afterSeq)) {
      await sendSSE({ id: event.messageId, event: event.name, data: JSON.stringify(presentEvent(event)) });
      afterSeq = event.seq;
      if (isOutcomeEvent(event.name)) return 'outcome';
    }
    // Waits for a notification, writing heartbeats meanwhile; reads nothing until one comes.
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) {
        await reconnect('lifetime');
        return 'lifetime';
      }
      const outcome = await subscription.wait(Math.min(timing.heartbeatMs, left));
      if (outcome === 'changed') break;
      if (outcome === 'closed') {
        if (!subscription.closedByHub) return 'client';
        await Promise.race([reconnect('stopping'), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
        return 'stopping';
      }
      if (Date.now() < deadline) await send(stream.write(': heartbeat\n\n').then(() => undefined));
    }
  }
}
