import { z } from '@hono/zod-openapi';
import { CUSTOMER_ID_PATTERN, CUSTOMER_ID_RULE } from '../domain/customer-id';
import { ORDER_STATUSES } from '../domain/order';
import { MAX_PEEK_LIMIT } from '../messaging/consumer-control';
import { CONSUMER_STATES } from '../messaging/consumer-states';
import {
  MAX_LINES_PER_ORDER,
  MAX_ORDER_TOTAL_CENTS,
  MAX_UNITS_PER_LINE,
  MAX_UNITS_PER_ORDER,
  mergedUnitViolations,
  quantityViolations,
} from '../domain/order-limits';
import { DEPENDENCY_NAMES } from './readiness';
import { DEAD_LETTER_ACTION_STATUSES } from './store/dead-letter-action-status';
import { freeText } from './free-text';

/** Request and response shapes; the single source for validation and the OpenAPI document. */

export const OrderItemSchema = z
  .object({
    sku: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'a SKU is 1-64 letters, digits, - or _')
      .openapi({ example: 'SKU-RED-MUG' }),
    quantity: z
      .number()
      .int()
      .min(1)
      .max(MAX_UNITS_PER_LINE)
      .openapi({
        example: 2,
        description: `Units, 1-${MAX_UNITS_PER_LINE}. Lines naming the same SKU are added up, and the sum is held to the same limit`,
      }),
  })
  .strict();

export const ShippingAddressSchema = z
  .object({
    name: freeText(200).openapi({ example: 'Ada Lovelace' }),
    line1: freeText(200).openapi({ example: '12 St James Sq' }),
    city: freeText(100).openapi({ example: 'London' }),
    postalCode: freeText(20).openapi({ example: 'SW1Y 4JH' }),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code such as DE')
      .openapi({ example: 'GB' }),
  })
  .strict();

export const SubmitOrderSchema = z
  .object({
    customerId: z.string().regex(CUSTOMER_ID_PATTERN, CUSTOMER_ID_RULE).optional().openapi({
      example: 'auth0|cust-42',
      description:
        "Optional: the customer is the caller's token subject. When given it must equal it (403 otherwise); an admin submitting for a customer must give it.",
    }),
    items: z
      .array(OrderItemSchema)
      .min(1)
      .max(MAX_LINES_PER_ORDER)
      .openapi({
        description:
          `1-${MAX_LINES_PER_ORDER} lines; at most ${MAX_UNITS_PER_LINE} units of one SKU and ${MAX_UNITS_PER_ORDER} units in all. ` +
          `Priced from the catalog, the order may total at most ${(MAX_ORDER_TOTAL_CENTS / 100).toFixed(2)} EUR (${MAX_ORDER_TOTAL_CENTS} cents); ` +
          'above that it is refused with 400 naming items, and nothing is started',
      }),
    payment: z.object({ token: freeText(100).openapi({ example: 'tok_visa' }) }).strict(),
    shippingAddress: ShippingAddressSchema,
  })
  .strict()
  // The unit limits hold after merging repeated SKUs; the total needs the catalog's prices (api/orders/check-catalog.ts).
  .superRefine((body, ctx) => {
    // Zod itself names a line whose quantity is not a whole number in range.
    if (quantityViolations(body.items).length > 0) return;
    for (const { path, message } of mergedUnitViolations(body.items)) {
      ctx.addIssue({ code: 'custom', path: path.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part)), message });
    }
  })
  .openapi('SubmitOrder');
export type SubmitOrder = z.infer<typeof SubmitOrderSchema>;

export const OrderStatusEnum = z.enum(ORDER_STATUSES).openapi('OrderStatus');

export const OrderIdParamSchema = z.object({
  id: z
    .string()
    .uuid('an order id is a UUID')
    .openapi({ param: { name: 'id', in: 'path' }, example: '8f3c2a1e-5b6d-4c7e-9f80-1a2b3c4d5e6f' }),
});

export const SubmittedOrderSchema = z
  .object({
    orderId: z.string().uuid(),
    workflowId: z.string(),
    status: OrderStatusEnum,
    links: z.object({ self: z.string(), temporalUi: z.string().url() }),
  })
  .openapi('SubmittedOrder');

