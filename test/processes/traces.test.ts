import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox } from '../../drizzle/schema';
import { waitForStatus } from '../../saga-client/wait-for-status';
import { API, appEntry, CONSUMERS, RELAY, SAGA_WORKER } from '../../tools/environment/app-entries';
import { writeWorkflowBundle } from '../../tools/environment/workflow-bundle';
import { apiClientAt, TEST_ADMIN_TOKEN } from '../support/api-server';
import { spawnTs, type RunningChild } from '../support/child-process';
import { waitFor } from '../support/consumer-kit';
import { orderBody, type SubmitOrder } from '../support/order-body';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../../tools/environment/otlp-receiver';
import { deleteShippedQueues } from '../support/shipped-queues';
import { appProcessEnv, startTestStack, type TestStack } from '../support/test-stack';

/**
 * One trace per order across the four app processes, each a real child process exporting to an
 * OTLP receiver in this test: POST /orders (api) → the saga's workflow and activities
 * (saga-worker) → one publish per outbox row (outbox-relay) → each consumer's handling (consumers).
 */
let stack: TestStack;
let receiver: OtlpReceiver;
let bundleDir: string;
let prefix: string;
const children: RunningChild[] = [];
let consumers: RunningChild;
let apiUrl: string;
let relay: RunningChild;
let env: (overrides?: NodeJS.ProcessEnv) => NodeJS.ProcessEnv;

// OTLP span kinds (one more than the API's SpanKind).
const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;

beforeAll(async () => {
  stack = await startTestStack({ worker: false, relay: false, probePattern: 'no.events.wanted' });
  receiver = await startOtlpReceiver();
  bundleDir = await mkdtemp(join(tmpdir(), 'saga-traced-bundle-'));
  const bundle = await writeWorkflowBundle(bundleDir, { tracing: true });
  prefix = `${stack.exchange}.`;
  env = (overrides: NodeJS.ProcessEnv = {}) =>
    appProcessEnv(stack, {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      // Spans leave within 100 ms, not the default 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '100',
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      WORKFLOW_BUNDLE_PATH: bundle,
      CONSUMER_QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'info',
      ...overrides,
    });
  const worker = spawnTs(appEntry(SAGA_WORKER), env());
  relay = spawnTs(appEntry(RELAY), env());
  // debug: the consumers log each handled message, inside its span.
  consumers = spawnTs(appEntry(CONSUMERS), env({ LOG_LEVEL: 'debug' }));
  const api = spawnTs(appEntry(API), env());
  children.push(worker, relay, consumers, api);
  await Promise.all([
    worker.waitForLog('saga worker running'),
    relay.waitForLog('outbox relay started'),
    consumers.waitForLog('consumers running'),
    api.waitForLog('API listening'),
  ]);
  apiUrl = /"url":"([^"]+)"/.exec(api.output())![1]!;
}, 180_000);

afterAll(async () => {
  for (const child of children) if (child.child.exitCode === null) child.child.kill('SIGTERM');
  await Promise.all(children.map((child) => child.exited));
  if (stack) await deleteShippedQueues(stack, prefix);
  await receiver?.close();
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
  await stack?.close();
}, 60_000);

async function submitOrder(body: SubmitOrder): Promise<string> {
  const { data, error, response } = await apiClientAt(apiUrl, stack.config).POST('/orders', { body, params: { header: {} } });
  expect(response.status, JSON.stringify(error)).toBe(202);
  return data!.orderId;
}

