import { setTimeout as sleep } from 'node:timers/promises';
import { NaiveProcessor } from '../baselines/naive-processor';
import type { BenchProfile } from '../profiles';
import type { BenchStack } from '../support/bench-stack';
import type { PeakMemory } from '../support/memory';
import { startRelayProcess } from '../support/relay-process';
import { sampleEvents, type SampleEvent } from '../support/sample-events';
import { SinkConsumer } from '../support/sink-consumer';
import { summarize, type LatencySummary } from '../support/stats';

export interface LatencyRun extends LatencySummary {
  produced: number;
  /** Produced but not received within the drain time (the naive processor falls behind). */
  undelivered: number;
  seconds: number;
}

export interface CommitLatencyResult {
  eventsPerSecond: number;
  relay: LatencyRun;
  naive: LatencyRun;
}

// The relay delivers everything well within this; the naive processor gets one more poll.
const RELAY_DRAIN_MS = 10_000;
const NAIVE_DRAIN_MS = 5000;

/**
 * Part 2: at a steady rate, one event per outbox transaction, the time from the transaction's
 * commit (as its committer sees it) to a consumer receiving the message. The relay must deliver
 * every event; the naive processor is stopped after the drain time, and what it left behind is
 * counted, not measured.
 */
export async function commitLatency(stack: BenchStack, profile: BenchProfile, memory: PeakMemory): Promise<CommitLatencyResult> {
  const { eventsPerSecond, seconds, naiveSeconds } = profile.latency;

  await stack.reset();
  const relayProcess = await startRelayProcess(stack);
  let relay: LatencyRun;
  try {
    relay = await measure(stack, eventsPerSecond, seconds, RELAY_DRAIN_MS);
  } finally {
    memory.record('relay', await relayProcess.stop());
  }
  if (relay.undelivered > 0)
    throw new Error(`the relay left ${relay.undelivered} of ${relay.produced} events undelivered after ${RELAY_DRAIN_MS} ms`);

  await stack.reset();
  const naiveProcessor = await NaiveProcessor.start(stack.sql, stack.config.AMQP_URL, stack.exchange);
  let naive: LatencyRun;
  try {
    naive = await measure(stack, eventsPerSecond, naiveSeconds, NAIVE_DRAIN_MS);
  } finally {
    await naiveProcessor.stop();
  }
  await stack.reset();
  return { eventsPerSecond, relay, naive };
}

async function measure(stack: BenchStack, eventsPerSecond: number, seconds: number, drainMs: number): Promise<LatencyRun> {
  const consumer = await SinkConsumer.start(stack.config.AMQP_URL, stack.sinkQueue);
  try {
    const events = sampleEvents(eventsPerSecond * seconds);
    const committedAt = new Map<string, number>();
    const inserts: Promise<void>[] = [];
    const intervalMs = 1000 / eventsPerSecond;
    const started = performance.now();
    // Open-loop: each event has its due time, whatever happened to the ones before it.
    for (let i = 0; i < events.length; i++) {
      const due = started + i * intervalMs;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const event = events[i]!;
      inserts.push(commitOne(stack, event).then(() => void committedAt.set(event.id, performance.now())));
    }
    await Promise.all(inserts);
    const drainUntil = performance.now() + drainMs;
    while (consumer.receivedAt.size < events.length && performance.now() < drainUntil) await sleep(50);

    const latencies = [...committedAt].flatMap(([id, committed]) => {
      const received = consumer.receivedAt.get(id);
      return received === undefined ? [] : [received - committed];
    });
    return { ...summarize(latencies), produced: events.length, undelivered: events.length - latencies.length, seconds };
  } finally {
    await consumer.close();
  }
}

/**
 * One event in a transaction of its own: a single INSERT, committed when it returns. One round
 * trip, so the load generator, which shares the machine, costs as little as it can.
 */
async function commitOne(stack: BenchStack, event: SampleEvent): Promise<void> {
  await stack.sql`INSERT INTO outbox (id, aggregate_id, name, payload, metadata)
                  VALUES (${event.id}, ${event.aggregateId}, ${event.name}, ${stack.sql.json(event.payload)}, ${stack.sql.json({ ...event.metadata })})`;
}
