import { describe, expect, it } from 'vitest';
import { initialState } from '../../workflows/initial-state';
import { progressDetails } from '../../workflows/progress-details';

const started = initialState({ orderId: '8f3c2a1e-5b6d-4c7e-9f80-1a2b3c4d5e6f', customerId: 'cust-42' });

describe('progressDetails (the Temporal UI current details)', () => {
  it('shows only the status before the order is priced', () => {
    expect(progressDetails(started)).toBe('**Status** PENDING');
  });

  it('shows the priced total, the steps done, a pending cancel, the failure, each compensation and an unrecorded outcome, one per line', () => {
    const details = progressDetails({
      ...started,
      status: 'NEEDS_ATTENTION',
      totalCents: 2500,
      lines: [{ sku: 'SKU-RED-MUG', quantity: 2, unitPriceCents: 1250 }],
      steps: [
        { step: 'recordOrder', completedAt: '2026-11-30T10:00:00.000Z' },
        { step: 'reserveInventory', completedAt: '2026-11-30T10:00:01.000Z' },
      ],
      cancellation: { reason: 'changed my mind', requestedAt: '2026-11-30T10:00:00.500Z', waitsFor: 'recordOrder' },
      failure: { step: 'chargePayment', type: 'PaymentDeclined', reason: 'card declined by issuer' },
      compensations: [
        { step: 'refundPayment', completedAt: '2026-11-30T10:00:02.000Z', outcome: 'FAILED', error: 'refund rejected' },
        { step: 'releaseInventory', completedAt: '2026-11-30T10:00:03.000Z', outcome: 'COMPENSATED' },
      ],
      outcomeError: 'markOrderOutcome failed',
    });
    expect(details.split('  \n')).toEqual([
      '**Status** NEEDS_ATTENTION',
      '**Total** 25.00 EUR (2× SKU-RED-MUG at 12.50 EUR)',
      '**Cancel requested** changed my mind (2026-11-30T10:00:00.500Z): takes effect when recordOrder ends',
      '**Done** recordOrder → reserveInventory',
      '**Failed at** chargePayment: PaymentDeclined, card declined by issuer',
      '**Compensations** refundPayment ✗ (refund rejected), releaseInventory ✓',
      '**Outcome not recorded** markOrderOutcome failed',
    ]);
  });
});
