import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffMs } from '../../outbox/backoff';

describe('backoffMs', () => {
  it('starts at the base, doubles per attempt and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((attempt) => backoffMs(attempt, 1000, 60_000))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 60_000,
    ]);
  });

  it('treats attempt 0 or less as the first', () => {
    expect(backoffMs(0, 250, 10_000)).toBe(250);
    expect(backoffMs(-3, 250, 10_000)).toBe(250);
  });

  it('never decreases with the attempt and never exceeds the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        (attempt, base, max) => {
          const delay = backoffMs(attempt, base, max);
          expect(delay).toBeLessThanOrEqual(max);
          expect(backoffMs(attempt + 1, base, max)).toBeGreaterThanOrEqual(delay);
        },
      ),
    );
  });
});
