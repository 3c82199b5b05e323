import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveApi } from '../../api/serve-api';
import type { ServerType } from '@hono/node-server';
import { ChaosApiClient } from '../../tools/chaos/api-client';
import type { Scenario } from '../../tools/chaos/scenarios';
import { FAKE_ADMIN_TOKEN, fakeApi, sagaState } from '../support/fake-api';
import { orderBody } from '../support/order-body';

// The chaos harness's client over the generated one, against the app on a real port (over the fast tier's stand-ins).

const api = fakeApi();
let server: ServerType;
let client: ChaosApiClient;
let baseUrl: string;

beforeAll(async () => {
  server = await new Promise((resolve) => {
    const started = serveApi(
      api.app,
      { port: 0, hostname: '127.0.0.1', timeouts: { headersMs: 5000, requestMs: 5000, keepAliveMs: 1000 } },
      () => resolve(started),
    );
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = new ChaosApiClient([baseUrl], FAKE_ADMIN_TOKEN, api.deps.config);
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('ChaosApiClient', () => {
  it("submits as the scenario's customer, reads the order as them, counts repeats, lists consumers as the operator", async () => {
    const body = orderBody();
    const scenario: Scenario = {
      index: 1,
      kind: 'complete',
      idempotencyKey: 'chaos-1',
      body,
      expected: { status: 'COMPLETED', failureType: null },
      decision: null,
    };
    const orderId = await client.submit(scenario);
    expect(api.deps.sagas.started.map((input) => [input.orderId, input.customerId])).toEqual([[orderId, body.customerId]]);
    api.deps.sagas.states.set(orderId, sagaState(orderId, { customerId: body.customerId, status: 'COMPLETED' }));
    expect(await client.submit(scenario)).toBe(orderId);
    expect(client.stats).toEqual({ retries: 0, repeatedSubmissions: 1, servedBy: { [baseUrl]: 2 } });
    expect((await client.orderState(orderId)).status).toBe('COMPLETED');
    expect(await client.consumers()).toEqual([]);
  });

  it('a refusal is an ApiCallError carrying the status and the problem', async () => {
    await expect(client.orderState('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      status: 404,
      body: expect.stringContaining('order_not_found'),
    });
  });
});
