import { Counter, Gauge, Histogram } from 'prom-client';
import { cachedReading } from './cached-reading';
import { metricsRegistry } from './metrics-registry';

/** What the consumer metrics read at scrape time: each runner's own stats (messaging/consumer-runner.ts), one source. */
export interface ConsumerCounts {
  readonly consumer: string;
  readonly stats: {
    handled: number;
    duplicates: number;
    retried: number;
    databaseOutageRetries: number;
    deadLetteredByReason: Readonly<Record<string, number>>;
  };
  /** Deliveries received and not yet settled. */
  readonly inFlight: number;
}

const runners = new Set<ConsumerCounts>();

/** Counts a runner into the process's consumer metrics, for the life of the process. */
export function countConsumer(runner: ConsumerCounts): void {
  runners.add(runner);
}

/** Sums over runners by consumer name (several instances of one consumer may run in a process). */
function byConsumer(pick: (runner: ConsumerCounts) => number): Map<string, number> {
  const totals = new Map<string, number>();
  for (const runner of runners) totals.set(runner.consumer, (totals.get(runner.consumer) ?? 0) + pick(runner));
  return totals;
}

const runnerCounter = (name: string, help: string, pick: (runner: ConsumerCounts) => number) =>
  new Counter({
    name,
    help,
    labelNames: ['consumer'] as const,
    registers: [metricsRegistry],
    collect() {
      this.reset();
      for (const [consumer, value] of byConsumer(pick)) this.inc({ consumer }, value);
    },
  });

runnerCounter('consumer_messages_handled_total', 'Deliveries whose effect committed', (runner) => runner.stats.handled);
runnerCounter(
  'consumer_messages_retried_total',
  'Deliveries whose handler failed, sent to a back-off queue to retry',
  (runner) => runner.stats.retried,
);
runnerCounter(
  'consumer_database_outage_retries_total',
  'Of the retries: those after the consumer’s database was unavailable, which do not count as attempts',
  (runner) => runner.stats.databaseOutageRetries,
);
runnerCounter(
  'consumer_duplicates_absorbed_total',
  'Deliveries the inbox had already seen: acknowledged without a second effect',
  (runner) => runner.stats.duplicates,
);

new Counter({
  name: 'consumer_messages_dead_lettered_total',
  help: 'Deliveries parked in the consumer’s dead-letter queue, by reason (x-dead-letter-reason)',
  labelNames: ['consumer', 'reason'] as const,
  registers: [metricsRegistry],
  collect() {
    this.reset();
    for (const runner of runners) {
      for (const [reason, value] of Object.entries(runner.stats.deadLetteredByReason))
        this.inc({ consumer: runner.consumer, reason }, value);
    }
  },
});

new Gauge({
  name: 'consumer_unacknowledged_messages',
  help: 'Deliveries this instance holds and has not settled yet',
  labelNames: ['consumer'] as const,
  registers: [metricsRegistry],
  collect() {
    this.reset();
    for (const [consumer, value] of byConsumer((runner) => runner.inFlight)) this.set({ consumer }, value);
  },
});

export const consumerHandlerDuration = new Histogram({
  name: 'consumer_handler_duration_seconds',
  help: 'One handler call in its inbox transaction, whatever its end (handled, duplicate, failed, timed out)',
  labelNames: ['consumer'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [metricsRegistry],
});

export interface QueueDepths {
  consumer: string;
  queueDepth: number;
  dlqDepth: number;
}

/**
 * The queues' shared-state gauges, exported by the consumers process, read from RabbitMQ at
 * scrape time (what the admin API's consumer list reads): every replica reports the same values.
 */
export function registerQueueGauges(readDepths: () => Promise<readonly QueueDepths[]>): void {
  const read = cachedReading('consumer_queues', readDepths);
  const gauge = (name: string, help: string, pick: (depths: QueueDepths) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['consumer'] as const,
      registers: [metricsRegistry],
      async collect() {
        const depths = await read();
        if (!depths) return;
        for (const entry of depths) this.set({ consumer: entry.consumer }, pick(entry));
      },
    });
  gauge('consumer_queue_messages', 'Messages ready in the consumer’s queue: shared state, the same on every replica', (d) => d.queueDepth);
  gauge('consumer_dead_letter_messages', 'Messages parked in the consumer’s dead-letter queue: shared state', (d) => d.dlqDepth);
}
