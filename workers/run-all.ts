import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/env';
import { createLogger } from '../logging/logger';
import { backoffMs } from '../outbox/backoff';
import { APP_PROCESSES, type AppProcess } from './app-processes';

/**
 * Runs every app process in the foreground for local use: restarts one that dies, and on
 * Ctrl-C (SIGINT) or SIGTERM passes SIGTERM to all and waits for them to finish.
 */
// One admin token for every process, printed below, unless the environment brings its own.
process.env.ADMIN_TOKEN ??= randomBytes(24).toString('base64url');
const config = loadConfig();
const log = createLogger('supervisor', config.LOG_LEVEL);
const root = fileURLToPath(new URL('..', import.meta.url));
const running = new Map<string, ChildProcess>();
let stopping = false;

function launch(app: AppProcess, restarts = 0): void {
  const child = spawn(process.execPath, ['--import', 'tsx', app.entry], { cwd: root, stdio: 'inherit', env: process.env });
  running.set(app.name, child);
  const startedAt = Date.now();
  child.on('exit', (code, signal) => {
    running.delete(app.name);
    if (stopping) return;
    // A process that ran for a while starts again at once; one that keeps dying backs off.
    const attempt = Date.now() - startedAt > 30_000 ? 1 : restarts + 1;
    const delay = backoffMs(attempt, 500, 30_000);
    log.error({ process: app.name, code, signal, restartInMs: delay }, 'app process exited; restarting');
    setTimeout(() => launch(app, attempt), delay).unref();
  });
}

function stopAll(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping app processes');
  for (const child of running.values()) child.kill('SIGTERM');
  const force = setTimeout(() => {
    for (const child of running.values()) child.kill('SIGKILL');
  }, 20_000);
  const check = setInterval(() => {
    if (running.size > 0) return;
    clearInterval(check);
    clearTimeout(force);
    process.exit(0);
  }, 100);
}

process.on('SIGINT', () => stopAll('SIGINT'));
process.on('SIGTERM', () => stopAll('SIGTERM'));
for (const app of APP_PROCESSES) launch(app);

process.stdout.write(`
  Saga orchestrator is up (Ctrl-C stops the app processes; the Temporal dev server keeps running).

  API             http://${config.API_HOST}:${config.API_PORT}   (docs: http://${config.API_HOST}:${config.API_PORT}/docs)
  Admin token     ${config.ADMIN_TOKEN}   (Authorization: Bearer …)
  Temporal UI     ${config.TEMPORAL_UI_URL}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows
  Temporal        ${config.TEMPORAL_ADDRESS}  (task queue ${config.TEMPORAL_TASK_QUEUE})
  RabbitMQ        ${config.AMQP_URL.replace(/\/\/[^@]*@/, '//')}  (exchange ${config.EVENTS_EXCHANGE})
  PostgreSQL      ${config.DATABASE_URL.replace(/\/\/[^@]*@/, '//')}
  Processes       ${APP_PROCESSES.map((p) => p.name).join(', ')}

`);
