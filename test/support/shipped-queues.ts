import amqp from 'amqplib';
import { shippedConsumers } from '../../consumers/shipped-consumers';
import { retryPolicyFrom } from '../../messaging/consumer-settings';
import { consumerQueuesOf } from '../../messaging/consumer-topology';
import type { TestStack } from './test-stack';

/** Deletes the queues (main, retry tiers, DLQ) a consumers process declared with CONSUMER_QUEUE_PREFIX `prefix`. */
export async function deleteShippedQueues(stack: TestStack, prefix: string): Promise<void> {
  const connection = await amqp.connect(stack.config.AMQP_URL);
  try {
    const channel = await connection.createChannel();
    for (const definition of shippedConsumers({ CONSUMER_QUEUE_PREFIX: prefix })) {
      const { queue, deadLetter, retries } = consumerQueuesOf(definition, retryPolicyFrom(stack.config));
      for (const name of [queue, deadLetter, ...retries]) await channel.deleteQueue(name);
    }
  } finally {
    await connection.close();
  }
}
