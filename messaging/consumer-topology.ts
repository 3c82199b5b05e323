import type { Channel } from 'amqplib';
import { backoffMs } from '../outbox/backoff';
import type { ConsumerDefinition } from './consumer-definition';
import type { ConsumerRetryPolicy } from './consumer-settings';
import { assertEventsTopology, checkEventsTopology } from './topology';

/**
 * Redeliveries the broker allows before it dead-letters a message itself. Our own retries
 * republish (a fresh delivery count each time), so this only catches a message that keeps
 * killing its consumer before it can be acknowledged. It is a queue argument: changing it
 * means re-creating the queue, hence a constant.
 */
export const BROKER_DELIVERY_LIMIT = 20;

export const deadLetterQueueOf = (queue: string): string => `${queue}.dlq`;
export const retryQueueOf = (queue: string, delayMs: number): string => `${queue}.retry.${delayMs}`;

/** How long a message waits after failing its `failedAttempt`-th delivery. */
export const retryDelayMs = (failedAttempt: number, policy: ConsumerRetryPolicy): number =>
  backoffMs(failedAttempt, policy.baseMs, policy.maxMs);

/** The distinct delays the policy uses: one TTL queue each. */
export function retryTiers(policy: ConsumerRetryPolicy): number[] {
  const delays = new Set<number>();
  for (let attempt = 1; attempt < policy.maxAttempts; attempt++) delays.add(retryDelayMs(attempt, policy));
  return [...delays].sort((a, b) => a - b);
}

export interface ConsumerQueues {
  queue: string;
  deadLetter: string;
  retries: string[];
}

export const consumerQueuesOf = (definition: ConsumerDefinition, policy: ConsumerRetryPolicy): ConsumerQueues => ({
  queue: definition.queue,
  deadLetter: deadLetterQueueOf(definition.queue),
  retries: retryTiers(policy).map((delay) => retryQueueOf(definition.queue, delay)),
});

// Quorum queues dead-letter at-most-once by default; at-least-once (which needs reject-publish
// overflow) keeps a message that is on its way out of a retry queue from being lost.
const AT_LEAST_ONCE_DEAD_LETTERING = { 'x-dead-letter-strategy': 'at-least-once', 'x-overflow': 'reject-publish' };

/**
 * Declares, idempotently, a consumer's queues: its durable quorum queue bound on the events
 * exchange, `<queue>.dlq`, and one TTL queue per retry delay that dead-letters back into the
 * main queue when the delay is up.
 */
export async function assertConsumerTopology(
  channel: Channel,
  definition: ConsumerDefinition,
  exchange: string,
  policy: ConsumerRetryPolicy,
): Promise<void> {
  const { queue, deadLetter } = consumerQueuesOf(definition, policy);
  await assertEventsTopology(channel, exchange);
  await channel.assertQueue(deadLetter, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await channel.assertQueue(queue, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-delivery-limit': BROKER_DELIVERY_LIMIT,
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': deadLetter,
      ...AT_LEAST_ONCE_DEAD_LETTERING,
    },
  });
  for (const pattern of definition.bindings) await channel.bindQueue(queue, exchange, pattern);
  for (const delay of retryTiers(policy)) {
    await channel.assertQueue(retryQueueOf(queue, delay), {
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-message-ttl': delay,
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': queue,
        ...AT_LEAST_ONCE_DEAD_LETTERING,
      },
    });
  }
}

/**
 * Checks (passive declares: no permission needed) that a consumer's queues exist, for a process
 * that may not declare them (DECLARE_TOPOLOGY=0: the topology's owner declared them, with
 * assertConsumerTopology). A missing one, such as the retry queue of a new delay tier, fails the
 * channel with NOT_FOUND: run the owner's step again.
 */
export async function checkConsumerTopology(
  channel: Channel,
  definition: ConsumerDefinition,
  exchange: string,
  policy: ConsumerRetryPolicy,
): Promise<void> {
  const { queue, deadLetter, retries } = consumerQueuesOf(definition, policy);
  await checkEventsTopology(channel, exchange);
  for (const name of [queue, deadLetter, ...retries]) await channel.checkQueue(name);
}
