import type { BenchResults } from './results';
import { targetsOf } from './targets';

const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '—');
const ms = (value: number) => `${fixed(value)} ms`;

/** The run as a plain-text table: what was measured, against what, and the targets. */
export function summarize(results: BenchResults): string {
  const rows: [string, string, string, string][] = [['part', 'product', 'baseline', 'ratio']];
  const { relayThroughput: relay, commitLatency: latency, sagaThroughput: saga, apiOverhead: api, observabilityCost: observed } = results;
  if (relay) {
    rows.push([
      `relay throughput (${relay.rows} rows)`,
      `${fixed(relay.relay.rowsPerSecond, 0)} rows/s`,
      `raw ${fixed(relay.raw.rowsPerSecond, 0)} rows/s (window ${relay.raw.bestWindow})`,
      `relay/raw ${fixed(relay.relayToRaw, 2)}`,
    ]);
    rows.push(['', '', `naive ${fixed(relay.naive.rowsPerSecond, 1)} rows/s`, `relay/naive ${fixed(relay.relayToNaive, 0)}`]);
  }
  if (latency) {
    const line = (run: typeof latency.relay) =>
      `p50 ${ms(run.p50Ms)}, p99 ${ms(run.p99Ms)}, max ${ms(run.maxMs)}${run.undelivered > 0 ? ` (${run.undelivered}/${run.produced} undelivered)` : ''}`;
    rows.push([`commit-to-consume (${latency.eventsPerSecond}/s)`, line(latency.relay), `naive ${line(latency.naive)}`, '']);
  }
  if (saga) {
    const line = (run: typeof saga.saga) => `${fixed(run.perSecond, 1)}/s, p50 ${ms(run.p50Ms)}, p99 ${ms(run.p99Ms)}`;
    rows.push([
      `sagas (${saga.sagas} at concurrency ${saga.concurrency})`,
      line(saga.saga),
      `textbook saga ${line(saga.baseline)}`,
      `saga/baseline ${fixed(saga.sagaToBaseline, 2)} (median of ${saga.roundRatios.map((r) => fixed(r, 2)).join(', ')})`,
    ]);
    const cpu = ({ cpuMsPerSaga: spent }: typeof saga.saga) =>
      `worker ${ms(spent.process)}, Temporal ${ms(spent.temporal)}, PostgreSQL ${ms(spent.postgres)}, machine ${ms(spent.machine)}`;
    rows.push(['  CPU per saga', cpu(saga.saga), cpu(saga.baseline), '']);
  }
  if (api) {
    rows.push([
      `POST /orders as customers (JWT; ${api.requests} at concurrency ${api.concurrency})`,
      `p50 ${ms(api.api.p50Ms)}, p99 ${ms(api.api.p99Ms)}`,
      `workflow.start p50 ${ms(api.direct.p50Ms)}, p99 ${ms(api.direct.p99Ms)}`,
      `api/direct p50 ${fixed(api.apiToDirectP50, 2)}, p99 ${fixed(api.apiToDirectP99, 2)}`,
    ]);
    rows.push([
      'POST /orders with the admin token (no JWT)',
      `p50 ${ms(api.adminToken.p50Ms)}, p99 ${ms(api.adminToken.p99Ms)}`,
      '',
      `api/direct p50 ${fixed(api.adminTokenToDirectP50, 2)}, p99 ${fixed(api.adminTokenToDirectP99, 2)}`,
    ]);
  }
  if (observed) {
    const { saga: sagas, relay: relayed } = observed;
    const rounds = (ratios: number[]) => `(median of ${ratios.map((r) => fixed(r, 2)).join(', ')})`;
    rows.push([
      `sagas traced and scraped (${sagas.sagas} at concurrency ${sagas.concurrency})`,
      `${fixed(sagas.on.perSecond, 1)}/s, ${sagas.spans} spans`,
      `untraced ${fixed(sagas.off.perSecond, 1)}/s`,
      `on/off ${fixed(sagas.onToOff, 2)} ${rounds(sagas.roundRatios)}`,
    ]);
    rows.push([
      `relay traced and scraped (${relayed.rows} rows)`,
      `${fixed(relayed.onRowsPerSecond, 0)} rows/s, ${relayed.spans} spans`,
      `untraced ${fixed(relayed.offRowsPerSecond, 0)} rows/s`,
      `on/off ${fixed(relayed.onToOff, 2)} ${rounds(relayed.roundRatios)}`,
    ]);
  }
  const memory = Object.entries(results.peakRssMiB);
  if (memory.length > 0) rows.push(['peak RSS', memory.map(([name, mib]) => `${name} ${fixed(mib, 0)} MiB`).join(', '), '', '']);

  const targets = targetsOf(results)
    .filter((target) => target.value !== undefined)
    .map((target) => {
      const verdict = target.met(target.value!) ? 'met' : 'MISSED';
      return `  ${target.metric.padEnd(28)} ${fixed(target.value!, 2).padStart(8)}   target ${target.goal.padEnd(7)} ${verdict}`;
    });

  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const table = rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd(),
  );
  const { machine, temporal } = results;
  const on = temporal ? `, Temporal: ${temporal.stack === 'cluster' ? 'production-mode stack' : 'dev server'} at ${temporal.address}` : '';
  return [
    `benchmark (${results.profile} profile) ${results.startedAt} on ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, node ${machine.node}${on}`,
    '',
    ...table,
    '',
    `targets${results.profile === 'quick' ? ' (the quick profile is too small to judge them; run the full one)' : ''}:`,
    ...targets,
  ].join('\n');
}
