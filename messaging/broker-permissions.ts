import type { ConsumerQueues } from './consumer-topology';

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
 * Each process's permissions, exactly the names it publishes to and reads from. None declares
 * anything: the topology's owner (scripts/least-privilege.ts, as the admin) declares the events
 * exchange and the consumers' queues, and the processes run with DECLARE_TOPOLOGY=0, which only
 * checks them (passive declares need no permission). So:
 *
 * - the relay publishes to the events exchange, and nothing else;
 * - the consumers consume their queues and publish retries and dead letters to their retry
 *   queues and DLQs through the default exchange (consumer-runner.ts); they cannot publish events;
 * - the API (admin routes, consumer-control.ts) reads the consumers' DLQs and replays dead
 *   letters to their queues through the default exchange.
 *
 * A write on the default exchange reaches any queue of the vhost by name: RabbitMQ's permissions
 * cannot narrow it by routing key (topic permissions apply to topic exchanges only).
 */
export function brokerPermissions({ exchange, consumers }: BrokerTopology): Record<BrokerProcess, BrokerPermissions> {
  return {
    'outbox-relay': { configure: NOTHING, write: anyOf([exchange]), read: NOTHING },
    consumers: { configure: NOTHING, write: anyOf([DEFAULT_EXCHANGE]), read: anyOf(consumers.map((c) => c.queue)) },
    api: { configure: NOTHING, write: anyOf([DEFAULT_EXCHANGE]), read: anyOf(consumers.map((c) => c.deadLetter)) },
  };
}
