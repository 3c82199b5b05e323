import { execFileSync } from 'node:child_process';
import { appendFile, chown, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../../../workers/free-port';
import { runCommand } from './run-command';

/** The machine's PostgreSQL: its newest installed version, where Debian puts binaries and settings. */
const PG_ROOT = '/usr/lib/postgresql';
const PG_ETC = '/etc/postgresql';
/** initdb and postgres refuse to run as root; Debian's packages make this user. */
export const PG_USER = 'postgres';

/** The machine's newest PostgreSQL major version (the one `scripts/stack-up.sh` starts too). */
async function pgVersion(): Promise<string> {
  const version = (await readdir(PG_ROOT)).sort((a, b) => Number(a) - Number(b)).at(-1);
  if (!version) throw new Error(`no PostgreSQL under ${PG_ROOT}`);
  return version;
}

/** A binary of the machine's newest PostgreSQL. */
export const pgBinary = async (name: string): Promise<string> => join(PG_ROOT, await pgVersion(), 'bin', name);

export interface OwnPostgres {
  /** The superuser URL of the cluster's `postgres` database (user root, trust, as on the machine). */
  url: string;
  port: number;
  /** Fast shutdown (open transactions rolled back, every connection closed), then start; resolves once it accepts connections. */
  restart(): Promise<{ stoppedAt: number; readyAt: number }>;
  stop(): Promise<void>;
  /** Immediate shutdown, synchronously: for a harness that exits without its teardown. */
  stopNow(): void;
}

/**
 * A PostgreSQL cluster of the chaos run's own: initdb into `dir`, the machine's binaries and its
 * settings (its conf.d included; port and socket directory given on the command line win), on a
 * free port. Restarting it touches no other test's database.
 */
export async function startOwnPostgres(dir: string): Promise<OwnPostgres> {
  const version = await pgVersion();
  const bin = (name: string) => join(PG_ROOT, version, 'bin', name);
  const data = join(dir, 'data');
  await mkdir(dir, { recursive: true });
  await chown(dir, ...(await userIds(PG_USER)));
  const asPostgres = (file: string, args: string[]) => runCommand('runuser', ['-u', PG_USER, '--', file, ...args]);
  await asPostgres(bin('initdb'), ['-D', data, '-A', 'trust', '-U', 'root', '--no-sync', '-E', 'UTF8']);
  await appendFile(data + '/postgresql.conf', `\ninclude_dir '${join(PG_ETC, version, 'main', 'conf.d')}'\n`);
  const port = await freePort();
  // 300 connections, not the machine's 100: with --cluster the Temporal server's four services each
  // pool up to 30 (SQL_MAX_CONNS 20 + SQL_VIS_MAX_CONNS 10), beside the pools of every app replica.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=300`;
  const start = () => asPostgres(bin('pg_ctl'), ['-D', data, '-l', join(dir, 'postgres.log'), '-o', options, '-w', '-t', '60', 'start']);
  const stop = () => asPostgres(bin('pg_ctl'), ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
  await start();
  return {
    url: `postgres://root@127.0.0.1:${port}/postgres`,
    port,
    async restart() {
      const stoppedAt = Date.now();
      await stop();
      await start();
      return { stoppedAt, readyAt: Date.now() };
    },
    async stop() {
      await stop();
    },
    stopNow() {
      execFileSync('runuser', ['-u', PG_USER, '--', bin('pg_ctl'), '-D', data, '-m', 'immediate', 'stop'], { stdio: 'ignore' });
    },
  };
}

/** The uid and gid of a system user. */
export async function userIds(user: string): Promise<[number, number]> {
  const [uid, gid] = await Promise.all([runCommand('id', ['-u', user]), runCommand('id', ['-g', user])]);
  return [Number(uid.trim()), Number(gid.trim())];
}
