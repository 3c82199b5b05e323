import { randomBytes } from 'node:crypto';

/**
 * Names that keep concurrent and successive test runs apart: each run gets its own databases,
 * exchanges, queues and task queues. The leading timestamp lets a later run find and drop
 * what a crashed run left behind.
 */
export const newRunId = (): string => `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

export const TEST_DATABASE_PREFIX = 'saga_test_';

export function runStartedAt(databaseName: string): number | undefined {
  const match = /^saga_test_([0-9a-z]{8})/.exec(databaseName);
  return match ? parseInt(match[1]!, 36) : undefined;
}

export const uniqueSuffix = (): string => randomBytes(4).toString('hex');
