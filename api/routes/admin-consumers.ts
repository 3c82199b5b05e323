import { createRoute } from '@hono/zod-openapi';
import { ConsumerNotDeclaredError, UnknownConsumerError } from '../../messaging/consumer-control';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { callerOf, requireAdmin } from '../auth/require-caller';
import { auditedSweep, SWEEP_FAILED } from './audited-sweep';
import { operation } from '../operation';
import { ADMIN_SECURITY, createRouter } from '../router';
import {
  ConsumerListSchema,
  ConsumerParamSchema,
  ConsumerStateChangeSchema,
  DeadLetterActionListSchema,
  DeadLetterActionQuerySchema,
  DeadLetterListSchema,
  DeadLetterSweepQuerySchema,
  DiscardResultSchema,
  DeadLetterPeekQuerySchema,
  jsonContent as json,
  ReplayResultSchema,
} from '../schemas';

const ADMIN_ONLY = { 403: 'forbidden: the caller is not an admin' } as const;
const UNKNOWN_CONSUMER = { 404: 'consumer_not_found: no consumer of that name (errors lists the known ones)' } as const;

const listRoute = createRoute({
  method: 'get',
  path: '/admin/consumers',
  security: ADMIN_SECURITY,
  ...operation({
    operationId: 'listConsumers',
    tag: 'consumers',
    summary: "Each consumer's state, queue depth, attached instances and DLQ depth (admin)",
    errors: ADMIN_ONLY,
    responses: { 200: json(ConsumerListSchema, 'The consumers') },
  }),
});

const stateRoute = (action: 'stop' | 'start') =>
  createRoute({
    method: 'post',
    path: `/admin/consumers/{name}/${action}`,
    security: ADMIN_SECURITY,
    request: { params: ConsumerParamSchema },
    ...operation({
      operationId: action === 'stop' ? 'stopConsumer' : 'startConsumer',
      tag: 'consumers',
      summary:
        action === 'stop'
          ? 'Stop taking deliveries everywhere; in-flight messages finish, new ones wait in the queue (admin)'
          : 'Resume taking deliveries (admin)',
      errors: { 400: 'validation_failed: the name is invalid', ...ADMIN_ONLY, ...UNKNOWN_CONSUMER },
      responses: {
        200: json(ConsumerStateChangeSchema, 'Every instance follows the new state'),
        202: json(
          ConsumerStateChangeSchema,
          'Recorded, but the queue did not reflect it in time (for a start: no consumer process is running)',
        ),
      },
    }),
  });

const NOT_DECLARED = { 409: 'consumer_not_declared: the consumer has not declared its queues yet (it never ran)' } as const;

const peekRoute = createRoute({
  method: 'get',
  path: '/admin/dlq/{name}',
  security: ADMIN_SECURITY,
  request: { params: ConsumerParamSchema, query: DeadLetterPeekQuerySchema },
  ...operation({
    operationId: 'peekDeadLetters',
    tag: 'dead letters',
    summary: "Peek a consumer's dead letters with their reasons, oldest first, leaving them in place (admin)",
    errors: { 400: 'validation_failed: the name or limit is invalid', ...ADMIN_ONLY, ...UNKNOWN_CONSUMER, ...NOT_DECLARED },
    responses: { 200: json(DeadLetterListSchema, 'The dead letters') },
  }),
});

const FILTER_NOTE =
  'Filters (query): event, orderId, messageId; a dead letter must match each one given. Recorded, with the caller, in ' +
  'GET /admin/dlq/{name}/actions before the first dead letter is taken, then marked done or failed. One call scans at most ' +
  'DLQ_SWEEP_MAX_SCAN dead letters: while it answers complete: false, call again with the same filter and its cursor';

const replayRoute = createRoute({
  method: 'post',
  path: '/admin/dlq/{name}/replay',
  security: ADMIN_SECURITY,
  request: { params: ConsumerParamSchema, query: DeadLetterSweepQuerySchema },
  ...operation({
    operationId: 'replayDeadLetters',
    tag: 'dead letters',
    summary: "Move a consumer's dead letters (all, or those the filter matches) back to its queue with fresh attempts (admin)",
    description: `${FILTER_NOTE}. Dead letters parked longer than DLQ_REPLAY_WINDOW_MS ago stay (expired): discard them instead`,
    errors: {
      400: 'validation_failed: the name, a filter or the cursor is invalid',
      ...ADMIN_ONLY,
      ...UNKNOWN_CONSUMER,
      ...NOT_DECLARED,
      503: SWEEP_FAILED,
    },
    responses: { 200: json(ReplayResultSchema, 'What was replayed') },
  }),
});

