import type { Channel } from 'amqplib';

/** The unrouted-events exchange and queue that back `exchange` as its alternate exchange. */
export const unroutedName = (exchange: string): string => `${exchange}.unrouted`;

/**
 * Checks (a passive declare: no permission needed) that the events exchange exists, for a process
 * that may not declare it (DECLARE_TOPOLOGY=0: its owner declared it, scripts/least-privilege.ts).
 * A missing one fails the channel with NOT_FOUND.
 */
export async function checkEventsTopology(channel: Channel, exchange: string): Promise<void> {
  await channel.checkExchange(exchange);
}

/**
 * Declares, idempotently, the durable topic exchange integration events are published to, and
 * its alternate exchange with a durable queue: an event no consumer is bound for yet is kept
 * there instead of being dropped by the broker.
 */
export async function assertEventsTopology(channel: Channel, exchange: string): Promise<void> {
  const unrouted = unroutedName(exchange);
  await channel.assertExchange(unrouted, 'fanout', { durable: true });
  await channel.assertQueue(unrouted, { durable: true });
  await channel.bindQueue(unrouted, unrouted, '');
  await channel.assertExchange(exchange, 'topic', { durable: true, alternateExchange: unrouted });
}
