import { rabbitmqctlOn } from './rabbitmqctl';
import { isStaleRunName } from './run-identity';

/**
 * A RabbitMQ vhost of the run's own (the chaos harness's), so that closing "every connection" or
 * deleting everything touches nobody else's. Made and removed with rabbitmqctl, on the machine's
 * node or, given `node`, on another (the chaos run's own).
 */
export async function createRunVhost(vhost: string, node: string | null = null): Promise<void> {
  await rabbitmqctlOn(node, 'add_vhost', vhost);
  await rabbitmqctlOn(node, 'set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*');
}

/** Deletes the vhost with every exchange and queue in it. */
export async function deleteRunVhost(vhost: string, node: string | null = null): Promise<void> {
  await rabbitmqctlOn(node, 'delete_vhost', vhost);
}

/** The names of the vhosts that start with `prefix`. */
export async function listVhosts(prefix: string, node: string | null = null): Promise<string[]> {
  const stdout = await rabbitmqctlOn(node, 'list_vhosts', 'name', '-q', '--no-table-headers');
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((vhost) => vhost.startsWith(prefix));
}

/** Deletes the vhosts of `prefix` whose run started hours ago: runs killed before their teardown. */
export async function sweepStaleVhosts(prefix: string, node: string | null = null): Promise<string[]> {
  const stale = (await listVhosts(prefix, node)).filter((vhost) => isStaleRunName(vhost, prefix));
  for (const vhost of stale) await deleteRunVhost(vhost, node);
  return stale;
}

/** The same broker and credentials, another vhost. */
export function withVhost(url: string, vhost: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(vhost)}`;
  return parsed.toString();
}
