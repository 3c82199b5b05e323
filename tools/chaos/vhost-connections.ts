import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs `rabbitmqctl` (root on the project's machine can); errors carry the command and its output. */
export async function rabbitmqctl(...args: string[]): Promise<string> {
  try {
    const { stdout } = await run('rabbitmqctl', args, { timeout: 60_000 });
    return stdout;
  } catch (error) {
    const stderr = typeof error === 'object' && error !== null && 'stderr' in error ? String(error.stderr).trim() : '';
    throw new Error(`rabbitmqctl ${args.join(' ')} failed: ${stderr || (error instanceof Error ? error.message : String(error))}`, {
      cause: error,
    });
  }
}

/** A vhost of the run's own, so closing "every connection" touches nobody else's. */
export async function createVhost(vhost: string): Promise<void> {
  await rabbitmqctl('add_vhost', vhost);
  await rabbitmqctl('set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*');
}

export async function deleteVhost(vhost: string): Promise<void> {
  await rabbitmqctl('delete_vhost', vhost);
}

export async function listVhosts(): Promise<string[]> {
  const stdout = await rabbitmqctl('list_vhosts', 'name', '-q', '--no-table-headers');
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

/** The broker drops every client connection of `vhost`, as a broker restart would; returns how many. */
export async function closeVhostConnections(vhost: string, explanation: string): Promise<number> {
  const before = await countVhostConnections(vhost);
  await rabbitmqctl('close_all_connections', '--vhost', vhost, '--limit', '1000', explanation);
  return before;
}

export async function countVhostConnections(vhost: string): Promise<number> {
  // list_connections has no vhost filter: list them all with their vhost and filter here.
  const stdout = await rabbitmqctl('list_connections', 'vhost', '-q', '--no-table-headers');
  return stdout.split('\n').filter((line) => line.trim() === vhost).length;
}
