import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { API, appEntry, RELAY, SAGA_WORKER } from '../../tools/environment/app-entries';
import { TEST_ADMIN_TOKEN } from '../support/api-server';
import { spawnTs, type RunningChild } from '../support/child-process';
import { waitFor } from '../support/consumer-kit';
import { appProcessEnv, startTestStack, type TestStack } from '../support/test-stack';
import { createApiClient } from '../../api/client/create-api-client';
import { orderBody } from '../support/order-body';
import { openStream } from '../support/sse-client';

/**
 * Every app process stops the same way (workers/stop-on-signals.ts): SIGTERM, its steps closed
 * in order, exit code 0, the reason logged. The consumers process is stopped like this in
 * test/consumers/shipped-consumers.test.ts; here are the other three.
 */
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ worker: false, relay: false, probePattern: 'no.events.wanted' });
});
afterAll(() => stack?.close());

const PROCESSES: { name: string; readyMessage: string }[] = [
  { name: RELAY, readyMessage: 'outbox relay started' },
  { name: SAGA_WORKER, readyMessage: 'saga worker running' },
  { name: API, readyMessage: 'API listening' },
];

interface LogLine {
  msg: string;
  url?: string;
  reason?: string;
  exitCode?: number;
}

const logLines = (child: RunningChild): LogLine[] => child.logLines<LogLine>();

describe('app processes on SIGTERM', () => {
  it.each(PROCESSES)('$name closes its steps without a failure, logs why and exits with 0', async ({ name, readyMessage }) => {
    const child = spawnTs(
      appEntry(name),
      appProcessEnv(stack, {
        WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
        // Set, so the API writes no token file into the repository (test/processes/admin-token-logs.test.ts tests that).
        ADMIN_TOKEN: TEST_ADMIN_TOKEN,
        LOG_LEVEL: 'info',
      }),
    );
    try {
      await waitFor(() => logLines(child).some((line) => line.msg === readyMessage), `${name} to log "${readyMessage}"`, 60_000);
      child.child.kill('SIGTERM');
      const [code, signal] = await child.exited;
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      const lines = logLines(child);
      expect(lines.find((line) => line.msg === 'stopping the process')).toMatchObject({ reason: 'SIGTERM' });
      expect(lines.find((line) => line.msg === 'the process stopped')).toMatchObject({ reason: 'SIGTERM', exitCode: 0 });
      expect(lines.filter((line) => /did not (close cleanly|stop within)/.test(line.msg))).toEqual([]);
    } finally {
      if (child.child.exitCode === null) child.child.kill('SIGKILL');
    }
  });

  it('the API ends its open event streams on SIGTERM (each with a reconnect event) instead of waiting for them', async () => {
    const adminToken = 'stop-test-admin-token-0123456789';
    const child = spawnTs(appEntry(API), appProcessEnv(stack, { ADMIN_TOKEN: adminToken, LOG_LEVEL: 'info' }));
    try {
      await waitFor(() => logLines(child).some((line) => line.msg === 'API listening'), 'the API to listen', 60_000);
      const baseUrl = logLines(child).find((line) => line.msg === 'API listening')?.url as string;
      // No saga worker runs here: the order stays without events, so its stream stays open.
      const { data: submitted } = await createApiClient({ baseUrl, token: adminToken }).POST('/orders', {
        body: orderBody(),
        params: { header: {} },
      });
      const orderId = submitted!.orderId;
      // Raw: the stream is read off the wire (openStream), with the admin token.
      const api = {
        rawRequest: (path: string, init: RequestInit = {}) => {
          const headers = new Headers(init.headers);
          headers.set('authorization', `Bearer ${adminToken}`);
          return fetch(`${baseUrl}${path}`, { ...init, headers });
        },
      };
      const stream = await openStream(api, `/orders/${orderId}/events`);
      expect(stream.response.status).toBe(200);
      const started = Date.now();
      child.child.kill('SIGTERM');
      const [code] = await child.exited;
      expect(code).toBe(0);
      expect(Date.now() - started).toBeLessThan(5000);
      await stream.waitForEnd(1000);
      expect(stream.messages.at(-1)).toMatchObject({ event: 'reconnect' });
    } finally {
      if (child.child.exitCode === null) child.child.kill('SIGKILL');
    }
  });
});
