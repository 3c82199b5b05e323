import type { Client } from '@temporalio/client';
import { shippedConsumers } from '../../consumers/shipped-consumers';
import { connectTemporalClient } from '../../saga-client/connect';
import { writeWorkflowBundle } from '../environment/workflow-bundle';
import { tracingConfigured } from '../../telemetry/tracing';
import { ChaosApiClient } from './api-client';
import { appChildren, APP_KINDS, instanceNames, type AppKind } from './app-children';
import type { StockRow } from './catalog';
import { DeliveryProbe } from './delivery-probe';
import { InboxDuplicateCounter } from './inbox-duplicates';
import { OrderTracker } from './order-tracker';
import { ProcessSupervisor } from './process-supervisor';
import { startOwnServices } from './own-services';
import { createRunEnvironment, runLogDir, type RunEnvironment } from './run-environment';
import { newRunId } from '../environment/run-identity';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface RunStack {
  env: RunEnvironment;
  client: Client;
  probe: DeliveryProbe;
  supervisor: ProcessSupervisor;
  /** The supervisor's names of each kind's replicas. */
  instances: Record<AppKind, string[]>;
  tracker: OrderTracker;
  api: ChaosApiClient;
  inboxDuplicates: InboxDuplicateCounter;
  /** Each shipped consumer's topic patterns. */
  bindings: ReadonlyMap<string, readonly string[]>;
  close(options: { keep: boolean }): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 180_000;

export interface RunStackOptions {
  /** Services of the run's own (a PostgreSQL cluster, a RabbitMQ node, a Temporal server) that its faults may restart. */
  ownServices?: boolean;
  /** The run's own Temporal is the production-mode server on the run's own PostgreSQL (implies ownServices). */
  cluster?: boolean;
  /** How many of each app process. */
  replicas?: number;
}

/**
 * Brings up a run's private environment (on services of its own with `ownServices` or
 * `cluster`), its probe queue (before any event can be published) and `replicas` of each of the
 * four app processes under the supervisor, and waits until each serves.
 */
export async function startRunStack(
  stock: StockRow[],
  log: (message: string) => void,
  { ownServices = false, cluster = false, replicas = 1 }: RunStackOptions = {},
): Promise<RunStack> {
  const id = newRunId();
  await mkdir(runLogDir(id), { recursive: true });
  let services = null;
  if (ownServices || cluster) {
    const started = Date.now();
    services = await startOwnServices(join(runLogDir(id), 'services'), id, { temporal: cluster ? 'cluster' : 'dev' }, log);
    log(`own services up in ${((Date.now() - started) / 1000).toFixed(1)}s: ${JSON.stringify(services.config)}`);
  }
  let env: RunEnvironment;
  try {
    env = await createRunEnvironment(stock, id, services, replicas);
  } catch (error) {
    await services?.stop({ keep: false }).catch(() => undefined);
    throw error;
  }
  log(
    `chaos run ${env.identity.id}: database ${env.identity.database}, vhost ${env.identity.vhost}, task queue ${env.identity.taskQueue}, ${replicas} of each process, APIs on :${env.apiPorts.join(', :')}, logs ${env.logDir}`,
  );
  const cleanups: (() => Promise<void>)[] = [];
  const stopServices = async ({ keep }: { keep: boolean }) => {
    await services?.stop({ keep });
  };
  try {
    const client = await connectTemporalClient(env.config);
    cleanups.push(() => client.connection.close());
    const probe = new DeliveryProbe(env.amqpUrl, env.config.EVENTS_EXCHANGE);
    await probe.start();
    cleanups.push(() => probe.close());
    const supervisor = new ProcessSupervisor(env.logDir);
    cleanups.push(() => supervisor.stopAll());
    const inboxDuplicates = new InboxDuplicateCounter();
    // With OTEL_EXPORTER_OTLP_ENDPOINT set, the workers trace: their bundle needs the workflow interceptors.
    const workflowBundlePath = await writeWorkflowBundle(env.logDir, { tracing: tracingConfigured(env.config) });
    for (const spec of appChildren(env, client, workflowBundlePath, inboxDuplicates.onLine)) supervisor.launch(spec);
    const instances = instanceNames(replicas);
    for (const kind of APP_KINDS) for (const name of instances[kind]) await supervisor.waitReady(name, STARTUP_TIMEOUT_MS);
    const tracker = new OrderTracker(env.db.sql);
    tracker.start();
    cleanups.push(async () => tracker.stop());
    const bindings = new Map(shippedConsumers(env.config).map((definition) => [definition.name, definition.bindings]));
    return {
      env,
      client,
      probe,
      supervisor,
      instances,
      tracker,
      api: new ChaosApiClient(
        env.apiPorts.map((port) => `http://127.0.0.1:${port}`),
        env.adminToken,
        env.config,
      ),
      inboxDuplicates,
      bindings,
      async close({ keep }) {
        await runCleanups(cleanups);
        await env.destroy({ keep });
        await stopServices({ keep });
      },
    };
  } catch (error) {
    await runCleanups(cleanups).catch((cleanupError: unknown) => log(`cleanup after a failed start failed too: ${String(cleanupError)}`));
    await env.destroy({ keep: false });
    await stopServices({ keep: false });
    throw error;
  }
}

/** Newest first; every step runs even if one fails, and the failures are thrown together. */
async function runCleanups(cleanups: (() => Promise<void>)[]): Promise<void> {
  const problems: unknown[] = [];
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      problems.push(error);
    }
  }
  cleanups.length = 0;
  if (problems.length > 0) throw new AggregateError(problems, 'the chaos stack did not close cleanly');
}
