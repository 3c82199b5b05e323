/**
 * Reading the errors of postgres.js, which drizzle 0.45 wraps in a DrizzleQueryError (whose
 * message is the query text) with the original as its `cause`: every reader walks the chain.
 */

/** The fields of postgres.js's PostgresError (an error Postgres itself reported) that we read. */
export interface PostgresErrorFields {
  message: string;
  /** The SQLSTATE, for example 23505. */
  code: string;
  constraint_name?: string;
  column_name?: string;
  table_name?: string;
  detail?: string;
}

const MAX_CAUSES = 10;

/** The error and its causes, outermost first (bounded: a cycle of causes cannot loop forever). */
export function* causeChain(error: unknown): Generator<unknown> {
  let current = error;
  for (let depth = 0; current !== undefined && current !== null && depth < MAX_CAUSES; depth++) {
    yield current;
    current = current instanceof Error ? current.cause : undefined;
  }
}

/** The error Postgres reported, wherever it sits in the chain; undefined when Postgres said nothing. */
export function postgresErrorIn(error: unknown): PostgresErrorFields | undefined {
  for (const cause of causeChain(error)) {
    if (isPostgresError(cause)) return cause;
  }
  return undefined;
}

function isPostgresError(value: unknown): value is PostgresErrorFields {
  if (!(value instanceof Error) || value.name !== 'PostgresError') return false;
  const code: unknown = (value as Error & { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

/**
 * True when postgres.js failed a statement because it lost the connection: its own
 * CONNECTION_* and CONNECT_TIMEOUT errors, and the socket errors it passes on (it tags those with
 * the failed query).
 */
export function isConnectionFailure(error: unknown): boolean {
  for (const cause of causeChain(error)) {
    if (!(cause instanceof Error)) continue;
    const code = 'code' in cause ? cause.code : undefined;
    if (typeof code === 'string' && (code.startsWith('CONNECTION_') || code === 'CONNECT_TIMEOUT')) return true;
    if ('syscall' in cause && 'query' in cause) return true;
  }
  return false;
}

/**
 * SQLSTATEs that say the database is not serving right now, whatever was asked of it: a
 * connection exception (class 08), an administrator or crash shutdown, or a server still starting.
 */
const UNAVAILABLE_CODES = /^(08...|57P01|57P02|57P03)$/;

/** True when the statement failed because PostgreSQL could not be reached or was not serving. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (isConnectionFailure(error)) return true;
  const pg = postgresErrorIn(error);
  return pg !== undefined && UNAVAILABLE_CODES.test(pg.code);
}
