import { describe, expect, it } from 'vitest';
import { outcomeEmail } from '../../consumers/notifications/outcome-email';

const orderId = '8f3c2a1e-5b6d-4c7e-9f80-1a2b3c4d5e6f';

describe('outcomeEmail', () => {
  it('confirms with the amount charged, naming the order by the start of its id', () => {
    expect(outcomeEmail({ kind: 'ORDER_CONFIRMED', orderId, totalCents: 129_800, currency: 'EUR' })).toEqual({
      kind: 'ORDER_CONFIRMED',
      subject: 'Your order 8f3c2a1e is confirmed',
      body: expect.stringContaining('We have charged 1298.00 EUR'),
    });
  });

  it('tells a failed or cancelled order why, and that nothing is owed', () => {
    const failed = outcomeEmail({ kind: 'ORDER_FAILED', orderId, reason: 'card declined by issuer' });
    expect(failed.subject).toBe('We could not complete your order 8f3c2a1e');
    expect(failed.body).toContain('(card declined by issuer)');
    const cancelled = outcomeEmail({ kind: 'ORDER_CANCELLED', orderId, reason: 'changed my mind' });
    expect(cancelled.subject).toBe('Your order 8f3c2a1e has been cancelled');
    expect(cancelled.body).toContain('(changed my mind)');
    expect(cancelled.body).toContain('refunded');
  });
});
