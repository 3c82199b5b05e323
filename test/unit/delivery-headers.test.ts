import type { Message, MessageProperties } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { retryDelayMs, retryTiers } from '../../messaging/consumer-topology';
import { attemptOf, deadLetterHeaders, HEADER, numberIn, replayedHeaders, retryHeaders } from '../../messaging/delivery-headers';

const withHeaders = (headers: Record<string, unknown>): Message =>
  ({ content: Buffer.alloc(0), fields: {}, properties: { headers } as unknown as MessageProperties }) as Message;

// What amqplib can decode from a hostile publisher's header table: its keys become own properties.
const HOSTILE_VALUES: unknown[] = [
  { valueOf: 1, toString: 'x' },
  { '!': 'timestamp', value: 5 },
  Buffer.from([1, 2, 3]),
  [2],
  'three',
  '',
  Number.NaN,
  Number.POSITIVE_INFINITY,
  -1,
  2.5,
  null,
  true,
];

describe('delivery headers from a hostile publisher', () => {
  it('reads the attempt as 1 unless it is a whole number from 1, at most the last attempt, and never throws', () => {
    HOSTILE_VALUES.forEach((value, i) => expect(attemptOf(withHeaders({ [HEADER.attempt]: value }), 5), `hostile value #${i}`).toBe(1));
    expect(attemptOf(withHeaders({ [HEADER.attempt]: 3 }), 5)).toBe(3);
    expect(attemptOf(withHeaders({ [HEADER.attempt]: '4' }), 5)).toBe(4);
    // A publisher's own x-attempt can at most make it the last attempt.
    expect(attemptOf(withHeaders({ [HEADER.attempt]: 1e300 }), 5)).toBe(5);
    expect(numberIn({ valueOf: 1, toString: 'x' })).toBeUndefined();
  });

  it('carries only a well-formed replay count onto retries, dead letters and replays', () => {
    for (const value of HOSTILE_VALUES) {
      const message = withHeaders({ [HEADER.replays]: value, [HEADER.replayedAt]: { nested: true }, app: 'kept' });
      const headers = [
        retryHeaders(message, 2, 'boom'),
        deadLetterHeaders(message, { consumer: 'c', reason: 'internal-error', error: 'e', attempts: 1 }),
      ];
      for (const carried of headers) {
        expect(carried.app).toBe('kept');
        expect(carried[HEADER.replayedAt]).toBeUndefined();
        if (carried[HEADER.replays] !== undefined) expect(Number.isFinite(carried[HEADER.replays])).toBe(true);
      }
      expect(replayedHeaders(message)[HEADER.replays]).toBe(typeof value === 'number' && Number.isInteger(value) ? value + 1 : 1);
    }
    expect(retryHeaders(withHeaders({ [HEADER.replays]: 2, [HEADER.replayedAt]: 'then' }), 2, 'boom')).toMatchObject({
      [HEADER.replays]: 2,
      [HEADER.replayedAt]: 'then',
    });
  });
});

describe('retry back-off tiers', () => {
  it('doubles from the base, capped at the max, one tier per distinct delay', () => {
    const policy = { maxAttempts: 5, baseMs: 1000, maxMs: 60_000 };
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, policy))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryTiers(policy)).toEqual([1000, 2000, 4000, 8000]);
    expect(retryTiers({ maxAttempts: 8, baseMs: 150, maxMs: 300 })).toEqual([150, 300]);
    expect(retryTiers({ maxAttempts: 1, baseMs: 150, maxMs: 300 })).toEqual([]);
    expect(retryTiers({ maxAttempts: 3, baseMs: 500, maxMs: 100 })).toEqual([100]);
  });
});
