import type { AddressInfo } from 'node:net';
import type { ServerType } from '@hono/node-server';
import { createApp } from '../../api/app';
import type { ApiDeps } from '../../api/deps';
import { createReadinessChecker } from '../../api/readiness';
import { serveApi, serveTimeouts } from '../../api/serve-api';
import { postgresApiStore } from '../../api/store/postgres-store';
import { postgresTicketStore } from '../../api/store/event-stream-tickets';
import { startEventStreams } from '../../api/event-streams/event-streams';
import { shippedConsumerControl } from '../../consumers/shipped-consumers';
import type { DbHandle } from '../../db/client';
import { createLogger } from '../../logging/logger';
import { afterAll, beforeAll } from 'vitest';
import { createApiClient, type ApiClient } from '../../api/client/create-api-client';
import type { components } from '../../api/client/openapi';
import { callerFetch, jsonRequest, type JsonRequestInit, type TestCaller, type TestCredentials } from './json-request';
import { orderBody, type SubmitOrder } from './order-body';
import { startTestStack, type TestStack, type TestStackOptions } from './test-stack';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface RunningApi {
  baseUrl: string;
  /** What the API was built from, overrides included. */
  deps: ApiDeps;
  close(): Promise<void>;
  /** The generated client (api/client/), calling as `as`: the admin token by default. Reach for this first. */
  client(as?: TestCaller): ApiClient;
  /**
   * fetch relative to the API, for what the client cannot send: malformed or hostile input, unlisted
   * routes, the wire format itself. Allowed only in the files eslint.config.js lists (rawRequestFiles).
   */
  rawRequest(path: string, init?: JsonRequestInit): Promise<Response>;
}

/** Any of the API's dependencies in place of the stack's; `db` replaces the database behind the store and /readyz. */
export type ApiOverrides = Partial<ApiDeps> & { db?: DbHandle };

type OrderState = components['schemas']['OrderState'];
type SubmittedOrder = components['schemas']['SubmittedOrder'];

let apiCount = 0;

/** The real API on a real port (chosen by the OS), wired to the test file's stack. */
export async function startApi(stack: TestStack, overrides: ApiOverrides = {}): Promise<RunningApi> {
  const log = createLogger('test-api', 'warn');
  const config = { ...stack.config, ADMIN_TOKEN: TEST_ADMIN_TOKEN, ...overrides.config };
  // The shipped consumers' queues under the stack's own prefix, so runs never share them.
  const consumerConfig = { ...config, CONSUMER_QUEUE_PREFIX: `${stack.exchange}.` };
  const consumers = overrides.consumers ?? shippedConsumerControl(consumerConfig, stack.db.db, log);
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
  // The hub listens on the stack's database even when `db` is a broken one, as a test of /readyz wants.
  const streams = overrides.streams ?? startEventStreams(config, stack.db.sql, postgresTicketStore(db.db), log);
  const deps: ApiDeps = { log, adminToken: TEST_ADMIN_TOKEN, ...depsOverrides, config, sagas, store, consumers, readiness, streams };
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
      // As the API process does: streams end first, so the server's close does not wait on them.
      if (!overrides.streams) await streams.close();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      if (!overrides.consumers) await consumers.close();
      if (!overrides.readiness) await readiness.close();
    },
    rawRequest: async (path, init = {}) => fetch(`${baseUrl}${path}`, await jsonRequest(init, { adminToken: TEST_ADMIN_TOKEN, config })),
    client: (as = 'admin') => apiClientAt(baseUrl, config, as),
  };
}

/**
 * The generated client of the API at `baseUrl` (this file's startApi, or an API process a test
 * spawned), calling as `as`: `config` signs a customer's token, `adminToken` is the admin's.
 */
export function apiClientAt(
  baseUrl: string,
  config: TestCredentials['config'],
  as: TestCaller = 'admin',
  adminToken = TEST_ADMIN_TOKEN,
): ApiClient {
  return createApiClient({ baseUrl, fetch: callerFetch(fetch, as, { adminToken, config }) });
}

/** POST /orders through the generated client as `as` (the admin by default); throws with the answer unless the saga started. */
export async function submitOrder(
  api: Pick<RunningApi, 'client'>,
  body: SubmitOrder = orderBody(),
  as: TestCaller = 'admin',
): Promise<SubmittedOrder> {
  const { data, error, response } = await api.client(as).POST('/orders', { body, params: { header: {} } });
  if (!data) throw new Error(`POST /orders answered ${response.status}: ${JSON.stringify(error)}`);
  return data;
}

/** Polls GET /orders/:id until the saga reports `status`. */
export async function waitForOrderStatus(api: RunningApi, orderId: string, status: string, timeoutMs = 20_000): Promise<OrderState> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const answer = await api.client().GET('/orders/{id}', { params: { path: { id: orderId } } });
    last = answer.data ?? answer.error;
    if (answer.data?.status === status) return answer.data;
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
