import { loadConfig } from '../config/env';
import { connectDb } from './client';
import { seedDemoCatalog } from './demo-catalog';
import { migrateDatabase } from './migrate';

/** Migrates the configured database and seeds the demo catalog; safe to run any number of times. */
const { DATABASE_URL } = loadConfig();
await migrateDatabase(DATABASE_URL);
const handle = connectDb(DATABASE_URL, { max: 1 });
try {
  await seedDemoCatalog(handle.db);
} finally {
  await handle.close();
}
console.log(`[stack] database ${new URL(DATABASE_URL).pathname.slice(1)} migrated and seeded`);
