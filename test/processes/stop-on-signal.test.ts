import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { API, appEntry, RELAY, SAGA_WORKER } from '../../tools/environment/app-entries';
import { TEST_JWT_SECRET } from '../support/tokens';
import { TEST_ADMIN_TOKEN } from '../support/api-server';
import { spawnTs, type RunningChild } from '../support/child-process';
import { waitFor } from '../support/consumer-kit';
import { startTestStack, type TestStack } from '../support/test-stack';

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
  reason?: string;
  exitCode?: number;
}

const logLines = (child: RunningChild): LogLine[] =>
  child
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);

describe('app processes on SIGTERM', () => {
  it.each(PROCESSES)('$name closes its steps without a failure, logs why and exits with 0', async ({ name, readyMessage }) => {
    const child = spawnTs(appEntry(name), {
      DATABASE_URL: stack.databaseUrl,
      EVENTS_EXCHANGE: stack.exchange,
      TEMPORAL_TASK_QUEUE: stack.taskQueue,
      WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
      API_HOST: '127.0.0.1',
      API_PORT: '0',
      JWT_SECRET: TEST_JWT_SECRET,
      // Set, so the API writes no token file into the repository (test/processes/admin-token-logs.test.ts tests that).
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      LOG_LEVEL: 'info',
    });
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
});
