import type { PendingQuery, Row, Sql } from 'postgres';
import { TransactionConnectionLostError } from './transaction-connection-lost';

/**
 * One transaction on a slot's client, and the guard every statement of it passes: none is sent
 * once the connection has closed (`markLost`), because the client would send it on a new
 * session, outside the transaction, in autocommit. Statements go one at a time, so none can sit
 * queued in the client when the connection closes and run on that new session later.
 */
export class SlotTransaction {
  #lost = false;
  #running = false;
  readonly #lostSignal: Promise<never>;
  #signalLost: (error: Error) => void = () => {};

  constructor(
    /** The slot's client this transaction runs on. */
    readonly sql: Sql,
    private readonly applicationName: string,
  ) {
    this.#lostSignal = new Promise<never>((_, reject) => (this.#signalLost = reject));
    // Nobody may be waiting when the connection closes.
    this.#lostSignal.catch(() => {});
  }

  get lost(): boolean {
    return this.#lost;
  }

  /** Called by the client's `onclose`, synchronously, before any promise of the closed connection settles. */
  markLost(): void {
    if (this.#lost) return;
    this.#lost = true;
    this.#signalLost(new TransactionConnectionLostError(this.applicationName));
  }

  /**
   * Waits for `work`, or fails as soon as the connection is lost: after a socket error postgres.js
   * may never settle a statement sent in the meantime, and a statement left pending could even be
   * settled later by a reply of the next session.
   */
  untilLost<T>(work: T | PromiseLike<T>): Promise<T> {
    return Promise.race([work, this.#lostSignal]);
  }

  lostError(cause: unknown): TransactionConnectionLostError {
    return cause instanceof TransactionConnectionLostError ? cause : new TransactionConnectionLostError(this.applicationName, { cause });
  }

  /** One statement of this transaction (BEGIN and COMMIT included), through the guard. */
  statement(text: string): Promise<unknown> {
    return this.untilLost(this.#issue(() => this.sql.unsafe(text)));
  }

  /**
   * The client the transaction's body (drizzle's PostgresJsSession) writes through: the slot's,
   * with `unsafe` and tagged-template statements guarded, and nested transactions refused.
   */
  client(): Sql {
    return new Proxy(this.sql, {
      get: (target, property, receiver) => {
        if (property === 'unsafe') return (...args: Parameters<Sql['unsafe']>) => this.#issue(() => target.unsafe(...args));
        if (property === 'savepoint' || property === 'begin' || property === 'reserve') {
          return () =>
            Promise.reject(
              new Error(
                `${String(property)} is not available inside a transaction of db/transaction-slots.ts (no savepoints, no nested transactions)`,
              ),
            );
        }
        return Reflect.get(target, property, receiver);
      },
      apply: (target, thisArg, args: unknown[]) => {
        const [first] = args;
        // sql`...` is a statement; sql('name') and sql(rows) only build fragments.
        const isStatement = Array.isArray(first) && 'raw' in first;
        return isStatement
          ? this.#issue(() => Reflect.apply(target, thisArg, args) as PendingQuery<Row[]>)
          : Reflect.apply(target, thisArg, args);
      },
    });
  }

  #issue<T extends Promise<unknown>>(create: () => T): T {
    if (this.#lost) throw new TransactionConnectionLostError(this.applicationName);
    if (this.#running) throw new Error('a transaction runs one statement at a time: await each statement before sending the next');
    this.#running = true;
    const query = create();
    // Attaching starts the query (postgres.js sends it a microtask later, after the caller's
    // `.values()`); the caller awaits the same query and sees its rejection.
    const settled = () => {
      this.#running = false;
    };
    query.then(settled, settled);
    return query;
  }
}
