import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { randomUUID } from 'node:crypto';
import amqp, { type Options } from 'amqplib';
import { connectDb, type DbHandle, type Transaction } from '../../db/client';
import { createLogger } from '../../logging/logger';
import { BrokerSession } from '../../messaging/broker-session';
import { createConsumerControl, type ConsumerControl } from '../../messaging/consumer-control';
import type { ConsumerDefinition, EventHandler } from '../../messaging/consumer-definition';
import { ConsumerRunner } from '../../messaging/consumer-runner';
import type { ConsumerSettings } from '../../messaging/consumer-settings';
import { consumerQueuesOf } from '../../messaging/consumer-topology';
import type { EventName } from '../../domain/events';
import type { Envelope, EventContent } from '../../messaging/envelope';
import { inspectQueue } from '../../messaging/queue-inspection';
import { assertEventsTopology } from '../../messaging/topology';
import { ConfirmPublisher, outboxMessage } from '../../outbox/confirm-publisher';
import type { OutboxRow } from '../../outbox/outbox-row';
import { sql } from 'drizzle-orm';
import { queueCounts } from './broker';
import { startTestStack, type TestStack } from './test-stack';

/** Short back-off tiers (150 ms, 300 ms) and three attempts, so retry tests take a second. */
export const TEST_RETRY = { maxAttempts: 3, baseMs: 150, maxMs: 300 };

export interface ConsumerKit {
  settings: ConsumerSettings;
  /** The test database the instances write to. */
  databaseUrl: string;
  control: ConsumerControl;
  /** A consumer on a queue only this test file uses, bound to `#` unless told otherwise. */
  define(name: string, handlers: Partial<Record<EventName, EventHandler>>, overrides?: Partial<ConsumerDefinition>): ConsumerDefinition;
  /** Starts an instance with its own database pool, as a separate process would have (at `databaseUrl` when given). */
  start(definition: ConsumerDefinition, options?: { databaseUrl?: string }): Promise<ConsumerRunner>;
  /** Publishes envelopes exactly as the outbox relay does (same publisher, same properties). */
  publish(envelopes: readonly Envelope[]): Promise<void>;
  /** Publishes raw bytes with a routing key on the stack's exchange. */
  publishRaw(routingKey: string, body: Buffer, properties?: Options.Publish): Promise<void>;
  /** Rows of the test_effects table, one per committed handler effect; only those of `messageIds` when given. */
  effects(messageIds?: readonly string[]): Promise<{ messageId: string; instance: string; attempt: number; at: Date }[]>;
  /** The environment of a consumer process (test/support/consumer-process.ts) for `definition`. */
  processEnv(definition: ConsumerDefinition, instance: string, extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** Stops the instances started so far and deletes their consumers' queues: call after each test. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export const envelope = (name: EventName, content: EventContent = {}, orderId: string = randomUUID()): Envelope => ({
  messageId: randomUUID(),
  name,
  content: { orderId, ...content },
  metadata: { correlationId: orderId, causationId: `test/${name}`, createdUtc: new Date().toISOString() },
});

/** Writes one effect row in the handler's transaction; no unique key, so a double effect would show. */
/** The relay's bytes and properties for `envelope`. */
export function relayMessage(envelope: Envelope): { body: Buffer; properties: Options.Publish } {
  const row = {
    id: envelope.messageId,
    seq: '0',
    aggregateId: envelope.metadata.correlationId,
    name: envelope.name,
    payload: envelope.content,
    metadata: envelope.metadata,
    attempts: 0,
    due: true,
  };
  return outboxMessage(row);
}

export async function recordEffect(tx: Transaction, messageId: string, instance: string, attempt: number): Promise<void> {
  await tx.execute(sql`INSERT INTO test_effects (message_id, instance, attempt) VALUES (${messageId}, ${instance}, ${attempt})`);
}

