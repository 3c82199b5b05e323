import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import postgres from 'postgres';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../config/env';
import { dropDatabase, withDatabase } from '../../db/admin';
import { connectDb } from '../../db/client';
import { seedDemoCatalog } from '../../db/demo-catalog';
import { migrateDatabase } from '../../db/migrate';
import { WORKFLOWS_PATH } from '../../workers/create-saga-worker';
import { nodeVersionMismatch } from './pinned-node';
import { quietBundlerLogger } from './quiet-bundler-logger';
import { newRunId, runStartedAt, TEST_DATABASE_PREFIX } from './run-identity';

declare module 'vitest' {
  export interface ProvidedContext {
    runId: string;
    templateDatabaseUrl: string;
    workflowBundlePath: string;
  }
}

const STALE_AFTER_MS = 6 * 60 * 60 * 1000;

/**
 * Once per run: a migrated and seeded template database that each test file clones, and the
 * workflow bundle that every test worker loads (bundling once, not once per test).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Test files and the app processes they spawn run on this process's node (process.execPath).
  const mismatch = nodeVersionMismatch(process.version);
  if (mismatch !== undefined) throw new Error(mismatch);
  const runId = newRunId();
  const adminUrl = withDatabase(loadConfig().DATABASE_URL, 'postgres');
  const templateName = `${TEST_DATABASE_PREFIX}${runId}`;
  const templateDatabaseUrl = withDatabase(adminUrl, templateName);

  await dropStaleDatabases(adminUrl);
  await migrateDatabase(templateDatabaseUrl);
  const template = connectDb(templateDatabaseUrl, { max: 1 });
  await seedDemoCatalog(template.db);
  await template.close();

  const bundleDir = await mkdtemp(join(tmpdir(), 'saga-workflow-bundle-'));
  const workflowBundlePath = join(bundleDir, 'workflow-bundle.js');
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger });
  await writeFile(workflowBundlePath, code);

  project.provide('runId', runId);
  project.provide('templateDatabaseUrl', templateDatabaseUrl);
  project.provide('workflowBundlePath', workflowBundlePath);

  return async () => {
    await dropDatabase(adminUrl, templateName);
    await rm(bundleDir, { recursive: true, force: true });
  };
}

/** Databases of earlier runs that crashed before their teardown. */
async function dropStaleDatabases(adminUrl: string): Promise<void> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await admin<{ datname: string }[]>`SELECT datname FROM pg_database WHERE datname LIKE ${`${TEST_DATABASE_PREFIX}%`}`;
    for (const { datname } of rows) {
      const startedAt = runStartedAt(datname);
      if (startedAt !== undefined && Date.now() - startedAt > STALE_AFTER_MS) {
        await admin.unsafe(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      }
    }
  } finally {
    await admin.end({ timeout: 5 });
  }
}
