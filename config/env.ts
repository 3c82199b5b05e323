import { z } from 'zod';
import { DEFAULT_REVIEW_THRESHOLD_CENTS, DEFAULT_REVIEW_TIMEOUT_MS } from '../domain/order';

const nonNegativeInt = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const DAY_MS = 24 * 60 * 60 * 1000;
const optionalString = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());

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
  /**
   * Data lifecycle (docs/operations.md#data-lifecycle), applied by the relay every
   * RELAY_CLEANUP_INTERVAL_MS. A handled message's inbox row is kept this long: a redelivery inside
   * it is absorbed, one after it handled again. Must exceed the longest redelivery (checked below).
   */
  INBOX_RETENTION_MS: positiveInt(30 * DAY_MS),
  /** An Idempotency-Key is kept this long; a repeat after it starts a new order. */
  IDEMPOTENCY_KEY_RETENTION_MS: positiveInt(7 * DAY_MS),
  /** An order's published events, moved from the outbox to order_event_history, are kept this long; 0 keeps them for good. */
  ORDER_EVENT_HISTORY_RETENTION_MS: nonNegativeInt(0),
  /** Dead letters parked longer than this ago are not replayed (only discarded): the inbox must still know them. */
  DLQ_REPLAY_WINDOW_MS: positiveInt(14 * DAY_MS),
  /**
   * Dead letters one replay or discard request scans at most: each is held unacknowledged until the
   * request ends, on the broker and in the API. A longer DLQ takes more requests (`complete: false`).
   */
  DLQ_SWEEP_MAX_SCAN: positiveInt(10_000),
  /**
   * A replay or discard still `running` this long after it started counts in the API's
   * dead_letter_actions_unfinished: its process died during the sweep (or could not record its
   * end). Far above the longest sweep of DLQ_SWEEP_MAX_SCAN dead letters: one still at work never counts.
   */
  DLQ_ACTION_UNFINISHED_AFTER_SECONDS: positiveInt(15 * 60),
  RELAY_LEASE_MS: z.coerce.number().int().min(1000).default(30_000),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  API_HOST: z.string().default('127.0.0.1'),
  /** How long /readyz reuses each dependency's probe: frequent polling costs one probe per period. */
  READINESS_CACHE_MS: z.coerce.number().int().nonnegative().default(2000),
  /**
   * Bearer token for admin routes. When unset, `npm start` and the API read it from
   * ADMIN_TOKEN_FILE, or generate one and write it there (mode 0600): never to a log.
   */
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
  /** Where a generated admin token is kept (relative to the working directory), so an operator can read it. */
  ADMIN_TOKEN_FILE: z.string().min(1).default('.local/admin-token'),
  /**
   * Token buckets per API instance (N instances allow N times these): requests a minute refill
   * the bucket, the burst is its size; 0 turns that one limit off. Submission (POST /orders) per
   * customer and per client address, listing (GET /orders) the same.
   */
  RATE_LIMIT_SUBMIT_CUSTOMER_PER_MINUTE: nonNegativeInt(30),
  RATE_LIMIT_SUBMIT_CUSTOMER_BURST: positiveInt(10),
  RATE_LIMIT_SUBMIT_ADDRESS_PER_MINUTE: nonNegativeInt(60),
  RATE_LIMIT_SUBMIT_ADDRESS_BURST: positiveInt(20),
  RATE_LIMIT_LIST_CUSTOMER_PER_MINUTE: nonNegativeInt(60),
  RATE_LIMIT_LIST_CUSTOMER_BURST: positiveInt(20),
  RATE_LIMIT_LIST_ADDRESS_PER_MINUTE: nonNegativeInt(120),
  RATE_LIMIT_LIST_ADDRESS_BURST: positiveInt(40),
  /** Buckets one limit keeps at most; past it the least recently used go first, so spraying addresses cannot grow memory. */
  RATE_LIMIT_MAX_KEYS: z.coerce.number().int().min(1).default(10_000),
  /**
   * Reverse proxies in front of the API that append to X-Forwarded-For. 0 (the default): the
   * client address is the socket's, and X-Forwarded-For is ignored, since any client can send
   * one. N: the address N entries from the right of socket + X-Forwarded-For, the one the
   * outermost trusted proxy saw.
   */
  TRUST_PROXY_HOPS: z.coerce.number().int().nonnegative().default(0),
  /** Slow clients: the request line and headers must arrive within this … */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** … and the whole request, body included, within this (a response may take longer: event streams do). */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** An idle keep-alive connection is closed after this. */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  /** Event streams (GET /orders/{id}/events as text/event-stream) one customer (or one admin subject) may hold open at once in one API process; more is a 429. */
  EVENT_STREAMS_PER_CUSTOMER: z.coerce.number().int().positive().default(5),
  /** Event streams one API process holds open at once, over all callers; more is a 503. */
  EVENT_STREAMS_MAX: z.coerce.number().int().positive().default(500),
  /** A stream ends after this long with a `reconnect` event; the client resumes with Last-Event-ID. */
  EVENT_STREAM_MAX_LIFETIME_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(15 * 60 * 1000),
  /**
   * An SSE comment on a quiet stream this often, and the period of the hub's check of its LISTEN
   * connection. Bounded below the 60 s idle timeouts of common proxies and load balancers, and it
   * must stay below any idle-socket timeout of the API's own HTTP server.
   */
  EVENT_STREAM_HEARTBEAT_MS: z.coerce.number().int().min(100).max(30_000).default(15_000),
  /** The `retry:` a client is told when its stream ends, and the Retry-After (rounded up to seconds) of a refused stream. */
  EVENT_STREAM_RETRY_MS: z.coerce.number().int().positive().default(3000),
  /** How long a stream ticket (POST /orders/{id}/events/ticket) may be redeemed; it works once. */
  EVENT_STREAM_TICKET_TTL_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .max(10 * 60 * 1000)
    .default(60_000),
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
  /**
   * The metrics port (GET /metrics, Prometheus text) of the saga worker, relay or consumers process.
   * Unset: each process's own default (metricsPortOf); 0 picks a free port, logged in the
   * "metrics listening" line (field metricsPort). The API serves GET /metrics on API_PORT instead.
   */
  METRICS_PORT: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).max(65535).optional()),
  /** Where the metrics ports listen: 127.0.0.1 keeps them local; 0.0.0.0 for a Prometheus in another container. */
  METRICS_HOST: z.string().default('127.0.0.1'),
  /** An order not finished, not awaiting review, with no progress for longer than this counts in saga_stalled_sagas. */
  SAGA_STALL_AFTER_SECONDS: positiveInt(300),
  /**
   * Least privilege (docs/operations.md "## Least privilege"): with "1", `npm run stack:up`
   * creates each app process's own PostgreSQL login and RabbitMQ user, and `npm start` runs each
   * process as its own. Off unless "1".
   */
  LEAST_PRIVILEGE: z
    .enum(['0', '1'])
    .default('0')
    .transform((value) => value === '1'),
  /**
   * "0": the relay and the consumers only check that the events exchange and their queues exist
   * (passive declares) instead of declaring them, so their broker users need no configure
   * permission; the topology's owner declares them first (scripts/least-privilege.ts). Compose
   * and `npm start` with LEAST_PRIVILEGE=1 set it.
   */
  DECLARE_TOPOLOGY: z
    .enum(['0', '1'])
    .default('1')
    .transform((value) => value === '1'),
  /** One process's own URLs, for `npm start` (each process itself reads DATABASE_URL and AMQP_URL). */
  SAGA_WORKER_DATABASE_URL: optionalString,
  OUTBOX_RELAY_DATABASE_URL: optionalString,
  OUTBOX_RELAY_AMQP_URL: optionalString,
  CONSUMERS_DATABASE_URL: optionalString,
  CONSUMERS_AMQP_URL: optionalString,
  API_DATABASE_URL: optionalString,
  API_AMQP_URL: optionalString,
  /** Passwords `scripts/least-privilege.ts` gives the PostgreSQL logins (compose); unset: none (trust authentication). */
  SAGA_WORKER_DB_PASSWORD: optionalString,
  OUTBOX_RELAY_DB_PASSWORD: optionalString,
  CONSUMERS_DB_PASSWORD: optionalString,
  API_DB_PASSWORD: optionalString,
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /**
   * Tracing is off unless one of these is set (docs/observability.md#traces). The OpenTelemetry SDK
   * reads them, and the other OTEL_* variables (protocol, service name, sampler), itself.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional()),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional()),
});

export type AppConfig = z.infer<typeof EnvSchema>;

/** Every setting's name, for checks that a deployment (docker-compose.yml) sets only real ones. */
export const ENV_NAMES: readonly string[] = Object.keys(EnvSchema.shape);

