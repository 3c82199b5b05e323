import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config/env';
import type { DbHandle } from '../db/client';
import type { Logger } from '../logging/logger';
import type { ConsumerControl } from '../messaging/consumer-control';
import type { ReadinessChecker } from './readiness';

/** Everything the API needs from its process; tests build it against their own stack. */
export interface ApiDeps {
  config: AppConfig;
  client: Client;
  db: DbHandle;
  log: Logger;
  adminToken: string;
  /** Operates the consumers, which run in their own processes. */
  consumers: ConsumerControl;
  /** Probes Temporal, Postgres and RabbitMQ for /readyz over connections it keeps. */
  readiness: ReadinessChecker;
}
