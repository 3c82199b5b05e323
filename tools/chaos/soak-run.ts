import { setTimeout as sleep } from 'node:timers/promises';
import { API, SAGA_WORKER } from '../environment/app-entries';
import { instanceName } from './app-children';
import { procStatusKb } from '../environment/proc-status';
import { chaosCatalog } from './catalog';
import { formatDuration } from './duration';
import type { SoakOptions } from './options';
import type { ProcessExit } from './process-supervisor';
import { ProgressBar } from './progress-bar';
import { waitForRunQuiescence, type Quiescence } from './quiescence';
import { SeededRandom } from './random';
import { growthWindows, rssGrowth, type RssGrowth, type RssSample } from './rss';
import { startRunStack, type RunStack } from './run-stack';
import { SagaDriver } from './saga-driver';
import { buildScenarios } from './scenarios';
import { describeError } from './describe-error';
import { verifyRun, type Verification } from './verify-run';

export interface SoakReport extends Verification {
  runId: string;
  startedAt: string;
  options: SoakOptions;
  sagasStarted: number;
  growth: RssGrowth[];
  /** Sagas in flight (submitted, not ended), averaged over the first and the last window: growth means the rate is above what the machine can do. */
  inFlight: { first: number; last: number };
  warnings: string[];
  /** Growth checks that failed, and processes that restarted during the soak. */
  problems: string[];
  exits: ProcessExit[];
  quiescence: Quiescence;
  logDir: string;
  kept: boolean;
}

/** The soak runs one of each process. */
const SAMPLED = [instanceName(SAGA_WORKER, 1), instanceName(API, 1)];

/**
 * The soak: sagas at a steady rate for the whole duration, no faults, the saga worker's and
 * the API's RSS sampled throughout; then the same invariants as the chaos run.
 */
export async function runSoak(
  options: SoakOptions,
  log: (message: string) => void = (m) => process.stderr.write(`${m}\n`),
): Promise<SoakReport> {
  const startedAt = new Date();
  const planned = Math.ceil((options.ratePerSecond * options.durationMs) / 1000);
  const stack = await startRunStack(chaosCatalog(planned), log);
  let report: SoakReport | undefined;
  try {
    const scenarios = buildScenarios(stack.env.identity.id, planned, new SeededRandom(options.seed));
    log(
      `soak ${formatDuration(options.durationMs)} at ${options.ratePerSecond} sagas/s (${planned} sagas), seed ${options.seed}; RSS of ${SAMPLED.join(' and ')} every ${options.sampleIntervalMs / 1000} s`,
    );
    const bar = new ProgressBar('soak', planned);
    const driver = new SagaDriver(scenarios, stack.api, stack.tracker, (progress) =>
      bar.update(progress.submitted, `${progress.ended} ended`),
    );
    const stop = new AbortController();
    const soakStart = Date.now();
    const samples: RssSample[] = [];
    const inFlightSamples: { atMs: number; inFlight: number }[] = [];
    const sampling = sampleRss(stack, samples, soakStart, options, stop.signal, () => {
      const { submitted, ended } = driver.progress;
      inFlightSamples.push({ atMs: Date.now() - soakStart, inFlight: submitted - ended });
    });
    setTimeout(() => stop.abort(), options.durationMs).unref();
    await driver.runAtRate(options.ratePerSecond, stop.signal);
    stop.abort();
    await sampling;
    bar.done();
    const quiescence = await waitForRunQuiescence(stack, options.quiescenceTimeoutMs, log);
    const driven = driver.records.filter((record) => record.submittedAt !== null || record.problem !== null);
    const verification = await verifyRun(stack, driven, []);
    const problems: string[] = [];
    const growth: RssGrowth[] = [];
    for (const process of SAMPLED) {
      try {
        const measured = rssGrowth(samples, process, options.durationMs);
        growth.push(measured);
        if (measured.growth > options.maxGrowth) {
          problems.push(`${process}: peak RSS grew ${(measured.growth * 100).toFixed(1)} % (over ${options.maxGrowth * 100} %)`);
        }
      } catch (error) {
        problems.push(`${process}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const windows = growthWindows(options.durationMs);
    const inFlight = {
      first: averageIn(inFlightSamples, windows.warmUpMs, windows.warmUpMs + windows.windowMs),
      last: averageIn(inFlightSamples, options.durationMs - windows.windowMs, options.durationMs),
    };
    const warnings =
      inFlight.last > 2 * inFlight.first + 10
        ? [
            `sagas in flight grew from ${inFlight.first.toFixed(0)} to ${inFlight.last.toFixed(0)}: ${options.ratePerSecond}/s is more than this machine keeps up with, so memory also holds a growing backlog`,
          ]
        : [];
    const exits = stack.supervisor.exits.filter((exit) => exit.cause !== 'stopped');
    for (const exit of exits)
      problems.push(`${exit.process} pid ${exit.pid} exited during the soak (${exit.signal ?? `code ${exit.code}`})`);
    report = {
      runId: stack.env.identity.id,
      startedAt: startedAt.toISOString(),
      options,
      sagasStarted: driven.length,
      ...verification,
      growth,
      inFlight,
      warnings,
      problems,
      exits,
      quiescence,
      logDir: stack.env.logDir,
      kept: options.keep || verification.violations > 0,
    };
    return report;
  } finally {
    // A teardown failure is reported, and does not take the run's report with it.
    await stack
      .close({ keep: report?.kept ?? options.keep })
      .catch((error: unknown) => log(`the run did not tear down cleanly: ${describeError(error)}`));
  }
}

function averageIn(samples: readonly { atMs: number; inFlight: number }[], from: number, to: number): number {
  const inside = samples.filter((sample) => sample.atMs >= from && sample.atMs <= to);
  return inside.length === 0 ? 0 : inside.reduce((sum, sample) => sum + sample.inFlight, 0) / inside.length;
}

/** Samples the current pid of each sampled process until `stop`; a process that restarted shows as a new pid. */
async function sampleRss(
  stack: RunStack,
  samples: RssSample[],
  soakStart: number,
  options: SoakOptions,
  stop: AbortSignal,
  alsoSample: () => void,
): Promise<void> {
  while (!stop.aborted) {
    alsoSample();
    for (const process of SAMPLED) {
      const current = stack.supervisor.current(process);
      if (!current) continue;
      try {
        samples.push({ process, pid: current.pid, atMs: Date.now() - soakStart, rssKb: await procStatusKb(current.pid, 'VmRSS') });
      } catch (error) {
        // The process exited between the lookup and the read: its exit is reported as a problem.
        if (stack.supervisor.current(process)?.pid === current.pid) throw error;
      }
    }
    await sleep(options.sampleIntervalMs, undefined, { signal: stop }).catch(() => {});
  }
}
