import { randomBytes, randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import type { Client } from '@temporalio/client';
import { mintToken } from '../../../api/auth/mint-token';
import { workflowIdForOrder } from '../../../domain/order';
import { startOrderSaga } from '../../../saga-client/start-order-saga';
import { API, appEntry } from '../../environment/app-entries';
import { freePort } from '../../../workers/free-port';
import { harnessRateLimitEnv } from '../../environment/rate-limits';
import type { BenchProfile } from '../profiles';
import { startAppProcess } from '../support/app-process';
import type { BenchStack } from '../support/bench-stack';
import type { PeakMemory } from '../support/memory';
import { runPool } from '../support/run-pool';
import { sampleOrder } from '../support/sample-order';
import { medianRun } from '../support/rounds';
import { summarize, type LatencySummary } from '../support/stats';

export interface ApiOverheadResult {
  requests: number;
  concurrency: number;
  /** POST /orders as the order's customer, with a JWT the API verifies: what the target is about. */
  api: LatencySummary & { rounds: number[] };
  direct: LatencySummary & { rounds: number[] };
  apiToDirectP50: number;
  apiToDirectP99: number;
  /** The same requests with the operator's ADMIN_TOKEN (no signature to verify), for comparison. */
  adminToken: LatencySummary & { rounds: number[] };
  adminTokenToDirectP50: number;
  adminTokenToDirectP99: number;
}

/**
 * Part 4: POST /orders on the API process (with an Idempotency-Key, as clients are told to send)
 * against `client.workflow.start` called directly with the input the API builds. No worker polls
 * the task queue, so only the start is measured; every workflow started is terminated afterwards.
 * Each request goes as its order's customer with an HS256 JWT, minted once per customer before
 * the timed runs, so the API's token verification is part of what is measured; the same requests
 * with the admin token show what verification costs.
 */
export async function apiOverhead(stack: BenchStack, profile: BenchProfile, memory: PeakMemory): Promise<ApiOverheadResult> {
  const { requests, concurrency, rounds } = profile.api;
  const taskQueue = stack.taskQueue('api');
  const port = await freePort();
  const adminToken = randomBytes(24).toString('base64url');
  const jwtSecret = randomBytes(32).toString('base64url');
  const api = await startAppProcess(
    'api',
    appEntry(API),
    stack.processEnv({
      TEMPORAL_TASK_QUEUE: taskQueue,
      API_HOST: '127.0.0.1',
      API_PORT: String(port),
      ADMIN_TOKEN: adminToken,
      JWT_SECRET: jwtSecret,
      ...harnessRateLimitEnv(),
    }),
    'API listening',
  );
  const signing = { ...stack.config, JWT_SECRET: jwtSecret };
  const customerTokens = new Map<string, string>();
  for (let index = 0; index < Math.min(requests, CUSTOMERS); index++) {
    const { customerId } = sampleOrder(index);
    customerTokens.set(customerId, await mintToken(signing, { sub: customerId, ttlSeconds: 6 * 3600 }));
  }
  const started: string[] = [];
  const { REVIEW_THRESHOLD_CENTS, REVIEW_TIMEOUT_MS } = stack.config;

  const viaApi = (as: 'customer' | 'admin') => async (index: number) => {
    const order = sampleOrder(index);
    const token = as === 'admin' ? adminToken : customerTokens.get(order.customerId);
    const { status, body } = await postJson(port, '/orders', order, { 'idempotency-key': randomUUID(), authorization: `Bearer ${token}` });
    const workflowId = (JSON.parse(body) as { workflowId?: string }).workflowId;
    if (status !== 202 || !workflowId) throw new Error(`POST /orders answered ${status}: ${body}`);
    started.push(workflowId);
  };
  const direct = async (index: number) => {
    const orderId = randomUUID();
    const input = { ...sampleOrder(index), orderId, reviewThresholdCents: REVIEW_THRESHOLD_CENTS, reviewTimeoutMs: REVIEW_TIMEOUT_MS };
    await startOrderSaga(stack.client, input, taskQueue);
    started.push(workflowIdForOrder(orderId));
  };

  try {
    await timed(concurrency, concurrency, direct);
    await timed(concurrency, concurrency, viaApi('customer'));
    await timed(concurrency, concurrency, viaApi('admin'));
    // Each round runs the three one after the other (as alternate() does two), so drift on the machine hits all alike.
    const runs = { direct: [] as LatencySummary[], customer: [] as LatencySummary[], admin: [] as LatencySummary[] };
    for (let round = 0; round < rounds; round++) {
      runs.direct.push(await timed(requests, concurrency, direct));
      runs.customer.push(await timed(requests, concurrency, viaApi('customer')));
      runs.admin.push(await timed(requests, concurrency, viaApi('admin')));
    }
    const byP50 = (run: LatencySummary) => run.p50Ms;
    const apiResult = medianRun(runs.customer, byP50);
    const adminResult = medianRun(runs.admin, byP50);
    const directResult = medianRun(runs.direct, byP50);
    return {
      requests,
      concurrency,
      api: apiResult,
      direct: directResult,
      apiToDirectP50: apiResult.p50Ms / directResult.p50Ms,
      apiToDirectP99: apiResult.p99Ms / directResult.p99Ms,
      adminToken: adminResult,
      adminTokenToDirectP50: adminResult.p50Ms / directResult.p50Ms,
      adminTokenToDirectP99: adminResult.p99Ms / directResult.p99Ms,
    };
  } finally {
    memory.record('api', await api.stop());
    await terminateAll(stack.client, started);
  }
}

/** sampleOrder spreads orders over this many customers. */
const CUSTOMERS = 1000;

async function timed(total: number, concurrency: number, request: (index: number) => Promise<void>): Promise<LatencySummary> {
  const latencies: number[] = [];
  await runPool(total, concurrency, async (index) => {
    const begun = performance.now();
    await request(index);
    latencies.push(performance.now() - begun);
  });
  return summarize(latencies);
}

/** The sagas started here have no worker: end them, so they do not linger as Running. */
async function terminateAll(client: Client, workflowIds: readonly string[]): Promise<void> {
  await runPool(workflowIds.length, 20, (index) =>
    client.workflow
      .getHandle(workflowIds[index]!)
      .terminate('benchmark: only the start was measured')
      .then(() => {}),
  );
}

// node:http with keep-alive rather than fetch: the load generator shares the machine with the API
// and the Temporal server, and fetch costs several times the CPU per request.
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function postJson(
  port: number,
  path: string,
  payload: unknown,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const body = JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
