import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { outbox } from '../../drizzle/schema';
import { appendToOutbox } from '../../outbox/append';
import { useApiStack } from '../support/api-server';
import type { TestCaller } from '../support/json-request';
import { openHeadlessBrowser } from '../support/headless-browser';
import { SCREENSHOT_DIR } from '../support/temporal-ui';

const ctx = useApiStack({ worker: false, relay: false });
const sku = (name: string) => ({ params: { path: { sku: name } } });

describe('PUT /admin/inventory/:sku', () => {
  it('creates a SKU, then sets its stock and price; the API prices orders from it', async () => {
    const created = await ctx.api.client().PUT('/admin/inventory/{sku}', {
      ...sku('SKU-ADMIN-1'),
      body: { onHand: 5, priceCents: 999, name: 'Admin item' },
    });
    expect(created.response.status).toBe(200);
    expect(created.data).toEqual({ sku: 'SKU-ADMIN-1', name: 'Admin item', priceCents: 999, onHand: 5, reserved: 0 });
    const updated = await ctx.api.client().PUT('/admin/inventory/{sku}', { ...sku('SKU-ADMIN-1'), body: { onHand: 7, priceCents: 1099 } });
    expect(updated.data).toEqual({ sku: 'SKU-ADMIN-1', name: 'Admin item', priceCents: 1099, onHand: 7, reserved: 0 });
  });

  it('409 when on hand would go below what orders have reserved', async () => {
    await ctx.api.client().PUT('/admin/inventory/{sku}', { ...sku('SKU-ADMIN-2'), body: { onHand: 5, priceCents: 100 } });
    await ctx.stack.db.sql`UPDATE inventory SET reserved = 4 WHERE sku = 'SKU-ADMIN-2'`;
    const { response, error } = await ctx.api
      .client()
      .PUT('/admin/inventory/{sku}', { ...sku('SKU-ADMIN-2'), body: { onHand: 3, priceCents: 100 } });
    expect(response.status).toBe(409);
    expect(error).toMatchObject({ code: 'stock_below_reserved', errors: [{ path: 'onHand' }] });
  });

  it('401 without the token or with a wrong one; 400 naming bad fields', async () => {
    const put = (as: TestCaller) =>
      ctx.api.client(as).PUT('/admin/inventory/{sku}', { ...sku('SKU-X'), body: { onHand: 1, priceCents: 1 } });
    expect((await put('anonymous')).response.status).toBe(401);
    expect((await put({ token: 'wrong' })).response.status).toBe(401);
    // Raw: a body the client's types refuse (no priceCents).
    const bad = await ctx.api.rawRequest('/admin/inventory/SKU-X', { method: 'PUT', json: { onHand: -1 } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { path: string }[] }).errors.map((d) => d.path).sort()).toEqual(['onHand', 'priceCents']);
  });
});

describe('outbox admin', () => {
  it('counts pending, published and dead rows, and puts a dead row back', async () => {
    const orderId = randomUUID();
    const [id] = await ctx.stack.db.db.transaction((tx) =>
      appendToOutbox(tx, { orderId, step: 'admin-test', causationId: 'test' }, [{ name: 'order.submitted', content: { orderId } }]),
    );
    await ctx.stack.db.db
      .update(outbox)
      .set({ deadAt: sql`now()`, attempts: 10, lastError: 'broker refused' })
      .where(eq(outbox.id, id!));

    const before = (await ctx.api.client().GET('/admin/outbox')).data!;
    expect(before.dead).toBeGreaterThanOrEqual(1);

    const retry = (rowId: string) => ctx.api.client().POST('/admin/outbox/{id}/retry', { params: { path: { id: rowId } } });
    const retried = await retry(id!);
    expect(retried.response.status).toBe(200);
    const after = retried.data!;
    expect(after.dead).toBe(before.dead - 1);
    expect(after.pending).toBe(before.pending + 1);
    expect(after.oldestPendingAgeMs).toBeGreaterThanOrEqual(0);
    const [row] = await ctx.stack.db.db.select().from(outbox).where(eq(outbox.id, id!));
    expect(row).toMatchObject({ deadAt: null, attempts: 0, lastError: null });

    expect((await retry(id!)).response.status).toBe(409);
    expect((await retry(randomUUID())).response.status).toBe(404);
    expect((await ctx.api.client('anonymous').GET('/admin/outbox')).response.status).toBe(401);
  });
});

// Raw: /openapi.json and /docs are not operations of the document the client is generated from.
describe('OpenAPI and docs', () => {
  it('/openapi.json is a valid OpenAPI 3.1 document listing every route', async () => {
    const document = (await (await ctx.api.rawRequest('/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(document.openapi).toBe('3.1.0');
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const routes = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes.sort()).toEqual(
      [
        'POST /orders',
        'GET /orders',
        'GET /orders/{id}',
        'POST /orders/{id}/cancel',
        'POST /orders/{id}/approve',
        'POST /orders/{id}/reject',
        'GET /orders/{id}/events',
        'POST /orders/{id}/events/ticket',
        'GET /orders/{id}/timeline',
        'GET /healthz',
        'GET /readyz',
        'PUT /admin/inventory/{sku}',
        'GET /admin/outbox',
        'POST /admin/outbox/{id}/retry',
        'GET /admin/sagas/stuck',
        'GET /admin/consumers',
        'POST /admin/consumers/{name}/stop',
        'POST /admin/consumers/{name}/start',
        'GET /admin/dlq/{name}',
        'POST /admin/dlq/{name}/replay',
        'POST /admin/dlq/{name}/discard',
        'GET /admin/dlq/{name}/actions',
        'GET /admin/event-streams',
      ].sort(),
    );
  });

  it('/docs serves Swagger UI with its assets from this server', async () => {
    const page = await ctx.api.rawRequest('/docs');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<script src="/docs/init.js"></script>');
    expect(await (await ctx.api.rawRequest('/docs/init.js')).text()).toContain("url: '/openapi.json'");
    for (const asset of ['/docs/assets/swagger-ui.css', '/docs/assets/swagger-ui-bundle.js']) {
      const response = await ctx.api.rawRequest(asset);
      expect(response.status).toBe(200);
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
    }
    expect((await ctx.api.rawRequest('/docs/assets/..%2Fpackage.json')).status).toBe(404);
  });

  it('/docs renders in a browser: Swagger UI lists the operations, with nothing fetched from elsewhere', async () => {
    const browser = await openHeadlessBrowser(ctx.api.baseUrl);
    try {
      const { page } = browser;
      const refused: string[] = [];
      page.on('requestfailed', (request) => refused.push(request.url()));
      await page.goto(`${ctx.api.baseUrl}/docs`);
      await expect(page.getByText('Saga orchestrator API').first().isVisible()).resolves.toBe(true);
      await page.locator('.opblock-summary-path', { hasText: '/orders/{id}/cancel' }).first().waitFor();
      expect(await page.locator('.opblock').count()).toBe(23);
      await mkdir(SCREENSHOT_DIR, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'api-docs.png'), fullPage: true });
      expect(refused).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
