import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { outbox } from '../../drizzle/schema';
import { appendToOutbox } from '../../outbox/append';
import { useApiStack } from '../support/api-server';
import { openHeadlessBrowser } from '../support/headless-browser';
import { SCREENSHOT_DIR } from '../support/temporal-ui';

const ctx = useApiStack({ worker: false, relay: false });

describe('PUT /admin/inventory/:sku', () => {
  it('creates a SKU, then sets its stock and price; the API prices orders from it', async () => {
    const created = await ctx.api.request('/admin/inventory/SKU-ADMIN-1', {
      method: 'PUT',
      json: { onHand: 5, priceCents: 999, name: 'Admin item' },
    });
    expect(created.status).toBe(200);
    expect(await created.json()).toEqual({ sku: 'SKU-ADMIN-1', name: 'Admin item', priceCents: 999, onHand: 5, reserved: 0 });
    const updated = await ctx.api.request('/admin/inventory/SKU-ADMIN-1', {
      method: 'PUT',
      json: { onHand: 7, priceCents: 1099 },
    });
    expect(await updated.json()).toEqual({ sku: 'SKU-ADMIN-1', name: 'Admin item', priceCents: 1099, onHand: 7, reserved: 0 });
  });

  it('409 when on hand would go below what orders have reserved', async () => {
    await ctx.api.request('/admin/inventory/SKU-ADMIN-2', { method: 'PUT', json: { onHand: 5, priceCents: 100 } });
    await ctx.stack.db.sql`UPDATE inventory SET reserved = 4 WHERE sku = 'SKU-ADMIN-2'`;
    const response = await ctx.api.request('/admin/inventory/SKU-ADMIN-2', {
      method: 'PUT',
      json: { onHand: 3, priceCents: 100 },
    });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ code: 'stock_below_reserved', errors: [{ path: 'onHand' }] });
  });

  it('401 without the token or with a wrong one; 400 naming bad fields', async () => {
    expect(
      (await ctx.api.request('/admin/inventory/SKU-X', { method: 'PUT', as: 'anonymous', json: { onHand: 1, priceCents: 1 } })).status,
    ).toBe(401);
    const wrong = await ctx.api.request('/admin/inventory/SKU-X', {
      method: 'PUT',
      json: { onHand: 1, priceCents: 1 },
      headers: { authorization: 'Bearer wrong' },
    });
    expect(wrong.status).toBe(401);
    const bad = await ctx.api.request('/admin/inventory/SKU-X', { method: 'PUT', json: { onHand: -1 } });
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

    const before = (await (await ctx.api.request('/admin/outbox', {})).json()) as { dead: number; pending: number };
    expect(before.dead).toBeGreaterThanOrEqual(1);

    const retried = await ctx.api.request(`/admin/outbox/${id}/retry`, { method: 'POST' });
    expect(retried.status).toBe(200);
    const after = (await retried.json()) as { dead: number; pending: number; oldestPendingAgeMs: number };
    expect(after.dead).toBe(before.dead - 1);
    expect(after.pending).toBe(before.pending + 1);
    expect(after.oldestPendingAgeMs).toBeGreaterThanOrEqual(0);
    const [row] = await ctx.stack.db.db.select().from(outbox).where(eq(outbox.id, id!));
    expect(row).toMatchObject({ deadAt: null, attempts: 0, lastError: null });

    expect((await ctx.api.request(`/admin/outbox/${id}/retry`, { method: 'POST' })).status).toBe(409);
    expect((await ctx.api.request(`/admin/outbox/${randomUUID()}/retry`, { method: 'POST' })).status).toBe(404);
    expect((await ctx.api.request('/admin/outbox', { as: 'anonymous' })).status).toBe(401);
  });
});

describe('OpenAPI and docs', () => {
  it('/openapi.json is a valid OpenAPI 3.1 document listing every route', async () => {
    const document = (await (await ctx.api.request('/openapi.json')).json()) as {
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
    const page = await ctx.api.request('/docs');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<script src="/docs/init.js"></script>');
    expect(await (await ctx.api.request('/docs/init.js')).text()).toContain("url: '/openapi.json'");
    for (const asset of ['/docs/assets/swagger-ui.css', '/docs/assets/swagger-ui-bundle.js']) {
      const response = await ctx.api.request(asset);
      expect(response.status).toBe(200);
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
    }
    expect((await ctx.api.request('/docs/assets/..%2Fpackage.json')).status).toBe(404);
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
