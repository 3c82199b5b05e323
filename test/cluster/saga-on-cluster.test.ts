import amqp from 'amqplib';
import { eq } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { shippedConsumers } from '../../consumers/shipped-consumers';
import { workflowIdForOrder } from '../../domain/order';
import { orderProjection } from '../../drizzle/schema';
import { retryPolicyFrom } from '../../messaging/consumer-settings';
import { consumerQueuesOf } from '../../messaging/consumer-topology';
import { API, appEntry, CONSUMERS, RELAY, SAGA_WORKER } from '../../tools/environment/app-entries';
import { CLUSTER_FRONTEND_PORT, CLUSTER_UI_PORT, clusterSettings } from '../../tools/environment/cluster-settings';
import { apiClientAt, TEST_ADMIN_TOKEN } from '../support/api-server';
import { spawnTs, type RunningChild } from '../support/child-process';
import { waitFor } from '../support/consumer-kit';
import { orderBody } from '../support/order-body';
import { appProcessEnv, startTestStack, type TestStack } from '../support/test-stack';

/**
 * The production-mode stack (`STACK=cluster`, scripts/lib/cluster.sh) runs a real saga: the four
 * app processes as child processes against the Temporal server built from go.temporal.io/server,
 * its history in PostgreSQL, found through SQL visibility by the saga's search attributes and
 * through the standalone UI server.
 */
let stack: TestStack;
let prefix: string;
let apiUrl: string;
const children: RunningChild[] = [];
const settings = clusterSettings();
const serverSql = postgres({ host: '127.0.0.1', port: 5432, database: settings.DBNAME, max: 1, onnotice: () => {} });
const visibilitySql = postgres({ host: '127.0.0.1', port: 5432, database: settings.VISIBILITY_DBNAME, max: 1, onnotice: () => {} });

beforeAll(async () => {
  stack = await startTestStack({ worker: false, relay: false, probePattern: 'no.events.wanted' });
  prefix = `${stack.exchange}.`;
  const env = appProcessEnv(stack, {
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
    CONSUMER_QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'info',
  });
  const entries: [string, string][] = [
    [SAGA_WORKER, 'saga worker running'],
    [RELAY, 'outbox relay started'],
    [CONSUMERS, 'consumers running'],
    [API, 'API listening'],
  ];
  for (const [name] of entries) children.push(spawnTs(appEntry(name), env));
  await Promise.all(entries.map(([, message], i) => children[i]!.waitForLog(message)));
  apiUrl = /"url":"([^"]+)"/.exec(children[3]!.output())![1]!;
}, 180_000);

afterAll(async () => {
  for (const child of children) if (child.child.exitCode === null) child.child.kill('SIGTERM');
  await Promise.all(children.map((child) => child.exited));
  if (stack) {
    const connection = await amqp.connect(stack.config.AMQP_URL);
    const channel = await connection.createChannel();
    for (const definition of shippedConsumers({ CONSUMER_QUEUE_PREFIX: prefix })) {
      const { queue, deadLetter, retries } = consumerQueuesOf(definition, retryPolicyFrom(stack.config));
      for (const name of [queue, deadLetter, ...retries]) await channel.deleteQueue(name);
    }
    await connection.close();
  }
  await serverSql.end();
  await visibilitySql.end();
  await stack?.close();
}, 60_000);

describe('the production-mode stack', () => {
  it('is the pinned Temporal server on its own port, not the dev server', async () => {
    expect(stack.config.TEMPORAL_ADDRESS).toBe(`127.0.0.1:${CLUSTER_FRONTEND_PORT}`);
    const info = await stack.client.workflowService.getSystemInfo({});
    expect(`v${info.serverVersion}`).toBe(settings.TEMPORAL_SERVER_VERSION);
    const namespace = await stack.client.workflowService.describeNamespace({ namespace: stack.config.TEMPORAL_NAMESPACE });
    const retentionSeconds = Number(namespace.config?.workflowExecutionRetentionTtl?.seconds);
    expect(retentionSeconds).toBe(Number(settings.TEMPORAL_NAMESPACE_RETENTION_HOURS) * 3600);
  });

  it('runs a saga from POST /orders through every process, kept in PostgreSQL and found by its search attributes', async () => {
    const body = orderBody();
    const submitted = await apiClientAt(apiUrl, stack.config).POST('/orders', { body, params: { header: {} } });
    expect(submitted.response.status).toBe(202);
    const { orderId } = submitted.data!;
    const workflowId = workflowIdForOrder(orderId);

    // The consumers projected the saga's events, relayed from the outbox through RabbitMQ.
    await waitFor(
      async () => {
        const [row] = await stack.db.db.select().from(orderProjection).where(eq(orderProjection.orderId, orderId));
        return row?.status === 'COMPLETED';
      },
      'the order projection to show COMPLETED',
      60_000,
    );
    const handle = stack.client.workflow.getHandle(workflowId);
    await handle.result();

    // The server's persistence and its visibility store are the cluster's own PostgreSQL databases.
    const executions = await serverSql`select count(*)::int as n from executions where workflow_id = ${workflowId}`;
    expect(executions[0]!.n).toBe(1);
    await waitFor(
      async () => {
        const rows = await visibilitySql`select status from executions_visibility where workflow_id = ${workflowId}`;
        return rows.length === 1 && rows[0]!.status === 2; // 2: completed
      },
      'the visibility row to show the workflow completed',
      30_000,
    );

    // SQL visibility answers queries on the saga's custom search attributes.
    const found: string[] = [];
    const query = `OrderStatus = 'COMPLETED' AND CustomerId = '${body.customerId}'`;
    await waitFor(
      async () => {
        found.length = 0;
        for await (const execution of stack.client.workflow.list({ query })) found.push(execution.workflowId);
        return found.length > 0;
      },
      'the workflow to be listed by its search attributes',
      30_000,
    );
    expect(found).toEqual([workflowId]);

    // The UI server is pointed at the cluster: its API proxy describes the same workflow.
    const ui = `http://127.0.0.1:${CLUSTER_UI_PORT}`;
    const page = await fetch(`${ui}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    const described = await fetch(`${ui}/api/v1/namespaces/${stack.config.TEMPORAL_NAMESPACE}/workflows/${encodeURIComponent(workflowId)}`);
    expect(described.status).toBe(200);
    const execution = (await described.json()) as { workflowExecutionInfo?: { execution?: { workflowId?: string }; status?: string } };
    expect(execution.workflowExecutionInfo?.execution?.workflowId).toBe(workflowId);
    expect(execution.workflowExecutionInfo?.status).toBe('WORKFLOW_EXECUTION_STATUS_COMPLETED');
  });
});