export const CancellationSchema = z
  .object({
    reason: z.string(),
    requestedAt: z.string(),
    waitsFor: z.string().nullable().openapi({
      description: 'The step the cancel waits for, when it arrived during one it cannot interrupt (recordOrder); null once it took effect',
    }),
  })
  .openapi('Cancellation');

export const StepRetrySchema = z
  .object({
    step: z.string(),
    retryingSince: z.string().openapi({ description: 'When the first attempt that has not been followed by a success failed' }),
    attempts: z.number().int().openapi({ description: 'Attempts that failed so far' }),
    lastError: z.string(),
    stuck: z.boolean().openapi({ description: 'Retrying for longer than STEP_STUCK_AFTER_MS' }),
  })
  .openapi('StepRetry');

export const OrderStateSchema = z
  .object({
    orderId: z.string().uuid(),
    customerId: z.string(),
    status: OrderStatusEnum,
    totalCents: z.number().int().nullable(),
    currency: z.string(),
    lines: z.array(z.object({ sku: z.string(), quantity: z.number().int(), unitPriceCents: z.number().int() })),
    steps: z.array(z.object({ step: z.string(), completedAt: z.string() })),
    compensations: z.array(
      z.object({ step: z.string(), completedAt: z.string(), outcome: z.enum(['COMPENSATED', 'FAILED']), error: z.string().optional() }),
    ),
    failure: z.object({ step: z.string(), type: z.string(), reason: z.string() }).nullable(),
    waitingFor: z.string().nullable(),
    cancellation: CancellationSchema.nullable().openapi({ description: 'A cancel the saga accepted, or null' }),
    outcomeError: z
      .string()
      .nullable()
      .openapi({ description: 'Why the outcome could not be written to the database (the order is then NEEDS_ATTENTION), or null' }),
    retrying: z
      .array(StepRetrySchema)
      .openapi({ description: 'Steps of a running saga that failed and are being retried; empty when none' }),
    source: z.enum(['temporal', 'database']).openapi({
      description:
        'temporal: the saga itself answered. database: Temporal no longer keeps the workflow (retention), so the order row and step ' +
        'ledger in PostgreSQL did; what only the workflow knew (waitingFor, cancellation) is null',
    }),
  })
  .openapi('OrderState');

export const OrderRequestPendingSchema = z
  .object({
    orderId: z.string().uuid(),
    request: z.enum(['cancel', 'approve', 'reject']),
    accepted: z.boolean().openapi({
      description:
        'true: the saga accepted the request and applies it when the step it waits for ends; false: the saga has not taken the request ' +
        'within SAGA_ANSWER_TIMEOUT_MS (it is inside a step, or no worker runs): it decides when it does, and may still refuse it',
    }),
    status: OrderStatusEnum.nullable().openapi({ description: 'The last status the saga reported' }),
    message: z.string(),
    cancellation: CancellationSchema.nullable(),
    retrying: z.array(StepRetrySchema),
  })
  .openapi('OrderRequestPending');
export type OrderRequestPending = z.infer<typeof OrderRequestPendingSchema>;

export const StuckSagaSchema = StepRetrySchema.extend({ orderId: z.string().uuid(), workflowId: z.string() }).openapi('StuckSaga');
export const StuckSagaListSchema = z.object({ stuckAfterMs: z.number().int(), sagas: z.array(StuckSagaSchema) }).openapi('StuckSagaList');

export const IdempotencyKeyHeaderSchema = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .optional()
    .openapi({ description: 'Repeat a request safely: the same key and body return the same order' }),
});

export const ListOrdersQuerySchema = z.object({
  status: OrderStatusEnum.optional(),
  customerId: z
    .string()
    .regex(CUSTOMER_ID_PATTERN, CUSTOMER_ID_RULE)
    .optional()
    .openapi({ description: "An admin's filter; a customer always sees only their own orders" }),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  pageToken: z
    .string()
    .max(2000)
    .regex(/^[A-Za-z0-9+/=_-]*$/, 'a page token is the nextPageToken of a previous page')
    .optional(),
});

