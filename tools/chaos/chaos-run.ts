import { setTimeout as sleep } from 'node:timers/promises';
import { chaosCatalog } from './catalog';
import { FaultInjector } from './fault-injector';
import { describePlan, planFaults } from './fault-plan';
import type { ChaosOptions } from './options';
import type { ProcessExit } from './process-supervisor';
import { ProgressBar } from './progress-bar';
import { waitForRunQuiescence, type Quiescence } from './quiescence';
import { SeededRandom } from './random';
import { startRunStack } from './run-stack';
import { SagaDriver } from './saga-driver';
import { buildScenarios, scenarioCounts, type ScenarioKind } from './scenarios';
import { measureRecoveries } from './recovery';
import { recoveryInputs, verifyRun, type Verification } from './verify-run';
import type { InjectedFault } from './fault-injector';
import { describeError } from './describe-error';
import { needsOwnServices } from './fault-kinds';
import type { OwnServices } from './own-services';
import type { ApiCallStats } from './api-client';

/** The longest a lane holds its next saga back for a fault chain that fell behind. */
const CATCH_UP_PAUSE_MS = 5000;

export interface ChaosReport extends Verification {
  runId: string;
  startedAt: string;
  durationMs: number;
  options: ChaosOptions;
  scenarios: Record<ScenarioKind, number>;
  faults: InjectedFault[];
  /** Every exit the harness did not ask for at the end, with its cause. */
  exits: ProcessExit[];
  api: ApiCallStats;
  quiescence: Quiescence;
  logDir: string;
  /** True when the database and vhost were kept (asked for, or left for a look after violations). */
  kept: boolean;
  /** Where the run's own services listened, when its faults restarted services (stopped by now). */
  ownServices: {
    postgresPort: number;
    rabbitmqPort: number;
    rabbitmqNode: string;
    temporalAddress: string;
    /** The dev server, or the production-mode server (--cluster). */
    temporal: 'dev' | 'cluster';
  } | null;
}

/**
 * The chaos run: drives the sagas through the API at the set concurrency while the planned
 * faults hit at random moments, waits until everything settled, and checks the invariants.
 */
export async function runChaos(
  options: ChaosOptions,
  log: (message: string) => void = (m) => process.stderr.write(`${m}\n`),
): Promise<ChaosReport> {
  const startedAt = new Date();
  const random = new SeededRandom(options.seed);
  const stack = await startRunStack(chaosCatalog(options.sagas), log, {
    ownServices: needsOwnServices(options.faults),
    cluster: options.cluster,
    replicas: options.replicas,
  });
  let report: ChaosReport | undefined;
  try {
    const scenarios = buildScenarios(stack.env.identity.id, options.sagas, random);
    const plan = planFaults(options.faults, options.sagas, random);
    log(`seed ${options.seed}; ${options.sagas} sagas at concurrency ${options.concurrency}; faults: ${describePlan(plan)}`);
    const injector = new FaultInjector(
      stack.supervisor,
      stack.instances,
      random,
      stack.env.db.sql,
      stack.env.identity.database,
      stack.env.identity.vhost,
      stack.env.services,
      options.faultSettleMs,
      async (fault) => {
        const [recovery] = await measureRecoveries(recoveryInputs(stack, driver.records, [fault]));
        return recovery!.recoveryMs !== null || recovery!.caught === 'nothing in flight';
      },
    );
    const bar = new ProgressBar('sagas ended', options.sagas);
    let nextFault = 0;
    const driver = new SagaDriver(
      scenarios,
      stack.api,
      stack.tracker,
      (progress) => {
        while (nextFault < plan.length && progress.submitted >= plan[nextFault]!.afterSubmitted) {
          const { kind, afterSubmitted } = plan[nextFault++]!;
          injector.schedule(kind, afterSubmitted);
        }
        const hit = injector.injected.filter((fault) => fault.at !== null).length;
        bar.update(progress.ended, `${progress.submitted} submitted · faults ${hit}/${plan.length}`);
      },
      async (lane) => {
        // While the fault chain is more than a lane's worth of sagas behind, half the lanes wait for
        // it, never more than CATCH_UP_PAUSE_MS a saga; the other half keep sagas in flight, so the
        // next fault finds work to hit (the activity crash waits for an activity).
        if (lane >= options.concurrency / 2 && injector.isBehind(driver.progress.submitted, options.concurrency))
          await Promise.race([injector.settled(), sleep(CATCH_UP_PAUSE_MS)]);
      },
    );
    await driver.runWithConcurrency(options.concurrency);
    await injector.settled();
    bar.done();
    for (const fault of injector.injected) log(`fault: ${fault.description} (after saga ${fault.afterSubmitted}): ${fault.detail}`);

    const quiescence = await waitForRunQuiescence(stack, options.quiescenceTimeoutMs, log);
    const verification = await verifyRun(stack, driver.records, injector.injected);
    report = {
      runId: stack.env.identity.id,
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      options,
      scenarios: scenarioCounts(options.sagas),
      ...verification,
      faults: injector.injected,
      exits: [...stack.supervisor.exits],
      api: { ...stack.api.stats, servedBy: { ...stack.api.stats.servedBy } },
      quiescence,
      logDir: stack.env.logDir,
      kept: options.keep || verification.violations > 0,
      ownServices: ownServicesOf(stack.env.services),
    };
    return report;
  } finally {
    // A teardown failure is reported, and does not take the run's report with it.
    await stack
      .close({ keep: report?.kept ?? options.keep })
      .catch((error: unknown) => log(`the run did not tear down cleanly: ${describeError(error)}`));
  }
}

function ownServicesOf(services: OwnServices | null): ChaosReport['ownServices'] {
  if (!services) return null;
  return {
    postgresPort: services.postgres.port,
    rabbitmqPort: Number(new URL(services.rabbitmq.url).port),
    rabbitmqNode: services.rabbitmq.node,
    temporalAddress: services.temporal.address,
    temporal: services.temporal.kind,
  };
}
