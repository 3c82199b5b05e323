import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../workers/create-saga-worker';
import { workflowTracingModules } from '../../telemetry/temporal-tracing';

/** For bundleWorkflowCode: webpack's progress lines drown a run's output; warnings and errors stay. */
export const quietBundlerLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string) => process.stderr.write(`workflow bundler: ${message}\n`),
  error: (message: string) => process.stderr.write(`workflow bundler: ${message}\n`),
};

/**
 * Bundles the workflows once per run into `directory`, for WORKFLOW_BUNDLE_PATH and the test
 * workers: a (re)started saga worker then serves within seconds instead of bundling again on a
 * busy machine. Returns the bundle's path. `tracing` builds Temporal's OpenTelemetry workflow
 * interceptors in, for workers that trace (a worker running it registers their sink).
 */
export async function writeWorkflowBundle(directory: string, options: { tracing?: boolean } = {}): Promise<string> {
  const path = join(directory, options.tracing ? 'workflow-bundle-traced.js' : 'workflow-bundle.js');
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: quietBundlerLogger,
    ...(options.tracing ? { workflowInterceptorModules: workflowTracingModules() } : {}),
  });
  await writeFile(path, code);
  return path;
}