export const OrderSummarySchema = z
  .object({
    orderId: z.string(),
    workflowId: z.string(),
    status: OrderStatusEnum.nullable(),
    customerId: z.string().nullable(),
    total: z.number().nullable(),
    startedAt: z.string().nullable(),
    closedAt: z.string().nullable(),
  })
  .openapi('OrderSummary');

export const OrderListSchema = z.object({ orders: z.array(OrderSummarySchema), nextPageToken: z.string().nullable() }).openapi('OrderList');

export const CancelOrderSchema = z
  .object({ reason: freeText(500).optional() })
  .strict()
  .openapi('CancelOrder');
export const ReviewDecisionSchema = z
  .object({ reviewer: freeText(200).optional(), reason: freeText(500).optional() })
  .strict()
  .openapi('ReviewDecision');

/** RFC 9457 problem details (api/problem.ts): the body of every error, served as application/problem+json. */
export const ProblemSchema = z
  .object({
    type: z.string().openapi({
      description: 'Names the kind of problem, one per code: urn:saga-orchestrator:problem:<code>',
      example: 'urn:saga-orchestrator:problem:validation_failed',
    }),
    title: z.string().openapi({ description: 'A short summary of the type, the same every time', example: 'Validation failed' }),
    status: z.number().int().openapi({ description: 'The HTTP status', example: 400 }),
    detail: z.string().openapi({ description: 'What happened this time and what to do', example: 'the request body is invalid' }),
    instance: z.string().optional().openapi({ description: "The request's path", example: '/orders' }),
    code: z.string().openapi({ description: 'The stable code to branch on (docs/api.md lists them)', example: 'validation_failed' }),
    errors: z
      .array(
        z.object({
          path: z
            .string()
            .openapi({ description: 'A body field (dots between parts), a parameter or a header', example: 'items.0.quantity' }),
          message: z.string().openapi({ example: 'Too big: expected number to be <=100' }),
        }),
      )
      .openapi({ description: 'One entry per invalid field; empty when the problem is not about a field' }),
    requestId: z
      .string()
      .optional()
      .openapi({ description: 'The X-Request-Id of the answer: quote it to an operator', example: '2f1c7a0e-3b9d-4c55-8a1e-6d0b7f9e4c21' }),
    actionId: z.number().int().optional().openapi({
      description:
        'Only on dead_letter_sweep_failed: the audit entry of the replay or discard that failed (GET /admin/dlq/{name}/actions), listing the dead letters it acted on before it failed',
    }),
  })
  .openapi('Problem');

export const EventSchema = z
  .object({
    messageId: z.string().uuid(),
    name: z.string(),
    content: z.record(z.string(), z.unknown()),
    metadata: z.object({ correlationId: z.string(), causationId: z.string(), createdUtc: z.string() }),
    publishedAt: z.string().nullable(),
  })
  .openapi('IntegrationEvent');

export const OrderTimelineSchema = z
  .object({
    orderId: z.string().uuid(),
    status: OrderStatusEnum,
    source: z.enum(['temporal', 'database']).openapi({ description: 'Where the saga part came from, as in GET /orders/{id}' }),
    steps: z.array(z.object({ step: z.string(), completedAt: z.string() })).openapi({ description: "The saga's forward steps, in order" }),
    compensations: z
      .array(
        z.object({ step: z.string(), completedAt: z.string(), outcome: z.enum(['COMPENSATED', 'FAILED']), error: z.string().optional() }),
      )
      .openapi({ description: 'The compensations that ran, newest step first' }),
    failure: z.object({ step: z.string(), type: z.string(), reason: z.string() }).nullable(),
    events: z
      .array(
        z.object({
          messageId: z.string().uuid(),
          name: z.string(),
          committedAt: z.string().openapi({ description: 'When the step that emitted it committed (outbox row)' }),
          publishedAt: z.string().nullable().openapi({
            description:
              "When the relay recorded the broker's confirm (a consumer may have handled it a moment before); null while pending or dead",
          }),
          attempts: z.number().int().openapi({ description: 'Publish attempts' }),
          deadAt: z.string().nullable().openapi({ description: 'When the relay gave up on it (revive: POST /admin/outbox/{id}/retry)' }),
          handledBy: z
            .array(z.object({ consumer: z.string(), handledAt: z.string() }))
            .openapi({ description: "Each consumer's receipt (inbox), first handled first; receipts past INBOX_RETENTION_MS are pruned" }),
        }),
      )
      .openapi({ description: "The order's integration events in commit order, with where each went" }),
  })
  .openapi('OrderTimeline');

