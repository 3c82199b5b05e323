import { createRoute, z } from '@hono/zod-openapi';
import type { ApiDeps } from '../deps';
import { isAdmin } from '../middleware/admin-auth';
import type { DependencyName } from '../readiness';
import { ADMIN_SECURITY, createRouter } from '../router';
import { errorResponses } from '../schemas';

const DEPENDENCIES = ['temporal', 'postgres', 'rabbitmq'] as const satisfies readonly DependencyName[];

const dependency = z.object({
  up: z.boolean(),
  error: z.string().optional().openapi({ description: 'Why it is down, as the dependency or its client said' }),
  checkedAt: z.string().datetime().openapi({ description: 'When it was probed: answers are reused for READINESS_CACHE_MS' }),
});
const ReadinessSchema = z
  .object({
    status: z.enum(['ready', 'unavailable']),
    down: z.array(z.enum(DEPENDENCIES)).openapi({ description: 'The dependencies that did not answer' }),
    checks: z
      .object({ temporal: dependency, postgres: dependency, rabbitmq: dependency })
      .optional()
      .openapi({ description: 'Only with the admin token: each probe, with its error' }),
  })
  .openapi('Readiness');

const livenessRoute = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Liveness: the process answers',
  responses: { 200: { description: 'Alive', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } } },
});

const readinessRoute = createRoute({
  method: 'get',
  path: '/readyz',
  summary: 'Readiness: Temporal, PostgreSQL and RabbitMQ each answer',
  description:
    'Anyone gets `status` and `down` (which dependencies are down), never error text. With the admin token the answer adds ' +
    "`checks`: each probe, its error and when it ran. Probes reuse the API's connections and each answer is reused for " +
    'READINESS_CACHE_MS (2 s by default), so polling costs at most one probe of each dependency per period.',
  // Open to anyone; the admin token is optional and adds details.
  security: [{}, ...ADMIN_SECURITY],
  responses: {
    200: { description: 'Every dependency is up', content: { 'application/json': { schema: ReadinessSchema } } },
    503: {
      description: 'At least one dependency is down; `down` names them',
      content: { 'application/json': { schema: ReadinessSchema } },
    },
    ...errorResponses(401),
  },
});

export function healthRoutes(deps: ApiDeps) {
  return createRouter()
    .openapi(livenessRoute, (c) => c.json({ status: 'ok' as const }, 200))
    .openapi(readinessRoute, async (c) => {
      const admin = isAdmin(c, deps.adminToken);
      const checks = await deps.readiness.check();
      const down = DEPENDENCIES.filter((name) => !checks[name].up);
      const status = down.length > 0 ? ('unavailable' as const) : ('ready' as const);
      const body = admin ? { status, down, checks } : { status, down };
      return down.length > 0 ? c.json(body, 503) : c.json(body, 200);
    });
}
