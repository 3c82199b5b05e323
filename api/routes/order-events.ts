import { createRoute } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import type { ApiDeps } from '../deps';
import { callerOf, requireCaller } from '../auth/require-caller';
import { pipeOrderEvents, presentEvent } from '../event-streams/pipe-order-events';
import { resumeAfterSeq } from '../event-streams/resume-point';
import { capKeyOf } from '../event-streams/stream-caps';
import { EventStreamHeaderSchema, EventStreamQuerySchema, StreamTicketSchema } from '../event-streams/stream-schemas';
import { ticketCaller } from '../event-streams/ticket-caller';
import { assertCallerMayRead } from '../orders/order-access';
import { operation } from '../operation';
import { CALLER_SECURITY, createRouter, logOrder } from '../router';
import { jsonContent, OrderEventListSchema, OrderEventStreamSchema, OrderIdParamSchema } from '../schemas';

const eventsRoute = (deps: ApiDeps) =>
  createRoute({
    method: 'get',
    path: '/orders/{id}/events',
    security: [...CALLER_SECURITY, { streamTicket: [] }],
    middleware: [ticketCaller(deps.streams.tickets), requireCaller()],
    request: { params: OrderIdParamSchema, query: EventStreamQuerySchema, headers: EventStreamHeaderSchema },
    ...operation({
      operationId: 'getOrderEvents',
      tag: 'orders',
      summary: "The order's integration events; with Accept: text/event-stream, live until the order ends",
      description:
        'A stream sends each event as it commits (SSE id = messageId), an SSE comment every EVENT_STREAM_HEARTBEAT_MS, and ends after ' +
        'the outcome event, or after EVENT_STREAM_MAX_LIFETIME_MS (or when the instance stops) with a `reconnect` event carrying `retry:`. ' +
        'A reconnect with Last-Event-ID (or lastEventId=) resumes after that event. Open streams are capped per caller (429) and per ' +
        'instance (503), both with Retry-After. A browser EventSource, which cannot send Authorization, passes ?ticket= from ' +
        'POST /orders/{id}/events/ticket instead',
      errors: {
        400: 'validation_failed: the id or a parameter is invalid; ambiguous_credentials: both a ticket and an Authorization header',
        401: 'unauthorized: no credentials, a token that does not verify, or a ticket that is unknown, used or expired',
        404: "order_not_found: no such order, or another customer's",
        429: 'too_many_streams: the caller holds EVENT_STREAMS_PER_CUSTOMER streams; close one, or retry after Retry-After',
        503: "streams_full: this instance holds EVENT_STREAMS_MAX streams; shutting_down: it is stopping; auth_unavailable: the identity provider's keys are out of reach. Retry after Retry-After",
      },
      responses: {
        200: {
          description: 'Events in commit order',
          content: {
            'application/json': { schema: OrderEventListSchema },
            'text/event-stream': { schema: OrderEventStreamSchema },
          },
        },
      },
    }),
  });

const ticketRoute = createRoute({
  method: 'post',
  path: '/orders/{id}/events/ticket',
  security: CALLER_SECURITY,
  middleware: [requireCaller()],
  request: { params: OrderIdParamSchema },
  ...operation({
    operationId: 'createOrderEventTicket',
    tag: 'orders',
    summary: "A short-lived, single-use ticket that opens the order's event stream from a browser EventSource",
    description:
      'For pages: `new EventSource(url)` cannot send Authorization, and a long-lived token must not sit in a URL. The ticket opens ' +
      'GET /orders/{id}/events once, for this order only, within EVENT_STREAM_TICKET_TTL_MS; any API instance redeems it',
    errors: { 400: 'validation_failed: the id is not a UUID', 404: "order_not_found: no such order, or another customer's" },
    responses: { 200: jsonContent(StreamTicketSchema, 'The ticket and the stream URL that carries it') },
  }),
});

export function orderEventRoutes(deps: ApiDeps) {
  const { store, streams } = deps;

  return createRouter()
    .openapi(eventsRoute(deps), async (c) => {
      const { id } = c.req.valid('param');
      logOrder(c, id);
      const caller = callerOf(c);
      await assertCallerMayRead(deps, caller, id);
      if (!(c.req.header('accept') ?? '').includes('text/event-stream')) {
        return c.json({ events: (await store.readOrderEvents(id)).map(presentEvent) }, 200);
      }
      const release = streams.caps.open(capKeyOf(caller), streams.hub.closed);
      // Subscribed before the first read, so nothing committed in between is missed.
      const subscription = streams.hub.subscribe(id);
      let afterSeq: number;
      try {
        afterSeq = await resumeAfterSeq(store, id, c.req.valid('header')['last-event-id'] ?? c.req.valid('query').lastEventId);
      } catch (error) {
        subscription.close();
        release();
        throw error;
      }
      const response = streamSSE(c, async (stream) => {
        stream.onAbort(() => subscription.close());
        try {
          const end = await pipeOrderEvents(stream, { orderId: id, afterSeq, events: store, subscription, timing: streams.timing });
          c.get('log').debug({ end }, 'event stream ended');
        } finally {
          subscription.close();
          release();
        }
      });
      // The client reconnects on a new request anyway; a socket left open would hold the server's close when the API stops.
      response.headers.set('Connection', 'close');
      return response;
    })
    .openapi(ticketRoute, async (c) => {
      const { id } = c.req.valid('param');
      logOrder(c, id);
      const caller = callerOf(c);
      await assertCallerMayRead(deps, caller, id);
      const issued = await streams.tickets.issue(id, caller);
      c.header('Cache-Control', 'no-store');
      return c.json({ ...issued, url: `/orders/${id}/events?ticket=${encodeURIComponent(issued.ticket)}` }, 200);
    });
}