export const InventoryUpdateSchema = z
  .object({
    onHand: z.number().int().min(0).max(10_000_000),
    priceCents: z.number().int().min(0).max(100_000_000),
    name: freeText(200).optional(),
  })
  .strict()
  .openapi('InventoryUpdate');
export type InventoryUpdate = z.infer<typeof InventoryUpdateSchema>;

export const SkuParamSchema = z.object({
  sku: OrderItemSchema.shape.sku.openapi({ param: { name: 'sku', in: 'path' } }),
});

export const InventoryItemSchema = z
  .object({ sku: z.string(), name: z.string(), priceCents: z.number().int(), onHand: z.number().int(), reserved: z.number().int() })
  .openapi('InventoryItem');
export type InventoryItem = z.infer<typeof InventoryItemSchema>;

export const OutboxStatsSchema = z
  .object({ pending: z.number().int(), published: z.number().int(), dead: z.number().int(), oldestPendingAgeMs: z.number().nullable() })
  .openapi('OutboxStats');
export type OutboxStats = z.infer<typeof OutboxStatsSchema>;

export const OutboxIdParamSchema = z.object({
  id: z
    .string()
    .uuid('an outbox row id is a UUID')
    .openapi({ param: { name: 'id', in: 'path' } }),
});

export const OrderEventListSchema = z.object({ events: z.array(EventSchema) });
export const OrderEventStreamSchema = z
  .string()
  .openapi({ description: 'One SSE message per event: id = messageId, event = name, data = the event as JSON' });

export const StuckSagaQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) });

export const LivenessSchema = z.object({ status: z.literal('ok') });

const DependencyCheckSchema = z.object({
  up: z.boolean(),
  error: z.string().optional().openapi({ description: 'Why it is down, as the dependency or its client said' }),
  checkedAt: z.string().datetime().openapi({ description: 'When it was probed: answers are reused for READINESS_CACHE_MS' }),
});
export const ReadinessSchema = z
  .object({
    status: z.enum(['ready', 'unavailable']),
    down: z.array(z.enum(DEPENDENCY_NAMES)).openapi({ description: 'The dependencies that did not answer' }),
    checks: z
      .object({ temporal: DependencyCheckSchema, postgres: DependencyCheckSchema, rabbitmq: DependencyCheckSchema })
      .optional()
      .openapi({ description: 'Only with the admin token: each probe, with its error' }),
  })
  .openapi('Readiness');

export const ConsumerStatusSchema = z
  .object({
    name: z.string(),
    queue: z.string(),
    deadLetterQueue: z.string(),
    state: z.enum(CONSUMER_STATES),
    stateChangedAt: z.string().nullable(),
    consumers: z.number().int(),
    queueDepth: z.number().int(),
    retrying: z.number().int(),
    dlqDepth: z.number().int(),
    declared: z.boolean(),
  })
  .openapi('ConsumerStatus');
export const ConsumerListSchema = z.object({ consumers: z.array(ConsumerStatusSchema) });
export const ConsumerStateChangeSchema = z.object({ status: ConsumerStatusSchema, settled: z.boolean() }).openapi('ConsumerStateChange');
export const DeadLetterSchema = z
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
export const DeadLetterListSchema = z.object({ consumer: z.string(), deadLetters: z.array(DeadLetterSchema) });
const sweptIds = z
  .array(z.string().nullable())
  .openapi({ description: 'The message ids acted on, in queue order (null: a message without one)' });
