import type { AppConfig } from '../config/env';
import type { RelaySettings } from './relay';

export const relaySettingsFrom = (config: AppConfig): RelaySettings => ({
  amqpUrl: config.AMQP_URL,
  exchange: config.EVENTS_EXCHANGE,
  batchSize: config.RELAY_BATCH_SIZE,
  batchesInFlight: config.RELAY_BATCHES_IN_FLIGHT,
  maxInFlight: config.RELAY_MAX_IN_FLIGHT,
  pollIntervalMs: config.RELAY_POLL_INTERVAL_MS,
  maxAttempts: config.RELAY_MAX_ATTEMPTS,
  backoffBaseMs: config.RELAY_BACKOFF_BASE_MS,
  backoffMaxMs: config.RELAY_BACKOFF_MAX_MS,
  retention: {
    outboxMs: config.RELAY_RETENTION_MS,
    inboxMs: config.INBOX_RETENTION_MS,
    idempotencyKeyMs: config.IDEMPOTENCY_KEY_RETENTION_MS,
    orderEventHistoryMs: config.ORDER_EVENT_HISTORY_RETENTION_MS,
  },
  cleanupIntervalMs: config.RELAY_CLEANUP_INTERVAL_MS,
  leaseMs: config.RELAY_LEASE_MS,
  declareTopology: config.DECLARE_TOPOLOGY,
});
