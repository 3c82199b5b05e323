import amqp, { type Channel } from 'amqplib';
import { assertEventsTopology, unroutedName } from '../../messaging/topology';

/** A run's own events exchange (`test.<id>.events`, `bench.<id>.events`): only that run publishes to it. */
export const runExchangeName = (harness: string, id: string): string => `${harness}.${id}.events`;

/** Declares the run's events exchange exactly as the product does, with its unrouted-events exchange and queue. */
export async function declareRunExchange(amqpUrl: string, exchange: string): Promise<void> {
  await withChannel(amqpUrl, (channel) => assertEventsTopology(channel, exchange));
}

/** Deletes `queues` (the run's own, bound to the exchange), then the exchange with its unrouted-events exchange and queue. */
export async function deleteRunExchange(amqpUrl: string, exchange: string, queues: readonly string[] = []): Promise<void> {
  await withChannel(amqpUrl, async (channel) => {
    for (const queue of queues) await channel.deleteQueue(queue);
    await channel.deleteExchange(exchange);
    await channel.deleteExchange(unroutedName(exchange));
    await channel.deleteQueue(unroutedName(exchange));
  });
}

async function withChannel(amqpUrl: string, work: (channel: Channel) => Promise<unknown>): Promise<void> {
  const connection = await amqp.connect(amqpUrl);
  try {
    await work(await connection.createChannel());
  } finally {
    await connection.close();
  }
}
