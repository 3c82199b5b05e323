import { createRoute } from '@hono/zod-openapi';
import type { ApiDeps } from '../deps';
import { requireAdmin } from '../auth/require-caller';
import { EventStreamStatsQuerySchema, EventStreamStatsSchema } from '../event-streams/stream-schemas';
import { ADMIN_SECURITY, createRouter } from '../router';
import { errorResponses, jsonContent } from '../schemas';

const statsRoute = createRoute({
  method: 'get',
  path: '/admin/event-streams',
  summary: "This API instance's open event streams, its caps, refusals and LISTEN connection (admin)",
  description: 'Numbers of the instance that answers: behind a load balancer, ask each instance.',
  security: ADMIN_SECURITY,
  middleware: [requireAdmin()],
  request: { query: EventStreamStatsQuerySchema },
  responses: { 200: jsonContent(EventStreamStatsSchema, 'Counts and settings'), ...errorResponses(400, 401, 403) },
});

export function adminEventStreamRoutes(deps: ApiDeps) {
  const { streams } = deps;
  return createRouter().openapi(statsRoute, (c) => {
    const { caps, timing, hub } = streams;
    return c.json(
      {
        ...caps.counts(c.req.valid('query').top),
        settings: { perCustomer: caps.settings.perCustomer, total: caps.settings.total, ...timing, ticketTtlMs: streams.ticketTtlMs },
        listener: hub.stats(),
      },
      200,
    );
  });
}
