import { describe, expect, it } from 'vitest';
import { isStaleRunName, newRunId, runStartedAt, STALE_AFTER_MS } from '../../tools/environment/run-identity';

describe('run identity', () => {
  it('a run id starts with its start time, which a name built on it gives back', () => {
    const before = Date.now();
    const id = newRunId();
    expect(id).toMatch(/^[0-9a-z]{8}[0-9a-f]{6}$/);
    for (const [name, prefix] of [
      [`saga_test_${id}`, 'saga_test_'],
      [`saga_test_${id}_0a1b2c3d`, 'saga_test_'],
      [`bench_${id}`, 'bench_'],
      [`saga_chaos_${id}`, 'saga_chaos_'],
      [`chaos-${id}`, 'chaos-'],
    ] as const) {
      const startedAt = runStartedAt(name, prefix);
      expect(startedAt, name).toBeGreaterThanOrEqual(before);
      expect(startedAt, name).toBeLessThanOrEqual(Date.now());
    }
  });

  it('names that are not a run of that prefix have no start time, so no sweep ever drops them', () => {
    const id = newRunId();
    for (const [name, prefix] of [
      ['bench_results', 'bench_'],
      ['saga', 'saga_test_'],
      [`saga_chaos_${id}`, 'saga_test_'],
      [`bench_${id}x`, 'bench_'],
      [`bench_${id.slice(0, 10)}`, 'bench_'],
      [`saga_test_${id}-copy`, 'saga_test_'],
    ] as const) {
      expect(runStartedAt(name, prefix), name).toBeUndefined();
      expect(isStaleRunName(name, prefix, Date.now() + 10 * STALE_AFTER_MS), name).toBe(false);
    }
  });

  it('a run is stale once it started more than six hours ago', () => {
    const startedAt = Date.UTC(2026, 0, 1);
    const name = `bench_${startedAt.toString(36)}abcdef`;
    expect(isStaleRunName(name, 'bench_', startedAt + STALE_AFTER_MS)).toBe(false);
    expect(isStaleRunName(name, 'bench_', startedAt + STALE_AFTER_MS + 1)).toBe(true);
    expect(STALE_AFTER_MS).toBe(6 * 60 * 60 * 1000);
  });
});
