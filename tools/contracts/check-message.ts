import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { asyncApiDocument } from '../../messaging/asyncapi-document';

/**
 * Checks a message against the AsyncAPI document of the events (messaging/asyncapi-document.ts,
 * committed as docs/asyncapi.json): its routing key names a channel, its body is that channel's
 * message payload and its headers that message's headers. Ajv on the document's own schemas
 * (draft-07, which AsyncAPI schemas extend), compiled once per message.
 */

type Schema = Record<string, unknown>;
interface CompiledMessage {
  payload: ValidateFunction;
  headers: ValidateFunction;
}

const document = asyncApiDocument() as unknown as {
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
  components: { messages: Record<string, { payload: Schema; headers: Schema }> };
};

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);

const byRoutingKey = new Map<string, CompiledMessage>();
for (const channel of Object.values(document.channels)) {
  const [reference] = Object.values(channel.messages);
  const message = document.components.messages[reference!.$ref.split('/').pop()!]!;
  byRoutingKey.set(channel.address, { payload: ajv.compile(message.payload), headers: ajv.compile(message.headers) });
}

const problemsOf = (validate: ValidateFunction, part: string): string[] =>
  (validate.errors ?? []).map((error) => `${part}${error.instancePath || ''} ${error.message ?? 'is invalid'}`);

/** What in the message breaks the contract; empty when it conforms. */
export function contractViolations(routingKey: string, body: unknown, headers: Record<string, unknown> = {}): string[] {
  const message = byRoutingKey.get(routingKey);
  if (!message) return [`no channel of the contract has the routing key ${JSON.stringify(routingKey)}`];
  const problems: string[] = [];
  if (!message.payload(body)) problems.push(...problemsOf(message.payload, 'body'));
  if (!message.headers(headers)) problems.push(...problemsOf(message.headers, 'headers'));
  return problems;
}
