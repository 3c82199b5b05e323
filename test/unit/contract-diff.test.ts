import { describe, expect, it } from 'vitest';
import { asyncApiDocument, eventId } from '../../messaging/asyncapi-document';
import { diffContracts, type BreakingKind } from '../../tools/contracts/contract-diff';

// The differ behind the "no breaking change" check (test/unit/event-contract.test.ts): each rule
// of docs/events.md, on a copy of the real document changed in one way.

type Doc = Record<string, unknown> & { components: { messages: Record<string, Message> }; channels: Record<string, unknown> };
type Message = { 'x-schema-version': number; headers: Schema; payload: Schema };
type Schema = {
  type?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  items?: Schema;
  const?: unknown;
};

const fresh = (): Doc => JSON.parse(JSON.stringify(asyncApiDocument())) as Doc;
const message = (doc: Doc, name: Parameters<typeof eventId>[0]) => doc.components.messages[eventId(name)]!;
const content = (doc: Doc, name: Parameters<typeof eventId>[0]) => message(doc, name).payload.properties!.content!;

const kindsOf = (change: (doc: Doc) => void, bump = false) => {
  const after = fresh();
  change(after);
  if (bump) for (const m of Object.values(after.components.messages)) m['x-schema-version'] += 1;
  return diffContracts(fresh(), after);
};

describe('diffContracts', () => {
  it('finds nothing between a document and itself', () => {
    expect(diffContracts(fresh(), fresh())).toEqual({ breaking: [], versioned: [] });
  });

  const breaking: [string, BreakingKind, (doc: Doc) => void][] = [
    ['removing a field', 'field-removed', (doc) => delete content(doc, 'payment.charged').properties!.chargeId],
    [
      'renaming a field',
      'field-removed',
      (doc) => {
        const props = content(doc, 'payment.charged').properties!;
        props.chargeReference = props.chargeId!;
        delete props.chargeId;
      },
    ],
    ['changing a field’s type', 'type-changed', (doc) => (content(doc, 'payment.charged').properties!.amountCents!.type = 'string')],
    [
      'making a field nullable',
      'type-changed',
      (doc) => (content(doc, 'order.completed').properties!.customerId!.type = ['string', 'null']),
    ],
    [
      'changing the type of a nested field',
      'type-changed',
      (doc) => (content(doc, 'order.submitted').properties!.lines!.items!.properties!.quantity!.type = 'string'),
    ],
    [
      'making an optional field required',
      'made-required',
      (doc) => {
        const metadata = message(doc, 'payment.charged').payload.properties!.metadata!;
        metadata.required = [...metadata.required!, 'schemaVersion'];
      },
    ],
    [
      'adding a required field',
      'made-required',
      (doc) => {
        const schema = content(doc, 'payment.charged');
        schema.properties!.cardBrand = { type: 'string' };
        schema.required = [...schema.required!, 'cardBrand'];
      },
    ],
    [
      'making a required field optional',
      'made-optional',
      (doc) => {
        const schema = content(doc, 'payment.charged');
        schema.required = schema.required!.filter((key) => key !== 'chargeId');
      },
    ],
    [
      'removing an enum value',
      'enum-value-removed',
      (doc) => {
        const status = content(doc, 'order.failed').properties!.status!;
        status.enum = status.enum!.filter((value) => value !== 'NEEDS_ATTENTION');
      },
    ],
    ['removing a header', 'field-removed', (doc) => delete message(doc, 'payment.charged').headers.properties!.causationId],
    ['removing a message', 'message-removed', (doc) => delete doc.components.messages[eventId('shipment.cancelled')]],
    ['removing a channel', 'channel-removed', (doc) => delete doc.channels[eventId('shipment.cancelled')]],
    [
      'changing the version number without a bump',
      'const-changed',
      (doc) => (message(doc, 'payment.charged').headers.properties!.schemaVersion!.const = 7),
    ],
  ];

  it.each(breaking)('flags %s as breaking (%s)', (_, kind, change) => {
    const { breaking: found } = kindsOf(change);
    expect(found.map((c) => c.kind)).toContain(kind);
  });

  it.each(breaking.filter(([, kind]) => !['message-removed', 'channel-removed', 'const-changed'].includes(kind)))(
    'allows %s when the message’s schema version goes up, and still reports it',
    (_, kind, change) => {
      const diff = kindsOf(change, true);
      expect(diff.breaking).toEqual([]);
      expect(diff.versioned.map((c) => c.kind)).toContain(kind);
    },
  );

  it('accepts the version constants changing with a bump: that is the bump', () => {
    const diff = kindsOf((doc) => {
      const m = message(doc, 'payment.charged');
      m.headers.properties!.schemaVersion!.const = 2;
      m.payload.properties!.metadata!.properties!.schemaVersion!.const = 2;
    }, true);
    expect(diff).toEqual({ breaking: [], versioned: [] });
  });

  it('names where the change is', () => {
    const { breaking: found } = kindsOf((doc) => delete content(doc, 'order.submitted').properties!.lines!.items!.properties!.sku);
    expect(found).toEqual([
      { kind: 'field-removed', where: 'orderSubmitted payload.content.lines[].sku', detail: 'field sku removed (or renamed)' },
    ]);
  });

  const compatible: [string, (doc: Doc) => void][] = [
    ['adding an optional field', (doc) => (content(doc, 'payment.charged').properties!.cardBrand = { type: 'string' })],
    [
      'adding an enum value',
      (doc) => {
        const status = content(doc, 'order.failed').properties!.status!;
        status.enum = [...status.enum!, 'ON_HOLD'];
      },
    ],
    ['adding an optional header', (doc) => (message(doc, 'payment.charged').headers.properties!.tenant = { type: 'string' })],
    [
      'adding a message',
      (doc) => {
        doc.components.messages.orderShipped = message(doc, 'shipment.created');
      },
    ],
    [
      'changing a description',
      (doc) => ((content(doc, 'payment.charged').properties!.orderId as Record<string, unknown>).description = 'the order'),
    ],
  ];

  it.each(compatible)('accepts %s', (_, change) => {
    expect(kindsOf(change)).toEqual({ breaking: [], versioned: [] });
  });
});
