import fc from 'fast-check';
import { eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { SubmitOrderSchema } from '../../api/schemas';
import { idempotencyKeys } from '../../drizzle/schema';
import { TEST_ADMIN_TOKEN, useApiStack } from '../support/api-server';
import { uniqueSuffix } from '../../tools/environment/run-identity';
import { mintToken } from '../../api/auth/mint-token';
import { claimsFor, nowSeconds, rawToken, signHs256 } from '../support/forged-tokens';
import { edgeFuzzRequest, fuzzRequest, type FuzzCredentials, type FuzzRequest } from './request-arbitraries';

/** `npm test` runs a small profile; `npm run fuzz` sets FUZZ_RUNS=5000. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

const ctx = useApiStack({ relay: false });

interface Outcome {
  status: number;
  body: unknown;
  ms: number;
}

/** How long each kind of request may take: those answered at the edge or from visibility, quickly. */
const TIME_BOUNDS_MS: Record<string, number> = {
  'bad page token': 1000,
  'list query': 2000,
  'oversized body': 2000,
  'oversized chunked body': 2000,
  'early answer with a body': 2000,
  'wrong content type': 2000,
  'wrong method': 2000,
};
/** Everything else may start a saga or wait on Temporal and Postgres on a busy machine. */
const DEFAULT_TIME_BOUND_MS = 5000;

function bodyOf(request: FuzzRequest): string | ReadableStream<Uint8Array> | undefined {
  if (request.body === undefined || !request.chunked) return request.body;
  const bytes = new TextEncoder().encode(request.body);
  return new ReadableStream({
    start(controller) {
      for (let at = 0; at < bytes.length; at += 16 * 1024) controller.enqueue(bytes.subarray(at, at + 16 * 1024));
      controller.close();
    },
  });
}

/**
 * Node's fetch is undici with its keep-alive pool: requests sent one after another share one
 * connection, so a connection the server drops under a keep-alive answer fails the next request.
 */
async function send(request: FuzzRequest): Promise<Outcome> {
  const began = performance.now();
  const payload = bodyOf(request);
  const response = await fetch(`${ctx.api.baseUrl}${request.path}`, {
    method: request.method,
    headers: request.headers,
    ...(payload !== undefined ? { body: payload, ...(request.chunked ? { duplex: 'half' } : {}) } : {}),
  });
  const text = await response.text();
  const ms = performance.now() - began;
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Left as text: the property below reports a non-JSON error body.
  }
  return { status: response.status, body, ms };
}

/** A few customers with valid tokens, minted once, and well-formed tokens the API must refuse. */
async function fuzzCredentials(customerPrefix: string): Promise<FuzzCredentials> {
  const config = ctx.api.deps.config;
  const ids = ['a', 'b', 'c', 'auth0|d', 'e@example.com'].map((id) => `${customerPrefix}-${id}`);
  const customers = await Promise.all(ids.map(async (id) => ({ id, token: await mintToken(config, { sub: id }) })));
  const secret = config.JWT_SECRET!;
  const claims = (overrides: Record<string, unknown>) => claimsFor(config, ids[0]!, overrides);
  const refusedTokens = [
    rawToken({ alg: 'none', typ: 'JWT' }, claims({})),
    rawToken({ alg: 'none' }, claims({}), 'x'),
    rawToken({ alg: 'HS256', typ: 'JWT' }, null, 'c2ln'),
    await signHs256(secret, claims({ exp: nowSeconds() - 3600 })),
    await signHs256(secret, claims({ exp: undefined })),
    await signHs256(secret, claims({ aud: 'another-api' })),
    await signHs256(secret, claims({ iss: 'another-issuer' })),
    await signHs256(secret, claims({ sub: '../../etc/passwd' })),
    await signHs256('not-the-secret-0123456789-0123456789-abc', claims({})),
  ];
  return { customers, adminToken: TEST_ADMIN_TOKEN, refusedTokens };
}

function isProblem(body: unknown): body is { code: string; detail: string; errors: { path: string; message: string }[] } {
  if (typeof body !== 'object' || body === null) return false;
  const problem = body as Record<string, unknown>;
  return (
    typeof problem.code === 'string' && typeof problem.detail === 'string' && problem.detail.length > 0 && Array.isArray(problem.errors)
  );
}

it(
  `answers ${RUNS} generated requests without a 5xx, with a JSON error naming the problem for each 4xx, writing nothing for rejected orders`,
  async () => {
    const credentials = await fuzzCredentials(`fuzz${uniqueSuffix()}`);
    let accepted = 0;
    const statuses = new Map<string, number>();

    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 9, arbitrary: fuzzRequest(credentials) }, { weight: 2, arbitrary: edgeFuzzRequest(credentials) }),
        async (request) => {
          const { status, body, ms } = await send(request);
          statuses.set(`${request.kind} → ${status}`, (statuses.get(`${request.kind} → ${status}`) ?? 0) + 1);
          expect(status, JSON.stringify(body)).toBeLessThan(500);
          if (request.expectStatus !== undefined) expect(status, JSON.stringify(body)).toBe(request.expectStatus);
          expect(ms, `${request.kind} took ${Math.round(ms)} ms`).toBeLessThan(TIME_BOUNDS_MS[request.kind] ?? DEFAULT_TIME_BOUND_MS);
          if (status >= 400) {
            expect(isProblem(body), `not problem details: ${JSON.stringify(body)}`).toBe(true);
            if (isProblem(body) && body.code === 'validation_failed') expect(body.errors.length).toBeGreaterThan(0);
          }
          if (request.method === 'POST' && request.path === '/orders') {
            const key = request.headers['idempotency-key']!;
            const written = await ctx.stack.db.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key));
            if (status >= 200 && status < 300) {
              accepted += 1;
              // Only what the schema allows gets in.
              expect(SubmitOrderSchema.safeParse(JSON.parse(request.body!)).success).toBe(true);
              expect(written).toHaveLength(1);
            } else {
              expect(written, `a rejected request (${status}) wrote its idempotency key`).toEqual([]);
            }
          }
        },
      ),
      { numRuns: RUNS, endOnFailure: true },
    );

    expect((await ctx.api.client().GET('/healthz')).response.status).toBe(200);
    // Exactly one saga per accepted order, none for the rejected ones (visibility lags a little).
    const query = `TaskQueue = '${ctx.stack.taskQueue}'`;
    let started = -1;
    for (let i = 0; i < 100 && started !== accepted; i++) {
      started = (await ctx.stack.client.workflow.count(query)).count;
      if (started !== accepted) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(started).toBe(accepted);
    console.log(
      `fuzz: ${RUNS} requests, ${accepted} orders accepted\n${[...statuses]
        .sort()
        .map(([k, n]) => `  ${k}: ${n}`)
        .join('\n')}`,
    );
  },
  60_000 + RUNS * 100,
);
