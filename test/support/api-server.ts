import type { AddressInfo } from 'node:net';
import type { ServerType } from '@hono/node-server';
import { createApp } from '../../api/app';
import type { ApiDeps } from '../../api/deps';
import { createReadinessChecker } from '../../api/readiness';
import { serveApi, serveTimeouts } from '../../api/serve-api';
import { postgresApiStore } from '../../api/store/postgres-store';
import { shippedConsumerControl } from '../../consumers/shipped-consumers';
import type { DbHandle } from '../../db/client';
import { createLogger } from '../../logging/logger';
import { afterAll, beforeAll } from 'vitest';
import { jsonRequest, type JsonRequestInit } from './json-request';
import { startTestStack, type TestStack, type TestStackOptions } from './test-stack';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface RunningApi {
  baseUrl: string;
  /** What the API was built from, overrides included. */
  deps: ApiDeps;
  close(): Promise<void>;
  /** fetch relative to the API, JSON in and out. */
  request(path: string, init?: JsonRequestInit): Promise<Response>;
}

/** Any of the API's dependencies in place of the stack's; `db` replaces the database behind the store and /readyz. */
export type ApiOverrides = Partial<ApiDeps> & { db?: DbHandle };

let apiCount = 0;

/** The real API on a real port (chosen by the OS), wired to the test file's stack. */
export async function startApi(stack: TestStack, overrides: ApiOverrides = {}): Promise<RunningApi> {
  const log = createLogger('test-api', 'warn');
  // The shipped consumers' queues under the stack's own prefix, so runs never share them.
  const consumerConfig = { ...stack.config, CONSUMER_QUEUE_PREFIX: `${stack.exchange}.` };
  const consumers = overrides.consumers ?? shippedConsumerControl(consumerConfig, stack.db.db, log);
  const config = { ...stack.config, ADMIN_TOKEN: TEST_ADMIN_TOKEN, ...overrides.config };
  const { db = stack.db, ...depsOverrides } = overrides;
  const sagas = overrides.sagas ?? stack.sagas;
  const store = overrides.store ?? postgresApiStore(db.db);
  // Named after the stack and a count, so a test can find this API's broker connection.
  const readiness =
    overrides.readiness ??
    createReadinessChecker({
      sagas,
      sql: db.sql,
      amqpUrl: config.AMQP_URL,
      cacheMs: config.READINESS_CACHE_MS,
      connectionName: `readiness-${stack.exchange}-${++apiCount}`,
      log,
    });
  const deps: ApiDeps = { log, adminToken: TEST_ADMIN_TOKEN, ...depsOverrides, config, sagas, store, consumers, readiness };
  const app = createApp(deps);
  const server: ServerType = await new Promise((resolve) => {
    const started = serveApi(app, { port: 0, hostname: '127.0.0.1', timeouts: serveTimeouts(config) }, () => resolve(started));
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl,
    deps,
    async close() {
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      if (!overrides.consumers) await consumers.close();
      if (!overrides.readiness) await readiness.close();
    },
    request: async (path, init = {}) => fetch(`${baseUrl}${path}`, await jsonRequest(init, { adminToken: TEST_ADMIN_TOKEN, config })),
  };
}

/** Polls GET /orders/:id until the saga reports `status`. */
export async function waitForOrderStatus(
  api: RunningApi,
  orderId: string,
  status: string,
  timeoutMs = 20_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  let last: Record<string, unknown> = {};
  while (Date.now() < deadline) {
    const response = await api.request(`/orders/${orderId}`);
    last = (await response.json()) as Record<string, unknown>;
    if (last.status === status) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`order ${orderId} did not reach ${status}; last answer ${JSON.stringify(last)}`);
}

/**
 * Gives a test file its own stack and API, started before its tests and closed after them.
 * Read `stack` and `api` inside tests, not at module level.
 */
export function useApiStack(stackOptions: TestStackOptions = {}, apiOverrides: (stack: TestStack) => ApiOverrides = () => ({})) {
  const context = {} as { stack: TestStack; api: RunningApi };
  beforeAll(async () => {
    context.stack = await startTestStack(stackOptions);
    context.api = await startApi(context.stack, apiOverrides(context.stack));
  });
  afterAll(async () => {
    await context.api?.close();
    await context.stack?.close();
  });
  return context;
}
