import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { connectDb } from '../../db/client';
import { startApi, useApiStack, type RunningApi } from '../support/api-server';
import { closeBrokerConnection, countBrokerConnections } from '../support/broker';
import { startTcpRelay, type TcpRelay } from '../support/tcp-relay';

const ctx = useApiStack({ worker: false, relay: false });

const CACHE_MS = 200;

/** GET /readyz through the client: the readiness body, whether it answered 200 or 503. */
async function readyz(api: RunningApi, admin = false) {
  const { response, data, error } = await api.client(admin ? 'admin' : 'anonymous').GET('/readyz');
  const body = data ?? error;
  if (!body || !('down' in body)) throw new Error(`/readyz answered ${response.status} without a readiness body: ${JSON.stringify(body)}`);
  return { status: response.status, text: JSON.stringify(body), body };
}

/** An API whose broker traffic goes through a counting relay to the real broker. */
async function apiThroughRelay(): Promise<{ api: RunningApi; relay: TcpRelay }> {
  const target = new URL(ctx.stack.config.AMQP_URL);
  const relay = await startTcpRelay(target.hostname, Number(target.port || 5672));
  target.port = String(relay.port);
  const api = await startApi(ctx.stack, { config: { ...ctx.stack.config, AMQP_URL: target.toString(), READINESS_CACHE_MS: CACHE_MS } });
  return { api, relay };
}

describe('/readyz', () => {
  it('anyone gets the status and which dependencies are down, nothing more', async () => {
    const { status, body } = await readyz(ctx.api);
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'ready', down: [] });
  });

  it('the admin token adds each check, with when it ran; a wrong token is a 401', async () => {
    const { status, body } = await readyz(ctx.api, true);
    expect(status).toBe(200);
    for (const name of ['temporal', 'postgres', 'rabbitmq'] as const) {
      expect(body.checks?.[name]).toEqual({ up: true, checkedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    }
    const wrong = await ctx.api.client({ token: 'not-the-admin-token' }).GET('/readyz');
    expect(wrong.response.status).toBe(401);
    expect(wrong.error).toMatchObject({ code: 'unauthorized' });
  });

  it('many calls, at once and over many cache periods, open one broker connection and keep it', async () => {
    const { api, relay } = await apiThroughRelay();
    try {
      const answers = await Promise.all(Array.from({ length: 100 }, () => readyz(api)));
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
      const until = performance.now() + CACHE_MS * 8;
      let calls = 0;
      while (performance.now() < until) {
        expect((await readyz(api)).status).toBe(200);
        calls += 1;
        await sleep(20);
      }
      expect(calls).toBeGreaterThan(20);
      expect(relay.opened).toBe(1);
      expect(await countBrokerConnections(api.deps.readiness.connectionName)).toBe(1);
    } finally {
      await api.close();
      await relay.close();
    }
  });

  it('opens a new broker connection once the kept one is lost, and only one', async () => {
    const { api, relay } = await apiThroughRelay();
    try {
      expect((await readyz(api)).status).toBe(200);
      await closeBrokerConnection(api.deps.readiness.connectionName);
      // Ready again once the next probe has reconnected (the loss may show as one 503 first).
      const deadline = performance.now() + 10_000;
      let last = await readyz(api);
      while (last.status !== 200 && performance.now() < deadline) {
        await sleep(50);
        last = await readyz(api);
      }
      await sleep(CACHE_MS * 2);
      for (let i = 0; i < 10; i++) expect((await readyz(api)).status).toBe(200);
      expect(relay.opened).toBe(2);
      expect(await countBrokerConnections(api.deps.readiness.connectionName)).toBe(1);
    } finally {
      await api.close();
      await relay.close();
    }
  });

  it('a dependency that is down is named, without its error, to anyone; the admin gets the error', async () => {
    // Broker and database addresses that point at closed ports: real failures.
    const deadDb = connectDb('postgres://root@127.0.0.1:1/none', { max: 1 });
    const broken = await startApi(ctx.stack, { db: deadDb, config: { ...ctx.stack.config, AMQP_URL: 'amqp://guest:guest@127.0.0.1:1' } });
    try {
      const anonymous = await readyz(broken);
      expect(anonymous.status).toBe(503);
      expect(anonymous.body).toEqual({ status: 'unavailable', down: ['postgres', 'rabbitmq'] });
      expect(anonymous.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|error|connect/i);

      const admin = await readyz(broken, true);
      expect(admin.status).toBe(503);
      expect(admin.body.down).toEqual(['postgres', 'rabbitmq']);
      expect(admin.body.checks?.temporal).toMatchObject({ up: true });
      expect(admin.body.checks?.rabbitmq).toMatchObject({ up: false, error: expect.stringContaining('ECONNREFUSED') });
      expect(admin.body.checks?.postgres).toMatchObject({ up: false, error: expect.any(String) });
    } finally {
      await broken.close();
      await deadDb.close();
    }
  });
});
