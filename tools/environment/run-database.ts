import { cloneDatabase, databaseOf, dropDatabase, listDatabases, withDatabase } from '../../db/admin';
import { connectDb, type Database } from '../../db/client';
import { migrateDatabase } from '../../db/migrate';
import { isStaleRunName, uniqueSuffix } from './run-identity';

/** A database a run made for itself; `drop` removes it (clients still connected or not). */
export interface RunDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export interface RunDatabaseSpec {
  /** The configured DATABASE_URL: the server, user and password to use. */
  serverUrl: string;
  /** What the harness's databases start with (saga_test_, bench_, saga_chaos_): the sweep looks for it. */
  prefix: string;
  runId: string;
  /** Rows the run starts with, written once the schema is migrated. */
  seed: (db: Database) => Promise<void>;
}

/**
 * The database `<prefix><runId>`, migrated and seeded. First it drops the databases of earlier
 * runs of the same harness that were killed before their teardown (see sweepStaleDatabases).
 */
export async function createRunDatabase({ serverUrl, prefix, runId, seed }: RunDatabaseSpec): Promise<RunDatabase> {
  await sweepStaleDatabases(serverUrl, prefix);
  const database = runDatabase(withDatabase(serverUrl, `${prefix}${runId}`));
  await migrateDatabase(database.url);
  const handle = connectDb(database.url, { max: 1 });
  try {
    await seed(handle.db);
  } finally {
    await handle.close();
  }
  return database;
}

/**
 * A copy of the run's template database (see db/admin.ts cloneDatabase), named `<template>_<suffix>`:
 * the sweep of a later run finds it by the template's run id if this run is killed.
 */
export async function cloneRunDatabase(templateUrl: string): Promise<RunDatabase> {
  const template = databaseOf(templateUrl);
  const name = `${template}_${uniqueSuffix()}`;
  await cloneDatabase(templateUrl, template, name);
  return runDatabase(withDatabase(templateUrl, name));
}

/** Drops the databases of `prefix` whose run started hours ago: runs killed before their teardown. */
export async function sweepStaleDatabases(serverUrl: string, prefix: string): Promise<string[]> {
  const stale = (await listDatabases(serverUrl, prefix)).filter((name) => isStaleRunName(name, prefix));
  for (const name of stale) await dropDatabase(serverUrl, name);
  return stale;
}

function runDatabase(url: string): RunDatabase {
  const name = databaseOf(url);
  return { name, url, drop: () => dropDatabase(url, name) };
}