export const CREATE_EFFECTS_TABLE = `CREATE TABLE IF NOT EXISTS test_effects (
  message_id uuid NOT NULL, instance text NOT NULL, attempt integer NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`;

export async function startConsumerKit(stack: TestStack, settings: Partial<ConsumerSettings> = {}): Promise<ConsumerKit> {
  const log = createLogger('consumer-test', process.env.TEST_LOG_LEVEL ?? 'silent');
  const fullSettings: ConsumerSettings = {
    amqpUrl: stack.config.AMQP_URL,
    exchange: stack.exchange,
    retry: TEST_RETRY,
    limits: { maxBodyBytes: stack.config.CONSUMER_MAX_BODY_BYTES, maxJsonDepth: stack.config.CONSUMER_MAX_JSON_DEPTH },
    handlerTimeoutMs: stack.config.CONSUMER_HANDLER_TIMEOUT_MS,
    shutdownTimeoutMs: 10_000,
    controlPollMs: 500,
    ...settings,
  };
  await stack.db.sql.unsafe(CREATE_EFFECTS_TABLE);
  const definitions: ConsumerDefinition[] = [];
  const runners: ConsumerRunner[] = [];
  const pools: DbHandle[] = [];
  const publishSession = await BrokerSession.open(fullSettings.amqpUrl, `test-publisher-${stack.exchange}`, log, {
    prepare: (channel) => assertEventsTopology(channel, stack.exchange),
  });
  const publisher = new ConfirmPublisher(publishSession, stack.exchange, 500);
  const rawConnection = await amqp.connect(fullSettings.amqpUrl);
  const rawChannel = await rawConnection.createConfirmChannel();
  const control = createConsumerControl({
    db: stack.db.db,
    amqpUrl: fullSettings.amqpUrl,
    consumers: definitions,
    retry: fullSettings.retry,
    log,
  });

  return {
    settings: fullSettings,
    databaseUrl: stack.databaseUrl,
    control,
    define(name, handlers, overrides = {}) {
      const definition: ConsumerDefinition = {
        name,
        queue: `${stack.exchange}.${name}`,
        bindings: ['#'],
        prefetch: 10,
        handlers,
        ...overrides,
      };
      definitions.push(definition);
      return definition;
    },
    async start(definition, { databaseUrl = stack.databaseUrl } = {}) {
      const db = connectDb(databaseUrl, {
        max: Math.max(2, definition.prefetch),
        applicationName: `consumer-test-${definition.name}`,
      });
      pools.push(db);
      const runner = new ConsumerRunner(definition, { db, settings: fullSettings, log });
      runners.push(runner);
      await runner.start();
      return runner;
    },
    async publish(envelopes) {
      const rows: OutboxRow[] = envelopes.map((e, i) => ({
        id: e.messageId,
        seq: String(i),
        aggregateId: e.metadata.correlationId,
        name: e.name,
        payload: e.content,
        metadata: e.metadata,
        attempts: 0,
        due: true,
      }));
      const results = await publisher.publishAll(rows);
      if (results.confirmed.length !== rows.length)
        throw new Error(`only ${results.confirmed.length} of ${rows.length} test events were confirmed`);
    },
    publishRaw(routingKey, body, properties = {}) {
      return new Promise((resolve, reject) =>
        rawChannel.publish(stack.exchange, routingKey, body, { persistent: true, ...properties }, (error: unknown) =>
          error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
        ),
      );
    },
    async effects(messageIds) {
      const rows = await stack.db.sql<{ messageId: string; instance: string; attempt: number; at: Date }[]>`
        SELECT message_id AS "messageId", instance, attempt, at FROM test_effects ORDER BY at`;
      if (!messageIds) return rows;
      const wanted = new Set(messageIds);
      return rows.filter((row) => wanted.has(row.messageId));
    },
    processEnv(definition, instance, extra = {}) {
      return {
        DATABASE_URL: stack.databaseUrl,
        AMQP_URL: fullSettings.amqpUrl,
        EVENTS_EXCHANGE: stack.exchange,
        CONSUMER_MAX_ATTEMPTS: String(fullSettings.retry.maxAttempts),
        CONSUMER_RETRY_BASE_MS: String(fullSettings.retry.baseMs),
        CONSUMER_RETRY_MAX_MS: String(fullSettings.retry.maxMs),
        CONSUMER_CONTROL_POLL_MS: String(fullSettings.controlPollMs),
        CONSUMER_SHUTDOWN_TIMEOUT_MS: String(fullSettings.shutdownTimeoutMs),
        CONSUMER_MAX_BODY_BYTES: String(fullSettings.limits.maxBodyBytes),
        CONSUMER_MAX_JSON_DEPTH: String(fullSettings.limits.maxJsonDepth),
        CONSUMER_HANDLER_TIMEOUT_MS: String(fullSettings.handlerTimeoutMs),
        LOG_LEVEL: 'warn',
        TEST_CONSUMER_NAME: definition.name,
        TEST_CONSUMER_QUEUE: definition.queue,
        TEST_PREFETCH: String(definition.prefetch),
        TEST_INSTANCE: instance,
        ...extra,
      };
    },
    reset,
    async close() {
      await reset();
      await control.close();
      await publishSession.close();
      await rawConnection.close();
    },
  };

  async function reset(): Promise<void> {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
    await Promise.all(pools.splice(0).map((pool) => pool.close()));
    const channel = await rawConnection.createChannel();
    for (const definition of definitions.splice(0)) {
      const { queue, deadLetter, retries } = consumerQueuesOf(definition, fullSettings.retry);
      for (const name of [queue, deadLetter, ...retries]) await channel.deleteQueue(name);
    }
    await channel.close();
  }
}

