/** A token bucket's shape: `perMinute` tokens a minute refill it, up to `burst`. */
export interface BucketPolicy {
  perMinute: number;
  burst: number;
}

export interface TakeResult {
  allowed: boolean;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Seconds until the next token, when refused (0 when allowed). */
  retryAfterSeconds: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export interface TokenBucketOptions {
  /** Buckets kept at most; past it the least recently used is dropped. */
  maxKeys: number;
  now?: () => number;
}

/**
 * Token buckets by key, in this process's memory, with bounded memory: a bucket that has refilled
 * to full is indistinguishable from a new one, so it is dropped (swept at most once per refill
 * period, during `take`, without a timer); and past `maxKeys` the least recently used bucket goes
 * first. Dropping one can only let its key through sooner, never later.
 */
export class TokenBuckets {
  // A Map iterates in insertion order: re-inserting on each use keeps the least recently used first.
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly tokensPerMs: number;
  private readonly fullAfterMs: number;
  private lastSweep: number;

  constructor(
    readonly policy: BucketPolicy,
    private readonly options: TokenBucketOptions,
  ) {
    if (policy.perMinute <= 0 || policy.burst <= 0) throw new Error('a token bucket needs a positive rate and burst');
    this.now = options.now ?? Date.now;
    this.tokensPerMs = policy.perMinute / 60_000;
    this.fullAfterMs = policy.burst / this.tokensPerMs;
    this.lastSweep = this.now();
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Takes one token for `key` if there is one. */
  take(key: string): TakeResult {
    const now = this.now();
    if (now - this.lastSweep >= this.fullAfterMs) this.sweep(now);
    const bucket = this.buckets.get(key) ?? { tokens: this.policy.burst, updatedAt: now };
    bucket.tokens = Math.min(this.policy.burst, bucket.tokens + (now - bucket.updatedAt) * this.tokensPerMs);
    bucket.updatedAt = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.options.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
    const seconds = (tokens: number) => Math.max(0, Math.ceil(tokens / this.tokensPerMs / 1000));
    return {
      allowed,
      remaining: Math.floor(bucket.tokens),
      retryAfterSeconds: allowed ? 0 : Math.max(1, seconds(1 - bucket.tokens)),
      resetSeconds: seconds(this.policy.burst - bucket.tokens),
    };
  }

  /** Drops every bucket that has refilled to full by `now`; returns how many. */
  sweep(now = this.now()): number {
    this.lastSweep = now;
    let dropped = 0;
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.updatedAt) * this.tokensPerMs >= this.policy.burst) {
        this.buckets.delete(key);
        dropped += 1;
      }
    }
    return dropped;
  }
}
