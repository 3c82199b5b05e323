import { describe, expect, it } from 'vitest';
import { addressKey, clientAddress } from '../../api/rate-limit/client-address';
import { customerKey } from '../../api/rate-limit/rate-limit';
import { TokenBuckets } from '../../api/rate-limit/token-buckets';

/** A clock the test moves by hand. */
function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('TokenBuckets', () => {
  it('allows the burst, then refuses with the seconds until the next token', () => {
    const time = clock();
    const buckets = new TokenBuckets({ perMinute: 6, burst: 3 }, { maxKeys: 100, now: time.now });
    expect([1, 2, 3].map(() => buckets.take('a').allowed)).toEqual([true, true, true]);
    const refused = buckets.take('a');
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 10, resetSeconds: 30 });
    time.advance(9_000);
    expect(buckets.take('a')).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    time.advance(1_000);
    expect(buckets.take('a').allowed).toBe(true);
  });

  it('keeps each key apart', () => {
    const buckets = new TokenBuckets({ perMinute: 1, burst: 1 }, { maxKeys: 100 });
    expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.take('a').allowed).toBe(false);
    expect(buckets.take('b').allowed).toBe(true);
  });

  it('evicts buckets once they have refilled: idle keys cost no memory', () => {
    const time = clock();
    const buckets = new TokenBuckets({ perMinute: 60, burst: 2 }, { maxKeys: 100, now: time.now });
    for (let i = 0; i < 50; i++) {
      buckets.take(`idle-${i}`);
      buckets.take(`idle-${i}`);
    }
    time.advance(1_000);
    buckets.take('busy');
    buckets.take('busy');
    // Half refilled: nothing is full yet, nothing goes.
    expect(buckets.size).toBe(51);
    time.advance(1_000);
    // The next take sweeps (a refill period passed): the idle buckets are full again and dropped; busy is not.
    expect(buckets.take('busy').allowed).toBe(true);
    expect(buckets.size).toBe(1);
    time.advance(2_000);
    expect(buckets.sweep()).toBe(1);
    expect(buckets.size).toBe(0);
  });

  it('never holds more than maxKeys buckets, dropping the least recently used', () => {
    const buckets = new TokenBuckets({ perMinute: 1, burst: 1 }, { maxKeys: 100 });
    buckets.take('kept');
    for (let i = 0; i < 10_000; i++) {
      buckets.take(`sprayed-${i}`);
      if (i % 50 === 0) buckets.take('kept');
    }
    expect(buckets.size).toBe(100);
    // Used recently, so still there and still empty.
    expect(buckets.take('kept').allowed).toBe(false);
  });
});

describe('clientAddress', () => {
  it('is the socket address, and ignores X-Forwarded-For without trusted proxies', () => {
    expect(clientAddress('10.0.0.7', '1.2.3.4', 0)).toBe('10.0.0.7');
    expect(clientAddress(undefined, undefined, 0)).toBe('unknown');
  });

  it('with N trusted proxies, takes the address N entries from the right', () => {
    // A client may put anything on the left; the proxy appends what it saw.
    expect(clientAddress('10.0.0.2', 'spoofed, 203.0.113.9', 1)).toBe('203.0.113.9');
    expect(clientAddress('10.0.0.2', 'spoofed, 203.0.113.9, 10.0.0.1', 2)).toBe('203.0.113.9');
    expect(clientAddress('10.0.0.2', undefined, 1)).toBe('10.0.0.2');
    expect(clientAddress('10.0.0.2', '203.0.113.9', 5)).toBe('203.0.113.9');
  });

  it('keys IPv6 by its /64 and IPv4-mapped addresses as IPv4', () => {
    expect(addressKey('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::7')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });
});

describe('customerKey', () => {
  it('counts customers by their id, and neither admins nor anonymous callers', () => {
    expect(customerKey({ kind: 'customer', customerId: 'auth0|abc' })).toBe('auth0|abc');
    expect(customerKey({ kind: 'admin', subject: 'ops', via: 'admin-token' })).toBeUndefined();
    expect(customerKey(undefined)).toBeUndefined();
  });
});
