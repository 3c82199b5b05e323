import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { loadConfig } from '../config/env';
import { createDatabase, databaseExists, databaseOf } from './admin';

const migrationsFolder = fileURLToPath(new URL('../drizzle/migrations', import.meta.url));

/** Creates the database when it is missing, then applies every committed drizzle migration. */
export async function migrateDatabase(databaseUrl: string): Promise<void> {
  await ensureDatabaseExists(databaseUrl);
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await migrate(drizzle(sql), { migrationsFolder });
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export async function ensureDatabaseExists(databaseUrl: string): Promise<void> {
  const name = databaseOf(databaseUrl);
  if (!(await databaseExists(databaseUrl, name))) await createDatabase(databaseUrl, name);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { DATABASE_URL } = loadConfig();
  await migrateDatabase(DATABASE_URL);
  console.log(`migrations applied to ${new URL(DATABASE_URL).pathname.slice(1)}`);
}
