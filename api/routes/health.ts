import { createRoute, z } from '@hono/zod-openapi';
import type { ApiDeps } from '../deps';
import { checkReadiness } from '../readiness';
import { createRouter } from '../router';

const dependency = z.object({ up: z.boolean(), error: z.string().optional() });
const ReadinessSchema = z
  .object({ status: z.enum(['ready', 'unavailable']), down: z.array(z.string()), checks: z.object({ temporal: dependency, postgres: dependency, rabbitmq: dependency }) })
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
  responses: {
    200: { description: 'Every dependency is up', content: { 'application/json': { schema: ReadinessSchema } } },
    503: { description: 'At least one dependency is down; `down` names them', content: { 'application/json': { schema: ReadinessSchema } } },
  },
});

export function healthRoutes(deps: ApiDeps) {
  return createRouter()
    .openapi(livenessRoute, (c) => c.json({ status: 'ok' as const }, 200))
    .openapi(readinessRoute, async (c) => {
      const checks = await checkReadiness({ client: deps.client, sql: deps.db.sql, amqpUrl: deps.config.AMQP_URL });
      const down = Object.entries(checks).filter(([, check]) => !check.up).map(([name]) => name);
      if (down.length > 0) {
        c.get('log').warn({ down, checks }, 'not ready');
        return c.json({ status: 'unavailable' as const, down, checks }, 503);
      }
      return c.json({ status: 'ready' as const, down, checks }, 200);
    });
}
