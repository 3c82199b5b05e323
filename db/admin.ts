import postgres, { type Sql } from 'postgres';
import { postgresErrorIn } from './postgres-errors';

/**
 * Database administration: the one place that creates, clones, lists and drops databases.
 * Every function takes the URL of any database on the server and works from its `postgres`
 * database, on a connection of its own that it closes.
 */

/** The same server and credentials, another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** The database a URL names. */
export const databaseOf = (url: string): string => decodeURIComponent(new URL(url).pathname.slice(1));

export async function databaseExists(serverUrl: string, name: string): Promise<boolean> {
  return withAdmin(serverUrl, async (admin) => (await admin`SELECT 1 FROM pg_database WHERE datname = ${name}`).length > 0);
}

/** Creates an empty database; one that exists already (another process was first) is left as it is. */
export async function createDatabase(serverUrl: string, name: string): Promise<void> {
  await withAdmin(serverUrl, async (admin) => {
    // CREATE DATABASE takes no bind parameters; the name is quoted as an identifier instead.
    await admin.unsafe(`CREATE DATABASE ${quoteIdentifier(name)}`).catch((error: unknown) => {
      if (postgresErrorIn(error)?.code !== '42P04') throw error;
    });
  });
}

/**
 * A copy of `template` (schema and rows), which is far quicker than migrating and seeding again.
 * Postgres refuses while another session uses the template, as another clone does (55006): try again.
 */
export async function cloneDatabase(serverUrl: string, template: string, name: string): Promise<void> {
  await withAdmin(serverUrl, async (admin) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.unsafe(`CREATE DATABASE ${quoteIdentifier(name)} TEMPLATE ${quoteIdentifier(template)}`);
        return;
      } catch (error) {
        if (postgresErrorIn(error)?.code !== '55006' || attempt === 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  });
}

/** The names of the databases that start with `prefix`. */
export async function listDatabases(serverUrl: string, prefix: string): Promise<string[]> {
  return withAdmin(serverUrl, async (admin) => {
    const rows = await admin<{ datname: string }[]>`SELECT datname FROM pg_database WHERE left(datname, ${prefix.length}) = ${prefix}`;
    return rows.map((row) => row.datname);
  });
}

/** Drops a database even while clients are still connected to it. */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await withAdmin(serverUrl, (admin) => admin.unsafe(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`));
}

const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;

async function withAdmin<T>(serverUrl: string, work: (admin: Sql) => Promise<T>): Promise<T> {
  const admin = postgres(withDatabase(serverUrl, 'postgres'), { max: 1, onnotice: () => {} });
  try {
    return await work(admin);
  } finally {
    await admin.end({ timeout: 5 });
  }
}
