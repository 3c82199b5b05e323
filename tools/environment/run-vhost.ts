import { rabbitmqctl } from './rabbitmqctl';
import { isStaleRunName } from './run-identity';

/**
 * A RabbitMQ vhost of the run's own (the chaos harness's), so that closing "every connection" or
 * deleting everything touches nobody else's. Made and removed with rabbitmqctl.
 */
export async function createRunVhost(vhost: string): Promise<void> {
  await rabbitmqctl('add_vhost', vhost);
  await rabbitmqctl('set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*');
}

/** Deletes the vhost with every exchange and queue in it. */
export async function deleteRunVhost(vhost: string): Promise<void> {
  await rabbitmqctl('delete_vhost', vhost);
}

/** The names of the vhosts that start with `prefix`. */
export async function listVhosts(prefix: string): Promise<string[]> {
  const stdout = await rabbitmqctl('list_vhosts', 'name', '-q', '--no-table-headers');
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((vhost) => vhost.startsWith(prefix));
}

/** Deletes the vhosts of `prefix` whose run started hours ago: runs killed before their teardown. */
export async function sweepStaleVhosts(prefix: string): Promise<string[]> {
  const stale = (await listVhosts(prefix)).filter((vhost) => isStaleRunName(vhost, prefix));
  for (const vhost of stale) await deleteRunVhost(vhost);
  return stale;
}

/** The same broker and credentials, another vhost. */
export function withVhost(url: string, vhost: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(vhost)}`;
  return parsed.toString();
}
