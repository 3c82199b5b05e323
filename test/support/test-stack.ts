import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import postgres from 'postgres';
import { inject } from 'vitest';
import { loadConfig, type AppConfig } from '../../config/env';
import { TEST_JWT_SECRET } from './tokens';
import { HARNESS_RATE_LIMITS } from '../../tools/environment/rate-limits';
import { connectDb, type DbHandle } from '../../db/client';
import type { OrderSagaInput } from '../../domain/order';
import { inventory } from '../../drizzle/schema';
import { createLogger } from '../../logging/logger';
import { OutboxRelay, type RelayHooks, type RelaySettings } from '../../outbox/relay';
import { connectTemporalClient } from '../../saga-client/connect';
import type { OrderSagaHandle } from '../../saga-client/order-handle';
import { startOrderSaga } from '../../saga-client/start-order-saga';
import { temporalSagaClient, type TemporalSagaClient } from '../../saga-client/temporal-saga-client';
import { cloneRunDatabase } from '../../tools/environment/run-database';
import { declareRunExchange, deleteRunExchange, runExchangeName } from '../../tools/environment/run-exchange';
import { uniqueSuffix } from '../../tools/environment/run-identity';
import { createSagaWorker } from '../../workers/create-saga-worker';
import { EventProbe } from './event-probe';
import { installQuietRuntime } from './quiet-runtime';

export interface TestStack {
  config: AppConfig;
  databaseUrl: string;
  db: DbHandle;
  /** Temporal itself, for tests that look at the workflow (histories, search attributes, handles). */
  client: Client;
  /** The sagas of this stack's task queue, by order id, as the API reaches them. */
  sagas: TemporalSagaClient;
  taskQueue: string;
  exchange: string;
  probe: EventProbe;
  relaySettings: RelaySettings;
  /** The application_name of the relays' database connections, to find them in pg_stat_activity. */
  relayApplicationName: string;
  /** Starts another relay on this stack's database and exchange. */
  startRelay(options?: { hooks?: RelayHooks; settings?: Partial<RelaySettings> }): Promise<OutboxRelay>;
  /** Adds a SKU only this test uses, so tests never share stock. */
  addSku(fields: { priceCents: number; onHand: number }): Promise<string>;
  orderInput(overrides?: Partial<OrderSagaInput>): OrderSagaInput;
  startOrder(input: OrderSagaInput): Promise<OrderSagaHandle>;
  close(): Promise<void>;
}

/**
 * A stack of real services for one test file: its own database (cloned from the run's
 * template), its own events exchange and Temporal task queue, a saga worker and a relay.
 */
export interface TestStackOptions {
  worker?: boolean;
  relay?: boolean;
  /** The binding key of the stack's probe queue; '#' receives every event. */
  probePattern?: string;
}

