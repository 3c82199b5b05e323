import { hostname } from 'node:os';
import type { Client } from '@temporalio/client';
import { API, appEntry, CONSUMERS, RELAY, SAGA_WORKER } from '../environment/app-entries';
import { harnessRateLimitEnv } from '../environment/rate-limits';
import type { ManagedProcessSpec } from './process-supervisor';
import type { RunEnvironment } from './run-environment';

// temporal.api.enums.v1.TaskQueueType: pollers of activity tasks.
const TASK_QUEUE_TYPE_ACTIVITY = 2;

/** Settings that make a killed or disconnected process's work come back within seconds. */
export function childEnvironment(env: RunEnvironment): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: env.databaseUrl,
    AMQP_URL: env.amqpUrl,
    TEMPORAL_ADDRESS: env.config.TEMPORAL_ADDRESS,
    TEMPORAL_NAMESPACE: env.config.TEMPORAL_NAMESPACE,
    TEMPORAL_TASK_QUEUE: env.identity.taskQueue,
    // The default exchange name is fine: the vhost is the run's own.
    EVENTS_EXCHANGE: env.config.EVENTS_EXCHANGE,
    API_HOST: '127.0.0.1',
    API_PORT: String(env.apiPorts[0]),
    // Replicas run side by side: each takes a free metrics port (the API serves its own on API_PORT).
    METRICS_PORT: '0',
    ADMIN_TOKEN: env.adminToken,
    JWT_SECRET: env.config.JWT_SECRET,
    // 2,000 orders from one address within minutes: limits that fit, not limits switched off.
    ...harnessRateLimitEnv(),
    REVIEW_THRESHOLD_CENTS: String(env.config.REVIEW_THRESHOLD_CENTS),
    // A killed relay's leased rows are due again after 2 s instead of 30 s.
    RELAY_LEASE_MS: '2000',
    RELAY_POLL_INTERVAL_MS: '250',
    RELAY_BACKOFF_BASE_MS: '250',
    RELAY_BACKOFF_MAX_MS: '2000',
    // Published rows stay until long after the run: the probe's order check compares with them.
    RELAY_RETENTION_MS: String(7 * 24 * 60 * 60 * 1000),
    // Short delays and the default 5 attempts: a delivery failing through a PostgreSQL restart
    // (up to 37 s at a load of 17) is not parked, because an unavailable database costs no attempt
    // (messaging/consumer-runner.ts); before that rule, 16 attempts were needed here.
    CONSUMER_RETRY_BASE_MS: '250',
    CONSUMER_RETRY_MAX_MS: '4000',
    CONSUMER_SHUTDOWN_TIMEOUT_MS: '5000',
    CONSUMER_CONTROL_POLL_MS: '2000',
    LOG_LEVEL: 'warn',
  };
}

/** The four kinds of app process, each run as `replicas` instances. */
export const APP_KINDS = [SAGA_WORKER, RELAY, CONSUMERS, API] as const;
export type AppKind = (typeof APP_KINDS)[number];

/** The supervisor's name of replica `index` (from 1) of `kind`: its log is `<name>.log`. */
export const instanceName = (kind: AppKind, index: number): string => `${kind}-${index}`;

/** Each kind's instance names, replicas of each. */
export function instanceNames(replicas: number): Record<AppKind, string[]> {
  const names = (kind: AppKind) => Array.from({ length: replicas }, (_, i) => instanceName(kind, i + 1));
  return { [SAGA_WORKER]: names(SAGA_WORKER), [RELAY]: names(RELAY), [CONSUMERS]: names(CONSUMERS), [API]: names(API) };
}

/**
 * The app processes as the harness runs them, `replicas` of each kind (the APIs on the ports of
 * `env.apiPorts`). The relays and the consumers log at info: their start lines mark readiness, and
 * the consumers' "already handled" lines count the duplicates the inbox absorbed.
 */
export function appChildren(
  env: RunEnvironment,
  client: Client,
  workflowBundlePath: string,
  onConsumerLine: (line: string) => void,
): ManagedProcessSpec[] {
  const base = childEnvironment(env);
  const host = hostname();
  return env.apiPorts.flatMap((apiPort, i): ManagedProcessSpec[] => [
    {
      name: instanceName(SAGA_WORKER, i + 1),
      entry: appEntry(SAGA_WORKER),
      env: { ...base, CHAOS_FAULTS: '1', WORKFLOW_BUNDLE_PATH: workflowBundlePath },
      // Ready once it polls for activities (the SDK's identity is pid@host).
      readiness: {
        check: async (pid) => {
          const { pollers } = await client.workflowService.describeTaskQueue({
            namespace: env.config.TEMPORAL_NAMESPACE,
            taskQueue: { name: env.identity.taskQueue },
            taskQueueType: TASK_QUEUE_TYPE_ACTIVITY,
          });
          return pollers.some((poller) => poller.identity === `${pid}@${host}`);
        },
      },
    },
    {
      name: instanceName(RELAY, i + 1),
      entry: appEntry(RELAY),
      env: { ...base, LOG_LEVEL: 'info' },
      readiness: { logMessage: 'outbox relay started' },
    },
    {
      name: instanceName(CONSUMERS, i + 1),
      entry: appEntry(CONSUMERS),
      env: { ...base, LOG_LEVEL: 'info' },
      readiness: { logMessage: 'consumers running' },
      onStdoutLine: onConsumerLine,
    },
    {
      name: instanceName(API, i + 1),
      entry: appEntry(API),
      env: { ...base, API_PORT: String(apiPort) },
      readiness: {
        check: async () => (await fetch(`http://127.0.0.1:${apiPort}/healthz`, { signal: AbortSignal.timeout(2000) })).ok,
      },
    },
  ]);
}
