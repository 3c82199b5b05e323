import { setTimeout as sleep } from 'node:timers/promises';
import { mintToken } from '../../api/auth/mint-token';
import { createApiClient, type ApiClient } from '../../api/client/create-api-client';
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
  /** The generated client (api/client/); each call sends its caller's token. */
  private readonly client: ApiClient;

  constructor(
    baseUrls: readonly string[],
    private readonly adminToken: string,
    private readonly signing: Pick<AppConfig, 'JWT_SECRET' | 'JWT_ISSUER' | 'JWT_AUDIENCE'>,
  ) {
    const spread = spreadOverApis(baseUrls);
    this.client = createApiClient({ baseUrl: baseUrls[0]!, fetch: (request) => spread(request) });
    this.stats = { retries: 0, repeatedSubmissions: 0, servedBy: Object.fromEntries(baseUrls.map((url) => [url, 0])) };
  }

  async submit(scenario: Scenario): Promise<string> {
    const customerId = scenario.body.customerId;
    const { status, data, body } = await this.send(
      `submit saga #${scenario.index} (${scenario.kind}, key ${scenario.idempotencyKey})`,
      customerId,
      (init) =>
        this.client.POST('/orders', {
          ...init,
          params: { header: { 'idempotency-key': scenario.idempotencyKey } },
          body: scenario.body,
        }),
    );
    if (status === 200) this.stats.repeatedSubmissions += 1;
    if ((status !== 202 && status !== 200) || !data) {
      throw new ApiCallError(`POST /orders for saga #${scenario.index} (${scenario.kind}) answered ${status}: ${body}`, status, body);
    }
    const { orderId } = data;
    this.customerOf.set(orderId, customerId);
    return orderId;
  }

  async orderState(orderId: string): Promise<OrderSagaState> {
    const { status, data, body } = await this.send(`read order ${orderId}`, this.customerOf.get(orderId), (init) =>
      this.client.GET('/orders/{id}', { ...init, params: { path: { id: orderId } } }),
    );
    if (status !== 200 || !data) throw new ApiCallError(`GET /orders/${orderId} answered ${status}: ${body}`, status, body);
    return data as OrderSagaState;
  }

  /**
   * Approves, rejects or cancels an order awaiting review. A 409 after a retry can mean the
   * first try went through and only its answer was lost: then the order already shows it. A 202
   * (the saga, busy or without a worker, did not answer in time; Temporal holds the request) is
   * accepted too: the order's end state shows whether the decision took effect.
   */
  async decide(orderId: string, decision: ReviewDecision): Promise<void> {
    const path = `/orders/${orderId}/${decision}`;
    // The customer cancels their own order; reviews are the operator's.
    const as = decision === 'cancel' ? this.customerOf.get(orderId) : undefined;
    const { status, body } = await this.send(`${decision} order ${orderId}`, as, (init) =>
      this.client.POST(`/orders/{id}/${decision}`, {
        ...init,
        params: { path: { id: orderId } },
        body: { reason: `chaos run: ${decision}` },
      }),
    );
    if (status === 200 || status === 202) return;
    if (status === 409 && decisionShows(await this.orderState(orderId), decision)) return;
    throw new ApiCallError(`POST ${path} answered ${status}: ${body}`, status, body);
  }

  async consumers(): Promise<ConsumerStatus[]> {
    const { status, data, body } = await this.send('list consumers', undefined, (init) => this.client.GET('/admin/consumers', init));
    if (status !== 200 || !data) throw new ApiCallError(`GET /admin/consumers answered ${status}: ${body}`, status, body);
    return data.consumers;
  }

  /**
   * One call through the generated client, as `as` (the operator when unset), sent again on a
   * network error or a 5xx until RETRY_FOR_MS has passed.
   */
  private async send<T>(
    what: string,
    as: string | undefined,
    call: (init: { headers: Record<string, string>; signal: AbortSignal }) => Promise<{ response: Response; data?: T; error?: unknown }>,
  ): Promise<{ status: number; data: T | undefined; body: string }> {
    const headers = { authorization: `Bearer ${as === undefined ? this.adminToken : await this.customerToken(as)}` };
    const deadline = Date.now() + RETRY_FOR_MS;
    let lastProblem = '';
    for (let attempt = 1; ; attempt++) {
      try {
        const { response, data, error } = await call({ headers, signal: AbortSignal.timeout(30_000) });
        const body = JSON.stringify(data ?? error ?? null);
        const servedBy = new URL(response.url).origin;
        this.stats.servedBy[servedBy] = (this.stats.servedBy[servedBy] ?? 0) + 1;
        if (response.status < 500) return { status: response.status, data, body };
        lastProblem = `${response.status} ${body}`;
      } catch (error) {
        lastProblem =
          error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}` : String(error);
      }
      if (Date.now() > deadline)
        throw new ApiCallError(`${what}: still failing after ${attempt} attempts: ${lastProblem}`, null, lastProblem);
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
