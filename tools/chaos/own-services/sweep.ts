import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rabbitmqctlOn } from '../../environment/rabbitmqctl';
import { isStaleRunName } from '../../environment/run-identity';
import { pgBinary, PG_USER } from './own-postgres';
import { TEMPORAL_DIR_ENV, TEMPORAL_PID_FILE } from './own-temporal';
import { runCommand } from './run-command';

const RUN_DIR_PREFIX = 'saga-chaos-';

/**
 * Stops the services of chaos runs that started hours ago and died without their teardown and
 * without their exit handler (a SIGKILL of the harness), and removes their data; their logs stay.
 * Returns the run ids it cleaned up after.
 */
export async function sweepStaleOwnServices(): Promise<string[]> {
  const swept: string[] = [];
  for (const entry of await readdir(tmpdir())) {
    if (!isStaleRunName(entry, RUN_DIR_PREFIX)) continue;
    const dir = join(tmpdir(), entry, 'services');
    if (!existsSync(dir)) continue;
    const id = entry.slice(RUN_DIR_PREFIX.length);
    const data = join(dir, 'postgres', 'data');
    if (existsSync(join(data, 'postmaster.pid')))
      await runCommand('runuser', ['-u', PG_USER, '--', await pgBinary('pg_ctl'), '-D', data, '-m', 'immediate', 'stop']).catch(
        () => undefined,
      );
    if (existsSync(join(dir, 'rabbitmq', 'mnesia'))) await rabbitmqctlOn(`chaos-${id}@localhost`, 'stop').catch(() => undefined);
    const pid = Number(await readFile(join(dir, 'temporal', TEMPORAL_PID_FILE), 'utf8').catch(() => ''));
    // Only if that pid still is the run's server (pids are reused): its environment names its directory.
    const environ = pid > 0 ? await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '') : '';
    if (environ.split('\0').includes(`${TEMPORAL_DIR_ENV}=${join(dir, 'temporal')}`)) process.kill(pid, 'SIGKILL');
    for (const path of ['postgres/data', 'rabbitmq/mnesia', 'temporal/temporal.db'])
      await rm(join(dir, path), { recursive: true, force: true });
    swept.push(id);
  }
  return swept;
}
