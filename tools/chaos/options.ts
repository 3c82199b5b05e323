import { parseDuration } from './duration';
import { FAULT_KINDS, type FaultKind } from './fault-kinds';

export interface ChaosOptions {
  mode: 'chaos';
  profile: 'full' | 'ci';
  sagas: number;
  /** Sagas in flight at once: submitted and not yet ended. */
  concurrency: number;
  seed: number;
  /** Faults to inject, each once per entry, at random moments of the run. */
  faults: FaultKind[];
  /** How long to wait, after the last saga was submitted, for every saga and message to settle. */
  quiescenceTimeoutMs: number;
  /** Keep the run's database and vhost for inspection instead of deleting them. */
  keep: boolean;
  /**
   * The run's own Temporal is the production-mode server (go.temporal.io/server on the run's own
   * PostgreSQL, as `STACK=cluster` runs it) instead of a dev server.
   */
  cluster: boolean;
  /** How many of each app process run at once: saga workers, relays, consumers processes, APIs. */
  replicas: number;
  /**
   * The longest the next fault waits for the work the previous one caught to be done: the full
   * profile measures each fault's recovery on its own; the CI profile packs its faults (0: no wait).
   */
  faultSettleMs: number;
}

export interface SoakOptions {
  mode: 'soak';
  durationMs: number;
  /** Sagas started per second, steadily. */
  ratePerSecond: number;
  seed: number;
  /** The largest RSS growth allowed from the first warm window to the last, as a fraction. */
  maxGrowth: number;
  sampleIntervalMs: number;
  quiescenceTimeoutMs: number;
  keep: boolean;
}

export type RunOptions = ChaosOptions | SoakOptions;

/** Every fault the issues list: the saga worker and the relay are killed twice. */
export const FULL_FAULTS: FaultKind[] = [...FAULT_KINDS, 'kill-saga-worker', 'kill-relay'];

/**
 * The CI profile: 60 sagas, enough run for its nine faults, injected one after another (a service
 * restart takes seconds), to each find work in flight; with 36 the last could come after the end.
 */
export function chaosProfile(
  profile: 'full' | 'ci',
  seed = Date.now() % 1_000_000,
  { cluster = false, replicas = defaultReplicas(cluster) } = {},
): ChaosOptions {
  const stack = { keep: false, cluster, replicas };
  return profile === 'ci'
    ? {
        mode: 'chaos',
        profile,
        sagas: 60,
        concurrency: 8,
        seed,
        faults: [...FAULT_KINDS],
        quiescenceTimeoutMs: 100_000,
        faultSettleMs: 0,
        ...stack,
      }
    : {
        mode: 'chaos',
        profile,
        sagas: 500,
        concurrency: 16,
        seed,
        faults: [...FULL_FAULTS],
        quiescenceTimeoutMs: 240_000,
        faultSettleMs: 30_000,
        ...stack,
      };
}

/** Two of each process on the production-mode stack, the topology it stands for; one on the dev stack. */
export const defaultReplicas = (cluster: boolean): number => (cluster ? 2 : 1);

export const USAGE = `usage: npm run chaos -- [--profile full|ci] [--cluster] [--replicas N] [--sagas N] [--concurrency C] [--seed S] [--keep]
       npm run chaos -- --soak 10m [--rate 2] [--seed S] [--keep]
  --cluster     the run's own Temporal is the production-mode server on the run's own PostgreSQL
  --replicas N  N saga workers, relays, consumers processes and APIs (default 2 with --cluster, else 1)`;

/** Flags that take no value. */
const SWITCHES: ReadonlySet<string> = new Set(['keep', 'cluster']);

/** Reads the command line; throws with the usage on anything it does not understand. */
export function parseOptions(argv: readonly string[]): RunOptions {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${JSON.stringify(arg)}\n${USAGE}`);
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    const next = argv[i + 1];
    if (inline !== undefined) flags.set(name, inline);
    else if (!SWITCHES.has(name) && next !== undefined && !next.startsWith('--')) flags.set(name, argv[++i]!);
    else flags.set(name, true);
  }
  const known = new Set(['profile', 'sagas', 'concurrency', 'seed', 'soak', 'rate', 'keep', 'cluster', 'replicas']);
  for (const name of flags.keys()) if (!known.has(name)) throw new Error(`unknown flag --${name}\n${USAGE}`);
  const text = (name: string): string | undefined => {
    const value = flags.get(name);
    if (value === true) throw new Error(`--${name} needs a value\n${USAGE}`);
    return value;
  };
  const positive = (name: string): number | undefined => {
    const value = text(name);
    if (value === undefined) return undefined;
    const number = Number(value);
    if (!Number.isFinite(number) || number <= 0) throw new Error(`--${name} must be a positive number, got ${JSON.stringify(value)}`);
    return number;
  };
  const seed = text('seed') === undefined ? Date.now() % 1_000_000 : Math.floor(Number(text('seed')));
  if (!Number.isFinite(seed)) throw new Error(`--seed must be a number, got ${JSON.stringify(text('seed'))}`);
  const keep = flags.has('keep');

  const soak = text('soak');
  if (soak !== undefined) {
    for (const name of ['cluster', 'replicas'])
      if (flags.has(name)) throw new Error(`--${name} is for the chaos run, not the soak\n${USAGE}`);
    return {
      mode: 'soak',
      durationMs: parseDuration(soak),
      // 2/s is what the project's machine (2 cores, shared) keeps up with; 5/s piles up a backlog there.
      ratePerSecond: positive('rate') ?? 2,
      seed,
      maxGrowth: 0.2,
      sampleIntervalMs: 5000,
      quiescenceTimeoutMs: 180_000,
      keep,
    };
  }
  const profile = text('profile') ?? 'full';
  if (profile !== 'full' && profile !== 'ci') throw new Error(`--profile must be full or ci, got ${JSON.stringify(profile)}`);
  const replicas = positive('replicas');
  if (replicas !== undefined && !Number.isInteger(replicas)) throw new Error(`--replicas must be a whole number, got ${replicas}`);
  const options = chaosProfile(profile, seed, { cluster: flags.has('cluster'), ...(replicas === undefined ? {} : { replicas }) });
  const sagas = positive('sagas');
  const concurrency = positive('concurrency');
  return {
    ...options,
    sagas: sagas === undefined ? options.sagas : Math.floor(sagas),
    concurrency: concurrency === undefined ? options.concurrency : Math.floor(concurrency),
    keep,
  };
}
