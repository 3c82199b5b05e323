import type { OrderStatus } from '../../domain/order';
import type { SubmitOrder } from '../../api/schemas';
import { CHAOS_SKUS, MAX_ORDINARY_QUANTITY, ORDINARY_SKUS, REVIEW_QUANTITY } from './catalog';
import type { SeededRandom } from './random';

/**
 * What each saga of a run is meant to do. Every kind's ending is certain up front, whatever the
 * concurrency and the faults: declines, AQ and the sold-out SKU fail on their own, and orders
 * above the review threshold wait until the harness decides (approve, reject or cancel).
 */
export const SCENARIO_KINDS = {
  complete: { status: 'COMPLETED', failureType: null, share: 0 },
  'complete-flaky': { status: 'COMPLETED', failureType: null, share: 0.08 },
  'review-approve': { status: 'COMPLETED', failureType: null, share: 0.05 },
  decline: { status: 'FAILED', failureType: 'PaymentDeclined', share: 0.06 },
  'ship-refused': { status: 'FAILED', failureType: 'ShippingRefused', share: 0.05 },
  'out-of-stock': { status: 'FAILED', failureType: 'OutOfStock', share: 0.05 },
  'review-reject': { status: 'FAILED', failureType: 'ReviewRejected', share: 0.04 },
  'review-cancel': { status: 'CANCELLED', failureType: 'Cancelled', share: 0.05 },
} as const satisfies Record<string, { status: OrderStatus; failureType: string | null; share: number }>;

export type ScenarioKind = keyof typeof SCENARIO_KINDS;
export type ReviewDecision = 'approve' | 'reject' | 'cancel';

export interface Scenario {
  index: number;
  kind: ScenarioKind;
  idempotencyKey: string;
  /** The customer the harness submits as is the body's. */
  body: SubmitOrder & { customerId: string };
  expected: { status: OrderStatus; failureType: string | null };
  /** What the harness does once the saga waits for review. */
  decision: ReviewDecision | null;
}

const DECISIONS: Partial<Record<ScenarioKind, ReviewDecision>> = {
  'review-approve': 'approve',
  'review-reject': 'reject',
  'review-cancel': 'cancel',
};

/** How many sagas of each kind: each share rounded, at least one of each, the rest complete normally. */
export function scenarioCounts(sagas: number): Record<ScenarioKind, number> {
  const counts = {} as Record<ScenarioKind, number>;
  let assigned = 0;
  for (const [kind, { share }] of Object.entries(SCENARIO_KINDS) as [ScenarioKind, (typeof SCENARIO_KINDS)[ScenarioKind]][]) {
    if (kind === 'complete') continue;
    counts[kind] = sagas >= 16 ? Math.max(1, Math.round(sagas * share)) : 0;
    assigned += counts[kind];
  }
  counts.complete = sagas - assigned;
  return counts;
}

/** The run's sagas in a seeded random order. */
export function buildScenarios(runId: string, sagas: number, random: SeededRandom): Scenario[] {
  const kinds = Object.entries(scenarioCounts(sagas)).flatMap(([kind, count]) => Array<ScenarioKind>(count).fill(kind as ScenarioKind));
  return random.shuffle(kinds).map((kind, index) => scenarioOf(runId, index, kind, random));
}

export function scenarioOf(runId: string, index: number, kind: ScenarioKind, random: SeededRandom): Scenario {
  const { status, failureType } = SCENARIO_KINDS[kind];
  return {
    index,
    kind,
    idempotencyKey: `chaos-${runId}-${index}`,
    body: orderBody(index, kind, random),
    expected: { status, failureType },
    decision: DECISIONS[kind] ?? null,
  };
}

const CITIES = [
  { city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
  { city: 'Berlin', postalCode: '10117', country: 'DE' },
  { city: 'Lyon', postalCode: '69002', country: 'FR' },
] as const;

function orderBody(index: number, kind: ScenarioKind, random: SeededRandom): SubmitOrder & { customerId: string } {
  const ordinaryLine = () => ({ sku: random.pick(ORDINARY_SKUS), quantity: random.int(1, MAX_ORDINARY_QUANTITY) });
  const items =
    kind === 'out-of-stock'
      ? // An ordinary line beside the sold-out one: a shortage must reserve nothing at all.
        [ordinaryLine(), { sku: CHAOS_SKUS.soldOut.sku, quantity: 1 }]
      : DECISIONS[kind]
        ? [{ sku: CHAOS_SKUS.espresso.sku, quantity: REVIEW_QUANTITY }]
        : Array.from({ length: random.int(1, 2) }, ordinaryLine);
  const place = kind === 'ship-refused' ? { city: 'McMurdo Station', postalCode: '0000', country: 'AQ' } : random.pick(CITIES);
  const token = kind === 'decline' ? 'tok_chargeDeclined' : kind === 'complete-flaky' ? 'tok_flaky' : 'tok_visa';
  return {
    customerId: `chaos-customer-${index}`,
    items,
    payment: { token },
    shippingAddress: { name: `Chaos Customer ${index}`, line1: `${index} Fault Lane`, ...place },
  };
}
