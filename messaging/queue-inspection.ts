import type { ChannelModel } from 'amqplib';

export interface QueueCounts {
  /** Messages ready for delivery (not those delivered and awaiting an ack). */
  messages: number;
  consumers: number;
}

/** A queue's counts, or undefined when it does not exist (yet). */
export async function inspectQueue(connection: ChannelModel, queue: string): Promise<QueueCounts | undefined> {
  // A passive declare of a missing queue closes its channel: one channel per question.
  const channel = await connection.createChannel();
  channel.on('error', () => {}); // the 404 below arrives as both a rejection and an 'error' event
  try {
    const { messageCount, consumerCount } = await channel.checkQueue(queue);
    return { messages: messageCount, consumers: consumerCount };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  } finally {
    await channel.close().catch(() => {});
  }
}

export const isNotFound = (error: unknown): boolean => typeof error === 'object' && error !== null && 'code' in error && error.code === 404;
