/** How much each part does. `full` is what the README's table and the targets refer to. */
export interface BenchProfile {
  name: 'full' | 'quick';
  relay: {
    rows: number;
    /** Raw and relay runs alternate this many times; the median of each counts. */
    rounds: number;
    /** In-flight windows tried for the raw publisher; its best one is the baseline. */
    rawWindows: number[];
    /** Polls the naive processor gets (5 s apart). */
    naivePolls: number;
  };
  latency: { eventsPerSecond: number; seconds: number; naiveSeconds: number };
  /** rounds: baseline and saga alternate this many times; odd, so the median ratio is one round's. */
  saga: { sagas: number; concurrency: number; rounds: number };
  api: { requests: number; concurrency: number; rounds: number };
  /** Observability on against off: sagas and relay rows per round, rounds odd (the median is one round's). */
  observability: { sagas: number; concurrency: number; relayRows: number; rounds: number };
}

export const PROFILES: Record<BenchProfile['name'], BenchProfile> = {
  full: {
    name: 'full',
    relay: { rows: 20_000, rounds: 3, rawWindows: [100, 500, 2000, 10_000], naivePolls: 4 },
    latency: { eventsPerSecond: 500, seconds: 30, naiveSeconds: 10 },
    saga: { sagas: 300, concurrency: 50, rounds: 5 },
    api: { requests: 2000, concurrency: 20, rounds: 3 },
    observability: { sagas: 200, concurrency: 50, relayRows: 20_000, rounds: 5 },
  },
  quick: {
    name: 'quick',
    relay: { rows: 2000, rounds: 1, rawWindows: [500, 2000], naivePolls: 2 },
    latency: { eventsPerSecond: 500, seconds: 5, naiveSeconds: 5 },
    saga: { sagas: 60, concurrency: 20, rounds: 1 },
    api: { requests: 200, concurrency: 20, rounds: 1 },
    observability: { sagas: 40, concurrency: 20, relayRows: 2000, rounds: 1 },
  },
};
