import type { AppConfig } from '../../config/env';
import type { Logger } from '../../logging/logger';
import type { StreamTicketStore } from '../store/event-stream-tickets';
import { startOrderEventHub, type NotificationSource, type OrderEventHub } from './order-event-hub';
import { StreamCaps } from './stream-caps';
import { StreamTickets } from './stream-tickets';

/** How long streams live and how they keep alive, from config/env.ts. */
export interface StreamTiming {
  maxLifetimeMs: number;
  heartbeatMs: number;
  /** The `retry:` of a stream's last event. */
  retryMs: number;
}

/** The API process's event streams: one hub, the caps, the tickets. Closed when the API stops. */
export interface EventStreams {
  hub: OrderEventHub;
  caps: StreamCaps;
  tickets: StreamTickets;
  timing: StreamTiming;
  ticketTtlMs: number;
  close(): Promise<void>;
}

type StreamSettings = Pick<
  AppConfig,
  | 'EVENT_STREAMS_PER_CUSTOMER'
  | 'EVENT_STREAMS_MAX'
  | 'EVENT_STREAM_MAX_LIFETIME_MS'
  | 'EVENT_STREAM_HEARTBEAT_MS'
  | 'EVENT_STREAM_RETRY_MS'
  | 'EVENT_STREAM_TICKET_TTL_MS'
>;

/** Starts the hub's LISTEN in the background: streams opened before it took effect re-read once it has. */
export function startEventStreams(
  config: StreamSettings,
  source: NotificationSource,
  ticketStore: StreamTicketStore,
  log: Logger,
): EventStreams {
  const hub = startOrderEventHub(source, { probeEveryMs: config.EVENT_STREAM_HEARTBEAT_MS, log });
  const caps = new StreamCaps({
    perCustomer: config.EVENT_STREAMS_PER_CUSTOMER,
    total: config.EVENT_STREAMS_MAX,
    retryAfterSeconds: Math.ceil(config.EVENT_STREAM_RETRY_MS / 1000),
  });
  return {
    hub,
    caps,
    tickets: new StreamTickets(ticketStore, config.EVENT_STREAM_TICKET_TTL_MS),
    timing: {
      maxLifetimeMs: config.EVENT_STREAM_MAX_LIFETIME_MS,
      heartbeatMs: config.EVENT_STREAM_HEARTBEAT_MS,
      retryMs: config.EVENT_STREAM_RETRY_MS,
    },
    ticketTtlMs: config.EVENT_STREAM_TICKET_TTL_MS,
    async close() {
      await hub.close();
      // Each stream writes its reconnect event and ends (its write gives up after a second).
      await caps.drained(2000);
    },
  };
}
