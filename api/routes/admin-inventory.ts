import { createRoute } from '@hono/zod-openapi';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { requireAdmin } from '../auth/require-caller';
import { jsonBody } from '../middleware/json-body';
import { operation } from '../operation';
import { ADMIN_SECURITY, createRouter } from '../router';
import { InventoryItemSchema, InventoryUpdateSchema, jsonContent, SkuParamSchema } from '../schemas';

const putInventoryRoute = createRoute({
  method: 'put',
  path: '/admin/inventory/{sku}',
  security: ADMIN_SECURITY,
  request: { params: SkuParamSchema, body: { required: true, content: { 'application/json': { schema: InventoryUpdateSchema } } } },
  ...operation({
    operationId: 'setInventory',
    tag: 'inventory',
    summary: 'Create a SKU or set its stock and price (admin)',
    description: 'Sets what is on hand and the price; a new SKU is created. On hand may not go below what open orders have reserved',
    errors: {
      400: 'validation_failed: the SKU or the body is invalid; malformed_json: the body is not JSON',
      403: 'forbidden: the caller is not an admin',
      409: 'stock_below_reserved: onHand is below what open orders have reserved',
      413: 'payload_too_large: the body is larger than 64 KiB',
      415: 'unsupported_media_type: a body that is not application/json',
    },
    responses: { 200: jsonContent(InventoryItemSchema, 'The SKU as stored') },
  }),
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
