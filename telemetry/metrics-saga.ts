import { Counter, Gauge, Histogram } from 'prom-client';
import type { Sql } from 'postgres';
import { TERMINAL_STATUSES, type SagaStep } from '../domain/order';
import { cachedReading } from './cached-reading';
import { metricsRegistry } from './metrics-registry';

/** Per saga worker instance: each counts the sagas and steps it ran. */
export const sagaOutcomes = new Counter({
  name: 'saga_outcomes_total',
  help: 'Sagas ended, by terminal status (lower case) and the step that failed ("" when none); counted once, when the status first commits',
  labelNames: ['outcome', 'failed_step'] as const,
  registers: [metricsRegistry],
});

export const sagaStepDuration = new Histogram({
  name: 'saga_step_duration_seconds',
  help: 'One attempt of a saga step (activity), by step, kind (action | compensation) and result (ok | error)',
  labelNames: ['step', 'kind', 'result'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [metricsRegistry],
});

export const sagaStepRetries = new Counter({
  name: 'saga_step_retries_total',
  help: 'Failed attempts of a saga step that Temporal will retry',
  labelNames: ['step'] as const,
  registers: [metricsRegistry],
});

const COMPENSATION_STEPS: ReadonlySet<SagaStep> = new Set(['cancelShipment', 'refundPayment', 'releaseInventory', 'markOrderOutcome']);

/** The kind label of a step: markOrderOutcome ends the compensation path, so it counts as one. */
export const stepKind = (step: SagaStep): 'action' | 'compensation' => (COMPENSATION_STEPS.has(step) ? 'compensation' : 'action');

/** A terminal status as the outcome label: COMPLETED → completed. */
export const outcomeLabel = (status: string): string => status.toLowerCase();

export interface SagaGaugeOptions {
  sql: Sql;
  /** SAGA_STALL_AFTER_SECONDS. */
  stallAfterSeconds: number;
}

/**
 * The shared-state gauges the saga worker exports, read from the orders table at scrape time:
 * every replica reports the same value (queries use `max without (instance)`).
 */
export function registerSagaGauges({ sql, stallAfterSeconds }: SagaGaugeOptions): void {
  const read = cachedReading('saga_orders', async () => {
    const [row] = await sql<{ needsAttention: number; stalled: number }[]>`
      SELECT count(*) FILTER (WHERE o.status = 'NEEDS_ATTENTION')::int AS "needsAttention",
             count(*) FILTER (
               WHERE o.status <> ALL (${sql.array([...TERMINAL_STATUSES, 'AWAITING_REVIEW'])}::text[])
                 AND greatest(o.updated_at, (SELECT max(s.completed_at) FROM saga_steps s WHERE s.order_id = o.id))
                     < now() - make_interval(secs => ${stallAfterSeconds}))::int AS stalled
      FROM orders o`;
    return row!;
  });
  new Gauge({
    name: 'saga_needs_attention_sagas',
    help: 'Orders in NEEDS_ATTENTION (a compensation could not finish): shared state, the same on every worker replica',
    registers: [metricsRegistry],
    async collect() {
      const value = await read();
      if (value) this.set(value.needsAttention);
    },
  });
  new Gauge({
    name: 'saga_stalled_sagas',
    help: 'Orders not finished and not awaiting review whose last change (status or step) is older than SAGA_STALL_AFTER_SECONDS: shared state',
    registers: [metricsRegistry],
    async collect() {
      const value = await read();
      if (value) this.set(value.stalled);
    },
  });
}
