import { cpus, totalmem } from 'node:os';
import type { ApiOverheadResult } from './parts/api-overhead';
import type { CommitLatencyResult } from './parts/commit-latency';
import type { RelayThroughputResult } from './parts/relay-throughput';
import type { ObservabilityCostResult } from './parts/observability-cost';
import type { SagaThroughputResult } from './parts/saga-throughput';
import type { BenchProfile } from './profiles';

export interface BenchResults {
  profile: BenchProfile['name'];
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string };
  /** Which Temporal the sagas ran on: the dev server, or the production-mode stack (STACK=cluster); absent in older results. */
  temporal?: { stack: 'dev' | 'cluster'; address: string };
  relayThroughput?: RelayThroughputResult;
  commitLatency?: CommitLatencyResult;
  sagaThroughput?: SagaThroughputResult;
  apiOverhead?: ApiOverheadResult;
  observabilityCost?: ObservabilityCostResult;
  /** Peak RSS per process over the parts that ran it, in MiB. */
  peakRssMiB: Record<string, number>;
}

export function describeMachine(): BenchResults['machine'] {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}
