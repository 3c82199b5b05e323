import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import type { Caller } from '../auth/caller';
import { ApiError } from '../errors';
import type { ApiEnv } from '../hono-env';
import { clientAddress } from './client-address';
import { TokenBuckets, type BucketPolicy, type TakeResult } from './token-buckets';

export interface RateLimitOptions {
  /** Names the limit in the RateLimit headers and the error, e.g. `submit`. */
  name: string;
  /** Per customer; admins are not counted here. 0 a minute: off. */
  perCustomer: BucketPolicy;
  /** Per client address, whoever the caller. 0 a minute: off. */
  perAddress: BucketPolicy;
  maxKeys: number;
  trustedProxyHops: number;
  now?: () => number;
}

/** The customer a request counts against, if any: admins and anonymous callers have none. */
export const customerKey = (caller: Caller | undefined): string | undefined =>
  caller?.kind === 'customer' ? caller.customerId : undefined;

interface Limit {
  policyName: string;
  buckets: TokenBuckets;
  keyOf(c: Context<ApiEnv>): string | undefined;
}

/**
 * Token-bucket rate limit for one route, per customer and per client address, in this
 * process's memory (with N API instances a client gets N times the limit). Must run after
 * authentication, which sets `caller`. Every answer carries the IETF draft RateLimit-Policy and
 * RateLimit headers; a refusal is a 429 with Retry-After, in seconds, and takes no token from
 * the limits checked after the one that refused.
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<ApiEnv> {
  const bucketsFor = (policy: BucketPolicy) =>
    policy.perMinute > 0 ? new TokenBuckets(policy, { maxKeys: options.maxKeys, now: options.now }) : undefined;
  const limits: Limit[] = [];
  const byAddress = bucketsFor(options.perAddress);
  if (byAddress) {
    limits.push({
      policyName: `${options.name}-address`,
      buckets: byAddress,
      keyOf: (c) => clientAddress(socketAddress(c), c.req.header('x-forwarded-for'), options.trustedProxyHops),
    });
  }
  const byCustomer = bucketsFor(options.perCustomer);
  if (byCustomer) limits.push({ policyName: `${options.name}-customer`, buckets: byCustomer, keyOf: (c) => customerKey(c.get('caller')) });

  return async (c, next) => {
    const policies: string[] = [];
    const states: string[] = [];
    for (const limit of limits) {
      const key = limit.keyOf(c);
      if (key === undefined) continue;
      const result = limit.buckets.take(key);
      const { perMinute, burst } = limit.buckets.policy;
      policies.push(`"${limit.policyName}";q=${perMinute};w=60;burst=${burst}`);
      states.push(`"${limit.policyName}";r=${result.remaining};t=${result.resetSeconds}`);
      if (!result.allowed) {
        setHeaders(c, policies, states);
        c.header('Retry-After', String(result.retryAfterSeconds));
        throw refusal(options.name, limit.policyName, result);
      }
    }
    await next();
    if (policies.length > 0) setHeaders(c, policies, states);
  };
}

function setHeaders(c: Context<ApiEnv>, policies: string[], states: string[]): void {
  c.header('RateLimit-Policy', policies.join(', '));
  c.header('RateLimit', states.join(', '));
}

function refusal(name: string, policyName: string, result: TakeResult): ApiError {
  const by = policyName.endsWith('-customer') ? 'customer' : 'client address';
  return new ApiError(429, 'rate_limited', `too many ${name} requests from this ${by}; retry after ${result.retryAfterSeconds} s`);
}

/** The TCP peer, when @hono/node-server serves the app (app.request in the fast tests has none). */
function socketAddress(c: Context<ApiEnv>): string | undefined {
  const env = c.env as { incoming?: unknown; server?: unknown } | undefined;
  if (!env?.incoming && !env?.server) return undefined;
  return getConnInfo(c).remote.address;
}
