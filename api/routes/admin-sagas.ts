import { createRoute, z } from '@hono/zod-openapi';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { ApiDeps } from '../deps';
import { adminAuth } from '../middleware/admin-auth';
import { readStepRetries, type OrderStepRetry } from '../orders/step-retries';
import { ADMIN_SECURITY, createRouter } from '../router';
import { errorResponses, StuckSagaListSchema } from '../schemas';

const stuckRoute = createRoute({
  method: 'get',
  path: '/admin/sagas/stuck',
  summary: 'Running sagas with a step (forward or compensation) failing for longer than STEP_STUCK_AFTER_MS, oldest first (admin)',
  security: ADMIN_SECURITY,
  request: { query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) }) },
  responses: {
    200: {
      description: 'The stuck sagas: the step, since when it fails, its attempts and last error',
      content: { 'application/json': { schema: StuckSagaListSchema } },
    },
    ...errorResponses(400, 401),
  },
});

/** Where an operator finds sagas that retry a step without end. */
export function adminSagaRoutes(deps: ApiDeps) {
  const stuckAfterMs = deps.config.STEP_STUCK_AFTER_MS;
  const app = createRouter();
  app.use('/admin/sagas/*', adminAuth(deps.adminToken));
  return app.openapi(stuckRoute, async (c) => {
    const candidates = await readStepRetries(deps.db.db, { stuckAfterMs, onlyStuck: true, limit: c.req.valid('query').limit });
    const running = await Promise.all(candidates.map((row) => isRunning(deps, row)));
    // A saga terminated by hand mid-retry leaves its row behind: only running sagas are stuck.
    return c.json({ stuckAfterMs, sagas: candidates.filter((_, index) => running[index]) }, 200);
  });
}

async function isRunning(deps: ApiDeps, row: OrderStepRetry): Promise<boolean> {
  try {
    return (await deps.client.workflow.getHandle(row.workflowId).describe()).status.name === 'RUNNING';
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}
