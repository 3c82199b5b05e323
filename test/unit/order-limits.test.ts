import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_ORDER_TOTAL_CENTS,
  MAX_UNITS_PER_LINE,
  MAX_UNITS_PER_ORDER,
  mergeItems,
  orderTotalCents,
  totalLimitViolation,
  unitLimitViolations,
} from '../../domain/order-limits';

describe('order limits', () => {
  it('merges repeated SKUs before counting a line, in order of first mention', () => {
    expect(
      mergeItems([
        { sku: 'A', quantity: 600 },
        { sku: 'B', quantity: 1 },
        { sku: 'A', quantity: 600 },
      ]),
    ).toEqual([
      { sku: 'A', quantity: 1200 },
      { sku: 'B', quantity: 1 },
    ]);
    expect(
      unitLimitViolations([
        { sku: 'A', quantity: 600 },
        { sku: 'A', quantity: 600 },
      ]),
    ).toEqual([{ path: 'items', message: expect.stringContaining(`1200 units of A over 2 lines: at most ${MAX_UNITS_PER_LINE}`) }]);
    expect(
      unitLimitViolations([
        { sku: 'A', quantity: 500 },
        { sku: 'A', quantity: 500 },
      ]),
    ).toEqual([]);
  });

  it("refuses the issue's order: 34 lines of 1,000 espresso machines", () => {
    const items = Array.from({ length: 34 }, () => ({ sku: 'SKU-ESPRESSO', quantity: 1000 }));
    const messages = unitLimitViolations(items).map((violation) => violation.message);
    expect(messages).toEqual([
      expect.stringContaining('34000 units of SKU-ESPRESSO'),
      expect.stringContaining(`at most ${MAX_UNITS_PER_ORDER} units per order`),
    ]);
    expect(totalLimitViolation(orderTotalCents([{ sku: 'SKU-ESPRESSO', quantity: 34_000, unitPriceCents: 64_900 }]))?.path).toBe('items');
  });

  it('names the quantity that is not a whole number of at least 1, before counting units', () => {
    expect(
      unitLimitViolations([
        { sku: 'A', quantity: 1 },
        { sku: 'B', quantity: 0.5 },
      ]),
    ).toEqual([{ path: 'items.1.quantity', message: expect.stringContaining('0.5') }]);
  });

  it('accepts a total up to the limit and refuses one cent more', () => {
    expect(totalLimitViolation(MAX_ORDER_TOTAL_CENTS)).toBeNull();
    expect(totalLimitViolation(MAX_ORDER_TOTAL_CENTS + 1)).toEqual({ path: 'items', message: expect.stringContaining('1000000.00 EUR') });
  });

  it('finds no violation exactly when every merged SKU and the whole order are within the unit limits', () => {
    const item = fc.record({ sku: fc.constantFrom('A', 'B', 'C'), quantity: fc.integer({ min: 1, max: 4000 }) });
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 8 }), (items) => {
        const merged = mergeItems(items);
        const within =
          merged.every((line) => line.quantity <= MAX_UNITS_PER_LINE) &&
          items.reduce((sum, i) => sum + i.quantity, 0) <= MAX_UNITS_PER_ORDER;
        expect(unitLimitViolations(items).length === 0).toBe(within);
      }),
    );
  });
});
