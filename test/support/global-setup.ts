import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../config/env';
import { seedDemoCatalog } from '../../db/demo-catalog';
import { createRunDatabase } from '../../tools/environment/run-database';
import { newRunId } from '../../tools/environment/run-identity';
import { writeWorkflowBundle } from '../../tools/environment/workflow-bundle';
import { nodeVersionMismatch } from './pinned-node';

declare module 'vitest' {
  export interface ProvidedContext {
    runId: string;
    templateDatabaseUrl: string;
    workflowBundlePath: string;
  }
}

/** What the test run's databases start with: the template `saga_test_<run id>`, each file's clone after it. */
const TEST_DATABASE_PREFIX = 'saga_test_';

/**
 * Once per run: a migrated and seeded template database that each test file clones (test-stack.ts),
 * and the workflow bundle that every test worker loads (bundling once, not once per test).
 * Databases of earlier runs killed before their teardown are dropped first.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Test files and the app processes they spawn run on this process's node (process.execPath).
  const mismatch = nodeVersionMismatch(process.version);
  if (mismatch !== undefined) throw new Error(mismatch);
  const runId = newRunId();
  const template = await createRunDatabase({
    serverUrl: loadConfig().DATABASE_URL,
    prefix: TEST_DATABASE_PREFIX,
    runId,
    seed: seedDemoCatalog,
  });
  const bundleDir = await mkdtemp(join(tmpdir(), 'saga-workflow-bundle-'));
  const workflowBundlePath = await writeWorkflowBundle(bundleDir);

  project.provide('runId', runId);
  project.provide('templateDatabaseUrl', template.url);
  project.provide('workflowBundlePath', workflowBundlePath);

  return async () => {
    await template.drop();
    await rm(bundleDir, { recursive: true, force: true });
  };
}
