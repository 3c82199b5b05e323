import type { AppConfig } from '../config/env';

/** How failed deliveries are retried before they are parked in the DLQ. */
export interface RetryPolicy {
  /** Deliveries in all, the first one included. */
  maxAttempts: number;
  /** The first retry's delay; each later one doubles, up to maxMs. */
  baseMs: number;
  maxMs: number;
}

export interface ConsumerSettings {
  amqpUrl: string;
  /** The topic exchange consumer queues bind on. */
  exchange: string;
  retry: RetryPolicy;
  shutdownTimeoutMs: number;
  controlPollMs: number;
}

export const retryPolicyFrom = (config: AppConfig): RetryPolicy => ({
  maxAttempts: config.CONSUMER_MAX_ATTEMPTS,
  baseMs: config.CONSUMER_RETRY_BASE_MS,
  maxMs: config.CONSUMER_RETRY_MAX_MS,
});

export const consumerSettingsFrom = (config: AppConfig): ConsumerSettings => ({
  amqpUrl: config.AMQP_URL,
  exchange: config.EVENTS_EXCHANGE,
  retry: retryPolicyFrom(config),
  shutdownTimeoutMs: config.CONSUMER_SHUTDOWN_TIMEOUT_MS,
  controlPollMs: config.CONSUMER_CONTROL_POLL_MS,
});
