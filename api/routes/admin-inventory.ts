import { createRoute } from '@hono/zod-openapi';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { requireAdmin } from '../auth/require-caller';
import { jsonBody } from '../middleware/json-body';
import { ADMIN_SECURITY, createRouter } from '../router';
import { errorResponses, InventoryItemSchema, InventoryUpdateSchema, jsonContent, SkuParamSchema } from '../schemas';

const putInventoryRoute = createRoute({
  method: 'put',
  path: '/admin/inventory/{sku}',
  summary: 'Create a SKU or set its stock and price (admin)',
  security: ADMIN_SECURITY,
  request: { params: SkuParamSchema, body: { required: true, content: { 'application/json': { schema: InventoryUpdateSchema } } } },
  responses: {
    200: jsonContent(InventoryItemSchema, 'The SKU as stored'),
    ...errorResponses(400, 401, 403, 409, 413, 415),
  },
});

export function adminInventoryRoutes(deps: ApiDeps) {
  const app = createRouter();
  app.use('/admin/inventory/*', requireAdmin(), ...jsonBody());
  return app.openapi(putInventoryRoute, async (c) => {
    const { sku } = c.req.valid('param');
    const update = c.req.valid('json');
    const item = await deps.store.setInventory(sku, update);
    if (item === 'below_reserved') {
      throw new ApiError(409, 'stock_below_reserved', `on hand cannot go below what open orders have reserved for ${sku}`, [
        { path: 'onHand', message: 'below the reserved quantity' },
      ]);
    }
    c.get('log').info({ sku, onHand: update.onHand, priceCents: update.priceCents }, 'inventory set');
    return c.json(item, 200);
  });
}
