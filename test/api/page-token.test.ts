import { randomBytes } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePageToken } from '../../saga-client/page-token';
import { useApiStack } from '../support/api-server';

// No worker: the sagas stay running, and their CustomerId search attribute is set at start.
const ctx = useApiStack({ worker: false, relay: false });

const customerId = `cust-page-${randomBytes(4).toString('hex')}`;
const started: WorkflowHandle[] = [];
let realToken = '';

/** GET /orders through the client, timed; the forged tokens below are strings it sends as any other. */
async function list(query: { customerId: string; pageSize?: number; pageToken?: string }) {
  const began = performance.now();
  const { response, data, error } = await ctx.api.client().GET('/orders', { params: { query } });
  return { status: response.status, ms: performance.now() - began, data, error };
}

beforeAll(async () => {
  for (let i = 0; i < 3; i++) started.push(await ctx.stack.startOrder(ctx.stack.orderInput({ customerId })));
  // Visibility is eventually consistent: wait until all three are listed, then take page one's token.
  const deadline = Date.now() + 20_000;
  let listed = 0;
  while (listed < 3 && Date.now() < deadline) {
    listed = (await list({ customerId })).data?.orders.length ?? 0;
    if (listed < 3) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(listed).toBe(3);
  const first = await list({ customerId, pageSize: 1 });
  expect(first.data?.nextPageToken).toEqual(expect.any(String));
  realToken = first.data!.nextPageToken!;
});

afterAll(async () => {
  await Promise.all(started.map((handle) => handle.terminate('page-token test done')));
});

describe('GET /orders pageToken', () => {
  it('a real nextPageToken still pages through every order', async () => {
    const seen = new Set<string>();
    let token: string | null = null;
    for (let page = 0; page < 5; page++) {
      const answer = await list({ customerId, pageSize: 1, ...(token ? { pageToken: token } : {}) });
      expect(answer.status).toBe(200);
      for (const order of answer.data?.orders ?? []) seen.add(order.orderId);
      token = answer.data?.nextPageToken ?? null;
      if (!token) break;
    }
    expect(seen.size).toBe(3);
  });

  const malformed: [string, () => string][] = [
    ['random base64url (16 bytes)', () => randomBytes(16).toString('base64url')],
    ['random base64url (128 bytes)', () => randomBytes(128).toString('base64url')],
    ['a real token cut in half', () => realToken.slice(0, Math.floor(realToken.length / 2))],
    ['a real token missing its last character', () => realToken.slice(0, -1)],
    [
      'a real token with one character changed',
      () => `${realToken.slice(0, 20)}${realToken[20] === 'A' ? 'B' : 'A'}${realToken.slice(21)}`,
    ],
    ['a real token in standard base64 with padding', () => `${Buffer.from(realToken, 'base64url').toString('base64')}==`],
    ['empty', () => ''],
    ['only padding', () => '=='],
    ['one character', () => 'A'],
    ['Temporal-shaped JSON without the checksum', () => Buffer.from('{"CloseTime":"9999-12-31T23:59:59Z"}').toString('base64url')],
  ];
  for (const [name, token] of malformed) {
    it(`400 within a second: ${name}`, async () => {
      const answer = await list({ customerId, pageSize: 1, pageToken: token() });
      expect(answer.status).toBe(400);
      expect(answer.error?.code).toMatch(/^(invalid_page_token|validation_failed)$/);
      expect(answer.error?.errors.map((d) => d.path)).toEqual(['pageToken']);
      expect(answer.ms).toBeLessThan(1000);
    });
  }

  it('400 within a second for a forged token that passes the local check: Temporal refuses it and is not asked again', async () => {
    const forged = encodePageToken(Buffer.from('not a token Temporal can parse'), { customerId });
    const answer = await list({ customerId, pageSize: 1, pageToken: forged });
    expect(answer.status).toBe(400);
    expect(answer.error).toMatchObject({
      code: 'invalid_page_token',
      detail: expect.stringContaining('Temporal refused'),
      errors: [{ path: 'pageToken' }],
    });
    expect(answer.ms).toBeLessThan(1000);
  });

  it('400 within a second for a real token sent with other filters than the page it came from', async () => {
    const answer = await list({ customerId: `${customerId}-other`, pageSize: 1, pageToken: realToken });
    expect(answer.status).toBe(400);
    expect(answer.error?.code).toBe('invalid_page_token');
    expect(answer.ms).toBeLessThan(1000);
  });
});
