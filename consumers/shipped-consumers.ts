import type { AppConfig } from '../config/env';
import type { Database } from '../db/client';
import type { Logger } from '../logging/logger';
import { createConsumerControl, type ConsumerControl } from '../messaging/consumer-control';
import type { ConsumerDefinition } from '../messaging/consumer-definition';
import { retryPolicyFrom } from '../messaging/consumer-settings';
import { notificationsConsumer } from './notifications/notifications-consumer';
import { orderProjectionConsumer } from './order-projection/order-projection-consumer';

const SHIPPED: readonly ConsumerDefinition[] = [notificationsConsumer, orderProjectionConsumer];

/** The consumers the product ships, with CONSUMER_QUEUE_PREFIX applied to their queues. */
export const shippedConsumers = (config: Pick<AppConfig, 'CONSUMER_QUEUE_PREFIX'>): ConsumerDefinition[] =>
  SHIPPED.map((definition) => ({ ...definition, queue: `${config.CONSUMER_QUEUE_PREFIX}${definition.queue}` }));

/** The control the admin API uses for the shipped consumers. Close it with the process. */
export const shippedConsumerControl = (config: AppConfig, db: Database, log: Logger): ConsumerControl =>
  createConsumerControl({
    db,
    amqpUrl: config.AMQP_URL,
    consumers: shippedConsumers(config),
    retry: retryPolicyFrom(config),
    log,
    replayWindowMs: config.DLQ_REPLAY_WINDOW_MS,
    sweepMaxScan: config.DLQ_SWEEP_MAX_SCAN,
  });
