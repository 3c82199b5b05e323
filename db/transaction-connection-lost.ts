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
