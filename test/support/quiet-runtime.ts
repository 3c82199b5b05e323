import { DefaultLogger, Runtime } from '@temporalio/worker';

let installed = false;

/**
 * The Temporal runtime logs every worker start and stop at INFO; tests only want warnings.
 * Installed once per test process (Runtime.install refuses a second call).
 * `coreLogLevel: 'ERROR'` is for tests that provoke non-determinism on purpose: the SDK core
 * reports each such workflow task failure as a warning.
 */
export function installQuietRuntime(options: { coreLogLevel?: 'WARN' | 'ERROR' } = {}): void {
  if (installed) return;
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    ...(options.coreLogLevel ? { telemetryOptions: { logging: { filter: { core: options.coreLogLevel }, console: {} } } } : {}),
  });
  installed = true;
}
