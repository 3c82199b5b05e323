import { createRoute } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { isOutcomeEvent } from '../../domain/events';
import type { ApiDeps } from '../deps';
import { callerOf, requireCaller } from '../auth/require-caller';
import { assertCallerMayRead } from '../orders/order-access';
import { CALLER_SECURITY, createRouter, logOrder } from '../router';
import { errorResponses, OrderEventListSchema, OrderEventStreamSchema, OrderIdParamSchema } from '../schemas';
import type { OrderEvent } from '../store/order-events';

const POLL_MS = 250;
const KEEPALIVE_MS = 15_000;

const eventsRoute = createRoute({
  method: 'get',
  path: '/orders/{id}/events',
  summary: "The order's integration events; with Accept: text/event-stream, live until the order ends",
  security: CALLER_SECURITY,
  middleware: [requireCaller()],
  request: { params: OrderIdParamSchema },
  responses: {
    200: {
      description: 'Events in commit order',
      content: {
        'application/json': { schema: OrderEventListSchema },
        'text/event-stream': { schema: OrderEventStreamSchema },
      },
    },
    ...errorResponses(400, 401, 404),
  },
});

export function orderEventRoutes(deps: ApiDeps) {
  const { store } = deps;

  return createRouter().openapi(eventsRoute, async (c) => {
    const { id } = c.req.valid('param');
    logOrder(c, id);
    await assertCallerMayRead(deps, callerOf(c), id);
    const present = (events: OrderEvent[]) => events.map(({ seq: _seq, ...event }) => event);
    if (!(c.req.header('accept') ?? '').includes('text/event-stream')) {
      return c.json({ events: present(await store.readOrderEvents(id)) }, 200);
    }
    // Polls the outbox: events are few per order, and this needs no connection per stream.
    return streamSSE(c, async (stream) => {
      let afterSeq = 0;
      let lastWrite = Date.now();
      let ended = false;
      stream.onAbort(() => {
        ended = true;
      });
      while (!ended) {
        const events = await store.readOrderEvents(id, afterSeq);
        for (const event of events) {
          await stream.writeSSE({ id: event.messageId, event: event.name, data: JSON.stringify(present([event])[0]) });
          afterSeq = event.seq;
          lastWrite = Date.now();
          if (isOutcomeEvent(event.name)) ended = true;
        }
        if (ended) break;
        if (Date.now() - lastWrite > KEEPALIVE_MS) {
          await stream.write(': keep-alive\n\n');
          lastWrite = Date.now();
        }
        await stream.sleep(POLL_MS);
      }
    });
  });
}
