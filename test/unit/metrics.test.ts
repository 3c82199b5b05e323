import { describe, expect, it } from 'vitest';
import { loadConfig, metricsPortOf } from '../../config/env';
import { cachedReading } from '../../telemetry/cached-reading';
import { metricsRegistry } from '../../telemetry/metrics-registry';
import { outcomeLabel, stepKind } from '../../telemetry/metrics-saga';
import { fakeApi } from '../support/fake-api';
import { parsePrometheusText, Scrape } from '../support/prometheus-text';

// The pure parts of the metrics (telemetry/), and the API's /metrics and request metrics through
// app.request(). test/processes/metrics.test.ts scrapes the real processes. Raw requests here: /metrics is no
// OpenAPI operation, and unmatched paths and a malformed id are the subject.

describe('the Prometheus text parser (test/support/prometheus-text.ts)', () => {
  it('reads names, labels (escapes included) and values, and skips comments', () => {
    const samples = parsePrometheusText(
      ['# HELP a_total An a', '# TYPE a_total counter', 'a_total{x="1",y="q\\"uote"} 3', 'b 2.5', 'c{le="+Inf"} 7 1700000000000', ''].join(
        '\n',
      ),
    );
    expect(samples).toEqual([
      { name: 'a_total', labels: { x: '1', y: 'q"uote' }, value: 3 },
      { name: 'b', labels: {}, value: 2.5 },
      { name: 'c', labels: { le: '+Inf' }, value: 7 },
    ]);
  });
});

describe('labels and settings', () => {
  it('outcome is the terminal status in lower case; markOrderOutcome and the undo steps are compensations', () => {
    expect(outcomeLabel('NEEDS_ATTENTION')).toBe('needs_attention');
    expect(stepKind('chargePayment')).toBe('action');
    expect(stepKind('refundPayment')).toBe('compensation');
    expect(stepKind('markOrderOutcome')).toBe('compensation');
  });

  it('each process has its own default metrics port; METRICS_PORT overrides it, 0 included', () => {
    expect(['saga-worker', 'outbox-relay', 'consumers'].map((name) => metricsPortOf(loadConfig({}), name as 'consumers'))).toEqual([
      9464, 9465, 9466,
    ]);
    expect(metricsPortOf(loadConfig({ METRICS_PORT: '0' }), 'consumers')).toBe(0);
    expect(loadConfig({}).SAGA_STALL_AFTER_SECONDS).toBe(300);
    expect(loadConfig({}).DLQ_ACTION_UNFINISHED_AFTER_SECONDS).toBe(900);
  });
});

describe('cachedReading: shared-state gauges read at most once per period and never throw', () => {
  it('reuses a reading within the period, counts a failure and answers the last good value', async () => {
    let calls = 0;
    let fail = false;
    const read = cachedReading(
      'unit_test_reading',
      async () => {
        calls += 1;
        if (fail) throw new Error('down');
        return calls;
      },
      50,
    );
    expect(await Promise.all([read(), read()])).toEqual([1, 1]);
    expect(await read()).toBe(1);
    expect(calls).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 60));
    fail = true;
    const failuresBefore = Scrape.parse(await metricsRegistry.metrics()).value('metrics_read_failures_total', {
      reading: 'unit_test_reading',
    });
    expect(await read()).toBe(1);
    expect(calls).toBe(2);
    const failuresAfter = Scrape.parse(await metricsRegistry.metrics()).value('metrics_read_failures_total', {
      reading: 'unit_test_reading',
    });
    expect(failuresAfter - failuresBefore).toBe(1);
  });
});

describe('the API: GET /metrics and request metrics', () => {
  it('GET /metrics is for admins only, and not an OpenAPI operation', async () => {
    const api = fakeApi();
    expect((await api.rawRequest('/metrics', { as: 'anonymous' })).status).toBe(401);
    expect((await api.rawRequest('/metrics', { as: { customer: 'c-1' } })).status).toBe(403);
    const response = await api.rawRequest('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const document = (await (await api.rawRequest('/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).not.toContain('/metrics');
  });

  it('counts requests by the matched route pattern, never the raw path; an unknown path is `unmatched`', async () => {
    const api = fakeApi();
    const scrape = async () => Scrape.parse(await (await api.rawRequest('/metrics')).text());
    const before = await scrape();
    const id = '3f1c1f5e-8a7b-4d0e-9a57-0c8d1c7d2a11';
    await api.client({ customer: 'c-1' }).GET('/orders/{id}', { params: { path: { id } } });
    await api.rawRequest('/orders/not-a-uuid', { as: { customer: 'c-1' } });
    await api.rawRequest(`/no/such/${id}`);
    const after = await scrape();
    const routes = after.samples.filter((sample) => sample.name === 'http_server_requests_total').map((sample) => sample.labels.route);
    expect(routes.some((route) => route?.includes(id))).toBe(false);
    const count = (labels: Record<string, string>) =>
      after.value('http_server_requests_total', labels) - before.value('http_server_requests_total', labels);
    expect(count({ method: 'GET', route: '/orders/:id' })).toBe(2);
    expect(count({ method: 'GET', route: '/orders/:id', status_code: '400' })).toBe(1);
    expect(count({ method: 'GET', route: 'unmatched', status_code: '404' })).toBe(1);
    expect(
      after.value('http_server_request_duration_seconds_count', { method: 'GET', route: '/orders/:id' }) -
        before.value('http_server_request_duration_seconds_count', { method: 'GET', route: '/orders/:id' }),
    ).toBe(2);
    expect(after.has('process_cpu_user_seconds_total')).toBe(true);
  });
});
