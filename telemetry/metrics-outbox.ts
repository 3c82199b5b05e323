import { Counter, Gauge, Histogram } from 'prom-client';
import type { Sql } from 'postgres';
import { cachedReading } from './cached-reading';
import { metricsRegistry } from './metrics-registry';

/** What the counters below read at scrape time: each relay's own stats (outbox/relay.ts), one source. */
export interface RelayCounts {
  published: number;
  refused: number;
}

const relays = new Set<RelayCounts>();

/** Counts this relay's stats into the process's outbox counters (a process runs one relay; tests several). */
export function countRelay(stats: RelayCounts): void {
  relays.add(stats);
}

const sum = (pick: (stats: RelayCounts) => number): number => [...relays].reduce((total, stats) => total + pick(stats), 0);

new Counter({
  name: 'outbox_events_published_total',
  help: 'Outbox events this relay published and the broker confirmed',
  registers: [metricsRegistry],
  collect() {
    this.reset();
    this.inc(sum((stats) => stats.published));
  },
});

new Counter({
  name: 'outbox_publish_failures_total',
  help: 'Outbox events the broker refused (nack) or that could not be encoded: retried with back-off, then dead',
  registers: [metricsRegistry],
  collect() {
    this.reset();
    this.inc(sum((stats) => stats.refused));
  },
});

export const relayBatchDuration = new Histogram({
  name: 'outbox_relay_batch_duration_seconds',
  help: 'One relay batch, from its claim through the broker confirms to its rows recorded',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [metricsRegistry],
});

/**
 * The outbox's shared-state gauges, exported by the relay process, read from Postgres at scrape
 * time (the admin API's outbox stats query): every relay replica reports the same values.
 */
export function registerOutboxGauges(sql: Sql): void {
  const read = cachedReading('outbox', async () => {
    const [row] = await sql<{ pending: number; dead: number; oldestPendingAgeSeconds: number }[]>`
      SELECT count(*) FILTER (WHERE published_at IS NULL AND dead_at IS NULL)::int AS pending,
             count(*) FILTER (WHERE dead_at IS NOT NULL)::int AS dead,
             coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE published_at IS NULL AND dead_at IS NULL)), 0)::float8
               AS "oldestPendingAgeSeconds"
      FROM outbox`;
    return row!;
  });
  const gauge = (name: string, help: string, pick: (row: { pending: number; dead: number; oldestPendingAgeSeconds: number }) => number) =>
    new Gauge({
      name,
      help,
      registers: [metricsRegistry],
      async collect() {
        const row = await read();
        if (row) this.set(pick(row));
      },
    });
  gauge(
    'outbox_pending_events',
    'Outbox events not yet published and not dead: shared state, the same on every relay replica',
    (row) => row.pending,
  );
  gauge(
    'outbox_oldest_pending_age_seconds',
    'Age of the oldest pending outbox event, 0 when none: shared state',
    (row) => row.oldestPendingAgeSeconds,
  );
  gauge(
    'outbox_dead_events',
    'Outbox events that ran out of attempts (revive them through the admin API): shared state',
    (row) => row.dead,
  );
}
