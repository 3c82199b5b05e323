import type { components } from '../../api/client/openapi';

/** A POST /orders body, as the generated client types it. */
export type SubmitOrder = components['schemas']['SubmitOrder'];

/**
 * A valid POST /orders body for a customer of its own, typed as the generated client sends it (a
 * renamed field fails typecheck); `overrides` replace fields, `customerId: undefined` leaves it to the token.
 */
export function orderBody(): SubmitOrder & { customerId: string };
export function orderBody<Overrides extends Partial<SubmitOrder>>(
  overrides: Overrides,
): Omit<SubmitOrder & { customerId: string }, keyof Overrides> & Overrides;
export function orderBody(overrides: Partial<SubmitOrder> = {}): Partial<SubmitOrder> {
  return {
    customerId: `cust-${Math.random().toString(36).slice(2, 10)}`,
    items: [{ sku: 'SKU-RED-MUG', quantity: 1 }],
    payment: { token: 'tok_visa' },
    shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
    ...overrides,
  };
}

/** Bodies POST /orders refuses with 400, and the fields it names (the catalog has SKU-RED-MUG, not SKU-NOPE). */
export const INVALID_ORDER_BODIES: [what: string, body: Record<string, unknown>, paths: string[]][] = [
  ['a missing field', orderBody({ payment: undefined }), ['payment']],
  ['a wrong type', { ...orderBody(), customerId: 42 }, ['customerId']],
  ['an extra field', { ...orderBody(), priceCents: 1 }, ['(body)']],
  ['a negative quantity', orderBody({ items: [{ sku: 'SKU-RED-MUG', quantity: -1 }] }), ['items.0.quantity']],
  ['a fractional quantity', orderBody({ items: [{ sku: 'SKU-RED-MUG', quantity: 1.5 }] }), ['items.0.quantity']],
  ['no items', orderBody({ items: [] }), ['items']],
  [
    'a bad country code',
    orderBody({ shippingAddress: { ...orderBody().shippingAddress, country: 'Germany' } }),
    ['shippingAddress.country'],
  ],
  [
    'an unknown SKU',
    orderBody({
      items: [
        { sku: 'SKU-RED-MUG', quantity: 1 },
        { sku: 'SKU-NOPE', quantity: 1 },
      ],
    }),
    ['items.1.sku'],
  ],
  [
    'units of one SKU over the limit once merged',
    orderBody({
      items: [
        { sku: 'SKU-RED-MUG', quantity: 600 },
        { sku: 'SKU-RED-MUG', quantity: 600 },
      ],
    }),
    ['items'],
  ],
];
