import type { AppConfig } from '../config/env';
import type { DecodeLimits } from './decode-envelope';

/** How a consumer retries a failed delivery before it is parked in the DLQ (not the relay's RelayRetryPolicy). */
export interface ConsumerRetryPolicy {
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
  retry: ConsumerRetryPolicy;
  /** What a delivery may be before it is read; beyond them it is parked at once. */
  limits: DecodeLimits;
  /**
   * How long one handler call may take (its transaction included). Past it the attempt counts
   * as failed and the message is retried; no single statement of the transaction runs longer.
   */
  handlerTimeoutMs: number;
  shutdownTimeoutMs: number;
  controlPollMs: number;
  /**
   * False: the consumer only checks that its queues exist (their owner declared them), so its
   * broker user needs no configure permission. Default true.
   */
  declareTopology?: boolean;
}

export const retryPolicyFrom = (config: AppConfig): ConsumerRetryPolicy => ({
  maxAttempts: config.CONSUMER_MAX_ATTEMPTS,
  baseMs: config.CONSUMER_RETRY_BASE_MS,
  maxMs: config.CONSUMER_RETRY_MAX_MS,
});

export const consumerSettingsFrom = (config: AppConfig): ConsumerSettings => ({
  amqpUrl: config.AMQP_URL,
  exchange: config.EVENTS_EXCHANGE,
  retry: retryPolicyFrom(config),
  limits: { maxBodyBytes: config.CONSUMER_MAX_BODY_BYTES, maxJsonDepth: config.CONSUMER_MAX_JSON_DEPTH },
  handlerTimeoutMs: config.CONSUMER_HANDLER_TIMEOUT_MS,
  shutdownTimeoutMs: config.CONSUMER_SHUTDOWN_TIMEOUT_MS,
  controlPollMs: config.CONSUMER_CONTROL_POLL_MS,
  declareTopology: config.DECLARE_TOPOLOGY,
});
