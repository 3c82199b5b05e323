import { execFileSync, spawn } from 'node:child_process';
import { chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../../../workers/free-port';
import { rabbitmqctlOn } from '../../environment/rabbitmqctl';
import { userIds } from './own-postgres';
import { waitUntil } from './run-command';

/** The machine's broker configuration: copied, with the listener moved to the node's own port. */
const MACHINE_CONFIG = '/etc/rabbitmq/rabbitmq.conf';
/** rabbitmq-server runs the node as this user when started by root; it must own the node's directories. */
const RABBITMQ_USER = 'rabbitmq';
const START_TIMEOUT_MS = 120_000;

export interface OwnRabbitmq {
  /** The node's name for rabbitmqctl -n. */
  node: string;
  /** guest/guest on the node's own port, default vhost. */
  url: string;
  /** `rabbitmqctl stop_app` then `start_app`: every connection dropped, durable queues and persistent messages kept. */
  restart(): Promise<{ stoppedAt: number; readyAt: number }>;
  stop(): Promise<void>;
  /** The node stopped, synchronously: for a harness that exits without its teardown. */
  stopNow(): void;
}

/**
 * A RabbitMQ node of the chaos run's own (RABBITMQ_NODENAME, its own AMQP and distribution
 * ports, Mnesia and log directories under `dir`), started with the machine's binaries and
 * configuration; the machine's node and its clients never notice it. It starts in about 6 s here.
 */
export async function startOwnRabbitmq(dir: string, name: string): Promise<OwnRabbitmq> {
  const node = `${name}@localhost`;
  const port = await freePort();
  const distPort = await freePort([port]);
  await mkdir(dir, { recursive: true });
  const machineConfig = await readFile(MACHINE_CONFIG, 'utf8').catch(() => '');
  const config = machineConfig
    .split('\n')
    .filter((line) => !/^\s*listeners\.tcp\b/.test(line))
    .concat(`listeners.tcp.local = 127.0.0.1:${port}`, '')
    .join('\n');
  await writeFile(join(dir, 'rabbitmq.conf'), config);
  // No plugins: the harness manages the node with rabbitmqctl only.
  await writeFile(join(dir, 'enabled_plugins'), '[].\n');
  const [uid, gid] = await userIds(RABBITMQ_USER);
  await chown(dir, uid, gid);
  for (const file of ['rabbitmq.conf', 'enabled_plugins']) await chown(join(dir, file), uid, gid);
  const server = spawn('rabbitmq-server', [], {
    env: {
      ...process.env,
      RABBITMQ_NODENAME: node,
      RABBITMQ_NODE_PORT: String(port),
      RABBITMQ_DIST_PORT: String(distPort),
      RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(dir, 'log'),
      RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
      RABBITMQ_PID_FILE: join(dir, 'rabbitmq.pid'),
    },
    stdio: 'ignore',
    detached: true,
  });
  server.unref();
  const ctl = (...args: string[]) => rabbitmqctlOn(node, ...args);
  const awaitStartup = () =>
    waitUntil(`RabbitMQ node ${node}`, START_TIMEOUT_MS, async () => (await ctl('await_startup', '--timeout', '5'), true));
  try {
    await awaitStartup();
  } catch (error) {
    server.kill('SIGKILL');
    throw error;
  }
  return {
    node,
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    async restart() {
      const stoppedAt = Date.now();
      await ctl('stop_app');
      await ctl('start_app');
      await awaitStartup();
      return { stoppedAt, readyAt: Date.now() };
    },
    async stop() {
      await ctl('stop');
    },
    stopNow() {
      execFileSync('rabbitmqctl', ['-n', node, 'stop'], { stdio: 'ignore', timeout: 30_000 });
    },
  };
}
