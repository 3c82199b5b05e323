import { Client, Connection } from '@temporalio/client';
import type { AppConfig } from '../config/env';

/** A Temporal client for the configured namespace; close it with `client.connection.close()`. */
export async function connectTemporalClient(config: Pick<AppConfig, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE'>): Promise<Client> {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
}
