import type { AppConfig } from '../config/env';
import type { Logger } from '../logging/logger';
import type { ConsumerControl } from '../messaging/consumer-control';
import type { SagaClient } from '../saga-client/saga-client';
import type { EventStreams } from './event-streams/event-streams';
import type { ReadinessChecker } from './readiness';
import type { ApiStore } from './store/api-store';

/**
 * Everything the API needs from its process, as interfaces: workers/run-api.ts wires the real ones,
 * the integration tests the same against their own stack, the fast tests fakes.
 */
export interface ApiDeps {
  config: AppConfig;
  log: Logger;
  adminToken: string;
  /** The order sagas in Temporal, by order id. */
  sagas: SagaClient;
  /** What the API reads and writes in Postgres itself. */
  store: ApiStore;
  /** Operates the consumers, which run in their own processes. */
  consumers: ConsumerControl;
  /** Probes Temporal, Postgres and RabbitMQ for /readyz over connections it keeps. */
  readiness: ReadinessChecker;
  /** Open event streams: the process's one LISTEN hub, their caps, and stream tickets. Closed by the process on stop. */
  streams: EventStreams;
  /** True when the process traces: each request gets a server span (telemetry/tracing.ts). */
  tracing?: boolean;
}
