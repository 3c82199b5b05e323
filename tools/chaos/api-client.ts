import { setTimeout as sleep } from 'node:timers/promises';
import { mintToken } from '../../api/auth/mint-token';
import { spreadOverApis } from '../../api/client/spread-over-apis';
import type { AppConfig } from '../../config/env';
import type { OrderSagaState } from '../../domain/order';
import type { ConsumerStatus } from '../../messaging/consumer-control';
import type { ReviewDecision, Scenario } from './scenarios';

export interface ApiCallStats {
  /** Requests sent again after a network error or a 5xx. */
  retries: number;
  /** POST /orders answered 200: a repeat the Idempotency-Key recognised. */
  repeatedSubmissions: number;
  /** Answers received from each API instance, by its base URL. */
  servedBy: Record<string, number>;
}

export class ApiCallError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly body: string,
  ) {
    super(message);
  }
}

const RETRY_FOR_MS = 120_000;

/** Customer tokens outlive any chaos run. */
const CUSTOMER_TOKEN_TTL_SECONDS = 12 * 3600;

/**
 * The harness's HTTP client, spread over every API instance (api/client/spread-over-apis.ts: round
 * robin, a refused or reset connection goes on to the next instance). A request that still fails
 * in transit or with a 5xx is sent again, the same way, for up to two minutes: the Idempotency-Key
 * on every POST /orders makes that safe.
 * It acts as each scenario's customer (a token for its customer id, signed with the run's
 * JWT_SECRET), and as the operator (the ADMIN_TOKEN) only for admin operations: reviews and consumers.
 */
export class ChaosApiClient {
  readonly stats: ApiCallStats;
  /** Each order's customer, from its submission, so reads and cancels go as that customer. */
  private readonly customerOf = new Map<string, string>();
  private readonly tokens = new Map<string, Promise<string>>();

  private readonly fetch: typeof fetch;

  constructor(
    baseUrls: readonly string[],
    private readonly adminToken: string,
    private readonly signing: Pick<AppConfig, 'JWT_SECRET' | 'JWT_ISSUER' | 'JWT_AUDIENCE'>,
  ) {
    this.fetch = spreadOverApis(baseUrls);
    this.stats = { retries: 0, repeatedSubmissions: 0, servedBy: Object.fromEntries(baseUrls.map((url) => [url, 0])) };
  }

  async submit(scenario: Scenario): Promise<string> {
    const customerId = scenario.body.customerId;
    const { status, body } = await this.send('POST', '/orders', {
      body: scenario.body,
      headers: { 'idempotency-key': scenario.idempotencyKey },
      as: customerId,
      what: `submit saga #${scenario.index} (${scenario.kind}, key ${scenario.idempotencyKey})`,
    });
    if (status === 200) this.stats.repeatedSubmissions += 1;
    if (status !== 202 && status !== 200) {
      throw new ApiCallError(`POST /orders for saga #${scenario.index} (${scenario.kind}) answered ${status}: ${body}`, status, body);
    }
    const { orderId } = JSON.parse(body) as { orderId: string };
    this.customerOf.set(orderId, customerId);
    return orderId;
  }

  async orderState(orderId: string): Promise<OrderSagaState> {
    const { status, body } = await this.send('GET', `/orders/${orderId}`, {
      as: this.customerOf.get(orderId),
      what: `read order ${orderId}`,
    });
    if (status !== 200) throw new ApiCallError(`GET /orders/${orderId} answered ${status}: ${body}`, status, body);
    return JSON.parse(body) as OrderSagaState;
  }

  /**
   * Approves, rejects or cancels an order awaiting review. A 409 after a retry can mean the
   * first try went through and only its answer was lost: then the order already shows it. A 202
   * (the saga, busy or without a worker, did not answer in time; Temporal holds the request) is
   * accepted too: the order's end state shows whether the decision took effect.
   */
  async decide(orderId: string, decision: ReviewDecision): Promise<void> {
    const path = `/orders/${orderId}/${decision}`;
    const { status, body } = await this.send('POST', path, {
      body: { reason: `chaos run: ${decision}` },
      // The customer cancels their own order; reviews are the operator's.
      as: decision === 'cancel' ? this.customerOf.get(orderId) : undefined,
      what: `${decision} order ${orderId}`,
    });
    if (status === 200 || status === 202) return;
    if (status === 409 && decisionShows(await this.orderState(orderId), decision)) return;
    throw new ApiCallError(`POST ${path} answered ${status}: ${body}`, status, body);
  }

  async consumers(): Promise<ConsumerStatus[]> {
    const { status, body } = await this.send('GET', '/admin/consumers', { what: 'list consumers' });
    if (status !== 200) throw new ApiCallError(`GET /admin/consumers answered ${status}: ${body}`, status, body);
    return (JSON.parse(body) as { consumers: ConsumerStatus[] }).consumers;
  }

  private async send(
    method: 'GET' | 'POST',
    path: string,
    /** The customer to act as; the operator (admin token) when unset. */
    options: { body?: unknown; headers?: Record<string, string>; as?: string; what: string },
  ): Promise<{ status: number; body: string }> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    headers.authorization = `Bearer ${options.as === undefined ? this.adminToken : await this.customerToken(options.as)}`;
    const deadline = Date.now() + RETRY_FOR_MS;
    let lastProblem = '';
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await this.fetch(path, {
          method,
          headers,
          ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
          signal: AbortSignal.timeout(30_000),
        });
        const body = await response.text();
        const servedBy = new URL(response.url).origin;
        this.stats.servedBy[servedBy] = (this.stats.servedBy[servedBy] ?? 0) + 1;
        if (response.status < 500) return { status: response.status, body };
        lastProblem = `${response.status} ${body}`;
      } catch (error) {
        lastProblem =
          error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}` : String(error);
      }
      if (Date.now() > deadline)
        throw new ApiCallError(`${options.what}: still failing after ${attempt} attempts: ${lastProblem}`, null, lastProblem);
      this.stats.retries += 1;
      await sleep(Math.min(2000, 100 * 2 ** Math.min(attempt, 5)));
    }
  }

  private customerToken(customerId: string): Promise<string> {
    let token = this.tokens.get(customerId);
    if (!token) {
      token = mintToken(this.signing, { sub: customerId, ttlSeconds: CUSTOMER_TOKEN_TTL_SECONDS });
      this.tokens.set(customerId, token);
    }
    return token;
  }
}

function decisionShows(state: OrderSagaState, decision: ReviewDecision): boolean {
  switch (decision) {
    case 'approve':
      return state.steps.some((step) => step.step === 'review');
    case 'reject':
      return state.failure?.type === 'ReviewRejected';
    case 'cancel':
      return state.failure?.type === 'Cancelled';
  }
}
