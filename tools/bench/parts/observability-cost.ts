import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startOrderSaga } from '../../../saga-client/start-order-saga';
import { appEntry, SAGA_WORKER } from '../../environment/app-entries';
import { freePort } from '../../../workers/free-port';
import { startOtlpReceiver, type OtlpReceiver } from '../../environment/otlp-receiver';
import { writeWorkflowBundle } from '../../environment/workflow-bundle';
import type { BenchProfile } from '../profiles';
import { startAppProcess, type AppProcess } from '../support/app-process';
import type { BenchStack } from '../support/bench-stack';
import type { PeakMemory } from '../support/memory';
import { alternate, medianRun } from '../support/rounds';
import { sampleEvents } from '../support/sample-events';
import { sampleOrder, withOrderId } from '../support/sample-order';
import { refillOutbox, relayRate } from './relay-throughput';
import { driveSagas, type RunOne, type WorkflowRun } from './saga-throughput';

export interface ObservabilityCostResult {
  saga: {
    sagas: number;
    concurrency: number;
    /** The round whose ratio is the median. */
    on: WorkflowRun;
    off: WorkflowRun;
    roundRatios: number[];
    onToOff: number;
    /** Spans the traced worker exported during the measured rounds. */
    spans: number;
  };
  relay: { rows: number; onRowsPerSecond: number; offRowsPerSecond: number; roundRatios: number[]; onToOff: number; spans: number };
  /** Scrapes of the observed processes' /metrics during their runs, every one answered 200. */
  scrapes: number;
}

/** As often as a demanding Prometheus would scrape. */
const SCRAPE_INTERVAL_MS = 1000;

/**
 * Part 5: what observability costs. The saga worker and the relay run with tracing on (OTLP/JSON
 * to a receiver in this process, which counts every span without parsing it) and their /metrics scraped every
 * second, against the same process with tracing off and nobody scraping, in alternating rounds;
 * the median on/off throughput ratio of each is the result. Metrics are collected either way (an
 * increment or an observe on the hot path); what "off" saves is the scrape, with its
 * shared-state queries, and every span. The spans are counted: a round whose spans did not arrive
 * fails the run, so "on" cannot quietly measure nothing.
 */
export async function observabilityCost(stack: BenchStack, profile: BenchProfile, memory: PeakMemory): Promise<ObservabilityCostResult> {
  const receiver = await startOtlpReceiver({ keepSpans: false });
  const scraper = new Scraper();
  try {
    const saga = await sagasOnOff(stack, profile, memory, receiver, scraper);
    const relay = await relayOnOff(stack, profile, memory, receiver, scraper);
    return { saga, relay, scrapes: scraper.scrapes };
  } finally {
    await receiver.close();
  }
}

interface Observed {
  env: Record<string, string>;
  metricsUrl: string;
}

/** Tracing to the receiver and a known metrics port, for a process measured with observability on. */
async function observedEnv(receiver: OtlpReceiver): Promise<Observed> {
  const port = await freePort();
  return {
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', METRICS_PORT: String(port) },
    metricsUrl: `http://127.0.0.1:${port}/metrics`,
  };
}

/** Spans received from `service` since the last call. */
function takeSpans(receiver: OtlpReceiver, service: string): number {
  const count = receiver.spanCounts.get(service) ?? 0;
  receiver.spanCounts.delete(service);
  return count;
}