export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const { worker: withWorker = true, relay: withRelay = true, probePattern = '#' } = options;
  installQuietRuntime();
  const suffix = `${inject('runId')}_${uniqueSuffix()}`;
  const database = await cloneRunDatabase(inject('templateDatabaseUrl'));
  const databaseUrl = database.url;

  const exchange = runExchangeName('test', suffix);
  const taskQueue = `orders-test-${suffix}`;
  const config: AppConfig = {
    ...loadConfig(),
    JWT_SECRET: TEST_JWT_SECRET,
    ...HARNESS_RATE_LIMITS,
    DATABASE_URL: databaseUrl,
    EVENTS_EXCHANGE: exchange,
    TEMPORAL_TASK_QUEUE: taskQueue,
    LOG_LEVEL: 'warn',
  };
  const relaySettings: RelaySettings = {
    amqpUrl: config.AMQP_URL,
    exchange,
    batchSize: 200,
    batchesInFlight: 3,
    maxInFlight: 500,
    pollIntervalMs: 250,
    maxAttempts: 3,
    backoffBaseMs: 100,
    backoffMaxMs: 1000,
    retention: { outboxMs: 60 * 60 * 1000, inboxMs: 60 * 60 * 1000, idempotencyKeyMs: 60 * 60 * 1000, orderEventHistoryMs: 0 },
    cleanupIntervalMs: 60_000,
    leaseMs: 10_000,
  };
  const log = createLogger(`test-${suffix}`, 'warn');
  const db = connectDb(databaseUrl, { applicationName: `test-${suffix}` });
  const relayApplicationName = `relay-${suffix}`;
  const relaySql = postgres(databaseUrl, { max: 6, onnotice: () => {}, connection: { application_name: relayApplicationName } });
  const relays: OutboxRelay[] = [];
  const startRelay = async ({ hooks, settings }: { hooks?: RelayHooks; settings?: Partial<RelaySettings> } = {}) => {
    const relay = new OutboxRelay(relaySql, { ...relaySettings, ...settings }, log, hooks);
    await relay.start();
    relays.push(relay);
    return relay;
  };

  await declareRunExchange(config.AMQP_URL, exchange);
  const probe = await EventProbe.bind(config.AMQP_URL, exchange, probePattern);
  const client = await connectTemporalClient(config);
  const sagas = temporalSagaClient(client, { taskQueue });

  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;
  let nativeConnection: NativeConnection | undefined;
  if (withWorker) {
    nativeConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
    worker = await createSagaWorker({
      connection: nativeConnection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue,
      db: db.db,
      workflowBundle: { codePath: inject('workflowBundlePath') },
    });
    workerRun = worker.run();
  }
  if (withRelay) await startRelay();

  return {
    config,
    databaseUrl,
    db,
    client,
    sagas,
    taskQueue,
    exchange,
    probe,
    relaySettings,
    relayApplicationName,
    startRelay,
    async addSku({ priceCents, onHand }) {
      const sku = `SKU-T-${uniqueSuffix().toUpperCase()}`;
      await db.db.insert(inventory).values({ sku, name: `test item ${sku}`, priceCents, onHand });
      return sku;
    },
    orderInput(overrides = {}) {
      return {
        orderId: randomUUID(),
        customerId: `customer-${uniqueSuffix()}`,
        items: [{ sku: 'SKU-RED-MUG', quantity: 1 }],
        payment: { token: 'tok_visa' },
        shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
        ...overrides,
      };
    },
    startOrder(input) {
      return startOrderSaga(client, input, taskQueue);
    },
    async close() {
      const problems: unknown[] = [];
      const attempt = async (step: () => Promise<unknown>) => {
        try {
          await step();
        } catch (error) {
          problems.push(error);
        }
      };
      if (worker) {
        worker.shutdown();
        await attempt(() => workerRun!);
      }
      for (const relay of relays) await attempt(() => relay.stop());
      await attempt(() => probe.close());
      // Every message the suite sees on the broker matches the events' published contract.
      if (probe.contractViolations.length > 0) {
        problems.push(new Error(`messages broke the events' contract (docs/events.md):\n${probe.contractViolations.join('\n')}`));
      }
      await attempt(() => deleteRunExchange(config.AMQP_URL, exchange));
      await attempt(() => sagas.close());
      await attempt(() => client.connection.close());
      if (nativeConnection) await attempt(() => nativeConnection.close());
      await attempt(() => relaySql.end({ timeout: 5 }));
      await attempt(() => db.close());
      await attempt(() => database.drop());
      if (problems.length > 0) throw new AggregateError(problems, 'test stack did not close cleanly');
    },
  };
}

/** Environment for an app process (tools/environment/app-entries.ts) pointed at this stack: the API on a port of the OS's choosing. */
export function appProcessEnv(stack: TestStack, overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: stack.databaseUrl,
    EVENTS_EXCHANGE: stack.exchange,
    TEMPORAL_TASK_QUEUE: stack.taskQueue,
    API_HOST: '127.0.0.1',
    API_PORT: '0',
    JWT_SECRET: TEST_JWT_SECRET,
    ...overrides,
  };
}
