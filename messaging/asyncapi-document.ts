import { z } from 'zod';
import { EVENT_CONTRACTS } from '../domain/event-schemas';
import { EVENT_NAMES, type EventName } from '../domain/events';
import { SCHEMA_VERSION_HEADER } from './envelope';

/**
 * The AsyncAPI 3.0 document of the integration events, generated from their schemas
 * (domain/event-schemas.ts): one source. Served at /asyncapi.json, committed as
 * `docs/asyncapi.json` (`npm run contracts:generate`); test/unit/event-contract.test.ts fails when
 * the committed copy is stale or the change to it is breaking (docs/events.md).
 */

type JsonSchema = { [key: string]: unknown };
export type AsyncApiDocument = { asyncapi: '3.0.0'; [key: string]: unknown };

const AMQP_BINDING_VERSION = '0.3.0';

/** `order.needs-attention` → `orderNeedsAttention`: the id of its channel and message. */
export const eventId = (name: EventName): string => name.replace(/[.-]([a-z])/g, (_, letter: string) => letter.toUpperCase());

/**
 * JSON Schema (draft-07, which AsyncAPI schemas extend) of a zod schema. The producer's schemas
 * are strict, but the contract is not: consumers must expect fields added later, so no
 * `additionalProperties: false` in the document.
 */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, {
    target: 'draft-07',
    override: ({ jsonSchema }) => {
      if (jsonSchema.additionalProperties === false) delete jsonSchema.additionalProperties;
    },
  }) as JsonSchema;
  return json;
}

const metadataSchema = (version: number): JsonSchema => ({
  type: 'object',
  required: ['correlationId', 'causationId', 'createdUtc'],
  properties: {
    correlationId: { type: 'string', minLength: 1, description: 'The order (saga) id; also the AMQP correlationId.' },
    causationId: { type: 'string', description: 'The saga step that emitted the event, as `<workflowId>/<step>`.' },
    createdUtc: { type: 'string', format: 'date-time', description: 'When the step committed the event.' },
    schemaVersion: {
      type: 'integer',
      const: version,
      description: 'The version of the content schema. Absent on envelopes written before versions were recorded: read as 1.',
    },
  },
});

const headersSchema = (version: number): JsonSchema => ({
  type: 'object',
  required: ['correlationId', 'causationId', SCHEMA_VERSION_HEADER],
  properties: {
    correlationId: { type: 'string', description: 'As metadata.correlationId.' },
    causationId: { type: 'string', description: 'As metadata.causationId.' },
    [SCHEMA_VERSION_HEADER]: { type: 'integer', const: version, description: 'As metadata.schemaVersion (1 when the envelope has none).' },
    traceparent: { type: 'string', description: 'W3C trace context of the publish span, when tracing is on.' },
    tracestate: { type: 'string', description: 'W3C trace state, when tracing is on.' },
  },
});

function messageOf(name: EventName): JsonSchema {
  const { version, summary, schema } = EVENT_CONTRACTS[name];
  return {
    name,
    title: name,
    summary,
    description:
      `Routing key and AMQP \`type\` \`${name}\`; AMQP \`messageId\` = envelope messageId (uuid v5 of order, step and name: ` +
      'deduplicate on it), `correlationId` = the order id, `appId` saga-orchestrator, persistent, `timestamp` = createdUtc in seconds.',
    contentType: 'application/json',
    'x-schema-version': version,
    correlationId: { location: '$message.header#/correlationId', description: 'The order (saga) id.' },
    headers: headersSchema(version),
    payload: {
      type: 'object',
      required: ['messageId', 'name', 'content', 'metadata'],
      properties: {
        messageId: { type: 'string', format: 'uuid', description: 'Deterministic per (order, step, name); also the AMQP messageId.' },
        name: { type: 'string', const: name },
        content: jsonSchemaOf(schema),
        metadata: metadataSchema(version),
      },
    },
    bindings: { amqp: { messageType: name, bindingVersion: AMQP_BINDING_VERSION } },
  };
}

/** The document for the events exchange `exchange` (EVENTS_EXCHANGE, orders.events by default). */
export function asyncApiDocument(exchange = 'orders.events'): AsyncApiDocument {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const name of EVENT_NAMES) {
    const id = eventId(name);
    messages[id] = messageOf(name);
    channels[id] = {
      address: name,
      title: name,
      description: `Events named ${name} on the ${exchange} topic exchange (routing key = event name).`,
      messages: { [id]: { $ref: `#/components/messages/${id}` } },
      bindings: {
        amqp: {
          is: 'routingKey',
          exchange: { name: exchange, type: 'topic', durable: true, autoDelete: false, vhost: '/' },
          bindingVersion: AMQP_BINDING_VERSION,
        },
      },
    };
    operations[`publish${id.charAt(0).toUpperCase()}${id.slice(1)}`] = {
      action: 'send',
      title: `Publish ${name}`,
      summary: EVENT_CONTRACTS[name].summary,
      channel: { $ref: `#/channels/${id}` },
      messages: [{ $ref: `#/channels/${id}/messages/${id}` }],
      bindings: { amqp: { deliveryMode: 2, mandatory: false, timestamp: true, ack: true, bindingVersion: AMQP_BINDING_VERSION } },
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Saga orchestrator events',
      version: '1.0.0',
      description:
        'The integration events the order saga publishes through its outbox relay, with publisher confirms, at least once ' +
        `and in commit order per order. Bind a queue to the ${exchange} topic exchange by event name (\`#\` for all). ` +
        'Each message is a JSON envelope whose `content` is the event; `metadata.schemaVersion` and the `schemaVersion` header ' +
        'say which version of its schema. Tolerate unknown fields and enum values: adding either is not a breaking change ' +
        '(docs/events.md in the repository lists the rules).',
    },
    defaultContentType: 'application/json',
    servers: {
      broker: { host: 'localhost:5672', protocol: 'amqp', protocolVersion: '0-9-1', description: 'The RabbitMQ broker of a local stack.' },
    },
    channels,
    operations,
    components: { messages },
  };
}