const discardRoute = createRoute({
  method: 'post',
  path: '/admin/dlq/{name}/discard',
  security: ADMIN_SECURITY,
  request: { params: ConsumerParamSchema, query: DeadLetterSweepQuerySchema },
  ...operation({
    operationId: 'discardDeadLetters',
    tag: 'dead letters',
    summary: "Drop a consumer's dead letters that the filter matches, for good (admin)",
    description: `${FILTER_NOTE}. At least one filter is required: there is no discard-everything`,
    errors: {
      400: 'validation_failed: the name, a filter or the cursor is invalid, or no filter was given',
      ...ADMIN_ONLY,
      ...UNKNOWN_CONSUMER,
      ...NOT_DECLARED,
      503: SWEEP_FAILED,
    },
    responses: { 200: json(DiscardResultSchema, 'What was discarded') },
  }),
});

const actionsRoute = createRoute({
  method: 'get',
  path: '/admin/dlq/{name}/actions',
  security: ADMIN_SECURITY,
  request: { params: ConsumerParamSchema, query: DeadLetterActionQuerySchema },
  ...operation({
    operationId: 'listDeadLetterActions',
    tag: 'dead letters',
    summary:
      "Every replay and discard of a consumer's dead letters: who, when, which filter and messages, whether it is running, done or failed, newest first (admin)",
    errors: { 400: 'validation_failed: the name or limit is invalid', ...ADMIN_ONLY },
    responses: { 200: json(DeadLetterActionListSchema, 'The recorded actions') },
  }),
});

/** The control's errors as HTTP answers (a sweep's DeadLetterSweepError: auditedSweep, which knows its audit entry). */
async function controlled<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof UnknownConsumerError)
      throw new ApiError(404, error.code, error.message, [{ path: 'name', message: `known: ${error.known.join(', ')}` }]);
    if (error instanceof ConsumerNotDeclaredError) throw new ApiError(409, error.code, error.message);
    throw error;
  }
}

/** Operating the consumers from the API; they run in their own processes. */
export function adminConsumerRoutes(deps: ApiDeps) {
  const { consumers, store } = deps;
  const app = createRouter();
  app.use('/admin/consumers', requireAdmin());
  app.use('/admin/consumers/*', requireAdmin());
  app.use('/admin/dlq/*', requireAdmin());
  return app
    .openapi(listRoute, async (c) => c.json({ consumers: await consumers.listConsumers() }, 200))
    .openapi(stateRoute('stop'), async (c) => {
      const { name } = c.req.valid('param');
      const change = await controlled(() => consumers.stopConsumer(name));
      c.get('log').info({ consumer: name, settled: change.settled }, 'consumer stopped');
      return change.settled ? c.json(change, 200) : c.json(change, 202);
    })
    .openapi(stateRoute('start'), async (c) => {
      const { name } = c.req.valid('param');
      const change = await controlled(() => consumers.startConsumer(name));
      c.get('log').info({ consumer: name, settled: change.settled }, 'consumer started');
      return change.settled ? c.json(change, 200) : c.json(change, 202);
    })
    .openapi(peekRoute, async (c) => {
      const { name } = c.req.valid('param');
      const deadLetters = await controlled(() => consumers.peekDeadLetters(name, c.req.valid('query').limit));
      return c.json({ consumer: name, deadLetters }, 200);
    })
    .openapi(replayRoute, async (c) => {
      const { name } = c.req.valid('param');
      const { cursor, ...query } = c.req.valid('query');
      const filter = definedOf(query);
      const entry = { consumer: name, action: 'replay' as const, actor: callerOf(c), filter };
      const result = await auditedSweep(store, c.get('log'), entry, (beforeSweep) =>
        controlled(() => consumers.replayDeadLetters(name, filter, { cursor, beforeSweep })),
      );
      c.get('log').info(
        { consumer: name, filter, replayed: result.replayed, expired: result.expired, complete: result.complete },
        'dead letters replayed',
      );
      return c.json(result, 200);
    })
    .openapi(discardRoute, async (c) => {
      const { name } = c.req.valid('param');
      const { cursor, ...query } = c.req.valid('query');
      const filter = definedOf(query);
      if (Object.keys(filter).length === 0) {
        throw new ApiError(400, 'validation_failed', 'a discard needs a filter: it drops messages for good', [
          { path: 'event', message: 'give event, orderId or messageId' },
        ]);
      }
      const entry = { consumer: name, action: 'discard' as const, actor: callerOf(c), filter };
      const result = await auditedSweep(store, c.get('log'), entry, (beforeSweep) =>
        controlled(() => consumers.discardDeadLetters(name, filter, { cursor, beforeSweep })),
      );
      c.get('log').warn({ consumer: name, filter, discarded: result.discarded, complete: result.complete }, 'dead letters discarded');
      return c.json(result, 200);
    })
    .openapi(actionsRoute, async (c) => {
      const { name } = c.req.valid('param');
      return c.json({ consumer: name, actions: await store.listDeadLetterActions(name, c.req.valid('query').limit) }, 200);
    });
}

/** The filter's given fields only, as the audit keeps it. */
const definedOf = (filter: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(filter).filter((entry): entry is [string, string] => entry[1] !== undefined));
