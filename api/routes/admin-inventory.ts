import { createRoute } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { inventory } from '../../drizzle/schema';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { adminAuth } from '../middleware/admin-auth';
import { jsonBody } from '../middleware/json-body';
import { ADMIN_SECURITY, createRouter } from '../router';
import { errorResponses, InventoryItemSchema, InventoryUpdateSchema, SkuParamSchema } from '../schemas';

const putInventoryRoute = createRoute({
  method: 'put',
  path: '/admin/inventory/{sku}',
  summary: 'Create a SKU or set its stock and price (admin)',
  security: ADMIN_SECURITY,
  request: { params: SkuParamSchema, body: { required: true, content: { 'application/json': { schema: InventoryUpdateSchema } } } },
  responses: {
    200: { description: 'The SKU as stored', content: { 'application/json': { schema: InventoryItemSchema } } },
    ...errorResponses(400, 401, 409, 413, 415),
  },
});

export function adminInventoryRoutes(deps: ApiDeps) {
  const app = createRouter();
  app.use('/admin/inventory/*', adminAuth(deps.adminToken), ...jsonBody());
  return app.openapi(putInventoryRoute, async (c) => {
    const { sku } = c.req.valid('param');
    const { onHand, priceCents, name } = c.req.valid('json');
    try {
      const [row] = await deps.db.db
        .insert(inventory)
        .values({ sku, name: name ?? sku, onHand, priceCents })
        .onConflictDoUpdate({
          target: inventory.sku,
          set: { onHand, priceCents, updatedAt: sql`now()`, ...(name ? { name } : {}) },
        })
        .returning({
          sku: inventory.sku,
          name: inventory.name,
          priceCents: inventory.priceCents,
          onHand: inventory.onHand,
          reserved: inventory.reserved,
        });
      c.get('log').info({ sku, onHand, priceCents }, 'inventory set');
      return c.json(row!, 200);
    } catch (error) {
      if (isCheckViolation(error, 'inventory_reserved_within_on_hand')) {
        throw new ApiError(409, 'stock_below_reserved', `on hand cannot go below what open orders have reserved for ${sku}`, [
          { path: 'onHand', message: 'below the reserved quantity' },
        ]);
      }
      throw error;
    }
  });
}

function isCheckViolation(error: unknown, constraint: string): boolean {
  const cause = error instanceof Error && 'cause' in error ? error.cause : error;
  return typeof cause === 'object' && cause !== null && 'constraint_name' in cause && cause.constraint_name === constraint;
}
