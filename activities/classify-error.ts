import { causeChain, postgresErrorIn, type PostgresErrorFields } from '../db/postgres-errors';

/**
 * Which failures of a step retrying cannot fix. Pure: no I/O, unit-tested on its own
 * (test/saga/classify-error.test.ts).
 *
 * Postgres reports a SQLSTATE; postgres.js puts it on its PostgresError (db/postgres-errors.ts
 * finds it under drizzle's wrapping).
 * Deterministic: class 22 (data exception: out of range, invalid text, untranslatable character),
 * class 23 (integrity constraint violation), class 54 (program limit exceeded: an index row too
 * big), and postgres.js's own refusals of a query's values. Everything else retries: lost
 * connections, 40001 serialization failures, 40P01 deadlocks, 57P01 admin shutdown, 53xxx
 * resources, network errors, and whatever is not known to be deterministic (a missing table or a
 * bug is fixed by a deploy, which a retry then picks up).
 */

export const DETERMINISTIC_FAILURE_TYPES = ['InvalidData', 'ConstraintViolation', 'ProgramLimitExceeded'] as const;
export type DeterministicFailureType = (typeof DETERMINISTIC_FAILURE_TYPES)[number];

export type ErrorClass =
  { retryable: true } | { retryable: false; type: DeterministicFailureType; message: string; sqlState: string | null };

const SQLSTATE_CLASSES: Record<string, DeterministicFailureType> = {
  '22': 'InvalidData',
  '23': 'ConstraintViolation',
  '54': 'ProgramLimitExceeded',
};

/** postgres.js refuses these queries before sending them; sending again gives the same answer. */
const CLIENT_CODES: Record<string, DeterministicFailureType> = {
  UNDEFINED_VALUE: 'InvalidData',
  MAX_PARAMETERS_EXCEEDED: 'ProgramLimitExceeded',
};

export function classifyStepError(error: unknown): ErrorClass {
  const pg = postgresErrorIn(error);
  if (pg) {
    const type = SQLSTATE_CLASSES[pg.code.slice(0, 2)];
    return type ? { retryable: false, type, message: describePostgresError(pg), sqlState: pg.code } : { retryable: true };
  }
  for (const cause of causeChain(error)) {
    const code = typeof cause === 'object' && cause !== null && 'code' in cause ? cause.code : undefined;
    const type = typeof code === 'string' ? CLIENT_CODES[code] : undefined;
    if (type) return { retryable: false, type, message: messageOf(cause), sqlState: null };
  }
  return { retryable: true };
}

/** The most useful one-line account of an error: the database's own words when there are some. */
export function describeStepError(error: unknown): string {
  const pg = postgresErrorIn(error);
  return pg ? describePostgresError(pg) : messageOf(error);
}

function describePostgresError(pg: PostgresErrorFields): string {
  const where = [
    pg.constraint_name && `constraint ${pg.constraint_name}`,
    pg.column_name && `column ${pg.column_name}`,
    pg.table_name && `table ${pg.table_name}`,
  ].filter(Boolean);
  return `${pg.message} (SQLSTATE ${pg.code}${where.length > 0 ? `, ${where.join(', ')}` : ''})${pg.detail ? `: ${pg.detail}` : ''}`;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
