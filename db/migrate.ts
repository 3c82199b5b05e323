import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { loadConfig } from '../config/env';

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
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = postgres(url.toString(), { max: 1, onnotice: () => {} });
  try {
    const [row] = await admin`SELECT 1 AS present FROM pg_database WHERE datname = ${name}`;
    if (!row) {
      // CREATE DATABASE takes no bind parameters; the name is quoted as an identifier instead.
      await admin.unsafe(`CREATE DATABASE "${name.replaceAll('"', '""')}"`).catch((error: unknown) => {
        // Another process may have created it between our check and our create.
        if (!(error instanceof Error && 'code' in error && error.code === '42P04')) throw error;
      });
    }
  } finally {
    await admin.end({ timeout: 5 });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { DATABASE_URL } = loadConfig();
  await migrateDatabase(DATABASE_URL);
  console.log(`migrations applied to ${new URL(DATABASE_URL).pathname.slice(1)}`);
}
