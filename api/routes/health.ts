import { createRoute } from '@hono/zod-openapi';
import type { ApiDeps } from '../deps';
import { isAdminCaller } from '../auth/caller';
import { DEPENDENCY_NAMES } from '../readiness';
import { ADMIN_SECURITY, createRouter } from '../router';
import { errorResponses, jsonContent, LivenessSchema, ReadinessSchema } from '../schemas';

const livenessRoute = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Liveness: the process answers',
  security: [],
  responses: { 200: jsonContent(LivenessSchema, 'Alive') },
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
    200: jsonContent(ReadinessSchema, 'Every dependency is up'),
    503: jsonContent(ReadinessSchema, 'At least one dependency is down; `down` names them'),
    ...errorResponses(401),
  },
});

export function healthRoutes(deps: ApiDeps) {
  return createRouter()
    .openapi(livenessRoute, (c) => c.json({ status: 'ok' as const }, 200))
    .openapi(readinessRoute, async (c) => {
      const admin = isAdminCaller(c.get('caller'));
      const checks = await deps.readiness.check();
      const down = DEPENDENCY_NAMES.filter((name) => !checks[name].up);
      const status = down.length > 0 ? ('unavailable' as const) : ('ready' as const);
      const body = admin ? { status, down, checks } : { status, down };
      return down.length > 0 ? c.json(body, 503) : c.json(body, 200);
    });
}
