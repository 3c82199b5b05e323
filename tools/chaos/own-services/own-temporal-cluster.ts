import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { freePort } from '../../../workers/free-port';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../../environment/child-process';
import { parseAssignments, TEMPORAL_ENV_FILE } from '../../environment/cluster-settings';
import type { OwnPostgres } from './own-postgres';
import type { OwnTemporal } from './own-temporal';
import { TEMPORAL_DIR_ENV, TEMPORAL_PID_FILE } from './own-temporal';
import { runCommand, waitUntil } from './run-command';

const START_TIMEOUT_MS = 180_000;
/** The server's first build takes about 10 minutes on 2 cores; the UI's, built with it, a few more. */
const BUILD_TIMEOUT_MS = 40 * 60_000;

/** Runs bash with the stack's shell settings sourced (scripts/lib/stack-env.sh, scripts/lib/cluster.sh). */
const clusterShell = (script: string, timeoutMs?: number): Promise<string> =>
  runCommand(
    'bash',
    [
      '-c',
      `cd ${JSON.stringify(REPO_ROOT)} && source scripts/lib/stack-env.sh && source scripts/lib/cluster.sh && log() { printf '[chaos] %s\\n' "$*" >&2; } && ${script}`,
    ],
    { timeoutMs },
  );

interface ClusterBinaries {
  /** temporal-server, temporal-sql-tool and schema/, as scripts/lib/cluster.sh builds them. */
  serverDir: string;
  /** The pinned CLI: setup-namespace.sh calls it as `temporal`. */
  cli: string;
  /** The names of the server's port variables beside the frontend's (CLUSTER_PORTS). */
  portNames: string[];
}

/**
 * The production-mode server's binaries, built by scripts/lib/cluster.sh's ensure_cluster_binaries
 * when missing. A build under way elsewhere (`npm run test:cluster`, another run) leaves a
 * `.partial` directory: that one is waited for rather than started over.
 */
async function clusterBinaries(log: (message: string) => void): Promise<ClusterBinaries> {
  const [serverDir, cli, ...portNames] = (
    await clusterShell(`printf '%s\\n' "$CLUSTER_SERVER_DIR" "$TEMPORAL_BIN" "\${CLUSTER_PORTS[@]%%=*}"`)
  )
    .trim()
    .split('\n') as [string, string, ...string[]];
  const server = join(serverDir, 'temporal-server');
  if (!existsSync(server) && existsSync(`${serverDir}.partial`)) {
    log(`waiting for the Temporal server build under way in ${serverDir}.partial`);
    await waitUntil(
      'the Temporal server build under way',
      BUILD_TIMEOUT_MS,
      async () => existsSync(server) || !existsSync(`${serverDir}.partial`),
    );
  }
  if (!existsSync(server)) {
    log(`building the Temporal server into ${serverDir} (first run on this machine: about 10 minutes)`);
    await clusterShell('ensure_cluster_binaries', BUILD_TIMEOUT_MS);
  }
  return { serverDir, cli, portNames };
}

/**
 * A production-mode Temporal server of the chaos run's own (`--cluster`): go.temporal.io/server as
 * `STACK=cluster` runs it (docker/temporal/config, --env cluster), its persistence and SQL
 * visibility in the run's own PostgreSQL (schema by docker/temporal/setup-schema.sh), the
 * namespace, its retention and the saga's search attributes by docker/temporal/setup-namespace.sh,
 * every port a free one. A PostgreSQL restart then takes Temporal's databases down with the app's.
 */
