import { createRoute } from '@hono/zod-openapi';
import type { ApiDeps } from '../deps';
import { requireAdmin } from '../auth/require-caller';
import { EventStreamStatsQuerySchema, EventStreamStatsSchema } from '../event-streams/stream-schemas';
import { operation } from '../operation';
import { ADMIN_SECURITY, createRouter } from '../router';
import { jsonContent } from '../schemas';

const statsRoute = createRoute({
  method: 'get',
  path: '/admin/event-streams',
  security: ADMIN_SECURITY,
  middleware: [requireAdmin()],
  request: { query: EventStreamStatsQuerySchema },
  ...operation({
    operationId: 'getEventStreamStats',
    tag: 'event streams',
    summary: "This API instance's open event streams, its caps, refusals and LISTEN connection (admin)",
    description: 'Numbers of the instance that answers: behind a load balancer, ask each instance',
    errors: { 400: 'validation_failed: top is invalid', 403: 'forbidden: the caller is not an admin' },
    responses: { 200: jsonContent(EventStreamStatsSchema, 'Counts and settings') },
  }),
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
