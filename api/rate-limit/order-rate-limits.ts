import type { MiddlewareHandler } from 'hono';
import type { AppConfig } from '../../config/env';
import type { ApiEnv } from '../hono-env';
import { rateLimit } from './rate-limit';

export interface OrderRateLimits {
  /** POST /orders: each accepted order reserves stock (above the review threshold for up to a day). */
  submit: MiddlewareHandler<ApiEnv>;
  /** GET /orders: each page is a Temporal visibility query. */
  list: MiddlewareHandler<ApiEnv>;
}

/** The order routes' rate limits, from the RATE_LIMIT_* settings; each API instance counts on its own. */
export function orderRateLimits(config: AppConfig): OrderRateLimits {
  const common = { maxKeys: config.RATE_LIMIT_MAX_KEYS, trustedProxyHops: config.TRUST_PROXY_HOPS };
  return {
    submit: rateLimit({
      ...common,
      name: 'submit',
      perCustomer: { perMinute: config.RATE_LIMIT_SUBMIT_CUSTOMER_PER_MINUTE, burst: config.RATE_LIMIT_SUBMIT_CUSTOMER_BURST },
      perAddress: { perMinute: config.RATE_LIMIT_SUBMIT_ADDRESS_PER_MINUTE, burst: config.RATE_LIMIT_SUBMIT_ADDRESS_BURST },
    }),
    list: rateLimit({
      ...common,
      name: 'list',
      perCustomer: { perMinute: config.RATE_LIMIT_LIST_CUSTOMER_PER_MINUTE, burst: config.RATE_LIMIT_LIST_CUSTOMER_BURST },
      perAddress: { perMinute: config.RATE_LIMIT_LIST_ADDRESS_PER_MINUTE, burst: config.RATE_LIMIT_LIST_ADDRESS_BURST },
    }),
  };
}
