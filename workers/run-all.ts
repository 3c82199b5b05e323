import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { mintToken } from '../api/auth/mint-token';
import { DEFAULT_METRICS_PORTS, loadConfig } from '../config/env';
import { createLogger } from '../logging/logger';
import { backoffMs } from '../outbox/backoff';
import { resolveAdminToken } from './admin-token';
import { APP_PROCESSES, type AppProcess } from './app-processes';
import { LOCAL_JWT_SECRET_PATH, localJwtSecret } from './local-secret';
import { processUrls } from './process-credentials';
import { CLOSE_MS, stopOnSignals } from './stop-on-signals';

/**
 * Runs every app process in the foreground for local use: restarts one that dies, and on
 * Ctrl-C (SIGINT) or SIGTERM passes SIGTERM to all and waits for them to finish.
 */
// Kept in .local/jwt-secret (0600) across starts, so tokens minted earlier (and `npm run token`) keep working.
process.env.JWT_SECRET = localJwtSecret();
const config = loadConfig();
// One admin token for every process: ADMIN_TOKEN, or the one in ADMIN_TOKEN_FILE (written there
// when new). The banner below says where it is, not what it is: terminals get recorded and shared.
const admin = resolveAdminToken(config);
process.env.ADMIN_TOKEN = admin.token;
const log = createLogger('supervisor', config.LOG_LEVEL);
// One METRICS_PORT for three processes on one host would collide: here each takes its own default.
if (config.METRICS_PORT !== undefined) {
  log.warn({ METRICS_PORT: config.METRICS_PORT }, 'METRICS_PORT is ignored under npm start: each process uses its own default port');
  delete process.env.METRICS_PORT;
}
const metricsUrl = (port: number) => `http://${config.METRICS_HOST}:${port}/metrics`;
const root = fileURLToPath(new URL('..', import.meta.url));
const running = new Map<string, ChildProcess>();
let stopping = false;

/** A process that keeps dying starts again after 500 ms, doubling, at most 30 s. */
const RESTART_BASE_MS = 500;
const RESTART_MAX_MS = 30_000;
/** A process that ran this long before it died was healthy: it restarts after the first delay, not a longer one. */
const HEALTHY_RUN_MS = 30_000;
/** How long the app processes have to stop after SIGTERM before they get SIGKILL. */
const CHILD_STOP_GRACE_MS = 20_000;

function launch(app: AppProcess, restarts = 0): void {
  // Each process on its own users when LEAST_PRIVILEGE or its own URLs are set (workers/process-credentials.ts).
  const env = {
    ...process.env,
    ...processUrls(app.name, config),
    // Their own users may not declare: stack-up's scripts/least-privilege.ts declared the topology.
    ...(config.LEAST_PRIVILEGE ? { DECLARE_TOPOLOGY: '0' } : {}),
  };
  const child = spawn(process.execPath, ['--import', 'tsx', app.entry], { cwd: root, stdio: 'inherit', env });
  running.set(app.name, child);
  const startedAt = Date.now();
  child.on('exit', (code, signal) => {
    running.delete(app.name);
    if (stopping) return;
    const attempt = Date.now() - startedAt > HEALTHY_RUN_MS ? 1 : restarts + 1;
    const delay = backoffMs(attempt, RESTART_BASE_MS, RESTART_MAX_MS);
    log.error({ process: app.name, code, signal, restartInMs: delay }, 'app process exited; restarting');
    setTimeout(() => {
      if (!stopping) launch(app, attempt);
    }, delay).unref();
  });
}

/** SIGTERM to every app process, SIGKILL to those still there after the grace; resolves once all have exited. */
async function stopAppProcesses(): Promise<void> {
  stopping = true;
  const children = [...running.values()];
  const exits = children.filter((child) => child.exitCode === null && child.signalCode === null).map((child) => once(child, 'exit'));
  for (const child of children) child.kill('SIGTERM');
  const force = setTimeout(() => {
    for (const child of running.values()) child.kill('SIGKILL');
  }, CHILD_STOP_GRACE_MS);
  await Promise.all(exits);
  clearTimeout(force);
}

stopOnSignals({
  log,
  steps: [{ name: 'app processes', close: stopAppProcesses }],
  deadlineMs: CHILD_STOP_GRACE_MS + CLOSE_MS,
});
for (const app of APP_PROCESSES) launch(app);

/** A customer to try the API as; its token lasts a working session. */
const DEMO_CUSTOMER = 'demo-customer';
const demoToken = await mintToken(config, { sub: DEMO_CUSTOMER, ttlSeconds: 24 * 3600 });
const apiUrl = `http://${config.API_HOST}:${config.API_PORT}`;

process.stdout.write(`
  Saga orchestrator is up (Ctrl-C stops the app processes; the Temporal dev server keeps running).

  API             ${apiUrl}   (docs: ${apiUrl}/docs)
  Admin token     ${admin.file ? `in ${admin.file}   (Authorization: Bearer $(cat ${admin.file}))` : 'ADMIN_TOKEN from the environment'}
  Demo customer   ${DEMO_CUSTOMER}, token valid 24 h (more: npm run token -- <customer-id>; secret in ${LOCAL_JWT_SECRET_PATH}):
                  export TOKEN=${demoToken}
                  curl -H "Authorization: Bearer $TOKEN" ${apiUrl}/orders
  Metrics         saga-worker ${metricsUrl(DEFAULT_METRICS_PORTS['saga-worker'])}, outbox-relay ${metricsUrl(DEFAULT_METRICS_PORTS['outbox-relay'])},
                  consumers ${metricsUrl(DEFAULT_METRICS_PORTS.consumers)}, api ${apiUrl}/metrics (admin token)
  Temporal UI     ${config.TEMPORAL_UI_URL}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows
  Temporal        ${config.TEMPORAL_ADDRESS}  (task queue ${config.TEMPORAL_TASK_QUEUE})
  RabbitMQ        ${config.AMQP_URL.replace(/\/\/[^@]*@/, '//')}  (exchange ${config.EVENTS_EXCHANGE})
  PostgreSQL      ${config.DATABASE_URL.replace(/\/\/[^@]*@/, '//')}
  Processes       ${APP_PROCESSES.map((p) => p.name).join(', ')}${config.LEAST_PRIVILEGE ? '  (each on its own database and broker user: LEAST_PRIVILEGE=1)' : ''}

`);
