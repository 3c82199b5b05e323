import type { BenchResults } from './results';

export interface Target {
  metric: string;
  value: number | undefined;
  /** How the target reads, e.g. "≥ 0.7". */
  goal: string;
  met: (value: number) => boolean;
}

/** The targets, read from a run's results; a part that did not run has no value. */
export function targetsOf(results: BenchResults): Target[] {
  const { relayThroughput: relay, commitLatency: latency, sagaThroughput: saga, apiOverhead: api, observabilityCost: observed } = results;
  return [
    { metric: 'relay/raw throughput', value: relay?.relayToRaw, goal: '≥ 0.7', met: (v) => v >= 0.7 },
    { metric: 'relay/naive throughput', value: relay?.relayToNaive, goal: '≥ 20', met: (v) => v >= 20 },
    { metric: 'commit-to-consume p99 (ms)', value: latency?.relay.p99Ms, goal: '≤ 50', met: (v) => v <= 50 },
    { metric: 'saga/baseline throughput', value: saga?.sagaToBaseline, goal: '≥ 1.0', met: (v) => v >= 1.0 },
    { metric: 'api/direct p50', value: api?.apiToDirectP50, goal: '≤ 1.25', met: (v) => v <= 1.25 },
    { metric: 'sagas observed on/off', value: observed?.saga.onToOff, goal: '≥ 0.9', met: (v) => v >= 0.9 },
    { metric: 'relay observed on/off', value: observed?.relay.onToOff, goal: '≥ 0.9', met: (v) => v >= 0.9 },
  ];
}
