import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../workers/create-saga-worker';

/**
 * Bundles the workflows once per run, for WORKFLOW_BUNDLE_PATH: a restarted saga worker then
 * serves within seconds instead of spending them bundling again on a busy machine.
 */
export async function writeWorkflowBundle(directory: string): Promise<string> {
  const path = join(directory, 'workflow-bundle.js');
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger });
  await writeFile(path, code);
  return path;
}

const quietBundlerLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string) => process.stderr.write(`workflow bundler: ${message}\n`),
  error: (message: string) => process.stderr.write(`workflow bundler: ${message}\n`),
};
