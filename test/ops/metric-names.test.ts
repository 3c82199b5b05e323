import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, CONSUMERS, RELAY, SAGA_WORKER } from '../../tools/environment/app-entries';
import { REPO_ROOT } from '../../tools/environment/child-process';
import { spawnWithMetrics, type ProcessWithMetrics } from '../support/metrics-processes';
import { exportedNames } from '../support/prometheus-text';
import { alertRules } from '../support/prometheus';
import { metricNamesOf } from '../support/promql-names';
import { deleteShippedQueues } from '../support/shipped-queues';
import { appProcessEnv, startTestStack, type TestStack } from '../support/test-stack';

/**
 * Every query of the Grafana dashboard and every alert rule names only metrics the app's
 * processes really export: the names come from scraping a real saga worker, relay, consumers
 * process and API (each process's `# TYPE` lines too, so a labelled metric nothing touched yet
 * counts), not from a list kept by hand.
 */
// The metrics contract (docs/observability.md "## Metrics"): the dashboard shows each of them.
const CONTRACT = [
  'http_server_requests_total',
  'http_server_request_duration_seconds',
  'saga_outcomes_total',
  'saga_step_duration_seconds',
  'saga_step_retries_total',
  'outbox_events_published_total',
  'outbox_publish_failures_total',
  'outbox_relay_batch_duration_seconds',
  'consumer_messages_handled_total',
  'consumer_messages_retried_total',
  'consumer_messages_dead_lettered_total',
  'consumer_duplicates_absorbed_total',
  'consumer_handler_duration_seconds',
  'consumer_unacknowledged_messages',
  'outbox_pending_events',
  'outbox_oldest_pending_age_seconds',
  'outbox_dead_events',
  'consumer_queue_messages',
  'consumer_dead_letter_messages',
  'saga_needs_attention_sagas',
  'saga_stalled_sagas',
];
// Prometheus's own per-target series.
const SYNTHETIC = ['up'];

interface Panel {
  title: string;
  type: string;
  targets?: { expr: string }[];
}
const dashboard = JSON.parse(readFileSync(join(REPO_ROOT, 'docker/grafana/dashboards/saga-orchestrator.json'), 'utf8')) as {
  panels: Panel[];
};
const queries = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ where: panel.title, expr: target.expr })));
const ruleQueries = alertRules().map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr }));

let stack: TestStack;
let prefix: string;
const processes: ProcessWithMetrics[] = [];
const exported = new Map<string, Set<string>>();
beforeAll(async () => {
  stack = await startTestStack({ worker: false, relay: false, probePattern: 'no.events.wanted' });
  prefix = `${stack.exchange}.`;
  const env = appProcessEnv(stack, { CONSUMER_QUEUE_PREFIX: prefix });
  for (const name of [SAGA_WORKER, RELAY, CONSUMERS, API]) processes.push(await spawnWithMetrics(name, env));
  for (const app of processes) exported.set(app.name, exportedNames(await app.scrape()));
});
afterAll(async () => {
  for (const app of processes) await app.stop();
  if (stack) await deleteShippedQueues(stack, prefix);
  await stack?.close();
});

describe('metric names in the dashboard and the alert rules', () => {
  it('every query names only metrics the processes export', () => {
    const all = new Set([...SYNTHETIC, ...[...exported.values()].flatMap((names) => [...names])]);
    const unknown = [...queries, ...ruleQueries].flatMap(({ where, expr }) =>
      metricNamesOf(expr)
        .filter((name) => !all.has(name))
        .map((name) => `${where}: ${name}`),
    );
    expect(unknown).toEqual([]);
    expect(queries.length).toBeGreaterThan(20);
  });

  it('the dashboard shows every metric of the contract and the Temporal SDK’s own', () => {
    const shown = new Set(queries.flatMap(({ expr }) => metricNamesOf(expr)).map((name) => name.replace(/_(bucket|sum|count)$/, '')));
    expect(CONTRACT.filter((name) => !shown.has(name))).toEqual([]);
    expect([...shown].filter((name) => name.startsWith('temporal_')).length).toBeGreaterThan(0);
  });

  it('each process exports its part of the contract (the saga worker with the Temporal SDK’s metrics merged in)', () => {
    const has = (name: string, metric: string) => exported.get(name)?.has(metric) ?? false;
    expect(has(SAGA_WORKER, 'saga_stalled_sagas') && has(SAGA_WORKER, 'saga_outcomes_total')).toBe(true);
    expect([...exported.get(SAGA_WORKER)!].some((metric) => metric.startsWith('temporal_'))).toBe(true);
    expect(has(RELAY, 'outbox_oldest_pending_age_seconds') && has(RELAY, 'outbox_events_published_total')).toBe(true);
    expect(has(CONSUMERS, 'consumer_dead_letter_messages') && has(CONSUMERS, 'consumer_unacknowledged_messages')).toBe(true);
    expect(has(API, 'http_server_requests_total') && has(API, 'dead_letter_actions_unfinished')).toBe(true);
  });
});
