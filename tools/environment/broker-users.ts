import type { BrokerPermissions } from '../../messaging/broker-permissions';
import { rabbitmqctl } from './rabbitmqctl';

export interface BrokerUser {
  name: string;
  password: string;
  /** Its permissions on `vhost`; a user with none has no access there. */
  permissions: BrokerPermissions;
}

/**
 * Creates each user when missing (else sets its password), with no tags (no management or
 * administrator rights) and exactly `permissions` on `vhost`. Idempotent. With rabbitmqctl, as
 * root on the broker's machine can; compose runs the same commands (docker/rabbitmq/users.sh).
 */
export async function ensureBrokerUsers(vhost: string, users: readonly BrokerUser[]): Promise<void> {
  for (const user of users) {
    for (const args of brokerUserCommands(vhost, user, user.password)) await rabbitmqctl(...args).catch(alreadyThere(args));
  }
}

/** The rabbitmqctl commands that make `user`, `password` as given (compose passes a shell variable). */
export function brokerUserCommands(vhost: string, user: Omit<BrokerUser, 'password'>, password: string): string[][] {
  const { configure, write, read } = user.permissions;
  return [
    ['add_user', user.name, password],
    ['change_password', user.name, password],
    ['set_user_tags', user.name],
    ['set_permissions', '-p', vhost, user.name, configure, write, read],
  ];
}

const alreadyThere = (args: readonly string[]) => (error: unknown) => {
  if (args[0] === 'add_user' && /already exists|user_already_exists/i.test(String(error))) return '';
  throw error;
};

/** Deletes users (a test's own). */
export async function deleteBrokerUsers(names: readonly string[]): Promise<void> {
  for (const name of names) {
    await rabbitmqctl('delete_user', name).catch((error: unknown) => {
      if (!/no_such_user|does not exist/i.test(String(error))) throw error;
    });
  }
}

/** The broker users whose names start with `prefix` (a harness's: to sweep those of killed runs). */
export async function listBrokerUsers(prefix: string): Promise<string[]> {
  const stdout = await rabbitmqctl('list_users', '-q', '--no-table-headers');
  return stdout
    .split('\n')
    .map((line) => line.split('\t')[0]!.trim())
    .filter((name) => name !== '' && name.startsWith(prefix));
}
