import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { components } from '../../api/client/openapi';
import { MAX_ORDER_TOTAL_CENTS } from '../../domain/order-limits';
import { idempotencyKeys } from '../../drizzle/schema';
import { useApiStack, waitForOrderStatus } from '../support/api-server';
import { orderBody } from '../support/order-body';
import { uniqueSuffix } from '../../tools/environment/run-identity';

const ctx = useApiStack({ relay: false });

/** POSTs an order with a fresh Idempotency-Key and reports whether the refusal wrote anything. */
async function submit(body: components['schemas']['SubmitOrder']) {
  const key = `limits-${uniqueSuffix()}`;
  const { response, data, error } = await ctx.api.client().POST('/orders', { body, params: { header: { 'idempotency-key': key } } });
  const written = await ctx.stack.db.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key));
  return { status: response.status, data, error, written };
}

async function sagasOf(customerId: string): Promise<number> {
  return (await ctx.stack.client.workflow.count(`TaskQueue = '${ctx.stack.taskQueue}' AND CustomerId = '${customerId}'`)).count;
}

describe('POST /orders refuses orders above the limits, before any saga starts', () => {
  it("the issue's request (34 lines of 1,000 SKU-ESPRESSO, 22,066,000.00 EUR) is a 400 naming items", async () => {
    const customerId = `cust-issue11-${uniqueSuffix()}`;
    const { status, error, written } = await submit(
      orderBody({ customerId, items: Array.from({ length: 34 }, () => ({ sku: 'SKU-ESPRESSO', quantity: 1000 })) }),
    );

    expect(status).toBe(400);
    expect(error?.code).toBe('validation_failed');
    expect(error?.errors).toEqual([
      { path: 'items', message: '34000 units of SKU-ESPRESSO over 34 lines: at most 1000 units of one SKU per order' },
      { path: 'items', message: '34000 units in all: at most 10000 units per order' },
    ]);
    expect(written).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // visibility lags a little
    expect(await sagasOf(customerId)).toBe(0);
  });

  it('repeated SKUs are added up before the per-SKU limit: 600 + 600 of one SKU is refused, 500 + 500 is not', async () => {
    const over = await submit(
      orderBody({
        items: [
          { sku: 'SKU-RED-MUG', quantity: 600 },
          { sku: 'SKU-BLUE-TEE', quantity: 1 },
          { sku: 'SKU-RED-MUG', quantity: 600 },
        ],
      }),
    );
    expect(over.status).toBe(400);
    expect(over.error?.errors).toEqual([
      { path: 'items', message: '1200 units of SKU-RED-MUG over 2 lines: at most 1000 units of one SKU per order' },
    ]);
    expect(over.written).toEqual([]);

    const within = await submit(
      orderBody({
        items: [
          { sku: 'SKU-RED-MUG', quantity: 500 },
          { sku: 'SKU-RED-MUG', quantity: 500 },
        ],
      }),
    );
    expect(within.status).toBe(202);
  });

  it('a total above 1,000,000.00 EUR at catalog prices is a 400 naming items; exactly the limit is accepted and recorded', async () => {
    const pricey = `SKU-LIMIT-${uniqueSuffix().toUpperCase()}`;
    const put = await ctx.api.client().PUT('/admin/inventory/{sku}', {
      params: { path: { sku: pricey } },
      body: { onHand: 2000, priceCents: 100_000 },
    });
    expect(put.response.status).toBe(200);

    const customerId = `cust-total-${uniqueSuffix()}`;
    const over = await submit(
      orderBody({
        customerId,
        items: [
          { sku: pricey, quantity: 1000 },
          { sku: 'SKU-RED-MUG', quantity: 1 },
        ],
      }),
    );
    expect(over.status).toBe(400);
    expect(over.error).toMatchObject({
      code: 'validation_failed',
      errors: [{ path: 'items', message: 'the order totals 1000012.50 EUR at catalog prices: at most 1000000.00 EUR per order' }],
    });
    expect(over.written).toEqual([]);

    const atLimit = await submit(orderBody({ customerId, items: [{ sku: pricey, quantity: 1000 }] }));
    expect(atLimit.status).toBe(202);
    // Above the review threshold: it waits for review with its total recorded in full.
    const orderId = atLimit.data!.orderId;
    const waiting = await waitForOrderStatus(ctx.api, orderId, 'AWAITING_REVIEW');
    expect(waiting.totalCents).toBe(MAX_ORDER_TOTAL_CENTS);
    expect((await ctx.api.client().POST('/orders/{id}/cancel', { params: { path: { id: orderId } } })).response.status).toBe(200);
    await waitForOrderStatus(ctx.api, orderId, 'CANCELLED');
  });

  it('the OpenAPI document states the limits', async () => {
    // Raw: /openapi.json is no operation of the document itself.
    const doc = (await (await ctx.api.rawRequest('/openapi.json')).json()) as {
      components: {
        schemas: {
          SubmitOrder: {
            properties: {
              items: {
                description: string;
                maxItems: number;
                items: { properties: { quantity: { maximum: number; description: string } } };
              };
            };
          };
        };
      };
    };
    const items = doc.components.schemas.SubmitOrder.properties.items;
    expect(items.maxItems).toBe(50);
    expect(items.description).toContain('1000000.00 EUR (100000000 cents)');
    expect(items.description).toContain('10000 units in all');
    expect(JSON.stringify(items.items)).toContain('"maximum":1000');
    expect(JSON.stringify(items.items)).toContain('Lines naming the same SKU are added up');
  });
});