const skippedCount = z.number().int().openapi({ description: 'Dead letters the filter passed over, left in the DLQ' });
/** How far a replay or discard got: it scans at most DLQ_SWEEP_MAX_SCAN dead letters per request. */
const sweepProgress = {
  complete: z.boolean().openapi({
    description:
      'False when the request stopped at DLQ_SWEEP_MAX_SCAN dead letters before reaching all of them: call again with the same filter and `cursor` until true',
  }),
  unscanned: z.number().int().openapi({
    description:
      'Dead letters present when the request started that it did not reach (0 when complete); after a call with a cursor, it also counts those the earlier calls passed over',
  }),
  cursor: z.string().nullable().openapi({
    description: 'Give it as `cursor` to the next call to go on where this one stopped; null when complete',
    example: '0b7d3c9e-2f4a-4e61-9a57-3c1d8e2b6f10',
  }),
};
export const ReplayResultSchema = z
  .object({
    consumer: z.string(),
    replayed: z.number().int(),
    dlqDepth: z.number().int(),
    messageIds: sweptIds,
    skipped: skippedCount,
    expired: z.number().int().openapi({
      description:
        'Matching dead letters parked longer than DLQ_REPLAY_WINDOW_MS ago, left in place: the inbox may have forgotten them, so only a discard takes them',
    }),
    ...sweepProgress,
    actionId: z.number().int().openapi({ description: 'Its entry in GET /admin/dlq/{name}/actions' }),
  })
  .openapi('ReplayResult');
export const DiscardResultSchema = z
  .object({
    consumer: z.string(),
    discarded: z.number().int(),
    dlqDepth: z.number().int(),
    messageIds: sweptIds,
    skipped: skippedCount,
    ...sweepProgress,
    actionId: z.number().int().openapi({ description: 'Its entry in GET /admin/dlq/{name}/actions' }),
  })
  .openapi('DiscardResult');
export const DeadLetterFilterSchema = z.object({
  event: z.string().min(1).max(200).optional().openapi({ description: 'Only dead letters of this event name', example: 'order.completed' }),
  orderId: z.string().uuid().optional().openapi({ description: 'Only those about this order (correlation id)' }),
  messageId: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .openapi({ description: 'Only the message with this id (any string: a message not from the relay may carry any id)' }),
});
/** A replay's or discard's query: the filter, and where an earlier incomplete call of it stopped. */
export const DeadLetterSweepQuerySchema = DeadLetterFilterSchema.extend({
  cursor: z
    .string()
    .uuid()
    .optional()
    .openapi({ description: 'The `cursor` of an earlier call with the same filter that answered `complete: false`: go on from there' }),
});
export const DeadLetterActionSchema = z
  .object({
    id: z.number().int(),
    consumer: z.string(),
    action: z.enum(['replay', 'discard']),
    actor: z
      .union([
        z.object({ kind: z.literal('admin'), subject: z.string(), via: z.enum(['jwt', 'admin-token']) }),
        z.object({ kind: z.literal('customer'), customerId: z.string() }),
      ])
      .openapi({ description: 'Who did it (the caller of the admin route)' }),
    filter: z.record(z.string(), z.string()).openapi({ description: 'The filter given; empty: every dead letter' }),
    status: z.enum(DEAD_LETTER_ACTION_STATUSES).openapi({
      description:
        'running: recorded before the first dead letter was taken, still going (or its API process died during it); done; failed: see error, and messageIds for what it did before',
    }),
    error: z.string().nullable().openapi({ description: 'Why it failed; null unless failed' }),
    messageIds: sweptIds,
    count: z.number().int().openapi({ description: 'Dead letters acted on (those in messageIds)' }),
    skipped: skippedCount,
    at: z.string().datetime().openapi({ description: 'When it started' }),
    finishedAt: z.string().datetime().nullable().openapi({ description: 'When it ended; null while running' }),
  })
  .openapi('DeadLetterAction');
export const DeadLetterActionListSchema = z.object({ consumer: z.string(), actions: z.array(DeadLetterActionSchema) });
export const DeadLetterActionQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });
export const ConsumerParamSchema = z.object({
  name: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'name', in: 'path' }, example: 'order-projection' }),
});
export const DeadLetterPeekQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(MAX_PEEK_LIMIT).default(50) });

/** A route's JSON response: its schema and what it means. */
export const jsonContent = <T>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
