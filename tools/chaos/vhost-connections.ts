import { rabbitmqctl } from '../environment/rabbitmqctl';

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
