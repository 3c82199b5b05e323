import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres, { type Sql } from 'postgres';
import * as schema from '../drizzle/schema';
import { TransactionSlots, type ClientOptions } from './transaction-slots';

export type Database = PostgresJsDatabase<typeof schema>;
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
export { TransactionConnectionLostError } from './transaction-connection-lost';

export interface DbHandle {
  /** postgres.js, except that `begin` runs on the crash-safe transaction slots. */
  sql: Sql;
  /** Drizzle over `sql`: `db.transaction` runs on the slots too. */
  db: Database;
  close(): Promise<void>;
}

/**
 * A pool of `max` connections for single statements and `max` transaction slots of one
 * connection each (db/transaction-slots.ts), all opened as needed, under one application_name.
 */
export interface ConnectOptions {
  max?: number;
  applicationName?: string;
  /** Session settings for every connection, for example `synchronous_commit`. */
  settings?: Record<string, string>;
}

export function connectDb(url: string, options: ConnectOptions = {}): DbHandle {
  const max = options.max ?? 10;
  const applicationName = options.applicationName ?? 'saga-orchestrator';
  const clientOptions: ClientOptions = { onnotice: () => {}, connection: { ...options.settings, application_name: applicationName } };
  const pool = postgres(url, { ...clientOptions, max });

  // postgres.js fetches the array types on each new connection, and a backend killed during
  // that fetch is an unhandled rejection that ends the process (porsager/postgres#1192, #1223).
  // So the pool's first connection fetches them, and no later connection does: the pool's stop
  // fetching, and the slots' clients start with the pool's parsers and serializers.
  let arrayTypes: Promise<void> | undefined;
  const loadArrayTypes = () =>
    (arrayTypes ??= pool`SELECT 1`.then(
      () => {
        pool.options.fetch_types = false;
      },
      (error: unknown) => {
        arrayTypes = undefined;
        throw error;
      },
    ));
  const slots = new TransactionSlots(max, applicationName, async (extra) => {
    await loadArrayTypes();
    const client = postgres(url, { ...clientOptions, ...extra, fetch_types: false });
    // Also drizzle()'s own, registered on the pool's options (dates stay text).
    Object.assign(client.options.parsers, pool.options.parsers);
    Object.assign(client.options.serializers, pool.options.serializers);
    return client;
  });

  // A handle that only runs single statements (tagged templates, or drizzle's sql.unsafe) must stop
  // fetching too, or every reconnect after a restart of PostgreSQL is exposed again: its first
  // statement starts the load beside it. A failed load is tried again by the next statement, and
  // its cause reaches the caller through the caller's own statement, so it needs no handler here.
  const loadTypesBeside = () => {
    if (pool.options.fetch_types) loadArrayTypes().catch(() => undefined);
  };
  // drizzle's db.transaction() calls sql.begin(): every transaction of this handle takes a slot.
  const sql = new Proxy(pool, {
    get: (target, property, receiver) => {
      if (property === 'begin') return slots.begin.bind(slots);
      if (property === 'unsafe') loadTypesBeside();
      return Reflect.get(target, property, receiver);
    },
    apply: (target, thisArgument, args: Parameters<Sql>) => {
      if (isTaggedTemplate(args[0])) loadTypesBeside();
      return Reflect.apply(target, thisArgument, args);
    },
  });
  const db = drizzle(sql, { schema });
  return {
    sql,
    db,
    close: async () => {
      await Promise.all([pool.end({ timeout: 5 }), slots.close()]);
    },
  };
}

/** `sql\`…\`` (a statement) rather than `sql(value)` (a fragment or an identifier). */
function isTaggedTemplate(value: unknown): value is TemplateStringsArray {
  return Array.isArray(value) && 'raw' in value;
}