/** Waits until the order's trace holds its workflow's end, a publish per outbox row and the projection's handling of each. */
async function traceOf(orderId: string): Promise<{ root: ReceivedSpan; spans: ReceivedSpan[]; messageIds: string[] }> {
  const rows = await stack.db.db.select({ id: outbox.id }).from(outbox).where(eq(outbox.aggregateId, orderId)).orderBy(asc(outbox.seq));
  const messageIds = rows.map((row) => row.id);
  const projectionQueue = `${prefix}orders.order-projection`;
  let root: ReceivedSpan | undefined;
  const spansOfTrace = () => receiver.spans.filter((span) => span.traceId === root?.traceId);
  await waitFor(
    () => {
      root = receiver.spans.find((span) => span.service === 'api' && span.name === 'POST /orders' && spansHaveOrder(span.traceId, orderId));
      if (!root) return false;
      const spans = spansOfTrace();
      // The workflow's span ends (and leaves the worker) when the saga does.
      if (!spans.some((s) => s.name.startsWith('RunWorkflow:'))) return false;
      return messageIds.every(
        (id) =>
          spans.some((s) => s.kind === PRODUCER && s.attributes['messaging.message.id'] === id) &&
          spans.some((s) => s.kind === CONSUMER && s.name === `process ${projectionQueue}` && s.attributes['messaging.message.id'] === id),
      );
    },
    `the spans of order ${orderId}`,
    30_000,
  );
  return { root: root!, spans: spansOfTrace(), messageIds };
}

/** The trace whose publish spans carry this order's id as conversation id. */
const spansHaveOrder = (traceId: string, orderId: string) =>
  receiver.spans.some((s) => s.traceId === traceId && s.attributes['messaging.message.conversation_id'] === orderId);

function ancestors(span: ReceivedSpan, spans: readonly ReceivedSpan[]): ReceivedSpan[] {
  const chain: ReceivedSpan[] = [];
  let current: ReceivedSpan | undefined = span;
  while (current?.parentSpanId) {
    current = spans.find((candidate) => candidate.spanId === current!.parentSpanId);
    if (current) chain.push(current);
  }
  return chain;
}

/** What an activity's span hangs from, nearest first (span names up to their ':' or ' '). */
const STEP_ANCESTRY = ['RunActivity', 'StartActivity', 'RunWorkflow', 'StartWorkflow', 'POST'];
const kindsAbove = (span: ReceivedSpan, spans: readonly ReceivedSpan[]) => ancestors(span, spans).map((s) => s.name.split(/[: ]/)[0]);

function expectTree(root: ReceivedSpan, spans: readonly ReceivedSpan[]): void {
  expect(root.kind).toBe(SERVER);
  expect(root.attributes['http.route']).toBe('/orders');
  // Every span of the trace hangs, through its parents, from POST /orders.
  for (const span of spans) {
    if (span === root) continue;
    expect(ancestors(span, spans).at(-1), `${span.service} ${span.name} reaches POST /orders`).toBe(root);
  }
  for (const run of spans.filter((s) => s.name.startsWith('RunActivity:'))) {
    expect(kindsAbove(run, spans), run.name).toEqual(STEP_ANCESTRY.slice(1));
  }
}

const activitiesRun = (spans: readonly ReceivedSpan[]) =>
  spans.filter((s) => s.service === 'saga-worker' && s.name.startsWith('RunActivity:')).map((s) => s.name.slice('RunActivity:'.length));

function expectMessaging(spans: readonly ReceivedSpan[], messageIds: readonly string[]): void {
  for (const id of messageIds) {
    const publishes = spans.filter((s) => s.kind === PRODUCER && s.attributes['messaging.message.id'] === id);
    expect(publishes.length).toBeGreaterThanOrEqual(1);
    for (const publish of publishes) {
      expect(publish).toMatchObject({
        service: 'outbox-relay',
        name: `publish ${stack.exchange}`,
        attributes: { 'messaging.system': 'rabbitmq', 'messaging.destination.name': stack.exchange, 'messaging.operation.type': 'send' },
      });
      // Its parent is the activity that wrote the row, under the workflow started by POST /orders.
      expect(kindsAbove(publish, spans)).toEqual(STEP_ANCESTRY);
    }
    const handlings = spans.filter((s) => s.kind === CONSUMER && s.attributes['messaging.message.id'] === id);
    expect(handlings.length).toBeGreaterThanOrEqual(1);
    for (const handling of handlings) {
      expect(handling.service).toBe('consumers');
      expect(handling.attributes['messaging.operation.type']).toBe('process');
      expect(kindsAbove(handling, spans)).toEqual(['publish', ...STEP_ANCESTRY]);
      const parent = spans.find((s) => s.spanId === handling.parentSpanId);
      expect(parent?.kind).toBe(PRODUCER);
      expect(parent?.attributes['messaging.message.id']).toBe(id);
      expect(handling.links).toEqual([{ traceId: parent!.traceId, spanId: parent!.spanId }]);
    }
  }
}

