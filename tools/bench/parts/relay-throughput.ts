import { setTimeout as sleep } from 'node:timers/promises';
import { outboxMessage } from '../../../outbox/confirm-publisher';
import { NaiveProcessor } from '../baselines/naive-processor';
import { publishRaw, readPendingRows } from '../baselines/raw-publisher';
import type { BenchProfile } from '../profiles';
import type { BenchStack } from '../support/bench-stack';
import type { PeakMemory } from '../support/memory';
import { startRelayProcess, waitUntilAllPublished } from '../support/relay-process';
import { insertOutboxRows, sampleEvents, type SampleEvent } from '../support/sample-events';
import { alternate } from '../support/rounds';
import { median } from '../support/stats';

export interface RelayThroughputResult {
  rows: number;
  envelopeBytes: { min: number; max: number };
  raw: { bestWindow: number; rowsPerSecond: number; byWindow: Record<string, number>; rounds: number[] };
  relay: { rowsPerSecond: number; rounds: number[] };
  naive: { rowsPerSecond: number; published: number; seconds: number };
  relayToRaw: number;
  relayToNaive: number;
}

const NAIVE_POLL_MS = 5000;

/**
 * Part 1: rows/s from a full outbox to all confirmed, for the relay process, for a raw confirm
 * publisher with no database (its best in-flight window), and for the textbook naive processor.
 * Raw and relay runs alternate, so drift on the machine hits both alike.
 */
export async function relayThroughput(stack: BenchStack, profile: BenchProfile, memory: PeakMemory): Promise<RelayThroughputResult> {
  const { rows, rounds, rawWindows, naivePolls } = profile.relay;
  const events = sampleEvents(rows);
  await refillOutbox(stack, events);
  const pending = await readPendingRows(stack.sql);
  const sizes = pending.map((row) => outboxMessage(row).body.length);

  const rawRate = async (window: number) => {
    const elapsedMs = await publishRaw(stack.config.AMQP_URL, stack.exchange, pending, window);
    await stack.reset();
    return (rows / elapsedMs) * 1000;
  };
  const byWindow: Record<string, number> = {};
  for (const window of rawWindows) byWindow[window] = await rawRate(window);
  const bestWindow = Number(Object.entries(byWindow).sort(([, a], [, b]) => b - a)[0]![0]);

  const { baseline: rawRounds, product: relayRounds } = await alternate(
    rounds,
    () => rawRate(bestWindow),
    async () => {
      await refillOutbox(stack, events);
      return relayRate(stack, rows, memory);
    },
  );

  await refillOutbox(stack, events);
  const naive = await NaiveProcessor.start(stack.sql, stack.config.AMQP_URL, stack.exchange);
  await sleep(naivePolls * NAIVE_POLL_MS);
  await naive.stop();
  const naiveSeconds = (naivePolls * NAIVE_POLL_MS) / 1000;
  await stack.reset();

  const relay = median(relayRounds);
  const raw = median(rawRounds);
  const naiveRate = naive.published / naiveSeconds;
  return {
    rows,
    envelopeBytes: { min: Math.min(...sizes), max: Math.max(...sizes) },
    raw: { bestWindow, rowsPerSecond: raw, byWindow, rounds: rawRounds },
    relay: { rowsPerSecond: relay, rounds: relayRounds },
    naive: { rowsPerSecond: naiveRate, published: naive.published, seconds: naiveSeconds },
    relayToRaw: relay / raw,
    relayToNaive: relay / naiveRate,
  };
}

/** Empties the outbox and the sink, then fills the outbox with `events`, all pending. */
export async function refillOutbox(stack: BenchStack, events: readonly SampleEvent[]): Promise<void> {
  await stack.reset();
  await insertOutboxRows(stack.sql, events);
  // Fresh statistics, so every run's claim queries get the same plans.
  await stack.sql`VACUUM ANALYZE outbox`;
}

/** Rows per second of a relay process started on a full outbox, until it published every row. */
export async function relayRate(
  stack: BenchStack,
  rows: number,
  memory: PeakMemory,
  env: Record<string, string> = {},
  name = 'relay',
): Promise<number> {
  const relay = await startRelayProcess(stack, env);
  try {
    const finished = await waitUntilAllPublished(stack, 120_000);
    return (rows / (finished - relay.readyAt)) * 1000;
  } finally {
    memory.record(name, await relay.stop());
  }
}
