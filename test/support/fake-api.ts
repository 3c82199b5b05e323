import type { OpenAPIHono } from '@hono/zod-openapi';
import { createApp } from '../../api/app';
import type { ApiDeps } from '../../api/deps';
import type { ApiEnv } from '../../api/hono-env';
import type { Readiness } from '../../api/readiness';
import type { ApiStore } from '../../api/store/api-store';
import type { DeadLetterActionRecord } from '../../api/store/dead-letter-actions';
import type { OrderEvent } from '../../api/store/order-events';
import type { OrderStepRetry } from '../../api/store/step-retries';
import { loadConfig } from '../../config/env';
import { priceItems } from '../../db/catalog';
import { mergeItems } from '../../domain/order-limits';
import type { OrderSagaInput, OrderSagaState } from '../../domain/order';
import { createLogger } from '../../logging/logger';
import type { ConsumerControl } from '../../messaging/consumer-control';
import { OrderNotFoundError } from '../../saga-client/errors';
import { decodePageToken } from '../../saga-client/page-token';
import type { OrderListQuery, OrderPage, SagaAnswer, SagaClient, SagaExecution } from '../../saga-client/saga-client';
import { HARNESS_RATE_LIMITS } from '../../tools/environment/rate-limits';
import { createApiClient, type ApiClient } from '../../api/client/create-api-client';
import { callerFetch, jsonRequest, type JsonRequestInit, type TestCaller } from './json-request';
import { memoryEventStreams } from './memory-event-streams';
import { TEST_JWT_SECRET } from './tokens';

/**
 * The HTTP API over in-memory stand-ins for Temporal and Postgres, for the fast tier: requests go
 * through app.request(), no socket and no service. Each fake holds plain data a test sets up and
 * reads back; anything a test did not set up answers as an empty system would.
 */
export const FAKE_ADMIN_TOKEN = 'fake-admin-token-0123456789';

export interface FakeSagas extends SagaClient {
  /** The sagas, by order id: readOrder and describeOrder answer from here. */
  readonly states: Map<string, OrderSagaState>;
  /** What startOrder was given, in order. */
  readonly started: OrderSagaInput[];
  /** Orders whose saga has ended without a state here: startOrder answers 'ended' for them. */
  readonly ended: Set<string>;
  /** What cancel, approve and reject answer; 'unanswered' with the last status, by default. */
  answer: SagaAnswer | undefined;
  /** Each cancel, approve and reject, as it was asked. */
  readonly asked: { request: 'cancel' | 'approve' | 'reject'; orderId: string; argument: unknown; timeoutMs: number }[];
  /** What listOrders answers; it checks a pageToken as the real client does first. */
  page: OrderPage;
  readonly listed: OrderListQuery[];
  /** Order ids whose saga Temporal still runs; every known one when unset. */
  running: Set<string> | undefined;
}

export function fakeSagas(): FakeSagas {
  const sagas: FakeSagas = {
    states: new Map(),
    started: [],
    ended: new Set(),
    answer: undefined,
    asked: [],
    page: { orders: [], nextPageToken: null },
    listed: [],
    running: undefined,
    async startOrder(input) {
      if (sagas.ended.has(input.orderId)) return 'ended';
      sagas.started.push(input);
      return 'running';
    },
    async readOrder(orderId) {
      const state = sagas.states.get(orderId);
      if (!state) throw new OrderNotFoundError(orderId);
      return state;
    },
    async describeOrder(orderId): Promise<SagaExecution | null> {
      const state = sagas.states.get(orderId);
      if (!state) return null;
      return { running: sagas.running?.has(orderId) ?? true, lastReportedStatus: state.status, customerId: state.customerId };
    },
    async listOrders(query) {
      sagas.listed.push(query);
      if (query.pageToken !== undefined) decodePageToken(query.pageToken, { status: query.status, customerId: query.customerId });
      return sagas.page;
    },
    cancel: (orderId, request, timeoutMs) => decide(sagas, 'cancel', orderId, request, timeoutMs),
    approve: (orderId, decision, timeoutMs) => decide(sagas, 'approve', orderId, decision, timeoutMs),
    reject: (orderId, decision, timeoutMs) => decide(sagas, 'reject', orderId, decision, timeoutMs),
    async ping() {},
  };
  return sagas;
}