async function sagasOnOff(stack: BenchStack, profile: BenchProfile, memory: PeakMemory, receiver: OtlpReceiver, scraper: Scraper) {
  const { sagas, concurrency, rounds } = profile.observability;
  const observed = await observedEnv(receiver);
  // A traced worker needs Temporal's workflow interceptors in its bundle; the other runs the plain one.
  const bundleDir = await mkdtemp(join(tmpdir(), 'bench-bundle-'));
  const workers: AppProcess[] = [];
  const startWorker = async (name: string, env: Record<string, string>): Promise<RunOne> => {
    const queue = stack.taskQueue(name);
    const worker = await startAppProcess(
      name,
      appEntry(SAGA_WORKER),
      stack.processEnv({ TEMPORAL_TASK_QUEUE: queue, ...env }),
      'saga worker running',
    );
    workers.push(worker);
    return async (index) => (await (await startOrderSaga(stack.client, withOrderId(sampleOrder(index)), queue)).result()).status;
  };
  try {
    const runOff = await startWorker('worker-unobserved', {});
    const runOn = await startWorker('worker-observed', {
      ...observed.env,
      WORKFLOW_BUNDLE_PATH: await writeWorkflowBundle(bundleDir, { tracing: true }),
    });
    // Warm both up first: bundle loading, caches and connections are not what is measured.
    await driveSagas(concurrency, concurrency, runOff);
    await driveSagas(concurrency, concurrency, runOn);
    takeSpans(receiver, 'saga-worker');

    const runs = await alternate(
      rounds,
      () => driveSagas(sagas, concurrency, runOff),
      () => scraper.during(observed.metricsUrl, () => driveSagas(sagas, concurrency, runOn)),
    );
    // Stopping the traced worker flushes what it still buffers.
    memory.record('worker (observed)', await workers.pop()!.stop());
    const spans = takeSpans(receiver, 'saga-worker');
    // Each saga has a workflow span and one per activity at least.
    if (spans < sagas * rounds) throw new Error(`only ${spans} saga worker spans arrived for ${sagas * rounds} traced sagas`);
    const paired = runs.product.map((on, round) => ({
      on,
      off: runs.baseline[round]!,
      ratio: on.perSecond / runs.baseline[round]!.perSecond,
    }));
    const median = medianRun(paired, (round) => round.ratio);
    return { sagas, concurrency, on: median.on, off: median.off, roundRatios: median.rounds, onToOff: median.ratio, spans };
  } finally {
    for (const worker of workers) memory.record(worker.name === 'worker-observed' ? 'worker (observed)' : 'worker', await worker.stop());
    await rm(bundleDir, { recursive: true, force: true });
  }
}

async function relayOnOff(stack: BenchStack, profile: BenchProfile, memory: PeakMemory, receiver: OtlpReceiver, scraper: Scraper) {
  const { relayRows: rows, rounds } = profile.observability;
  const events = sampleEvents(rows);
  let spans = 0;
  const runs = await alternate(
    rounds,
    async () => {
      await refillOutbox(stack, events);
      return relayRate(stack, rows, memory);
    },
    async () => {
      await refillOutbox(stack, events);
      const observed = await observedEnv(receiver);
      // The relay process has stopped (and flushed its spans) when relayRate returns.
      const rate = await scraper.during(observed.metricsUrl, () => relayRate(stack, rows, memory, observed.env, 'relay (observed)'));
      spans += takeSpans(receiver, 'outbox-relay');
      return rate;
    },
  );
  await stack.reset();
  // One publish span per row.
  if (spans < rows * rounds) throw new Error(`only ${spans} relay spans arrived for ${rows * rounds} traced publishes`);
  const paired = runs.product.map((on, round) => ({ on, off: runs.baseline[round]!, ratio: on / runs.baseline[round]! }));
  const median = medianRun(paired, (round) => round.ratio);
  return { rows, onRowsPerSecond: median.on, offRowsPerSecond: median.off, roundRatios: median.rounds, onToOff: median.ratio, spans };
}

/**
 * Scrapes a metrics URL every second while a run lasts, as Prometheus would, from the moment the
 * process listens (tried every 50 ms until then); an answer that is not 200 fails the run.
 */
class Scraper {
  scrapes = 0;

  async during<T>(url: string, run: () => Promise<T>): Promise<T> {
    let failure: Error | undefined;
    let listening = false;
    let running = true;
    const scraping = (async () => {
      while (running) {
        try {
          const response = await fetch(url);
          await response.text();
          if (response.status !== 200) failure ??= new Error(`GET ${url} answered ${response.status}`);
          listening = true;
          this.scrapes += 1;
        } catch {
          // Refused: the process does not listen yet, or has stopped.
        }
        await sleep(listening ? SCRAPE_INTERVAL_MS : 50);
      }
    })();
    try {
      const result = await run();
      if (failure) throw failure;
      if (!listening) throw new Error(`${url} was never scraped: the process did not serve its metrics`);
      return result;
    } finally {
      running = false;
      await scraping;
    }
  }
}
