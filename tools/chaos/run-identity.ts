import { randomBytes } from 'node:crypto';

/**
 * Names of one chaos run's private resources. The leading base-36 timestamp lets a later run
 * find and delete what a crashed run left behind.
 */
export interface RunIdentity {
  id: string;
  database: string;
  vhost: string;
  taskQueue: string;
}

export const CHAOS_DATABASE_PREFIX = 'saga_chaos_';
export const CHAOS_VHOST_PREFIX = 'chaos-';

export function newRunIdentity(): RunIdentity {
  const id = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  return { id, database: `${CHAOS_DATABASE_PREFIX}${id}`, vhost: `${CHAOS_VHOST_PREFIX}${id}`, taskQueue: `chaos-${id}` };
}

/** When the run that owns `name` (a database or vhost of a chaos run) started, if it is one. */
export function startedAtOf(name: string): number | undefined {
  const match = /^(?:saga_chaos_|chaos-)([0-9a-z]{8})[0-9a-f]{6}$/.exec(name);
  return match ? parseInt(match[1]!, 36) : undefined;
}
