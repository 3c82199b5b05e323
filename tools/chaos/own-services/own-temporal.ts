import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { searchAttributesFile } from '../../../scripts/search-attributes';
import { REPO_ROOT } from '../../environment/child-process';
import { freePort } from '../../../workers/free-port';
import { runCommand, waitUntil } from './run-command';

const START_TIMEOUT_MS = 120_000;
/** The server's pid, under its directory: the sweep of a later run finds it there. */
export const TEMPORAL_PID_FILE = 'temporal.pid';
/** Set in the server's environment to its directory: the sweep checks it before killing the pid of that file (pids are reused). */
export const TEMPORAL_DIR_ENV = 'SAGA_CHAOS_TEMPORAL_DIR';

export interface OwnTemporal {
  /** The dev server (the CLI's, on SQLite) or the production-mode server (--cluster: own-temporal-cluster.ts). */
  kind: 'dev' | 'cluster';
  /** host:port of its frontend. */
  address: string;
  /** SIGKILL of the server, then the same binary on the same SQLite file and ports; resolves once the namespace answers. */
  killAndRestart(): Promise<{ stoppedAt: number; readyAt: number; detail: string }>;
  stop(): Promise<void>;
  /** SIGKILL, synchronously: for a harness that exits without its teardown. */
  stopNow(): void;
}

/** The pinned Temporal CLI, where scripts/stack-up.sh builds it (scripts/lib/stack-env.sh says where). */
const temporalBinary = (): Promise<string> =>
  runCommand('bash', ['-c', `cd ${JSON.stringify(REPO_ROOT)} && source scripts/lib/stack-env.sh && printf %s "$TEMPORAL_BIN"`]);

/**
 * A Temporal dev server of the chaos run's own: the pinned CLI (`npm run stack:up` built it), its
 * own SQLite file under `dir`, free ports, no UI, the saga's search attributes registered at start.
 * Killing it strands no other test's workflows.
 */
export async function startOwnTemporal(dir: string): Promise<OwnTemporal> {
  const binary = await temporalBinary();
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  const httpPort = await freePort([port]);
  const metricsPort = await freePort([port, httpPort]);
  const address = `127.0.0.1:${port}`;
  const searchAttributes = searchAttributesFile()
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .flatMap((pair) => ['--search-attribute', pair]);
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    join(dir, 'temporal.db'),
    // As scripts/stack-up.sh runs the machine's: WAL, a sync per checkpoint rather than per commit.
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    'synchronous=normal',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--http-port',
    String(httpPort),
    '--metrics-port',
    String(metricsPort),
    '--headless',
    '--log-level',
    'warn',
    ...searchAttributes,
  ];
  let server: ChildProcess | null = null;
  const launch = async () => {
    const log = openSync(join(dir, 'temporal.log'), 'a');
    try {
      server = spawn(binary, args, { env: { ...process.env, [TEMPORAL_DIR_ENV]: dir }, stdio: ['ignore', log, log] });
      await writeFile(join(dir, TEMPORAL_PID_FILE), String(server.pid ?? ''));
    } finally {
      closeSync(log);
    }
    await waitUntil(`the chaos run's Temporal server on ${address}`, START_TIMEOUT_MS, async () => {
      await runCommand(binary, ['operator', 'namespace', 'describe', '--address', address, '--namespace', 'default'], {
        timeoutMs: 10_000,
      });
      return true;
    });
  };
  const kill = async (signal: NodeJS.Signals) => {
    const running = server;
    if (!running || running.exitCode !== null || running.signalCode !== null) return null;
    const exited = once(running, 'exit');
    running.kill(signal);
    await exited;
    return running.pid ?? null;
  };
  await launch();
  return {
    kind: 'dev',
    address,
    async killAndRestart() {
      const stoppedAt = Date.now();
      const pid = await kill('SIGKILL');
      await launch();
      return { stoppedAt, readyAt: Date.now(), detail: `temporal server pid ${pid}` };
    },
    async stop() {
      await kill('SIGTERM');
    },
    stopNow() {
      server?.kill('SIGKILL');
    },
  };
}
