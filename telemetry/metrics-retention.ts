import { Counter } from 'prom-client';
import { RETAINED_TABLES, type RetainedTable } from '../db/retention';
import { metricsRegistry } from './metrics-registry';

/** Rows retention let go, by table (outbox: moved to order_event_history; the others: deleted). */
export const rowsPruned = new Counter({
  name: 'retention_rows_pruned_total',
  help: 'Rows the retention pass let go, by table: outbox rows moved to order_event_history, inbox, idempotency_keys and order_event_history rows deleted',
  labelNames: ['table'] as const,
  registers: [metricsRegistry],
});

export const countPruned = (table: RetainedTable, rows: number): void => {
  if (rows > 0) rowsPruned.inc({ table }, rows);
};

// Every table's series from the start, at 0, so a pass that pruned nothing yet still shows.
for (const table of RETAINED_TABLES) rowsPruned.inc({ table }, 0);