async function decide(
  sagas: FakeSagas,
  request: 'cancel' | 'approve' | 'reject',
  orderId: string,
  argument: unknown,
  timeoutMs: number,
): Promise<SagaAnswer> {
  sagas.asked.push({ request, orderId, argument, timeoutMs });
  const lastStatus = (await sagas.readOrder(orderId)).status;
  return sagas.answer ?? { outcome: 'unanswered', lastStatus };
}

export interface FakeStore extends ApiStore {
  /** Catalog prices in cents, by SKU. */
  readonly prices: Map<string, number>;
  /** By `${customerId} ${key}`. */
  readonly idempotencyKeys: Map<string, { orderId: string; requestHash: string }>;
  readonly events: OrderEvent[];
  readonly stepRetries: OrderStepRetry[];
  readonly inventory: Map<string, { name: string; priceCents: number; onHand: number; reserved: number }>;
  /** Outbox rows by id: which order they belong to and whether they are dead. */
  readonly outbox: Map<string, { orderId: string; dead: boolean }>;
  /** Orders as PostgreSQL has them, by id: what answers once Temporal has no workflow. */
  readonly archived: Map<string, OrderSagaState>;
  readonly deadLetterActions: DeadLetterActionRecord[];
}

export function fakeStore(): FakeStore {
  const store: FakeStore = {
    prices: new Map([['SKU-RED-MUG', 1250]]),
    idempotencyKeys: new Map(),
    events: [],
    stepRetries: [],
    inventory: new Map(),
    outbox: new Map(),
    archived: new Map(),
    deadLetterActions: [],
    priceAtCatalog: async (items) => priceItems(mergeItems(items), store.prices),
    async claimIdempotencyKey({ customerId, key }, requestHash, orderId) {
      const existing = store.idempotencyKeys.get(`${customerId} ${key}`);
      if (existing) return { ...existing, recordedNow: false };
      store.idempotencyKeys.set(`${customerId} ${key}`, { orderId, requestHash });
      return { orderId, requestHash, recordedNow: true };
    },
    async readOrderEvents(orderId, afterSeq = 0) {
      return store.events.filter((event) => event.metadata.correlationId === orderId && event.seq > afterSeq);
    },
    async findOrderEventSeq(orderId, messageId) {
      return store.events.find((event) => event.metadata.correlationId === orderId && event.messageId === messageId)?.seq ?? null;
    },
    async readArchivedOrder(orderId) {
      return store.archived.get(orderId) ?? null;
    },
    async readOrderDeliveries(orderId) {
      return (await store.readOrderEvents(orderId)).map((event) => ({
        messageId: event.messageId,
        name: event.name,
        committedAt: event.metadata.createdUtc,
        publishedAt: event.publishedAt,
        attempts: event.publishedAt === null ? 0 : 1,
        deadAt: null,
        handledBy: [],
      }));
    },
    async startDeadLetterAction(entry) {
      const record: DeadLetterActionRecord = {
        ...entry,
        id: store.deadLetterActions.length + 1,
        status: 'running',
        error: null,
        messageIds: [],
        count: 0,
        skipped: 0,
        at: new Date().toISOString(),
        finishedAt: null,
      };
      store.deadLetterActions.push(record);
      return record;
    },
    async finishDeadLetterAction(id, outcome) {
      const index = store.deadLetterActions.findIndex((action) => action.id === id && action.status === 'running');
      if (index < 0) throw new Error(`dead-letter action ${id} is not running`);
      const record = { ...store.deadLetterActions[index]!, error: null, ...outcome, finishedAt: new Date().toISOString() };
      store.deadLetterActions[index] = record;
      return record;
    },
    async listDeadLetterActions(consumer, limit) {
      return store.deadLetterActions
        .filter((action) => action.consumer === consumer)
        .reverse()
        .slice(0, limit);
    },
    async readStepRetries({ orderId, onlyStuck, limit = 100 }) {
      return store.stepRetries
        .filter((row) => (orderId === undefined || row.orderId === orderId) && (!onlyStuck || row.stuck))
        .slice(0, limit);
    },
    async setInventory(sku, { onHand, priceCents, name }) {
      const current = store.inventory.get(sku);
      if (current && onHand < current.reserved) return 'below_reserved';
      const item = { name: name ?? current?.name ?? sku, priceCents, onHand, reserved: current?.reserved ?? 0 };
      store.inventory.set(sku, item);
      return { sku, ...item };
    },
    async outboxStats() {
      const rows = [...store.outbox.values()];
      const dead = rows.filter((row) => row.dead).length;
      return { pending: rows.length - dead, published: 0, dead, oldestPendingAgeMs: rows.length > dead ? 0 : null };
    },
    async retryDeadOutboxRow(id) {
      const row = store.outbox.get(id);
      if (!row) return { revived: false, reason: 'not_found' };
      if (!row.dead) return { revived: false, reason: 'not_dead' };
      row.dead = false;
      return { revived: true, orderId: row.orderId };
    },
  };
  return store;
}

