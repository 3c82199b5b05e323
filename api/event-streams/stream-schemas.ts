import { z } from '@hono/zod-openapi';

export const EventStreamQuerySchema = z.object({
  ticket: z.string().min(1).max(200).optional().openapi({
    description:
      'A stream ticket from POST /orders/{id}/events/ticket, in place of the Authorization header (for a browser EventSource). Works once, for this order, until it expires.',
  }),
  lastEventId: z.string().max(100).optional().openapi({
    description: 'Resume after this event id, as the Last-Event-ID header does (for a new EventSource, which cannot send that header)',
  }),
});

export const EventStreamHeaderSchema = z.object({
  'last-event-id': z.string().max(100).optional().openapi({
    description:
      "Sent by a reconnecting EventSource: the stream resumes after this event. An id that is not one of the order's events starts from the first event.",
  }),
});

export const StreamTicketSchema = z
  .object({
    ticket: z.string().openapi({ description: 'Single use; only its sha256 is stored' }),
    expiresAt: z.string().datetime(),
    url: z.string().openapi({
      description: 'The stream with the ticket, relative to the API: new EventSource(url)',
      example: '/orders/8f3c2a1e-5b6d-4c7e-9f80-1a2b3c4d5e6f/events?ticket=…',
    }),
  })
  .openapi('StreamTicket');

export const EventStreamStatsSchema = z
  .object({
    open: z.number().int().openapi({ description: 'Event streams this API instance holds open' }),
    topCustomers: z
      .array(z.object({ customer: z.string(), open: z.number().int() }))
      .openapi({ description: 'The callers with the most open streams (admins as admin:<subject>), most first' }),
    refused: z.object({
      perCustomer: z.number().int().openapi({ description: '429s: a caller at EVENT_STREAMS_PER_CUSTOMER' }),
      total: z.number().int().openapi({ description: '503s: this instance at EVENT_STREAMS_MAX' }),
      stopping: z.number().int().openapi({ description: '503s: asked while this instance was stopping' }),
    }),
    settings: z.object({
      perCustomer: z.number().int(),
      total: z.number().int(),
      maxLifetimeMs: z.number().int(),
      heartbeatMs: z.number().int(),
      retryMs: z.number().int(),
      ticketTtlMs: z.number().int(),
    }),
    listener: z.object({
      listening: z.boolean().openapi({ description: "Whether the instance's LISTEN connection is up" }),
      relistens: z.number().int().openapi({ description: 'Times it came back after a loss (every stream then re-read)' }),
      notifications: z.number().int().openapi({ description: 'Order notifications received' }),
    }),
  })
  .openapi('EventStreamStats');

export const EventStreamStatsQuerySchema = z.object({ top: z.coerce.number().int().min(1).max(100).default(10) });
