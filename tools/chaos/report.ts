import type { ChaosReport } from './chaos-run';
import { formatDuration } from './duration';
import type { InvariantResult } from './invariants';
import type { FaultRecovery } from './recovery';
import { growthWindows } from './rss';
import type { SoakReport } from './soak-run';
import type { TemporalRetries } from './verify-run';

const MAX_LISTED_VIOLATIONS = 10;

/** A plain-text table with a header rule, columns padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], align: ('l' | 'r')[] = []): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => (align[i] === 'r' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((width, i) => (align[i] === 'r' ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width))).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

export function invariantTable(invariants: readonly InvariantResult[]): string {
  return table(
    ['invariant', 'checked', 'violations'],
    invariants.map((result) => [result.name, String(result.checked), String(result.violations.length)]),
    ['l', 'r', 'r'],
  );
}

export function violationDetails(invariants: readonly InvariantResult[]): string {
  return invariants
    .filter((result) => result.violations.length > 0)
    .map((result) => {
      const listed = result.violations.slice(0, MAX_LISTED_VIOLATIONS).map((violation) => `  - ${violation}`);
      const more = result.violations.length - listed.length;
      return [`${result.name}:`, ...listed, ...(more > 0 ? [`  … and ${more} more`] : [])].join('\n');
    })
    .join('\n');
}

const shorten = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 3)}…` : text);

const ms = (value: number | null) => (value === null ? '–' : formatDuration(value));

export function faultTable(recoveries: readonly FaultRecovery[]): string {
  return table(
    [
      'fault',
      'after saga',
      'hit',
      'restarted and ready',
      'caught in flight',
      'first progress',
      'recovered after',
      'last saga to recover: its step',
    ],
    recoveries.map(({ fault, readyMs, firstProgressMs, recoveryMs, caught, lastSaga }) => [
      fault.description,
      String(fault.afterSubmitted),
      shorten(fault.target !== null && !fault.detail.startsWith(fault.target) ? `${fault.target}: ${fault.detail}` : fault.detail, 70),
      ms(readyMs),
      caught,
      ms(firstProgressMs),
      fault.injected ? ms(recoveryMs) : 'not injected',
      lastSaga ?? '–',
    ]),
    ['l', 'r', 'l', 'r', 'l', 'r', 'r', 'l'],
  );
}

/** The whole report, as `npm run chaos` prints it. */
export function formatChaosReport(report: ChaosReport): string {
  const { options } = report;
  const unexpected = report.exits.filter((exit) => exit.cause === 'unexpected');
  const knownBug = unexpected.filter((exit) => exit.knownBug !== null);
  const lines = [
    `Chaos run ${report.runId} — ${report.startedAt.slice(0, 10)}, ${formatDuration(report.durationMs)}; profile ${options.profile}, ${options.sagas} sagas at concurrency ${options.concurrency}, seed ${options.seed}`,
    `Stack: ${stackLine(report)}`,
    `Scenarios: ${Object.entries(report.scenarios)
      .map(([kind, n]) => `${kind} ${n}`)
      .join(', ')}`,
    '',
    invariantTable(report.invariants),
    '',
    report.violations === 0 ? 'No violations.' : `${report.violations} violations:\n${violationDetails(report.invariants)}`,
    '',
    'Faults:',
    faultTable(report.recoveries),
    '',
    `Process exits: ${summariseExits(report)}`,
    ...unexpected.map(
      (exit) =>
        `  unexpected: ${exit.process} pid ${exit.pid} (${exit.signal ?? `code ${exit.code}`})${exit.knownBug ? `, ${exit.knownBug}` : ''}: ${lastLine(exit.detail)}`,
    ),
    knownBug.length > 0
      ? `  ${knownBug.length} of them the known postgres.js crash (porsager/postgres#1208) on a terminated backend inside a transaction; restarted like a kill.`
      : '',
    `Duplicates absorbed: ${report.duplicates.probe} repeat deliveries seen by the probe queue; inbox skipped ${
      Object.entries(report.duplicates.inbox)
        .map(([consumer, n]) => `${n} (${consumer})`)
        .join(', ') || '0'
    } redeliveries without a second effect`,
    retriesLine(report.retries),
    `API: ${report.api.retries} requests retried after a network error or 5xx; ${report.api.repeatedSubmissions} POST /orders answered as repeats of their Idempotency-Key`,
    `Requests answered per API instance: ${Object.entries(report.api.servedBy)
      .map(([url, n], i) => `api-${i + 1} (${url}) ${n}`)
      .join(', ')}`,
    `Quiescence: ${report.quiescence.settled ? `settled ${formatDuration(report.quiescence.waitedMs)} after the last saga was driven` : `NOT settled after ${formatDuration(report.quiescence.waitedMs)}: ${report.quiescence.pending}`}`,
    `Logs: ${report.logDir}${report.kept ? ' (database and vhost kept for inspection)' : ''}`,
  ];
  return lines.filter((line, i) => line !== '' || lines[i - 1] !== '').join('\n');
}

