import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config/env';
import type { DbHandle } from '../db/client';
import type { Logger } from '../logging/logger';

/** Everything the API needs from its process; tests build it against their own stack. */
export interface ApiDeps {
  config: AppConfig;
  client: Client;
  db: DbHandle;
  log: Logger;
  adminToken: string;
}
