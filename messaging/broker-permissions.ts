import type { ConsumerQueues } from './consumer-topology';
import { unroutedName } from './topology';

/** The app processes that talk to the broker. The saga worker does not: it has no broker user. */
export type BrokerProcess = 'outbox-relay' | 'consumers' | 'api';

/** RabbitMQ's three permission regexes on one vhost (rabbitmqctl set_permissions). */
export interface BrokerPermissions {
  configure: string;
  write: string;
  read: string;
}

/** What the processes' permissions are made from: the events exchange and the consumers' queues. */
export interface BrokerTopology {
  exchange: string;
  consumers: readonly ConsumerQueues[];
}

/** Matches nothing (RabbitMQ's own spelling of "no permission"). */
export const NOTHING = '^$';
/** The default exchange, as permissions name it: sendToQueue publishes through it. */
export const DEFAULT_EXCHANGE = 'amq.default';

const escape = (name: string) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const anyOf = (names: readonly string[]) => (names.length === 0 ? NOTHING : `^(${names.map(escape).join('|')})$`);

/**
 * Each process's permissions, exactly the names it declares, publishes to and reads from:
 *
 * - the relay declares the events exchange with its unrouted-events exchange and queue
 *   (messaging/topology.ts) and publishes to the events exchange; it reads nothing.
 * - the consumers declare the same (they may start first), their queues, DLQs and retry
 *   queues (consumer-topology.ts), bind their queues to the events exchange (read on it),
 *   consume their queues and publish retries and dead letters through the default exchange.
 *   They cannot publish to the events exchange.
 * - the API (admin routes, messaging/consumer-control.ts) inspects the consumers' queues
 *   (passive declares need no permission), reads their DLQs and replays dead letters through
 *   the default exchange; it declares nothing.
 *
 * A write on the default exchange reaches any queue of the vhost by name: RabbitMQ's
 * permissions cannot narrow it by routing key (topic permissions apply to topic exchanges only).
 */
export function brokerPermissions({ exchange, consumers }: BrokerTopology): Record<BrokerProcess, BrokerPermissions> {
  const unrouted = unroutedName(exchange);
  const events = [exchange, unrouted];
  const queues = consumers.flatMap((c) => [c.queue, c.deadLetter, ...c.retries]);
  return {
    'outbox-relay': {
      // Declaring the exchange with its alternate exchange: write on the alternate, read on the exchange.
      configure: anyOf(events),
      // Binding the unrouted queue to its exchange: write on the queue, read on the exchange.
      write: anyOf(events),
      read: anyOf(events),
    },
    consumers: {
      configure: anyOf([...events, ...queues]),
      write: anyOf([...events.slice(1), ...queues, DEFAULT_EXCHANGE]),
      read: anyOf([...events, ...queues]),
    },
    api: {
      configure: NOTHING,
      write: anyOf([DEFAULT_EXCHANGE]),
      read: anyOf(consumers.flatMap((c) => [c.queue, c.deadLetter])),
    },
  };
}