function stackLine({ options, ownServices }: ChaosReport): string {
  const temporal =
    ownServices === null
      ? "the machine's Temporal, PostgreSQL and RabbitMQ"
      : `own ${ownServices.temporal === 'cluster' ? 'production-mode Temporal server (on the own PostgreSQL)' : 'Temporal dev server'} at ${ownServices.temporalAddress}, own PostgreSQL :${ownServices.postgresPort}, own RabbitMQ :${ownServices.rabbitmqPort}`;
  return `${options.cluster ? 'production mode' : 'dev'}; ${options.replicas} of each app process (saga worker, relay, consumers, API); ${temporal}`;
}

function retriesLine(retries: TemporalRetries): string {
  const byActivity = Object.entries(retries.byActivity).map(([type, n]) => `${type} ${n}`);
  const timeouts = Object.entries(retries.timeouts).map(([kind, n]) => `${n} ${kind}`);
  return [
    `Temporal retries: ${retries.total} activity retries (${retries.byDesign} by design: tok_flaky); by activity: ${byActivity.join(', ') || 'none'}`,
    `Timeouts: ${timeouts.join(', ') || 'none'}; ${retries.unexplainedTimeouts} of them not within 25 s after a worker kill, an activity crash or a Temporal restart (with --cluster, a PostgreSQL restart too) (a healthy task that timed out; sticky workflow tasks moved to the shared queue not counted)`,
  ].join('\n');
}

function summariseExits(report: ChaosReport): string {
  const counts = new Map<string, number>();
  for (const exit of report.exits) {
    if (exit.cause === 'stopped') continue;
    const key = `${exit.process} ${exit.cause}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, n]) => `${key} ×${n}`).join(', ') || 'none';
}

const lastLine = (text: string) => text.trim().split('\n').slice(-3).join(' ⏎ ').slice(0, 300);

const mib = (kb: number) => `${(kb / 1024).toFixed(1)} MiB`;

/** The soak's report: RSS growth per process, then the invariants after it. */
export function formatSoakReport(report: SoakReport): string {
  const { options } = report;
  const windows = growthWindows(options.durationMs);
  const lines = [
    `Soak ${report.runId} — ${report.startedAt.slice(0, 10)}, ${formatDuration(options.durationMs)} at ${options.ratePerSecond} sagas/s: ${report.sagasStarted} sagas, seed ${options.seed}`,
    `Peak RSS, first window after a ${formatDuration(windows.warmUpMs)} warm-up vs the last ${formatDuration(windows.windowMs)} (limit +${options.maxGrowth * 100} %):`,
    table(
      ['process', 'first window peak', 'last window peak', 'growth', 'samples'],
      report.growth.map((growth) => [
        growth.process,
        mib(growth.firstPeakKb),
        mib(growth.lastPeakKb),
        `${(growth.growth * 100).toFixed(1)} %`,
        String(growth.samples),
      ]),
      ['l', 'r', 'r', 'r', 'r'],
    ),
    `Sagas in flight: ${report.inFlight.first.toFixed(1)} on average in the first window, ${report.inFlight.last.toFixed(1)} in the last`,
    ...report.warnings.map((warning) => `Warning: ${warning}`),
    '',
    invariantTable(report.invariants),
    '',
    report.violations === 0 ? 'No violations.' : `${report.violations} violations:\n${violationDetails(report.invariants)}`,
    report.problems.length === 0 ? 'RSS held.' : `Problems:\n${report.problems.map((problem) => `  - ${problem}`).join('\n')}`,
    retriesLine(report.retries),
    `Quiescence: ${report.quiescence.settled ? `settled ${formatDuration(report.quiescence.waitedMs)} after the last saga was driven` : `NOT settled: ${report.quiescence.pending}`}`,
    `Logs: ${report.logDir}${report.kept ? ' (database and vhost kept for inspection)' : ''}`,
  ];
  return lines.join('\n');
}
