import { createRoute } from '@hono/zod-openapi';
import type { ApiDeps } from '../deps';
import { requireAdmin } from '../auth/require-caller';
import { operation } from '../operation';
import { ADMIN_SECURITY, createRouter } from '../router';
import { jsonContent, StuckSagaListSchema, StuckSagaQuerySchema } from '../schemas';

const stuckRoute = createRoute({
  method: 'get',
  path: '/admin/sagas/stuck',
  security: ADMIN_SECURITY,
  request: { query: StuckSagaQuerySchema },
  ...operation({
    operationId: 'listStuckSagas',
    tag: 'sagas',
    summary: 'Running sagas with a step (forward or compensation) failing for longer than STEP_STUCK_AFTER_MS, oldest first (admin)',
    errors: { 400: 'validation_failed: limit is invalid', 403: 'forbidden: the caller is not an admin' },
    responses: { 200: jsonContent(StuckSagaListSchema, 'The stuck sagas: the step, since when it fails, its attempts and last error') },
  }),
});

/** Where an operator finds sagas that retry a step without end. */
export function adminSagaRoutes(deps: ApiDeps) {
  const { sagas, store } = deps;
  const stuckAfterMs = deps.config.STEP_STUCK_AFTER_MS;
  const app = createRouter();
  app.use('/admin/sagas/*', requireAdmin());
  return app.openapi(stuckRoute, async (c) => {
    const candidates = await store.readStepRetries({ stuckAfterMs, onlyStuck: true, limit: c.req.valid('query').limit });
    const running = await Promise.all(candidates.map(async (row) => (await sagas.describeOrder(row.orderId))?.running ?? false));
    // A saga terminated by hand mid-retry leaves its row behind: only running sagas are stuck.
    return c.json({ stuckAfterMs, sagas: candidates.filter((_, index) => running[index]) }, 200);
  });
}
