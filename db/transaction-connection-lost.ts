/**
 * The connection a transaction ran on closed before its COMMIT was acknowledged (backend
 * terminated, Postgres restarted, network cut). The transaction rolled back with its session,
 * unless the connection dropped while COMMIT itself was in flight, when it may have committed:
 * run it again, idempotently (the saga's step ledger and the consumers' inbox are built for that).
 */
export class TransactionConnectionLostError extends Error {
  readonly code = 'TRANSACTION_CONNECTION_LOST';

  constructor(
    /** The application_name of the lost connection, as pg_stat_activity listed it. */
    readonly applicationName: string,
    options?: ErrorOptions,
  ) {
    super(
      `the database connection of this transaction (application_name ${JSON.stringify(applicationName)}) closed before COMMIT was acknowledged; ` +
        'the transaction rolled back (or, if it closed during COMMIT, may have committed): run it again',
      options,
    );
    this.name = 'TransactionConnectionLostError';
  }
}

/**
 * True when postgres.js failed a statement because it lost the connection: its own
 * CONNECTION_* and CONNECT_TIMEOUT errors, and the socket errors it passes on (it tags those with
 * the failed query). Drizzle wraps them as the `cause` of its own error.
 */
export function isConnectionFailure(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = 'code' in current ? current.code : undefined;
    if (typeof code === 'string' && (code.startsWith('CONNECTION_') || code === 'CONNECT_TIMEOUT')) return true;
    if ('syscall' in current && 'query' in current) return true;
  }
  return false;
}
