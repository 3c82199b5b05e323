import { httpInstrumentationMiddleware } from '@hono/otel';
import { OpenAPIHono } from '@hono/zod-openapi';
import { methodNotAllowed } from 'hono/method-not-allowed';
import type { ApiDeps } from './deps';
import type { ApiEnv } from './hono-env';
import { authenticate } from './auth/authenticate';
import { createTokenVerifier } from './auth/token-verifier';
import { ApiError, handleError, respond, validationHook } from './errors';
import { TAGS } from './operation';
import { PROBLEM_CONTENT_TYPE } from './problem';
import { ProblemSchema } from './schemas';
import { requestContext } from './middleware/request-context';
import { securityHeaders } from './middleware/security-headers';
import { closeAfterUnreadBody } from './middleware/unread-body';
import { adminConsumerRoutes } from './routes/admin-consumers';
import { adminEventStreamRoutes } from './routes/admin-event-streams';
import { adminInventoryRoutes } from './routes/admin-inventory';
import { adminOutboxRoutes } from './routes/admin-outbox';
import { adminSagaRoutes } from './routes/admin-sagas';
import { asyncApiRoutes } from './routes/asyncapi';
import { docsRoutes } from './routes/docs';
import { healthRoutes } from './routes/health';
import { orderEventRoutes } from './routes/order-events';
import { orderTimelineRoutes } from './routes/order-timeline';
import { orderRoutes } from './routes/orders';
import { metricsRoutes } from './routes/metrics';
import { reviewRoutes } from './routes/review';
import { httpMetrics } from '../telemetry/metrics-http';

/** The HTTP API: stateless, so any number of instances can serve behind one address. */
export function createApp(deps: ApiDeps): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  // First, so every line logged for the request and every call it makes is inside its span,
  // named by method and route pattern (`POST /orders`, `GET /orders/:id`).
  if (deps.tracing) app.use('*', httpInstrumentationMiddleware({ serviceName: 'api' }));
  app.use('*', httpMetrics());
  app.use('*', closeAfterUnreadBody());
  app.use('*', ...requestContext(deps.log));
  app.use('*', securityHeaders());
  app.use('*', authenticate(createTokenVerifier(deps.config), deps.adminToken));
  app.use(
    '*',
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, allowed) => {
        c.header('Allow', allowed.join(', '));
        return respond(
          c,
          new ApiError(405, 'method_not_allowed', `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(', ')}`),
        );
      },
    }),
  );

  app.route('/', healthRoutes(deps));
  app.route('/', orderRoutes(deps));
  app.route('/', orderEventRoutes(deps));
  app.route('/', orderTimelineRoutes(deps));
  app.route('/', reviewRoutes(deps));
  app.route('/', adminInventoryRoutes(deps));
  app.route('/', adminOutboxRoutes(deps));
  app.route('/', adminConsumerRoutes(deps));
  app.route('/', adminSagaRoutes(deps));
  app.route('/', adminEventStreamRoutes(deps));
  app.route('/', docsRoutes());
  app.route('/', asyncApiRoutes(deps));
  app.route('/', metricsRoutes());

  app.openAPIRegistry.registerComponent('securitySchemes', 'customerToken', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      "A JWT whose subject (sub) is the customer id, with the API's issuer and audience; `npm run token -- <customer-id>` mints one for a local stack. A roles claim containing admin makes an admin.",
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', {
    type: 'http',
    scheme: 'bearer',
    description: "The operator's ADMIN_TOKEN (npm start writes it to .local/admin-token)",
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'streamTicket', {
    type: 'apiKey',
    in: 'query',
    name: 'ticket',
    description:
      "A single-use stream ticket from POST /orders/{id}/events/ticket: opens that order's event stream once, for a browser EventSource.",
  });
  app.openAPIRegistry.register('Problem', ProblemSchema);
  app.openAPIRegistry.registerComponent('responses', 'Problem', {
    description: 'An error, as RFC 9457 problem details: the same shape for every error of every operation',
    content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Saga orchestrator API',
      version: '0.1.0',
      description:
        'Submit orders, follow and steer their sagas, and administer stock and the outbox. Every error is an ' +
        'application/problem+json body (RFC 9457) with a stable `code`; besides the errors each operation lists, any path ' +
        'answers 404 route_not_found when no route matches and 405 method_not_allowed (with Allow) for another method.',
      contact: { name: 'Saga orchestrator maintainers' },
    },
    // Relative: the instance that served this document, whatever its address (Swagger UI's Try it out calls it).
    servers: [{ url: '/', description: 'The API instance serving this document (a local stack: http://localhost:3000)' }],
    tags: TAGS.map((tag) => ({ ...tag })),
  });

  app.notFound((c) => respond(c, new ApiError(404, 'route_not_found', `no route for ${c.req.method} ${c.req.path}`)));
  app.onError(handleError);
  return app;
}
