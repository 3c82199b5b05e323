import { randomBytes } from 'node:crypto';

/**
 * Names that keep concurrent and successive runs (of the tests, the benchmark, the chaos harness)
 * apart: each run gets its own databases, exchanges or vhost, queues and task queues, all named
 * after its run id. The id starts with the run's start time in base 36 (8 characters until 2059),
 * so a later run can tell what a killed run left behind and how long ago.
 */
export const newRunId = (): string => `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

/** A short random suffix, for names inside a run (a test file's database, a SKU, a probe queue). */
export const uniqueSuffix = (): string => randomBytes(4).toString('hex');

/** A run's leftovers are this old before a later run removes them: no run lasts that long. */
export const STALE_AFTER_MS = 6 * 60 * 60 * 1000;

/**
 * When the run that named `name` started: `name` is `prefix`, a run id, and nothing else or an
 * underscore and more (`saga_test_<id>_<suffix>`, a test file's clone). Undefined for other names.
 */
export function runStartedAt(name: string, prefix: string): number | undefined {
  if (!name.startsWith(prefix)) return undefined;
  const match = /^([0-9a-z]{8})[0-9a-f]{6}(?:$|_)/.exec(name.slice(prefix.length));
  return match ? parseInt(match[1]!, 36) : undefined;
}

/** True when `name` belongs to a run (of `prefix`) that started more than STALE_AFTER_MS ago. */
export function isStaleRunName(name: string, prefix: string, now = Date.now()): boolean {
  const startedAt = runStartedAt(name, prefix);
  return startedAt !== undefined && now - startedAt > STALE_AFTER_MS;
}
