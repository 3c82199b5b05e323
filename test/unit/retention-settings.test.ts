import { describe, expect, it } from 'vitest';
import { loadConfig, longestRedeliveryMs } from '../../config/env';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('retention settings', () => {
  it('defaults keep the inbox longer than any redelivery can arrive', () => {
    const config = loadConfig({});
    expect(config.INBOX_RETENTION_MS).toBe(30 * DAY_MS);
    expect(config.DLQ_REPLAY_WINDOW_MS).toBe(14 * DAY_MS);
    expect(config.INBOX_RETENTION_MS).toBeGreaterThan(longestRedeliveryMs(config));
    expect(config.ORDER_EVENT_HISTORY_RETENTION_MS).toBe(0);
  });

  it('refuses to start with an inbox horizon inside the longest redelivery: retries plus the DLQ replay window', () => {
    expect(() => loadConfig({ INBOX_RETENTION_MS: String(14 * DAY_MS) })).toThrow(
      /INBOX_RETENTION_MS .* must exceed the longest redelivery/,
    );
    expect(() => loadConfig({ INBOX_RETENTION_MS: String(DAY_MS), DLQ_REPLAY_WINDOW_MS: String(DAY_MS) })).toThrow(/INBOX_RETENTION_MS/);
    // Retries count too: 5 attempts × (60 s back-off + 30 s handler timeout) past a one-day window.
    const justInside = DAY_MS + 5 * 90_000;
    expect(() => loadConfig({ INBOX_RETENTION_MS: String(justInside), DLQ_REPLAY_WINDOW_MS: String(DAY_MS) })).toThrow();
    expect(loadConfig({ INBOX_RETENTION_MS: String(justInside + 1), DLQ_REPLAY_WINDOW_MS: String(DAY_MS) }).INBOX_RETENTION_MS).toBe(
      justInside + 1,
    );
  });
});
