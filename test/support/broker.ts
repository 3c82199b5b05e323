import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The broker's pids of the open connections with this client-provided name. */
async function brokerConnectionPids(connectionName: string): Promise<string[]> {
  // The text listing prints pids in the form close_connection accepts; the JSON one does not.
  const { stdout } = await run('rabbitmqctl', ['list_connections', 'pid', 'client_properties', '-q', '--no-table-headers']);
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
  for (const pid of pids) await run('rabbitmqctl', ['close_connection', pid, 'closed by test']);
}