export async function startOwnTemporalCluster(dir: string, postgres: OwnPostgres, log: (message: string) => void): Promise<OwnTemporal> {
  const { serverDir, cli, portNames } = await clusterBinaries(log);
  await mkdir(dir, { recursive: true });
  const shared = parseAssignments(readFileSync(join(REPO_ROOT, TEMPORAL_ENV_FILE), 'utf8'));
  const database = {
    POSTGRES_SEEDS: '127.0.0.1',
    DB_PORT: String(postgres.port),
    POSTGRES_USER: 'root',
    POSTGRES_PWD: '',
    SQL_PASSWORD: '',
  };
  const ports: Record<string, string> = {};
  for (const name of ['FRONTEND_GRPC_PORT', ...portNames])
    if (!(name in ports)) ports[name] = String(await freePort(Object.values(ports).map(Number)));
  const frontendPort = Number(ports.FRONTEND_GRPC_PORT);
  const address = `127.0.0.1:${frontendPort}`;

  await runCommand('sh', [join(REPO_ROOT, 'docker/temporal/setup-schema.sh')], {
    env: {
      ...shared,
      ...database,
      TEMPORAL_SQL_TOOL: join(serverDir, 'temporal-sql-tool'),
      TEMPORAL_SCHEMA_DIR: join(serverDir, 'schema/postgresql/v12'),
    },
  });

  const serverEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...shared,
    ...database,
    ...ports,
    BIND_ON_IP: '127.0.0.1',
    DYNAMIC_CONFIG_FILE_PATH: join(REPO_ROOT, 'docker/temporal/dynamicconfig/development-sql.yaml'),
    [TEMPORAL_DIR_ENV]: dir,
  };
  const args = ['--root', REPO_ROOT, '--config', 'docker/temporal/config', '--env', 'cluster', '--allow-no-auth', 'start'];
  let server: ChildProcess | null = null;
  const spawnServer = async (): Promise<ChildProcess> => {
    const logFile = openSync(join(dir, 'temporal.log'), 'a');
    try {
      const started = spawn(join(serverDir, 'temporal-server'), args, { env: serverEnv, stdio: ['ignore', logFile, logFile] });
      server = started;
      await writeFile(join(dir, TEMPORAL_PID_FILE), String(started.pid ?? ''));
      return started;
    } finally {
      closeSync(logFile);
    }
  };
  // A restart: the namespace exists, so it serves once the namespace answers.
  const launch = async () => {
    await spawnServer();
    await waitUntil(`the chaos run's Temporal server on ${address}`, START_TIMEOUT_MS, async () => {
      if (!running()) throw new Error('exited');
      await runCommand(
        cli,
        ['operator', 'namespace', 'describe', '--address', address, '--namespace', shared.TEMPORAL_NAMESPACE ?? 'default'],
        {
          timeoutMs: 10_000,
        },
      );
      return true;
    });
  };
  const running = () => server !== null && server.exitCode === null && server.signalCode === null;
  const kill = async (signal: NodeJS.Signals) => {
    const running = server;
    if (!running || running.exitCode !== null || running.signalCode !== null) return null;
    const exited = once(running, 'exit');
    running.kill(signal);
    // A graceful stop that hangs (draining on a stopped PostgreSQL) is cut short.
    const timer = setTimeout(() => running.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
    return running.pid ?? null;
  };

  // The first start: no namespace yet; the setup compose runs waits for the frontend, then makes it.
  const first = await spawnServer();
  // A server that dies at start (a bad setting) fails the start at once, not after the setup's retries.
  let settled = false;
  const exitedEarly = new Promise<never>((_, reject) =>
    first.once('exit', (code) => {
      if (!settled) reject(new Error(`the Temporal server exited at start (code ${String(code)}): see ${join(dir, 'temporal.log')}`));
    }),
  );
  try {
    await Promise.race([
      runCommand('sh', [join(REPO_ROOT, 'docker/temporal/setup-namespace.sh')], {
        env: { ...shared, PATH: `${dirname(cli)}:${process.env.PATH ?? ''}`, TEMPORAL_ADDRESS: address, SETUP_ATTEMPTS: '90' },
        timeoutMs: START_TIMEOUT_MS + 60_000,
      }),
      exitedEarly,
    ]);
    settled = true;
  } catch (error) {
    settled = true;
    await kill('SIGKILL');
    throw error;
  }
  return {
    kind: 'cluster',
    address,
    async killAndRestart() {
      const stoppedAt = Date.now();
      const pid = await kill('SIGKILL');
      await launch();
      return { stoppedAt, readyAt: Date.now(), detail: `temporal-server pid ${pid}` };
    },
    async stop() {
      await kill('SIGTERM');
    },
    stopNow() {
      server?.kill('SIGKILL');
    },
  };
}
