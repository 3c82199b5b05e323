import { Client, Connection, type ConnectionLike } from '@temporalio/client';
import type { AppConfig } from '../config/env';
import { tracingClientInterceptors } from '../telemetry/temporal-tracing';

/** A Temporal client for the configured namespace; close it with `client.connection.close()`. */
export async function connectTemporalClient(config: Pick<AppConfig, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE'>): Promise<Client> {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  // With tracing on, start/signal/query carry the caller's span (the HTTP request's) to the workflow.
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: { workflow: tracingClientInterceptors() } });
}

/**
 * A connection to the same server as `connection` (address, TLS, metadata) with no retry
 * interceptor, for calls whose failure is final; it connects on first use. Another
 * ConnectionLike (a worker's NativeConnection) is used as it is, and is not the caller's to close.
 */
export function unretriedConnection(connection: ConnectionLike): { connection: ConnectionLike; close(): Promise<void> } {
  if (!(connection instanceof Connection)) return { connection, close: async () => {} };
  const { address, credentials, channelArgs, metadata } = connection.options;
  const plain = Connection.lazy({ address, credentials, channelArgs, metadata, interceptors: [] });
  return { connection: plain, close: () => plain.close() };
}
