import { rabbitmqctlOn } from '../environment/rabbitmqctl';

/** The broker (the machine's node, or `node`) drops every client connection of `vhost`, as a broker restart would; returns how many. */
export async function closeVhostConnections(vhost: string, explanation: string, node: string | null): Promise<number> {
  const before = await countVhostConnections(vhost, node);
  await rabbitmqctlOn(node, 'close_all_connections', '--vhost', vhost, '--limit', '1000', explanation);
  return before;
}

export async function countVhostConnections(vhost: string, node: string | null): Promise<number> {
  // list_connections has no vhost filter: list them all with their vhost and filter here.
  const stdout = await rabbitmqctlOn(node, 'list_connections', 'vhost', '-q', '--no-table-headers');
  return stdout.split('\n').filter((line) => line.trim() === vhost).length;
}
