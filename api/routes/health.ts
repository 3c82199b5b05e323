import { createRoute } from '@hono/zod-openapi';
import type { ApiDeps } from '../deps';
import { isAdminCaller } from '../auth/caller';
import { DEPENDENCY_NAMES } from '../readiness';
import { operation } from '../operation';
import { ADMIN_SECURITY, createRouter } from '../router';
import { jsonContent, LivenessSchema, ProblemSchema, ReadinessSchema } from '../schemas';

// Public, but a header that does not verify is still refused (api/auth/authenticate.ts).
const PUBLIC_401 = 'unauthorized: an Authorization header was sent and does not verify (WWW-Authenticate says why)';

const livenessRoute = createRoute({
  method: 'get',
  path: '/healthz',
  security: [],
  ...operation({
    operationId: 'getLiveness',
    tag: 'health',
    summary: 'Liveness: the process answers',
    errors: { 401: PUBLIC_401 },
    responses: { 200: jsonContent(LivenessSchema, 'Alive') },
  }),
});

const readinessRoute = createRoute({
  method: 'get',
  path: '/readyz',
  // Open to anyone; the admin token is optional and adds details.
  security: [{}, ...ADMIN_SECURITY],
  ...operation({
    operationId: 'getReadiness',
    tag: 'health',
    summary: 'Readiness: Temporal, PostgreSQL and RabbitMQ each answer',
    description:
      'Anyone gets `status` and `down` (which dependencies are down), never error text. With the admin token the answer adds ' +
      "`checks`: each probe, its error and when it ran. Probes reuse the API's connections and each answer is reused for " +
      'READINESS_CACHE_MS (2 s by default), so polling costs at most one probe of each dependency per period',
    errors: {
      401: PUBLIC_401,
      503: 'A dependency is down (the readiness body, application/json); or auth_unavailable as a problem when a token could not be verified',
    },
    responses: {
      200: jsonContent(ReadinessSchema, 'Every dependency is up'),
      503: {
        description: 'At least one dependency is down; `down` names them. Or a token could not be verified (a problem)',
        content: {
          'application/json': { schema: ReadinessSchema },
          'application/problem+json': { schema: ProblemSchema },
        },
      },
    },
  }),
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