const notInTheFastTier = async (): Promise<never> => {
  throw new Error('consumer control is not faked: test/api/admin-consumers.test.ts covers it with a broker');
};

/** Consumers as an empty system has them: none. */
export const noConsumers = (): ConsumerControl => ({
  listConsumers: async () => [],
  getConsumer: notInTheFastTier,
  stopConsumer: notInTheFastTier,
  startConsumer: notInTheFastTier,
  peekDeadLetters: notInTheFastTier,
  replayDeadLetters: notInTheFastTier,
  discardDeadLetters: notInTheFastTier,
  close: async () => {},
});

export interface FakeApi {
  app: OpenAPIHono<ApiEnv>;
  deps: ApiDeps & { sagas: FakeSagas; store: FakeStore };
  /** The generated client (api/client/) over app.request, calling as `as`: the admin token by default. Reach for this first. */
  client(as?: TestCaller): ApiClient;
  /**
   * app.request with JSON in, as the caller `as` names (the admin token by default), for what the client
   * cannot send: malformed or hostile input, unlisted routes, the wire format itself. Allowed only in
   * the files eslint.config.js lists (rawRequestFiles).
   */
  rawRequest(path: string, init?: JsonRequestInit): Promise<Response>;
}

/** The app over fresh fakes; `readiness` answers what `down` says is down. */
export function fakeApi(options: { down?: (keyof Readiness)[]; config?: Partial<ApiDeps['config']> } = {}): FakeApi {
  const checkedAt = new Date().toISOString();
  const check = (name: keyof Readiness) =>
    options.down?.includes(name) ? { up: false, error: `${name} refused the probe`, checkedAt } : { up: true, checkedAt };
  const config = { ...loadConfig({ JWT_SECRET: TEST_JWT_SECRET }), ...HARNESS_RATE_LIMITS, ...options.config };
  const log = createLogger('fake-api', 'silent');
  const deps = {
    config,
    log,
    streams: memoryEventStreams(config, log),
    adminToken: FAKE_ADMIN_TOKEN,
    sagas: fakeSagas(),
    store: fakeStore(),
    consumers: noConsumers(),
    readiness: {
      connectionName: 'fake-readiness',
      check: async () => ({ temporal: check('temporal'), postgres: check('postgres'), rabbitmq: check('rabbitmq') }),
      close: async () => {},
    },
  };
  const app = createApp(deps);
  return {
    app,
    deps,
    rawRequest: async (path, init = {}) =>
      app.request(path, await jsonRequest(init, { adminToken: FAKE_ADMIN_TOKEN, config: deps.config })),
    client: (as = 'admin') =>
      createApiClient({
        baseUrl: 'http://api.test',
        fetch: callerFetch(async (request) => app.request(request), as, { adminToken: FAKE_ADMIN_TOKEN, config: deps.config }),
      }),
  };
}

/** A saga's state as the saga reports it, for `states`. */
export function sagaState(orderId: string, overrides: Partial<OrderSagaState> = {}): OrderSagaState {
  return {
    orderId,
    customerId: 'cust-42',
    status: 'PENDING',
    totalCents: 1250,
    currency: 'EUR',
    lines: [{ sku: 'SKU-RED-MUG', quantity: 1, unitPriceCents: 1250 }],
    steps: [],
    compensations: [],
    failure: null,
    waitingFor: null,
    ...overrides,
  };
}