describe('traces across the app processes', () => {
  it('joins POST /orders, every step, every publish and every consumer handling of a completed order in one trace', async () => {
    const orderId = await submitOrder(orderBody());
    await waitForStatus(stack.sagas, orderId, 'COMPLETED', 60_000);
    const { root, spans, messageIds } = await traceOf(orderId);
    expectTree(root, spans);
    expect(activitiesRun(spans)).toEqual(
      expect.arrayContaining(['recordOrder', 'reserveInventory', 'checkFraud', 'chargePayment', 'createShipment', 'completeOrder']),
    );
    expect(spans.some((s) => s.service === 'api' && s.name === 'StartWorkflow:orderSaga')).toBe(true);
    expectMessaging(spans, messageIds);
    // The notification e-mail: handled by the second consumer, in the same trace.
    expect(spans.some((s) => s.kind === CONSUMER && s.name === `process ${prefix}orders.notifications`)).toBe(true);

    // A log line written inside a consumer's span carries its ids.
    const handling = spans.find((s) => s.kind === CONSUMER && s.attributes['messaging.message.id'] === messageIds[0])!;
    const lines = consumers
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'handled', trace_id: handling.traceId, span_id: handling.spanId }));
  }, 120_000);

  it('parents the publish spans on the rows written before a relay restart', async () => {
    relay.child.kill('SIGTERM');
    expect((await relay.exited)[0]).toBe(0);
    const orderId = await submitOrder(orderBody());
    await waitForStatus(stack.sagas, orderId, 'COMPLETED', 60_000);
    // Committed, not published: the context waits in the rows.
    const rows = await stack.db.db
      .select({ publishedAt: outbox.publishedAt, traceContext: outbox.traceContext })
      .from(outbox)
      .where(eq(outbox.aggregateId, orderId));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.publishedAt).toBeNull();
      expect(row.traceContext?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    }
    relay = spawnTs(appEntry(RELAY), env());
    children.push(relay);
    await relay.waitForLog('outbox relay started');
    const { root, spans, messageIds } = await traceOf(orderId);
    expect(rows[0]!.traceContext!.traceparent.slice(3, 35)).toBe(root.traceId);
    expectTree(root, spans);
    expectMessaging(spans, messageIds);
  }, 120_000);

  it('joins every compensation of a compensated order to the same trace', async () => {
    const orderId = await submitOrder(orderBody({ payment: { token: 'tok_chargeDeclined' } }));
    await waitForStatus(stack.sagas, orderId, 'FAILED', 60_000);
    const { root, spans, messageIds } = await traceOf(orderId);
    expectTree(root, spans);
    expect(activitiesRun(spans)).toEqual(
      expect.arrayContaining(['reserveInventory', 'chargePayment', 'releaseInventory', 'markOrderOutcome']),
    );
    expectMessaging(spans, messageIds);
    // The declined charge is recorded on its activity's span.
    const charge = spans.find((s) => s.name === 'RunActivity:chargePayment');
    expect(charge?.status.code).toBe(2);
  }, 120_000);

  it('every process stops cleanly on SIGTERM, exporting its last spans as its last step', async () => {
    const running = children.filter((child) => child.child.exitCode === null);
    for (const child of running) child.child.kill('SIGTERM');
    const exits = await Promise.all(running.map((child) => child.exited));
    expect(exits).toEqual(running.map(() => [0, null]));
    for (const child of running) expect(child.output()).not.toMatch(/spans in time|last spans; they are lost|did not close cleanly/);
  }, 60_000);
});