/** Each process's metrics port when METRICS_PORT is unset: one port per process, so they run side by side. */
export const DEFAULT_METRICS_PORTS = { 'saga-worker': 9464, 'outbox-relay': 9465, consumers: 9466 } as const;

export const metricsPortOf = (config: AppConfig, process: keyof typeof DEFAULT_METRICS_PORTS): number =>
  config.METRICS_PORT ?? DEFAULT_METRICS_PORTS[process];

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  if (parsed.data.HTTP_HEADERS_TIMEOUT_MS > parsed.data.HTTP_REQUEST_TIMEOUT_MS) {
    // Node's HTTP server refuses to start with these the other way round.
    throw new Error('Invalid configuration: HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS');
  }
  const longestRedelivery = longestRedeliveryMs(parsed.data);
  if (parsed.data.INBOX_RETENTION_MS <= longestRedelivery) {
    // Past the inbox's horizon a redelivered message is handled again: every redelivery must land inside it.
    throw new Error(
      `Invalid configuration: INBOX_RETENTION_MS (${parsed.data.INBOX_RETENTION_MS}) must exceed the longest redelivery, ` +
        `DLQ_REPLAY_WINDOW_MS + CONSUMER_MAX_ATTEMPTS × (CONSUMER_RETRY_MAX_MS + CONSUMER_HANDLER_TIMEOUT_MS) = ${longestRedelivery}`,
    );
  }
  return parsed.data;
}

/**
 * The longest a message can come back after a consumer first handled (or tried) it: every retry
 * at the longest back-off after a handler that ran to its timeout, then a DLQ replay at the end of
 * its window.
 */
export const longestRedeliveryMs = (
  config: Pick<AppConfig, 'DLQ_REPLAY_WINDOW_MS' | 'CONSUMER_MAX_ATTEMPTS' | 'CONSUMER_RETRY_MAX_MS' | 'CONSUMER_HANDLER_TIMEOUT_MS'>,
): number =>
  config.DLQ_REPLAY_WINDOW_MS + config.CONSUMER_MAX_ATTEMPTS * (config.CONSUMER_RETRY_MAX_MS + config.CONSUMER_HANDLER_TIMEOUT_MS);