/**
 * Nothing left behind: no delivery in flight, the broker counts no message in `queue` (ready or
 * unacknowledged; its counts for quorum queues lag by a few seconds, hence the wait), and once
 * the runner stops, which returns anything still unacknowledged to the queue, the queue is empty.
 */
/**
 * `heldForDeadLettering`: messages the queue itself holds because their dead-letter target refuses
 * them (at-least-once dead-lettering); RabbitMQ counts them in `messages` on some timings, never as
 * unacknowledged, and they hold no prefetch slot.
 */
export async function expectAllSettled(kit: ConsumerKit, runner: ConsumerRunner, queue: string, heldForDeadLettering = 0): Promise<void> {
  await waitFor(() => runner.inFlight === 0, 'no delivery in flight');
  let counts = await queueCounts(queue);
  await waitFor(
    async () => {
      counts = await queueCounts(queue);
      return counts.messages <= heldForDeadLettering && counts.unacknowledged === 0;
    },
    `the broker to count no message in ${queue} (last: ${JSON.stringify(counts)})`,
    20_000,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}; the broker still counts ${JSON.stringify(counts)}`);
  });
  await runner.stop();
  const connection = await amqp.connect(kit.settings.amqpUrl);
  try {
    expect((await inspectQueue(connection, queue))?.messages, 'messages back in the queue after the runner stopped').toBeLessThanOrEqual(
      heldForDeadLettering,
    );
  } finally {
    await connection.close();
  }
}

export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** messageId -> how many effects it produced. */
export function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/**
 * Gives a test file a stack without worker or relay and a consumer kit on it; instances are
 * stopped and queues deleted after each test. Read `stack` and `kit` inside tests.
 */
export function useConsumerKit() {
  const context = {} as { stack: TestStack; kit: ConsumerKit };
  beforeAll(async () => {
    context.stack = await startTestStack({ worker: false, relay: false, probePattern: 'no.events.wanted' });
    context.kit = await startConsumerKit(context.stack);
  });
  afterEach(() => context.kit.reset());
  afterAll(async () => {
    await context.kit?.close();
    await context.stack?.close();
  });
  return context;
}
