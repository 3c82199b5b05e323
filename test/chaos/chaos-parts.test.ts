import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../tools/chaos/duration';
import { planFaults } from '../../tools/chaos/fault-plan';
import { topicMatches } from '../../tools/chaos/invariants/topic-match';
import { FAULT_KINDS, INFRASTRUCTURE_FAULTS, needsOwnServices } from '../../tools/chaos/fault-kinds';
import { chaosProfile, FULL_FAULTS, parseOptions } from '../../tools/chaos/options';
import { SeededRandom } from '../../tools/chaos/random';
import { rssGrowth, type RssSample } from '../../tools/chaos/rss';
import { buildScenarios, scenarioCounts } from '../../tools/chaos/scenarios';

describe('chaos harness parts', () => {
  it('reads durations and refuses what it cannot read', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    for (const bad of ['', '10', 'ten minutes', '10x', '5m junk']) expect(() => parseDuration(bad)).toThrow(/cannot read the duration/);
    expect(formatDuration(95_000)).toBe('1m35s');
  });

  it('reads the command line: the full profile by default, the CI one, a soak', () => {
    const full = parseOptions(['--seed', '7']);
    expect(full).toMatchObject({ mode: 'chaos', profile: 'full', sagas: 500, seed: 7, faults: FULL_FAULTS });
    expect(parseOptions(['--profile', 'ci', '--sagas', '50', '--concurrency=4'])).toMatchObject({
      profile: 'ci',
      sagas: 50,
      concurrency: 4,
    });
    expect(parseOptions(['--soak', '3m', '--rate', '2'])).toMatchObject({ mode: 'soak', durationMs: 180_000, ratePerSecond: 2 });
    expect(() => parseOptions(['--sagas', '-3'])).toThrow(/positive/);
    expect(() => parseOptions(['--faster'])).toThrow(/unknown flag/);
  });

  it('meant-to-fail sagas are a quarter of a run, with at least one of each kind', () => {
    for (const sagas of [36, 300]) {
      const counts = scenarioCounts(sagas);
      const failing = counts.decline + counts['ship-refused'] + counts['out-of-stock'] + counts['review-reject'] + counts['review-cancel'];
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(sagas);
      expect(Math.abs(failing / sagas - 0.25)).toBeLessThan(0.03);
      expect(Object.values(counts).every((n) => n >= 1)).toBe(true);
    }
    const scenarios = buildScenarios('run', 36, new SeededRandom(1));
    expect(new Set(scenarios.map((s) => s.idempotencyKey)).size).toBe(36);
    expect(buildScenarios('run', 36, new SeededRandom(1))).toEqual(scenarios);
  });

  it('plans every fault between 8 % and 75 % of the run, in order', () => {
    const plan = planFaults(FULL_FAULTS, 300, new SeededRandom(3));
    expect(plan.map((fault) => fault.kind).sort()).toEqual([...FULL_FAULTS].sort());
    expect(plan.every((fault) => fault.afterSubmitted >= 24 && fault.afterSubmitted <= 225)).toBe(true);
    expect(plan.map((fault) => fault.afterSubmitted)).toEqual([...plan.map((fault) => fault.afterSubmitted)].sort((a, b) => a - b));
  });

  it('runs on services of its own exactly when a fault restarts one, in both profiles', () => {
    expect([...INFRASTRUCTURE_FAULTS].sort()).toEqual(['restart-postgres', 'restart-rabbitmq', 'restart-temporal']);
    for (const profile of ['full', 'ci'] as const) {
      const { faults } = chaosProfile(profile, 1);
      expect(new Set(faults)).toEqual(new Set(FAULT_KINDS));
      expect(needsOwnServices(faults)).toBe(true);
    }
    expect(needsOwnServices(['kill-saga-worker', 'broker-drop', 'postgres-kill'])).toBe(false);
  });

  it('matches topics like the broker', () => {
    expect(topicMatches('order.completed', 'order.completed')).toBe(true);
    expect(topicMatches('order.*', 'order.completed')).toBe(true);
    expect(topicMatches('#', 'payment.charged')).toBe(true);
    expect(topicMatches('order.#', 'order')).toBe(true);
    expect(topicMatches('order.*', 'payment.charged')).toBe(false);
  });

  it('compares the peak RSS of the first warm window with the last', () => {
    const samples: RssSample[] = Array.from({ length: 60 }, (_, i) => ({
      process: 'api',
      pid: 1,
      atMs: i * 5000,
      rssKb: 100_000 + (i < 12 ? 50_000 : i * 100),
    }));
    const growth = rssGrowth(samples, 'api', 300_000);
    // Warm-up (the first 60 s) holds the start-up spike and is left out.
    expect(growth.firstPeakKb).toBe(100_000 + 24 * 100);
    expect(growth.lastPeakKb).toBe(100_000 + 59 * 100);
    expect(growth.growth).toBeCloseTo(3500 / 102_400, 5);
    expect(() => rssGrowth(samples, 'saga-worker', 300_000)).toThrow(/no RSS sample of saga-worker/);
  });
});
