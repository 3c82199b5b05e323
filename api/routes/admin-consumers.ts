import { createRoute, z } from '@hono/zod-openapi';
import { ConsumerNotDeclaredError, MAX_PEEK_LIMIT, UnknownConsumerError } from '../../messaging/consumer-control';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { adminAuth } from '../middleware/admin-auth';
import { ADMIN_SECURITY, createRouter } from '../router';
import { errorResponses } from '../schemas';

const ConsumerStatusSchema = z
  .object({
    name: z.string(),
    queue: z.string(),
    deadLetterQueue: z.string(),
    state: z.enum(['running', 'stopped']),
    stateChangedAt: z.string().nullable(),
    consumers: z.number().int(),
    queueDepth: z.number().int(),
    retrying: z.number().int(),
    dlqDepth: z.number().int(),
    declared: z.boolean(),
  })
  .openapi('ConsumerStatus');
const StateChangeSchema = z.object({ status: ConsumerStatusSchema, settled: z.boolean() }).openapi('ConsumerStateChange');
const DeadLetterSchema = z
  .object({
    messageId: z.string().nullable(),
    event: z.string().nullable(),
    orderId: z.string().nullable(),
    reason: z.string(),
    error: z.string(),
    attempts: z.number().int().nullable(),
    consumer: z.string().nullable(),
    deadLetteredAt: z.string().nullable(),
    replays: z.number().int(),
    body: z.string().openapi({ description: 'As received: text when it is valid UTF-8, else base64 (bodyEncoding); the first 64 KiB' }),
    bodyEncoding: z.enum(['utf8', 'base64']),
    bodyBytes: z.number().int().openapi({ description: 'The whole body, which can be longer than `body` shows' }),
  })
  .openapi('DeadLetter');
const ReplayResultSchema = z
  .object({ consumer: z.string(), replayed: z.number().int(), dlqDepth: z.number().int() })
  .openapi('ReplayResult');

const ConsumerParam = z.object({
  name: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'name', in: 'path' }, example: 'order-projection' }),
});
const json = <T>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

const listRoute = createRoute({
  method: 'get',
  path: '/admin/consumers',
  summary: "Each consumer's state, queue depth, attached instances and DLQ depth (admin)",
  security: ADMIN_SECURITY,
  responses: { 200: json(z.object({ consumers: z.array(ConsumerStatusSchema) }), 'The consumers'), ...errorResponses(401) },
});

const stateRoute = (action: 'stop' | 'start') =>
  createRoute({
    method: 'post',
    path: `/admin/consumers/{name}/${action}`,
    summary:
      action === 'stop'
        ? 'Stop taking deliveries everywhere; in-flight messages finish, new ones wait in the queue (admin)'
        : 'Resume taking deliveries (admin)',
    security: ADMIN_SECURITY,
    request: { params: ConsumerParam },
    responses: {
      200: json(StateChangeSchema, 'Every instance follows the new state'),
      202: json(StateChangeSchema, 'Recorded, but the queue did not reflect it in time (for a start: no consumer process is running)'),
      ...errorResponses(401, 404),
    },
  });

const peekRoute = createRoute({
  method: 'get',
  path: '/admin/dlq/{name}',
  summary: "Peek a consumer's dead letters with their reasons, oldest first, leaving them in place (admin)",
  security: ADMIN_SECURITY,
  request: { params: ConsumerParam, query: z.object({ limit: z.coerce.number().int().min(1).max(MAX_PEEK_LIMIT).default(50) }) },
  responses: {
    200: json(z.object({ consumer: z.string(), deadLetters: z.array(DeadLetterSchema) }), 'The dead letters'),
    ...errorResponses(400, 401, 404, 409),
  },
});

const replayRoute = createRoute({
  method: 'post',
  path: '/admin/dlq/{name}/replay',
  summary: "Move a consumer's dead letters back to its queue with fresh attempts (admin)",
  security: ADMIN_SECURITY,
  request: { params: ConsumerParam },
  responses: { 200: json(ReplayResultSchema, 'What was replayed'), ...errorResponses(401, 404, 409) },
});

/** The control's errors as HTTP answers. */
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
  const { consumers } = deps;
  const app = createRouter();
  app.use('/admin/consumers', adminAuth(deps.adminToken));
  app.use('/admin/consumers/*', adminAuth(deps.adminToken));
  app.use('/admin/dlq/*', adminAuth(deps.adminToken));
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
      const result = await controlled(() => consumers.replayDeadLetters(name));
      c.get('log').info({ consumer: name, replayed: result.replayed }, 'dead letters replayed');
      return c.json(result, 200);
    });
}
