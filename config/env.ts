import { z } from 'zod';
import { DEFAULT_REVIEW_THRESHOLD_CENTS, DEFAULT_REVIEW_TIMEOUT_MS } from '../domain/order';

/** Every setting the processes read, from the environment, with the defaults of a local stack. */
const EnvSchema = z.object({
  DATABASE_URL: z.string().default('postgres://root@127.0.0.1:5432/saga'),
  AMQP_URL: z.string().default('amqp://guest:guest@127.0.0.1:5672'),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('orders'),
  TEMPORAL_UI_URL: z.string().default('http://localhost:8233'),
  EVENTS_EXCHANGE: z.string().default('orders.events'),
  REVIEW_THRESHOLD_CENTS: z.coerce.number().int().nonnegative().default(DEFAULT_REVIEW_THRESHOLD_CENTS),
  REVIEW_TIMEOUT_MS: z.coerce.number().int().positive().default(DEFAULT_REVIEW_TIMEOUT_MS),
  RELAY_BATCH_SIZE: z.coerce.number().int().positive().default(1000),
  /** Batches one relay has claimed and not yet marked: more than one keeps the broker busy while the database works. */
  RELAY_BATCHES_IN_FLIGHT: z.coerce.number().int().positive().default(3),
  /** Unconfirmed messages on the relay's channel, over all its batches. */
  RELAY_MAX_IN_FLIGHT: z.coerce.number().int().positive().default(2000),
  RELAY_POLL_INTERVAL_MS: z.coerce.number().int().positive().default(1000),
  RELAY_MAX_ATTEMPTS: z.coerce.number().int().positive().default(10),
  RELAY_BACKOFF_BASE_MS: z.coerce.number().int().positive().default(1000),
  RELAY_BACKOFF_MAX_MS: z.coerce.number().int().positive().default(60_000),
  RELAY_RETENTION_MS: z.coerce
    .number()
    .int()
    .nonnegative()
    .default(24 * 60 * 60 * 1000),
  RELAY_CLEANUP_INTERVAL_MS: z.coerce.number().int().positive().default(60_000),
  RELAY_LEASE_MS: z.coerce.number().int().min(1000).default(30_000),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  API_HOST: z.string().default('127.0.0.1'),
  /** How long /readyz reuses each dependency's probe: frequent polling costs one probe per period. */
  READINESS_CACHE_MS: z.coerce.number().int().nonnegative().default(2000),
  /** Bearer token for admin routes; `npm start` generates one when unset. */
  ADMIN_TOKEN: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(16, 'ADMIN_TOKEN must be at least 16 characters').optional()),
  /** HS256 secret that signs callers' tokens for local use (`npm start` generates one); at least 32 characters. */
  JWT_SECRET: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(32, 'JWT_SECRET must be at least 32 characters').optional()),
  /** Your identity provider's JSON Web Key Set (RS256/ES256 tokens), for production; may be set beside JWT_SECRET. */
  JWT_JWKS_URL: z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional()),
  /** The `iss` every token must carry. */
  JWT_ISSUER: z.string().min(1).default('saga-orchestrator-local'),
  /** The `aud` every token must carry (or include). */
  JWT_AUDIENCE: z.string().min(1).default('saga-orchestrator-api'),
  /** Leeway for `exp`, `nbf` and `iat` between clocks that disagree; bounded so an expired token stays expired. */
  JWT_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  /** How long the JWKS is kept before it is fetched again (an unknown key id refetches sooner). */
  JWT_JWKS_CACHE_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 60 * 1000),
  /** A token naming a key id the cached JWKS lacks (the provider rotated) refetches it at most this often. */
  JWT_JWKS_MIN_REFRESH_MS: z.coerce.number().int().min(0).default(30_000),
  /** Deliveries of one message before it is parked in its consumer's DLQ. */
  CONSUMER_MAX_ATTEMPTS: z.coerce.number().int().positive().default(5),
  /** Retry delay tiers: base, 2·base, 4·base … up to max (one TTL queue per tier). */
  CONSUMER_RETRY_BASE_MS: z.coerce.number().int().positive().default(1000),
  CONSUMER_RETRY_MAX_MS: z.coerce.number().int().positive().default(60_000),
  /** A delivery with a larger body is parked in the DLQ (too-large) without being read. */
  CONSUMER_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  /** Deeper nesting of objects and arrays in a body is parked (too-deep) before it is parsed. */
  CONSUMER_MAX_JSON_DEPTH: z.coerce.number().int().min(2).default(32),
  /** A handler call that takes longer counts as a failed attempt: retried with back-off, then parked. */
  CONSUMER_HANDLER_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** How long SIGTERM waits for in-flight messages before closing anyway. */
  CONSUMER_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** Fallback poll of the stop/start state, in case a NOTIFY was missed. */
  CONSUMER_CONTROL_POLL_MS: z.coerce.number().int().positive().default(5000),
  /** Prepended to every consumer queue name: lets several copies of the system share one broker. */
  CONSUMER_QUEUE_PREFIX: z.string().default(''),
  /**
   * A workflow bundle built ahead of time (bundleWorkflowCode): the saga worker loads it instead
   * of bundling the workflows at every start, which takes seconds of CPU.
   */
  WORKFLOW_BUNDLE_PATH: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
  /**
   * Fault injection for the chaos run (scripts/chaos): the saga worker then crashes itself, once
   * per SIGUSR2, right after an activity committed and before Temporal hears of it. Off unless "1".
   */
  CHAOS_FAULTS: z
    .enum(['0', '1'])
    .default('0')
    .transform((value) => value === '1'),
  /** A step (forward or compensation) failing and retrying for longer than this is reported as stuck. */
  STEP_STUCK_AFTER_MS: z.coerce.number().int().positive().default(60_000),
  /**
   * How long the API waits for a saga to take a cancel or a review decision. A saga inside a step
   * takes requests only between attempts, so a step that keeps failing can hold one back: the API
   * then answers 202 (pending) instead of waiting.
   */
  SAGA_ANSWER_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

export type AppConfig = z.infer<typeof EnvSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return parsed.data;
}
