import { inject } from 'vitest';
import { API, appEntry } from '../../tools/environment/app-entries';
import { TEST_ADMIN_TOKEN } from './api-server';
import { spawnTs, type RunningChild } from './child-process';
import { waitFor } from './consumer-kit';

export interface ProcessWithMetrics {
  /** The app process's name (tools/environment/app-entries.ts), used as Prometheus's job. */
  name: string;
  child: RunningChild;
  /** host:port of its /metrics. */
  target: string;
  /** The API's /metrics needs the admin token. */
  bearerToken?: string;
  /** GET /metrics, as Prometheus would. */
  scrape(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts the app process `name` with its metrics on a port of the OS's choosing (METRICS_PORT=0,
 * printed in its "metrics listening" log line; the API serves /metrics on its HTTP port) and
 * waits until it serves them.
 */
export async function spawnWithMetrics(name: string, env: NodeJS.ProcessEnv): Promise<ProcessWithMetrics> {
  const child = spawnTs(appEntry(name), {
    WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LOG_LEVEL: 'info',
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: '0',
    ...env,
  });
  let target: string | undefined;
  const bearerToken = name === API ? (env.ADMIN_TOKEN ?? TEST_ADMIN_TOKEN) : undefined;
  await waitFor(
    () => {
      if (child.child.exitCode !== null) throw new Error(`${name} exited (${child.child.exitCode}) before serving metrics`);
      const lines = child.logLines();
      if (name === API) {
        const url = lines.find((line) => line.msg === 'API listening')?.url;
        if (typeof url === 'string') target = new URL(url).host;
      } else {
        const port = lines.find((line) => line.msg === 'metrics listening')?.metricsPort;
        if (typeof port === 'number') target = `127.0.0.1:${port}`;
      }
      return target !== undefined;
    },
    `${name} to serve its metrics`,
    60_000,
  );
  const scrape = async () => {
    const response = await fetch(`http://${target}/metrics`, {
      headers: bearerToken ? { authorization: `Bearer ${bearerToken}` } : {},
    });
    if (!response.ok) throw new Error(`${name} /metrics: ${response.status}`);
    return response.text();
  };
  return {
    name,
    child,
    target: target!,
    bearerToken,
    scrape,
    async stop() {
      if (child.child.exitCode !== null) return;
      child.child.kill('SIGTERM');
      const timer = setTimeout(() => child.child.kill('SIGKILL'), 30_000);
      await child.exited;
      clearTimeout(timer);
    },
  };
}
