import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { shippedConsumers } from '../../consumers/shipped-consumers';
import { workflowIdForOrder } from '../../domain/order';
import type { EventContent } from '../../messaging/envelope';
import { deterministicUuid, eventMessageId } from '../../messaging/message-id';
import { outboxMessage } from '../../outbox/confirm-publisher';
import type { OutboxRow } from '../../outbox/outbox-row';
import { firstOfEachEvent, RECORDED_AT, recordedFixture, type EventFixtureFile } from '../../tools/histories/event-fixture-files';

// How `npm run histories:record` turns the outbox rows of its sagas into consumer replay fixtures
// (test/fixtures/events/): what it normalises so a re-record does not churn, and what it keeps.

const consumers = shippedConsumers({ CONSUMER_QUEUE_PREFIX: '' });
const fixedOrder = deterministicUuid('event-fixture/payment.charged.v1');

/** A payment.charged row as chargePayment commits it for a new order (the provider derives the charge id from the order). */
function chargedRow(content: Partial<EventContent> = {}): OutboxRow {
  const orderId = randomUUID();
  return {
    id: eventMessageId(orderId, 'chargePayment', 'payment.charged'),
    seq: '7',
    aggregateId: orderId,
    name: 'payment.charged',
    payload: { orderId, amountCents: 2500, currency: 'EUR', chargeId: `ch_${randomUUID().replaceAll('-', '').slice(0, 16)}`, ...content },
    metadata: {
      correlationId: orderId,
      causationId: `${workflowIdForOrder(orderId)}/chargePayment`,
      createdUtc: new Date().toISOString(),
      schemaVersion: 1,
    },
    attempts: 0,
  };
}

describe('recording the consumer replay fixtures', () => {
  it('writes the envelope and headers the relay publishes, with the order, ids and time of the fixture', () => {
    const fixture = recordedFixture('completed', chargedRow(), undefined, consumers);

    expect(fixture.envelope).toEqual({
      messageId: eventMessageId(fixedOrder, 'chargePayment', 'payment.charged'),
      name: 'payment.charged',
      content: { orderId: fixedOrder, amountCents: 2500, currency: 'EUR', chargeId: expect.stringMatching(/^ch_[0-9a-f]{16}$/) },
      metadata: { correlationId: fixedOrder, causationId: `order-${fixedOrder}/chargePayment`, createdUtc: RECORDED_AT, schemaVersion: 1 },
    });
    const relayed = outboxMessage({ ...chargedRow(), id: fixture.envelope.messageId, metadata: fixture.envelope.metadata });
    expect(fixture.headers).toEqual(relayed.properties.headers);
    expect(fixture.conformsToContract).toBe(true);
    expect(fixture.description).toContain('completed history scenario');
  });

  it('a re-record of the same event changes nothing, though every order and charge id is new', () => {
    const first = recordedFixture('completed', chargedRow(), undefined, consumers);
    const withExpectations: EventFixtureFile = {
      ...first,
      expected: { ...first.expected, 'order-projection': { effect: { status: 'PAID' } } },
    };
    const second = recordedFixture('completed', chargedRow(), withExpectations, consumers);
    expect(second).toEqual(withExpectations);
  });

  it('takes what the producer changed from the recording, and ids of another form too', () => {
    const existing = recordedFixture('completed', chargedRow(), undefined, consumers);
    const changed = recordedFixture('completed', chargedRow({ currency: 'USD', chargeId: 'charge-42' }), existing, consumers);
    expect(changed.envelope.content).toMatchObject({ currency: 'USD', chargeId: 'charge-42' });
  });

  it('keeps the expected outcomes, and names only the consumers that do not bind the event when it has none', () => {
    const expected = { 'order-projection': { parked: 'unprocessable' } };
    const existing = { ...recordedFixture('completed', chargedRow(), undefined, consumers), expected };
    expect(recordedFixture('completed', chargedRow(), existing, consumers).expected).toEqual({
      ...expected,
      notifications: { notBound: true },
    });
    // order-projection binds every event: what it does is the developer's to say (test/unit/event-fixtures.test.ts asks).
    expect(recordedFixture('completed', chargedRow(), undefined, consumers).expected).toEqual({ notifications: { notBound: true } });
  });

  it('refuses an event the producer published against its contract', () => {
    expect(() => recordedFixture('completed', chargedRow({ amountCents: '25.00' }), undefined, consumers)).toThrow(
      /completed scenario published payment\.charged\.v1 against its contract/,
    );
  });

  it('takes each event from the first scenario that committed it', () => {
    const [a, b] = [chargedRow(), chargedRow()];
    expect(
      firstOfEachEvent([
        { scenario: 'first', rows: [a] },
        { scenario: 'second', rows: [b] },
      ]).get('payment.charged'),
    ).toEqual({ scenario: 'first', row: a });
  });
});
