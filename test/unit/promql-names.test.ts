import { describe, expect, it } from 'vitest';
import { metricNamesOf } from '../support/promql-names';

describe('the metric names of a PromQL expression', () => {
  it.each([
    ['max without (instance) (outbox_oldest_pending_age_seconds) > 120', ['outbox_oldest_pending_age_seconds']],
    [
      'histogram_quantile(0.95, sum by (le, step) (rate(saga_step_duration_seconds_bucket{kind="action"}[$__rate_interval])))',
      ['saga_step_duration_seconds_bucket'],
    ],
    [
      'consumer_unacknowledged_messages > 0 unless on (consumer) sum by (consumer) (increase(consumer_messages_handled_total[10m])) > 0',
      ['consumer_unacknowledged_messages', 'consumer_messages_handled_total'],
    ],
    ['up{job=~"api|consumers"} == 0', ['up']],
    ['{__name__="process_resident_memory_bytes"}', ['process_resident_memory_bytes']],
    ['sum(rate(http_server_requests_total[5m])) by (route)', ['http_server_requests_total']],
  ])('%s', (expr, names) => {
    expect(metricNamesOf(expr)).toEqual(names);
  });

  it('refuses what is not PromQL', () => {
    expect(() => metricNamesOf('sum(rate(foo[5m])')).toThrow(/not PromQL/);
  });
});
