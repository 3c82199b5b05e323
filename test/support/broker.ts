import { rabbitmqctl } from '../../tools/environment/rabbitmqctl';

/** The broker's pids of the open connections with this client-provided name. */
async function brokerConnectionPids(connectionName: string): Promise<string[]> {
  // The text listing prints pids in the form close_connection accepts; the JSON one does not.
  const stdout = await rabbitmqctl('list_connections', 'pid', 'client_properties', '-q', '--no-table-headers');
  return stdout
    .split('\n')
    .filter((line) => line.includes(`{"connection_name","${connectionName}"}`))
    .map((line) => line.split('\t')[0]!);
}

/** How many connections with this client-provided name the broker has open right now. */
export async function countBrokerConnections(connectionName: string): Promise<number> {
  return (await brokerConnectionPids(connectionName)).length;
}

/**
 * Has the broker close the connection with this client-provided name, as a broker restart or a
 * network cut would. Only that connection: other test runs on the same broker are untouched.
 */
export async function closeBrokerConnection(connectionName: string): Promise<void> {
  const pids = await brokerConnectionPids(connectionName);
  if (pids.length === 0) throw new Error(`no broker connection named ${connectionName}`);
  for (const pid of pids) await rabbitmqctl('close_connection', pid, 'closed by test');
}

export interface BrokerQueueCounts {
  messages: number;
  /** Delivered to a consumer and not yet acknowledged. */
  unacknowledged: number;
}

/** The broker's own counts for `queue`, as `rabbitmqctl list_queues` reports them. */
export async function queueCounts(queue: string): Promise<BrokerQueueCounts> {
  const stdout = await rabbitmqctl('list_queues', 'name', 'messages', 'messages_unacknowledged', '-q', '--no-table-headers');
  const line = stdout.split('\n').find((candidate) => candidate.split('\t')[0] === queue);
  if (!line) throw new Error(`rabbitmqctl does not list queue ${queue}`);
  const [, messages, unacknowledged] = line.split('\t');
  return { messages: Number(messages), unacknowledged: Number(unacknowledged) };
}

/**
 * Applies a policy to `queue` alone (as an operator would, say a length limit) and resolves
 * once the broker shows it applied. Returns the policy's name, for clearQueuePolicy.
 */
export async function setQueuePolicy(queue: string, definition: Record<string, unknown>): Promise<string> {
  const name = `test-${queue}`;
  const pattern = `^${queue.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
  await rabbitmqctl('set_policy', '--apply-to', 'queues', name, pattern, JSON.stringify(definition));
  const deadline = Date.now() + 15_000;
  for (;;) {
    const stdout = await rabbitmqctl('list_queues', 'name', 'policy', '-q', '--no-table-headers');
    if (stdout.split('\n').some((line) => line === `${queue}\t${name}`)) return name;
    if (Date.now() > deadline) throw new Error(`policy ${name} did not apply to ${queue} within 15 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function clearQueuePolicy(name: string): Promise<void> {
  await rabbitmqctl('clear_policy', name);
}
