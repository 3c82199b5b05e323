import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../api/middleware/json-body';
import { TEST_ADMIN_TOKEN, useApiStack } from '../support/api-server';

// Raw: what happens on the connection (chunked and oversized bodies, Connection headers, the pool) is the subject.
const ctx = useApiStack({ worker: false, relay: false });

const ROUNDS = 20;

interface EarlyAnswer {
  name: string;
  status: number;
  request(): { path: string; init: RequestInit };
}

/** A body the client streams in chunks, so it goes out chunked, with no Content-Length. */
function chunkedBody(bytes: number): ReadableStream<Uint8Array> {
  const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      controller.enqueue(chunk);
      sent += chunk.length;
    },
  });
}

const jsonOf = (bytes: number) => JSON.stringify({ padding: 'x'.repeat(bytes) });
const jsonHeaders = { 'content-type': 'application/json' };
/** A caller, so POST /orders gets as far as the body checks (without one it is a 401 before them). */
const authorized = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const authorizedJson = { ...jsonHeaders, ...authorized };

/** Answers the server gives before (or without) reading the request body. */
const EARLY_ANSWERS: EarlyAnswer[] = [
  {
    name: '413, body just over the limit',
    status: 413,
    request: () => ({ path: '/orders', init: { method: 'POST', headers: authorizedJson, body: jsonOf(MAX_BODY_BYTES + 1024) } }),
  },
  ...[256, 1024, 2048, 4096].map((kib) => ({
    name: `413, ${kib} KiB body`,
    status: 413,
    request: () => ({ path: '/orders', init: { method: 'POST', headers: authorizedJson, body: jsonOf(kib * 1024) } }),
  })),
  {
    name: '413, 1 MiB chunked body',
    status: 413,
    request: () => ({ path: '/orders', init: { method: 'POST', headers: authorizedJson, body: chunkedBody(1024 * 1024), duplex: 'half' } }),
  },
  {
    name: '415, 200 KiB text body',
    status: 415,
    request: () => ({
      path: '/orders',
      init: { method: 'POST', headers: { 'content-type': 'text/plain', ...authorized }, body: 'x'.repeat(200 * 1024) },
    }),
  },
  {
    name: '401 on an admin route with a body',
    status: 401,
    request: () => ({ path: '/admin/inventory/SKU-KEEP', init: { method: 'PUT', headers: jsonHeaders, body: jsonOf(200 * 1024) } }),
  },
  {
    name: '404 with a body',
    status: 404,
    request: () => ({ path: '/no-such-route', init: { method: 'POST', headers: jsonHeaders, body: jsonOf(200 * 1024) } }),
  },
  {
    name: '405 with a body',
    status: 405,
    request: () => ({ path: '/healthz', init: { method: 'POST', headers: jsonHeaders, body: jsonOf(200 * 1024) } }),
  },
];

/**
 * Node's global fetch is undici with a keep-alive pool: requests sent one after another reuse
 * the same connection, so a connection the server drops under a keep-alive answer fails the next one.
 */
async function attempt(label: string, send: () => Promise<Response>, failures: string[]): Promise<Response | undefined> {
  try {
    const response = await send();
    await response.arrayBuffer();
    return response;
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    failures.push(`${label}: ${String(error)}${cause}`);
    return undefined;
  }
}

describe('answers sent before the request body was read leave pooled keep-alive clients working', () => {
  for (const early of EARLY_ANSWERS) {
    it(early.name, async () => {
      const failures: string[] = [];
      const statuses: number[] = [];
      const connectionHeaders: (string | null)[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const { path, init } = early.request();
        const answer = await attempt(`round ${round}, ${early.name}`, () => fetch(`${ctx.api.baseUrl}${path}`, init), failures);
        if (answer) {
          statuses.push(answer.status);
          connectionHeaders.push(answer.headers.get('connection'));
        }
        // The next requests on the pool: one whose body is read, and one without a body.
        const next = await attempt(
          `round ${round}, the POST after it`,
          () => ctx.api.rawRequest('/orders', { method: 'POST', json: {} }),
          failures,
        );
        if (next) {
          expect(next.status).toBe(400);
          // A body read to its end keeps the connection open: only early answers close it.
          expect(next.headers.get('connection')).toBe('keep-alive');
        }
        const health = await attempt(`round ${round}, the GET after it`, () => ctx.api.rawRequest('/healthz'), failures);
        if (health) expect(health.status).toBe(200);
      }
      expect(failures).toEqual([]);
      expect(statuses).toEqual(Array.from({ length: ROUNDS }, () => early.status));
      // The server says it will close, so no client sends another request down this connection.
      expect(connectionHeaders).toEqual(statuses.map(() => 'close'));
    });
  }
});
