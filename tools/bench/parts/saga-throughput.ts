import { randomUUID } from 'node:crypto';
import { startOrderSaga } from '../../../saga-client/start-order-saga';
import { appEntry, SAGA_WORKER } from '../../environment/app-entries';
import type { BenchProfile } from '../profiles';
import { startAppProcess } from '../support/app-process';
import type { BenchStack } from '../support/bench-stack';
import { perItem, withCpuSpent, type CpuSpent } from '../support/cpu-usage';
import type { PeakMemory } from '../support/memory';
import { runPool } from '../support/run-pool';
import { sampleOrder, withOrderId } from '../support/sample-order';
import { alternate, medianRun } from '../support/rounds';
import { summarize, type LatencySummary } from '../support/stats';

export interface WorkflowRun extends LatencySummary {
  perSecond: number;
}

/** A run with the CPU milliseconds spent per saga: by its worker, the Temporal server, PostgreSQL, the machine. */
export interface AccountedRun extends WorkflowRun {
  cpuMsPerSaga: CpuSpent;
}

export interface SagaThroughputResult {
  sagas: number;
  concurrency: number;
  /** The round whose ratio is the median: its saga run and the baseline run just before it. */
  saga: AccountedRun;
  baseline: AccountedRun;
  /** saga/baseline throughput of each round, in order. */
  roundRatios: number[];
  /** The median of roundRatios. */
  sagaToBaseline: number;
}

/** Runs saga number `index` to its end; returns its final status. */
export type RunOne = (index: number) => Promise<string>;

/**
 * Part 3: sagas through the saga worker process, start to COMPLETED, against the textbook saga
 * (baselines/noop-workflows.ts: the same six steps as ordinary no-op activities) on a worker with
 * the same settings, on the same server. Rounds alternate, baseline then saga; each round gives a
 * ratio, and the median of a fixed, odd number of them is the result, so a slow moment on the
 * shared machine moves one round, not the verdict.
 */
export async function sagaThroughput(stack: BenchStack, profile: BenchProfile, memory: PeakMemory): Promise<SagaThroughputResult> {
  const { sagas, concurrency, rounds } = profile.saga;
  const sagaQueue = stack.taskQueue('saga');
  const noopQueue = stack.taskQueue('noop');
  const sagaWorker = await startAppProcess(
    'worker',
    appEntry(SAGA_WORKER),
    stack.processEnv({ TEMPORAL_TASK_QUEUE: sagaQueue }),
    'saga worker running',
  );
  const noopWorker = await startAppProcess(
    'noop-worker',
    'tools/bench/baselines/noop-worker.ts',
    stack.processEnv({ TEMPORAL_TASK_QUEUE: noopQueue }),
    'noop worker running',
  );
  try {
    const runSaga: RunOne = async (index) => {
      const handle = await startOrderSaga(stack.client, withOrderId(sampleOrder(index)), sagaQueue);
      return (await handle.result()).status;
    };
    const runBaseline: RunOne = async (index) => {
      const handle = await stack.client.workflow.start('textbookSaga', {
        taskQueue: noopQueue,
        workflowId: `bench-textbook-${randomUUID()}`,
        args: [withOrderId(sampleOrder(index))],
      });
      return (await handle.result()) as string;
    };
    // Warm both up first: bundle loading, caches and connections are not what is measured.
    await driveSagas(concurrency, concurrency, runBaseline);
    await driveSagas(concurrency, concurrency, runSaga);

    // Each run also says where its CPU went: a ratio below 1 is then a cost that can be named.
    const accounted = async (pid: number, runOne: RunOne): Promise<AccountedRun> => {
      const { result, cpu } = await withCpuSpent(pid, () => driveSagas(sagas, concurrency, runOne));
      return { ...result, cpuMsPerSaga: perItem(cpu, sagas) };
    };
    const runs = await alternate(
      rounds,
      () => accounted(noopWorker.pid, runBaseline),
      () => accounted(sagaWorker.pid, runSaga),
    );
    const paired = runs.product.map((saga, round) => ({
      saga,
      baseline: runs.baseline[round]!,
      ratio: saga.perSecond / runs.baseline[round]!.perSecond,
    }));
    const median = medianRun(paired, (round) => round.ratio);
    return { sagas, concurrency, saga: median.saga, baseline: median.baseline, roundRatios: median.rounds, sagaToBaseline: median.ratio };
  } finally {
    memory.record('worker', await sagaWorker.stop());
    await noopWorker.stop();
  }
}

/** Runs `total` sagas, `concurrency` at a time; each must end COMPLETED. */
export async function driveSagas(total: number, concurrency: number, runOne: RunOne): Promise<WorkflowRun> {
  const latencies: number[] = [];
  const started = performance.now();
  await runPool(total, concurrency, async (index) => {
    const begun = performance.now();
    const status = await runOne(index);
    if (status !== 'COMPLETED') throw new Error(`workflow ${index} ended ${status}, not COMPLETED`);
    latencies.push(performance.now() - begun);
  });
  const elapsedMs = performance.now() - started;
  return { ...summarize(latencies), perSecond: (total / elapsedMs) * 1000 };
}
