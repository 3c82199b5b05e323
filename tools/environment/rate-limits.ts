import type { AppConfig } from '../../config/env';

type RateLimitSettings = Pick<
  AppConfig,
  | 'RATE_LIMIT_SUBMIT_CUSTOMER_PER_MINUTE'
  | 'RATE_LIMIT_SUBMIT_CUSTOMER_BURST'
  | 'RATE_LIMIT_SUBMIT_ADDRESS_PER_MINUTE'
  | 'RATE_LIMIT_SUBMIT_ADDRESS_BURST'
  | 'RATE_LIMIT_LIST_CUSTOMER_PER_MINUTE'
  | 'RATE_LIMIT_LIST_CUSTOMER_BURST'
  | 'RATE_LIMIT_LIST_ADDRESS_PER_MINUTE'
  | 'RATE_LIMIT_LIST_ADDRESS_BURST'
>;

/**
 * The rate limits the harnesses (chaos run, bench, integration and fast tests) run the API
 * with: one client address sends thousands of orders in minutes (the chaos run's 2,000, the
 * bench's rounds), so the limits stay on, set through the same settings as in production, with
 * room for that load. The tests of the limits themselves set their own.
 */
export const HARNESS_RATE_LIMITS: RateLimitSettings = {
  RATE_LIMIT_SUBMIT_CUSTOMER_PER_MINUTE: 60_000,
  RATE_LIMIT_SUBMIT_CUSTOMER_BURST: 5_000,
  RATE_LIMIT_SUBMIT_ADDRESS_PER_MINUTE: 60_000,
  RATE_LIMIT_SUBMIT_ADDRESS_BURST: 5_000,
  RATE_LIMIT_LIST_CUSTOMER_PER_MINUTE: 60_000,
  RATE_LIMIT_LIST_CUSTOMER_BURST: 5_000,
  RATE_LIMIT_LIST_ADDRESS_PER_MINUTE: 60_000,
  RATE_LIMIT_LIST_ADDRESS_BURST: 5_000,
};

/** The same, as environment variables for an API child process. */
export const harnessRateLimitEnv = (): Record<string, string> =>
  Object.fromEntries(Object.entries(HARNESS_RATE_LIMITS).map(([name, value]) => [name, String(value)]));
