import type { Options, PostgresType, Sql } from 'postgres';
import { SlotTransaction } from './slot-transaction';
import { isConnectionFailure, postgresErrorIn } from './postgres-errors';

export type TransactionBody<T> = (sql: Sql) => T | Promise<T>;
export type ClientOptions = Options<Record<string, PostgresType>>;
/** Opens a postgres.js client like the handle's own, with these options on top. */
export type OpenClient = (options: ClientOptions) => Promise<Sql>;

/**
 * Where transactions run, instead of postgres.js's `sql.begin()`.
 *
 * Why: postgres.js 3.4.9 keeps writing to a transaction's connection after its backend died
 * (porsager/postgres#1208). While the socket is gone, its own ROLLBACK, or the transaction's next
 * statement, throws a TypeError from a timer that no caller can catch, and the process exits;
 * once the pool has reconnected that connection, the transaction's later statements run on the
 * new session in autocommit and commit without the rest of it. Upstream's fix (#1209, unmerged)
 * covers the first only. So each transaction here gets a client of its own with one connection
 * (a slot) and writes BEGIN and COMMIT itself: statements of a client that is not reserved never
 * touch a closed connection (the client reconnects first), and the client's `onclose` marks the
 * running transaction lost before anything else runs, so nothing more of it is sent.
 */
export class TransactionSlots {
  readonly #all: Slot[];
  readonly #free: Slot[];
  readonly #waiting: Array<{ resolve: (slot: Slot) => void; reject: (error: Error) => void }> = [];
  #closed = false;

  constructor(count: number, applicationName: string, open: OpenClient) {
    this.#all = Array.from({ length: count }, () => new Slot(open, applicationName));
    this.#free = [...this.#all];
  }

  /** `sql.begin` with the same arguments: an optional mode ("isolation level serializable"), then the body. */
  begin<T>(modeOrBody: string | TransactionBody<T>, body?: TransactionBody<T>): Promise<T> {
    if (typeof modeOrBody !== 'string') return this.run('', modeOrBody);
    if (!body) return Promise.reject(new Error('begin(mode, body): the transaction body is missing'));
    return this.run(modeOrBody, body);
  }

  async run<T>(mode: string, body: TransactionBody<T>): Promise<T> {
    const slot = await this.#acquire();
    try {
      return await slot.transaction(mode, body);
    } finally {
      this.#release(slot);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const waiter of this.#waiting.splice(0))
      waiter.reject(new Error('the database handle was closed while this transaction waited for a connection'));
    await Promise.all(this.#all.map((slot) => slot.close()));
  }

  #acquire(): Promise<Slot> {
    if (this.#closed) return Promise.reject(new Error('the database handle is closed'));
    const slot = this.#free.pop();
    if (slot) return Promise.resolve(slot);
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  #release(slot: Slot): void {
    const next = this.#waiting.shift();
    if (next) next.resolve(slot);
    else this.#free.push(slot);
  }
}

/** A client with one connection, for one transaction at a time; opened at its first transaction. */
class Slot {
  #sql: Sql | undefined;
  #running: SlotTransaction | undefined;

  constructor(
    private readonly open: OpenClient,
    private readonly applicationName: string,
  ) {}

  async transaction<T>(mode: string, body: TransactionBody<T>): Promise<T> {
    this.#sql ??= await this.#connect();
    const tx = new SlotTransaction(this.#sql, this.applicationName);
    this.#running = tx;
    try {
      // Same filter as postgres.js's begin(): letters and spaces only.
      await tx.statement(`BEGIN ${mode.replace(/[^a-z ]/gi, '')}`);
      const result = await tx.untilLost(body(tx.client()));
      await tx.statement('COMMIT');
      return result;
    } catch (error) {
      throw await this.#afterFailure(tx, error);
    } finally {
      this.#running = undefined;
    }
  }

  async close(): Promise<void> {
    await this.#sql?.end({ timeout: 5 });
  }

  /**
   * Ends a failed transaction and returns the error to throw. ROLLBACK only when Postgres itself
   * reported the failure, so the session is known to be healthy. Any other failure (the
   * connection's, or the body's own) may have left the client mid-reply or after a socket error,
   * when postgres.js can attribute the next session's replies to statements of this one: the
   * client is replaced instead, and ending it ends the session, which rolls the transaction back.
   */
  async #afterFailure(tx: SlotTransaction, error: unknown): Promise<unknown> {
    // A socket error can fail a statement before the close that marks the transaction lost.
    if (isConnectionFailure(error)) tx.markLost();
    if (!tx.lost && postgresErrorIn(error) !== undefined) {
      try {
        await tx.untilLost(tx.sql.unsafe('ROLLBACK'));
        return error;
      } catch (rollbackError) {
        this.#replace(tx.sql);
        return tx.lost
          ? tx.lostError(error)
          : new AggregateError([error, rollbackError], 'the transaction failed, and so did its ROLLBACK; its connection was closed');
      }
    }
    this.#replace(tx.sql);
    return tx.lost ? tx.lostError(error) : error;
  }

  /** The next transaction opens a new client. */
  #replace(broken: Sql): void {
    if (broken === this.#sql) this.#sql = undefined;
    // Ending is the remedy; an error while ending a dead client has nothing left to tell.
    void broken.end({ timeout: 0 }).catch(() => {});
  }

  async #connect(): Promise<Sql> {
    const sql: Sql = await this.open({
      max: 1,
      // The pool would recycle the connection between two statements of an open transaction.
      max_lifetime: null,
      onclose: () => {
        if (this.#running?.sql === sql) this.#running.markLost();
      },
    });
    return sql;
  }
}
